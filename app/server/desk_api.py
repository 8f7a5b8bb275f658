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

import base64
import hashlib
import hmac
import json
import shutil
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
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
from app.packing.supervisor import ActionRefused
from app.packing.wire import to_plain
from app.reports.summary import Period
from app.server.sessions import SessionSigner

API = "/api/v1/desk"
SESSION_HEADER = "X-Desk-Session"
NO_SESSION = Message(QT_TRANSLATE_NOOP("Outcome", "No supervisor's desk session (or it expired): log in to the "
                                                   "supervisor view again"))


class Credentials(BaseModel):
    badge: str = Field(min_length=1, max_length=64)
    pin: str = Field(max_length=64)


class LoginReply(BaseModel):
    supervisor: dict[str, Any]
    session: str


class PeriodRequest(BaseModel):
    start: str | None = Field(default=None, description="ISO 8601, aware; none: unbounded")
    end: str | None = None
    auto: bool = Field(default=False, description="a refresh the view made by itself: the idle time goes on")


class OrderRequest(BaseModel):
    order_no: str = Field(min_length=1, max_length=64)


class ActionRequest(BaseModel):
    kind: str = Field(max_length=32)
    badge: str = Field(max_length=64)
    pin: str = Field(max_length=64)
    target: str = Field(max_length=128)
    reason: str = Field(max_length=500)


class RetryRequest(BaseModel):
    job_id: int


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


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_desk(signer: SessionSigner, station_id: int, sup: Supervisor, now: float | None = None) -> str:
    # "desk" marks it: a bench's session blob (signed with the same key) never opens a desk.
    body = json.dumps({"desk": station_id, "user": sup.user_id, "name": sup.name, "ep": sup.epoch,
                       "exp": int((now or time.time()) + signer.idle_seconds)}, separators=(",", ":")).encode()
    return _b64(body) + "." + _b64(hmac.new(signer.key, body, hashlib.sha256).digest())


def open_desk(signer: SessionSigner, station_id: int, blob: str | None, now: float | None = None) -> Supervisor | None:
    """The supervisor inside ``blob``; None when missing, forged, for another station or expired."""
    if not blob:
        return None
    try:
        body_text, mac_text = blob.split(".", 1)
        body, mac = _unb64(body_text), _unb64(mac_text)
        if not hmac.compare_digest(mac, hmac.new(signer.key, body, hashlib.sha256).digest()):
            return None
        data = json.loads(body)
    except ValueError:
        return None
    if data.get("desk") != station_id or data.get("exp", 0) < (now or time.time()):
        return None
    return Supervisor(int(data["user"]), str(data["name"]), int(data.get("ep", -1)))


def _period(body: PeriodRequest) -> Period:
    from datetime import datetime

    try:
        return Period(datetime.fromisoformat(body.start) if body.start else None,
                      datetime.fromisoformat(body.end) if body.end else None)
    except ValueError as exc:
        raise HTTPException(422, f"Bad period: {exc}") from None


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
                    clip_roots: tuple[Path, ...] = ()) -> None:
    """Include the desk's routes; ``station_dependency`` is the station-token dependency (401).

    Clip files are served only from ``clip_roots`` (the evidence store, the server PC's evidence
    folder): a row naming any other file is refused, whatever it says."""
    roots = tuple(Path(r).resolve() for r in clip_roots)
    router = APIRouter(prefix=API, tags=["supervisor desk"])
    Station = station_dependency
    DeskSession = Annotated[str | None, Header(alias=SESSION_HEADER)]

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

    @router.post("/login", response_model=LoginReply)
    def login(body: Credentials, st: Station) -> LoginReply:
        """A supervisor's badge and PIN (audited; wrong PINs count towards the lockout)."""
        return start(st, body, "login")

    @router.post("/settings-unlock", response_model=LoginReply)
    def settings_unlock(body: Credentials, st: Station) -> LoginReply:
        return start(st, body, "unlock_settings")

    @router.post("/settings-audit")
    def settings_audit(body: SettingsAudit, st: Station, response: Response, session: DeskSession = None) -> dict:
        call(desk(st, session, response).audit_settings, body.what, body.message)
        return {"ok": True}

    @router.post("/site-settings")
    def site_settings(st: Station, response: Response, session: DeskSession = None) -> dict[str, Any]:
        """The site's settings that decide a scan (tolerance, video required, platform trigger)."""
        return {"settings": call(desk(st, session, response).site_settings)}

    @router.post("/site-settings/set")
    def set_site_setting(body: SiteSettingChange, st: Station, response: Response,
                         session: DeskSession = None) -> dict[str, Any]:
        """One site setting, by the supervisor who unlocked the settings (audited, old and new value)."""
        return {"change": call(desk(st, session, response).change_site_setting, body.key, body.value)}

    @router.post("/figures")
    def figures(body: PeriodRequest, st: Station, response: Response, session: DeskSession = None) -> dict[str, Any]:
        return call(desk(st, session, response, renew=not body.auto).figures, _period(body))

    @router.post("/order")
    def order(body: OrderRequest, st: Station, response: Response, session: DeskSession = None) -> dict[str, Any]:
        return {"details": call(desk(st, session, response).order_details, body.order_no)}

    @router.post("/action")
    def action(body: ActionRequest, st: Station, response: Response, session: DeskSession = None) -> dict[str, Any]:
        """A supervisor action: the PIN at this moment and a reason, as in-process."""
        local = desk(st, session, response)
        try:
            done = call(local.run_action, body.kind, body.badge, body.pin, body.target, body.reason)
        except ValueError as exc:  # an unknown kind
            raise HTTPException(422, str(exc)) from None
        return to_plain(done)

    @router.post("/platform-retry")
    def platform_retry(body: RetryRequest, st: Station, response: Response, session: DeskSession = None) -> dict:
        return {"ok": call(desk(st, session, response).retry_platform_job, body.job_id)}

    @router.post("/shipments")
    def shipments(body: PeriodRequest, st: Station, response: Response, session: DeskSession = None) -> dict:
        return {"rows": to_plain(call(desk(st, session, response).shipments, _period(body)))}

    @router.post("/import")
    async def import_file(request: Request, st: Station, response: Response, kind: str, name: str,
                          profile: str = "", session: DeskSession = None) -> dict:
        """The file's bytes as the body; the server runs the same importer and answers its report."""
        if kind not in IMPORT_KINDS:
            raise HTTPException(422, f"kind is one of {', '.join(IMPORT_KINDS)}")
        local = await run_in_threadpool(desk, st, session, response)
        if int(request.headers.get("content-length") or 0) > DEFAULT_MAX_BYTES:
            raise HTTPException(413, f"The file is over {DEFAULT_MAX_BYTES // 2**20} MB: split it")
        data = await request.body()
        folder = Path(tempfile.mkdtemp(prefix="packgate-import-"))
        try:
            path = folder / (Path(name).name or "upload.csv")
            path.write_bytes(data)
            report = await run_in_threadpool(call, local.import_file, kind, path, profile)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return {"kind": kind, "report": to_plain(report)}

    @router.post("/clips")
    def clips(body: TextRequest, st: Station, response: Response, session: DeskSession = None) -> dict:
        return {"clips": call(desk(st, session, response).find_clips, body.text)}

    @router.get("/clips/{clip_id}/file", response_class=FileResponse,
                responses={409: {"description": "the clip is still at its bench: not uploaded yet"}})
    def clip_file(clip_id: int, st: Station, response: Response, session: DeskSession = None) -> FileResponse:
        """The clip's file (Range requests: seek without downloading it all) once it is on the server."""
        path = call(desk(st, session, response).clip_file, clip_id)
        real = Path(path).resolve()
        if path.suffix.lower() != ".mp4" or not any(real.is_relative_to(r) for r in roots):
            # only clips in the evidence folders: never whatever else a row might name
            raise refusal(ClipNotHere(Message(QT_TRANSLATE_NOOP("Outcome", "Clip {id} is not a video file in the server's evidence folders"),
                                              {"id": clip_id})))
        return FileResponse(path, media_type="video/mp4", filename=path.name,
                            headers={SESSION_HEADER: response.headers[SESSION_HEADER]})

    @router.post("/evidence", response_class=FileResponse)
    def evidence(body: TextRequest, st: Station, response: Response, session: DeskSession = None) -> FileResponse:
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
                                                      "clips": [Path(p).name for p in result["clips"]]}))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return FileResponse(archive, media_type="application/zip", filename=f"evidence-{result['order_no']}.zip",
                            headers={SESSION_HEADER: response.headers[SESSION_HEADER]},
                            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))

    @router.post("/flag")
    def flag(body: FlagRequest, st: Station, response: Response, session: DeskSession = None) -> dict:
        """Keep (or stop keeping) an order's clips for a dispute: the PIN at this moment and a reason."""
        n = call(desk(st, session, response).flag_clips, body.text, body.badge, body.pin, body.reason, body.flagged)
        return {"clips": n}

    @router.post("/version")
    def version(st: Station, response: Response, session: DeskSession = None) -> dict:
        return {"version": desk(st, session, response, renew=False).version()}

    @router.post("/wait")
    def wait(body: WaitRequest, st: Station, response: Response, session: DeskSession = None) -> dict:
        """Long poll: answers as soon as the shift's version differs from ``since``, or after
        ``timeout_s`` with the same one."""
        return {"version": desk(st, session, response, renew=False).wait_for_change(body.since, body.timeout_s)}

    app.include_router(router)
