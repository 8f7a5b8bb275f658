"""Signatures: the Pinduoduo Open Platform's MD5 sign and the webhook's HMAC-SHA256.

PDD (checked against public SDK sources, e.g. the Python snippet in differentname123/Shop-Fusion
``get_token.py`` and the Go client in dtapps/go-library ``service/pinduoduo``): the sign is the
upper-case hex MD5 of ``secret + name1value1name2value2... + secret`` over every parameter except
``sign``, sorted by name; values as the strings that are sent.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping


def pdd_sign(params: Mapping[str, object], secret: str) -> str:
    text = "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    return hashlib.md5(f"{secret}{text}{secret}".encode()).hexdigest().upper()


def webhook_signature(body: bytes, secret: str) -> str:
    """The value of the ``X-PackGate-Signature`` header: ``sha256=`` + hex HMAC of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_signature_ok(body: bytes, secret: str, header: str) -> bool:
    return hmac.compare_digest(webhook_signature(body, secret), header or "")
