"""Import of 100,000 order lines (20,000 orders x 5 lines, 2,000 SKUs) into a fresh SQLite file.

Prints the import time beside its floor measured in the same run: a raw sqlite3 ``executemany`` of
the same 100,000 rows into a similar table (one transaction, same pragmas). Target: under 3 s.
Each figure is wall-clock time, with this process's CPU time beside it (on a shared, loaded
machine the CPU time is the steadier of the two).

    .venv/bin/python bench/bench_import.py [--orders 20000]
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADER = ("order_no", "carrier", "recipient_name", "recipient_phone", "recipient_address", "sku", "barcode",
          "product_name", "quantity", "unit_weight_g", "waybill", "note", "created_at")
CARRIERS = ("SF", "中通", "YTO", "申通", "YUNDA", "京东", "JT", "EMS")


def make_rows(orders: int, lines_per_order: int, skus: int) -> list[list[str]]:
    rows = []
    for o in range(orders):
        for k in range(lines_per_order):
            s = (o * 7 + k * 401) % skus
            rows.append([f"PDD-{1_000_000 + o}", CARRIERS[o % len(CARRIERS)], f"收件人{o % 97}", f"138{o:08d}",
                         f"浙江省杭州市西湖区文三路 {o % 500} 号 {o % 30} 室", f"SKU-{s:05d}", f"69{s:011d}",
                         f"商品 {s} Product", str(1 + (o + k) % 3), str(50 + s % 900), "", "",
                         "2026-11-25 10:30:00"])
    return rows


def floor(rows: list[list[str]], path: Path) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE lines (id INTEGER PRIMARY KEY, order_no TEXT, carrier TEXT, name TEXT, phone TEXT, "
                 "address TEXT, sku TEXT, barcode TEXT, product TEXT, quantity INTEGER, weight INTEGER, "
                 "waybill TEXT, note TEXT, created_at TEXT)")
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO lines (order_no, carrier, name, phone, address, sku, barcode, product, quantity, "
                     "weight, waybill, note, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=5)
    parser.add_argument("--skus", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PACKGATE_HOME"] = str(Path(tmp) / "home")
        from app.bootstrap import bootstrap
        from app.config import Settings
        from app.imports.orders import import_orders, read_order_file

        rows = make_rows(args.orders, args.lines, args.skus)
        path = Path(tmp) / "orders.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            writer.writerows(rows)
        size_mb = path.stat().st_size / 1_048_576

        services = bootstrap(f"sqlite:///{Path(tmp) / 'bench.db'}", Settings(station="BENCH"))
        start, cpu = time.perf_counter(), time.process_time()
        parsed = read_order_file(path, services.catalogue)
        read_s, read_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        report = import_orders(services, path)
        total_s, total_cpu = time.perf_counter() - start, time.process_time() - cpu
        assert report.ok, report.errors[:5]
        start, cpu = time.perf_counter(), time.process_time()
        again = import_orders(services, path)
        again_s, again_cpu = time.perf_counter() - start, time.process_time() - cpu
        assert again.ok and again.orders_unchanged == report.orders_added, again.errors[:5]
        services.close()
        start, cpu = time.perf_counter(), time.process_time()
        floor_s = floor(rows, Path(tmp) / "floor.db")
        floor_cpu = time.process_time() - cpu

    n = len(parsed.rows)
    print(f"file: {n:,} order lines, {report.orders_added:,} orders, {report.products_added:,} products, "
          f"{size_mb:.1f} MB CSV")
    print(f"read + check file only:           {read_s:6.2f} s  (cpu {read_cpu:5.2f} s)")
    print(f"import (read, check, write):      {total_s:6.2f} s  (cpu {total_cpu:5.2f} s)   target < 3.00 s  "
          f"{'OK' if total_s < 3 else 'OVER TARGET'}")
    print(f"same file again (all unchanged):  {again_s:6.2f} s  (cpu {again_cpu:5.2f} s)   "
          f"({again.orders_unchanged:,} orders unchanged)")
    print(f"floor: raw sqlite3 executemany:   {floor_s:6.2f} s  (cpu {floor_cpu:5.2f} s)")
    print(f"ratio import / floor:             {total_s / floor_s:6.1f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
