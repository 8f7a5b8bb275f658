"""One HTTP transport under the bench, the desk and the evidence uploader.

:class:`Transport` is an httpx client to the PackGate server with what every caller needs once:
the certificate pinned at enrolment, checked during the TLS handshake (before a byte of a request
leaves: the station token, a scan or a clip never reach a server that is not the enrolled one) and
again on every answer; the station token on every call; the timeouts; retries with a growing pause
for the calls the caller says are idempotent; and one table (:data:`KINDS`) that turns an answer
that is not a success, or no answer, into a :class:`ServerFailure` of one :class:`ErrorKind` with
its translatable message. Each client turns a failure into its own domain's exception.
"""

from __future__ import annotations

import hashlib
import logging
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

from app.i18n import QT_TRANSLATE_NOOP, Message

log = logging.getLogger(__name__)
T = QT_TRANSLATE_NOOP
RETRIES = 3  # tries of an idempotent call
BACKOFF_S = 0.05  # the pause before the second try; doubled before each next one
CONNECT_TIMEOUT_S = 3.0

NOT_ENROLLED = T("Outcome", "This bench is not enrolled at the server, or was revoked: {detail}")
CERT_CHANGED = T("Outcome", "The server's certificate changed (pinned {pinned}, got {got}): NOT connected. Ask IT, then enrol again.")
UNREACHABLE = T("Outcome", "PackGate server unreachable ({error}): nothing was changed; try again when the connection is back")
REFUSED = T("Outcome", "The server refused: {detail}")


class ErrorKind(StrEnum):
    """Why a call to the server did not succeed, in the app's words."""

    UNREACHABLE = "unreachable"  # no answer: refused connection, timeout, reset, not HTTP
    CERT_CHANGED = "cert_changed"  # another certificate than the one pinned at enrolment: nothing sent
    NOT_ENROLLED = "not_enrolled"  # 401: no station token, an unknown or a revoked one
    FORBIDDEN = "forbidden"  # 403
    NOT_FOUND = "not_found"  # 404
    CONFLICT = "conflict"  # 409: refused in the current state
    TOO_LARGE = "too_large"  # 413: the body is over the call's limit
    INVALID = "invalid"  # 422: {"detail": [{loc, msg, type}, ...]}
    TOO_MANY_POLLS = "too_many_polls"  # 429: the station holds its most long polls (Retry-After)
    DATABASE_UNREACHABLE = "database_unreachable"  # 503: nothing was saved
    NO_ROOM = "no_room"  # 507: the server's disk reserve or the bench's upload quota
    SERVER_ERROR = "server_error"  # any other 5xx
    REFUSED = "refused"  # any other answer that is not a success


@dataclass(frozen=True)
class KindInfo:
    template: str  # the message; {detail} is the server's sentence, {error} what went wrong on the way
    retry: bool  # worth another try of an idempotent call


KINDS: dict[ErrorKind, KindInfo] = {
    ErrorKind.UNREACHABLE: KindInfo(UNREACHABLE, retry=True),
    ErrorKind.CERT_CHANGED: KindInfo(CERT_CHANGED, retry=False),
    ErrorKind.NOT_ENROLLED: KindInfo(NOT_ENROLLED, retry=False),
    ErrorKind.FORBIDDEN: KindInfo(REFUSED, retry=False),
    ErrorKind.NOT_FOUND: KindInfo(REFUSED, retry=False),
    ErrorKind.CONFLICT: KindInfo(REFUSED, retry=False),
    ErrorKind.TOO_LARGE: KindInfo(REFUSED, retry=False),
    ErrorKind.INVALID: KindInfo(REFUSED, retry=False),
    ErrorKind.TOO_MANY_POLLS: KindInfo(REFUSED, retry=False),
    ErrorKind.DATABASE_UNREACHABLE: KindInfo(UNREACHABLE, retry=True),
    ErrorKind.NO_ROOM: KindInfo(REFUSED, retry=False),
    ErrorKind.SERVER_ERROR: KindInfo(UNREACHABLE, retry=True),
    ErrorKind.REFUSED: KindInfo(REFUSED, retry=False),
}
STATUS_KINDS: dict[int, ErrorKind] = {
    401: ErrorKind.NOT_ENROLLED, 403: ErrorKind.FORBIDDEN, 404: ErrorKind.NOT_FOUND, 409: ErrorKind.CONFLICT,
    413: ErrorKind.TOO_LARGE, 422: ErrorKind.INVALID, 429: ErrorKind.TOO_MANY_POLLS,
    503: ErrorKind.DATABASE_UNREACHABLE, 507: ErrorKind.NO_ROOM,
}


def kind_of_status(status: int) -> ErrorKind:
    return STATUS_KINDS.get(status) or (ErrorKind.SERVER_ERROR if status >= 500 else ErrorKind.REFUSED)


class ServerFailure(Exception):
    """A call to the server that did not succeed: its kind, its message, and what there is to know."""

    def __init__(self, kind: ErrorKind, message: Message, *, status: int | None = None, detail: str = "",
                 response: httpx.Response | None = None, error: BaseException | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message.render())
        self.message = message
        self.kind, self.status, self.detail = kind, status, detail
        self.response, self.error, self.retry_after = response, error, retry_after

    @property
    def retry(self) -> bool:
        return KINDS[self.kind].retry

    @property
    def body(self) -> Any:
        """The answer's JSON (None without one)."""
        try:
            return self.response.json() if self.response is not None else None
        except ValueError:
            return None


def failure_of_response(r: httpx.Response) -> ServerFailure:
    """The failure an answer that is not a success stands for (the table)."""
    kind = kind_of_status(r.status_code)
    text = detail(r)
    if kind in (ErrorKind.DATABASE_UNREACHABLE, ErrorKind.SERVER_ERROR):
        message = Message(KINDS[kind].template, {"error": f"HTTP {r.status_code}"})
    else:
        message = Message(KINDS[kind].template, {"detail": text})
    return ServerFailure(kind, message, status=r.status_code, detail=text, response=r,
                         retry_after=_retry_after(r))


def failure_of_error(exc: BaseException) -> ServerFailure:
    """The failure an httpx error stands for: the pinned certificate refused, or no answer."""
    mismatch = pin_mismatch(exc)
    if mismatch is not None:
        return ServerFailure(ErrorKind.CERT_CHANGED, cert_changed(mismatch.pinned, mismatch.got), error=mismatch)
    return ServerFailure(ErrorKind.UNREACHABLE, Message(UNREACHABLE, {"error": type(exc).__name__}), error=exc)


def detail(r: httpx.Response) -> str:
    """The server's refusal as one line: its sentence, or a 422's issues joined."""
    try:
        found = r.json().get("detail")
    except (ValueError, AttributeError):
        return f"HTTP {r.status_code}"
    if isinstance(found, list):
        return "; ".join(_issue(i) for i in found)
    return str(found)


def _issue(issue: object) -> str:
    if not isinstance(issue, dict):
        return str(issue)
    where = ".".join(str(part) for part in list(issue.get("loc") or ())[1:])  # without "body"/"query"
    return f"{where}: {issue.get('msg')}" if where else str(issue.get("msg"))


def _retry_after(r: httpx.Response) -> float | None:
    try:
        return float(r.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


# ---------------------------------------------------------------------- the pinned certificate


class PinMismatch(ssl.SSLError):
    """The server presented another certificate than the one pinned at enrolment."""

    def __init__(self, pinned: str, got: str) -> None:
        super().__init__(f"the server's certificate {got[:16]} is not the one pinned at enrolment ({pinned[:16]})")
        self.pinned, self.got = pinned, got


def _pinned_socket_class(fingerprint: str) -> type[ssl.SSLSocket]:
    class PinnedSocket(ssl.SSLSocket):
        """Checks the pinned certificate right after the TLS handshake, before a byte of a request
        leaves: the station token, a scan or a clip never reach a server that is not the enrolled one."""

        def do_handshake(self, *args, **kwargs):
            super().do_handshake(*args, **kwargs)
            got = hashlib.sha256(self.getpeercert(True) or b"").hexdigest()
            if got != fingerprint:
                raise PinMismatch(fingerprint, got)

    return PinnedSocket


def pin_mismatch(exc: BaseException) -> PinMismatch | None:
    """The PinMismatch behind a transport error, if that is what it was."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return None
        if isinstance(seen, PinMismatch):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def cert_changed(pinned: str, got: str | None) -> Message:
    return Message(CERT_CHANGED, {"pinned": pinned[:16], "got": (got or "?")[:16]})


def peer_fingerprint(response: httpx.Response) -> str | None:
    """SHA-256 of the certificate the server presented on this response's connection (HTTPS)."""
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:
        return None
    return hashlib.sha256(ssl_object.getpeercert(True)).hexdigest()


def _verify(server: str, fingerprint: str | None) -> Any:
    if not server.startswith("https://"):
        return True
    # The certificate is self-signed or the site's own: trust exactly the one pinned at enrolment,
    # checked at the handshake (enrolment itself, with no pin yet, reads it off the connection).
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if fingerprint:
        ctx.sslsocket_class = _pinned_socket_class(fingerprint)
    return ctx


# ---------------------------------------------------------------------- the transport


class Transport:
    """One keep-alive connection to the server (httpx's pool: safe to share between threads).

    ``fingerprint``: the certificate pinned at enrolment (None: enrolment, or plain HTTP);
    ``token``: the station's, sent as ``Authorization: Bearer`` on every call."""

    def __init__(self, server: str, *, fingerprint: str | None = None, token: str | None = None,
                 timeout: float = 10.0, retries: int = RETRIES, backoff_s: float = BACKOFF_S,
                 http_transport: httpx.BaseTransport | None = None) -> None:
        self.server, self.fingerprint, self.token = server.rstrip("/"), fingerprint, token
        self.timeout, self.retries, self.backoff_s = timeout, max(1, retries), backoff_s
        self._http_transport = http_transport
        self.http = httpx.Client(base_url=self.server, verify=_verify(server, fingerprint),
                                 timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT_S),
                                 transport=http_transport)
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def another(self, timeout: float) -> Transport:
        """A transport of its own to the same server (a long poll that must not hold the shared one)."""
        return Transport(self.server, fingerprint=self.fingerprint, token=self.token, timeout=timeout,
                         retries=self.retries, backoff_s=self.backoff_s, http_transport=self._http_transport)

    def request(self, method: str, path: str, *, idempotent: bool = False, **kw: Any) -> httpx.Response:
        """The answer of a call that succeeded; else :class:`ServerFailure`. An idempotent call is tried
        again (up to ``retries`` times, with a growing pause) after no answer or a 5xx."""
        tries = self.retries if idempotent else 1
        pause = self.backoff_s
        for attempt in range(1, tries + 1):
            try:
                return self._once(method, path, **kw)
            except ServerFailure as failure:
                if not failure.retry or attempt == tries:
                    raise
                log.info("%s %s: %s; try %d of %d", method, path, failure.kind, attempt + 1, tries)
            time.sleep(pause)
            pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            r = self.http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise failure_of_error(exc) from None
        self.check(r)
        return r

    @contextmanager
    def stream(self, method: str, path: str, **kw: Any) -> Iterator[httpx.Response]:
        """A streamed answer (a clip, an export); an error while it is read is a failure too."""
        try:
            with self.http.stream(method, path, **kw) as r:
                if not r.is_success:
                    r.read()
                self.check(r)
                yield r
        except httpx.HTTPError as exc:
            raise failure_of_error(exc) from None

    def check(self, r: httpx.Response) -> None:
        """The pinned certificate once more on the answer, then the table for one that is not a success."""
        if self.fingerprint:
            got = peer_fingerprint(r)
            # None: the server closed the connection after its answer (the handshake checked the pin, or
            # there was no connection), unless the link is not HTTPS at all: then no pin was ever checked.
            if (got is not None or not self.server.startswith("https://")) and got != self.fingerprint:
                raise ServerFailure(ErrorKind.CERT_CHANGED, cert_changed(self.fingerprint, got), response=r)
        if not r.is_success:
            raise failure_of_response(r)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
