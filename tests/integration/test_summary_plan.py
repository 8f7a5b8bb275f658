"""The summary's month from indexes alone, on SQLite and PostgreSQL:

* the period's orders by state and shop (``orders_by_state`` and ``by_shop``'s handed-over and
  cancelled orders) are one read per summary, of the period's range of the (state, created_at,
  shop_id) index: no table row (a month's 82,000 rows took 22-35 ms through the table, read twice);
* the period's whole hours of the rollups are a range of their primary key, which holds the figures
  too (SQLite: the table is its key's b-tree; PostgreSQL: INCLUDE), not ~30,000 heap rows each.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from app.bootstrap import bootstrap
from app.config import Settings
from app.reports.summary import Period, summary

NOW = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
MONTH = Period(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))

# PostgreSQL plans by its statistics: a year of orders (a few an hour, closed states) and of rollup
# hours, then VACUUM ANALYZE (the visibility map an index-only scan needs, the figures the planner reads).
PG_YEAR = (
    "INSERT INTO orders (order_no, platform, carrier_code, recipient_name, recipient_phone, recipient_address, "
    "note, created_at, imported_at, state, hold_reason) SELECT 'P-' || i, '', NULL, '', '', '', '', "
    "TIMESTAMP '2025-03-01' + i * INTERVAL '53 minutes', TIMESTAMP '2025-03-01', "
    "(ARRAY['cancelled', 'on_hold'])[1 + i %% 2], '' FROM generate_series(1, 10000) AS g(i)",
    "INSERT INTO scan_stats_hourly (hour_utc, user_id, station_id, scans, refused, items, first_at, last_at) "
    "SELECT TIMESTAMP '2025-03-01' + h * INTERVAL '1 hour', u, 1, 5, 0, 3, TIMESTAMP '2025-03-01' + h * INTERVAL "
    "'1 hour', TIMESTAMP '2025-03-01' + h * INTERVAL '1 hour' FROM generate_series(0, 8783) AS g(h), "
    "generate_series(1, 5) AS p(u)",
    "INSERT INTO carriers (code, name_en, name_zh) VALUES ('ZTO', 'ZTO', 'ZTO') ON CONFLICT DO NOTHING",
    "INSERT INTO order_stats_hourly (hour_utc, packer_id, station_id, carrier_code, packed, timed, duration_us, "
    "handed_over) SELECT TIMESTAMP '2025-03-01' + h * INTERVAL '1 hour', u, 1, 'ZTO', 2, 2, 100000000, 1 "
    "FROM generate_series(0, 8783) AS g(h), generate_series(1, 5) AS p(u)",
)


def _plans(url: str, keep) -> tuple[str, list[str]]:
    """(dialect, the plans of the statements of one month's summary() that ``keep(sql)`` selects)."""
    services = bootstrap(url, Settings(station="PLAN"))
    dialect = services.engine.dialect.name
    if dialect == "postgresql":
        with services.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for sql in PG_YEAR:
                conn.exec_driver_sql(sql)
            conn.exec_driver_sql("VACUUM ANALYZE")
    statements: list[tuple[str, object]] = []
    event.listen(services.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, params, context, many: statements.append((statement, params)))
    try:
        with services.read_uow() as uow:
            summary(uow.session, NOW, MONTH, tz=UTC)
        kept = [(sql, params) for sql, params in list(statements) if keep(sql)]
        explain, column = ("EXPLAIN QUERY PLAN ", -1) if dialect == "sqlite" else ("EXPLAIN ", 0)
        with services.engine.connect() as conn:
            return dialect, [" | ".join(row[column] for row in conn.exec_driver_sql(explain + sql, params))
                             for sql, params in kept]
    finally:
        services.close()


def test_the_orders_of_the_period_by_state_and_shop_are_one_read_of_the_index_alone(db_url):
    dialect, plans = _plans(db_url, lambda sql: "orders.created_at >=" in sql
                            and "GROUP BY orders.shop_id, orders.state" in sql)
    assert len(plans) == 1, plans  # orders_by_state and by_shop share it
    if dialect == "sqlite":
        assert ("SEARCH orders USING COVERING INDEX ix_orders_state_created_shop "
                "(state=? AND created_at>? AND created_at<?)") in plans[0], plans
    else:
        assert "Index Only Scan using ix_orders_state_created_shop" in plans[0], plans


def test_the_rollups_whole_hours_are_a_range_of_their_key_alone(db_url):
    dialect, plans = _plans(db_url, lambda sql: "FROM scan_stats_hourly" in sql or "FROM order_stats_hourly" in sql)
    tables = ("scan_stats_hourly", "order_stats_hourly")
    # Three reads: the scans, and the orders' groups and hours (PostgreSQL: one pass for both).
    assert len(plans) == (3 if dialect == "sqlite" else 2), plans
    for plan in plans:
        table = next(t for t in tables if t in plan)
        if dialect == "sqlite":
            assert f"SEARCH {table} USING PRIMARY KEY (hour_utc>? AND hour_utc<?)" in plan, plan
        else:
            assert f"Index Only Scan using pk_{table}" in plan, plan


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
