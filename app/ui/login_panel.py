"""What a logged-out bench shows: its name and "Scan your badge"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class LoginPanel(QWidget):
    def __init__(self, station: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = QLabel(station)
        self.station.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.station.setStyleSheet("font-size: 36pt; font-weight: bold; color: #1565c0;")
        self.prompt = QLabel(self.tr("Scan your badge"))
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setStyleSheet("font-size: 30pt;")
        self.hint = QLabel(self.tr("No scanner at hand? Type the code and press Enter."))
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("font-size: 14pt; color: #616161;")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.station)
        layout.addWidget(self.prompt)
        layout.addWidget(self.hint)
        layout.addStretch(2)
