"""Labels on the scan path that keep the room they had: a new text that needs less leaves it as it was.

After each scan the window sets a new banner text and a new instruction. A word-wrapped label whose
new text needed a line less (or a banner whose colour has no border) shrank, and every widget below
it moved: the whole window was laid out and painted again before the banner was (2.2 window paints
per scan in ``bench/bench_scan_latency.py``). A steady label only grows while its width stays (a
longer text still gets its room; a new width, the window resized, measures again), so after the first
scans of an order the layout stands still and a scan repaints only what changed.
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel


class SteadyLabel(QLabel):
    """A label whose height, at one width, only grows (see the module). The minimum height set before
    it is first laid out stays its floor."""

    _floor: int | None = None

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self._floor is None:
            self._floor = self.minimumHeight()
        if event.size().width() != event.oldSize().width():
            self.setMinimumHeight(self._floor)  # another width: the layout measures the text again
        elif self.isVisible() and event.size().height() > self.minimumHeight():
            self.setMinimumHeight(event.size().height())  # the room this text got stays for the next one
