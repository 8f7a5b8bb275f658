"""A clip's length is told by the recorder's clock, not by how often the recorder got the CPU: one that
came late to the clip's end (starved at nice 10 on a loaded bench) still ends at the tail's end, never
after it; and a stepped clock (the tests') moves in whole frames."""

from __future__ import annotations

import av

from app.evidence.clock import SteppedClock
from app.evidence.commands import StartClip
from app.evidence.overlay import Overlay
from app.evidence.recorder import RecorderConfig, _Clip


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_800_000_000.0 + self.now


def clip(tmp_path, clock) -> _Clip:
    config = RecorderConfig(camera="test", folder=str(tmp_path), station="BENCH-1", width=320, height=240, fps=15)
    return _Clip(config, StartClip("PDD-1001", "BENCH-1", "p"), None, Overlay(320, 240), clock)


def picture() -> av.VideoFrame:
    return av.VideoFrame(320, 240, "yuv420p")


def test_a_recorder_late_to_the_clips_end_holds_the_last_picture_until_the_tails_end(tmp_path):
    clock = Clock()
    recording = clip(tmp_path, clock)
    recording.write(picture(), clock.now)  # then starved: no frame for 1.9 s
    recording.hold_until(clock.now + 2.0, picture())
    ended = recording.close("complete", "packed")
    assert ended.duration_s == 2.0 and ended.frames == 2  # the first picture and the held last one


def test_a_clip_that_kept_up_gets_no_extra_frame_at_its_end(tmp_path):
    clock = Clock()
    recording = clip(tmp_path, clock)
    start = clock.now
    for n in range(30):
        recording.write(picture(), start + n / 15)
    recording.hold_until(start + 2.0, picture())
    ended = recording.close("complete", "packed")
    assert ended.duration_s == 2.0 and ended.frames == 30


def test_marks_are_placed_by_the_recorders_clock(tmp_path):
    from app.evidence.commands import Mark

    clock = Clock()
    recording = clip(tmp_path, clock)
    clock.now += 1.25
    recording.mark(Mark("item", True, "6901234567892", "accepted"))  # at 0: now on the recorder's clock
    recording.mark(Mark("waybill", True, "SF1400000000000", "linked", clock.wall() + 0.5))
    assert [m["t"] for m in recording.marks] == [1.25, 1.75]


def test_a_stepped_clock_moves_in_whole_frames_only_when_told():
    clock = SteppedClock(15, wall_at_zero=1000.0)
    assert clock.monotonic() == 0.0 and clock.wall() == 1000.0
    for _ in range(15 * 60):
        clock.step()
    assert clock.monotonic() == 60.0 and clock.wall() == 1060.0  # no drift over a minute of frames
