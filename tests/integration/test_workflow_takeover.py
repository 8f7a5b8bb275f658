"""Defects found in review, each pinned by a test: codes that fit a carrier's pattern are not
waybills; an order a supervisor took away stops at once; lockouts and re-imports hold under races."""

from __future__ import annotations

import threading

from sqlalchemy import select

from app.demo import DEMO_PRODUCTS, seed_demo
from app.models.schema import Order, OrderState, User
from app.packing.outcome import Step
from app.packing.supervisor import cancel_order, release_hold
from app.packing.workflow import BenchWorkflow

SUP, PIN = "S-9001", "123456"


def _order(services, order_no):
    with services.read_uow() as uow:
        o = uow.session.scalar(select(Order).where(Order.order_no == order_no))
        return o.state, o.waybill, o.station_id


def _to_waybill_step(flow, order_no):
    out = flow.handle(order_no)
    assert out.accepted, out.message.render()
    for line in out.view.order.lines:
        for _ in range(line.quantity):
            assert flow.handle(line.barcode).accepted
    assert flow.handle("BOX-M").accepted
    out = flow.handle(str(flow.last_view.order.expected_weight_g))
    assert out.step == Step.WAYBILL, out.message.render()


def test_item_order_box_and_badge_codes_are_never_linked_as_waybills(services):
    """PDD-1018 is EMS: its 13-digit domestic rule would accept any EAN-13 item barcode."""
    seed_demo(services)
    flow = BenchWorkflow(services, "BENCH-1")
    flow.handle("P-1001")
    _to_waybill_step(flow, "PDD-1018")
    item = DEMO_PRODUCTS[0][3][0]
    assert services.catalogue.validate("EMS", item).ok  # the trap is real
    for code, word in ((item, "item barcode"), ("PDD-1003", "order number"), ("BOX-S", "box code"),
                       ("P-1002", "logged in")):
        out = flow.handle(code)
        assert not out.accepted and word in out.message.render(), (code, out.message.render())
        assert out.step == Step.WAYBILL
    assert _order(services, "PDD-1018")[:2] == (OrderState.PACKING.value, None)
    assert flow.handle("1100000000001").accepted  # a real 13-digit domestic EMS number still links


def test_order_cancelled_by_a_supervisor_is_not_resurrected_by_the_bench(services):
    seed_demo(services)
    flow = BenchWorkflow(services, "BENCH-1")
    flow.handle("P-1001")
    out = flow.handle("PDD-1002")
    assert out.step == Step.VERIFY
    cancel_order(services, SUP, PIN, "PDD-1002", "buyer cancelled")
    for scan in ("CMD:CANCEL", out.view.order.lines[0].barcode, "CMD:SHORT"):
        out = flow.handle(scan)
        assert _order(services, "PDD-1002")[0] == OrderState.CANCELLED.value, scan
    # the first scan after the cancel already said so and dropped the order from the bench
    assert flow.last_view.order is None and flow.last_view.step == Step.ORDER


def test_bench_stops_at_once_when_its_order_is_cancelled(services):
    seed_demo(services)
    flow = BenchWorkflow(services, "BENCH-1")
    flow.handle("P-1001")
    out = flow.handle("PDD-1002")
    barcode = out.view.order.lines[0].barcode
    cancel_order(services, SUP, PIN, "PDD-1002", "buyer cancelled")
    out = flow.handle(barcode)
    assert not out.accepted and "taken off this bench" in out.message.render()
    assert "cancelled" in out.message.render() and out.step == Step.ORDER


def test_supervisor_takes_an_order_back_from_a_dead_bench(services):
    seed_demo(services)
    dead = BenchWorkflow(services, "BENCH-DEAD")
    dead.handle("P-1001")
    dead.handle("PDD-1003")
    other = BenchWorkflow(services, "BENCH-2")
    other.handle("P-1002")
    assert "held by BENCH-DEAD" in other.handle("PDD-1003").message.render()
    done = release_hold(services, SUP, PIN, "PDD-1003", "bench 1 broke down")
    assert "taken back" in done.message.render()
    assert other.handle("PDD-1003").accepted


def test_parallel_wrong_pins_all_count_towards_the_lockout(pg_url, clock):
    """Five wrong PINs lock the user even when they arrive at the same moment on many benches."""
    from tests.conftest import _test_services

    services = _test_services(pg_url, clock)
    try:
        seed_demo(services)
        benches = [BenchWorkflow(services, f"BENCH-{i}") for i in range(8)]
        for bench in benches:
            assert bench.handle(SUP).step == Step.PIN
        barrier = threading.Barrier(len(benches))

        def wrong(bench):
            barrier.wait()
            bench.handle("0000")

        threads = [threading.Thread(target=wrong, args=(b,)) for b in benches]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with services.read_uow() as uow:
            user = uow.session.scalar(select(User).where(User.badge == SUP))
            assert user.locked_until is not None, f"failed_pins={user.failed_pins}: lockout bypassed"
    finally:
        services.close()


def test_workflow_does_not_strip_the_scanner_prefix_a_second_time(services):
    """The input layer strips the prefix; a code that starts with the same letters stays whole."""
    seed_demo(services)
    services.settings.scanner_prefix = "S"
    flow = BenchWorkflow(services, "BENCH-1")
    flow.handle("P-1001")
    out = flow.handle("PDD-1002")
    line = next(li for li in out.view.order.lines)
    assert flow.handle(line.barcode).accepted
    sock = next(p for p in DEMO_PRODUCTS if p[0] == "SOCK-BLK-L")
    assert "SOCKBLKL" in sock[3]
    out = flow.handle("SOCKBLKL")
    assert "OCKBLKL" not in out.message.render().replace("SOCKBLKL", "")


def test_reimport_after_a_released_order_took_a_pool_number(sqlite_services, tmp_path):
    """The pool number stays with the order; the same platform file imports again as 'unchanged'."""
    from app.imports.orders import import_orders
    from app.imports.waybill_pool import import_pool, read_pool_file

    services = sqlite_services
    seed_demo(services)
    csv = tmp_path / "orders.csv"
    csv.write_text(
        "order_no,carrier,recipient_name,recipient_phone,recipient_address,sku,barcode,quantity,unit_weight_g\n"
        "ZT-1,ZTO,张三,13800138000,浙江省杭州市,SOCK-BLK-L,6903456789018,1,60\n",
        encoding="utf-8",
    )
    assert import_orders(services, csv).orders_added == 1
    pool = tmp_path / "pool.txt"
    pool.write_text("75310009999991\n", encoding="utf-8")
    with services.uow() as uow:
        import_pool(uow.session, services.catalogue, "ZTO", read_pool_file(pool), services.clock())
    flow = BenchWorkflow(services, "BENCH-1")
    flow.handle("P-1001")
    flow.handle("ZT-1")
    flow.handle("6903456789018")
    flow.handle("BOX-S")
    assert flow.handle("160").step == Step.WAYBILL
    assert services.test_printer.labels[-1].waybill == "75310009999991"
    assert flow.handle("CMD:CANCEL").accepted
    report = import_orders(services, csv)
    assert report.orders_added == 0 and report.orders_unchanged == 1
