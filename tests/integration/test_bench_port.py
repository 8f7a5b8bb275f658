"""The embedded bench as the window's port (SQLite and PostgreSQL): it waits for a change behind its
back on the shift's version, wakes when closed, and records a dead printer's label in one transaction."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, select

from app.demo import seed_demo
from app.models.schema import Order, Parcel
from app.packing.outcome import Level, Step
from app.packing.supervisor import release_hold
from app.packing.workflow import BenchWorkflow
from tests.integration.test_workflow_rules import LINES, login, ok, to_waybill, to_weight
from tests.unit.packing.factories import add_order, events, expected_weight, seed_bench


@pytest.fixture
def demo(services):
    seed_demo(services)
    return services


@pytest.fixture
def bench(services):
    seed_bench(services)
    return services


def transactions(services):
    """Counts the transactions begun on ``services``' engine while the block runs."""
    begun: list[int] = []

    class Counter:
        def __enter__(self):
            event.listen(services.engine, "begin", self.begin)
            return begun

        def begin(self, _connection) -> None:
            begun.append(1)

        def __exit__(self, *exc) -> None:
            event.remove(services.engine, "begin", self.begin)

    return Counter()


def test_the_bench_waits_for_a_supervisors_take_back_and_then_watches_it(demo):
    flow = BenchWorkflow(demo, "BENCH-W")
    ok(flow, "P-1001")
    ok(flow, "PDD-1001", Step.VERIFY)
    assert flow.wait_for_change(0.3) is False  # nothing behind its back
    release_hold(demo, "S-9001", "123456", "PDD-1001", "the packer went home")
    started = time.monotonic()
    assert flow.wait_for_change(10) is True
    assert time.monotonic() - started < 5
    assert flow.wait_for_change(0.3) is True  # still there until watched (a busy window looks later)
    notice = flow.watch()
    assert notice is not None and "taken off this bench" in notice.message.render()
    assert flow.wait_for_change(0.3) is False


def test_a_bench_nobody_is_logged_in_at_has_nothing_to_hear(demo):
    assert BenchWorkflow(demo, "BENCH-W").wait_for_change(0.3) is False


def test_closing_the_bench_ends_its_wait_at_once(demo):
    flow = BenchWorkflow(demo, "BENCH-W")
    ok(flow, "P-1001")
    result: list[bool] = []
    waiting = threading.Thread(target=lambda: result.append(flow.wait_for_change(30)))
    waiting.start()
    flow.close()
    waiting.join(5)
    assert not waiting.is_alive() and result == [False]


def test_a_dead_printers_label_is_recorded_in_one_transaction(bench):
    order_id = add_order(bench, "O-1")
    flow = login(bench)
    to_weight(flow, "O-1")
    bench.test_printer.fail_with = "paper out"
    with transactions(bench) as begun:
        out = flow.handle(str(expected_weight(LINES)))
    assert out.level == Level.WARNING and out.step == Step.LABEL and "paper out" in out.message.render()
    assert len(begun) == 2  # the scan's, then the failure's: its order read, checked and written back at once
    prints = [(e.kind, e.accepted) for e in events(bench, order_id=order_id) if e.kind in ("print", "reprint")]
    assert prints == [("print", True), ("print", False)]


def test_the_server_path_of_a_failed_label_is_one_transaction_and_only_for_its_own_order(bench):
    """What ``/label-failed`` runs for a bench behind the server (its printer failed there)."""
    order_id = add_order(bench, "O-1")
    flow = login(bench)
    to_waybill(flow, "O-1")
    server_side = BenchWorkflow(bench, "BENCH-1", print_at_bench=True, bench_printer="paper:")
    server_side.state = flow.state
    with transactions(bench) as begun:
        out = server_side.label_failed(order_id, 1, False, "jam")
    assert len(begun) == 1
    assert out.level == Level.WARNING and out.step == Step.LABEL and "jam" in out.message.render()
    with bench.read_uow() as uow:
        assert uow.session.scalar(select(Parcel.label_prints).where(Parcel.order_id == order_id)) == 0
    other = BenchWorkflow(bench, "BENCH-2", print_at_bench=True)
    with pytest.raises(LookupError):
        other.label_failed(order_id, 1, False, "jam")
    with pytest.raises(LookupError):
        server_side.label_failed(order_id, 2, False, "no such parcel")
    failed = [e for e in events(bench, order_id=order_id) if e.kind == "print" and not e.accepted]
    assert len(failed) == 1  # the refused ones wrote nothing
    with bench.read_uow() as uow:
        assert uow.session.scalar(select(Order.state).where(Order.id == order_id)) == "packing"
