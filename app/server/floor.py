"""The floor in a browser (issue 24): the page at ``/floor/`` and its JSON routes under ``/floor/api``.

A module-level router of thin routes over the same desk the supervisor window uses
(:class:`app.desk.local.LocalDesk`): the figures are ``summary --json``'s, from the same functions.

The browser is one more station of the desk, ``FLOOR-WEB`` (a station row without a token: no bench
can enrol as it): a login is the desk's (:func:`app.packing.auth.authorize_supervisor`, audited, the
per-station and per-user PIN limits), and the session is the desk's (:func:`sign_desk`, the idle
expiry, ended by a new PIN or a lockout), carried in a cookie that is ``HttpOnly``,
``SameSite=Strict`` and ``Secure`` on HTTPS. Every ``/floor/api`` route but ``login`` needs it (403).
The figures are pushed by Server-Sent Events woken by the server's one change feed
(:mod:`app.server.waits`): no polling by the page. A push does not renew the session (a page left
open ends at the idle time, like the window's view); what the supervisor does renews it.

Every page answer carries a Content-Security-Policy that allows only the page's own files (no
inline script, no other origin) and ``Referrer-Policy: no-referrer`` (a share link never leaks in a
Referer). The page renders shop data with ``textContent`` only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi import Path as UrlPart
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from app.desk.local import LocalDesk
from app.errors import KnownError
from app.evidence import shares
from app.models.schema import Order, Parcel, Station, User
from app.packing.auth import NotAuthorized, Supervisor, authorize_supervisor
from app.packing.wire import to_plain
from app.reports.summary import Period
from app.server.deps import Ctx, ServerContext
from app.server.sessions import current_supervisor, sign_desk

FLOOR_STATION = "FLOOR-WEB"
COOKIE = "packgate_floor"
API = "/floor/api"
STREAMS = 64  # open pushes at most (a few supervisors' phones and PCs): more is 429
KEEPALIVE_S = 15.0  # a comment line this often keeps proxies and the browser from closing a quiet stream
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
PAGE_FILES = {"index.html": "text/html; charset=utf-8", "floor.js": "text/javascript; charset=utf-8",
              "floor.css": "text/css; charset=utf-8", "share.html": "text/html; charset=utf-8",
              "share.js": "text/javascript; charset=utf-8", "i18n.js": "text/javascript; charset=utf-8"}
NO_SESSION = "No supervisor's session (or it ended): log in again"


def page_folder() -> Path:
    """The page's files. A checkout's own ``resources/floor`` first (a worktree run from its folder
    reads its own files even when the installed ``app.resources`` points at another checkout), else
    the installed package's."""
    here = Path(__file__).resolve().parents[2] / "resources" / "floor"
    if here.is_dir():
        return here
    from app.config import resource_file

    return resource_file("floor")


def page_file(name: str) -> FileResponse:
    return FileResponse(page_folder() / name, media_type=PAGE_FILES[name], headers={"Cache-Control": "no-cache"})


class Credentials(BaseModel):
    badge: str = Field(min_length=1, max_length=64)
    pin: str = Field(max_length=64)


class ShareRequest(BaseModel):
    text: str = Field(min_length=1, max_length=128, description="an order number or a waybill")
    pin: str = Field(max_length=64, description="the supervisor's PIN at this moment")
    reason: str = Field(max_length=500)
    days: int | None = Field(default=None, ge=1, le=shares.MAX_DAYS)
    from_s: float | None = Field(default=None, ge=0, le=86400)
    to_s: float | None = Field(default=None, ge=0, le=86400)


class UnshareRequest(BaseModel):
    link: str = Field(min_length=1, max_length=1000)
    pin: str = Field(max_length=64)


router = APIRouter(include_in_schema=False)


# ------------------------------------------------------------------ the session


def floor_station(ctx: ServerContext, request: Request) -> int:
    """The browser's station row (made once; it has no token, so no bench can call as it); its id is
    kept on the app after the first read."""
    known = getattr(request.app.state, "floor_station", None)
    if known is not None:
        return known
    with ctx.services.read_uow() as uow:
        found = uow.session.scalar(select(Station.id).where(Station.name == FLOOR_STATION))
    if found is None:
        from sqlalchemy.exc import IntegrityError

        try:
            with ctx.services.uow() as uow:
                uow.session.add(Station(name=FLOOR_STATION, created_at=ctx.services.clock()))
        except IntegrityError:  # another server process made it at the same moment
            pass
        with ctx.services.read_uow() as uow:
            found = uow.session.scalar(select(Station.id).where(Station.name == FLOOR_STATION))
    assert found is not None
    request.app.state.floor_station = found
    return found


def set_session(response: Response, request: Request, blob: str | None, idle_s: int) -> None:
    if blob is None:
        response.delete_cookie(COOKIE, path="/floor", httponly=True, samesite="strict",
                               secure=request.url.scheme == "https")
        return
    response.set_cookie(COOKIE, blob, max_age=idle_s, path="/floor", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def supervisor_of(ctx: ServerContext, request: Request) -> Supervisor | None:
    return current_supervisor(ctx.services, ctx.signer, floor_station(ctx, request), request.cookies.get(COOKIE))


def signed_in(ctx: ServerContext, request: Request, response: Response, renew: bool = True) -> Supervisor:
    """The session's supervisor (403 without one); ``renew``: the idle time starts again."""
    sup = supervisor_of(ctx, request)
    if sup is None:
        raise HTTPException(403, {"kind": "no_session", "text": NO_SESSION})
    if renew:
        set_session(response, request, sign_desk(ctx.signer, floor_station(ctx, request), sup), ctx.signer.idle_seconds)
    return sup


def desk(ctx: ServerContext, sup: Supervisor) -> LocalDesk:
    return LocalDesk(ctx.services, FLOOR_STATION, supervisor=sup, serving=True, clip_roots=ctx.clip_roots)


def refused(exc: Exception) -> HTTPException:
    if isinstance(exc, NotAuthorized):
        return HTTPException(403, {"kind": "not_authorized", "text": str(exc), "message": to_plain(exc.message)})
    if isinstance(exc, KnownError):
        return HTTPException(409, {"kind": "refused", "text": exc.message})
    raise exc


def period_of(ctx: ServerContext, name: str) -> Period:
    return Period() if name == "all" else Period.named(name, ctx.services.clock())


# ------------------------------------------------------------------ the page's files


@router.get("/floor")
def floor_root() -> RedirectResponse:
    return RedirectResponse("/floor/", status_code=308)


@router.get("/floor/")
def floor_page() -> FileResponse:
    return page_file("index.html")


@router.get("/floor/{name}")
def floor_file(name: str) -> FileResponse:
    if name not in PAGE_FILES or name.endswith(".html"):
        raise HTTPException(404, "No such file")
    return page_file(name)


# ------------------------------------------------------------------ JSON


@router.post(f"{API}/login")
def login(body: Credentials, request: Request, response: Response, ctx: Ctx) -> dict[str, Any]:
    """Badge and PIN, exactly as at the desk: audited at FLOOR-WEB, the PIN limits counted there."""
    floor_station(ctx, request)
    try:
        sup = LocalDesk(ctx.services, FLOOR_STATION, serving=True).login(body.badge, body.pin)
    except NotAuthorized as exc:
        raise refused(exc) from None
    set_session(response, request, sign_desk(ctx.signer, floor_station(ctx, request), sup), ctx.signer.idle_seconds)
    return {"supervisor": {"name": sup.name}, "idle_seconds": ctx.signer.idle_seconds}


@router.post(f"{API}/logout")
def logout(request: Request, response: Response) -> dict[str, bool]:
    set_session(response, request, None, 0)
    return {"ok": True}


@router.get(f"{API}/me")
def me(request: Request, response: Response, ctx: Ctx) -> dict[str, Any]:
    sup = signed_in(ctx, request, response, renew=False)
    return {"supervisor": {"name": sup.name}, "idle_seconds": ctx.signer.idle_seconds}


PeriodName = Annotated[Literal["today", "yesterday", "week", "all"], Query()]


@router.get(f"{API}/figures")
def figures(request: Request, response: Response, ctx: Ctx, period: PeriodName = "today") -> dict[str, Any]:
    sup = signed_in(ctx, request, response)
    return desk(ctx, sup).figures(period_of(ctx, period))


@router.get(f"{API}/events")
async def events(request: Request, ctx: Ctx, period: PeriodName = "today") -> StreamingResponse:
    """The figures now, then again each time the shift's version moves on (a scan at any bench), as
    Server-Sent Events; ``ended`` once the session is over (the page asks ``/me`` and logs in again)."""
    sup = await run_in_threadpool(supervisor_of, ctx, request)
    if sup is None:
        raise HTTPException(403, {"kind": "no_session", "text": NO_SESSION})
    if getattr(request.app.state, "floor_streams", 0) >= STREAMS:
        raise HTTPException(429, f"{STREAMS} pages are following the floor already: close one",
                            headers={"Retry-After": "5"})
    return StreamingResponse(_push(ctx, request, sup, period), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _push(ctx: ServerContext, request: Request, sup: Supervisor, period: str):
    state = request.app.state
    state.floor_streams = getattr(state, "floor_streams", 0) + 1  # the event loop's thread only: no lock
    try:
        async for event in _events(ctx, request, sup, period):
            yield event
    finally:
        state.floor_streams -= 1


async def _events(ctx: ServerContext, request: Request, sup: Supervisor, period: str):
    local = desk(ctx, sup)
    yield "retry: 1000\n\n"
    while not ctx.feed.closing:
        if await run_in_threadpool(supervisor_of, ctx, request) is None:
            yield "event: ended\ndata: {}\n\n"
            return
        figures = await run_in_threadpool(local.figures, period_of(ctx, period))
        yield f"event: figures\ndata: {json.dumps(jsonable_encoder(figures), ensure_ascii=False)}\n\n"
        since = figures["version"]
        while not ctx.feed.closing:
            now = await ctx.feed.changed_from(since, KEEPALIVE_S)
            if now != since:
                break
            yield ": still here\n\n"
            if await run_in_threadpool(supervisor_of, ctx, request) is None:
                yield "event: ended\ndata: {}\n\n"
                return


@router.get(f"{API}/order")
def order(request: Request, response: Response, ctx: Ctx,
          no: Annotated[str, Query(min_length=1, max_length=64)]) -> dict[str, Any]:
    """An order's details and timeline (every scan: bench, packer, time), platform state and ship-by."""
    sup = signed_in(ctx, request, response)
    local = desk(ctx, sup)
    details = local.order_details(no.strip()) or local.order_details(_order_of_waybill(ctx, no.strip()))
    if details is None:
        raise HTTPException(404, {"kind": "refused", "text": f"No order {no.strip()}"})
    return {"details": details}


CLIP_KEYS = ("id", "order_no", "waybills", "station", "packer", "started_at", "ended_at", "duration_s", "sha256",
             "state", "marks", "flagged", "uploaded_at")


@router.get(f"{API}/clips")
def clips(request: Request, response: Response, ctx: Ctx,
          q: Annotated[str, Query(min_length=1, max_length=128)]) -> dict[str, Any]:
    """The clips of an order number or a waybill (no file paths leave the server)."""
    sup = signed_in(ctx, request, response)
    local = desk(ctx, sup)
    found = local.find_clips(q)
    return {"clips": [{**{k: c[k] for k in CLIP_KEYS}, "here": local.local_clip(c) is not None} for c in found]}


@router.get(f"{API}/clips/{{clip_id}}/file")
def clip_file(clip_id: Annotated[int, UrlPart(ge=1, le=2**31 - 1)], request: Request, response: Response,
              ctx: Ctx, download: bool = False) -> FileResponse:
    """The stored MP4 (Range requests: the player seeks without downloading it all)."""
    sup = signed_in(ctx, request, response, renew=False)  # a player's range requests are not the supervisor's doing
    try:
        path = desk(ctx, sup).clip_file(clip_id)
    except KnownError as exc:
        raise refused(exc) from None
    return FileResponse(path, media_type="video/mp4", filename=path.name if download else None,
                        content_disposition_type="attachment" if download else "inline")


@router.post(f"{API}/share")
def share(body: ShareRequest, request: Request, response: Response, ctx: Ctx) -> dict[str, Any]:
    """A share link of one order's evidence: the supervisor's PIN at this moment and a reason."""
    sup = signed_in(ctx, request, response)
    days = body.days or ctx.services.settings.share_days
    try:
        shares.check_request(body.reason, days, body.from_s, body.to_s)  # before the PIN: no attempt spent
        badge = _badge(ctx, sup)
        by = authorize_supervisor(ctx.services, badge, body.pin, action=f"evidence share {body.text.strip()}",
                                  station=FLOOR_STATION)
        made = shares.make_share(ctx.services, body.text, by, body.reason, days=days, from_s=body.from_s,
                                 to_s=body.to_s, station=FLOOR_STATION)
    except (NotAuthorized, KnownError) as exc:
        raise refused(exc) from None
    base = ctx.services.settings.share_base_url or str(request.base_url)  # else the address the supervisor used
    return {"link": made.link(base), "order_no": made.order_no,
            "expires_at": made.expires_at.isoformat(timespec="seconds")}


@router.post(f"{API}/unshare")
def unshare(body: UnshareRequest, request: Request, response: Response, ctx: Ctx) -> dict[str, Any]:
    sup = signed_in(ctx, request, response)
    try:
        by = authorize_supervisor(ctx.services, _badge(ctx, sup), body.pin, action="evidence unshare",
                                  station=FLOOR_STATION)
        order_no = shares.revoke_share(ctx.services, body.link, by, station=FLOOR_STATION)
    except (NotAuthorized, KnownError) as exc:
        raise refused(exc) from None
    return {"order_no": order_no}


def _order_of_waybill(ctx: ServerContext, waybill: str) -> str:
    """The order number a waybill (the order's, or one of its parcels') belongs to; "" when none."""
    with ctx.services.read_uow() as uow:
        s = uow.session
        found = s.scalar(select(Order.order_no).where(Order.waybill == waybill)) or s.scalar(
            select(Order.order_no).join(Parcel, Parcel.order_id == Order.id).where(Parcel.waybill == waybill))
    return found or ""


def _badge(ctx: ServerContext, sup: Supervisor) -> str:
    with ctx.services.read_uow() as uow:
        return uow.session.scalar(select(User.badge).where(User.id == sup.user_id)) or ""
