"""Scan latency with 1,000,000 orders (not a test): `.venv/bin/python bench/bench_scan.py [--pg] [--scans N]`.

The figure is the decision + commit of one item scan through ``BenchWorkflow.handle`` (one unit of
work: its effect and its audit event in one commit), p50 and p99 over N scans, printed beside its
floor measured in the same run on the same database: a bare INSERT + COMMIT.
SQLite runs in WAL with synchronous=FULL (PackGate's own engine); the file is cached in bench/out/.
PostgreSQL uses the database packgate_bench_scan on 127.0.0.1:5432 (made with generate_series).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PACKGATE_HOME", str(ROOT / "bench" / "out" / "home"))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.bootstrap import bootstrap  # noqa: E402
from app.config import Settings  # noqa: E402
from app.packing.workflow import BenchWorkflow  # noqa: E402

ORDERS = 1_000_000
BENCH_ORDER = "BENCH-SCAN"
OUT = ROOT / "bench" / "out"
PG_ADMIN = os.environ.get("PACKGATE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_NAME = "packgate_bench_scan"
NOW = "2026-01-01 00:00:00"


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def sqlite_fill(path: Path) -> None:
    """1,000,000 orders, each with one line, written with raw executemany (PackGate's schema)."""
    conn = sqlite3.connect(path, isolation_level=None)
    if conn.execute("SELECT count(*) FROM orders").fetchone()[0] >= ORDERS:
        conn.close()
        return
    started = time.perf_counter()
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO products (id, sku, name, unit_weight_g) VALUES (1, 'ITEM', 'Bench item', 100)")
    conn.execute("INSERT INTO product_barcodes (barcode, product_id) VALUES ('6900000000001', 1)")
    conn.execute("INSERT INTO users (name, role, badge, failed_pins, active, created_at)"
                 f" VALUES ('Bench', 'packer', 'B-BENCH', 0, 1, '{NOW}')")
    conn.executemany(
        "INSERT INTO orders (id, order_no, platform, carrier_code, recipient_name, recipient_phone, recipient_address,"
        " note, created_at, imported_at, state, hold_reason) VALUES (?, ?, '', 'ZTO', '', '', '', '', ?, ?, 'ready', '')",
        ((i, f"ORD-{i:07d}", NOW, NOW) for i in range(1, ORDERS + 1)),
    )
    conn.executemany("INSERT INTO order_lines (order_id, product_id, quantity, scanned) VALUES (?, 1, 1, 0)",
                     ((i,) for i in range(1, ORDERS + 1)))
    conn.execute("COMMIT")
    conn.close()
    print(f"  built {ORDERS:,} orders in {time.perf_counter() - started:.1f} s")


def pg_fill(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM orders")).scalar() >= ORDERS:
            return
        started = time.perf_counter()
        conn.execute(text("INSERT INTO products (id, sku, name, unit_weight_g) VALUES (1, 'ITEM', 'Bench item', 100)"))
        conn.execute(text("INSERT INTO product_barcodes (barcode, product_id) VALUES ('6900000000001', 1)"))
        conn.execute(text("INSERT INTO users (name, role, badge, failed_pins, active, created_at)"
                          f" VALUES ('Bench', 'packer', 'B-BENCH', 0, TRUE, '{NOW}')"))
        conn.execute(text(
            "INSERT INTO orders (id, order_no, platform, carrier_code, recipient_name, recipient_phone,"
            " recipient_address, note, created_at, imported_at, state, hold_reason)"
            f" SELECT i, 'ORD-' || lpad(i::text, 7, '0'), '', 'ZTO', '', '', '', '', '{NOW}', '{NOW}', 'ready', ''"
            f" FROM generate_series(1, {ORDERS}) AS i"))
        conn.execute(text("INSERT INTO order_lines (order_id, product_id, quantity, scanned)"
                          f" SELECT i, 1, 1, 0 FROM generate_series(1, {ORDERS}) AS i"))
        for table in ("orders", "order_lines", "products", "users"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        print(f"  built {ORDERS:,} orders in {time.perf_counter() - started:.1f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def bench_order(services, scans: int) -> None:
    """A fresh order of ``scans`` units, so every timed scan is an accepted item scan."""
    with services.engine.begin() as conn:
        conn.execute(text("UPDATE orders SET state = 'cancelled', station_id = NULL WHERE order_no LIKE 'BENCH-SCAN%'"
                          " AND state IN ('ready', 'packing')"))
        n = conn.execute(text("SELECT count(*) FROM orders WHERE order_no LIKE 'BENCH-SCAN%'")).scalar()
        order_no = f"{BENCH_ORDER}-{n}"
        conn.execute(text(
            "INSERT INTO orders (order_no, platform, carrier_code, recipient_name, recipient_phone, recipient_address,"
            " note, created_at, imported_at, state, hold_reason)"
            f" VALUES ('{order_no}', '', 'ZTO', '', '', '', '', '{NOW}', '{NOW}', 'ready', '')"))
        order_id = conn.execute(text(f"SELECT id FROM orders WHERE order_no = '{order_no}'")).scalar()
        conn.execute(text(f"INSERT INTO order_lines (order_id, product_id, quantity, scanned) VALUES ({order_id}, 1, {scans}, 0)"))
    return order_no


def time_scans(services, scans: int) -> list[float]:
    order_no = bench_order(services, scans + 1)
    flow = BenchWorkflow(services, "BENCH-LATENCY")
    assert flow.handle("B-BENCH").accepted
    assert flow.handle(order_no).accepted
    flow.handle("6900000000001")  # warm caches
    samples = []
    for _ in range(scans):
        started = time.perf_counter()
        out = flow.handle("6900000000001")
        samples.append((time.perf_counter() - started) * 1000)
        assert out.accepted, out.message.render()
    flow.handle("CMD:CANCEL")
    return samples


class NullPrinter:
    """Printing is not what this measures: the weight scan's own unit of work is (its print intent included)."""

    spec = "null:"

    def print_label(self, label):
        from app.printing.base import PrintJob

        return PrintJob("not printed")

    print_manifest = print_label


def time_weight_scans(services, scans: int) -> list[float]:
    """The weight scan: check, weight, pool lookup and the label's print intent, in one commit."""
    services.set_printer(NullPrinter())
    flow = BenchWorkflow(services, "BENCH-LATENCY")
    assert flow.handle("B-BENCH").accepted
    samples = []
    for _ in range(scans):
        order_no = bench_order(services, 1)
        assert flow.handle(order_no).accepted
        assert flow.handle("6900000000001").accepted
        assert flow.handle("BOX-S").accepted
        weight = str(flow.last_view.order.expected_weight_g)
        started = time.perf_counter()
        out = flow.handle(weight)
        samples.append((time.perf_counter() - started) * 1000)
        assert out.accepted, out.message.render()
        assert flow.handle("CMD:CANCEL").accepted
    return samples


def sqlite_floor(path: Path, n: int) -> list[float]:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, at TEXT, raw TEXT)")
    samples = []
    for i in range(n):
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO bench_floor (at, raw) VALUES (?, ?)", (NOW, f"floor-{i}"))
        conn.execute("COMMIT")
        samples.append((time.perf_counter() - started) * 1000)
    conn.close()
    return samples


def pg_floor(url: str, n: int) -> list[float]:
    import psycopg

    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    samples = []
    with psycopg.connect(plain) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id serial PRIMARY KEY, at text, raw text)")
        conn.commit()
        for i in range(n):
            started = time.perf_counter()
            conn.execute("INSERT INTO bench_floor (at, raw) VALUES (%s, %s)", (NOW, f"floor-{i}"))
            conn.commit()
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(name: str, scan: list[float], floor: list[float], target: float | None) -> None:
    p50, p99 = statistics.median(scan), pct(scan, 0.99)
    f50, f99 = statistics.median(floor), pct(floor, 0.99)
    goal = f"  target p99 < {target} ms: {'MET' if p99 < target else 'MISSED'}" if target else ""
    print(f"{name}: scan p50 {p50:.2f} ms  p99 {p99:.2f} ms | floor INSERT+COMMIT p50 {f50:.2f} ms  p99 {f99:.2f} ms"
          f" | ratio p50 {p50 / f50:.1f}x  p99 {p99 / f99:.1f}x{goal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=2000)
    parser.add_argument("--pg", action="store_true", help="also PostgreSQL")
    parser.add_argument("--pg-only", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.pg_only:
        path = OUT / "scan-1m.db"
        services = bootstrap(f"sqlite:///{path}", Settings(station="BENCH-LATENCY"))
        sqlite_fill(path)
        scan = time_scans(services, args.scans)
        weight = time_weight_scans(services, max(50, args.scans // 5))
        services.close()
        floor = sqlite_floor(path, args.scans)
        report("SQLite (WAL, synchronous=FULL, 1M orders)", scan, floor, 2.0)
        report("SQLite weight scan with the label's print intent", weight, floor, 3.0)
    if args.pg or args.pg_only:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_NAME}).scalar():
                conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
        admin.dispose()
        url = make_url(PG_ADMIN).set(database=PG_NAME).render_as_string(hide_password=False)
        services = bootstrap(url, Settings(station="BENCH-LATENCY"))
        pg_fill(url)
        scan = time_scans(services, args.scans)
        services.close()
        report("PostgreSQL (1M orders)", scan, pg_floor(url, args.scans), 4.0)


if __name__ == "__main__":
    main()
