"""After a scan only what changed is laid out and painted again (issue 19's speed aim): the banner and
the instruction keep their height, a step its width, a style sheet is only set when it changes, and
the idle screen's count is read once the scan path is clear."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.packing.outcome import Level, LineView, OrderView, Step
from app.ui.banner import Banner
from app.ui.order_panel import DONE, OrderPanel
from app.ui.step_bar import StepBar

PEN = "6908901234563"
LONG = "Order PDD-1001 complete: ZTO 75310002001980 linked, the label printed and the parcel weighed at 380 g"


def test_the_banner_keeps_its_height_for_a_shorter_message_and_grows_for_a_longer_one(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    banner = Banner()
    layout.addWidget(banner)
    layout.addStretch(1)
    host.resize(600, 700)
    host.show()
    qtbot.waitExposed(host)
    banner.show_message(Level.ACCEPTED, "OK")
    qtbot.waitUntil(lambda: banner.height() >= 110)
    short = banner.height()
    banner.show_message(Level.COMPLETE, LONG)
    qtbot.waitUntil(lambda: banner.height() > short)  # a longer text still gets its room
    tall = banner.height()
    with qtbot.waitSignal(banner.painted):
        banner.show_message(Level.ACCEPTED, "OK")
    assert banner.height() == tall  # a shorter one keeps it: nothing below moves
    for n in range(banner.RELEASE_AFTER - 2):
        with qtbot.waitSignal(banner.painted):
            banner.show_message(Level.ACCEPTED, f"OK {n}")
    assert banner.height() == tall
    banner.show_message(Level.ACCEPTED, "OK")  # short texts in a row: the room goes back
    qtbot.waitUntil(lambda: banner.height() < tall)
    banner.show_message(Level.COMPLETE, LONG)
    qtbot.waitUntil(lambda: banner.height() == tall)
    host.resize(1200, 700)  # another width: measured again (fewer lines)
    qtbot.waitUntil(lambda: banner.width() > 1100 and banner.height() < tall)
    banner.show_message(Level.ACCEPTED, "OK")
    assert banner.minimumHeight() >= 110  # its own minimum stays


def test_a_steps_width_and_style_sheet_stay_when_a_scan_does_not_change_them(qtbot, window, scanner):
    bar: StepBar = window.step_bar
    scanner.scan("P-1001")
    scanner.scan("PDD-1018")  # PEN-GEL-3 x2, SOCK-BLK-L x1
    scanner.scan(PEN)
    widths = [label.width() for label in bar.labels]
    sheets = [label.styleSheet() for label in bar.labels]
    polished = []
    for label in bar.labels:
        label.setStyleSheet = lambda sheet, polished=polished: polished.append(sheet)
    out = scanner.scan(PEN)  # the second pen: the same steps as before
    assert out.accepted and [label.styleSheet() for label in bar.labels] == sheets and polished == []
    assert [label.width() for label in bar.labels] == widths
    scanner.scan("CMD:LOGOUT")


def test_the_idle_screens_count_is_read_after_the_banner_and_behind_no_scan(qtbot, window, scanner):
    asked = []
    window.worker.refresh = lambda: asked.append(window.view.step)
    scanner.scan("P-1001")  # logged in: the idle screen, whose count is to be read
    assert asked == [] and window.due_soon_ask.isActive()  # not in front of the banner
    window.due_soon_ask.stop()
    window.worker.pending += 1  # a scan waiting on the worker goes first
    window._ask_due_soon()
    assert asked == []
    window.worker.pending -= 1
    window._ask_due_soon()  # (its outcome asks again)
    assert asked == [window.view.step] and window.view.idle
    scanner.scan("PDD-1018")  # an open order: nothing left to ask
    window._ask_due_soon()
    assert len(asked) == 1
    scanner.scan("CMD:LOGOUT")


def order(order_no: str, *lines: tuple[str, int, int]) -> OrderView:
    return OrderView(order_no, "ZTO", "ZTO Express", "张三", "138", "杭州", "", "packing", None, None,
                     tuple(LineView(sku, "1", f"name of {sku}", qty, scanned) for sku, qty, scanned in lines))


def test_the_next_orders_lines_reuse_the_rows_of_the_last_one(qtbot):
    panel = OrderPanel()
    qtbot.addWidget(panel)
    panel.set_order(order("A-1", ("TEA", 2, 2), ("MUG", 1, 1)), 1, Step.BOX)
    bars = [panel.table.cellWidget(row, 3) for row in range(2)]
    panel.set_order(None, None)  # the done screen: the rows stay, empty
    assert [panel.table.item(0, col).text() for col in range(3)] == ["", "", ""] and bars[0].value() == 0
    panel.set_order(order("B-2", ("PEN", 3, 0), ("SOCK", 1, 0)), None, Step.VERIFY)
    assert [panel.table.cellWidget(row, 3) for row in range(2)] == bars  # not built again
    assert [panel.table.item(1, col).text() for col in range(3)] == ["name of SOCK", "SOCK", "0 / 1"]
    assert bars[0].maximum() == 3 and bars[0].value() == 0 and panel.table.item(0, 0).background().color() != DONE
    panel.set_order(order("C-3", ("TEA", 1, 1)), 0, Step.BOX)  # fewer lines: fewer rows
    assert panel.table.rowCount() == 1 and panel.table.item(0, 2).text() == "1 / 1"
    panel.set_order(order("D-4", ("TEA", 1, 0), ("MUG", 2, 0), ("PEN", 1, 0)), None, Step.VERIFY)  # more: built
    assert panel.table.rowCount() == 3 and panel.table.item(2, 1).text() == "PEN" and panel.table.cellWidget(2, 3)
