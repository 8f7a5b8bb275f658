"""Arbitrary scan strings at every step: the bench never crashes, and a refused scan changes nothing
but the audit trail (exactly one new event)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text, update

from app.models.schema import Order
from app.packing.outcome import Step
from app.packing.workflow import BenchWorkflow
from tests.unit.packing.factories import add_order, event_count, expected_weight, scans_for, seed_bench

TABLES = ("orders", "order_lines", "parcels", "manifests", "manifest_items", "waybill_pool", "users", "stations")
NASTY = [
    "'; DROP TABLE orders;--",
    "\x00",
    "B-1\x00",
    "é" * 129,
    "9" * 5000,
    "１２５０",
    "1250kg",
    "NaN",
    "1e3",
    "CMD:",
    "CMD:DROP",
    "%s%s%n",
    "{order_no}",
    "\u202e1-O",
    "订单号 PDD-1001",
    "\r\n\t",
]
SCANS = st.one_of(st.text(max_size=200), st.sampled_from(NASTY))


def _snapshot(services) -> dict:
    with services.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all() for t in TABLES}


class Bench:
    """One database per test function, one workflow reused across examples (rebuilt if a scan moves it)."""

    def __init__(self, services, step: Step) -> None:
        self.services, self.step, self.n = services, step, 0
        seed_bench(services)
        self.reset()

    def reset(self) -> None:
        self.n += 1
        s, order_no = self.services, f"O-{self.n}"
        add_order(s, order_no)
        flow = BenchWorkflow(s, "FUZZ")
        flow.handle("CMD:LOGOUT")  # registers the station; refused before login
        if self.step != Step.LOGIN:
            flow.handle("B-1")
        if self.step in (Step.VERIFY, Step.WEIGHT, Step.WAYBILL):
            flow.handle(order_no)
        if self.step in (Step.WEIGHT, Step.WAYBILL):
            for code in scans_for():
                flow.handle(code)
            flow.handle("BOX-S")
        if self.step == Step.WAYBILL:
            flow.handle(str(expected_weight()))
        if self.step == Step.HANDOVER:
            waybill = f"7531{self.n:010d}"
            with s.uow() as uow:
                uow.session.execute(update(Order).where(Order.order_no == order_no)
                                    .values(state="packed", waybill=waybill))
            flow.handle("CMD:HANDOVER")
            flow.handle(waybill)  # the manifest has a carrier from here on
        assert flow.last_view.step == self.step, flow.last_view
        self.flow = flow


@pytest.mark.parametrize("step", [Step.LOGIN, Step.ORDER, Step.VERIFY, Step.WEIGHT, Step.WAYBILL, Step.HANDOVER])
def test_arbitrary_scans_never_crash_and_refusals_change_nothing(sqlite_services, step):
    bench = Bench(sqlite_services, step)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(scan=SCANS)
    @example(scan="'; DROP TABLE orders;--")
    def check(scan: str) -> None:
        before, events = _snapshot(sqlite_services), event_count(sqlite_services)
        out = bench.flow.handle(scan)
        assert out.view is not None and out.message.render()
        after_events = event_count(sqlite_services)
        if out.accepted:
            assert after_events >= events + 1
            if out.step != step:
                bench.reset()
            return
        assert after_events == events + 1, "a refused scan is exactly one audit event"
        assert _snapshot(sqlite_services) == before, f"refused {scan!r} changed the database"
        assert out.step == step

    check()
    with sqlite_services.engine.connect() as conn:  # the SQL-looking scan was only ever data
        assert conn.execute(text("SELECT count(*) FROM orders")).scalar() >= 1
