"""The clip index in the database: create, update and find clips; recovery after a crash; flags.

Used by the recorder process (which owns the rows of the clips it writes), by ``packgate evidence``
and by the supervisor's Evidence tab. Sessions are passed in; nothing here commits on its own
except the few recorder-side helpers that take a session factory and own one unit of work each.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from app.evidence import clipfile
from app.models.evidence import ClipState, ClipWaybill, EvidenceClip

log = logging.getLogger(__name__)
FIND_KEYS = ("order_no", "waybills", "station", "packer", "started_at", "ended_at", "duration_s", "path",
             "sha256", "state")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def clip_dict(clip: EvidenceClip) -> dict:
    # From the clock, not the frame count: a starved recorder leaves gaps, never a shorter clip.
    if clip.ended_at is not None:
        duration = round((clip.ended_at - clip.started_at).total_seconds(), 3)
    else:
        duration = round(clip.frames / clip.fps, 3) if clip.fps else 0.0
    return {
        "order_no": clip.order_no,
        "kind": clip.kind or "packing",  # packing, or return (a returned parcel opened)
        "waybills": [w.waybill for w in clip.waybills],
        "station": clip.station,
        "packer": clip.packer,
        "started_at": _iso(clip.started_at),
        "ended_at": _iso(clip.ended_at),
        "duration_s": duration,
        "path": clip.path,
        "sha256": clip.sha256,
        "state": clip.state,
        # beyond the documented keys: for the supervisor's player and the evidence sheet
        "id": clip.id,
        "frames": clip.frames,
        "bytes": clip.bytes,
        "marks": json.loads(clip.marks or "[]"),
        "flagged": clip.flagged,
        "flag_reason": clip.flag_reason,
        "end_reason": clip.end_reason,
        "uploaded_at": _iso(clip.uploaded_at),
        "bench_path": clip.bench_path,  # the bench's name for it: shown, never opened by the server
    }


def find_clips(session: Session, text: str) -> list[dict]:
    """Clips of an order number or of any of its waybills, oldest first."""
    text = text.strip()
    if not text:
        return []
    keys = {text, text.upper()}
    # Two index lookups (an OR of subqueries makes PostgreSQL scan): the orders whose clips show
    # the waybill, then every clip of those orders and of the text taken as an order number.
    orders = set(session.scalars(
        select(EvidenceClip.order_no).join(ClipWaybill, ClipWaybill.clip_id == EvidenceClip.id)
        .where(ClipWaybill.waybill.in_(keys))
    ))
    clips = session.scalars(
        select(EvidenceClip)
        .where(EvidenceClip.order_no.in_(keys | orders))
        .options(selectinload(EvidenceClip.waybills))
        .order_by(EvidenceClip.started_at, EvidenceClip.id)
    ).all()
    return [clip_dict(c) for c in clips]


def set_flag(session: Session, text: str, reason: str, flagged: bool = True) -> int:
    """Flag (keep for a dispute) or unflag every clip of an order or waybill; returns how many."""
    ids = [c["id"] for c in find_clips(session, text)]
    if ids:
        session.execute(update(EvidenceClip).where(EvidenceClip.id.in_(ids))
                        .values(flagged=flagged, flag_reason=reason if flagged else ""))
    return len(ids)


class ClipIndex:
    """The recorder's side: one short unit of work per change of a clip it writes."""

    def __init__(self, sessions: sessionmaker[Session], station: str) -> None:
        self.sessions, self.station = sessions, station

    def create(self, *, order_no: str, packer: str, path: Path, started_at: datetime, fps: int,
               width: int, height: int, waybills: tuple[str, ...] = (), kind: str = "packing") -> int:
        with self.sessions.begin() as s:
            clip = EvidenceClip(order_no=order_no, station=self.station, packer=packer, path=str(path), kind=kind,
                                started_at=started_at, fps=fps, width=width, height=height, frames=0, bytes=0,
                                sha256="", marks="[]", state=ClipState.RECORDING.value, end_reason="",
                                flagged=False, flag_reason="")
            clip.waybills = [ClipWaybill(waybill=w) for w in dict.fromkeys(waybills)]
            s.add(clip)
            s.flush()
            return clip.id

    def add_waybill(self, clip_id: int, waybill: str) -> None:
        with self.sessions.begin() as s:
            known = s.scalar(select(ClipWaybill.id).where(ClipWaybill.clip_id == clip_id,
                                                           ClipWaybill.waybill == waybill))
            if known is None:
                s.add(ClipWaybill(clip_id=clip_id, waybill=waybill))

    def finish(self, clip_id: int, **values) -> None:
        if "marks" in values and not isinstance(values["marks"], str):
            values["marks"] = json.dumps(values["marks"], ensure_ascii=False)
        with self.sessions.begin() as s:
            s.execute(update(EvidenceClip).where(EvidenceClip.id == clip_id).values(**values))

    def recover(self, now: datetime) -> list[dict]:
        """Clips of this bench left ``recording`` by a crash: repaired, measured, indexed ``interrupted``."""
        recovered = []
        with self.sessions.begin() as s:
            clips = s.scalars(select(EvidenceClip).where(EvidenceClip.station == self.station,
                                                         EvidenceClip.bench_key.is_(None),  # not a remote bench's
                                                         EvidenceClip.state == ClipState.RECORDING.value)).all()
            for clip in clips:
                path = Path(clip.path)
                values = measure_interrupted(path, clip.started_at, clip.fps)
                if "marks" in values:
                    values["marks"] = json.dumps(values["marks"], ensure_ascii=False)
                s.execute(update(EvidenceClip).where(EvidenceClip.id == clip.id).values(**values))
                drop_marks_file(path)
                recovered.append({"id": clip.id, "order_no": clip.order_no, "path": clip.path, **values})
        for item in recovered:
            log.warning("clip of order %s was interrupted: indexed as such (%s)", item["order_no"], item["path"])
        return recovered


def measure_interrupted(path: Path, started_at: datetime, fps: int) -> dict:
    """What the index says of a clip its recorder left unfinished: repaired (torn tail cut), then
    its real frames, bytes, SHA-256, length and the marks saved beside it; or "file missing"."""
    from datetime import timedelta

    values: dict = {"state": ClipState.INTERRUPTED.value, "end_reason": "recorder stopped"}
    if not path.exists():
        values.update(end_reason="file missing", ended_at=started_at)
        return values
    clipfile.repair_tail(path)
    info = clipfile.probe(path)
    values.update(frames=info["frames"], bytes=path.stat().st_size, sha256=clipfile.sha256_file(path))
    fps = info["fps"] or fps
    seconds = info["duration_s"] or (info["frames"] / fps if fps else 0)
    values["ended_at"] = started_at + timedelta(seconds=seconds)
    values["fps"] = fps
    marks = read_marks(path)
    if marks:
        values["marks"] = marks
    return values


def marks_path(path: Path) -> Path:
    return path.with_name(path.name + ".marks.jsonl")


def append_mark(path: Path, mark: dict) -> None:
    """Marks are also appended beside the clip, so a killed recorder loses none of them."""
    with open(marks_path(path), "a", encoding="utf-8") as fh:
        fh.write(json.dumps(mark, ensure_ascii=False) + "\n")


def read_marks(path: Path) -> list[dict]:
    try:
        lines = marks_path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    marks = []
    for line in lines:
        try:
            marks.append(json.loads(line))
        except ValueError:  # a torn last line
            break
    return marks


def drop_marks_file(path: Path) -> None:
    try:
        marks_path(path).unlink()
    except FileNotFoundError:
        pass


def apply_retention(session: Session, station: str, now: datetime, days: float, max_gb: float, *,
                    uploaded_only: bool = False) -> list[str]:
    """Delete this bench's oldest clips past ``days`` or beyond ``max_gb`` in all; never a flagged one
    nor one being recorded. ``uploaded_only`` (the server's evidence store): only the clips whose
    upload the server verified count and go; a clip still on its bench is not the server's to delete.
    Returns the paths removed."""
    from datetime import timedelta

    query = (select(EvidenceClip.id, EvidenceClip.path, EvidenceClip.bytes, EvidenceClip.started_at,
                    EvidenceClip.flagged, EvidenceClip.state)
             .where(EvidenceClip.station == station)
             .order_by(EvidenceClip.started_at, EvidenceClip.id))
    if uploaded_only:
        query = query.where(EvidenceClip.uploaded_at.is_not(None))
    clips = session.execute(query).all()
    doomed: list[tuple[int, str]] = []
    if days:
        cutoff = now - timedelta(days=days)
        doomed += [(c.id, c.path) for c in clips
                   if c.started_at < cutoff and not c.flagged and c.state != ClipState.RECORDING.value]
    if max_gb:
        gone = {i for i, _ in doomed}
        total = sum(c.bytes for c in clips if c.id not in gone)
        limit = max_gb * 1024**3
        for c in clips:
            if total <= limit:
                break
            if c.id in gone or c.flagged or c.state == ClipState.RECORDING.value:
                continue
            doomed.append((c.id, c.path))
            total -= c.bytes
    if not doomed:
        return []
    for _id, path in doomed:
        if not path:  # a clip the server never received: no file of it here
            continue
        p = Path(path)
        try:
            p.unlink()
        except FileNotFoundError:
            pass
        drop_marks_file(p)
    ids = [i for i, _ in doomed]
    session.execute(delete(ClipWaybill).where(ClipWaybill.clip_id.in_(ids)))
    session.execute(delete(EvidenceClip).where(EvidenceClip.id.in_(ids)))
    return [p for _, p in doomed]
