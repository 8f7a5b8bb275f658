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


PDD_HEADER = ("商品", "订单号", "订单状态", "商品数量(件)", "商品id", "商品规格", "样式ID", "商家编码-规格维度",
              "商家编码-商品维度", "商家备注", "买家留言", "售后状态", "订单成交时间", "快递单号", "快递公司", "收货人",
              "手机", "省", "市", "区", "街道", "详细地址")
PDD_CARRIERS = ("顺丰速运", "中通快递", "圆通速递", "申通快递", "韵达快递", "京东快递", "极兔速递", "邮政快递包裹")


def make_pdd_rows(rows: list[list[str]]) -> list[list[str]]:
    """The same order lines as the Pinduoduo export writes them (every order 待发货, no after-sales)."""
    out = []
    for i, r in enumerate(rows):
        o = int(r[0][4:]) - 1_000_000
        out.append([r[7], f"261125-{o:015d}", "待发货", r[8], f"75{o % 977:010d}", "默认规格", f"{i % 9000}", r[5], "",
                    "", "", "无售后或售后取消", r[12], "", PDD_CARRIERS[o % len(PDD_CARRIERS)], "王**",
                    f"138****{o % 10_000:04d}", "浙江省", "杭州市", "西湖区", "文新街道", f"文三路 {o % 500} 号"])
    return out


def catalogue_rows(rows: list[list[str]]) -> list[list[str]]:
    seen: dict[str, list[str]] = {}
    for r in rows:
        seen.setdefault(r[5], [r[5], r[7], r[6], r[9]])
    return list(seen.values())


def write_csv(path: Path, header, rows, encoding="utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def timed(fn, *args, **kwargs):
    start, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=5)
    parser.add_argument("--skus", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is printed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PACKGATE_HOME"] = str(Path(tmp) / "home")
        from app.bootstrap import bootstrap
        from app.config import Settings
        from app.imports.columnmap import load_profile
        from app.imports.orders import import_orders, read_order_file
        from app.imports.products import import_products

        rows = make_rows(args.orders, args.lines, args.skus)
        path = write_csv(Path(tmp) / "orders.csv", HEADER, rows)
        pdd_path = write_csv(Path(tmp) / "pdd.csv", PDD_HEADER, make_pdd_rows(rows), encoding="gb18030")
        products_path = write_csv(Path(tmp) / "products.csv", ("sku", "name", "barcode", "unit_weight_g"),
                                  catalogue_rows(rows))
        size_mb = path.stat().st_size / 1_048_576
        pdd_mb = pdd_path.stat().st_size / 1_048_576
        profile = load_profile("pdd")
        figures: dict[str, list[tuple[float, float]]] = {}

        def note(name, wall, cpu):
            figures.setdefault(name, []).append((wall, cpu))

        for run in range(args.repeat):
            services = bootstrap(f"sqlite:///{Path(tmp) / f'bench-{run}.db'}", Settings(station="BENCH"))
            parsed, wall, cpu = timed(read_order_file, path, services.catalogue)
            note("read", wall, cpu)
            report, wall, cpu = timed(import_orders, services, path)
            assert report.ok, report.errors[:5]
            note("import", wall, cpu)
            again, wall, cpu = timed(import_orders, services, path)
            assert again.ok and again.orders_unchanged == report.orders_added, again.errors[:5]
            note("again", wall, cpu)
            services.close()

            services = bootstrap(f"sqlite:///{Path(tmp) / f'bench-pdd-{run}.db'}", Settings(station="BENCH"))
            products, wall, cpu = timed(import_products, services, products_path)
            assert products.ok, products.errors[:5]
            note("products", wall, cpu)
            pdd, wall, cpu = timed(import_orders, services, pdd_path, column_map=profile)
            assert pdd.ok and pdd.orders_added == report.orders_added, (pdd.errors[:5], pdd.unknown_products[:5])
            note("pdd", wall, cpu)
            services.close()

            _none, wall, cpu = timed(floor, rows, Path(tmp) / f"floor-{run}.db")
            note("floor", wall, cpu)

    def med(name):
        values = sorted(figures[name])
        return values[len(values) // 2]

    n = len(parsed.rows)
    print(f"file: {n:,} order lines, {report.orders_added:,} orders, {report.products_added:,} products, "
          f"{size_mb:.1f} MB CSV (pdd export {pdd_mb:.1f} MB GB18030); median of {args.repeat} runs")
    rows_out = (("read + check file only:          ", "read", ""),
                ("import (read, check, write):     ", "import", "target < 3.00 s"),
                ("same file again (all unchanged): ", "again", ""),
                ("product catalogue (2,000 SKUs):  ", "products", ""),
                ("pdd export, --profile pdd:       ", "pdd", "aim: same as import"),
                ("floor: raw sqlite3 executemany:  ", "floor", ""))
    for label, name, target in rows_out:
        wall, cpu = med(name)
        print(f"{label} {wall:6.2f} s  (cpu {cpu:5.2f} s)   {target}")
    print(f"ratio import / floor:             {med('import')[0] / med('floor')[0]:6.1f} x; "
          f"pdd / floor {med('pdd')[0] / med('floor')[0]:4.1f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
