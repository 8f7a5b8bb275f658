"""Retention: clips older than N days or beyond N GB per bench go, oldest first; flagged clips and
clips being recorded never do; other benches' clips are not touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.evidence.index import ClipIndex, apply_retention, find_clips, set_flag
from app.models.evidence import EvidenceClip

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _clip(index: ClipIndex, folder: Path, order_no: str, days_ago: float, size: int, state="complete") -> Path:
    path = folder / f"{order_no}.mp4"
    path.write_bytes(b"\0" * size)
    clip_id = index.create(order_no=order_no, packer="p", path=path, started_at=NOW - timedelta(days=days_ago),
                           fps=15, width=320, height=240, waybills=(f"WB{order_no}",))
    if state != "recording":
        index.finish(clip_id, state=state, bytes=size, frames=15)
    return path


def test_old_clips_go_and_flagged_or_recording_ones_stay(tmp_path, services):
    index = ClipIndex(services.sessions, "BENCH-1")
    other = ClipIndex(services.sessions, "BENCH-2")
    old = _clip(index, tmp_path, "O-1", 40, 10)
    flagged = _clip(index, tmp_path, "O-2", 41, 10)
    recording = _clip(index, tmp_path, "O-3", 42, 10, state="recording")
    fresh = _clip(index, tmp_path, "O-4", 1, 10)
    elsewhere = _clip(other, tmp_path, "O-5", 50, 10)
    with services.uow() as uow:
        assert set_flag(uow.session, "WBO-2", "refund claim") == 1
        uow.commit()
    with services.uow() as uow:
        removed = apply_retention(uow.session, "BENCH-1", NOW, days=30, max_gb=0)
        uow.commit()
    assert removed == [str(old)]
    assert not old.exists() and flagged.exists() and recording.exists() and fresh.exists() and elsewhere.exists()
    with services.read_uow() as uow:
        assert find_clips(uow.session, "WBO-1") == []
        assert find_clips(uow.session, "O-2")[0]["flagged"] is True


def test_a_bench_over_its_size_limit_loses_its_oldest_clips_first(tmp_path, services):
    index = ClipIndex(services.sessions, "BENCH-1")
    gib = 1024**3
    # sizes in the index (the files are tiny): 3 clips of 0.4 GiB against a 1 GiB limit
    paths = [_clip(index, tmp_path, f"S-{i}", 10 - i, 1) for i in range(3)]
    with services.uow() as uow:
        for clip in uow.session.scalars(select(EvidenceClip)):
            clip.bytes = int(0.4 * gib)
        uow.commit()
    with services.uow() as uow:
        set_flag(uow.session, "S-0", "dispute")  # the oldest is flagged: the next oldest goes instead
        removed = apply_retention(uow.session, "BENCH-1", NOW, days=0, max_gb=1.0)
        uow.commit()
    assert removed == [str(paths[1])]
    assert paths[0].exists() and not paths[1].exists() and paths[2].exists()
