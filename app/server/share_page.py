"""A share link's page (issue 24): ``/share/TOKEN`` shows one order's evidence without a login.

The token is the only credential (:mod:`app.evidence.shares`): while it is current it opens its
order's clips (each cut to the share's range when it has one, remuxed once and kept beside the
store), the order's evidence sheet PDF, and nothing else of the site: no figures, no other order,
no file path. An unknown, revoked or expired token gets the same 404, whichever it is. Every opening
(the page, a clip, the sheet) is logged with its time and the caller's address.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as UrlPart
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from app.desk.local import LocalDesk
from app.errors import KnownError
from app.evidence import shares
from app.server.deps import Ctx, ServerContext
from app.server.floor import page_file

Token = Annotated[str, UrlPart(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
GONE = "This share link is not valid: it expired, was revoked, or never existed"
_cut_lock = threading.Lock()  # one cut at a time: two players asking at once get the same file

router = APIRouter(prefix="/share", include_in_schema=False)


def _open(ctx: ServerContext, token: str, request: Request, what: str | None) -> shares.Share:
    """The current share of ``token`` (404 otherwise); ``what``: log this opening."""
    now = ctx.services.clock()
    with ctx.services.uow() as uow:
        share = shares.open_share(uow.session, token, now)
        if share is not None and what is not None:
            shares.log_opening(uow.session, share, what, request.client.host if request.client else "", now)
    if share is None:
        raise HTTPException(404, GONE)
    return share


def _clip(ctx: ServerContext, share: shares.Share, clip_id: int) -> tuple[dict[str, Any], Path]:
    with ctx.services.read_uow() as uow:
        found = [c for c in shares.shared_clips(uow.session, share) if c["id"] == clip_id]
    if not found:
        raise HTTPException(404, "No such clip in this share")
    try:  # only a video file in the server's own evidence folders, as for the desk
        path = LocalDesk(ctx.services, None, serving=True, clip_roots=ctx.clip_roots).clip_file(clip_id)
    except KnownError:
        raise HTTPException(404, "No such clip in this share") from None
    return found[0], path


def _cut(ctx: ServerContext, share: shares.Share, clip_id: int, path: Path) -> Path:
    if share.from_s is None or share.to_s is None:
        return path
    folder = ctx.clip_roots[0] / ".share-cuts"
    target = folder / f"share{share.id}-clip{clip_id}.mp4"
    with _cut_lock:
        if not target.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            shares.cut_clip(path, target, share.from_s, share.to_s)
    return target


@router.get("/{token}")
def share_page(token: Token, request: Request, ctx: Ctx) -> Response:
    try:
        _open(ctx, token, request, "page")
    except HTTPException:
        answer = page_file("share.html")
        answer.status_code = 404  # the page says so in the visitor's language
        return answer
    return page_file("share.html")


@router.get("/{token}/info")
def share_info(token: Token, request: Request, ctx: Ctx) -> dict[str, Any]:
    share = _open(ctx, token, request, None)
    with ctx.services.read_uow() as uow:
        clips = shares.shared_clips(uow.session, share)
    shown = []
    for clip in clips:
        try:
            _, path = _clip(ctx, share, clip["id"])
        except HTTPException:  # not a file the server may serve: not shown
            continue
        start = shares.key_frame_at_or_before(path, share.from_s) if share.from_s is not None else None
        shown.append(shares.public_clip(clip, share, start))
    return {"order_no": share.order_no, "expires_at": share.expires_at.isoformat(timespec="seconds"),
            "from_s": share.from_s, "to_s": share.to_s, "clips": shown}


@router.get("/{token}/clips/{clip_id}")
def share_clip(token: Token, clip_id: Annotated[int, UrlPart(ge=1, le=2**31 - 1)], request: Request, ctx: Ctx,
               download: bool = False) -> FileResponse:
    """The clip (cut to the share's range), with Range requests; a first request (no Range, or one
    from byte 0) is logged as an opening, a player's further ranges are not."""
    ranged = request.headers.get("range", "")
    share = _open(ctx, token, request, None)
    clip, path = _clip(ctx, share, clip_id)
    if not ranged or ranged.replace(" ", "").startswith("bytes=0-"):
        _open(ctx, token, request, "clip")
    cut = _cut(ctx, share, clip_id, path)
    name = f"{share.order_no}-{clip['station']}-{clip_id}.mp4"
    return FileResponse(cut, media_type="video/mp4", filename=name,
                        content_disposition_type="attachment" if download else "inline",
                        headers={"Cache-Control": "private, no-store"})


@router.get("/{token}/sheet.pdf")
def share_sheet(token: Token, request: Request, ctx: Ctx) -> FileResponse:
    """The order's evidence sheet, rendered by the server from its own verified clips."""
    share = _open(ctx, token, request, "sheet")
    folder = Path(tempfile.mkdtemp(prefix="packgate-share-"))
    try:
        result = LocalDesk(ctx.services, None, serving=True, clip_roots=ctx.clip_roots).export_evidence(
            share.order_no, folder)
    except KnownError:
        shutil.rmtree(folder, ignore_errors=True)
        raise HTTPException(409, "The evidence sheet cannot be made yet: no clip of this order is on the server") \
            from None
    return FileResponse(result["sheet"], media_type="application/pdf", filename=Path(result["sheet"]).name,
                        content_disposition_type="inline", headers={"Cache-Control": "private, no-store"},
                        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))
