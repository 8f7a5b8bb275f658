"""The supervisor's desk through the server: a module-level router of thin routes over
:class:`app.desk.local.LocalDesk` (one desk, two doors); a route's desk comes from :class:`DeskDoor`. Pydantic models at the edge; the figures, timelines and reports travel as
the domain's own plain data.

Every route needs the station's token (401). ``/desk/login`` (and ``/desk/settings-unlock``) take
a supervisor's badge and PIN, checked, audited and locked out exactly as in-process, and answer a
desk session: signed with the server's session key, carrying the supervisor and the station, with
the idle expiry; no state on the server beyond the database. Every other route needs that session
in ``X-Desk-Session`` (403 without it, once expired, or when its user is no longer an active
supervisor, or when the supervisor's session epoch moved on: a new PIN, a lockout) and answers a
refreshed one in the same header. Actions and flags also need the PIN
at that moment. PIN hashes never leave the server.
"""

import shutil
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse
from fastapi.security import APIKeyHeader
from pydantic import AwareDatetime, BaseModel, Field
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from app.desk.local import IMPORT_KINDS, LocalDesk
from app.desk.port import ClipNotHere, DeskError, DeskSessionEnded
from app.errors import KnownError
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.imports.orders import DEFAULT_MAX_BYTES
from app.packing.auth import NotAuthorized, Supervisor
from app.packing.supervisor import ACTIONS, ActionRefused
from app.packing.wire import to_plain
from app.reports.summary import Period
from app.server.deps import Ctx, ServerContext, Station
from app.server.desk_files import evidence_zip, import_upload
from app.server.problems import DeskProblem, answers, issue
from app.server.sessions import current_supervisor, sign_desk
from app.server.waits import unless_gone

API = "/api/v1/desk"
SESSION_HEADER = "X-Desk-Session"
DESK_LIMITS = {("POST", f"{API}/import"): DEFAULT_MAX_BYTES}  # the gate's body limit: the importer's own
desk_key = APIKeyHeader(name=SESSION_HEADER, auto_error=False, scheme_name="deskSession",
                        description="The supervisor's desk session from /api/v1/desk/login (renewed in each reply)")
NO_SESSION = Message(QT_TRANSLATE_NOOP("Outcome", "No supervisor's desk session (or it expired): log in to the "
                                                   "supervisor view again"))


# Enums in the document, from the one list each: the supervisor's actions, the desk's imports.
ActionKind = Literal[tuple(ACTIONS)]  # type: ignore[valid-type]
ImportKind = Literal[IMPORT_KINDS]  # type: ignore[valid-type]
# A row's id as the database can hold it: a larger number is 422, never an overflow in the driver.
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Credentials(BaseModel):
    badge: str = Field(min_length=1, max_length=64)
    pin: str = Field(max_length=64)


class LoginReply(BaseModel):
    supervisor: dict[str, Any]
    session: str


class PeriodRequest(BaseModel):
    # A time without its offset is refused (422): the server cannot know which local time a desk meant.
    start: AwareDatetime | None = Field(default=None, description="ISO 8601 with its offset; none: unbounded")
    end: AwareDatetime | None = Field(default=None, description="ISO 8601 with its offset; none: unbounded")
    auto: bool = Field(default=False, description="a refresh the view made by itself: the idle time goes on")


class OrderRequest(BaseModel):
    order_no: str = Field(min_length=1, max_length=64)


class ActionRequest(BaseModel):
    kind: ActionKind
    badge: str = Field(max_length=64)
    pin: str = Field(max_length=64)
    target: str = Field(max_length=128)
    reason: str = Field(max_length=500)


class RetryRequest(BaseModel):
    job_id: RowId


class TextRequest(BaseModel):
    text: str = Field(min_length=1, max_length=128)


class FlagRequest(BaseModel):
    text: str = Field(min_length=1, max_length=128)
    badge: str = Field(max_length=64)
    pin: str = Field(max_length=64)
    reason: str = Field(max_length=500)
    flagged: bool = True


class SettingsAudit(BaseModel):
    what: str = Field(max_length=500)
    message: str = Field(max_length=4000)


class SiteSettingChange(BaseModel):
    key: str = Field(max_length=64)
    value: bool | int | float | Annotated[str, Field(max_length=64)]


class WaitRequest(BaseModel):
    since: str = Field(max_length=64)
    timeout_s: float = Field(default=25, ge=0, le=60)


class Version(BaseModel):
    version: str


# The import's file name: a name, not a path (``..``, ``/`` and the like are 422, never opened).
FileName = Annotated[str, Query(min_length=1, max_length=255, pattern=r"^[^/\\\x00]+$",
                                description="the file's own name (its suffix picks CSV or XLSX)")]
Profile = Annotated[str, Query(max_length=64, description="a column map profile (e.g. pdd); empty: the file's own headers")]
FILE_BODY = {"requestBody": {"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary"}}}}}


def _period(body: PeriodRequest) -> Period:
    return Period(body.start, body.end)


def refusal(exc: Exception) -> HTTPException:
    """The domain's refusal as an HTTP answer the remote desk turns back into the same exception."""
    if isinstance(exc, NotAuthorized):
        return HTTPException(403, {"kind": "not_authorized", "message": to_plain(exc.message), "text": str(exc)})
    if isinstance(exc, DeskSessionEnded):
        return HTTPException(403, {"kind": "no_session", "message": to_plain(exc.msg), "text": exc.message})
    if isinstance(exc, ActionRefused):
        return HTTPException(409, {"kind": "refused", "message": to_plain(exc.msg), "text": exc.message})
    if isinstance(exc, ClipNotHere):
        return HTTPException(409, {"kind": "not_here", "message": to_plain(exc.msg), "text": exc.message})
    if isinstance(exc, DeskError):
        return HTTPException(409, {"kind": "desk", "message": to_plain(exc.msg), "text": exc.message})
    if isinstance(exc, KnownError):
        return HTTPException(409, {"kind": "known", "text": exc.message})
    raise exc


def call(fn, *args):
    """``fn(*args)`` with the domain's refusals answered as :func:`refusal` says."""
    try:
        return fn(*args)
    except (NotAuthorized, KnownError) as exc:
        raise refusal(exc) from None


class DeskDoor:
    """The calling station's desk for one request, opened by the route once its body was checked
    (a body's 422 comes before the session's 403, as it always did).

    :meth:`open` gives the in-process desk of the session's supervisor (403 without one). ``renew``:
    the supervisor did something, so the idle time starts again (a renewed session in the reply);
    the view's own refreshes and long polls leave it running, so a view left open ends at the idle
    time like a bench's packer."""

    def __init__(self, ctx: ServerContext, st: tuple[int, str], blob: str | None, response: Response) -> None:
        self.ctx, self.st, self.blob, self.response = ctx, st, blob, response

    def open(self, renew: bool = True) -> LocalDesk:
        sup = current_supervisor(self.ctx.services, self.ctx.signer, self.st[0], self.blob)
        if sup is None:
            raise refusal(DeskSessionEnded(NO_SESSION))
        self.response.headers[SESSION_HEADER] = sign_desk(self.ctx.signer, self.st[0], sup) if renew else self.blob
        return LocalDesk(self.ctx.services, self.st[1], supervisor=sup, serving=True, clip_roots=self.ctx.clip_roots)

    @property
    def headers(self) -> dict[str, str]:
        """The session header for a file's answer (it does not take the route's response headers)."""
        return {SESSION_HEADER: self.response.headers[SESSION_HEADER]}


async def desk_door(st: Station, session: Annotated[str | None, Depends(desk_key)], response: Response,
                    ctx: Ctx) -> DeskDoor:
    return DeskDoor(ctx, st, session, response)


Desk = Annotated[DeskDoor, Depends(desk_door)]


def _signed_in(ctx: ServerContext, st: tuple[int, str], sup: Supervisor) -> LoginReply:
    return LoginReply(supervisor=to_plain(sup), session=sign_desk(ctx.signer, st[0], sup))


def _login_desk(ctx: ServerContext, st: tuple[int, str]) -> LocalDesk:
    return LocalDesk(ctx.services, st[1], serving=True)


# Every desk route: 401 (the gate), 403 (no desk session, or not authorized), 413 and 422.
router = APIRouter(prefix=API, tags=["supervisor desk"], responses=answers(401, 403, 413, 422, s403=DeskProblem))
JSON_BODY = answers(400)
REFUSED = answers(409, s409=DeskProblem)


@router.post("/login", response_model=LoginReply, responses={**JSON_BODY, **REFUSED})
def login(body: Credentials, st: Station, ctx: Ctx) -> LoginReply:
    """A supervisor's badge and PIN (audited; wrong PINs count towards the lockout)."""
    return _signed_in(ctx, st, call(_login_desk(ctx, st).login, body.badge, body.pin))


@router.post("/settings-unlock", response_model=LoginReply, responses={**JSON_BODY, **REFUSED})
def settings_unlock(body: Credentials, st: Station, ctx: Ctx) -> LoginReply:
    return _signed_in(ctx, st, call(_login_desk(ctx, st).unlock_settings, body.badge, body.pin))


@router.post("/settings-audit", responses={**JSON_BODY, **REFUSED})
def settings_audit(body: SettingsAudit, desk: Desk) -> dict:
    call(desk.open().audit_settings, body.what, body.message)
    return {"ok": True}


@router.post("/site-settings", responses={**JSON_BODY, **REFUSED})
def site_settings(desk: Desk) -> dict[str, Any]:
    """The site's settings that decide a scan (tolerance, video required, platform trigger)."""
    return {"settings": call(desk.open().site_settings)}


@router.post("/site-settings/set", responses={**JSON_BODY, **REFUSED})
def set_site_setting(body: SiteSettingChange, desk: Desk) -> dict[str, Any]:
    """One site setting, by the supervisor who unlocked the settings (audited, old and new value)."""
    return {"change": call(desk.open().change_site_setting, body.key, body.value)}


@router.post("/figures", responses={**JSON_BODY, **REFUSED})
def figures(body: PeriodRequest, desk: Desk) -> dict[str, Any]:
    return call(desk.open(renew=not body.auto).figures, _period(body))


@router.post("/order", responses={**JSON_BODY, **REFUSED})
def order(body: OrderRequest, desk: Desk) -> dict[str, Any]:
    return {"details": call(desk.open().order_details, body.order_no)}


@router.post("/action", responses={**JSON_BODY, **REFUSED})
def action(body: ActionRequest, desk: Desk) -> dict[str, Any]:
    """A supervisor action: the PIN at this moment and a reason, as in-process."""
    local = desk.open()
    try:
        done = call(local.run_action, body.kind, body.badge, body.pin, body.target, body.reason)
    except ValueError as exc:  # an unknown kind
        raise HTTPException(422, str(exc)) from None
    return to_plain(done)


@router.post("/platform-retry", responses={**JSON_BODY, **REFUSED})
def platform_retry(body: RetryRequest, desk: Desk) -> dict:
    return {"ok": call(desk.open().retry_platform_job, body.job_id)}


@router.post("/shipments", responses={**JSON_BODY, **REFUSED})
def shipments(body: PeriodRequest, desk: Desk) -> dict:
    return {"rows": to_plain(call(desk.open().shipments, _period(body)))}


@router.post("/import", openapi_extra=FILE_BODY, responses=REFUSED)
async def import_file(request: Request, desk: Desk, kind: ImportKind, name: FileName, profile: Profile = "") -> dict:
    """The file's bytes as the body (at most the importer's limit: 413 before it is read); the
    server runs the same importer and answers its report."""
    if name in (".", ".."):
        raise HTTPException(422, issue("name is a file's name, not a folder", "query", "name"))
    local = await run_in_threadpool(desk.open)
    data = await request.body()  # the gate cut it at DEFAULT_MAX_BYTES
    report = await run_in_threadpool(call, import_upload, local, kind, name, data, profile)
    return {"kind": kind, "report": to_plain(report)}


@router.post("/clips", responses={**JSON_BODY, **REFUSED})
def clips(body: TextRequest, desk: Desk) -> dict:
    return {"clips": call(desk.open().find_clips, body.text)}


@router.get("/clips/{clip_id}/file", response_class=FileResponse,
            responses={200: {"content": {"video/mp4": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "the clip (Range requests: 206 with the part)"},
                       206: {"content": {"video/mp4": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "the part of the clip a Range asked for"},
                       416: {"description": "a Range outside the clip"},
                       409: {"model": DeskProblem, "description": "the clip is still at its bench, or not a clip "
                                                                  "in the server's evidence folders"}})
def clip_file(clip_id: RowId, desk: Desk) -> FileResponse:
    """The clip's file (Range requests: seek without downloading it all) once it is on the server."""
    path = call(desk.open().clip_file, clip_id)
    return FileResponse(path, media_type="video/mp4", filename=path.name, headers=desk.headers)


@router.post("/evidence", response_class=FileResponse, responses={
    **JSON_BODY, **REFUSED, 200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                                  "description": "the clips, the evidence sheet and export.json in one zip"}})
def evidence(body: TextRequest, desk: Desk) -> FileResponse:
    """The clips and the evidence sheet the server rendered from its own files, as one zip
    (``export.json`` names the sheet and the clips)."""
    made = call(evidence_zip, desk.open(), body.text)
    return FileResponse(made.archive, media_type="application/zip", filename=f"evidence-{made.order_no}.zip",
                        headers=desk.headers, background=BackgroundTask(shutil.rmtree, made.folder, ignore_errors=True))


@router.post("/flag", responses={**JSON_BODY, **REFUSED})
def flag(body: FlagRequest, desk: Desk) -> dict:
    """Keep (or stop keeping) an order's clips for a dispute: the PIN at this moment and a reason."""
    return {"clips": call(desk.open().flag_clips, body.text, body.badge, body.pin, body.reason, body.flagged)}


@router.post("/version", response_model=Version)
def version(desk: Desk) -> Version:
    return Version(version=desk.open(renew=False).version())


@router.post("/wait", response_model=Version, responses={**JSON_BODY, **answers(429)})
async def wait(body: WaitRequest, st: Station, request: Request, desk: Desk, ctx: Ctx) -> Version:
    """Long poll: answers as soon as the shift's version differs from ``since``, or after
    ``timeout_s`` with the same one. It waits in the event loop on the shared change feed (no
    worker thread); a station holds at most a few open polls, bench and desk together (429)."""
    await run_in_threadpool(desk.open, False)
    with ctx.cap.hold(st):
        return Version(version=await unless_gone(request.receive, ctx.feed.changed_from(body.since, body.timeout_s),
                                                 body.since))
