"""Supervisor actions on SQLite and PostgreSQL: PIN at that moment, a reason, an audit event,
and a refusal that changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from app.demo import seed_demo
from app.models.schema import Manifest, ManifestItem, Order, OrderLine, Parcel, ScanEvent, User
from app.packing.outcome import Step
from app.packing.supervisor import (
    ActionRefused,
    NotAuthorized,
    cancel_order,
    release_hold,
    reopen_manifest,
    run_action,
    unlink_waybill,
)
from app.packing.workflow import BenchWorkflow

SUP, PIN = "S-9001", "123456"
YTO_LINKED = "YT0000002000022"  # the demo links this number to PDD-1023 (packed, not handed over)


@pytest.fixture
def demo(services):
    seed_demo(services)
    return services


def snapshot(services):
    """Every order's state, waybill, bench and scanned counts, and the non-auth audit events."""
    with services.read_uow() as uow:
        s = uow.session
        orders = s.execute(select(Order.order_no, Order.state, Order.waybill, Order.station_id, Order.hold_reason,
                                  Order.packed_at, Order.handed_over_at).order_by(Order.id)).all()
        lines = s.execute(select(OrderLine.id, OrderLine.scanned).order_by(OrderLine.id)).all()
        parcels = s.scalar(select(func.count()).select_from(Parcel))
        manifests = s.execute(select(Manifest.id, Manifest.closed_at).order_by(Manifest.id)).all()
        events = s.scalar(select(func.count()).select_from(ScanEvent).where(ScanEvent.kind != "auth"))
    return orders, lines, parcels, manifests, events


def events(services, kind):
    with services.read_uow() as uow:
        return uow.session.execute(
            select(ScanEvent.kind, ScanEvent.reason, User.name, ScanEvent.accepted, ScanEvent.raw)
            .join(User, User.id == ScanEvent.user_id).where(ScanEvent.kind == kind)
            .order_by(ScanEvent.id)).all()


def order(services, order_no):
    with services.read_uow() as uow:
        return uow.session.scalar(select(Order).where(Order.order_no == order_no))


def pack(flow: BenchWorkflow, order_no: str, waybill: str):
    out = flow.handle(order_no)
    assert out.accepted, out.message.render()
    for line in out.view.order.lines:
        for _ in range(line.quantity - line.scanned):
            assert flow.handle(line.barcode).accepted
    flow.handle("BOX-S")
    assert flow.handle(str(flow.last_view.order.expected_weight_g)).accepted
    return flow.handle(waybill)


def put_on_hold(services, order_no="PDD-1002"):
    flow = BenchWorkflow(services, "BENCH-1")
    flow.handle("P-1001")
    out = flow.handle(order_no)
    flow.handle(out.view.order.lines[0].barcode)  # one item scanned before the mug turns out broken
    assert flow.handle("CMD:SHORT").accepted
    assert order(services, order_no).state == "on_hold"
    return flow


def test_release_hold_resets_the_order_and_audits(demo):
    flow = put_on_hold(demo)
    done = release_hold(demo, SUP, PIN, "PDD-1002", "replacement mug found", station="BENCH-1")
    assert "released" in done.message.render() and done.supervisor.startswith("陈主管")
    o = order(demo, "PDD-1002")
    assert (o.state, o.station_id, o.hold_reason) == ("ready", None, "")
    with demo.read_uow() as uow:
        assert uow.session.scalar(select(func.sum(OrderLine.scanned)).where(OrderLine.order_id == o.id)) == 0
        assert uow.session.scalar(select(func.count()).select_from(Parcel).where(Parcel.order_id == o.id)) == 0
    assert events(demo, "release_hold") == [("release_hold", "replacement mug found", "陈主管 Chen (supervisor)",
                                             True, "PDD-1002")]
    assert flow.handle("PDD-1002").accepted  # packable again


@pytest.mark.parametrize("badge, pin, text", [
    (SUP, "9999", "Wrong PIN"),
    ("P-1001", "", "is not a supervisor"),
    ("P-1003", "2468", "is not a supervisor"),
    ("NOBODY", "1234", "Unknown badge"),
])
def test_authorisation_required(demo, badge, pin, text):
    put_on_hold(demo)
    before = snapshot(demo)
    with pytest.raises(NotAuthorized, match=text):
        release_hold(demo, badge, pin, "PDD-1002", "a reason")
    assert snapshot(demo) == before
    with demo.read_uow() as uow:  # the attempt itself is audited
        assert uow.session.scalar(select(ScanEvent.accepted).where(ScanEvent.kind == "auth")
                                  .order_by(ScanEvent.id.desc()).limit(1)) is False


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_required(demo, reason):
    put_on_hold(demo)
    before = snapshot(demo)
    with pytest.raises(ActionRefused, match="reason"):
        release_hold(demo, SUP, PIN, "PDD-1002", reason)
    assert snapshot(demo) == before


@pytest.mark.parametrize("action, target, text", [
    (cancel_order, "PDD-1023", "already packed"),
    (cancel_order, "PDD-1022", "handed over"),
    (unlink_waybill, "PDD-1022", "handed over"),
    (unlink_waybill, "PDD-1001", "no linked waybill"),
    (release_hold, "PDD-1001", "not on hold"),
    (release_hold, "NO-SUCH", "Unknown order"),
    (reopen_manifest, "M-NONE", "Unknown manifest"),
])
def test_refusals_change_nothing(demo, action, target, text):
    before = snapshot(demo)
    with pytest.raises(ActionRefused, match=text):
        action(demo, SUP, PIN, target, "a reason")
    assert snapshot(demo) == before


def test_cancel_ready_and_on_hold(demo):
    done = cancel_order(demo, SUP, PIN, "PDD-1001", "customer cancelled")
    assert done.kind == "cancel" and order(demo, "PDD-1001").state == "cancelled"
    put_on_hold(demo, "PDD-1003")
    cancel_order(demo, SUP, PIN, "PDD-1003", "out of stock")
    assert order(demo, "PDD-1003").state == "cancelled"
    assert [(k, r) for k, r, *_ in events(demo, "cancel")] == [("cancel", "customer cancelled"),
                                                               ("cancel", "out of stock")]
    with pytest.raises(ActionRefused, match="already cancelled"):
        cancel_order(demo, SUP, PIN, "PDD-1001", "again")


def test_unlink_frees_the_number_and_the_bench_resumes_at_the_waybill(demo):
    before = order(demo, "PDD-1023")
    done = unlink_waybill(demo, SUP, PIN, "PDD-1023", "label stuck on the wrong parcel")
    assert YTO_LINKED in done.message.render()
    after = order(demo, "PDD-1023")
    assert (after.state, after.waybill, after.packed_at) == ("packing", None, None)
    assert after.station_id == before.station_id
    assert events(demo, "unlink") == [("unlink", "label stuck on the wrong parcel", "陈主管 Chen (supervisor)",
                                       True, YTO_LINKED)]
    # The number is free: another YTO order can link it.
    other = BenchWorkflow(demo, "BENCH-2")
    other.handle("P-1001")
    out = pack(other, "PDD-1003", YTO_LINKED)
    assert out.accepted, out.message.render()
    assert order(demo, "PDD-1003").waybill == YTO_LINKED
    # The demo bench resumes PDD-1023 at the waybill step and links a fresh number.
    bench = BenchWorkflow(demo, "DEMO-HISTORY")
    assert bench.handle("P-1002").view.step == Step.WAYBILL
    assert bench.handle("YT0000002000099").accepted
    assert order(demo, "PDD-1023").state == "packed"


def test_unlink_refused_on_an_open_manifest(demo):
    flow = BenchWorkflow(demo, "DOCK")
    flow.handle("P-1001")
    flow.handle("CMD:HANDOVER")
    assert flow.handle(YTO_LINKED).accepted
    before = snapshot(demo)
    with pytest.raises(ActionRefused, match="on manifest"):
        unlink_waybill(demo, SUP, PIN, "PDD-1023", "wrong label")
    assert snapshot(demo) == before


def closed_manifest(services):
    with services.read_uow() as uow:
        return uow.session.scalar(select(Manifest).where(Manifest.closed_at.is_not(None)))


def test_reopen_an_unsigned_manifest(demo):
    m = closed_manifest(demo)
    assert order(demo, "PDD-1022").state == "handed_over"
    done = reopen_manifest(demo, SUP, PIN, m.manifest_no, "courier left two parcels")
    assert "2 parcels" in done.message.render()
    assert order(demo, "PDD-1022").state == "packed" and order(demo, "PDD-1022").handed_over_at is None
    with demo.read_uow() as uow:
        again = uow.session.get(Manifest, m.id)
        assert again.closed_at is None
        assert uow.session.scalar(select(func.count()).select_from(ManifestItem)
                                  .where(ManifestItem.manifest_id == m.id)) == 2
    assert events(demo, "reopen_manifest")[0][1] == "courier left two parcels"
    # The bench that owns it resumes the handover and can close it again.
    bench = BenchWorkflow(demo, "DEMO-HISTORY")
    assert bench.handle("P-1002").view.step == Step.HANDOVER
    assert bench.handle("CMD:CLOSE").accepted
    assert order(demo, "PDD-1022").state == "handed_over"


def test_reopen_refused_once_signed_or_open(demo):
    m = closed_manifest(demo)
    flow = BenchWorkflow(demo, "DOCK")
    flow.handle("P-1001")
    flow.handle("CMD:HANDOVER")
    with demo.read_uow() as uow:
        open_no = uow.session.scalar(select(Manifest.manifest_no).where(Manifest.closed_at.is_(None)))
    with pytest.raises(ActionRefused, match="still open"):
        reopen_manifest(demo, SUP, PIN, open_no, "x")
    with demo.uow() as uow:
        uow.session.execute(update(Manifest).where(Manifest.id == m.id).values(signed_at=m.closed_at))
    before = snapshot(demo)
    with pytest.raises(ActionRefused, match="signed by the courier"):
        reopen_manifest(demo, SUP, PIN, m.manifest_no, "x")
    assert snapshot(demo) == before


def test_run_action_dispatches_and_needs_a_target(demo):
    with pytest.raises(ActionRefused, match="number"):
        run_action(demo, "cancel", SUP, PIN, " ", "x")
    assert run_action(demo, "cancel", SUP, PIN, "PDD-1005", "duplicate").kind == "cancel"
    with pytest.raises(ValueError):
        run_action(demo, "explode", SUP, PIN, "PDD-1005", "x")
