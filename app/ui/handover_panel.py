"""Handover to the courier: carrier, running count, parcels scanned, refusals inline."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.packing.outcome import ManifestView
from app.ui.text import show_as_text

REFUSED = QColor("#c62828")


class HandoverPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 22pt; font-weight: bold;")
        self.count = QLabel()
        self.count.setStyleSheet("font-size: 40pt; font-weight: bold; color: #1565c0;")
        self.parcels = QListWidget()
        self.parcels.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.parcels.setStyleSheet("font-size: 20pt;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.count)
        layout.addWidget(self.parcels, 1)
        self._manifest_no: str | None = None
        self._shown: tuple = ()
        self.refusals: list[str] = []
        show_as_text(self)

    def set_manifest(self, manifest: ManifestView | None) -> None:
        if manifest is None:
            self._manifest_no, self._shown, self.refusals = None, (), []
            self.parcels.clear()
            return
        if manifest.manifest_no != self._manifest_no:
            self._manifest_no, self._shown, self.refusals = manifest.manifest_no, (), []
            self.parcels.clear()
        carrier = manifest.carrier_name or self.tr("carrier set by the first parcel")
        self.title.setText(self.tr("Handover %1 · %2").replace("%1", manifest.manifest_no).replace("%2", carrier))
        self.count.setText(self.tr("Parcels: %1").replace("%1", str(manifest.count)))
        for waybill, order_no in manifest.parcels[len(self._shown):]:
            self.parcels.addItem(f"\u2714 {waybill}   ({order_no})")
        self._shown = manifest.parcels
        self.parcels.scrollToBottom()

    def add_refusal(self, raw: str, reason: str) -> None:
        self.refusals.append(raw)
        item = QListWidgetItem(f"\u2716 {raw}: {reason}")
        item.setForeground(QBrush(REFUSED))
        self.parcels.addItem(item)
        self.parcels.scrollToBottom()
