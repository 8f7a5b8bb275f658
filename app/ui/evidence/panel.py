"""The bench's video strip: an amber (or red) banner when recording is not possible, the recording
indicator, and a small live preview that the packer can hide."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

AMBER = "background: #ffb300; color: black; border-radius: 8px; padding: 8px; font-size: 15pt; font-weight: bold;"
RED = "background: #c62828; color: white; border-radius: 8px; padding: 8px; font-size: 15pt; font-weight: bold;"
REC = "color: #c62828; font-size: 14pt; font-weight: bold;"
IDLE = "color: #616161; font-size: 14pt;"


class EvidencePanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidence_panel")
        self.problem = QLabel()
        self.problem.setObjectName("camera_banner")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.indicator = QLabel()
        self.indicator.setObjectName("recording_indicator")
        self.indicator.setTextFormat(Qt.TextFormat.PlainText)
        self.preview = QLabel()
        self.preview.setObjectName("camera_preview")
        self.preview.setFixedSize(192, 108)
        self.preview.setStyleSheet("background: #212121;")
        self.toggle = QPushButton()
        self.toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the scan path
        self.toggle.clicked.connect(lambda: self.set_preview_visible(not self.preview.isVisible()))
        side = QVBoxLayout()
        side.addWidget(self.indicator)
        side.addWidget(self.toggle)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.problem, 1)
        layout.addStretch(0)
        layout.addLayout(side)
        layout.addWidget(self.preview)
        self.recording: str | None = None
        self.set_recording(None)
        self.set_preview_visible(True)

    def set_preview_visible(self, visible: bool) -> None:
        self.preview.setVisible(visible)
        self.toggle.setText(self.tr("Hide camera") if visible else self.tr("Show camera"))

    def set_recording(self, order_no: str | None) -> None:
        self.recording = order_no
        if order_no:
            self.indicator.setText(self.tr("\u25cf REC %1").replace("%1", order_no))
            self.indicator.setStyleSheet(REC)
        else:
            self.indicator.setText(self.tr("\u25cb not recording"))
            self.indicator.setStyleSheet(IDLE)

    def show_problem(self, text: str, severe: bool = False) -> None:
        self.problem.setText(text)
        self.problem.setStyleSheet(RED if severe else AMBER)
        self.problem.setProperty("severe", severe)
        self.problem.show()

    def clear_problem(self) -> None:
        self.problem.clear()
        self.problem.hide()

    def show_frame(self, width: int, height: int, rgb: bytes) -> None:
        if not self.preview.isVisible():
            return
        image = QImage(rgb, width, height, 3 * width, QImage.Format.Format_RGB888)
        self.preview.setPixmap(QPixmap.fromImage(image.copy()))

    def clear_frame(self) -> None:
        self.preview.clear()
