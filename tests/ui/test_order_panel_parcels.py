"""The order panel says which parcel of a split order is being packed, and the waybills linked."""

from __future__ import annotations

from app.packing.outcome import LineView, OrderView, ParcelView, Step
from app.ui.order_panel import OrderPanel


def view(parcels, seq, total=None) -> OrderView:
    return OrderView("PDD-2001", "SF", "SF Express", "张三", "138", "杭州", "", "packing", None, None,
                     (LineView("TEA", "1", "Tea", 2, 1),), parcels=parcels, parcel_seq=seq, parcel_total=total)


def test_one_parcel_shows_no_parcel_line(qtbot):
    panel = OrderPanel()
    qtbot.addWidget(panel)
    panel.set_order(view((ParcelView(1, 1),), 1), None, Step.VERIFY)
    assert panel.parcels.isHidden()


def test_parcel_two_shows_its_number_and_parcel_ones_waybill(qtbot):
    panel = OrderPanel()
    qtbot.addWidget(panel)
    panel.set_order(view((ParcelView(1, 2, "SF1400000002001", sealed=True), ParcelView(2, 1)), 2, 2), None, Step.VERIFY)
    assert not panel.parcels.isHidden()
    assert "Packing parcel 2 of 2" in panel.parcels.text() and "SF1400000002001" in panel.parcels.text()
    panel.set_order(None, None)
    assert panel.parcels.isHidden() and panel.parcels.text() == ""


def test_the_supervisor_timeline_lists_the_parcels(qtbot):
    from app.ui.supervisor.timeline import TimelinePanel

    panel = TimelinePanel()
    qtbot.addWidget(panel)
    details = {"order_no": "PDD-2001", "state": "packed", "carrier": "SF", "waybill": "SF1400000002001",
               "station": "B-1", "packer": "Li", "hold_reason": "", "events": [],
               "parcels": [{"seq": 1, "waybill": "SF1400000002001", "box": "BOX-M", "weight_g": 1200, "lines": {},
                            "manifest": "M1", "state": "handed_over"},
                           {"seq": 2, "waybill": "SF1400000002002", "box": "BOX-S", "weight_g": 800, "lines": {},
                            "manifest": None, "state": "packed"}]}
    panel.show_order(details)
    lines = panel.parcels.text().splitlines()
    assert lines == ["Parcel 1: SF1400000002001, box BOX-M, 1200 g, handed_over M1",
                     "Parcel 2: SF1400000002002, box BOX-S, 800 g, packed "]
    panel.show_order(None, "X")
    assert panel.parcels.text() == ""
