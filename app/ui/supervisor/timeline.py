"""One order's timeline: every scan, accepted or refused, with time, bench and packer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.ui.text import show_as_text


class TimelinePanel(QWidget):
    COLUMNS = ("at", "kind", "code", "accepted", "message", "reason", "user", "station")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.title = QLabel(self.tr("Click an exception to see its order's timeline"))
        self.title.setObjectName("timeline_title")
        self.title.setWordWrap(True)
        # The order's parcels: waybill, box, weight, where each one is (packing, packed, on a manifest, handed over).
        self.parcels = QLabel()
        self.parcels.setObjectName("timeline_parcels")
        self.parcels.setTextFormat(Qt.TextFormat.PlainText)
        self.parcels.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("timeline_table")
        self.table.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Kind"), self.tr("Scanned"), self.tr("Result"),
                                              self.tr("Message"), self.tr("Reason"), self.tr("Packer"),
                                              self.tr("Bench")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.parcels)
        layout.addWidget(self.table)
        self.order_no: str | None = None
        show_as_text(self)

    def show_order(self, details: dict[str, Any] | None, order_no: str = "") -> None:
        if details is None:
            self.order_no = None
            self.title.setText(self.tr("No order {order_no}").format(order_no=order_no))
            self.table.setRowCount(0)
            self.parcels.clear()
            return
        self.order_no = details["order_no"]
        self.title.setText(self.tr("Order {order_no}: {state}, {carrier} {waybill}; bench {station}, packer {packer}; "
                                   "{hold}").format(order_no=details["order_no"], state=details["state"],
                                                    carrier=details["carrier"] or "-", waybill=details["waybill"] or "-",
                                                    station=details["station"] or "-", packer=details["packer"] or "-",
                                                    hold=details.get("hold_reason") or ""))
        self.parcels.setText("\n".join(
            self.tr("Parcel {seq}: {waybill}, box {box}, {weight} g, {state} {manifest}").format(
                seq=p["seq"], waybill=p["waybill"] or "-", box=p["box"] or "-", weight=p["weight_g"] or "-",
                state=p["state"], manifest=p["manifest"] or "")
            for p in details.get("parcels", [])))
        events = details["events"]
        self.table.setRowCount(len(events))
        for r, ev in enumerate(events):
            values = [ev["at"] or "", ev["kind"], ev["code"], self.tr("accepted") if ev["accepted"] else self.tr("REFUSED"),
                      ev["message"], ev.get("reason") or "", ev["user"] or "", ev["station"] or ""]
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if not ev["accepted"]:
                    item.setForeground(QColor("#c62828"))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
