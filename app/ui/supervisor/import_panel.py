"""The supervisor's imports: the product catalogue and order files (PackGate's own format or a
platform's export through a profile). Non-modal: the file dialog is window-modal to the supervisor
window only (``open()``, never ``exec()``), the import runs on the window's worker pool, and the
report is shown in the panel. No bench's scan path is touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.desk.port import SupervisorDesk
from app.ui.tasks import TaskRunner, error_text


class ImportPanel(QWidget):
    imported = Signal(str)  # the report's text
    failed = Signal(str)

    def __init__(self, desk: SupervisorDesk, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.imports.columnmap import available_profiles

        self.setObjectName("import_panel")
        self.desk, self.runner = desk, runner
        self.products_button = QPushButton(self.tr("Import products…"))
        self.products_button.setObjectName("import_products")
        self.orders_button = QPushButton(self.tr("Import orders…"))
        self.orders_button.setObjectName("import_orders")
        self.profile = QComboBox()
        self.profile.setObjectName("import_profile")
        self.profile.addItem(self.tr("PackGate's own format"), "")
        for name in available_profiles():
            self.profile.addItem(self.tr("Platform export: {name}").format(name=name), name)
        self.report = QPlainTextEdit()
        self.report.setObjectName("import_report")
        self.report.setReadOnly(True)
        self.report.setPlaceholderText(self.tr("The import's report appears here. A file with a bad row or an "
                                               "unknown product imports nothing."))
        self.dialog: QFileDialog | None = None
        self.products_button.clicked.connect(lambda: self.ask_file("products"))
        self.orders_button.clicked.connect(lambda: self.ask_file("orders"))
        bar = QHBoxLayout()
        bar.addWidget(self.products_button)
        bar.addWidget(QLabel(self.tr("Order file")))
        bar.addWidget(self.profile)
        bar.addWidget(self.orders_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.report, 1)

    def ask_file(self, kind: str) -> None:
        title = self.tr("Import products") if kind == "products" else self.tr("Import orders")
        dialog = QFileDialog(self, title, str(Path.home()), self.tr("CSV or Excel (*.csv *.txt *.xlsx);;All files (*)"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.run_import(kind, Path(path)))
        self.dialog = dialog
        dialog.open()  # never exec(): the window keeps running

    def run_import(self, kind: str, path: Path) -> None:
        desk, profile = self.desk, self.profile.currentData() if kind == "orders" else ""
        for button in (self.products_button, self.orders_button):
            button.setEnabled(False)
        self.report.setPlainText(self.tr("Importing {file}…").format(file=path.name))

        def work() -> tuple[str, Any]:  # in-process, or the file's bytes to the server's importer
            return kind, desk.import_file(kind, path, profile or "")

        self.runner.submit(work, self._show, self._failed)

    def _show(self, result: tuple[str, Any]) -> None:
        kind, report = result
        self._enable()
        text = "\n".join(self.report_lines(kind, report))
        self.report.setPlainText(text)
        (self.imported if report.ok else self.failed).emit(text)

    def _failed(self, exc: BaseException) -> None:
        self._enable()
        text = error_text(exc)
        self.report.setPlainText(text)
        self.failed.emit(text)

    def _enable(self) -> None:
        for button in (self.products_button, self.orders_button):
            button.setEnabled(True)

    def report_lines(self, kind: str, report: Any) -> list[str]:
        """The report in the operator's language; the listed rows keep the import's own words."""
        lines = []
        if report.errors:
            bad = len({line for line, _reason in report.errors})
            lines.append(self.tr("{file}: {n} bad rows. Nothing was imported.").format(file=report.file_name, n=bad))
            lines.extend(self.tr("line {line}: {reason}").format(line=line, reason=reason)
                         for line, reason in report.errors)
            return lines
        if kind == "products":
            lines.append(self.tr("{file}: {added} products added, {updated} updated, {unchanged} unchanged, "
                                 "{barcodes} barcodes added").format(
                file=report.file_name, added=report.products_added, updated=report.products_updated,
                unchanged=report.products_unchanged, barcodes=report.barcodes_added))
            lines.extend(self.tr("changed {change}").format(change=change) for change in report.changes)
            return lines
        if report.unknown_products:
            lines.append(self.tr("{file}: {n} unknown products: import them with Import products, then this file "
                                 "again. Nothing was imported.").format(file=report.file_name,
                                                                         n=len(report.unknown_products)))
            lines.extend(self.tr("line {line}: SKU {sku} {name}").format(line=line, sku=sku, name=name)
                         for line, sku, name in report.unknown_products)
            return lines
        lines.append(self.tr("{file}: {orders} orders imported, {lines} lines; {unchanged} already present, "
                             "{later} already in packing or later").format(
            file=report.file_name, orders=report.orders_added - report.orders_held_new, lines=report.lines_added,
            unchanged=report.orders_unchanged, later=report.orders_in_progress))
        for header, n in report.sku_sources.items():
            lines.append(self.tr("SKU from {header}: {n} lines").format(header=header, n=n))
        for reason, n in report.skipped.items():
            lines.append(self.tr("Skipped, the file shows them as {reason}: {n} orders").format(reason=reason, n=n))
        if report.held:
            lines.append(self.tr("After-sales cases and orders no longer to ship (not imported as ready): {n}")
                         .format(n=len(report.held)))
            lines.extend(self.tr("line {line}: order {order_no} ({status}): {outcome}").format(
                line=h.line, order_no=h.order_no, status=h.status, outcome=h.outcome) for h in report.held)
        return lines
