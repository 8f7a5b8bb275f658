"""PINs: kept only as a slow salted hash (argon2id); five wrong PINs lock the user for a while, and
each further lockout lasts longer (5, 15, 60, 240 minutes, then a day).

A supervisor's PIN has at least six digits: with the hashes in hand an offline attacker pays one
hash check per guess, ~40 ms, so 10,000 four-digit PINs fall in minutes, a million six-digit ones
take about half a day per user (and the files holding the hashes are kept owner-only).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.i18n import QT_TRANSLATE_NOOP, Message

MAX_FAILED_PINS = 5
LOCK_MINUTES = (5, 15, 60, 240, 1440)  # the first lockout, the second, ...; the last one repeats
PIN_DIGITS = {"packer": 4, "supervisor": 6}  # the fewest digits a new PIN of each role may have
# OWASP's minimum for argon2id (19 MiB, 2 passes): slow for a guesser, ~20 ms for a bench.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def hash_pin(pin: str, role: str = "packer") -> str:
    """The hash to store for a new PIN; ValueError (the reason) for a PIN the role may not have."""
    fewest = PIN_DIGITS.get(role, PIN_DIGITS["supervisor"])
    if not pin or not pin.isascii() or not pin.isdigit() or not fewest <= len(pin) <= 12:
        raise ValueError(f"a {role}'s PIN is {fewest} to 12 digits")
    return _HASHER.hash(pin)


def lock_minutes(lockouts: int) -> int:
    """How long the next lockout lasts after ``lockouts`` earlier ones (since the last right PIN)."""
    return LOCK_MINUTES[min(max(lockouts, 0), len(LOCK_MINUTES) - 1)]


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
        user.lockouts = 0
        user.locked_until = None
        return None
    user.failed_pins = (user.failed_pins or 0) + 1
    if user.failed_pins >= MAX_FAILED_PINS:
        minutes = lock_minutes(user.lockouts or 0)
        user.failed_pins = 0
        user.lockouts = (user.lockouts or 0) + 1
        user.locked_until = now + timedelta(minutes=minutes)
        user.session_epoch = (user.session_epoch or 0) + 1  # a lockout ends the user's sessions too
        return Message(
            QT_TRANSLATE_NOOP("Outcome", "Wrong PIN: {name} is locked for {minutes} minutes"),
            {"name": user.name, "minutes": minutes},
        )
    return Message(
        QT_TRANSLATE_NOOP("Outcome", "Wrong PIN ({left} tries left)"),
        {"left": MAX_FAILED_PINS - user.failed_pins},
    )
