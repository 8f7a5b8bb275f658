"""The server's gate: what every request passes before a route reads a byte of its body.

1. The method: a path the server knows, asked with a method it does not answer, gets 405 with every
   method it does answer in ``Allow`` (``OPTIONS`` gets them with 204), whichever route matched first.
2. The station token (every ``/api/v1`` call but ``health`` and ``enrol``): 401 before the body is
   read, so a caller without a token cannot make the server read (and hold) anything. The station
   found is handed to the routes in ``scope["state"]["station"]``. A route that checks the token
   again in its own transaction (the scan: a token revoked before the scan began is refused there)
   is let through on a token the gate found good in the last ``RECHECKED_TRUST_S`` seconds, without
   a database read and a worker thread's round trip of its own.
3. The body's size, per route: a ``Content-Length`` over the limit is 413 at once; a body sent
   without one (chunked) is counted as it streams and cut at the limit with 413.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import DatabaseUnavailable

JSON_LIMIT = 64 * 1024  # every JSON call: a scan is at most 4 kB of text and a session blob
RECHECKED_TRUST_S = 5.0  # a good token, for the routes that check it again in their own transaction
_TRUSTED_MAX = 4096  # tokens remembered at most (the stations of a site); the oldest are forgotten


def size_text(limit: int) -> str:
    return f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 1024} kB"


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Too large: this call takes at most {size_text(limit)} (split a file to import)")


class Gate:
    """ASGI middleware; ``routes()`` maps each path template to its methods (read once, at the
    first request: the OpenAPI document's, so the gate and the document agree)."""

    def __init__(self, app: ASGIApp, *, routes: Callable[[], dict[str, set[str]]], limits: dict[tuple[str, str], int],
                 open_paths: frozenset[str], station_for_token: Callable[[str], tuple[int, str] | None],
                 no_token: str, revoked: str, prefix: str = "/api/",
                 rechecked: frozenset[tuple[str, str]] = frozenset(),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self._routes, self.limits, self.open_paths = app, routes, limits, open_paths
        self.station_for_token, self.no_token, self.revoked, self.prefix = station_for_token, no_token, revoked, prefix
        self.rechecked, self.clock = rechecked, clock  # (method, path template) of the routes that check again
        self._table: list[tuple[re.Pattern[str], frozenset[str], str]] | None = None
        self._good: dict[str, tuple[tuple[int, str], float]] = {}  # token -> (station, found at)

    def table(self) -> list[tuple[re.Pattern[str], frozenset[str], str]]:
        if self._table is None:
            self._table = [(compile_path(path)[0], frozenset(m.upper() for m in methods), path)
                           for path, methods in self._routes().items()]
        return self._table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        matched = [(methods, template) for regex, methods, template in self.table() if regex.match(path)]
        allowed = frozenset().union(*(m for m, _ in matched)) if matched else frozenset()
        if "GET" in allowed:
            allowed |= {"HEAD"}
        if matched and method not in allowed:
            allow = ", ".join(sorted(allowed | {"OPTIONS"}))
            if method == "OPTIONS":
                await Response(status_code=204, headers={"Allow": allow})(scope, receive, send)
            else:
                await JSONResponse({"detail": f"{method} is not answered here; {allow} are"}, status_code=405,
                                   headers={"Allow": allow})(scope, receive, send)
            return
        template = next((t for m, t in matched if method in m), path)
        if path.startswith(self.prefix) and path not in self.open_paths:
            refusal = await self._check_token(scope, rechecked=(method, template) in self.rechecked)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        limit = self.limits.get((method, template), JSON_LIMIT)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await JSONResponse({"detail": BodyTooLarge(limit).detail}, status_code=413,
                               headers={"Connection": "close"})(scope, receive, send)
            return
        await self.app(scope, _counting(receive, limit), send)

    async def _check_token(self, scope: Scope, *, rechecked: bool = False) -> Response | None:
        token = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value.decode("latin-1").removeprefix("Bearer ").strip()
        if not token:
            return JSONResponse({"detail": self.no_token}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        now = self.clock()
        good = self._good.get(token)
        if rechecked and good is not None and now - good[1] < RECHECKED_TRUST_S:
            scope.setdefault("state", {})["station"] = good[0]
            return None
        try:
            found = await run_in_threadpool(self.station_for_token, token)
        except DatabaseUnavailable:
            return JSONResponse({"detail": "The server's database is unreachable: nothing was saved"},
                                status_code=503)
        if found is None:
            self._good.pop(token, None)
            return JSONResponse({"detail": self.revoked}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        if len(self._good) >= _TRUSTED_MAX and token not in self._good:
            self._good.pop(next(iter(self._good)))
        self._good[token] = (found, now)
        scope.setdefault("state", {})["station"] = found
        return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:  # a route's body read answers 413 (FastAPI re-raises an HTTPException)
                raise BodyTooLarge(limit)
        return message

    return counted
