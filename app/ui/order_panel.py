"""The open order: number, carrier, recipient, the buyer's note (yellow), and its lines."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.packing.outcome import OrderView, Step
from app.ui.text import show_as_text

HIT = QColor("#fff59d")
DONE = QColor("#e8f5e9")
NONE = QColor(Qt.GlobalColor.transparent)


def set_progress(bar: QProgressBar, value: int, maximum: int | None = None) -> None:
    """A new value without QProgressBar's own repaint on the spot (in a table cell, that paints the
    table under it once more): the bar is painted with the rest of the scan's changes."""
    if bar.value() == value and (maximum is None or bar.maximum() == maximum):
        return
    bar.setUpdatesEnabled(False)
    if maximum is not None:
        bar.setMaximum(maximum)
    bar.setValue(value)
    bar.setUpdatesEnabled(True)  # schedules its paint (an update, not a repaint)


class OrderPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.order_no = QLabel()
        self.order_no.setStyleSheet("font-size: 24pt; font-weight: bold;")
        self.carrier = QLabel()
        self.carrier.setStyleSheet("font-size: 18pt;")
        self.recipient = QLabel()
        self.recipient.setWordWrap(True)
        self.recipient.setStyleSheet("font-size: 14pt;")
        self.weight = QLabel()
        self.weight.setStyleSheet("font-size: 16pt;")
        # An order in several boxes: which parcel is being packed, and the waybills already linked.
        self.parcels = QLabel()
        self.parcels.setTextFormat(Qt.TextFormat.PlainText)
        self.parcels.setWordWrap(True)
        self.parcels.setStyleSheet("background: #ede7f6; color: #311b92; font-size: 16pt; font-weight: bold; padding: 4px 8px;")
        self.parcels.hide()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("background: #ffeb3b; color: black; font-size: 18pt; font-weight: bold; padding: 8px;")
        # The pre-assigned waybill, at the label and waybill steps: so the packer picks the right label.
        self.expected_waybill = QLabel()
        self.expected_waybill.setStyleSheet(
            "background: #e3f2fd; color: #0d47a1; font-size: 22pt; font-weight: bold; padding: 6px 10px;"
            " border: 2px solid #1565c0; border-radius: 6px;")
        self.expected_waybill.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.expected_waybill.hide()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Product"), self.tr("SKU"), self.tr("Scanned"), self.tr("Progress")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setStyleSheet("font-size: 16pt;")
        head = QGridLayout()
        head.addWidget(self.order_no, 0, 0)
        head.addWidget(self.carrier, 0, 1)
        head.addWidget(self.recipient, 1, 0, 1, 2)
        head.addWidget(self.weight, 2, 0, 1, 2)
        head.addWidget(self.parcels, 3, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.note)
        layout.addWidget(self.expected_waybill)
        layout.addWidget(self.table, 1)
        self.hit_row: int | None = None
        self._order: OrderView | None = None
        show_as_text(self)

    def set_order(self, order: OrderView | None, last_line: int | None, step: Step | None = None) -> None:
        if order is None:
            self._order = None
            self._clear_lines()
            for label in (self.order_no, self.carrier, self.recipient, self.weight, self.expected_waybill, self.parcels):
                label.clear()
            self.note.hide()
            self.parcels.hide()
            self.expected_waybill.hide()
            self.hit_row = None
            return
        if self._order is None or self._order.order_no != order.order_no:
            self.order_no.setText(self.tr("Order %1").replace("%1", order.order_no))
            self.carrier.setText(self.tr("Carrier: %1").replace("%1", order.carrier_name))
            self.recipient.setText(f"{order.recipient_name}  {order.recipient_phone}\n{order.recipient_address}")
            self.note.setText(self.tr("Buyer's note: %1").replace("%1", order.note))
            self.note.setVisible(bool(order.note.strip()))
        self._set_weight(order)
        self._set_parcels(order)
        expected = order.preassigned_waybill if step in (Step.LABEL, Step.WAYBILL) else None
        self.expected_waybill.setText(self.tr("Expected waybill: %1").replace("%1", expected) if expected else "")
        self.expected_waybill.setVisible(bool(expected))
        self._set_lines(order, last_line)
        self._order = order

    def _set_parcels(self, order: OrderView) -> None:
        split = len(order.parcels) > 1 or (order.parcel_seq or 1) > 1
        if not split:
            self.parcels.hide()
            return
        total = str(order.parcel_total) if order.parcel_total else "?"
        parts = []
        if order.parcel_seq is not None:
            parts.append(self.tr("Packing parcel %1 of %2").replace("%1", str(order.parcel_seq)).replace("%2", total))
        for parcel in order.parcels:
            if parcel.waybill:
                parts.append(f"#{parcel.seq} \u2714 {parcel.waybill}")
        self.parcels.setText("   ".join(parts))
        self.parcels.show()

    def _set_weight(self, order: OrderView) -> None:
        parts = []
        if order.box_code:
            parts.append(self.tr("Box %1").replace("%1", order.box_code))
        if order.expected_weight_g is not None:
            tol = f" ±{order.tolerance_g:,} g" if order.tolerance_g is not None else ""
            parts.append(self.tr("expected %1").replace("%1", f"{order.expected_weight_g:,} g{tol}"))
        if order.weight_g is not None:
            parts.append(self.tr("weighed %1").replace("%1", f"{order.weight_g:,} g"))
        self.weight.setText("  ·  ".join(parts))

    def _clear_lines(self) -> None:
        """No order: the rows stay, empty, for the next order's lines (their items and progress bars
        are not built again at every order: only the rows it has more than the last one)."""
        for row in range(self.table.rowCount()):
            for col in range(3):
                item = self.table.item(row, col)
                item.setText("")
                item.setBackground(QBrush(NONE))
            set_progress(self.table.cellWidget(row, 3), 0)

    def _set_lines(self, order: OrderView, last_line: int | None) -> None:
        table = self.table
        rebuild = self._order is None or self._order.order_no != order.order_no or table.rowCount() != len(order.lines)
        if table.rowCount() != len(order.lines):
            first_new = table.rowCount()
            table.setRowCount(len(order.lines))
            for row in range(first_new, len(order.lines)):
                table.setItem(row, 0, QTableWidgetItem())
                table.setItem(row, 1, QTableWidgetItem())
                count = QTableWidgetItem()
                count.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                table.setItem(row, 2, count)
                bar = QProgressBar()
                bar.setTextVisible(False)
                table.setCellWidget(row, 3, bar)
        for row, line in enumerate(order.lines):
            if rebuild:
                table.item(row, 0).setText(line.name)
                table.item(row, 1).setText(line.sku)
            table.item(row, 2).setText(f"{line.scanned} / {line.quantity}")
            set_progress(table.cellWidget(row, 3), min(line.scanned, line.quantity), max(line.quantity, 1))
            colour = HIT if row == last_line else (DONE if line.complete else NONE)
            for col in range(3):
                table.item(row, col).setBackground(QBrush(colour))
        self.hit_row = last_line
        if last_line is not None and 0 <= last_line < table.rowCount():
            table.scrollToItem(table.item(last_line, 0))
