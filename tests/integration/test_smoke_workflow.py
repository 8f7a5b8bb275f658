"""A whole order from badge to handover on SQLite and PostgreSQL: the spine every later test extends."""

from app.demo import seed_demo
from app.packing.outcome import Level, Step
from app.packing.workflow import BenchWorkflow


def test_demo_order_from_badge_to_handover(services):
    seed_demo(services)
    flow = BenchWorkflow(services, "BENCH-1")
    assert flow.handle("P-1001").view.step == Step.ORDER
    out = flow.handle("PDD-1002")  # ZTO, SOCK-BLK-L x1? see demo: lines from the generator
    assert out.accepted and out.step == Step.VERIFY
    for line in out.view.order.lines:
        for _ in range(line.quantity):
            assert flow.handle(line.barcode).accepted
    assert flow.handle("BOX-S").view.step == Step.WEIGHT
    expected = flow.last_view.order.expected_weight_g
    out = flow.handle(f"{expected}g")
    assert out.accepted and out.step == Step.WAYBILL, out.message.render()
    assert services.test_printer.labels[-1].order_no == "PDD-1002"
    out = flow.handle("75310000000001")
    assert out.accepted and out.level == Level.COMPLETE and out.step == Step.ORDER
    assert flow.handle("CMD:HANDOVER").step == Step.HANDOVER
    assert flow.handle("75310000000001").accepted
    out = flow.handle("CMD:CLOSE")
    assert out.level == Level.COMPLETE
    assert services.test_printer.manifests[-1].parcels[0].waybill == "75310000000001"
