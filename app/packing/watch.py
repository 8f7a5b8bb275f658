"""What changed behind a bench's back since its last scan: a supervisor took its open order away,
sent a packed order back to it (a waybill unlinked), or reopened its manifest.

Read-only. The window asks every second (:meth:`ChangeWatch.look`), its listener thread blocks in
:meth:`ChangeWatch.wait` until there is something to look at, the server's clients through a long
poll.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy.orm import Session

from app.errors import DatabaseUnavailable
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.uow import UnitOfWork
from app.packing import repository as repo
from app.packing.model import BenchState, OrderSnap
from app.packing.outcome import BenchView, Level, Outcome

T = QT_TRANSLATE_NOOP
WAIT_POLL_S = 0.25  # wait_for_change: one look at the shift's version (two indexed max()) this often


class ChangeWatch:
    """The change watch of one bench. ``state`` reads the bench's current state (the scan worker
    replaces it, never changes it); ``station_id`` registers the bench's station on first use;
    ``view`` builds the view of a state in a session."""

    def __init__(self, read_uow: Callable[[], UnitOfWork], state: Callable[[], BenchState],
                 station_id: Callable[[Session], int],
                 view: Callable[[Session, BenchState, OrderSnap | None], BenchView]) -> None:
        self._read_uow = read_uow
        self._state = state
        self._station_id = station_id
        self._view = view
        # wait: the shift's version and the state last found quiet; set once the window closes
        self._looked: tuple[str, BenchState] | None = None
        self._closed = threading.Event()

    def look(self) -> tuple[Outcome, BenchState] | None:
        """The notice of what changed and the bench's state since (None: nothing, or unreachable)."""
        st = self._state()
        if st.user_id is None:
            return None
        try:
            with self._read_uow() as uow:
                s = uow.session
                station_id = self._station_id(s)
                notice, state = changed(s, st, station_id)
                if notice is None:
                    return None
                view = self._view(s, state, None)
        except DatabaseUnavailable:
            return None
        return Outcome(False, Level.WARNING, notice, "notice", view), state

    def wait(self, timeout_s: float = 25) -> bool:
        """Block until something changed behind this bench's back (then :meth:`look` says what), or
        ``timeout_s`` passed; False also when the database is unreachable or the watch was closed.

        For the window's listener thread: it writes nothing and never touches the scan's state. It
        reads the shift's version (every scan, action and import writes an event) a few times a
        second, and looks at what the bench holds only when the version or the bench's state moved."""
        deadline = time.monotonic() + timeout_s
        while not self._closed.wait(max(min(WAIT_POLL_S, deadline - time.monotonic()), 0)):
            try:
                if self._notice_waiting():
                    return True
            except DatabaseUnavailable:
                return False
            if time.monotonic() >= deadline:
                return False
        return False

    def _notice_waiting(self) -> bool:
        st = self._state()  # read once: the scan worker replaces it, never changes it
        if st.user_id is None:
            return False
        with self._read_uow() as uow:
            s = uow.session
            version = repo.shift_version(s)
            if self._looked is not None and self._looked[0] == version and self._looked[1] is st:
                return False  # looked at this already: nothing (a notice found is said until watched)
            notice, _ = changed(s, st, self._station_id(s))
        if notice is None:
            self._looked = (version, st)
        return notice is not None

    def close(self) -> None:
        """End a :meth:`wait` now (the window closes)."""
        self._closed.set()


def changed(s: Session, st: BenchState, station_id: int) -> tuple[Message | None, BenchState]:
    """What changed behind the back of a bench in ``st``, as a notice (None: nothing), and its state since."""
    if st.order_id is not None:
        order = repo.load_order(s, st.order_id)
        if order is not None and order.is_packing and order.station_id == station_id:
            return None, st
        gone = replace(st, order_id=None, last_line=None)
        return Message(T("Outcome", "Order {order_no} was taken off this bench ({state}): set it aside"),
                       {"order_no": order.order_no if order else "?", "state": order.state if order else "deleted"}), gone
    if st.manifest_id is not None or st.returns:
        return None, st
    back = repo.packing_order_id(s, station_id)
    if back is not None:  # a supervisor unlinked a waybill: the order is this bench's to finish
        return Message(T("Outcome", "Order {order_no} was sent back to this bench by a supervisor: finish it"),
                       {"order_no": back[1]}), replace(st, order_id=back[0], completed_order=None)
    return None, st
