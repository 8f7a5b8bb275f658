"""Labels on the scan path that keep the room they had: a new text that needs less leaves it as it was.

After each scan the window sets a new banner text and a new instruction. A word-wrapped label whose
new text needed a line less (or a banner whose colour has no border) shrank, and every widget below
it moved: the whole window was laid out and painted again before the banner was (2.2 window paints
per scan in ``bench/bench_scan_latency.py``). A steady label only grows while its width stays (a
longer text still gets its room; a new width, the window resized, measures again), so after the first
scans of an order the layout stands still and a scan repaints only what changed. One long text does
not keep it tall for good: after ``RELEASE_AFTER`` texts in a row that need less, it gives the room
back (one relayout then).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel


class SteadyLabel(QLabel):
    """A label whose height, at one width, only grows (see the module). The minimum height set before
    it is first laid out stays its floor."""

    RELEASE_AFTER = 10  # new texts in a row that need less room than held (about two orders' scans)
    _floor: int | None = None
    _shorter = 0

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        if text == self.text():
            return  # (QLabel does nothing either)
        super().setText(text)
        if self._floor is None or not self.isVisible() or self.minimumHeight() <= self._floor:
            return  # nothing held
        if self._need() + 2 >= self.minimumHeight():  # (the estimate may be a pixel off)
            self._shorter = 0
            return
        self._shorter += 1
        if self._shorter >= self.RELEASE_AFTER:
            self._shorter = 0
            self.setMinimumHeight(self._floor)  # the layout gives it what this text needs

    def _need(self) -> int:
        """The height this text needs at the label's width (``heightForWidth`` would say at least the
        minimum height held)."""
        contents = self.contentsRect()
        flags = int(self.alignment()) | (int(Qt.TextFlag.TextWordWrap) if self.wordWrap() else 0)
        text = self.fontMetrics().boundingRect(QRect(0, 0, contents.width(), 1_000_000), flags, self.text())
        return text.height() + self.height() - contents.height()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self._floor is None:
            self._floor = self.minimumHeight()
        if event.size().width() != event.oldSize().width():
            self._shorter = 0
            self.setMinimumHeight(self._floor)  # another width: the layout measures the text again
        elif self.isVisible() and event.size().height() > self.minimumHeight():
            self.setMinimumHeight(event.size().height())  # the room this text got stays for the next one
