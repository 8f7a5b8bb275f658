"""The e-waybills in the supervisor view (issue 21): each shop's balance per carrier and branch as the
platform last reported it (remaining red under ``ewaybill_low``; a shop whose last call failed shows
the platform's words), and per carrier the numbers taken and cancelled today and those taken but
never linked. Plain data from the desk's figures (``figures["ewaybills"]``: the stored balances,
never a call to the platform); the "E-waybills not used" tile is the dashboard's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.ui.text import show_as_text

LOW = QColor("#c62828")  # the dashboard's alarm red


def _when(iso: str | None) -> str:
    return datetime.fromisoformat(iso).astimezone().strftime("%m-%d %H:%M") if iso else "-"


class EwaybillTab(QWidget):
    """``table(name, headers)`` makes a read-only table as the dashboard's other tabs have them."""

    def __init__(self, table: Callable[[str, list[str]], QTableWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ewaybill_tab")
        self.balances = table("ewaybill_balances", [
            self.tr("Shop"), self.tr("Carrier"), self.tr("Branch"), self.tr("Remaining"), self.tr("Used"),
            self.tr("Cancelled"), self.tr("As of")])
        self.today = table("ewaybill_today", [self.tr("Carrier"), self.tr("Taken"), self.tr("Cancelled"),
                                              self.tr("Taken, not linked")])
        self.balances_title = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.balances_title)
        layout.addWidget(self.balances, 2)
        layout.addWidget(QLabel(self.tr("Today, per carrier")))
        layout.addWidget(self.today, 1)
        show_as_text(self)
        self.show_figures({})

    def show_figures(self, ewaybills: dict[str, Any]) -> None:
        low = ewaybills.get("ewaybill_low")
        self.balances_title.setText(
            self.tr("Balances as the platform last reported them (red under %1)").replace("%1", str(low))
            if low is not None else self.tr("Balances as the platform last reported them"))
        rows = ewaybills.get("balances", [])
        self.balances.setRowCount(len(rows))
        for r, b in enumerate(rows):
            if "error" in b:
                values: list[Any] = [b["shop"], "-", self.tr("not read: %1").replace("%1", b["error"]), "", "", "",
                                     _when(b.get("read_at"))]
            else:
                values = [b["shop"], b["wp_code"], f"{b['branch_code']} {b['branch_name']}".strip(), b["quantity"],
                          b["used"], b["cancelled"], _when(b.get("read_at"))]
            for c, value in enumerate(values):
                item = self._item(value)
                if c == 3 and b.get("low"):
                    item.setForeground(LOW)
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if "error" in b and c == 2:
                    item.setForeground(LOW)
                self.balances.setItem(r, c, item)
        carriers = ewaybills.get("carriers", [])
        self.today.setRowCount(len(carriers))
        for r, c_row in enumerate(carriers):
            for c, value in enumerate((c_row["carrier"], c_row["taken"], c_row["cancelled"], c_row["taken_not_linked"])):
                self.today.setItem(r, c, self._item(value))

    @staticmethod
    def _item(value: Any) -> QTableWidgetItem:
        item = QTableWidgetItem(str(value))
        if isinstance(value, int | float):
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item
