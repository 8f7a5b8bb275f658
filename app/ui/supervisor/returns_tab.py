"""The supervisor's Returns tab: returns with a discrepancy first (missing, foreign, damaged), then
the returns the platform says are coming and have not arrived, then the unmatched parcels, each of
which a supervisor attaches to its order (the return's waybill, the order, a reason and the PIN
again). The lists come with the dashboard's figures (``returns_board``), through the desk."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.desk.port import SupervisorDesk
from app.ui.tasks import TaskRunner, error_text
from app.ui.text import show_as_text


def _shared(context: str, text: str) -> str:
    """A word the dashboard and the action panel already say (one translation for all three)."""
    return QCoreApplication.translate(context, text)


def _skus(rows: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['sku']} \u00d7{r['qty']}" for r in rows)


class ReturnsTab(QWidget):
    attached = Signal(str)  # the action's message

    def __init__(self, desk: SupervisorDesk, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("returns_tab")
        self.desk, self.runner = desk, runner
        self.badge = ""
        self.discrepancies = self._table([_shared("Dashboard", "Order"), self.tr("Closed"), self.tr("Missing"), self.tr("Foreign"),
                                          self.tr("Damaged"), _shared("Dashboard", "Bench"), _shared("Dashboard", "Packer")])
        self.expected = self._table([_shared("Dashboard", "Order"), self.tr("Return waybill"), self.tr("After-sales case"),
                                     _shared("ActionPanel", "Reason"), self.tr("Claimed"), self.tr("Expected since")])
        self.unmatched = self._table([self.tr("Return waybill"), self.tr("Received"), _shared("Dashboard", "Items"),
                                      _shared("Dashboard", "Bench"), _shared("Dashboard", "Packer")])
        self.unmatched.currentCellChanged.connect(lambda row, *_: self._pick(row))
        self.attach_return = QLineEdit()
        self.attach_return.setObjectName("attach_return")
        self.attach_return.setPlaceholderText(self.tr("Return waybill"))
        self.attach_order = QLineEdit()
        self.attach_order.setObjectName("attach_order")
        self.attach_order.setPlaceholderText(_shared("Dashboard", "Order"))
        self.attach_reason = QLineEdit()
        self.attach_reason.setPlaceholderText(_shared("ActionPanel", "Why? (kept in the audit trail)"))
        self.attach_pin = QLineEdit()
        self.attach_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.attach_pin.setPlaceholderText(_shared("ActionPanel", "Your PIN, again"))
        self.attach_button = QPushButton(self.tr("Attach to the order"))
        self.attach_button.setObjectName("attach_button")
        self.attach_button.clicked.connect(self.attach)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Return"), self.attach_return)
        form.addRow(_shared("Dashboard", "Order"), self.attach_order)
        form.addRow(_shared("ActionPanel", "Reason"), self.attach_reason)
        form.addRow(_shared("ActionPanel", "PIN"), self.attach_pin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        self.discrepancies_title = QLabel()
        self.discrepancies_title.setStyleSheet("color: #c62828; font-weight: bold;")
        self.expected_title = QLabel()
        self.unmatched_title = QLabel()
        for title, table in ((self.discrepancies_title, self.discrepancies), (self.expected_title, self.expected),
                             (self.unmatched_title, self.unmatched)):
            layout.addWidget(title)
            layout.addWidget(table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        self.board: dict[str, list[dict[str, Any]]] = {}
        show_as_text(self)
        self.show_board({})

    def _table(self, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        return table

    @staticmethod
    def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value or "")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                table.setItem(r, c, item)

    def show_board(self, board: dict[str, list[dict[str, Any]]]) -> None:
        """The dashboard's figures' ``returns_board`` (an older server sends none: empty lists)."""
        self.board = board
        odd, expected, unmatched = (board.get(k, []) for k in ("discrepancies", "expected", "unmatched"))
        self.discrepancies_title.setText(self.tr("Discrepancies (missing, foreign, damaged): %1").replace("%1", str(len(odd))))
        self.expected_title.setText(self.tr("Expected, not yet received: %1").replace("%1", str(len(expected))))
        self.unmatched_title.setText(self.tr("Unmatched, to attach to an order: %1").replace("%1", str(len(unmatched))))
        self._fill(self.discrepancies, [[r["order_no"], r["closed_at"], _skus(r["missing"]), _skus(r["foreign"]),
                                         str(r["damaged"] or ""), r["station"], r["packer"]] for r in odd])
        self._fill(self.expected, [[r["order_no"], r["return_waybill"], r["after_sales_id"], r["reason"],
                                    _skus(r["claimed"]), r["expected_at"]] for r in expected])
        self._fill(self.unmatched, [[r["return_waybill"], r["closed_at"],
                                     _skus(r["lines"] + r["foreign"]), r["station"], r["packer"]] for r in unmatched])

    def _pick(self, row: int) -> None:
        rows = self.board.get("unmatched", [])
        if 0 <= row < len(rows):
            self.attach_return.setText(rows[row]["return_waybill"] or f"#{rows[row]['id']}")
            self.attach_order.setFocus()

    def attach(self) -> None:
        target = f"{self.attach_return.text().strip()} {self.attach_order.text().strip()}"
        badge, pin, reason, desk = self.badge, self.attach_pin.text(), self.attach_reason.text(), self.desk
        self.attach_button.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText(_shared("ActionPanel", "Working…"))
        self.runner.submit(lambda: desk.run_action("attach_return", badge, pin, target, reason), self._done, self._refused)

    def _done(self, outcome) -> None:
        self.attach_pin.clear()
        self.attach_button.setEnabled(True)
        self.result.setStyleSheet("color: #2e7d32; font-weight: bold;")
        text = outcome.message.render()
        self.result.setText(text)
        self.attached.emit(text)

    def _refused(self, exc: BaseException) -> None:
        self.attach_pin.clear()
        self.attach_button.setEnabled(True)
        self.result.setStyleSheet("color: #c62828; font-weight: bold;")
        self.result.setText(error_text(exc))
