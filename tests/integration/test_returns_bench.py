"""The returns bench end to end through the workflow, on SQLite and PostgreSQL: a packed demo order
comes back with one item damaged, a foreign one and one missing; a logout resumes the open return;
an unmatched parcel is recorded; an expected return opens by the buyer's return waybill."""

from __future__ import annotations

from sqlalchemy import select

from app.demo import seed_demo
from app.models.returns import Return, ReturnLine
from app.models.schema import Order
from app.packing.outcome import Level, Step
from app.packing.workflow import BenchWorkflow

TEA, MUG, SOCK = "6901234567892", "6902345678905", "6903456789018"  # PDD-1021 (packed by the demo): tea and mug


def _lines(services, return_id):
    with services.read_uow() as uow:
        return sorted((x.kind, x.sku, x.condition, x.qty) for x in
                      uow.session.scalars(select(ReturnLine).where(ReturnLine.return_id == return_id)))


def test_a_packed_order_comes_back_damaged_foreign_and_short(services):
    seed_demo(services)
    flow = BenchWorkflow(services, "BENCH-1")
    flow.handle("P-1001")
    out = flow.handle("CMD:RETURNS")
    assert out.accepted and out.step == Step.RETURNS
    assert not flow.handle(TEA).accepted  # an item before the parcel is named
    out = flow.handle("PDD-1021")
    assert out.accepted, out.message.render()
    ret = out.view.return_view
    assert ret.order_no == "PDD-1021" and [(x.sku, x.shipped) for x in ret.lines] == [("TEA-LJ-250", 1), ("MUG-CER-01", 1)]
    assert ret.parcels[0].waybill == "SF1400000000020" and ret.parcels[0].packer
    assert flow.handle("CMD:DAMAGED").view.return_view.damaged_next
    out = flow.handle(TEA)
    assert out.accepted and out.level == Level.WARNING and out.view.return_view.lines[0].damaged == 1
    out = flow.handle(SOCK)
    assert not out.accepted and out.view.return_view.foreign == (("SOCK-BLK-L", 1),)
    out = flow.handle(TEA)
    assert not out.accepted and "Over-return" in out.message.render()
    flow.handle("CMD:LOGOUT")
    out = flow.handle("P-1001")  # a logout (or a crash) resumes the open return
    assert out.step == Step.RETURNS and "return PDD-1021 resumed" in out.message.render()
    assert out.view.return_view.lines[0].damaged == 1
    out = flow.handle("CMD:CLOSE")
    assert out.accepted and out.level == Level.WARNING and "MUG-CER-01" in out.message.render()
    assert out.step == Step.RETURNS and out.view.return_view is None
    with services.read_uow() as uow:
        ret = uow.session.scalar(select(Return).join(Order).where(Order.order_no == "PDD-1021"))
        assert ret.state == "closed" and ret.station_id is not None and ret.packer_id is not None and ret.closed_at
        rid = ret.id
    assert _lines(services, rid) == [("foreign", "SOCK-BLK-L", "good", 1), ("missing", "MUG-CER-01", "good", 1),
                                     ("returned", "TEA-LJ-250", "damaged", 1)]
    out = flow.handle("PDD-1021")  # a second return of the order: only the mug may still come back
    assert out.accepted
    assert not flow.handle(TEA).accepted and flow.handle(MUG).accepted
    assert flow.handle("CMD:CLOSE").level == Level.COMPLETE
    out = flow.handle("CMD:RETURNS")
    assert out.accepted and out.step == Step.ORDER


def test_an_unmatched_parcel_is_recorded(services):
    seed_demo(services)
    flow = BenchWorkflow(services, "BENCH-1")
    flow.handle("P-1001")
    flow.handle("CMD:RETURNS")
    out = flow.handle("YT9990000000001")
    assert out.accepted and out.level == Level.WARNING and out.view.return_view.order_no is None
    flow.handle(SOCK)
    flow.handle("CMD:DAMAGED")
    flow.handle("NOT-A-PRODUCT")
    assert not flow.handle("CMD:RETURNS").accepted  # the open return first
    out = flow.handle("CMD:CLOSE")
    assert out.accepted and "Unmatched return YT9990000000001 recorded (2 units)" in out.message.render()
    with services.read_uow() as uow:
        ret = uow.session.scalar(select(Return).where(Return.return_waybill == "YT9990000000001"))
        assert ret.order_id is None and ret.state == "closed"
        rid = ret.id
    assert _lines(services, rid) == [("foreign", "NOT-A-PRODUCT", "damaged", 1), ("returned", "SOCK-BLK-L", "good", 1)]
    assert not flow.handle("YT9990000000001").accepted  # already received


def test_an_expected_return_opens_by_the_buyers_waybill_with_the_claim(services, clock):
    seed_demo(services)
    with services.uow() as uow:
        s = uow.session
        order = s.scalar(select(Order).where(Order.order_no == "PDD-1021"))
        tea = next(x.product for x in order.lines if x.product.sku == "TEA-LJ-250")
        ret = Return(order_id=order.id, after_sales_id="AS-1", after_sales_type=3, after_sales_status=2,
                     reason="质量问题", return_waybill="YT8880000000001", state="expected", created_at=clock())
        s.add(ret)
        s.flush()
        s.add(ReturnLine(return_id=ret.id, kind="claimed", product_id=tea.id, sku=tea.sku, qty=1, condition="good"))
    flow = BenchWorkflow(services, "BENCH-1")
    flow.handle("P-1001")
    flow.handle("CMD:RETURNS")
    out = flow.handle("YT8880000000001")
    view = out.view.return_view
    assert out.accepted and view.after_sales_id == "AS-1" and view.reason == "质量问题"
    assert [(x.sku, x.claimed, x.expected) for x in view.lines] == [("TEA-LJ-250", 1, 1), ("MUG-CER-01", 0, 0)]
    flow.handle(TEA)
    assert flow.handle("CMD:CLOSE").level == Level.COMPLETE  # the buyer claimed the tea only: nothing missing


def test_the_demo_return_opens_by_its_return_waybill(services):
    from app.demo import DEMO_RETURN

    assert seed_demo(services)["returns"] == 1
    flow = BenchWorkflow(services, "BENCH-1")
    flow.handle("P-1001")
    flow.handle("CMD:RETURNS")
    out = flow.handle(DEMO_RETURN["return_waybill"])
    view = out.view.return_view
    assert out.accepted and view.order_no == DEMO_RETURN["order_no"] and view.after_sales_id == "AS-DEMO-0001"
    assert [(x.sku, x.shipped, x.claimed) for x in view.lines] == [("MUG-CER-01", 2, 1), ("PHONE-CASE", 2, 0)]
