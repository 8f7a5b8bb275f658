"""The bench service at the server's door: an enrolled station's scans, views and notices.

The server runs the same workflow the embedded bench runs in-process (one service, two doors), built
per request in the state the station's session blob carries (:mod:`app.server.sessions`); its
answer is signed into the next blob. A scan is idempotent by the bench's scan id: its reply is
stored in the scan's own transaction, and a retry gets it back. HTTP-free: the routes are
:mod:`app.server.api`.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from app.models.schema import ScanReply, StationKey, User
from app.models.schema import Station as StationRow
from app.packing.model import BenchState
from app.packing.outcome import BenchView, Outcome
from app.packing.ports import Services
from app.packing.wire import to_plain
from app.packing.workflow import BenchWorkflow
from app.server import stations
from app.server.sessions import SessionSigner, check_live, live
from app.server.waits import ChangeFeed

REPLY_DAYS = 2  # how long a scan's reply is kept for retries
StationRef = tuple[int, str]  # the calling station's (id, name), as the gate found it for its token

# The calling station (enrolled, not revoked), the reply it was already given for this scan id, and
# the session epochs of the station and of the session's user (revoked sessions: app/server/sessions.py).
_CALLER = (select(StationRow.id, StationRow.name, ScanReply.reply, StationRow.session_epoch,
                  User.session_epoch.label("user_epoch"), User.active.label("user_active"))
           .join(StationKey, StationKey.station_id == StationRow.id)
           .outerjoin(ScanReply, (ScanReply.station_id == StationRow.id) & (ScanReply.scan_id == bindparam("scan_id")))
           .outerjoin(User, User.id == bindparam("user_id"))
           .where(StationKey.token_hash == bindparam("token_hash"), StationKey.revoked_at.is_(None)))
_KEEP_REPLY = insert(ScanReply.__table__)  # Core: the ORM's bulk-insert path costs more than the row


class TokenRefused(LookupError):
    """The token is unknown or revoked (a revocation before the scan began counts): nothing was done."""


class ServerBench:
    """The bench workflow for the stations behind the server; every call is one request's work.

    A reply is ``{"outcome", "view", "session"}`` (the session blob signed for the bench's next call),
    the same shape whether it is sent at once or kept for a scan's retry."""

    def __init__(self, services: Services, signer: SessionSigner, feed: ChangeFeed) -> None:
        self.services, self.signer, self.feed = services, signer, feed

    def forget_old_replies(self) -> None:
        """Drop the scan replies old enough that no bench retries them any more."""
        with self.services.uow() as uow:
            uow.session.execute(delete(ScanReply).where(ScanReply.at < self.services.clock() - timedelta(days=REPLY_DAYS)))

    def workflow(self, st: StationRef, blob: str | None, state: BenchState | None = None,
                 printer: str | None = None) -> BenchWorkflow:
        """The station's workflow in the session's state (``state``: opened and checked already)."""
        flow = BenchWorkflow(self.services, st[1], print_at_bench=True, station_id=st[0], bench_printer=printer)
        if state is None:
            with self.services.read_uow() as uow:
                state = check_live(uow.session, st[0], self.signer.open(st[0], blob))
        flow.state = state
        return flow

    def reply(self, st: StationRef, state: BenchState, outcome: Outcome | None = None,
              view: BenchView | None = None) -> dict[str, Any]:
        return {"outcome": to_plain(outcome) if outcome is not None else None,
                "view": to_plain(view) if view is not None else None, "session": self.signer.sign(st[0], state)}

    # ------------------------------------------------------------------ scans

    def scan(self, token: str, scan_id: str, raw: str, blob: str | None, printer: str | None) -> str:
        """The scan's reply as JSON, encoded once: sent, and kept for a retry (a retry after a lost
        reply gets the first answer, nothing counted twice). Raises :class:`TokenRefused`."""
        try:
            return self._scan(token, scan_id, raw, blob, printer)
        except IntegrityError:  # the same scan id arrived twice at once: the other one won
            first = self._stored(scan_id, token)
            if first is None:
                raise
            return first

    def _scan(self, token: str, scan_id: str, raw: str, blob: str | None, printer: str | None) -> str:
        # One transaction: the token check and the stored reply of a retry in one read, then the scan
        # and its reply (kept for a retry). A token revoked before it began is refused here.
        with self.services.uow() as uow:
            s = uow.session
            caller = s.connection().execute(_CALLER, {"token_hash": stations.digest(token), "scan_id": scan_id,
                                         "user_id": self.signer.user_in(blob)}).first()
            if caller is None:
                raise TokenRefused(token)
            if caller.reply is not None:  # a retry after a lost reply
                return caller.reply
            st = (caller.id, caller.name)
            state = live(self.signer.open(st[0], blob), caller.session_epoch, caller.user_epoch, caller.user_active)
            flow = self.workflow(st, blob, state, printer)
            outcome = flow.handle_in(s, raw)
            text = json.dumps(self.reply(st, flow.state, outcome), ensure_ascii=False, separators=(",", ":"))
            s.connection().execute(_KEEP_REPLY, {"station_id": st[0], "scan_id": scan_id, "reply": text, "at": self.services.clock()})
        return text

    def _stored(self, scan_id: str, token: str) -> str | None:
        with self.services.read_uow() as uow:
            row = uow.session.execute(_CALLER, {"token_hash": stations.digest(token), "scan_id": scan_id,
                                                "user_id": None}).first()
        return row.reply if row is not None else None

    # ------------------------------------------------------------------ the bench's other calls

    def view(self, st: StationRef, blob: str | None) -> dict[str, Any]:
        flow = self.workflow(st, blob)
        current = flow.view()
        return self.reply(st, flow.state, view=current)

    def watch(self, st: StationRef, blob: str | None) -> dict[str, Any]:
        """What changed behind the bench's back (a take-back, an unlink): a notice, or no outcome."""
        flow = self.workflow(st, blob)
        notice = flow.watch()
        return self.reply(st, flow.state, notice)

    async def until_changed(self, flow: BenchWorkflow, timeout_s: float) -> bool:
        """True as soon as ``flow`` (its state as opened) has a notice, False after ``timeout_s`` or
        when the server stops. Woken by the shared change feed: every change of the shift is asked
        "is it ours?" in a worker thread; the waiting holds none."""
        state = flow.state

        def changed() -> bool:
            flow.state = state
            return flow.watch() is not None

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        seen: str | None = None
        while True:
            if await run_in_threadpool(changed):
                return True
            left = deadline - loop.time()
            if left <= 0:
                return False
            seen = await self.feed.changed_from(seen, left)
            if self.feed.closing:
                return False

    def label_failed(self, st: StationRef, blob: str | None, order_id: int, seq: int, reprint: bool,
                     error: str) -> dict[str, Any]:
        """The bench could not print a label (LookupError: no such order)."""
        flow = self.workflow(st, blob)
        outcome = flow.label_failed(order_id, seq, reprint, error)
        return self.reply(st, flow.state, outcome)

    def manifest_printed(self, st: StationRef, blob: str | None, printer: str | None, manifest_id: int, ok: bool,
                         detail: str) -> None:
        """Audit a manifest this bench printed (LookupError: not one of this bench's)."""
        self.workflow(st, blob, printer=printer).manifest_printed(manifest_id, ok, detail)
