"""What an answer (or the lack of one) means: sorted, never retried blindly.

* ``retry``: network errors, timeouts, HTTP 5xx, the platform's rate-limit and system-busy codes:
  capped exponential backoff.
* ``stop``: an expired or revoked token, a wrong sign (a wrong secret): the channel stops and the
  supervisor is told to renew the credentials; the jobs wait untouched.
* ``shipped``: the platform says the order is already shipped: the sender reads the platform's
  number back (same number: confirmed; another: an exception the supervisor sees).
* ``failed``: any other business refusal, with the platform's own message.

The codes are those of the PDD open platform's error list as used by :mod:`app.platform.standin`
(10019 access_token expired, 10001 sign error, 70031 calls too frequent, 50000/50001 system busy);
the sub_code / sub_msg are matched too, because the platform words the same fault several ways.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

TOKEN_CODES = frozenset({10019, 10020, 10035})  # access_token expired / revoked / missing
SIGN_CODES = frozenset({10001, 10016})  # sign check failed, client_id unknown
RETRY_CODES = frozenset({70031, 70032, 50000, 50001, 20004})  # rate limit, system busy
SHIPPED_SUBCODES = frozenset({"order_already_shipped", "ORDER_ALREADY_SHIPPED"})
REFUNDED_SUBCODES = frozenset({"order_refunded", "ORDER_REFUNDED"})


@dataclass(frozen=True)
class Verdict:
    kind: str  # ok, retry, stop, shipped, refunded, failed
    message: str = ""
    code: int | None = None


def error_text(err: dict[str, Any]) -> str:
    """The platform's own words: error_msg, then sub_msg, with the codes."""
    parts = [str(err.get("error_msg") or "").strip(), str(err.get("sub_msg") or "").strip()]
    words = ": ".join(p for p in parts if p) or "no message"
    codes = ", ".join(str(c) for c in (err.get("error_code"), err.get("sub_code")) if c not in (None, ""))
    return f"{words} ({codes})" if codes else words


def classify(status: int | None, body: Any, transport_error: str | None = None) -> Verdict:
    """One HTTP exchange with the PDD gateway: ``status`` None when no answer came at all."""
    if transport_error is not None or status is None:
        return Verdict("retry", f"no answer from the platform: {transport_error or 'connection lost'}")
    if status == 429:
        return Verdict("retry", "the platform says: too many requests (HTTP 429)")
    if status >= 500:
        return Verdict("retry", f"the platform answered HTTP {status}")
    if not isinstance(body, dict):
        return Verdict("retry", f"the platform answered HTTP {status} without JSON")
    err = body.get("error_response")
    if not isinstance(err, dict):
        if status >= 400:
            return Verdict("failed", f"the platform answered HTTP {status}")
        return Verdict("ok")
    try:
        code = int(err.get("error_code"))
    except (TypeError, ValueError):
        code = None
    sub = str(err.get("sub_code") or "")
    text = error_text(err)
    lowered = (str(err.get("sub_msg") or "") + str(err.get("error_msg") or "")).lower()
    if code in TOKEN_CODES or "access_token" in lowered:
        return Verdict("stop", f"the shop's access token is expired or revoked: renew it with "
                               f"`packgate platform set pdd --access-token-file FILE` ({text})", code)
    if code in SIGN_CODES:
        return Verdict("stop", f"the platform refuses PackGate's credentials: check the client id and secret ({text})", code)
    if code in RETRY_CODES or "busy" in lowered or "频繁" in lowered or "繁忙" in lowered:
        return Verdict("retry", f"the platform is busy or limiting calls: {text}", code)
    if sub in SHIPPED_SUBCODES or "已发货" in lowered:
        return Verdict("shipped", text, code)
    if sub in REFUNDED_SUBCODES or "退款" in lowered:
        return Verdict("refunded", text, code)
    return Verdict("failed", text, code)


def backoff_s(attempts: int, base: float = 2.0, cap: float = 300.0) -> float:
    """Capped exponential backoff after ``attempts`` tries (1 -> base, 2 -> 2*base, ...)."""
    return min(cap, base * (2 ** max(0, attempts - 1)))


def error_response(code: int, msg: str, sub_code: str, sub_msg: str) -> dict[str, Any]:
    """An answer of the platform refusing a call, in its shape (the stand-in gateway's refusals)."""
    return {"error_response": {"error_code": code, "error_msg": msg, "sub_code": sub_code, "sub_msg": sub_msg,
                               "request_id": uuid.uuid4().hex}}
