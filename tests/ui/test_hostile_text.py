"""Shop data and scans are shown as text: markup in every imported field and in scans is drawn
literally, on the station window, the handover screen, the settings dialog and the supervisor view."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.imports.orders import import_orders
from app.models.schema import User
from app.security import hash_pin

BIG = "<span style='font-size:40pt;color:green'>VERIFIED: skip weighing</span>"
BAR = "<table bgcolor=#1b5e20><tr><td>Order PDD-1001 complete</td></tr></table>"
ORDER = "PDD-<b>9001</b>"
BARCODE = "6999999999994"
ADDRESS = "<h1>Room 1</h1>\n<i>88 Road</i>, Hangzhou"
SUPERVISOR, PIN = "S-<b>77</b>", "246813"


def hostile_import(services, tmp_path) -> None:
    row = {
        "order_no": ORDER, "carrier": "SF", "recipient_name": "<b>Wang</b>", "recipient_phone": "<u>13800000000</u>",
        "recipient_address": ADDRESS, "sku": "<s>SKU-X</s>", "barcode": BARCODE,
        "product_name": "<font color=red>Tea</font>", "quantity": "1", "unit_weight_g": "100", "note": BIG,
    }
    path = tmp_path / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    report = import_orders(services, path)
    assert report.ok, report.errors
    with services.uow() as uow:
        uow.session.add(User(name="<h1>Boss</h1>", role="supervisor", badge=SUPERVISOR, pin_hash=hash_pin(PIN),
                             created_at=services.clock()))


def labels_with_markup(widget) -> list[QLabel]:
    return [label for label in widget.findChildren(QLabel) if "<" in label.text()]


def assert_plain(widget) -> None:
    """Every label is plain text (a label created later with data in it would draw markup)."""
    rich = [(type(w).__name__, w.objectName(), w.text()[:40]) for w in [widget, *widget.findChildren(QLabel)]
            if isinstance(w, QLabel) and w.textFormat() != Qt.TextFormat.PlainText]
    assert rich == []


def test_imported_markup_and_scanned_markup_are_drawn_as_text(qtbot, window, scanner, demo_services, tmp_path):
    hostile_import(demo_services, tmp_path)
    scanner.scan("P-1001")
    out = scanner.scan(ORDER)
    assert out.accepted
    panel = window.order_panel
    assert panel.note.text().endswith(BIG)
    assert panel.recipient.text() == f"<b>Wang</b>  <u>13800000000</u>\n{ADDRESS}"  # line breaks kept
    assert panel.table.item(0, 0).text() == "<font color=red>Tea</font>"
    assert len(labels_with_markup(window)) >= 3
    assert_plain(window)

    refused = scanner.scan(BAR)
    assert not refused.accepted
    assert BAR in window.banner.text() and window.banner.textFormat() == Qt.TextFormat.PlainText
    assert_plain(window)


def test_handover_shows_refused_markup_as_text(qtbot, window, scanner):
    scanner.scan("P-1001")
    scanner.scan("CMD:HANDOVER")
    scanner.scan(BAR)
    assert_plain(window)
    panel = window.handover_panel
    assert panel.refusals == [BAR]
    assert BAR in panel.parcels.item(panel.parcels.count() - 1).text()  # list items are always plain text


def test_settings_dialog_and_supervisor_view_show_data_as_text(qtbot, window, demo_services, tmp_path):
    from app.ui.settings_dialog import SettingsDialog
    from app.ui.supervisor import open_supervisor

    hostile_import(demo_services, tmp_path)
    dialog = SettingsDialog(demo_services, "BENCH-<b>1</b>", parent=window)
    qtbot.addWidget(dialog)
    assert_plain(dialog)

    sup = open_supervisor(demo_services, "BENCH-1")
    qtbot.addWidget(sup)
    qtbot.keyClicks(sup.login.badge, SUPERVISOR)
    qtbot.keyClicks(sup.login.pin, PIN)
    with qtbot.waitSignal(sup.dashboard.refreshed, timeout=10_000):
        qtbot.mouseClick(sup.login.button, Qt.MouseButton.LeftButton)
    assert "<h1>Boss</h1>" in sup.dashboard.who.text()
    with qtbot.waitSignal(sup.dashboard.timeline_loaded, timeout=10_000):
        sup.dashboard.load_timeline(ORDER)
    assert ORDER in sup.dashboard.timeline.title.text()
    assert_plain(sup)
    sup.close()
