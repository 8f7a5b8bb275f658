"""The settings dialog's print-component picker: ask the platform's print component (PDD or Cainiao)
for its printers, off the UI thread, and put the chosen one into the printer field as
``pddprint:PRINTER`` / ``cainiao:PRINTER`` (keeping an ``@ws://HOST:PORT`` already typed there)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.errors import ConfigError
from app.printing.component import KINDS, PrintComponent, component_for, parse_component_spec
from app.ui.tasks import TaskRunner

PREFIXES = {kind: prefix for prefix, kind in KINDS.items()}  # pdd -> pddprint, cainiao -> cainiao


class ComponentPrinterPicker(QWidget):
    def __init__(self, printer_edit: QLineEdit, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.printer_edit, self.tasks = printer_edit, tasks
        self.kind = QComboBox()
        self.kind.addItem(self.tr("PDD print component"), "pdd")
        self.kind.addItem(self.tr("Cainiao print component"), "cainiao")
        self.list_button = QPushButton(self.tr("List its printers"))
        self.printers = QComboBox()
        self.printers.setEnabled(False)
        self.status = QLabel("")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.kind, self.list_button, self.printers, self.status):
            layout.addWidget(w)
        self.list_button.clicked.connect(self.list_printers)
        self.printers.activated.connect(self._chosen)

    def _url(self) -> str | None:
        try:
            spec = parse_component_spec(self.printer_edit.text())
        except ConfigError:
            return None
        return spec.url if spec is not None and "@" in self.printer_edit.text() else None

    def list_printers(self) -> None:
        kind, url = self.kind.currentData(), self._url()
        self.status.setText(self.tr("Asking the component\u2026"))
        self.list_button.setEnabled(False)

        def ask() -> list[str]:
            client = PrintComponent(component_for(kind, url), timeout=5)
            try:
                return client.printers()[0]
            finally:
                client.close()

        self.tasks.submit(ask, self._listed, self._failed)

    def _listed(self, names: list[str]) -> None:
        self.list_button.setEnabled(True)
        self.printers.clear()
        self.printers.addItems(names)
        self.printers.setEnabled(bool(names))
        self.status.setText(self.tr("%n printer(s)", "", len(names)))

    def _failed(self, exc: BaseException) -> None:
        self.list_button.setEnabled(True)
        self.status.setText(getattr(exc, "message", None) or str(exc))

    def _chosen(self, index: int) -> None:
        url = self._url()
        name = self.printers.itemText(index)
        self.printer_edit.setText(f"{PREFIXES[self.kind.currentData()]}:{name}{'@' + url if url else ''}")
