"""The whole bench flow on demo data, driven by key events as a scanner types them."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLineEdit
from sqlalchemy import select

from app.models.schema import Order, OrderState
from app.packing.outcome import Level, Step

PEN = "6908901234563"  # PDD-1018 (EMS): PEN-GEL-3 x2, SOCK-BLK-L x1, a gift note
SOCK = "6903456789018"
TEA = "6901234567892"  # not in PDD-1018


def history_waybill(services, carrier: str) -> tuple[str, str]:
    """A waybill the demo history linked to an order: (waybill, order_no)."""
    with services.read_uow() as uow:
        row = uow.session.execute(
            select(Order.waybill, Order.order_no).where(Order.carrier_code == carrier, Order.waybill.is_not(None))
            .order_by(Order.id)
        ).first()
    assert row is not None
    return row[0], row[1]


def test_order_from_badge_to_handover(window, scanner, sounds, demo_services):
    assert "PackGate" in window.windowTitle() and "BENCH-1" in window.windowTitle()
    assert window.panels.currentWidget() is window.login_panel
    assert window.instruction.text() == "Scan your badge"

    out = scanner.scan("P-1001")
    assert out.accepted and window.view.step == Step.ORDER
    assert window.banner.level == Level.ACCEPTED and "李娜" in window.banner.text()

    out = scanner.scan("PDD-1018")
    assert out.accepted and window.view.step == Step.VERIFY
    panel = window.order_panel
    assert window.panels.currentWidget() is panel
    assert "PDD-1018" in panel.order_no.text() and "EMS" in panel.carrier.text()
    assert panel.note.isVisible() and "Gift" in panel.note.text() and "#ffeb3b" in panel.note.styleSheet()
    assert panel.table.rowCount() == 2
    assert window.step_bar.states() == ["done", "current", "todo", "todo", "todo", "locked"]
    assert window.instruction.text() == "Scan each item"

    out = scanner.scan(TEA)
    assert not out.accepted and window.banner.level == Level.REFUSED
    assert "Wrong item" in window.banner.text() and "TEA-LJ-250" in window.banner.text()
    assert sounds.played[-1] == "refuse"

    # A refused scan blocks nothing: the next one just works.
    scanner.scan(PEN)
    assert window.banner.level == Level.ACCEPTED and panel.table.item(0, 2).text() == "1 / 2"
    assert panel.hit_row == 0
    scanner.scan(SOCK)
    assert panel.hit_row == 1 and panel.table.item(1, 2).text() == "1 / 1"
    out = scanner.scan(SOCK)
    assert not out.accepted and "Over-scan" in window.banner.text()
    scanner.scan(PEN)
    assert window.view.step == Step.BOX and panel.table.cellWidget(0, 3).value() == 2

    scanner.scan("BOX-S")
    assert window.view.step == Step.WEIGHT
    assert window.step_bar.states()[2] == "current"
    expected = window.view.order.expected_weight_g
    out = scanner.scan(f"{expected * 2}g")
    assert not out.accepted and window.banner.level == Level.REFUSED
    assert f"expected {expected:,} g" in window.banner.text()

    out = scanner.scan(str(expected))
    assert out.accepted and window.view.step == Step.WAYBILL
    assert demo_services.test_printer.labels[-1].order_no == "PDD-1018"
    assert "test label PDD-1018" in window.label_preview.text()
    assert window.instruction.text() == "Scan the carrier waybill"

    out = scanner.scan("EA12345678CN")  # pattern wrong
    assert not out.accepted and "EMS" in window.banner.text()
    out = scanner.scan("EA123456789CN")  # check digit wrong
    assert not out.accepted and "Check digit wrong for EMS" in window.banner.text()
    assert window.step_bar.done_label.property("state") == "locked"

    out = scanner.scan("EA123456785CN")
    assert out.accepted and out.level == Level.COMPLETE and sounds.played[-1] == "complete"
    assert window.view.step == Step.ORDER and window.view.completed_order == "PDD-1018"
    assert window.step_bar.done_label.property("state") == "complete"
    assert window.banner.level == Level.COMPLETE and "PDD-1018 complete" in window.banner.text()

    # Handover: one parcel in, one refused inline, close prints the manifest.
    scanner.scan("CMD:HANDOVER")
    assert window.panels.currentWidget() is window.handover_panel
    out = scanner.scan("EA123456785CN")
    assert out.accepted and "1" in window.handover_panel.count.text()
    assert "EMS" in window.handover_panel.title.text() or "邮政" in window.handover_panel.title.text()
    other, _ = history_waybill(demo_services, "ZTO")
    out = scanner.scan(other)
    assert not out.accepted and window.banner.level == Level.REFUSED
    assert window.handover_panel.refusals == [other]
    assert window.handover_panel.parcels.count() == 2
    out = scanner.scan("CMD:CLOSE")
    assert out.level == Level.COMPLETE
    assert demo_services.test_printer.manifests[-1].parcels[0].waybill == "EA123456785CN"

    scanner.scan("CMD:LOGOUT")
    assert window.view.step == Step.LOGIN and window.panels.currentWidget() is window.login_panel


def test_duplicate_waybill_names_the_other_order(window, scanner, demo_services):
    waybill, other_order = history_waybill(demo_services, "ZTO")
    scanner.scan("P-1002")
    out = scanner.scan("PDD-1002")  # ZTO
    for line in out.view.order.lines:
        for _ in range(line.quantity):
            scanner.scan(line.barcode)
    scanner.scan("BOX-M")
    scanner.scan(str(window.view.order.expected_weight_g))
    assert window.view.step == Step.WAYBILL
    out = scanner.scan(waybill)
    assert not out.accepted
    assert f"already on order {other_order}" in window.banner.text()
    out = scanner.scan("75319999000001")
    assert out.level == Level.COMPLETE
    with demo_services.read_uow() as uow:
        order = uow.session.scalar(select(Order).where(Order.order_no == "PDD-1002"))
        assert order.state == OrderState.PACKED.value and order.waybill == "75319999000001"


def test_logout_button_and_pin_masked(window, scanner, qtbot):
    out = scanner.scan("P-1003")  # Wang Fang has a PIN
    assert window.view.step == Step.PIN
    QCoreApplication.processEvents()
    scanner.type("24", suffix=())
    assert window.scan_field.text() == "\u2022\u2022"
    with qtbot.waitSignal(window.outcome_shown):
        scanner.type("68", suffix=(Qt.Key.Key_Return,))
    assert window.view.step == Step.ORDER and window.scan_field.text() == ""
    assert out.accepted
    with qtbot.waitSignal(window.outcome_shown):
        qtbot.mouseClick(window.logout_button, Qt.MouseButton.LeftButton)
    assert window.view.step == Step.LOGIN


def test_scans_arrive_wherever_the_focus_is(window, scanner):
    # Focus on the table, on a button, on the read-only field: the filter takes the keys every time.
    targets = [window.order_panel.table, window.logout_button, window.scan_field, window.banner]
    assert scanner.scan("P-1001", target=targets[0]).accepted
    out = scanner.scan("PDD-1004", target=targets[1])
    assert out.accepted, out.message.render()
    assert window.view.step == Step.VERIFY
    out = scanner.scan(TEA, target=targets[2])
    assert out.raw == TEA  # exactly one scan, with exactly these characters
    assert isinstance(window.scan_field, QLineEdit) and window.scan_field.text() == ""


def test_scans_typed_fast_are_queued_in_order(window, scanner, qtbot):
    received = []
    window.outcome_shown.connect(lambda o: received.append(o.raw))
    for code in ("P-1001", "PDD-1004", TEA, "CMD:LOGOUT"):
        scanner.type(code)  # no waiting between scans: the worker queues them
    qtbot.waitUntil(lambda: len(received) == 4, timeout=10_000)
    assert received == ["P-1001", "PDD-1004", TEA, "CMD:LOGOUT"]
    assert window.view.step == Step.LOGIN


def test_a_supervisors_take_back_shows_on_the_bench_within_a_second(qtbot, window, scanner, demo_services):
    from app.packing.supervisor import release_hold

    scanner.scan("P-1001")
    scanner.scan("PDD-1001")
    assert window.view.order is not None
    release_hold(demo_services, "S-9001", "123456", "PDD-1001", "packer went home")
    with qtbot.waitSignal(window.outcome_shown, timeout=3_000) as blocker:  # no scan: the bench hears of it
        pass
    notice = blocker.args[0]
    assert notice.kind == "notice" and "taken off this bench" in notice.message.render()
    assert window.view.order is None and window.banner.isVisible()
