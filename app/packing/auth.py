"""Supervisor authorisation: badge and PIN at that moment, checked and audited.

Every supervisor action (settings, overrides, unlink, cancel, release a hold, reopen a manifest)
calls :func:`authorize_supervisor` first; a refusal is audited like any refused scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.audit_chain import add_event
from app.models.schema import Role, ScanEvent, Station, User
from app.packing.ports import Services
from app.security import check_pin


@dataclass(frozen=True)
class Supervisor:
    user_id: int
    name: str
    epoch: int = 0  # the user's session epoch when authorised: a desk session ends once it moves on


class NotAuthorized(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message.render())
        self.message = message


MASKED = "****"  # what the audit trail keeps of a scan that may be a PIN
MAX_PIN_LIKE = 12  # an unknown "badge" of only digits this long may be a PIN typed at the badge prompt
UNKNOWN_PIN_LIKE = QT_TRANSLATE_NOOP("Outcome", "Unknown badge (digits not shown: scan your badge first, then type the PIN)")


def could_be_pin(text: str) -> bool:
    return text.isdigit() and len(text) <= MAX_PIN_LIKE


STATION_PIN_LIMIT = 10  # wrong PINs at one station (any badge, bench or desk) within the window close PIN entry there
STATION_PIN_WINDOW_MIN = 15
STATION_CLOSED = QT_TRANSLATE_NOOP("Outcome", "Too many wrong PINs at this bench: PIN entry is closed for {minutes} minutes")


def wrong_pins_at(s: Session, station: int | None, now: datetime) -> int:
    """Wrong PINs (a packer's login or a supervisor's authorisation) and refused badges at the login
    prompt (unknown, disabled, locked: someone trying badge after badge) at ``station`` within the window."""
    if station is None:
        return 0
    since = now - timedelta(minutes=STATION_PIN_WINDOW_MIN)
    return s.scalar(select(func.count()).select_from(ScanEvent).where(
        ScanEvent.at >= since, ScanEvent.station_id == station, ScanEvent.accepted.is_(False),
        or_(ScanEvent.kind.in_(("pin", "auth")), and_(ScanEvent.kind == "badge", ScanEvent.user_id.is_(None))))) or 0


def station_id(s: Session, name: str | None) -> int | None:
    if not name:
        return None
    return s.scalar(select(Station.id).where(Station.name == name))


def authorize_supervisor(services: Services, badge: str, pin: str, *, action: str, station: str | None = None) -> Supervisor:
    """Check ``badge`` + ``pin`` belong to an active supervisor; audit the attempt either way.

    Raises NotAuthorized with the reason (unknown badge, not a supervisor, wrong PIN, locked).
    """
    badge = badge.strip()
    with services.uow() as uow:
        s = uow.session
        user = s.scalar(select(User).where(User.badge == badge).with_for_update())  # lockout counts race-free
        reason: Message | None = None
        # What is not a known badge but looks like a PIN is never stored nor shown, whatever the refusal.
        maybe_pin = (user is None or not user.active) and could_be_pin(badge)
        audited = MASKED if maybe_pin else badge
        where = station_id(s, station)
        if wrong_pins_at(s, where, services.clock()) >= STATION_PIN_LIMIT:  # someone trying badge after badge here
            reason = Message(STATION_CLOSED, {"minutes": STATION_PIN_WINDOW_MIN})
        elif maybe_pin:
            reason = Message(UNKNOWN_PIN_LIKE)
        elif user is None or not user.active:
            reason = Message(QT_TRANSLATE_NOOP("Outcome", "Unknown badge {badge}"), {"badge": badge})
        elif user.role != Role.SUPERVISOR.value:
            reason = Message(QT_TRANSLATE_NOOP("Outcome", "{name} is not a supervisor"), {"name": user.name})
        else:
            reason = check_pin(user, pin.strip(), services.clock())
        add_event(s, at=services.clock(), station_id=where, user_id=user.id if user else None,
                  raw=audited, kind="auth", accepted=reason is None,
                  message=(reason.render() if reason else f"supervisor authorised for {action}"))
        result = Supervisor(user.id, user.name, user.session_epoch) if (reason is None and user is not None) else None
    if result is None:
        assert reason is not None
        raise NotAuthorized(reason)
    return result


def audit_change(services: Services, supervisor: Supervisor | None, *, kind: str, what: str, message: str,
                 station: str | None = None) -> None:
    """Write the audit event of a change made by ``supervisor`` (None: no authority was needed,
    e.g. the very first user of an empty database): ``kind`` is ``settings`` or ``users``, ``what``
    the thing changed (kept in ``raw``), ``message`` who changed what, from what to what."""
    with services.uow() as uow:
        add_audit_event(uow.session, services, supervisor, kind=kind, what=what, message=message, station=station)


def add_audit_event(s: Session, services: Services, supervisor: Supervisor | None, *, kind: str, what: str,
                    message: str, station: str | None = None) -> None:
    """The same audit event, added to ``s``: it commits with the change it records, or not at all."""
    add_event(s, at=services.clock(), station_id=station_id(s, station),
              user_id=supervisor.user_id if supervisor else None, raw=what, kind=kind, accepted=True, message=message)
