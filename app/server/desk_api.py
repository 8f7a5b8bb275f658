"""The supervisor's desk through the server: thin routes over :class:`app.desk.local.LocalDesk`
(one desk, two doors). Pydantic models at the edge; the figures, timelines and reports travel as
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

import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
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
from app.models.schema import Role, User
from app.packing.auth import NotAuthorized, Supervisor
from app.packing.ports import Services
from app.packing.supervisor import ACTIONS, ActionRefused
from app.packing.wire import to_plain
from app.reports.summary import Period
from app.server.problems import DeskProblem, answers, issue
from app.server.sessions import SessionSigner
from app.server.waits import ChangeFeed, PollCap, unless_gone

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


def sign_desk(signer: SessionSigner, station_id: int, sup: Supervisor, now: float | None = None) -> str:
    # "desk" marks it: a bench's session (signed by the same codec, same key) never opens a desk.
    return signer.tokens.encode({"desk": station_id, "user": sup.user_id, "name": sup.name, "ep": sup.epoch}, now)


def open_desk(signer: SessionSigner, station_id: int, blob: str | None, now: float | None = None) -> Supervisor | None:
    """The supervisor inside ``blob``; None when missing, forged, for another station or expired."""
    data = signer.tokens.decode(blob, now)
    if data is None or data.get("desk") != station_id:
        return None
    try:
        return Supervisor(int(data["user"]), str(data["name"]), int(data.get("ep", -1)))
    except (KeyError, TypeError, ValueError):
        return None


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


def add_desk_routes(app: FastAPI, services: Services, signer: SessionSigner, station_dependency: Any,
                    clip_roots: tuple[Path, ...] = (), waits: tuple[ChangeFeed, PollCap] | None = None) -> None:
    """Include the desk's routes; ``station_dependency`` is the station-token dependency (401).

    Clip files are served only from ``clip_roots`` (the evidence store, the server PC's evidence
    folder): a row naming any other file is refused, whatever it says."""
    roots = tuple(Path(r).resolve() for r in clip_roots)
    feed, cap = waits or (ChangeFeed(LocalDesk(services, None).version), PollCap())
    # Every desk route: 401 (the gate), 403 (no desk session, or not authorized), 413 and 422.
    router = APIRouter(prefix=API, tags=["supervisor desk"], responses=answers(401, 403, 413, 422, s403=DeskProblem))
    Station = station_dependency
    DeskSession = Annotated[str | None, Depends(desk_key)]
    JSON_BODY = answers(400)
    REFUSED = answers(409, s409=DeskProblem)

    def desk(st: tuple[int, str], blob: str | None, response: Response, renew: bool = True) -> LocalDesk:
        """The in-process desk of the session's supervisor at this station (403 without one).

        ``renew``: the supervisor did something, so the idle time starts again (a renewed session in
        the reply); the view's own refreshes and long polls leave it running, so a view left open
        ends at the idle time like a bench's packer."""
        sup = open_desk(signer, st[0], blob)
        if sup is not None:
            with services.read_uow() as uow:
                user = uow.session.get(User, sup.user_id)
                ok = (user is not None and user.active and user.role == Role.SUPERVISOR.value
                      and user.session_epoch == sup.epoch)  # not disabled, given a new PIN or locked out since
            sup = sup if ok else None
        if sup is None:
            raise refusal(DeskSessionEnded(NO_SESSION))
        response.headers[SESSION_HEADER] = sign_desk(signer, st[0], sup) if renew else blob
        return LocalDesk(services, st[1], supervisor=sup, serving=True, clip_roots=roots)

    def call(fn, *args):
        try:
            return fn(*args)
        except (NotAuthorized, KnownError) as exc:
            raise refusal(exc) from None

    def start(st: tuple[int, str], body: Credentials, how: str) -> LoginReply:
        local = LocalDesk(services, st[1], serving=True)
        sup = call(getattr(local, how), body.badge, body.pin)
        return LoginReply(supervisor=to_plain(sup), session=sign_desk(signer, st[0], sup))

    @router.post("/login", response_model=LoginReply, responses={**JSON_BODY, **REFUSED})
    def login(body: Credentials, st: Station) -> LoginReply:
        """A supervisor's badge and PIN (audited; wrong PINs count towards the lockout)."""
        return start(st, body, "login")

    @router.post("/settings-unlock", response_model=LoginReply, responses={**JSON_BODY, **REFUSED})
    def settings_unlock(body: Credentials, st: Station) -> LoginReply:
        return start(st, body, "unlock_settings")

    @router.post("/settings-audit", responses={**JSON_BODY, **REFUSED})
    def settings_audit(body: SettingsAudit, st: Station, response: Response, session: DeskSession) -> dict:
        call(desk(st, session, response).audit_settings, body.what, body.message)
        return {"ok": True}

    @router.post("/site-settings", responses={**JSON_BODY, **REFUSED})
    def site_settings(st: Station, response: Response, session: DeskSession) -> dict[str, Any]:
        """The site's settings that decide a scan (tolerance, video required, platform trigger)."""
        return {"settings": call(desk(st, session, response).site_settings)}

    @router.post("/site-settings/set", responses={**JSON_BODY, **REFUSED})
    def set_site_setting(body: SiteSettingChange, st: Station, response: Response,
                         session: DeskSession) -> dict[str, Any]:
        """One site setting, by the supervisor who unlocked the settings (audited, old and new value)."""
        return {"change": call(desk(st, session, response).change_site_setting, body.key, body.value)}

    @router.post("/figures", responses={**JSON_BODY, **REFUSED})
    def figures(body: PeriodRequest, st: Station, response: Response, session: DeskSession) -> dict[str, Any]:
        return call(desk(st, session, response, renew=not body.auto).figures, _period(body))

    @router.post("/order", responses={**JSON_BODY, **REFUSED})
    def order(body: OrderRequest, st: Station, response: Response, session: DeskSession) -> dict[str, Any]:
        return {"details": call(desk(st, session, response).order_details, body.order_no)}

    @router.post("/action", responses={**JSON_BODY, **REFUSED})
    def action(body: ActionRequest, st: Station, response: Response, session: DeskSession) -> dict[str, Any]:
        """A supervisor action: the PIN at this moment and a reason, as in-process."""
        local = desk(st, session, response)
        try:
            done = call(local.run_action, body.kind, body.badge, body.pin, body.target, body.reason)
        except ValueError as exc:  # an unknown kind
            raise HTTPException(422, str(exc)) from None
        return to_plain(done)

    @router.post("/platform-retry", responses={**JSON_BODY, **REFUSED})
    def platform_retry(body: RetryRequest, st: Station, response: Response, session: DeskSession) -> dict:
        return {"ok": call(desk(st, session, response).retry_platform_job, body.job_id)}

    @router.post("/shipments", responses={**JSON_BODY, **REFUSED})
    def shipments(body: PeriodRequest, st: Station, response: Response, session: DeskSession) -> dict:
        return {"rows": to_plain(call(desk(st, session, response).shipments, _period(body)))}

    @router.post("/import", openapi_extra=FILE_BODY, responses=REFUSED)
    async def import_file(request: Request, st: Station, response: Response, session: DeskSession,
                          kind: ImportKind, name: FileName, profile: Profile = "") -> dict:
        """The file's bytes as the body (at most the importer's limit: 413 before it is read); the
        server runs the same importer and answers its report."""
        if name in (".", ".."):
            raise HTTPException(422, issue("name is a file's name, not a folder", "query", "name"))
        local = await run_in_threadpool(desk, st, session, response)
        data = await request.body()  # the gate cut it at DEFAULT_MAX_BYTES
        folder = Path(tempfile.mkdtemp(prefix="packgate-import-"))
        try:
            path = folder / name
            path.write_bytes(data)
            report = await run_in_threadpool(call, local.import_file, kind, path, profile)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return {"kind": kind, "report": to_plain(report)}

    @router.post("/clips", responses={**JSON_BODY, **REFUSED})
    def clips(body: TextRequest, st: Station, response: Response, session: DeskSession) -> dict:
        return {"clips": call(desk(st, session, response).find_clips, body.text)}

    @router.get("/clips/{clip_id}/file", response_class=FileResponse,
                responses={200: {"content": {"video/mp4": {"schema": {"type": "string", "format": "binary"}}},
                                 "description": "the clip (Range requests: 206 with the part)"},
                           206: {"content": {"video/mp4": {"schema": {"type": "string", "format": "binary"}}},
                                 "description": "the part of the clip a Range asked for"},
                           416: {"description": "a Range outside the clip"},
                           409: {"model": DeskProblem, "description": "the clip is still at its bench, or not a clip "
                                                                      "in the server's evidence folders"}})
    def clip_file(clip_id: RowId, st: Station, response: Response, session: DeskSession) -> FileResponse:
        """The clip's file (Range requests: seek without downloading it all) once it is on the server."""
        path = call(desk(st, session, response).clip_file, clip_id)
        real = Path(path).resolve()
        if path.suffix.lower() != ".mp4" or not any(real.is_relative_to(r) for r in roots):
            # only clips in the evidence folders: never whatever else a row might name
            raise refusal(ClipNotHere(Message(QT_TRANSLATE_NOOP("Outcome", "Clip {id} is not a video file in the server's evidence folders"),
                                              {"id": clip_id})))
        return FileResponse(path, media_type="video/mp4", filename=path.name,
                            headers={SESSION_HEADER: response.headers[SESSION_HEADER]})

    @router.post("/evidence", response_class=FileResponse, responses={
        **JSON_BODY, **REFUSED, 200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                                      "description": "the clips, the evidence sheet and export.json in one zip"}})
    def evidence(body: TextRequest, st: Station, response: Response, session: DeskSession) -> FileResponse:
        """The clips and the evidence sheet the server rendered from its own files, as one zip
        (``export.json`` names the sheet and the clips)."""
        local = desk(st, session, response)
        folder = Path(tempfile.mkdtemp(prefix="packgate-evidence-"))
        try:
            result = call(local.export_evidence, body.text, folder / "out")
            archive = folder / "evidence.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:  # the clips are compressed already
                for file in (Path(p) for p in [*result["clips"], result["sheet"]]):
                    z.write(file, file.name)
                z.writestr("export.json", json.dumps({"order_no": result["order_no"], "sheet": Path(result["sheet"]).name,
                                                      "clips": [Path(p).name for p in result["clips"]],
                                                      "not_uploaded": result.get("not_uploaded", [])}))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return FileResponse(archive, media_type="application/zip", filename=f"evidence-{result['order_no']}.zip",
                            headers={SESSION_HEADER: response.headers[SESSION_HEADER]},
                            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))

    @router.post("/flag", responses={**JSON_BODY, **REFUSED})
    def flag(body: FlagRequest, st: Station, response: Response, session: DeskSession) -> dict:
        """Keep (or stop keeping) an order's clips for a dispute: the PIN at this moment and a reason."""
        n = call(desk(st, session, response).flag_clips, body.text, body.badge, body.pin, body.reason, body.flagged)
        return {"clips": n}

    @router.post("/version", response_model=Version)
    def version(st: Station, response: Response, session: DeskSession) -> Version:
        return Version(version=desk(st, session, response, renew=False).version())

    @router.post("/wait", response_model=Version, responses={**JSON_BODY, **answers(429)})
    async def wait(body: WaitRequest, st: Station, request: Request, response: Response, session: DeskSession) -> Version:
        """Long poll: answers as soon as the shift's version differs from ``since``, or after
        ``timeout_s`` with the same one. It waits in the event loop on the shared change feed (no
        worker thread); a station holds at most a few open polls, bench and desk together (429)."""
        await run_in_threadpool(desk, st, session, response, False)
        with cap.hold(st):
            return Version(version=await unless_gone(request.receive, feed.changed_from(body.since, body.timeout_s),
                                                     body.since))

    app.include_router(router)
