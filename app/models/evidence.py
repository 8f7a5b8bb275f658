"""The evidence clip index: one row per packing video, and the waybills each clip shows.

Kept apart from ``schema.py`` on purpose: a clip names its order, bench and packer as text, with no
foreign key, so a clip (the evidence of a dispute) outlives any change to an order, and the
workflow's tables can change without touching the video index. ``clip_waybills`` makes "which clip
shows waybill X" an index lookup among any number of clips (bench/bench_evidence_find.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.schema import Base
from app.models.types import UTCDateTime


class ClipState(StrEnum):
    RECORDING = "recording"  # being written (or the recorder died: indexed as interrupted at next start)
    COMPLETE = "complete"  # closed normally
    INTERRUPTED = "interrupted"  # a crash, a lost camera or a full disk cut it short; still playable


CLIP_STATES = tuple(s.value for s in ClipState)


class EvidenceClip(Base):
    __tablename__ = "evidence_clips"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(64))
    station: Mapped[str] = mapped_column(String(64))
    packer: Mapped[str] = mapped_column(String(80), default="")
    path: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    frames: Mapped[int] = mapped_column(Integer, default=0)
    fps: Mapped[int] = mapped_column(Integer, default=15)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    marks: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {t, kind, accepted, code, text}
    state: Mapped[str] = mapped_column(String(16), default=ClipState.RECORDING.value)
    end_reason: Mapped[str] = mapped_column(String(40), default="")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)  # kept for a dispute: never deleted
    flag_reason: Mapped[str] = mapped_column(Text, default="")
    # A bench behind the server: its own id of the clip (the journal beside the file), the path the
    # clip had on the bench (a name to show, never opened), and when the server verified the upload
    # (``path`` is then the store's, and empty before).
    bench_key: Mapped[str | None] = mapped_column(String(32))
    bench_path: Mapped[str | None] = mapped_column(Text)
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the clip shows: a parcel packed, or a returned parcel opened (``order_no`` is then the
    # order's, or the return waybill of an unmatched parcel).
    kind: Mapped[str] = mapped_column(String(16), default="packing", server_default="packing")
    waybills: Mapped[list[ClipWaybill]] = relationship(
        back_populates="clip", order_by="ClipWaybill.id", cascade="all, delete-orphan"
    )
    __table_args__ = (
        CheckConstraint("state IN ('recording', 'complete', 'interrupted')", name="state_known"),
        # only a finished clip with its checksum is uploaded (the server verified that checksum)
        CheckConstraint("uploaded_at IS NULL OR (state <> 'recording' AND length(sha256) = 64)",
                        name="uploaded_is_verified"),
        # a bench's clip names no file at the server until the server stored and verified it
        CheckConstraint("bench_key IS NULL OR uploaded_at IS NOT NULL OR path = ''", name="bench_path_not_trusted"),
        Index("ix_evidence_clips_station_bench_key", "station", "bench_key", unique=True),
        Index("ix_evidence_clips_order_no", "order_no"),
        Index("ix_evidence_clips_station_started", "station", "started_at"),
        Index("ix_evidence_clips_state", "state"),
    )


class ClipWaybill(Base):
    __tablename__ = "clip_waybills"
    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("evidence_clips.id", ondelete="CASCADE"))
    waybill: Mapped[str] = mapped_column(String(64))
    clip: Mapped[EvidenceClip] = relationship(back_populates="waybills")
    __table_args__ = (
        Index("ix_clip_waybills_waybill", "waybill"),
        Index("ix_clip_waybills_clip", "clip_id", "waybill", unique=True),
    )


class EvidenceShare(Base):
    """A share link for a dispute (issue 24): one order's evidence to whoever holds the token.

    Only the token's SHA-256 is kept (the token is 256 random bits: a slow hash buys nothing); the
    link names the order, an optional cut (``from_s`` .. ``to_s`` seconds into each clip), when it
    expires, who made it and why, and who revoked it. Every opening is a :class:`ShareOpening`."""

    __tablename__ = "evidence_shares"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    order_no: Mapped[str] = mapped_column(String(64))
    from_s: Mapped[float | None] = mapped_column(Float)
    to_s: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (
        Index("ix_evidence_shares_token_hash", "token_hash", unique=True),
        Index("ix_evidence_shares_order_no", "order_no"),
        CheckConstraint("length(token_hash) = 64", name="token_is_a_hash"),
        CheckConstraint("length(reason) > 0", name="has_reason"),
        CheckConstraint("expires_at > created_at", name="expires_after_made"),
        CheckConstraint("(from_s IS NULL AND to_s IS NULL) OR (from_s IS NOT NULL AND to_s IS NOT NULL AND from_s >= 0 AND to_s > from_s)", name="range_valid"),
        CheckConstraint("(revoked_at IS NULL AND revoked_by IS NULL) OR (revoked_at IS NOT NULL AND revoked_by IS NOT NULL)",
                        name="revoked_by_someone"),
    )


class ShareOpening(Base):
    """One opening of a share link: its page, a clip or the evidence sheet, when and from where."""

    __tablename__ = "evidence_share_openings"
    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("evidence_shares.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    what: Mapped[str] = mapped_column(String(16))
    client: Mapped[str] = mapped_column(String(64), default="")
    __table_args__ = (
        CheckConstraint("what IN ('page', 'clip', 'sheet')", name="what_known"),
        Index("ix_evidence_share_openings_share", "share_id", "at"),
    )
