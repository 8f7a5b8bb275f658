"""The pickup watch in the supervisor view (issue 22): the parcels handed over without the courier's
pickup scan (揽收), each with its manifest, courier and last trace line (an exception in the
carrier's words, a parcel given up as lost in transit), each manifest's "picked up N of M", and per
courier the parcels handed over, picked up and the median time from handover to pickup; the trace
exceptions (FAIL, REJECTION, RETURN) as they come, in the carrier's words. Plain data
from :func:`app.reports.summary.summary` (``figures["pickup"]``); the tiles are the dashboard's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.ui.text import show_as_text


def _when(iso: str | None) -> str:
    return datetime.fromisoformat(iso).astimezone().strftime("%m-%d %H:%M") if iso else "-"


class PickupTab(QWidget):
    """``table(name, headers)`` makes a read-only table as the dashboard's other tabs have them."""

    def __init__(self, table: Callable[[str, list[str]], QTableWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pickup_tab")
        self._table = table
        self.waiting = self._table("pickup_waiting", [
            self.tr("Order"), self.tr("Waybill"), self.tr("Courier"), self.tr("Manifest"), self.tr("Handed over"),
            self.tr("Hours"), self.tr("Last trace line"), self.tr("Exception")])
        self.exceptions = self._table("pickup_exceptions", [
            self.tr("Order"), self.tr("Waybill"), self.tr("Courier"), self.tr("Manifest"), self.tr("Time"),
            self.tr("Exception"), self.tr("Carrier's words"), self.tr("Picked up")])
        self.manifests = self._table("pickup_manifests", [self.tr("Manifest"), self.tr("Courier"),
                                                          self.tr("Closed"), self.tr("Picked up")])
        self.couriers = self._table("pickup_couriers", [self.tr("Courier"), self.tr("Handed over"),
                                                        self.tr("Picked up"), self.tr("Median handover to pickup")])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Handed over, no pickup scan yet")))
        layout.addWidget(self.waiting, 2)
        layout.addWidget(QLabel(self.tr("Trace exceptions (FAIL, REJECTION, RETURN) of the last 7 days")))
        layout.addWidget(self.exceptions, 1)
        layout.addWidget(QLabel(self.tr("Manifests")))
        layout.addWidget(self.manifests, 1)
        layout.addWidget(QLabel(self.tr("Per courier (parcels handed over in the period)")))
        layout.addWidget(self.couriers, 1)
        show_as_text(self)

    def trace_line(self, row: dict[str, Any]) -> str:
        last = row.get("trace_last")
        if row.get("lost"):
            prefix = self.tr("lost in transit? ")
        elif row.get("error"):
            return row["error"]
        else:
            prefix = ""
        if last is None:
            return prefix + self.tr("no trace yet")
        return f"{prefix}{_when(last['time'])} {last['action']} {last['desc']}"

    def show_figures(self, pickup: dict[str, Any]) -> None:
        waiting = pickup.get("waiting", [])
        self._fill(self.waiting, [[r["order_no"], r["waybill"], r["carrier"], r["manifest"] or "-",
                                   _when(r["handed_over_at"]), r["hours"], self.trace_line(r),
                                   f"{r['exception']['action']} {r['exception']['desc']}" if r["exception"] else ""]
                                  for r in waiting])
        self._fill(self.exceptions, [[r["order_no"], r["waybill"], r["carrier"], r["manifest"] or "-",
                                      _when(r["exception"]["time"]), r["exception"]["action"], r["exception"]["desc"],
                                      _when(r["picked_up_at"])] for r in pickup.get("exceptions", [])])
        self._fill(self.manifests, [[m["manifest"], m["carrier"] or "-", _when(m["closed_at"]),
                                     self.tr("picked up {n} of {total}").format(n=m["picked_up"], total=m["parcels"])]
                                    for m in pickup.get("manifests", [])])
        self._fill(self.couriers, [[code, r["handed_over"], r["picked_up"],
                                    self.tr("{minutes} min").format(minutes=r["median_pickup_minutes"])
                                    if r["median_pickup_minutes"] is not None else "-"]
                                   for code, r in pickup.get("by_courier", {}).items()])

    @staticmethod
    def _fill(table: QTableWidget, rows: list[list[Any]]) -> None:
        table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if isinstance(value, int | float):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
