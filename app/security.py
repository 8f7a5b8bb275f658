"""PINs: kept only as a slow salted hash (argon2id); five wrong PINs lock the user for a while."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.i18n import QT_TRANSLATE_NOOP, Message

MAX_FAILED_PINS = 5
LOCK_MINUTES = 5
# OWASP's minimum for argon2id (19 MiB, 2 passes): slow for a guesser, ~20 ms for a bench.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def hash_pin(pin: str) -> str:
    if not pin or not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("a PIN is 4 to 12 digits")
    return _HASHER.hash(pin)


def verify_pin(pin_hash: str | None, pin: str) -> bool:
    if not pin_hash:
        return False
    try:
        return _HASHER.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def check_pin(user, pin: str, now: datetime) -> Message | None:
    """Verify ``pin`` for ``user`` (a models User), updating its lockout counters in place.

    Returns None when the PIN is right, else the reason to show. The caller commits.
    """
    if user.locked_until is not None and user.locked_until > now:
        return Message(
            QT_TRANSLATE_NOOP("Outcome", "{name} is locked after too many wrong PINs until {until}"),
            {"name": user.name, "until": user.locked_until.astimezone().strftime("%H:%M")},
        )
    if verify_pin(user.pin_hash, pin):
        user.failed_pins = 0
        user.locked_until = None
        return None
    user.failed_pins = (user.failed_pins or 0) + 1
    if user.failed_pins >= MAX_FAILED_PINS:
        user.failed_pins = 0
        user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        return Message(
            QT_TRANSLATE_NOOP("Outcome", "Wrong PIN: {name} is locked for {minutes} minutes"),
            {"name": user.name, "minutes": LOCK_MINUTES},
        )
    return Message(
        QT_TRANSLATE_NOOP("Outcome", "Wrong PIN ({left} tries left)"),
        {"left": MAX_FAILED_PINS - user.failed_pins},
    )
