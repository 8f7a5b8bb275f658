"""The PackGate server's HTTP routes: thin translations over the bench service the embedded bench
runs in-process (one service, two doors). Pydantic models live here, at the edge; the Outcome
travels as the domain's own plain data (:mod:`app.packing.wire`).

Every route but ``/api/v1/enrol`` and ``/api/v1/health`` needs the station's token
(``Authorization: Bearer ...``): 401 without it or once revoked. Scans are idempotent by the
bench's scan id: the reply is stored in the scan's own transaction, and a retry gets it back.
"""


import json
import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError

from app.errors import DatabaseUnavailable, KnownError
from app.models.schema import ScanReply, StationKey, User
from app.models.schema import Station as StationRow
from app.packing.model import BenchState
from app.packing.outcome import Outcome
from app.packing.ports import Services
from app.packing.wire import to_plain
from app.packing.workflow import BenchWorkflow
from app.server import stations
from app.server.desk_api import add_desk_routes
from app.server.sessions import SessionSigner, check_live, live

log = logging.getLogger(__name__)
API = "/api/v1"
REVOKED = "Unknown or revoked station token: enrol this bench again"
REPLY_DAYS = 2  # how long a scan's reply is kept for retries
WAIT_POLL_S = 0.25  # a long-polling bench hears of a change within this (plus the round trip)


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
    order_id: int
    seq: int = Field(ge=1)
    reprint: bool = False
    error: str = Field(max_length=500)


class PrintedRequest(BaseModel):
    session: str | None = None
    manifest_id: int
    ok: bool
    detail: str = Field(default="", max_length=500)
    printer: str | None = Field(default=None, max_length=500, description="the bench's printer that printed it")


def _token(authorization: str | None) -> str:
    token = (authorization or "").removeprefix("Bearer ").strip()
    if not token:
        raise HTTPException(401, "This bench has no station token: enrol it (packgate enrol)")
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


class BenchReply(BaseModel):
    outcome: dict[str, Any] | None = None
    view: dict[str, Any] | None = None
    session: str


def create_app(services: Services, signer: SessionSigner, evidence_dir: Path | None = None) -> FastAPI:
    app = FastAPI(title="PackGate server", version="1",
                  description="Benches scan through this server; it alone holds the database credentials.")
    with services.uow() as uow:  # replies old enough that no bench retries them any more
        uow.session.execute(delete(ScanReply).where(ScanReply.at < services.clock() - timedelta(days=REPLY_DAYS)))

    def station(authorization: Annotated[str | None, Header()] = None) -> tuple[int, str]:
        token = _token(authorization)
        with services.read_uow() as uow:
            found = stations.station_for_token(uow.session, token)
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

    @app.get(f"{API}/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "server": "packgate"}

    @app.post(f"{API}/enrol", response_model=EnrolReply)
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

    @app.post(f"{API}/scan", response_model=BenchReply)
    def scan(body: ScanRequest, authorization: Annotated[str | None, Header()] = None) -> Response:
        # One transaction: the token check and the stored reply of a retry in one read, then the scan
        # and its reply (kept for a retry). A token revoked before it began is refused here.
        token = _token(authorization)
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

    @app.post(f"{API}/view", response_model=BenchReply)
    def view(body: SessionRequest, st: Station) -> BenchReply:
        flow = bench(st, body.session)
        current = flow.view()
        return BenchReply(view=to_plain(current), session=signer.sign(st[0], flow.state))

    @app.post(f"{API}/watch", response_model=BenchReply)
    def watch(body: SessionRequest, st: Station) -> BenchReply:
        """What changed behind the bench's back (a take-back, an unlink): a notice, or no outcome."""
        flow = bench(st, body.session)
        notice = flow.watch()
        return BenchReply(outcome=to_plain(notice) if notice else None, session=signer.sign(st[0], flow.state))

    @app.post(f"{API}/wait")
    def wait(body: WaitRequest, st: Station) -> dict[str, bool]:
        """Long poll: answers as soon as something changed behind the bench's back (then the bench
        calls /watch), or after ``timeout_s`` with ``changed: false``."""
        flow = bench(st, body.session)
        state = flow.state
        deadline = time.monotonic() + body.timeout_s
        while True:
            flow.state = state
            if flow.watch() is not None:
                return {"changed": True}
            if time.monotonic() >= deadline:
                return {"changed": False}
            time.sleep(WAIT_POLL_S)  # the database has no change feed both SQLite and PostgreSQL share

    @app.post(f"{API}/label-failed", response_model=BenchReply)
    def label_failed(body: LabelFailedRequest, st: Station) -> BenchReply:
        flow = bench(st, body.session)
        try:
            outcome = flow.label_failed(body.order_id, body.seq, body.reprint, body.error)
        except LookupError:
            raise HTTPException(404, f"No order {body.order_id}") from None
        return reply(st, outcome, flow.state)

    @app.post(f"{API}/printed")
    def printed(body: PrintedRequest, st: Station) -> dict[str, bool]:
        flow = bench(st, body.session, printer=body.printer)
        flow.manifest_printed(body.manifest_id, body.ok, body.detail)
        return {"ok": True}

    from app.server.evidence_api import evidence_routes  # clips from the benches (issue 12)

    store = Path(evidence_dir or services.settings.evidence_path())
    app.include_router(evidence_routes(services, station, store))
    add_desk_routes(app, services, signer, Station,  # the supervisor's desk: app/server/desk_api.py
                    clip_roots=(store, Path(services.settings.evidence_path())))
    return app
