"""The station window with an e-waybill carrier (stand-in gateway and print component): the weight
shows "Label printing…", then "Label printed: stick it on and scan it"; the label's barcode, decoded
from the stand-in component's PDF, packs the order; another code is refused, red."""

from __future__ import annotations

import pytest

from app.packing.outcome import Level, Step
from app.ui.station_window import StationWindow
from tests.barcodes import decode_pdf
from tests.integration.test_ewaybill_bench import ORDER, component, gateway, make_bench  # noqa: F401 - fixtures
from tests.ui.conftest import Scanner


@pytest.fixture
def ewaybill_window(qtbot, demo_services, sounds, gateway, component, tmp_path):  # noqa: F811
    make_bench(demo_services, gateway, component, tmp_path)
    win = StationWindow(demo_services, "BENCH-1", sounds=sounds)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_an_order_packed_with_the_printed_e_waybill(qtbot, ewaybill_window, component, sounds):  # noqa: F811
    window = ewaybill_window
    scanner = Scanner(qtbot, window)
    seen: list[str] = []
    window.worker.progressed.connect(lambda outcome: seen.append(outcome.message.render()))
    scanner.scan("P-1001")
    out = scanner.scan(ORDER)
    for line in out.view.order.lines:
        for _ in range(line.quantity):
            scanner.scan(line.barcode)
    grams = scanner.scan("BOX-S").view.order.expected_weight_g
    first = scanner.scan(f"{grams}g")
    assert first.message.render().endswith("Label printing\u2026")
    qtbot.waitUntil(lambda: window.view.step == Step.WAYBILL, timeout=10_000)
    assert window.banner.text() == "Label printed: stick it on and scan it" and window.banner.level == Level.ACCEPTED
    assert seen == [first.message.render()]
    (number,) = decode_pdf(open(component.documents[-1]["pdf"], "rb").read())
    out = scanner.scan("70000000000000")
    assert not out.accepted and window.banner.level == Level.REFUSED and sounds.played[-1] == "refuse"
    out = scanner.scan(number)
    assert out.level == Level.COMPLETE and ORDER in window.banner.text()
