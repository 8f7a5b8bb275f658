"""The server's one signed-token codec: a bench's session and a supervisor's desk session.

A token is ``base64url(json payload) "." base64url(HMAC-SHA256(key, payload))`` under the server's
session key (kept in the database, shared by every server process on it). The payload carries its
expiry (``exp``, unix seconds) and its format version (``v``); a token without ``v`` is version 1,
the layout before the field was written, so sessions signed before an upgrade still open. A token
that is missing, malformed, forged, signed under another key, of an unknown version or expired
opens as None: the caller answers "log in again", never an error page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

VERSION = 1


@dataclass(frozen=True)
class TokenCodec:
    """Signs and opens the server's tokens; ``ttl_seconds`` is the idle time a token lives."""

    key: bytes
    ttl_seconds: int = 30 * 60

    def encode(self, payload: dict[str, Any], now: float | None = None) -> str:
        body = json.dumps({**payload, "v": VERSION, "exp": int((now or time.time()) + self.ttl_seconds)},
                          separators=(",", ":")).encode()
        return _b64(body) + "." + _b64(self._mac(body))

    def decode(self, token: str | None, now: float | None = None) -> dict[str, Any] | None:
        """The payload of a genuine, current token (``v`` and ``exp`` included); else None."""
        if not token:
            return None
        try:
            body_text, mac_text = token.split(".", 1)
            body, mac = _unb64(body_text), _unb64(mac_text)
        except (ValueError, binascii.Error):
            return None
        if not hmac.compare_digest(mac, self._mac(body)):
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("v", VERSION) != VERSION:
            return None
        exp = data.get("exp")
        if not isinstance(exp, int | float) or exp < (now or time.time()):
            return None
        return data

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self.key, body, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
