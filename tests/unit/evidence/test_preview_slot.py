"""The preview frame passes through shared memory: the bench takes each new whole frame once and
never waits, not even on a recorder stopped halfway through writing one."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from app.evidence.recorder import PreviewSlot


def test_each_new_frame_is_taken_once_and_a_half_written_one_not_at_all():
    slot = PreviewSlot(mp.get_context("spawn"), 4, 2)
    assert slot.take() is None  # nothing yet
    slot.put_nowait((4, 2, bytes(range(24))))
    assert slot.take() == (4, 2, bytes(range(24)))
    assert slot.take() is None  # not twice
    slot.put_nowait((4, 2, bytes([7]) * 24))
    slot.put_nowait((4, 2, bytes([9]) * 24))
    assert slot.take() == (4, 2, bytes([9]) * 24)  # only the newest
    slot.seq.value += 1  # the recorder stopped (or was killed) halfway through writing a frame
    # Nobody finishes that frame: a take() that waited for it would never return (no stopwatch needed).
    assert slot.take() is None and slot.take() is None
    with pytest.raises(ValueError, match="does not fit"):
        slot.put_nowait((8, 8, bytes(192)))


def _write_frames(slot, count):
    for n in range(count):
        slot.put_nowait((slot.width, slot.height, bytes([n % 251]) * (slot.width * slot.height * 3)))


def test_frames_from_another_process_arrive_whole():
    ctx = mp.get_context("spawn")
    slot = PreviewSlot(ctx, 192, 108)
    writer = ctx.Process(target=_write_frames, args=(slot, 3000))
    writer.start()
    taken = 0
    while writer.is_alive() or taken == 0:
        frame = slot.take()
        if frame is not None:
            taken += 1
            assert len(set(frame[2])) == 1  # never half of one frame and half of another
        writer.join(0.001)
    writer.join()
    assert taken >= 1
