"""How many statements one day's summary sends, on SQLite and PostgreSQL (issue 19).

Each statement costs the client a compile, a round trip and its rows whatever the database does
(~0.8 ms of the app's own CPU on PostgreSQL): 38 statements were ~30 ms of a 65 ms day at 1 M
orders. The independent counts are one statement, a list whose count is 0 is not read, and the
groups that read the same rows are read once; a new figure that adds a statement shows here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from app.bootstrap import bootstrap
from app.config import Settings
from app.models.schema import Order, ScanEvent, Station, User
from app.reports.summary import Period, summary

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = Period(datetime(2026, 11, 25, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC))


def seed(services) -> None:
    with services.uow() as uow:
        s = uow.session
        ann, bench = User(name="Ann", role="packer", badge="P-A", created_at=NOW), Station(name="B1", created_at=NOW)
        s.add_all([ann, bench])
        s.flush()
        at = NOW - timedelta(hours=6)  # packed 6 hours ago: awaiting pickup past the 4-hour warning
        s.add_all([
            Order(order_no="O1", carrier_code="SF", state="on_hold", created_at=at, imported_at=at, hold_reason="short"),
            Order(order_no="O2", carrier_code="SF", state="packed", created_at=at, imported_at=at, waybill="W2",
                  packer_id=ann.id, station_id=bench.id, packing_started_at=at, packed_at=at + timedelta(minutes=2)),
            Order(order_no="O3", carrier_code="SF", state="ready", created_at=at, imported_at=at),
        ])
        s.flush()
        s.add(ScanEvent(at=at, user_id=ann.id, station_id=bench.id, kind="item", accepted=True, raw="x", message="",
                        reason=""))


def statements_of_a_day(url: str) -> tuple[str, list[str], dict]:
    services = bootstrap(url, Settings(station="COUNT"))
    try:
        seed(services)
        sent: list[str] = []

        def count(conn, cursor, statement, params, context, many) -> None:
            if statement != "BEGIN":  # SQLite's explicit transaction start is no query
                sent.append(" ".join(statement.split()))

        event.listen(services.engine, "before_cursor_execute", count)
        with services.read_uow() as uow:
            figures = summary(uow.session, NOW, DAY, tz=UTC)
        return services.engine.dialect.name, sent, figures
    finally:
        services.close()


def test_a_day_summary_sends_few_statements(db_url):
    dialect, sent, figures = statements_of_a_day(db_url)
    # The exception lists with rows are read (on hold, awaiting pickup), the empty ones are not.
    assert figures["exception_counts"] == {"on_hold": 1, "late": 0, "awaiting_pickup": 1, "parcels_left_behind": 0,
                                           "reprints": 0, "unlinked": 0}
    assert len(figures["exceptions"]["on_hold"]) == 1 and len(figures["exceptions"]["awaiting_pickup"]) == 1
    listing = "\n".join(sql[:120] for sql in sent)
    # PostgreSQL: the order rollup (groups and hours in one pass), the medians, the scan rollup, the
    # names, every count, the two exception lists with rows, the period's orders by state and shop,
    # the open queues by shop, per carrier, the locked users, the ship-by groups, the pickup watch's
    # two lists, its per-courier table and its manifests. SQLite: the order rollup in two reads, and
    # the medians straight from the DBAPI cursor (no SQLAlchemy statement).
    assert len(sent) == {"postgresql": 16, "sqlite": 16}[dialect], listing
    assert sum(sql.startswith("SELECT (SELECT count(*)") for sql in sent) == 1, listing
