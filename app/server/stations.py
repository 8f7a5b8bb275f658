"""Station enrolment at the PackGate server: one-time codes, tokens, revocation.

The server keeps only SHA-256 hashes of codes and tokens (a token is 256 random bits, so a slow
hash buys nothing). A code is valid once, for ``CODE_HOURS``; enrolling turns it into the
station's token. A revoked station is refused at its next call.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import KnownError
from app.models.schema import Station, StationKey
from app.packing.ports import Services

CODE_HOURS = 24


class EnrolmentRefused(KnownError):
    """The code is unknown, used or expired, or the station is revoked: nothing was changed."""


@dataclass(frozen=True)
class StationInfo:
    name: str
    enrolled_at: datetime | None
    revoked_at: datetime | None
    code_pending: bool


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _station(s: Session, name: str, now: datetime, *, create: bool) -> Station | None:
    station = s.scalar(select(Station).where(Station.name == name))
    if station is None and create:
        station = Station(name=name, created_at=now)
        s.add(station)
        s.flush()
    return station


def add_station(services: Services, name: str) -> str:
    """A new one-time enrolment code for ``name`` (a second call replaces an unused code; an
    enrolled or revoked station gets a fresh code and its old token stops working)."""
    name = name.strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise KnownError("A station name is 1 to 64 printable characters")
    code = "-".join(secrets.token_hex(3).upper() for _ in range(3))
    now = services.clock()
    with services.uow() as uow:
        s = uow.session
        station = _station(s, name, now, create=True)
        assert station is not None
        key = s.get(StationKey, station.id, with_for_update=True)
        if key is None:
            key = StationKey(station_id=station.id, created_at=now)
            s.add(key)
        key.code_hash, key.code_expires_at = digest(code), now + timedelta(hours=CODE_HOURS)
        key.token_hash, key.revoked_at, key.enrolled_at = None, None, None
    return code


def enrol(services: Services, name: str, code: str) -> str:
    """Trade a one-time code for the station's token."""
    now = services.clock()
    with services.uow() as uow:
        s = uow.session
        station = _station(s, name.strip(), now, create=False)
        key = s.get(StationKey, station.id, with_for_update=True) if station is not None else None
        if key is None or key.code_hash is None or not secrets.compare_digest(key.code_hash, digest(code.strip().upper())):
            raise EnrolmentRefused(f"No valid enrolment code {code.strip()!r} for station {name.strip()!r}: "
                                   "ask for a new one (packgate stations add NAME on the server)")
        if key.code_expires_at is not None and key.code_expires_at < now:
            raise EnrolmentRefused("That enrolment code has expired: ask for a new one (packgate stations add NAME)")
        token = secrets.token_urlsafe(32)
        key.token_hash, key.code_hash, key.code_expires_at, key.enrolled_at = digest(token), None, None, now
    return token


def revoke(services: Services, name: str) -> None:
    now = services.clock()
    with services.uow() as uow:
        s = uow.session
        station = _station(s, name.strip(), now, create=False)
        key = s.get(StationKey, station.id, with_for_update=True) if station is not None else None
        if key is None:
            raise KnownError(f"No enrolled station {name.strip()!r}")
        key.token_hash, key.code_hash, key.revoked_at = None, None, now


def list_stations(services: Services) -> list[StationInfo]:
    with services.read_uow() as uow:
        rows = uow.session.execute(select(Station.name, StationKey.enrolled_at, StationKey.revoked_at,
                                          StationKey.code_hash)
                                   .join(StationKey, StationKey.station_id == Station.id).order_by(Station.name)).all()
    return [StationInfo(n, e, r, c is not None) for n, e, r, c in rows]


def station_for_token(s: Session, token: str) -> tuple[int, str] | None:
    """The (id, name) of the enrolled, unrevoked station holding ``token``."""
    row = s.execute(select(Station.id, Station.name).join(StationKey, StationKey.station_id == Station.id)
                    .where(StationKey.token_hash == digest(token), StationKey.revoked_at.is_(None))).first()
    return (row.id, row.name) if row else None
