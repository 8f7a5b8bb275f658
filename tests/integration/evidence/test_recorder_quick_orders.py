"""An order opened and packed within one frame interval (a fast bench, a burst of scans) still gets
its clip with the tail; one cancelled that fast gets none and breaks nothing."""

from __future__ import annotations

import time

import pytest

from app.evidence.commands import (
    CameraState,
    ClipEnded,
    ClipStarted,
    Mark,
    RecorderProblem,
    StartClip,
    StopClip,
)
from app.evidence.recorder import Recorder
from tests.integration.evidence.recorder_helpers import Events, config, decoded_frames


def test_an_order_packed_within_a_frame_still_has_its_clip(tmp_path):
    rec = Recorder(config(tmp_path / "ev"))
    rec.start()
    try:
        events = Events(rec)
        events.wait(CameraState, where=lambda e: e.ok)
        for n in range(3):  # whatever the phase of the frame clock, each order has its clip
            now = time.time()
            rec.send(StartClip(f"PDD-{n}", "BENCH-1", "p", (), now))
            rec.send(Mark("waybill", True, "SF1400000000000", "linked", now))
            rec.send(StopClip(0.2, "packed", now))
            ended = events.wait(ClipEnded)
            assert ended.order_no == f"PDD-{n}" and ended.state == "complete" and ended.frames >= 1
            assert decoded_frames(ended.path) == ended.frames
            assert [m["kind"] for m in ended.marks] == ["waybill"]
        rec.send(StartClip("PDD-9", "BENCH-1", "p", (), time.time()))
        rec.send(StopClip(0, "order closed", time.time()))
        rec.send(StartClip("PDD-10", "BENCH-1", "p", (), time.time()))  # the recorder still works
        started = events.wait(ClipStarted, where=lambda e: e.order_no == "PDD-10")
        assert not [e for e in events.seen if getattr(e, "order_no", "") == "PDD-9"]
        assert started.path
    finally:
        rec.stop(timeout=15)


def test_orders_back_to_back_each_have_a_playable_clip(tmp_path):
    """The next order opens before the last one's clip had a frame: that clip still has one."""
    rec = Recorder(config(tmp_path / "ev"))
    rec.start()
    try:
        events = Events(rec)
        events.wait(CameraState, where=lambda e: e.ok)
        for n in range(4):
            now = time.time()
            rec.send(StartClip(f"PDD-{n}", "BENCH-1", "p", (), now))
            rec.send(StopClip(0.5, "packed", now))
        rec.send(StopClip(0, "logout", time.time()))
        ended = [events.wait(ClipEnded, where=lambda e, n=n: e.order_no == f"PDD-{n}") for n in range(4)]
        assert [e.state for e in ended] == ["complete"] * 4 and all(e.frames >= 1 for e in ended)
        assert [e.reason for e in ended[:3]] == ["next order"] * 3
        assert [decoded_frames(e.path) for e in ended] == [e.frames for e in ended]
        assert not [e for e in events.seen if isinstance(e, RecorderProblem)]
    finally:
        rec.stop(timeout=15)


def test_the_recorder_runs_below_the_bench_on_linux(tmp_path):
    """nice 10 and SCHED_BATCH: the window's scans preempt it, never the other way round."""
    import os
    from pathlib import Path

    rec = Recorder(config(tmp_path / "ev"))
    rec.start()
    try:
        Events(rec).wait(CameraState, where=lambda e: e.ok)
        stat = Path(f"/proc/{rec.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        assert int(stat[16]) == min(19, os.nice(0) + 10)  # field 19: nice
        assert int(stat[38]) == os.SCHED_BATCH  # field 41: the scheduling policy
    finally:
        rec.stop(timeout=15)


def test_on_windows_the_recorder_asks_for_the_below_normal_priority_class(monkeypatch):
    import ctypes
    import sys

    from app.evidence import recorder

    calls = []

    class Kernel32:
        def GetCurrentProcess(self):  # noqa: N802 - the Windows API's name
            return -1

        def SetPriorityClass(self, process, priority):  # noqa: N802
            calls.append((process, priority))
            return 1

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "windll", type("WinDLL", (), {"kernel32": Kernel32()})(), raising=False)
    monkeypatch.setattr(recorder.os, "nice", lambda n: pytest.fail("os.nice on Windows"), raising=False)
    recorder.lower_priority()
    assert calls == [(-1, 0x4000)]
