"""A bench's user session, carried by the bench and signed by the server.

The server keeps no state of its own outside the database, so several server processes can share
one: the bench state (who is logged in, the open order or manifest) travels with every call as a
blob the server signed with HMAC-SHA256 under a key kept in the database. The bench cannot change
it (the signature fails), cannot move it to another station (the station id is inside), and it
expires after the idle time (the packer then logs in again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.models.schema import ServerKey
from app.packing.model import BenchState
from app.packing.ports import Services
from app.packing.wire import from_plain, to_plain

KEY_NAME = "session-hmac"


@dataclass
class SessionSigner:
    key: bytes
    idle_seconds: int = 30 * 60

    def sign(self, station_id: int, state: BenchState, now: float | None = None) -> str:
        body = json.dumps({"st": station_id, "state": to_plain(state), "exp": int((now or time.time()) + self.idle_seconds)},
                          separators=(",", ":")).encode()
        mac = hmac.new(self.key, body, hashlib.sha256).digest()
        return _b64(body) + "." + _b64(mac)

    def open(self, station_id: int, blob: str | None, now: float | None = None) -> BenchState:
        """The state inside ``blob``; a fresh (logged-out) state when it is missing, forged, for another
        station or expired."""
        if not blob:
            return BenchState()
        try:
            body_text, mac_text = blob.split(".", 1)
            body, mac = _unb64(body_text), _unb64(mac_text)
        except ValueError:
            return BenchState()
        if not hmac.compare_digest(mac, hmac.new(self.key, body, hashlib.sha256).digest()):
            return BenchState()
        data = json.loads(body)
        if data.get("st") != station_id or data.get("exp", 0) < (now or time.time()):
            return BenchState()
        return from_plain(BenchState, data["state"])


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


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
