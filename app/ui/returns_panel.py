"""The returns bench: the mode said in large letters on its own colour, the returned parcel's order
(what was shipped per parcel, what the buyer claims) and what came back, foreign items in red."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.packing.outcome import ReturnView
from app.ui.text import show_as_text

MODE_STYLE = "background: #6a1b9a; color: white; font-size: 36pt; font-weight: bold; padding: 10px;"
REFUSED = QColor("#c62828")
DAMAGED = QColor("#ffe0b2")
MISSING = QColor("#ffcdd2")
DONE = QColor("#e8f5e9")


class ReturnsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QLabel(self.tr("RETURNS"))
        self.mode.setObjectName("returns_mode")
        self.mode.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.mode.setStyleSheet(MODE_STYLE)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 22pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.claim = QLabel()  # the platform's after-sales case
        self.claim.setWordWrap(True)
        self.claim.setStyleSheet("font-size: 14pt;")
        self.shipped = QLabel()  # per parcel: waybill, weight, packer, date, lines
        self.shipped.setWordWrap(True)
        self.shipped.setStyleSheet("font-size: 13pt; color: #424242;")
        self.damaged_next = QLabel(self.tr("CMD:DAMAGED: the next item is recorded as damaged"))
        self.damaged_next.setStyleSheet("background: #ffb300; font-size: 16pt; font-weight: bold; padding: 4px;")
        self.damaged_next.hide()
        self.lines = QTableWidget(0, 6)
        self.lines.setHorizontalHeaderLabels([self.tr("SKU"), self.tr("Item"), self.tr("Shipped"), self.tr("Claimed"),
                                              self.tr("Back (good / damaged)"), self.tr("Missing")])
        self.lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lines.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.lines.setStyleSheet("font-size: 16pt;")
        self.foreign = QLabel()
        self.foreign.setWordWrap(True)
        self.foreign.setStyleSheet("color: #c62828; font-size: 16pt; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.mode, self.title, self.claim, self.shipped, self.damaged_next):
            layout.addWidget(widget)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.foreign)
        show_as_text(self)
        self.set_return(None)

    def set_return(self, ret: ReturnView | None) -> None:
        self.lines.setRowCount(0)
        if ret is None:
            self.title.setText(self.tr("Scan the returned parcel: its return waybill, order number or outgoing waybill"))
            for widget in (self.claim, self.shipped, self.foreign, self.damaged_next):
                widget.hide()
            return
        if ret.order_no is None:
            self.title.setText(self.tr("Unmatched parcel %1: scan its items, then CMD:CLOSE").replace("%1", ret.return_waybill or "?"))
        elif ret.return_waybill:
            self.title.setText(self.tr("Return of order %1 · %2").replace("%1", ret.order_no).replace("%2", ret.return_waybill))
        else:
            self.title.setText(self.tr("Return of order %1").replace("%1", ret.order_no))
        self.claim.setVisible(ret.after_sales_id is not None)
        if ret.after_sales_id is not None:
            self.claim.setText(self.tr("After-sales case %1 (type %2): %3").replace("%1", ret.after_sales_id)
                               .replace("%2", str(ret.after_sales_type if ret.after_sales_type is not None else "-"))
                               .replace("%3", ret.reason or "-"))
        parcels = [self.tr("Parcel %1: %2, %3 g, %4, %5 \u2014 %6").replace("%1", str(p.seq)).replace("%2", p.waybill or "-")
                   .replace("%3", str(p.weight_g if p.weight_g is not None else "-")).replace("%4", p.packer or "-")
                   .replace("%5", p.packed_at or "-").replace("%6", ", ".join(f"{sku} \u00d7{q}" for sku, q in p.lines))
                   for p in ret.parcels]
        self.shipped.setText("\n".join(parcels))
        self.shipped.setVisible(bool(parcels))
        self.damaged_next.setVisible(ret.damaged_next)
        rows = [(x.sku, x.name, str(x.shipped), "-" if x.claimed is None else str(x.claimed),
                 f"{x.good} / {x.damaged}", str(x.missing), x) for x in ret.lines]
        rows += [(sku, self.tr("(unmatched, %1)").replace("%1", condition), "", "", str(qty), "", None)
                 for sku, condition, qty in ret.unmatched]
        self.lines.setRowCount(len(rows))
        for r, (*cells, line) in enumerate(rows):
            colour = None
            if line is not None:
                colour = DAMAGED if line.damaged else (DONE if line.expected and not line.missing else
                                                       (MISSING if line.missing and (line.good or line.damaged) else None))
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if colour is not None:
                    item.setBackground(QBrush(colour))
                self.lines.setItem(r, c, item)
        self.foreign.setVisible(bool(ret.foreign))
        self.foreign.setText(self.tr("Foreign (never in this order): %1").replace(
            "%1", ", ".join(f"{sku} \u00d7{q}" for sku, q in ret.foreign)))
