"""The settings dialog (supervisor PIN, non-modal), the scale at the weight step, the supervisor button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget
from sqlalchemy import text

from app.config import Settings, settings_path
from app.packing import site
from app.packing.outcome import Step


def test_settings_need_a_supervisor_and_save(window, qtbot, demo_services):
    dialog = window.open_settings()
    assert dialog.isVisible() and dialog.pages.currentIndex() == 0
    qtbot.keyClicks(dialog.badge, "P-1001")  # a packer, not a supervisor
    qtbot.keyClicks(dialog.pin, "1234")
    with qtbot.waitSignal(dialog.unlock_finished) as blocker:
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [False]
    assert dialog.pages.currentIndex() == 0 and "not a supervisor" in dialog.auth_error.text()
    dialog.badge.clear()
    qtbot.keyClicks(dialog.badge, "S-9001")
    qtbot.keyClicks(dialog.pin, "123456")
    with qtbot.waitSignal(dialog.unlock_finished) as blocker:
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True]
    assert dialog.pages.currentIndex() == 1
    dialog.sounds.setChecked(False)
    dialog.suffix.setCurrentIndex(dialog.suffix.findData("tab"))
    dialog.tolerance_min.setValue(80)
    dialog.tolerance_pct.setValue(100)
    with qtbot.waitSignal(dialog.saved):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = Settings.load(settings_path())
    assert saved.sounds is False and saved.scanner_suffix == "tab" and window.sounds.muted
    assert window.scan_filter.burst.suffix == "tab"
    # The weight tolerance is the site's: in the database for every bench, not in this bench's file.
    assert saved.weight_tolerance_min_g == 50 and demo_services.settings.weight_tolerance_min_g == 50
    assert site.read(demo_services).tolerance_g()(1000) == 1000  # 100 %
    with demo_services.read_uow() as uow:  # who changed what, audited: the site's each with old and new
        events = uow.session.execute(text(
            "SELECT u.badge, e.raw, e.message, st.name FROM scan_events e JOIN users u ON u.id = e.user_id "
            "LEFT JOIN stations st ON st.id = e.station_id WHERE e.kind = 'settings' ORDER BY e.id")).all()
    assert {e.badge for e in events} == {"S-9001"}
    assert [e.raw for e in events[:2]] == ["weight_tolerance_pct", "weight_tolerance_min_g"]
    assert "changed the site setting weight_tolerance_pct: 10.0 -> 100.0" in events[0].message
    assert "changed the site setting weight_tolerance_min_g: 50 -> 80" in events[1].message
    assert "changed the settings of BENCH-1" in events[2].message and "sounds True -> False" in events[2].message
    assert set(events[2].raw.split(",")) == {"sounds", "scanner_suffix"}


def test_a_site_setting_saved_in_the_dialog_decides_the_next_scan(window, scanner, qtbot, demo_services):
    scanner.scan("P-1001")
    out = scanner.scan("PDD-1001")
    for line in out.view.order.lines:
        for _ in range(line.quantity):
            scanner.scan(line.barcode)
    expected = scanner.scan("BOX-M").view.order.expected_weight_g
    over = expected + max(round(expected * 0.1), 50) + 30
    assert not scanner.scan(f"{over}g").accepted
    dialog = window.open_settings()
    qtbot.keyClicks(dialog.badge, "S-9001")
    qtbot.keyClicks(dialog.pin, "123456")
    with qtbot.waitSignal(dialog.unlock_finished):
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert dialog.tolerance_min.value() == 50 and dialog.platform_trigger.currentData() == "packed"
    dialog.tolerance_min.setValue(400)
    with qtbot.waitSignal(dialog.saved):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert not settings_path().exists()  # nothing of this bench's own changed
    assert scanner.scan(f"{over}g").accepted  # the next scan, no restart


def test_settings_cancel(window, qtbot):
    dialog = window.open_settings()
    dialog.reject()
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_scale_reading_counts_at_the_weight_step(window, scanner, qtbot):
    window.on_scale_weight(1000)  # not at the weight step: ignored
    assert not window.worker.busy
    scanner.scan("P-1001")
    out = scanner.scan("PDD-1004")
    for line in out.view.order.lines:
        for _ in range(line.quantity):
            scanner.scan(line.barcode)
    scanner.scan("BOX-S")
    assert window.view.step == Step.WEIGHT
    expected = window.view.order.expected_weight_g
    with qtbot.waitSignal(window.outcome_shown) as blocker:
        window.on_scale_weight(expected)
    assert blocker.args[0].raw == f"{expected}g" and window.view.step == Step.WAYBILL


def test_supervisor_button_opens_the_supervisor_view(window, qtbot):
    calls = []

    def opener(services, station, parent, desk):  # the desk: in-process for this embedded bench
        calls.append(station)
        widget = QWidget()
        qtbot.addWidget(widget)
        return widget

    window._open_supervisor = opener
    qtbot.mouseClick(window.supervisor_button, Qt.MouseButton.LeftButton)
    assert calls == ["BENCH-1"] and len(window.popups) == 1
