"""A bench's user session, carried by the bench and signed by the server.

The server keeps no state of its own outside the database, so several server processes can share
one: the bench state (who is logged in, the open order or manifest) travels with every call as a
blob the server signed (:mod:`app.server.tokens`) under a key kept in the database. The bench cannot change
it (the signature fails), cannot move it to another station (the station id is inside), and it
expires after the idle time (the packer then logs in again). It also carries the epochs of its user
and station it was signed under (:class:`BenchState`): a logout or a login at the station, or the
user disabled, given a new PIN or locked out, moves one on and ends every copy of the session.

A supervisor's desk session (:func:`sign_desk`) is signed by the same codec under the same key; it
carries the supervisor and the station, and opens only while its user is still an active supervisor
under the same session epoch (:func:`current_supervisor`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.schema import Role, ServerKey, Station, User
from app.packing.auth import Supervisor
from app.packing.model import BenchState
from app.packing.ports import Services
from app.packing.wire import from_plain, to_plain
from app.server.tokens import TokenCodec

KEY_NAME = "session-hmac"


@dataclass
class SessionSigner:
    """The bench's session on the server's one token codec (:mod:`app.server.tokens`); the desk's
    session (:func:`sign_desk`) is signed by the same codec under the same key."""

    key: bytes
    idle_seconds: int = 30 * 60
    tokens: TokenCodec = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tokens = TokenCodec(self.key, self.idle_seconds)

    def sign(self, station_id: int, state: BenchState, now: float | None = None) -> str:
        return self.tokens.encode({"st": station_id, "state": to_plain(state)}, now)

    def user_in(self, blob: str | None) -> int | None:
        """The logged-in user of a genuine ``blob`` (whose epoch the scan's first query reads)."""
        data = self.tokens.decode(blob)
        user = (data.get("state") or {}).get("user_id") if data else None
        return user if isinstance(user, int) else None

    def open(self, station_id: int, blob: str | None, now: float | None = None) -> BenchState:
        """The state inside ``blob``; a fresh (logged-out) state when it is missing, forged, for another
        station or expired. Whether its epochs are still current is :func:`live`'s question."""
        data = self.tokens.decode(blob, now)
        if data is None or data.get("st") != station_id or "state" not in data:
            return BenchState()
        return from_plain(BenchState, data["state"])


def live(state: BenchState, station_epoch: int | None, user_epoch: int | None, user_active: bool | None) -> BenchState:
    """``state`` when its session is still the current one of its station and user, else logged out
    (a pending PIN entry carries nothing to revoke)."""
    if state.user_id is None:
        return state
    if station_epoch is None or state.station_epoch != station_epoch or state.user_epoch != user_epoch \
            or not user_active:
        return BenchState()
    return state


_EPOCHS = (select(Station.session_epoch, User.session_epoch, User.active)
           .outerjoin(User, User.id == bindparam("user_id")).where(Station.id == bindparam("station_id")))


def check_live(s: Session, station_id: int, state: BenchState) -> BenchState:
    """:func:`live` with the epochs read from the database (one query, only when someone is logged in)."""
    if state.user_id is None:
        return state
    row = s.execute(_EPOCHS, {"station_id": station_id, "user_id": state.user_id}).first()
    return live(state, *(row or (None, None, None)))


def sign_desk(signer: SessionSigner, station_id: int, sup: Supervisor, now: float | None = None) -> str:
    # "desk" marks it: a bench's session (signed by the same codec, same key) never opens a desk.
    return signer.tokens.encode({"desk": station_id, "user": sup.user_id, "name": sup.name, "ep": sup.epoch}, now)


def open_desk(signer: SessionSigner, station_id: int, blob: str | None, now: float | None = None) -> Supervisor | None:
    """The supervisor inside ``blob``; None when missing, forged, for another station or expired."""
    data = signer.tokens.decode(blob, now)
    if data is None or data.get("desk") != station_id:
        return None
    try:
        return Supervisor(int(data["user"]), str(data["name"]), int(data.get("ep", -1)))
    except (KeyError, TypeError, ValueError):
        return None


def current_supervisor(services: Services, signer: SessionSigner, station_id: int, blob: str | None) -> Supervisor | None:
    """:func:`open_desk`, and only while its user is still an active supervisor under the same
    session epoch (not disabled, given a new PIN or locked out since): one read."""
    sup = open_desk(signer, station_id, blob)
    if sup is None:
        return None
    with services.read_uow() as uow:
        user = uow.session.get(User, sup.user_id)
        ok = (user is not None and user.active and user.role == Role.SUPERVISOR.value
              and user.session_epoch == sup.epoch)
    return sup if ok else None


def signer(services: Services, idle_seconds: int) -> SessionSigner:
    """The signing key every server process on this database shares (made once, race-safe)."""
    with services.uow() as uow:
        value = uow.session.scalar(select(ServerKey.value).where(ServerKey.name == KEY_NAME))
    if value is None:
        try:
            with services.uow() as uow:
                uow.session.add(ServerKey(name=KEY_NAME, value=secrets.token_hex(32)))
        except IntegrityError:  # another server process made it at the same moment
            pass
        with services.uow() as uow:
            value = uow.session.scalar(select(ServerKey.value).where(ServerKey.name == KEY_NAME))
    assert value is not None
    return SessionSigner(bytes.fromhex(value), idle_seconds)

