"""The supervisor's Returns tab: the demo's expected return, a return with a discrepancy and an
unmatched parcel, which the supervisor attaches to its order with the PIN again."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.packing.workflow import BenchWorkflow
from tests.ui.supervisor.conftest import PIN, login

TEA, MUG, SOCK = "6901234567892", "6902345678905", "6903456789018"  # PDD-1021 (packed by the demo): tea and mug


def test_discrepancies_expected_and_unmatched_then_attach(qtbot, supervisor_window, demo_services):
    flow = BenchWorkflow(demo_services, "BENCH-1")
    for scan in ("P-1001", "CMD:RETURNS", "PDD-1021", "CMD:DAMAGED", TEA, SOCK, "CMD:CLOSE",
                 "YT9990000000001", MUG, "CMD:CLOSE"):
        flow.handle(scan)
    window = supervisor_window
    with qtbot.waitSignal(window.dashboard.refreshed, timeout=10_000):
        login(qtbot, window)
    tab = window.dashboard.returns_tab
    assert tab.discrepancies.rowCount() == 1 and tab.discrepancies.item(0, 0).text() == "PDD-1021"
    assert tab.discrepancies.item(0, 2).text() == "MUG-CER-01 \u00d71" and tab.discrepancies.item(0, 3).text() == "SOCK-BLK-L \u00d71"
    assert tab.expected.rowCount() == 1 and tab.expected.item(0, 1).text() == "YT9000000000001"  # the demo's return
    assert tab.unmatched.rowCount() == 1 and tab.unmatched.item(0, 0).text() == "YT9990000000001"
    tab.unmatched.setCurrentCell(0, 0)
    assert tab.attach_return.text() == "YT9990000000001"
    qtbot.keyClicks(tab.attach_order, "PDD-1021")
    qtbot.keyClicks(tab.attach_reason, "the mug came in its own box")
    qtbot.keyClicks(tab.attach_pin, PIN)
    with qtbot.waitSignal(window.dashboard.refreshed, timeout=10_000):
        qtbot.mouseClick(tab.attach_button, Qt.MouseButton.LeftButton)
    assert "attached to order PDD-1021" in tab.result.text()
    qtbot.waitUntil(lambda: tab.unmatched.rowCount() == 0, timeout=10_000)
