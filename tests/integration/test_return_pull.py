"""The pull of after-sales cases (pdd.refund.list.increment.get) from the stand-in into the returns
expected, on SQLite and PostgreSQL: 30-minute windows behind the platform's clock, return-and-refund
cases only, of orders PackGate knows; the same case again updates it and doubles nothing (the bench
opening an expected return by its waybill: test_returns_bench.py)."""

from __future__ import annotations

from sqlalchemy import select

from app.models.returns import Return, ReturnLine, ReturnPullCursor
from app.platform.return_pull import WINDOW
from tests.integration.test_pull import add_products, add_shops, gateway, pclock, platform_order, puller  # noqa: F401 - the stand-in and its clock


def expected(services):
    with services.read_uow() as uow:
        rows = uow.session.execute(select(Return.after_sales_id, Return.return_waybill, Return.after_sales_status,
                                          Return.reason, Return.state).order_by(Return.after_sales_id)).all()
        claims = uow.session.execute(select(ReturnLine.sku, ReturnLine.qty).where(ReturnLine.kind == "claimed")).all()
    return [tuple(r) for r in rows], sorted(tuple(c) for c in claims)


def test_after_sales_cases_become_expected_returns(services, gateway, tmp_path, pclock):  # noqa: F811
    add_products(services, "MUG-1", "TEA-1")
    add_shops(services, gateway, tmp_path, names=("north",))
    gateway.add_order(platform_order(1, "MUG-1", 2), "north", age_s=7200)
    gateway.add_order(platform_order(2, "TEA-1", 1), "north", age_s=7200)
    pull = puller(services)
    assert pull.run_once()[0].error is None  # the orders first
    gateway.return_case("260302-000001", "MUG-1", 1, tracking_number="yt5550000000001", reason="质量问题")
    gateway.return_case("260302-999999", "MUG-1", 1, tracking_number="YT5550000000009")  # not ours
    with gateway.lock:  # a refund-only case: no parcel comes back
        gateway.return_cases["north"]["AS-RO"] = {"id": "AS-RO", "order_sn": "260302-000002", "after_sales_type": 2,
                                                  "updated_time": gateway.return_cases["north"]["AS00000001"]["updated_time"]}
    pclock.advance(600)
    stats = pull.run_once()[0]
    assert stats.error is None and stats.returns == 1 and "1 returns expected" in stats.line()
    assert expected(services) == ([("AS00000001", "YT5550000000001", 3, "质量问题", "expected")], [("MUG-1", 1)])
    calls = [c for c in gateway.listed]  # the order pull's windows: the refund pull keeps to the same rules
    assert calls and all(c["end"] - c["start"] <= WINDOW.total_seconds() for c in calls)
    # the case moves on (the platform's status): updated, not doubled
    pclock.advance(600)
    gateway.return_case("260302-000001", "MUG-1", 1, tracking_number="YT5550000000001", reason="质量问题", status=7,
                        case_id="AS00000001")
    pclock.advance(600)
    assert pull.run_once()[0].returns == 0
    assert expected(services)[0] == [("AS00000001", "YT5550000000001", 7, "质量问题", "expected")]
    with services.read_uow() as uow:
        cursor = uow.session.scalar(select(ReturnPullCursor.pull_cursor))
    assert cursor is not None and cursor.timestamp() <= pclock() - 180
