"""Two benches racing on PostgreSQL: the database settles it, the loser gets a refusal, never an exception."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.bootstrap import bootstrap
from app.config import Settings
from app.models.schema import Order
from app.packing.outcome import Step
from app.packing.workflow import BenchWorkflow
from tests.conftest import Clock, RecordingPrinter
from tests.unit.packing.factories import add_order, expected_weight, order_row, scans_for, seed_bench

ROUNDS = 4


@pytest.fixture
def pg_services(pg_url):
    services = bootstrap(pg_url, Settings(station="RACE"), clock=Clock())
    services.set_printer(RecordingPrinter())
    seed_bench(services)
    yield services
    services.close()


def race(flows: list[BenchWorkflow], scan: str) -> list:
    """Both benches scan ``scan`` at the same moment; returns their outcomes (or exceptions)."""
    barrier = threading.Barrier(len(flows))
    results: list = [None] * len(flows)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = flows[i].handle(scan)
        except Exception as exc:  # noqa: BLE001 - the test reports it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(flows))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not [r for r in results if isinstance(r, BaseException)], results
    return results


@pytest.mark.postgres
def test_two_benches_racing_for_one_order(pg_services):
    one = BenchWorkflow(pg_services, "BENCH-1")
    two = BenchWorkflow(pg_services, "BENCH-2")
    one.handle("B-1")
    two.handle("B-2")
    for n in range(ROUNDS):
        order_no = f"O-{n}"
        add_order(pg_services, order_no)
        outcomes = race([one, two], order_no)
        winners = [o for o in outcomes if o.accepted]
        losers = [o for o in outcomes if not o.accepted]
        assert len(winners) == 1 and len(losers) == 1, [o.message.render() for o in outcomes]
        winner_station = "BENCH-1" if outcomes[0].accepted else "BENCH-2"
        assert winners[0].step == Step.VERIFY
        assert f"held by {winner_station}" in losers[0].message.render()
        row = order_row(pg_services, order_no)
        assert row.state == "packing"
        for flow in (one, two):  # both back at the order step for the next round
            if flow.state.order_id is not None:
                flow.handle("CMD:CANCEL")


@pytest.mark.postgres
def test_two_orders_racing_for_one_waybill(pg_services):
    one = BenchWorkflow(pg_services, "BENCH-1")
    two = BenchWorkflow(pg_services, "BENCH-2")
    one.handle("B-1")
    two.handle("B-2")
    for n in range(ROUNDS):
        for flow, order_no in ((one, f"A-{n}"), (two, f"B-{n}")):
            add_order(pg_services, order_no)
            for scan in (order_no, *scans_for(), "BOX-S", str(expected_weight())):
                flow.handle(scan)
            assert flow.last_view.step == Step.WAYBILL
        waybill = f"7531{n:010d}"
        outcomes = race([one, two], waybill)
        assert sorted(o.accepted for o in outcomes) == [False, True], [o.message.render() for o in outcomes]
        loser = next(o for o in outcomes if not o.accepted)
        assert f"Waybill {waybill} is already on order" in loser.message.render()
        assert loser.step == Step.WAYBILL
        with pg_services.read_uow() as uow:
            assert uow.session.scalar(select(func.count()).select_from(Order).where(Order.waybill == waybill)) == 1
        # The loser finishes with its own number.
        loser_flow = one if not outcomes[0].accepted else two
        assert loser_flow.handle(f"7532{n:010d}").accepted
