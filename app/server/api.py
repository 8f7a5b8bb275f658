"""The PackGate server's HTTP routes: thin translations over the bench service the embedded bench
runs in-process (one service, two doors). Pydantic models live here, at the edge; the Outcome
travels as the domain's own plain data (:mod:`app.packing.wire`).

Every route but ``/api/v1/enrol`` and ``/api/v1/health`` needs the station's token
(``Authorization: Bearer ...``): 401 without it or once revoked, checked by the gate
(:mod:`app.server.gate`) before a byte of the body is read; bodies have a limit per route (413).
The long poll ``/api/v1/wait`` holds no worker thread (:mod:`app.server.waits`) and a station has
at most a few open (429). Error bodies have one shape each (:mod:`app.server.problems`). Scans are
idempotent by the bench's scan id: the reply is stored in the scan's own transaction, and a retry
gets it back.
"""


import asyncio
import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from app.desk.local import LocalDesk
from app.errors import DatabaseUnavailable, KnownError
from app.models.schema import ScanReply, StationKey, User
from app.models.schema import Station as StationRow
from app.packing.model import BenchState
from app.packing.outcome import Outcome
from app.packing.ports import Services
from app.packing.wire import to_plain
from app.packing.workflow import BenchWorkflow
from app.server import stations
from app.server.desk_api import DESK_LIMITS, RowId, add_desk_routes
from app.server.evidence_api import EVIDENCE_LIMITS
from app.server.gate import Gate
from app.server.problems import answers, install
from app.server.sessions import SessionSigner, check_live, live
from app.server.waits import ChangeFeed, PollCap, unless_gone

log = logging.getLogger(__name__)
API = "/api/v1"
REVOKED = "Unknown or revoked station token: enrol this bench again"
NO_TOKEN = "This bench has no station token: enrol it (packgate enrol)"
REPLY_DAYS = 2  # how long a scan's reply is kept for retries
bearer = HTTPBearer(auto_error=False, scheme_name="stationToken",
                    description="The station's token from enrolment (`packgate enrol`)")


class EnrolRequest(BaseModel):
    station: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=64)


class EnrolReply(BaseModel):
    station: str
    token: str


class ScanRequest(BaseModel):
    scan_id: str = Field(min_length=8, max_length=64, description="the bench's id of this scan; a retry repeats it")
    raw: str = Field(max_length=4096, description="exactly what the scanner typed")
    session: str | None = Field(default=None, description="the session blob of the previous reply")
    printer: str | None = Field(default=None, max_length=500,
                                description="the printer this bench prints its labels on (named in the audit trail)")


class SessionRequest(BaseModel):
    session: str | None = None


class WaitRequest(BaseModel):
    session: str | None = None
    timeout_s: float = Field(default=25, ge=0, le=60)


class LabelFailedRequest(BaseModel):
    session: str | None = None
    order_id: RowId
    seq: int = Field(ge=1, le=999)
    reprint: bool = False
    error: str = Field(max_length=500)


class PrintedRequest(BaseModel):
    session: str | None = None
    manifest_id: RowId
    ok: bool
    detail: str = Field(default="", max_length=500)
    printer: str | None = Field(default=None, max_length=500, description="the bench's printer that printed it")


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    token = credentials.credentials.strip() if credentials is not None else ""
    if not token:
        raise HTTPException(401, NO_TOKEN)
    return token


def _json(text: str) -> Response:
    return Response(text.encode(), media_type="application/json")


# The calling station (enrolled, not revoked), the reply it was already given for this scan id, and
# the session epochs of the station and of the session's user (revoked sessions: app/server/sessions.py).
_CALLER = (select(StationRow.id, StationRow.name, ScanReply.reply, StationRow.session_epoch,
                  User.session_epoch.label("user_epoch"), User.active.label("user_active"))
           .join(StationKey, StationKey.station_id == StationRow.id)
           .outerjoin(ScanReply, (ScanReply.station_id == StationRow.id) & (ScanReply.scan_id == bindparam("scan_id")))
           .outerjoin(User, User.id == bindparam("user_id"))
           .where(StationKey.token_hash == bindparam("token_hash"), StationKey.revoked_at.is_(None)))
_KEEP_REPLY = insert(ScanReply)


class Changed(BaseModel):
    changed: bool


class Done(BaseModel):
    ok: bool


class BenchReply(BaseModel):
    outcome: dict[str, Any] | None = None
    view: dict[str, Any] | None = None
    session: str


def create_app(services: Services, signer: SessionSigner, evidence_dir: Path | None = None) -> FastAPI:
    app = FastAPI(title="PackGate server", version="1",
                  description="Benches scan through this server; it alone holds the database credentials.")
    with services.uow() as uow:  # replies old enough that no bench retries them any more
        uow.session.execute(delete(ScanReply).where(ScanReply.at < services.clock() - timedelta(days=REPLY_DAYS)))

    def station_for_token(token: str) -> tuple[int, str] | None:
        with services.read_uow() as uow:
            return stations.station_for_token(uow.session, token)

    async def station(request: Request,
                      credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> tuple[int, str]:
        found = request.scope.get("state", {}).get("station")  # the gate checked the token already
        if found is None:
            found = await run_in_threadpool(station_for_token, _token(credentials))
        if found is None:
            raise HTTPException(401, REVOKED)
        return found

    Station = Annotated[tuple[int, str], Depends(station)]

    def bench(st: tuple[int, str], blob: str | None, state: BenchState | None = None,
              printer: str | None = None) -> BenchWorkflow:
        """The station's workflow in the session's state (``state``: opened and checked already)."""
        flow = BenchWorkflow(services, st[1], print_at_bench=True, station_id=st[0], bench_printer=printer)
        if state is None:
            with services.read_uow() as uow:
                state = check_live(uow.session, st[0], signer.open(st[0], blob))
        flow.state = state
        return flow

    def reply(st: tuple[int, str], outcome: Outcome, state: BenchState) -> BenchReply:
        return BenchReply(outcome=to_plain(outcome), session=signer.sign(st[0], state))

    def reply_json(st: tuple[int, str], outcome: Outcome, state: BenchState) -> str:
        """A scan's reply as BenchReply's JSON, encoded once: sent, and kept for a retry."""
        return json.dumps({"outcome": to_plain(outcome), "view": None, "session": signer.sign(st[0], state)},
                          ensure_ascii=False, separators=(",", ":"))

    feed = ChangeFeed(LocalDesk(services, None).version)  # one version read per tick for every long poll
    cap = PollCap()
    app.state.waits = (feed, cap)

    @app.get(f"{API}/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "server": "packgate"}

    @app.post(f"{API}/enrol", response_model=EnrolReply, responses=answers(400, 403, 413, 422))
    def enrol(body: EnrolRequest) -> EnrolReply:
        try:
            token = stations.enrol(services, body.station, body.code)
        except KnownError as exc:
            raise HTTPException(403, exc.message) from None
        return EnrolReply(station=body.station.strip(), token=token)

    def stored(scan_id: str, token: str) -> Response | None:
        with services.read_uow() as uow:
            row = uow.session.execute(_CALLER, {"token_hash": stations.digest(token), "scan_id": scan_id,
                                                "user_id": None}).first()
        return _json(row.reply) if row is not None and row.reply is not None else None

    @app.post(f"{API}/scan", response_model=BenchReply, responses=answers(400, 401, 413, 422, 503))
    def scan(body: ScanRequest, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Response:
        # One transaction: the token check and the stored reply of a retry in one read, then the scan
        # and its reply (kept for a retry). A token revoked before it began is refused here.
        token = _token(credentials)
        try:
            with services.uow() as uow:
                s = uow.session
                caller = s.execute(_CALLER, {"token_hash": stations.digest(token), "scan_id": body.scan_id,
                                             "user_id": signer.user_in(body.session)}).first()
                if caller is None:
                    raise HTTPException(401, REVOKED)
                if caller.reply is not None:  # a retry after a lost reply: the first answer, nothing counted twice
                    return _json(caller.reply)
                st = (caller.id, caller.name)
                state = live(signer.open(st[0], body.session), caller.session_epoch, caller.user_epoch,
                             caller.user_active)
                flow = bench(st, body.session, state, body.printer)
                outcome = flow.handle_in(s, body.raw)
                text = reply_json(st, outcome, flow.state)
                s.execute(_KEEP_REPLY, {"station_id": st[0], "scan_id": body.scan_id, "reply": text,
                                        "at": services.clock()})
        except IntegrityError:  # the same scan id arrived twice at once: the other one won
            first = stored(body.scan_id, token)
            if first is None:
                raise
            return first
        except DatabaseUnavailable:  # nothing was saved: the bench says so and keeps its view
            raise HTTPException(503, "The server's database is unreachable: nothing was saved") from None
        return _json(text)

    @app.post(f"{API}/view", response_model=BenchReply, responses=answers(400, 401, 413, 422))
    def view(body: SessionRequest, st: Station) -> BenchReply:
        flow = bench(st, body.session)
        current = flow.view()
        return BenchReply(view=to_plain(current), session=signer.sign(st[0], flow.state))

    @app.post(f"{API}/watch", response_model=BenchReply, responses=answers(400, 401, 413, 422))
    def watch(body: SessionRequest, st: Station) -> BenchReply:
        """What changed behind the bench's back (a take-back, an unlink): a notice, or no outcome."""
        flow = bench(st, body.session)
        notice = flow.watch()
        return BenchReply(outcome=to_plain(notice) if notice else None, session=signer.sign(st[0], flow.state))

    @app.post(f"{API}/wait", response_model=Changed, responses=answers(400, 401, 413, 422, 429))
    async def wait(body: WaitRequest, st: Station, request: Request) -> Changed:
        """Long poll: answers as soon as something changed behind the bench's back (then the bench
        calls /watch), or after ``timeout_s`` with ``changed: false``. It waits in the event loop,
        woken by the shared change feed; a station holds at most a few open (429)."""
        flow = await run_in_threadpool(bench, st, body.session)  # its session check reads the database
        state = flow.state

        def changed() -> bool:
            flow.state = state
            return flow.watch() is not None

        async def until_changed() -> bool:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + body.timeout_s
            seen: str | None = None
            while True:
                if await run_in_threadpool(changed):
                    return True
                left = deadline - loop.time()
                if left <= 0:
                    return False
                seen = await feed.changed_from(seen, left)  # every change of the shift: is it ours?
                if feed.closing:
                    return False

        with cap.hold(st):
            return Changed(changed=await unless_gone(request.receive, until_changed(), False))

    @app.post(f"{API}/label-failed", response_model=BenchReply, responses=answers(400, 401, 404, 413, 422))
    def label_failed(body: LabelFailedRequest, st: Station) -> BenchReply:
        flow = bench(st, body.session)
        try:
            outcome = flow.label_failed(body.order_id, body.seq, body.reprint, body.error)
        except LookupError:
            raise HTTPException(404, f"No order {body.order_id}") from None
        return reply(st, outcome, flow.state)

    @app.post(f"{API}/printed", response_model=Done, responses=answers(400, 401, 404, 413, 422))
    def printed(body: PrintedRequest, st: Station) -> Done:
        """Audit a manifest this bench printed (one of its own: another station's is 404)."""
        flow = bench(st, body.session, printer=body.printer)
        try:
            flow.manifest_printed(body.manifest_id, body.ok, body.detail)
        except LookupError:
            raise HTTPException(404, f"No manifest {body.manifest_id} of this bench") from None
        return Done(ok=True)

    from app.server.evidence_api import evidence_routes  # clips from the benches (issue 12)

    store = Path(evidence_dir or services.settings.evidence_path())
    app.include_router(evidence_routes(services, station, store))
    add_desk_routes(app, services, signer, Station,  # the supervisor's desk: app/server/desk_api.py
                    clip_roots=(store, Path(services.settings.evidence_path())), waits=(feed, cap))
    install(app)
    app.add_middleware(Gate, routes=lambda: {path: set(item) for path, item in app.openapi()["paths"].items()}, limits={**EVIDENCE_LIMITS, **DESK_LIMITS},
                       open_paths=frozenset({f"{API}/health", f"{API}/enrol"}),
                       station_for_token=station_for_token, no_token=NO_TOKEN, revoked=REVOKED)
    _declare_security(app)
    return app


def _declare_security(app: FastAPI) -> None:
    """The document names both credentials: the station token on every call that checks it (a
    route's own dependency says so), the desk session on the desk's calls after login."""
    make = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = make()
            for path, item in schema.get("paths", {}).items():
                for op in item.values():
                    if not isinstance(op, dict) or not path.startswith(API) or path in (f"{API}/health", f"{API}/enrol"):
                        continue
                    both: dict[str, list] = {"stationToken": []}  # the gate asks every call here for it
                    for requirement in op.get("security", []):
                        both.update(requirement)  # FastAPI lists them as alternatives; all are needed
                    op["security"] = [both]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
