"""Benchmark: the supervisor's whole summary for one day and one month, 1,000,000 orders and
5,000,000 scan events, on SQLite and PostgreSQL. Prints figures; not a test.

    .venv/bin/python bench/bench_summary.py [--sqlite] [--postgres] [--rebuild] [--repeat N] [--orders N]

Data: 1,000,000 orders spread evenly over 365 days (about 2,740 a day, 82,000 a month) ending at
the bench's "now"; the last day is a live mix (ready, packing, packed, handed over), older orders
are handed over (1 % cancelled, 0.1 % on hold); 40 packers, 20 benches, 10 carriers; five scan
events per order (order, three items with 2 % refused, waybill). Built with one INSERT ... SELECT
per table (recursive CTE on SQLite, generate_series on PostgreSQL). The SQLite file is cached in
bench/out/; PostgreSQL uses the database ``packgate_bench`` on 127.0.0.1 (user postgres), or the
one named by ``PACKGATE_BENCH_PG``. ``--orders`` builds a smaller (or larger) set with the same shape
(the same days, events per order and last-day mix), in its own file and database.

For every statement of the summary it prints its time and the indexes its plan uses, so the
figure says which indexes made it.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, func, make_url, select, text  # noqa: E402

from app.bootstrap import bootstrap  # noqa: E402
from app.config import Settings  # noqa: E402
from app.models.schema import Order  # noqa: E402
from app.reports.summary import Period, platform_figures, summary  # noqa: E402

N_ORDERS = 1_000_000
EVENTS_PER_ORDER = 5
DAYS = 365
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
START = NOW - timedelta(days=DAYS)
STEP_S = DAYS * 86400 / N_ORDERS
OUT = ROOT / "bench" / "out"
SQLITE_FILE = OUT / "summary_bench.db"
DEFAULT_ORDERS = N_ORDERS
PG_ADMIN = os.environ.get("PACKGATE_BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_URL = os.environ.get("PACKGATE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/packgate_bench")
CARRIERS = ("SF", "ZTO", "YTO", "STO", "YUNDA", "JD", "JT", "EMS", "DEPPON", "OTHER")
LIVE = 2740  # the last day's orders: a live mix of states


def order_state() -> str:
    """The state column written by the bulk load, from i (1..N)."""
    return (f"CASE WHEN i > {N_ORDERS - LIVE} THEN "
            "(CASE i % 20 WHEN 0 THEN 'packing' WHEN 1 THEN 'packing' ELSE "
            "(CASE WHEN i % 20 < 9 THEN 'ready' WHEN i % 20 < 17 THEN 'packed' ELSE 'handed_over' END) END) "
            "WHEN i % 100 = 0 THEN 'cancelled' WHEN i % 997 = 0 THEN 'on_hold' ELSE 'handed_over' END")


def set_size(orders: int) -> None:
    """``--orders``: the same year with fewer (or more) orders a day, in its own file and database."""
    global N_ORDERS, STEP_S, LIVE, SQLITE_FILE, PG_URL
    if orders == N_ORDERS:
        return
    N_ORDERS, STEP_S, LIVE = orders, DAYS * 86400 / orders, max(20, round(orders / DAYS))
    SQLITE_FILE = OUT / f"summary_bench_{orders}.db"
    if "PACKGATE_BENCH_PG" not in os.environ:
        PG_URL = f"{PG_URL}_{orders}"


def _sqlite_ts(seconds_expr: str) -> str:
    """A naive UTC timestamp text like SQLAlchemy writes, from seconds since START."""
    return (f"strftime('%Y-%m-%d %H:%M:%S', '{START:%Y-%m-%d %H:%M:%S}', '+' || CAST({seconds_expr} AS INTEGER) "
            f"|| ' seconds') || '.000000'")


def _pg_ts(seconds_expr: str) -> str:
    return f"(TIMESTAMP '{START:%Y-%m-%d %H:%M:%S}' + ({seconds_expr}) * INTERVAL '1 second')"


def load_sql(dialect: str) -> list[str]:
    ts = _sqlite_ts if dialect == "sqlite" else _pg_ts
    created = f"(i * {STEP_S})"
    started = f"({created} + 3600 + i % 3600)"
    packed = f"({started} + 60 + (i * 7) % 300)"
    handed = f"({packed} + 3 * 3600)"
    carriers = "(ARRAY[" + ",".join(f"'{c}'" for c in CARRIERS) + "])[1 + i % 10]" if dialect == "postgresql" else \
        "CASE i % 10 " + " ".join(f"WHEN {k} THEN '{c}'" for k, c in enumerate(CARRIERS)) + " END"
    if dialect == "sqlite":
        source = f"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {N_ORDERS}) "
        frm = "FROM (SELECT i, " + order_state() + " AS st FROM c)"
    else:
        source = ""
        frm = f"FROM (SELECT i, {order_state()} AS st FROM generate_series(1, {N_ORDERS}) AS g(i)) AS x"
    shipped = "st IN ('packed', 'handed_over')"
    orders = (
        f"{source}INSERT INTO orders (id, order_no, platform, carrier_code, recipient_name, recipient_phone, "
        "recipient_address, note, created_at, imported_at, state, waybill, station_id, packer_id, "
        "packing_started_at, packed_at, handed_over_at, hold_reason) "
        f"SELECT i, 'B' || i, 'bench', {carriers}, 'r', 'p', 'a', '', {ts(created)}, {ts(created)}, st, "
        f"CASE WHEN {shipped} THEN 'WB' || i END, "
        f"CASE WHEN {shipped} OR st = 'packing' THEN 1 + i % 20 END, "
        f"CASE WHEN {shipped} OR st = 'packing' THEN 1 + i % 40 END, "
        f"CASE WHEN {shipped} OR st = 'packing' THEN {ts(started)} END, "
        f"CASE WHEN {shipped} THEN {ts(packed)} END, "
        f"CASE WHEN st = 'handed_over' THEN {ts(handed)} END, "
        f"CASE WHEN st = 'on_hold' THEN 'short' ELSE '' END {frm}"
    )
    kinds = "CASE k WHEN 0 THEN 'order' WHEN 4 THEN 'waybill' ELSE 'item' END"
    at = ts(f"(o * {STEP_S}) + 3600 + o % 3600 + k * 20")
    if dialect == "sqlite":
        ev_source = (f"WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c WHERE n < "
                     f"{N_ORDERS * EVENTS_PER_ORDER - 1}) ")
        ev_from = f"FROM (SELECT n, 1 + n / {EVENTS_PER_ORDER} AS o, n % {EVENTS_PER_ORDER} AS k FROM c)"
    else:
        ev_source = ""
        ev_from = (f"FROM (SELECT n, 1 + n / {EVENTS_PER_ORDER} AS o, n % {EVENTS_PER_ORDER} AS k "
                   f"FROM generate_series(0, {N_ORDERS * EVENTS_PER_ORDER - 1}) AS g(n)) AS x")
    refused = "(k = 2 AND o % 50 = 0)"
    accepted = f"NOT {refused}" if dialect == "postgresql" else f"CASE WHEN {refused} THEN 0 ELSE 1 END"
    events = (
        # The chain columns hold placeholders: the database refuses an unchained event (issue 18), and the
        # summary reads none of them (the hashes are `audit verify`'s, not measured here).
        f"{ev_source}INSERT INTO scan_events (id, at, station_id, user_id, order_id, raw, kind, accepted, message, "
        f"reason, chain_seq, prev_hash, hash) SELECT n + 1, {at}, 1 + o % 20, 1 + o % 40, o, 'x', {kinds}, {accepted}, "
        f"'', '', n + 1, 'h' || n, 'h' || (n + 1) {ev_from}"
    )
    return [orders, events]


def _secondary_indexes(conn, dialect: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the ix_ indexes on orders and scan_events: dropped for the load."""
    if dialect == "sqlite":
        rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                                    "AND tbl_name IN ('orders', 'scan_events') AND name LIKE 'ix_%'").all()
    else:
        rows = conn.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                                    "('orders', 'scan_events') AND indexname LIKE 'ix_%%'").all()
    return [(name, sql) for name, sql in rows]


def _rollup_migration(revision: str = "0003"):
    """A rollup migration (0003 scans, 0004 orders, 0013p orders the platform has not confirmed) as a
    module: its trigger and backfill statements, not a copy of them. Found by its revision id."""
    import importlib.util

    for path in sorted((ROOT / "app" / "models" / "migrations" / "versions").glob("*.py")):
        if not re.search(rf"^revision = \"{revision}\"$", path.read_text(encoding="utf-8"), re.MULTILINE):
            continue
        spec = importlib.util.spec_from_file_location(f"packgate_migration_{revision}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    raise LookupError(f"no migration with revision {revision}")


# scan_stats_hourly (scan_events: 0003, kinds as of 0008), order_stats_hourly (orders),
# not_on_platform_hourly (orders and platform_jobs)
ROLLUPS = ("0008", "0004", "0013p")


def build(url: str, dialect: str) -> None:
    t0 = time.perf_counter()
    svc = bootstrap(url, Settings(), migrate=True)
    with svc.engine.begin() as conn:
        for k in range(1, 41):
            conn.execute(text("INSERT INTO users (id, name, role, badge, failed_pins, active, created_at) "
                              "VALUES (:i, :n, 'packer', :b, 0, :a, :t)"),
                         {"i": k, "n": f"Packer {k:02d}", "b": f"P-{k:04d}", "a": True, "t": START.replace(tzinfo=None)})
        for k in range(1, 21):
            conn.execute(text("INSERT INTO stations (id, name, created_at) VALUES (:i, :n, :t)"),
                         {"i": k, "n": f"BENCH-{k:02d}", "t": START.replace(tzinfo=None)})
        indexes = _secondary_indexes(conn, dialect)
        for name, _sql in indexes:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        # The rollups' triggers (one upsert per event or order) are off for the bulk load; each rollup
        # is then built in one GROUP BY, exactly as its migration backfills it, and the triggers put back.
        for revision in ROLLUPS:
            for sql in _rollup_migration(revision).drop_trigger_sql(dialect):
                conn.exec_driver_sql(sql)
    svc.close()
    if dialect == "sqlite":
        import sqlite3

        raw = sqlite3.connect(str(SQLITE_FILE), isolation_level=None)
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-400000")
        run = raw.execute
    else:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        pg = engine.connect()
        pg.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        # The generated rows are consistent by construction: skip the per-row foreign-key triggers.
        pg.exec_driver_sql("SET session_replication_role = replica")

        def run(sql: str):
            return pg.exec_driver_sql(sql.replace("%", "%%"))
    for sql in load_sql(dialect):
        t1 = time.perf_counter()
        run(sql)
        print(f"  {sql.split('INSERT INTO ')[1].split(' ')[0]:<12} loaded in {time.perf_counter() - t1:6.1f} s")
    t1 = time.perf_counter()
    for _name, sql in indexes:
        run(sql)
    print(f"  indexes      rebuilt in {time.perf_counter() - t1:5.1f} s: {', '.join(n for n, _ in indexes)}")
    for revision, what in zip(ROLLUPS, ("scan", "order", "platform"), strict=True):
        t1 = time.perf_counter()
        rollup = _rollup_migration(revision)
        run(rollup.backfill_sql(dialect))
        for sql in rollup.create_trigger_sql(dialect):
            run(sql)
        print(f"  {what} rollup {'built in':>8} {time.perf_counter() - t1:5.1f} s")
    if dialect == "sqlite":
        run("ANALYZE")
        raw.close()
    else:
        for table in ("orders", "scan_events", "users", "stations"):
            run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        run("VACUUM ANALYZE")
        pg.close()
        engine.dispose()
    print(f"  built in {time.perf_counter() - t0:.1f} s")


def _indexes(plan: str) -> list[str]:
    names = re.findall(r"(?:USING (?:COVERING )?INDEX|Index (?:Only )?Scan(?: Backward)? using|Bitmap Index Scan on) "
                       r"(\w+)", plan)
    seen: list[str] = []
    for n in names:
        if n not in seen:
            seen.append(n)
    if not names and re.search(r"SCAN (orders|scan_events)\b(?! USING)|Seq Scan on (orders|scan_events)", plan):
        seen.append("FULL SCAN")
    return seen


def measure(url: str, dialect: str, repeat: int) -> None:
    svc = bootstrap(url, Settings(), migrate=False, clock=lambda: NOW)
    captured: list[tuple[str, object, float]] = []

    @event.listens_for(svc.engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    @event.listens_for(svc.engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters, time.perf_counter() - conn.info.pop("t0", time.perf_counter())))

    tz = UTC
    day = Period.today(NOW, tz)
    month = Period(NOW.replace(hour=0) - timedelta(days=30), day.end)
    print(f"  load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for label, period in (("day", day), ("month (31 days)", month)):
        times = []
        floors = []
        result = None
        for _ in range(repeat):
            # The floor, measured beside each run: one count over the period's range of the packed_at
            # index, the least any figure of the period's orders reads (the machine is shared).
            t0 = time.perf_counter()
            with svc.read_uow() as uow:
                uow.session.scalar(select(func.count()).select_from(Order)
                                   .where(Order.packed_at >= period.start, Order.packed_at < period.end))
            floors.append((time.perf_counter() - t0) * 1000)
            captured.clear()
            t0 = time.perf_counter()
            with svc.read_uow() as uow:
                result = summary(uow.session, NOW, period, 24, 4, tz)
            times.append((time.perf_counter() - t0) * 1000)
        assert result is not None
        target = 50 if label == "day" else 150  # issue 19's aims
        best, med = min(times), statistics.median(times)
        print(f"  summary for a {label}: median {med:7.1f} ms, best {best:7.1f} ms "
              f"(target < {target} ms: {'OK' if med < target else 'MISSED'}); "
              f"packed in period {result['tiles']['packed_in_period']}, scans "
              f"{sum(r['scans'] for r in result['by_packer'].values())}")
        floor = statistics.median(floors)
        print(f"    floor (count of the period's orders on the packed_at index): median {floor:6.2f} ms; "
              f"summary / floor = {med / floor:.1f}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        statements = list(captured)
        slow = sorted(statements, key=lambda s: -s[2])[:8]
        with svc.engine.connect() as conn:
            for statement, params, secs in slow:
                explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
                try:
                    rows = conn.exec_driver_sql(explain + statement, params).all()
                    plan = "\n".join(" ".join(str(x) for x in r) for r in rows)
                except Exception as exc:  # noqa: BLE001 - a plan we cannot get is reported, not fatal
                    plan = f"(no plan: {type(exc).__name__})"
                first = " ".join(statement.split())[:90]
                print(f"    {secs * 1000:7.1f} ms  {', '.join(_indexes(plan)) or '-':<60} {first}")
        # The platform tiles alone (issue 19: they were 90 % of the summary): the rest is the floor.
        platform = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            with svc.read_uow() as uow:
                figures = platform_figures(uow.session, NOW, 24)
            platform.append((time.perf_counter() - t0) * 1000)
        print(f"    of which the platform tiles: median {statistics.median(platform):6.1f} ms (summary without them "
              f"~{med - statistics.median(platform):.1f} ms); not on the platform {figures['not_on_platform']}, "
              f"late to it {figures['platform']['late_to_platform']}")
    svc.close()


# Indexes this bench proposes (not in the migrations yet): measured with --proposed-indexes. The
# covering indexes it used to propose are migration 0002's now, scan figures come from the rollup
# of migration 0003 (scan_stats_hourly) and order counts and durations from that of 0004
# (order_stats_hourly), both kept by triggers.
PROPOSED = (
    ("ix_orders_state_no_waybill", "orders (state) WHERE waybill IS NULL"),
)


def set_proposed(url: str, on: bool) -> None:
    engine = create_engine(url)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        for name, columns in PROPOSED:
            conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}" if on else f"DROP INDEX IF EXISTS {name}")
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    if on:
        print(f"  with the proposed indexes (built in {time.perf_counter() - t0:.1f} s): "
              + "; ".join(f"{n} ON {c}" for n, c in PROPOSED))
    else:
        print("  with the indexes and rollup of the migrations only")


def migrate_to_head(url: str) -> None:
    """A cached database made by an older bench: bring it to the migrations' head (0002 rebuilds
    the covering indexes, 0003 backfills the scan rollup from the 5,000,000 events, 0004 the order
    rollup from the 1,000,000 orders)."""
    from app.models import db

    engine = db.make_engine(url)
    try:
        before = db.current_revision(engine)
        if before != db.head_revision():
            t0 = time.perf_counter()
            db.migrate(engine)
            print(f"  migrated {before} -> {db.head_revision()} in {time.perf_counter() - t0:.1f} s")
    finally:
        engine.dispose()


def run_measures(url: str, dialect: str, repeat: int, proposed: bool) -> None:
    migrate_to_head(url)
    set_proposed(url, False)
    measure(url, dialect, repeat)
    if proposed:
        set_proposed(url, True)
        measure(url, dialect, repeat)


def sqlite_bench(rebuild: bool, repeat: int, proposed: bool = False) -> None:
    print("SQLite", SQLITE_FILE)
    url = f"sqlite:///{SQLITE_FILE}"
    if rebuild and SQLITE_FILE.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_FILE) + suffix).unlink(missing_ok=True)
    if not SQLITE_FILE.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        build(url, "sqlite")
    run_measures(url, "sqlite", repeat, proposed)


def pg_bench(rebuild: bool, repeat: int, proposed: bool = False) -> None:
    print("PostgreSQL", PG_URL)
    name = make_url(PG_URL).database
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if exists and rebuild:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    engine = create_engine(PG_URL)
    with engine.connect() as conn:
        built = conn.execute(text("SELECT to_regclass('orders') IS NOT NULL")).scalar() and \
            conn.execute(text("SELECT count(*) FROM orders")).scalar() == N_ORDERS
    engine.dispose()
    if not built:
        if exists:  # half-built: start again
            return pg_bench(True, repeat, proposed)
        build(PG_URL, "postgresql")
    run_measures(PG_URL, "postgresql", repeat, proposed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="build the data again")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS, help="orders over the year (events: 5 each)")
    parser.add_argument("--proposed-indexes", action="store_true", help="measure again with the proposed indexes")
    args = parser.parse_args()
    set_size(args.orders)
    both = not (args.sqlite or args.postgres)
    print(f"{N_ORDERS:,} orders, {N_ORDERS * EVENTS_PER_ORDER:,} scan events over {DAYS} days; now = {NOW:%Y-%m-%d %H:%M} UTC")
    if args.sqlite or both:
        sqlite_bench(args.rebuild, args.repeat, args.proposed_indexes)
    if args.postgres or both:
        pg_bench(args.rebuild, args.repeat, args.proposed_indexes)


if __name__ == "__main__":
    main()
