"""What a logged-out bench shows: its name, big, and how to log in without a scanner.

The prompt itself ("Scan your badge", "Type your PIN") is the window's instruction line, shown once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.text import show_as_text


class LoginPanel(QWidget):
    def __init__(self, station: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = QLabel(station)
        self.station.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.station.setStyleSheet("font-size: 48pt; font-weight: bold; color: #1565c0;")
        self.hint = QLabel(self.tr("No scanner at hand? Type the code and press Enter."))
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("font-size: 16pt; color: #616161;")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.station)
        layout.addWidget(self.hint)
        layout.addStretch(2)
        show_as_text(self)
