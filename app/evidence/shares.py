"""Share links for disputes (issue 24): one order's evidence, to whoever holds the link, for a while.

A share is an opaque token of 256 random bits; the database keeps only its SHA-256 (a slow hash buys
nothing against 256 bits), so a copy of the database opens no link. A share names one order, an
optional cut (``from_s`` .. ``to_s`` seconds into each of its clips), its expiry (``share_days``,
default 14), who made it and why; a supervisor revokes it. :func:`open_share` is the only way in: it
answers the share while it is current and None otherwise (unknown, revoked, expired: one answer, so
a caller learns nothing from the difference). Every opening is logged (:func:`log_opening`).

Making and revoking are audited in the shift's audit trail, in the same transaction as the row.
The clock is the services' (a test injects one). A cut is a remux (:func:`cut_clip`): the packets
are copied from the key frame at or before ``from_s`` to ``to_s``, never re-encoded, so the cut's
frames are the recorder's own.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import KnownError
from app.evidence.index import find_clips
from app.models.evidence import EvidenceShare, ShareOpening
from app.models.schema import Role, User
from app.packing.auth import Supervisor, add_audit_event
from app.packing.ports import Services

DEFAULT_DAYS = 14
MAX_DAYS = 365
SHARE_PATH = "/share/"


class ShareRefused(KnownError):
    """The share cannot be made or revoked as asked; nothing was changed."""


@dataclass(frozen=True)
class Share:
    """A current share, as the share page needs it."""

    id: int
    order_no: str
    from_s: float | None
    to_s: float | None
    expires_at: datetime


@dataclass(frozen=True)
class Made:
    token: str
    order_no: str
    expires_at: datetime

    def link(self, base_url: str) -> str:
        return base_url.rstrip("/") + SHARE_PATH + self.token


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_of(token_or_link: str) -> str:
    """The token of a link (``https://HOST:8650/share/TOKEN``, with or without a trailing part) or a token."""
    text = token_or_link.strip()
    if SHARE_PATH in text:
        text = text.split(SHARE_PATH, 1)[1]
    return text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]


def supervisor_by_badge(services: Services, badge: str) -> Supervisor:
    """The active supervisor with ``badge`` (the terminal on the server is trusted, as for ``evidence flag``)."""
    with services.read_uow() as uow:
        user = uow.session.scalar(select(User).where(User.badge == badge.strip()))
        if user is None or not user.active or user.role != Role.SUPERVISOR.value:
            raise ShareRefused(f"{badge.strip()!r} is not an active supervisor's badge")
        return Supervisor(user.id, user.name, user.session_epoch)


def check_request(reason: str, days: int, from_s: float | None, to_s: float | None) -> None:
    """Refuse a share before anything is asked of the supervisor (a PIN attempt costs nothing then)."""
    if not (reason or "").strip():
        raise ShareRefused("Give a reason: it goes into the audit trail")
    if not 1 <= days <= MAX_DAYS:
        raise ShareRefused(f"A share lasts 1 to {MAX_DAYS} days")
    if (from_s is None) != (to_s is None):
        raise ShareRefused("Give both the start and the end of the cut, or neither")
    if from_s is not None and to_s is not None and not 0 <= from_s < to_s:
        raise ShareRefused("The cut's start must be at or after 0 s and before its end")


def make_share(services: Services, text: str, by: Supervisor, reason: str, *, days: int = DEFAULT_DAYS,
               from_s: float | None = None, to_s: float | None = None, station: str | None = None) -> Made:
    """A new share of the order of ``text`` (an order number or a waybill with evidence)."""
    check_request(reason, days, from_s, to_s)
    token = secrets.token_urlsafe(32)  # 256 bits
    now = services.clock()
    with services.uow() as uow:
        s = uow.session
        clips = find_clips(s, text)
        if not clips:
            raise ShareRefused(f"No video evidence for {text.strip()!r} (an order number or a waybill)")
        order_no = clips[0]["order_no"]
        expires = now + timedelta(days=days)
        s.add(EvidenceShare(token_hash=digest(token), order_no=order_no, from_s=from_s, to_s=to_s, created_at=now,
                            expires_at=expires, created_by=by.user_id, reason=reason.strip()))
        cut = f", cut {from_s:g}-{to_s:g} s" if from_s is not None and to_s is not None else ""
        add_audit_event(s, services, by, kind="share", what=f"evidence share {order_no}",
                        message=f"{by.name} shared the evidence of order {order_no} for {days} days{cut}: "
                                f"{reason.strip()}", station=station)
    return Made(token, order_no, expires)


def revoke_share(services: Services, token_or_link: str, by: Supervisor, station: str | None = None) -> str:
    """Revoke a share (its order number is answered); an unknown or already revoked one is refused."""
    now = services.clock()
    with services.uow() as uow:
        s = uow.session
        share = s.scalar(select(EvidenceShare).where(EvidenceShare.token_hash == digest(token_of(token_or_link)))
                         .with_for_update())
        if share is None:
            raise ShareRefused("No such share link")
        if share.revoked_at is not None:
            raise ShareRefused(f"The share link of order {share.order_no} is revoked already")
        share.revoked_at, share.revoked_by = now, by.user_id
        add_audit_event(s, services, by, kind="share", what=f"evidence unshare {share.order_no}",
                        message=f"{by.name} revoked a share link of order {share.order_no}", station=station)
        return share.order_no


def open_share(s: Session, token: str, now: datetime) -> Share | None:
    """The share of ``token`` while it is current; None when unknown, revoked or expired."""
    if not token or len(token) > 128:
        return None
    share = s.scalar(select(EvidenceShare).where(EvidenceShare.token_hash == digest(token)))
    if share is None or share.revoked_at is not None or share.expires_at <= now:
        return None
    return Share(share.id, share.order_no, share.from_s, share.to_s, share.expires_at)


def log_opening(s: Session, share: Share, what: str, client: str, now: datetime) -> None:
    s.add(ShareOpening(share_id=share.id, at=now, what=what, client=client[:64]))


def shared_clips(s: Session, share: Share) -> list[dict[str, Any]]:
    """The share's clips the server holds and verified (never one still at its bench)."""
    return [c for c in find_clips(s, share.order_no)
            if c["order_no"] == share.order_no and c["path"] and len(c["sha256"] or "") == 64
            and c["state"] != "recording"]


def public_clip(clip: dict[str, Any], share: Share, cut_start: float | None = None) -> dict[str, Any]:
    """What the share page may show of a clip: no paths, no bench file names, no flags. With a cut,
    only its marks, on the cut's clock (``cut_start``: where the cut begins in the clip, the key
    frame at or before the share's start)."""
    marks = [{"t": m.get("t"), "kind": m.get("kind"), "code": m.get("code")} for m in clip["marks"]
             if isinstance(m, dict) and isinstance(m.get("t"), int | float)]
    if share.from_s is not None and share.to_s is not None:
        start = share.from_s if cut_start is None else cut_start
        marks = [{**m, "t": round(m["t"] - start, 3)} for m in marks if share.from_s <= m["t"] <= share.to_s]
    return {"id": clip["id"], "station": clip["station"], "packer": clip["packer"], "started_at": clip["started_at"],
            "duration_s": clip["duration_s"], "sha256": clip["sha256"], "waybills": clip["waybills"], "marks": marks}


def key_frame_at_or_before(source: Path, seconds: float) -> float:
    """Where a cut from ``seconds`` begins: the time of the key frame at or before it."""
    import av

    with av.open(str(source)) as inp:
        video = inp.streams.video[0]
        if video.time_base is None:
            return seconds
        inp.seek(int(seconds / video.time_base), stream=video, backward=True, any_frame=False)
        for packet in inp.demux(video):
            if packet.pts is not None:
                return float(packet.pts * video.time_base)
    return seconds


def cut_clip(source: Path, target: Path, from_s: float, to_s: float) -> Path:
    """``source`` from the key frame at or before ``from_s`` to ``to_s``, remuxed into ``target`` (no
    re-encoding: the packets are the recorder's own). Written under a temporary name, then renamed."""
    import av

    part = target.with_name(target.name + ".part")
    with av.open(str(source)) as inp, av.open(str(part), "w", format="mp4",
                                              options={"movflags": "+faststart"}) as out:
        video = inp.streams.video[0]
        streams = {s.index: out.add_stream_from_template(s) for s in inp.streams if s.type in ("video", "audio")}
        if video.time_base is None:
            raise KnownError(f"{source.name}: no video time base")
        inp.seek(int(from_s / video.time_base), stream=video, backward=True, any_frame=False)
        offsets: dict[int, int] = {}
        for packet in inp.demux(*[inp.streams[i] for i in streams]):
            if packet.dts is None or packet.pts is None or packet.time_base is None:
                continue
            seconds = float(packet.pts * packet.time_base)
            if packet.stream.type == "video" and seconds > to_s:
                break
            if packet.stream.type == "audio" and (seconds > to_s or seconds < from_s):
                continue
            first = offsets.setdefault(packet.stream.index, packet.dts)
            packet.pts, packet.dts = packet.pts - first, packet.dts - first
            packet.stream = streams[packet.stream.index]
            out.mux(packet)
    part.replace(target)
    return target
