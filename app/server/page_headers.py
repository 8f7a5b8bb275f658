"""Headers every page answer gets (``/floor`` and ``/share``): the Content-Security-Policy (only the
page's own files: no inline script, no other origin), no MIME sniffing, no framing, and no Referer
(a share link's token never leaves in one). JSON answers of the page are never cached.

Besides the session cookie's ``SameSite=Strict``, a POST to the page's JSON routes that names another
origin (``Origin``) is refused (403) before it reaches a route: another site cannot make the page act."""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.server.floor import CSP

HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
PAGES = ("/floor", "/share/")


class PageHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PAGES):
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/floor/api/")
        if api and scope["method"] == "POST" and not _same_origin(scope):
            await JSONResponse({"detail": {"kind": "refused", "text": "A call from another site is refused"}},
                               status_code=403, headers=dict((k.decode(), v.decode()) for k, v in HEADERS)
                               )(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() not in dict(HEADERS)]
                headers += HEADERS
                if api and not any(h[0].lower() == b"cache-control" for h in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _same_origin(scope: Scope) -> bool:
    """No ``Origin`` (not a browser's cross-site call), or the one this request was made to."""
    headers = {k.lower(): v.decode("latin-1") for k, v in scope["headers"]}
    origin = headers.get(b"origin")
    if origin is None:
        return True
    return origin == f"{scope.get('scheme', 'http')}://{headers.get(b'host', '')}"
