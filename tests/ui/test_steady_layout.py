"""After a scan only what changed is laid out and painted again (issue 19's speed aim): the banner and
the instruction keep their height, a step its width, a style sheet is only set when it changes, and
the idle screen's count is read once the scan path is clear."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.packing.outcome import Level
from app.ui.banner import Banner
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
    host.resize(900, 700)  # another width: measured again
    qtbot.waitUntil(lambda: banner.width() > 800)
    with qtbot.waitSignal(banner.painted):
        banner.show_message(Level.ACCEPTED, "OK")
    qtbot.waitUntil(lambda: banner.height() < tall)
    assert banner.height() >= 110  # its own minimum stays


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
