"""The summary's orders of the period by state and shop (``orders_by_state`` and ``by_shop``'s
handed-over and cancelled orders) are one read per summary, of the period's range of the (state,
created_at, shop_id) index alone: no table row (a month's 82,000 rows took 22-35 ms through the
table, and were read twice), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from app.bootstrap import bootstrap
from app.config import Settings
from app.reports.summary import Period, summary

NOW = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
MONTH = Period(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))


def _created_reads(url: str) -> tuple[str, list[str]]:
    """(dialect, the plans of the statements of one summary() that count orders by their creation)."""
    services = bootstrap(url, Settings(station="PLAN"))
    statements: list[tuple[str, object]] = []
    event.listen(services.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, params, context, many: statements.append((statement, params)))
    try:
        with services.read_uow() as uow:
            summary(uow.session, NOW, MONTH, tz=UTC)
        kept = [(sql, params) for sql, params in list(statements)
                if "orders.created_at >=" in sql and "GROUP BY orders.shop_id, orders.state" in sql]
        dialect = services.engine.dialect.name
        if dialect == "sqlite":
            with services.engine.connect() as conn:
                return dialect, [" | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
                                 for sql, params in kept]
        with services.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # PostgreSQL plans by its statistics: a year of orders (a few a day in each state), the
            # visibility map an index-only scan needs and the figures the planner reads.
            conn.exec_driver_sql(
                "INSERT INTO orders (order_no, platform, carrier_code, recipient_name, recipient_phone, "
                "recipient_address, note, created_at, imported_at, state, hold_reason) "
                "SELECT 'P-' || i, '', NULL, '', '', '', '', TIMESTAMP '2025-03-01' + i * INTERVAL '53 minutes', "
                "TIMESTAMP '2025-03-01', (ARRAY['cancelled', 'on_hold'])[1 + i %% 2], '' "
                "FROM generate_series(1, 10000) AS g(i)")
            conn.exec_driver_sql("VACUUM ANALYZE orders")
        with services.engine.connect() as conn:
            return dialect, [" | ".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}", params))
                             for sql, params in kept]
    finally:
        services.close()


def test_the_orders_of_the_period_by_state_and_shop_are_one_read_of_the_index_alone(db_url):
    dialect, plans = _created_reads(db_url)
    assert len(plans) == 1, plans  # orders_by_state and by_shop share it
    if dialect == "sqlite":
        assert ("SEARCH orders USING COVERING INDEX ix_orders_state_created_shop "
                "(state=? AND created_at>? AND created_at<?)") in plans[0], plans
    else:
        assert "Index Only Scan using ix_orders_state_created_shop" in plans[0], plans


def test_sqlite_connections_sort_a_month_of_groups_in_memory(sqlite_url):
    """SQLite's sorter spills what exceeds the page cache to temporary files: at the default 2 MiB
    the month's GROUP BYs wrote ~3 MB to disk at every summary. Every pooled connection gets more."""
    from app.models import db

    engine = db.make_engine(sqlite_url)
    try:
        for _ in range(2):
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -db.SQLITE_CACHE_KIB
        assert db.SQLITE_CACHE_KIB >= 16 * 1024
    finally:
        engine.dispose()
