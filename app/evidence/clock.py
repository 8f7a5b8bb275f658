"""The recorder's clock: real time at a bench, a stepped clock in the tests.

Everything the recorder times goes through one clock: when a frame is due, a frame's timestamp in its
clip, a scan's place in the clip (its mark), the tail after the waybill, a test camera's loss. At a bench
that is the machine's clocks. In the tests it is a :class:`SteppedClock` that moves one frame interval per
``Tick`` command: the recorder then records exactly the frames of the time it was told, however slowly a
loaded machine lets it run, and a test asserts what was recorded, not how fast the machine was.
"""

from __future__ import annotations

import time


class RealClock:
    """The machine's clocks: monotonic for intervals, wall for the scans' times (``time.time()``)."""

    stepped = False

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()


class SteppedClock:
    """A clock that moves only when told; its wall time is the wall time when it was made plus its own."""

    stepped = True

    def __init__(self, fps: int, wall_at_zero: float | None = None) -> None:
        self.fps, self.ticks = fps, 0  # time in whole frames: no drift from adding 1/fps over a long clip
        self.epoch = time.time() if wall_at_zero is None else wall_at_zero

    def step(self) -> None:
        """One frame interval on."""
        self.ticks += 1

    def monotonic(self) -> float:
        return self.ticks / self.fps

    def wall(self) -> float:
        return self.epoch + self.monotonic()
