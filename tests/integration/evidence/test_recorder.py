"""The recorder process with the test camera: the clip plays, shows its order then its waybill in a
QR code, lasts as long as the packing did, survives kill -9, and reports a lost camera or a full disk.

The recorders here run on a stepped clock (``Tick``): how long the packing took is said in frames, and
the clip is checked in its own time, so a loaded machine makes a test slower, never wrong."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.evidence import clipfile
from app.evidence.commands import (
    AddWaybill,
    CameraState,
    ClipEnded,
    ClipStarted,
    DiskFull,
    Mark,
    StartClip,
    StopClip,
    Tick,
)
from app.evidence.index import find_clips
from app.models.evidence import EvidenceClip
from tests.integration.evidence.recorder_helpers import (
    FPS,
    config,
    decoded_frames,
    frames_qr_texts,
    ticks,
    wait_on_disk,
)

TAIL_S = 0.5
FRAME_S = 1 / FPS


def test_clip_shows_order_then_waybill_and_lasts_from_opening_to_waybill_plus_tail(
        tmp_path, sqlite_services, recorders):
    rec, events = recorders(config(tmp_path / "ev", sqlite_services.db_url, stepped=True))
    assert events.wait(CameraState, where=lambda e: e.ok).ok
    rec.send(StartClip("PDD-1001", "BENCH-1", "李娜 Li Na", ()))  # marks and stops at 0: "now" on its clock
    rec.send(Tick(ticks(1.0)))  # a second of packing
    rec.send(Mark("item", True, "6901234567892", "accepted"))
    rec.send(Tick(ticks(0.6)))
    rec.send(Mark("waybill", True, "SF1400000000000", "linked"))
    rec.send(AddWaybill("SF1400000000000"))
    rec.send(StopClip(TAIL_S, "packed"))
    rec.send(Tick(ticks(TAIL_S + 1.0)))  # the clock goes on past the tail: the clip does not
    started = events.wait(ClipStarted)
    ended = events.wait(ClipEnded)

    assert ended.state == "complete" and ended.order_no == "PDD-1001"
    path = Path(ended.path)
    assert path.name.startswith("PDD-1001_SF1400000000000_") and path.suffix == ".mp4"
    assert not Path(started.path).exists()  # renamed with its waybill
    # The duration is the time from opening the order to linking the waybill, plus the tail, in the
    # clip's own time: its first frame is the first after the order opened, its last the tail's end.
    expected = 1.0 + 0.6 + TAIL_S
    assert abs(ended.duration_s - expected) <= FRAME_S + 0.001, (ended.duration_s, expected)
    assert ended.frames == round(ended.duration_s * FPS)  # a frame in every interval: none skipped
    waybill_at = ended.marks[-1]["t"]
    assert abs(ended.duration_s - (waybill_at + TAIL_S)) <= FRAME_S + 0.001, (ended.duration_s, ended.marks)
    texts = [t for t in frames_qr_texts(path) if t]
    assert texts[0] == "PackGate order=PDD-1001"
    assert texts[-1] == "PackGate order=PDD-1001 waybill=SF1400000000000"
    assert decoded_frames(path) == ended.frames

    with sqlite_services.read_uow() as uow:
        [clip] = find_clips(uow.session, "SF1400000000000")
    assert clip["state"] == "complete" and clip["path"] == str(path) and clip["waybills"] == ["SF1400000000000"]
    assert clip["sha256"] == clipfile.sha256_file(path) and clip["bytes"] == path.stat().st_size
    assert abs(clip["duration_s"] - ended.duration_s) < 0.01
    assert [m["kind"] for m in clip["marks"]] == ["item", "waybill"]
    assert clip["marks"][0]["t"] == pytest.approx(1.0, abs=FRAME_S + 0.001)  # the item, 1 s after the opening
    assert clip["marks"][1]["t"] - clip["marks"][0]["t"] == pytest.approx(0.6, abs=0.002)


def test_kill_9_mid_recording_leaves_a_playable_clip_indexed_interrupted_at_next_start(
        tmp_path, sqlite_services, recorders):
    cfg = config(tmp_path / "ev", sqlite_services.db_url, stepped=True)
    rec, events = recorders(cfg)
    events.wait(CameraState, where=lambda e: e.ok)
    rec.send(StartClip("PDD-1002", "BENCH-1", "王芳", ()))
    rec.send(Mark("order", True, "PDD-1002", "opened"))
    rec.send(AddWaybill("75310000000001"))
    rec.send(Tick(ticks(2.5)))
    started = events.wait(ClipStarted)
    wait_on_disk(started.path, ticks(2.0))  # two whole one-second fragments on disk, the third one not
    os.kill(rec.process.pid, signal.SIGKILL)
    rec.process.join(5)
    with sqlite_services.read_uow() as uow:
        assert uow.session.scalar(select(EvidenceClip.state)) == "recording"

    _again, events2 = recorders(cfg)  # the next start finds and indexes it
    events2.wait(CameraState, where=lambda e: e.ok)
    with sqlite_services.read_uow() as uow:
        [clip] = find_clips(uow.session, "75310000000001")
    path = Path(started.path)
    assert clip["state"] == "interrupted" and clip["path"] == str(path)
    frames = decoded_frames(path)
    assert frames == ticks(2.0) and clip["frames"] == frames  # the whole fragments, and the torn one cut
    assert clip["duration_s"] == pytest.approx(2.0, abs=0.001)
    assert clip["sha256"] == clipfile.sha256_file(path) and clip["bytes"] == path.stat().st_size
    assert [m["kind"] for m in clip["marks"]] == ["order"]  # kept beside the clip while recording
    assert not clipfile.repair_tail(path)  # whole boxes only
    assert "PackGate order=PDD-1002 waybill=75310000000001" in frames_qr_texts(path)


def test_a_lost_camera_ends_the_clip_interrupted_and_says_so(tmp_path, sqlite_services, recorders):
    rec, events = recorders(config(tmp_path / "ev", sqlite_services.db_url, camera="test:lose_after=2",
                                   stepped=True))
    events.wait(CameraState, where=lambda e: e.ok)
    rec.send(StartClip("PDD-1003", "BENCH-1", "p", ()))
    rec.send(Tick(ticks(3.0)))
    events.wait(ClipStarted)
    lost = events.wait(CameraState, where=lambda e: not e.ok)
    assert "unplugged" in lost.reason
    ended = events.wait(ClipEnded)
    assert ended.state == "interrupted" and ended.reason == "camera lost"
    assert ended.frames == ticks(2.0) and decoded_frames(ended.path) == ended.frames  # up to the loss
    assert ended.marks[-1]["kind"] == "camera"
    with sqlite_services.read_uow() as uow:
        [clip] = find_clips(uow.session, "PDD-1003")
    assert clip["state"] == "interrupted" and json.dumps(clip["marks"])


def test_a_full_disk_records_nothing_and_says_so(tmp_path, recorders):
    rec, events = recorders(config(tmp_path / "ev", None, min_free_mb=10**9))
    events.wait(CameraState, where=lambda e: e.ok)
    rec.send(StartClip("PDD-1004", "BENCH-1", "p", (), time.time()))
    full = events.wait(DiskFull)
    assert full.folder == str(tmp_path / "ev") and full.free_mb < 10**9
    assert not any(isinstance(e, ClipStarted) for e in events.seen)
