"""An order opened and packed within one frame interval (a fast bench, a burst of scans) still gets
its clip with the tail; one cancelled that fast gets none and breaks nothing."""

from __future__ import annotations

import time

from app.evidence.commands import CameraState, ClipEnded, ClipStarted, Mark, StartClip, StopClip
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
