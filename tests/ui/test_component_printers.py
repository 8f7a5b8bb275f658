"""The settings dialog's print-component picker lists the stand-in component's printers (off the UI
thread) and writes the chosen one into the printer field."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from app.printing.component_standin import StandInComponent
from app.ui.component_printers import ComponentPrinterPicker
from app.ui.tasks import TaskRunner


def test_lists_and_chooses_a_component_printer(qtbot, tmp_path):
    with StandInComponent(tmp_path, kind="cainiao") as comp:
        edit = QLineEdit(f"cainiao:@{comp.url}")
        qtbot.addWidget(edit)
        tasks = TaskRunner(edit, threads=1)
        picker = ComponentPrinterPicker(edit, tasks)
        qtbot.addWidget(picker)
        picker.kind.setCurrentIndex(picker.kind.findData("cainiao"))
        picker.list_printers()
        qtbot.waitUntil(lambda: picker.printers.count() == 2, timeout=5000)
        picker.printers.activated.emit(1)
        assert edit.text() == f"cainiao:StandIn-100x150@{comp.url}"


def test_no_component_says_so(qtbot):
    edit = QLineEdit("pddprint:@ws://127.0.0.1:9")
    qtbot.addWidget(edit)
    picker = ComponentPrinterPicker(edit, TaskRunner(edit, threads=1))
    qtbot.addWidget(picker)
    picker.list_printers()
    qtbot.waitUntil(lambda: "does not answer" in picker.status.text(), timeout=8000)
    assert picker.list_button.isEnabled()
