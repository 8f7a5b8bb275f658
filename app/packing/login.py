"""Login at a bench: a badge, then the user's PIN when they have one.

A PIN check updates the user's lockout counters under a row lock; a bench where too many wrong PINs
were typed lately is closed for a while. A login moves the station's session epoch on (only this
login's session lives) and resumes what the bench left open: an order, a manifest, or a return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.schema import BoxType, Order, ProductBarcode, Role, Station, User
from app.packing import repository as repo
from app.packing import returns_repo, rules
from app.packing.auth import (
    STATION_CLOSED,
    STATION_PIN_LIMIT,
    STATION_PIN_WINDOW_MIN,
    UNKNOWN_PIN_LIKE,
    could_be_pin,
    wrong_pins_at,
)
from app.packing.model import BenchState
from app.packing.outcome import Level
from app.packing.rules import CMD_CANCEL, CMD_LOGOUT, Decision
from app.security import check_pin

T = QT_TRANSLATE_NOOP


@dataclass(frozen=True)
class Login:
    """The login of one bench (its station, registered already) with the clock of its services."""

    station_id: int | None
    clock: Callable[[], datetime]

    def decide(self, s: Session, st: BenchState, text: str) -> Decision:
        """What ``text`` means to a bench nobody is logged in at: a badge, or the PIN it asked for."""
        command = rules.as_command(text)
        if st.pending_user_id is not None:
            if command in (CMD_LOGOUT, CMD_CANCEL):
                return Decision(True, Level.INFO, Message(T("Outcome", "Login cancelled")), "command", BenchState())
            return self._on_pin(s, st, text)
        if command:
            return Decision(False, Level.REFUSED, Message(T("Outcome", "Scan your badge first")), "command", st)
        return self._on_badge(s, st, text)

    def _on_badge(self, s: Session, st: BenchState, text: str) -> Decision:
        user = s.scalar(select(User).where(User.badge == text))
        if user is None or not user.active:
            if could_be_pin(text):  # never store or show what may be a PIN typed at the badge prompt
                return MaskedDecision(False, Level.REFUSED, Message(UNKNOWN_PIN_LIKE), "badge", st)
            if user is None and _is_goods(s, text):
                # An order, an item or a box scanned while logged out is a packer's slip, not someone
                # guessing badges: it does not count towards the bench's limit of wrong PINs.
                return Decision(False, Level.REFUSED, Message(T("Outcome", "Scan your badge first")), "command",
                                st)
            return Decision(False, Level.REFUSED, Message(T("Outcome", "Unknown badge {badge}"), {"badge": text}),
                            "badge", st)
        now = self.clock()
        if user.locked_until is not None and user.locked_until > now:
            return Decision(False, Level.REFUSED, Message(
                T("Outcome", "{name} is locked after too many wrong PINs until {until}"),
                {"name": user.name, "until": user.locked_until.astimezone().strftime("%H:%M")}), "badge", st)
        if user.pin_hash:
            return Decision(True, Level.INFO, Message(T("Outcome", "Hello {name}: type your PIN"), {"name": user.name}),
                            "badge", BenchState(pending_user_id=user.id))
        return self._logged_in(s, user, "badge")

    def _on_pin(self, s: Session, st: BenchState, text: str) -> Decision:
        # Locked: parallel wrong PINs on several benches must all count towards the lockout.
        user = s.get(User, st.pending_user_id, with_for_update=True)
        if user is None:
            return Decision(False, Level.REFUSED, Message(T("Outcome", "Unknown badge {badge}"), {"badge": "?"}),
                            "pin", BenchState())
        # Per bench too: someone trying many badges' PINs at one bench is stopped for a while.
        if wrong_pins_at(s, self.station_id, self.clock()) >= STATION_PIN_LIMIT:
            return Decision(False, Level.REFUSED, Message(STATION_CLOSED, {"minutes": STATION_PIN_WINDOW_MIN}),
                            "pin", BenchState())
        reason = check_pin(user, text, self.clock())
        if reason is not None:
            return Decision(False, Level.REFUSED, reason, "pin", st if user.locked_until is None else BenchState())
        return self._logged_in(s, user, "pin")

    def _logged_in(self, s: Session, user: User, kind: str) -> Decision:
        assert self.station_id is not None
        state = BenchState(user_id=user.id, user_name=user.name, user_role=user.role, user_epoch=user.session_epoch,
                           station_epoch=bump_station_epoch(s, self.station_id))  # only this login's session lives
        # Back on this bench's unfinished order (a crash, a power cut, a logout), or its open manifest.
        order = repo.packing_order_id(s, self.station_id)
        if order is not None:
            return Decision(True, Level.ACCEPTED, Message(T("Outcome", "Welcome back {name}: order {order_no} resumed"),
                                                          {"name": user.name, "order_no": order[1]}),
                            kind, replace(state, order_id=order[0]), order[0])
        manifest = repo.open_manifest_id(s, self.station_id)
        if manifest is not None:
            return Decision(True, Level.ACCEPTED, Message(T("Outcome", "Welcome back {name}: handover {manifest_no} resumed"),
                                                          {"name": user.name, "manifest_no": manifest[1]}),
                            kind, replace(state, manifest_id=manifest[0]), None, manifest[0])
        ret = returns_repo.open_return_id(s, self.station_id)
        if ret is not None:  # the returns bench's open return
            return Decision(True, Level.ACCEPTED, Message(T("Outcome", "Welcome back {name}: return {name_of_return} resumed"),
                                                          {"name": user.name, "name_of_return": ret[1]}),
                            kind, replace(state, returns=True, return_id=ret[0]))
        return Decision(True, Level.ACCEPTED, Message(T("Outcome", "Hello {name}"), {"name": user.name}), kind, state)


def bump_station_epoch(s: Session, station_id: int | None) -> int:
    """Move the station's session epoch on (a login or a logout there): every session signed for it
    before is dead. Returns the new epoch."""
    return s.execute(update(Station).where(Station.id == station_id)
                     .values(session_epoch=Station.session_epoch + 1).returning(Station.session_epoch)).scalar_one()


class MaskedDecision(Decision):
    """A refusal whose scan is kept out of the audit trail (it may be a PIN)."""


def masked(d: Decision) -> bool:
    return isinstance(d, MaskedDecision)


def is_supervisor(role: str | None) -> bool:
    return role == Role.SUPERVISOR.value


def _is_goods(s: Session, text: str) -> bool:
    """``text`` names an order, a product barcode or a box of this site (three primary-key lookups)."""
    return (s.scalar(select(Order.id).where(Order.order_no == text)) is not None
            or s.scalar(select(ProductBarcode.barcode).where(ProductBarcode.barcode == text)) is not None
            or s.scalar(select(BoxType.code).where(BoxType.code == text)) is not None)
