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
