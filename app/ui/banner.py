"""The banner for the last scan: green accepted/complete, red refused with the reason, amber warning."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from app.packing.outcome import Level
from app.ui.steady import SteadyLabel
from app.ui.text import show_as_text

_BASE = "border-radius: 10px; padding: 14px;"
COLOURS = {
    Level.ACCEPTED: _BASE + "background: #2e7d32; color: white;",
    Level.COMPLETE: _BASE + "background: #1b5e20; color: white; border: 6px solid #a5d6a7;",
    Level.REFUSED: _BASE + "background: #c62828; color: white;",
    Level.WARNING: _BASE + "background: #ffb300; color: black;",
    Level.INFO: _BASE + "background: #e3f2fd; color: #0d47a1;",
}
BANNER_POINT_SIZE = 26


class Banner(SteadyLabel):
    """``shown(level, text)`` after each update; ``painted()`` once the new text is on screen.

    Hidden while it has nothing to say (a fresh window, before the first scan). Its height only grows
    (:class:`~app.ui.steady.SteadyLabel`): a shorter message keeps the room of the longest lately.
    """

    shown = Signal(str, str)
    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(110)
        font = self.font()
        font.setPointSize(BANNER_POINT_SIZE)
        font.setBold(True)
        self.setFont(font)
        self.level: Level = Level.INFO
        self._unpainted = False
        self.show_message(Level.INFO, "")
        show_as_text(self)

    def show_message(self, level: Level, text: str) -> None:
        self.level = level
        self.setProperty("level", level.value)
        if self.styleSheet() != COLOURS[level]:  # a new style sheet re-polishes the label: only when it changes
            self.setStyleSheet(COLOURS[level])
        self.setText(text)
        self.setVisible(bool(text))  # no empty coloured strip before the first scan outcome
        self._unpainted = True
        self.update()
        self.shown.emit(level.value, text)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if self._unpainted:
            self._unpainted = False
            self.painted.emit()
