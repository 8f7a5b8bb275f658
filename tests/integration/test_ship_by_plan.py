"""The bench's idle screen counts the orders due soon at every order's end: the count must seek its
two index ranges, never read every order (a full scan of 1 M file-imported orders without a ship-by
took 375 ms, and the packing window's p99 scan-to-banner went from 17.5 ms to 662 ms)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from app.bootstrap import bootstrap
from app.config import Settings
from app.models.schema import Order
from app.packing.ship_by import due_soon_clause


def test_the_due_soon_count_searches_its_indexes_and_scans_no_order(sqlite_url):
    services = bootstrap(sqlite_url, Settings(station="PLAN"))
    try:
        query = select(func.count()).select_from(Order).where(due_soon_clause(datetime(2026, 3, 1, tzinfo=UTC), 4))
        with services.engine.connect() as conn:
            sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    finally:
        services.close()
    assert "SCAN orders" not in plan, plan
    # Both ranges bounded at both ends: an open end (created_at<?) reads every older order.
    assert "(state=? AND ship_by>? AND ship_by<?)" in plan, plan
    assert "(state=? AND created_at>? AND created_at<?)" in plan, plan


def plans_of(sqlite_url, read, keep) -> list[str]:
    """The query plans of the statements ``read(session)`` ran that ``keep(sql)`` selects."""
    from sqlalchemy import event

    services = bootstrap(sqlite_url, Settings(station="PLAN"))
    statements: list[tuple[str, object]] = []
    event.listen(services.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, params, context, many: statements.append((statement, params)))
    try:
        with services.read_uow() as uow:
            read(uow.session)
        kept = [(sql, params) for sql, params in list(statements) if keep(sql)]
        with services.engine.connect() as conn:
            return [" | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
                    for sql, params in kept]
    finally:
        services.close()


def test_the_orders_by_shop_read_index_ranges_and_never_every_order(sqlite_url):
    """``by_shop`` runs at every push of the supervisor view: its open queues seek the (shop, state)
    index by state, its handed-over and cancelled orders the period's range of (state, created_at);
    the GROUP BY over every order it replaced took 300 ms at 1 M orders."""
    from app.reports.summary import Period, _by_shop_rows

    day = Period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))
    plans = plans_of(sqlite_url, lambda s: _by_shop_rows(s, day), lambda sql: "GROUP BY orders.shop_id" in sql)
    assert len(plans) == 2, plans
    for plan in plans:
        assert "SCAN orders" not in plan, plan
    assert "created_at>? AND created_at<?" in plans[1], plans[1]


def test_the_ready_list_walks_its_indexes_in_order_and_sorts_no_backlog(sqlite_url):
    """The ready list (200 rows) must stop at its limit: with "no ship-by last" in one ORDER BY it
    sorted every ready order first (~400 ms with 1 M orders waiting)."""
    from app.reports.summary import ready_list

    plans = plans_of(sqlite_url, ready_list, lambda sql: "FROM orders" in sql)
    assert len(plans) == 2, plans
    for plan in plans:
        assert "SCAN orders" not in plan, plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan  # a partial sort of ship-by's ties is fine
    assert "ix_orders_state_ship_by" in plans[0] and "ix_orders_state_created" in plans[1], plans
