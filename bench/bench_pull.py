"""The order pull's figures (not a test): `.venv/bin/python bench/bench_pull.py [--pg] [--orders 10000]`.

1. One pull pass of N new orders (N/100 pages of one 30-minute window) from the stand-in gateway
   (its own process, real HTTP on loopback, the platform's paging and window rules) into the database, beside the
   same orders through ``import-orders`` (a CSV in PackGate's format, same products) in the same
   run on the same kind of database: time and orders/s. Aim: the pull no slower than the import.
   Beside them, the floor: the pull's calls alone (``pdd.time.get``, the window's pages from the
   last to the first, its after-sales cases: HTTP and JSON decode on one thread, nothing written),
   how much of the pull is the network part.
2. A pass with nothing new: ``pdd.time.get`` plus one call for the window since the cursor.
   Aim: under 50 ms.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOME = Path(tempfile.mkdtemp(prefix="packgate-bench-pull-"))
os.environ["PACKGATE_HOME"] = str(HOME)

from sqlalchemy import func, insert, select, update  # noqa: E402

from app.bootstrap import bootstrap  # noqa: E402
from app.config import Settings  # noqa: E402
from app.models.schema import Order, Product, ProductBarcode, Shop  # noqa: E402
from app.platform import return_pull  # noqa: E402
from app.platform import shops as shop_store  # noqa: E402
from app.platform.puller import WINDOW, Puller, PullStats  # noqa: E402
from bench.common import fresh_url  # noqa: E402

SKUS = 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def products(services) -> None:
    with services.uow() as uow:
        uow.session.execute(insert(Product), [{"sku": f"SKU-{i:04d}", "name": f"商品 {i}", "unit_weight_g": 100 + i}
                                              for i in range(SKUS)])
        ids = dict(uow.session.execute(select(Product.sku, Product.id)).all())
        uow.session.execute(insert(ProductBarcode), [{"barcode": f"69{i:011d}", "product_id": ids[f"SKU-{i:04d}"]}
                                                     for i in range(SKUS)])


def platform_orders(n: int) -> list[dict]:
    return [{"order_sn": f"260302-{i:09d}", "receiver_name": f"收件人{i % 97}", "receiver_phone": f"138****{i % 10000:04d}",
             "address": f"浙江省杭州市西湖区文三路 {i % 500} 号 ****", "buyer_memo": "", "remark": "",
             "item_list": [{"outer_id": f"SKU-{(i * 7) % SKUS:04d}", "goods_count": 1 + i % 3, "goods_name": "x"}]}
            for i in range(n)]


def write_csv(path: Path, orders: list[dict]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(("order_no", "carrier", "recipient_name", "recipient_phone", "recipient_address", "sku", "barcode",
                    "quantity", "unit_weight_g", "created_at"))
        for o in orders:
            item = o["item_list"][0]
            s = int(item["outer_id"][4:])
            w.writerow((o["order_sn"], "ZTO", o["receiver_name"], o["receiver_phone"], o["address"], item["outer_id"],
                        f"69{s:011d}", item["goods_count"], 100 + s, "2026-03-02 10:30:00"))
    return path


def fetch_pass(services, shop_name: str, start: datetime, end: datetime) -> tuple[float, int]:
    """The floor: the calls of the pull just measured (``pdd.time.get``, its windows' pages from
    ``start`` to ``end`` and their after-sales cases; its own client, as the pull built one), the
    pages decoded and dropped, on one thread; nothing is written. Returns (seconds, calls)."""
    puller = Puller(services.uow, services.catalogue, services.clock, read_uow=services.read_uow)
    with services.read_uow() as uow:
        shop = shop_store.get(uow.session, shop_name)
    windows = []
    while start < end:
        windows.append((start, min(start + WINDOW, end)))
        start = windows[-1][1]
    stats = PullStats(shop_name)
    t0 = time.perf_counter()
    client = puller.client(shop)
    puller._platform_time(client, stats)
    pages: queue.Queue = queue.Queue()
    puller._fetch(client, stats, windows, pages, threading.Event())
    assert pages.queue[-1] == ("done", None), pages.queue[-1]
    for window in windows:
        return_pull._window(puller, client, stats, *window)
    seconds = time.perf_counter() - t0
    puller.close()
    return seconds, stats.calls


def pull_pass(args, secret: Path, token: Path, port: int, idle: list, calls: list, floors: list):
    """One pull of every order into a fresh database, the floor of its calls alone, then 5 passes with nothing new."""
    services = bootstrap(fresh_url(args.pg, "bench_pull", HOME), Settings(station="BENCH"))
    products(services)
    with services.uow() as uow:
        shop_store.save(uow.session, "north", {"client_id": "standin-client", "client_secret_file": str(secret),
                                               "access_token_file": str(token),
                                               "endpoint": f"http://127.0.0.1:{port}/api/router"},
                        services.clock(), default_carrier="ZTO")
        # the cursor just before the orders (changed 10 minutes ago): one 30-minute window holds them all
        cursor = datetime.now(UTC) - timedelta(minutes=33)
        uow.session.execute(update(Shop).values(pull_cursor=cursor))
    puller = Puller(services.uow, services.catalogue, services.clock, read_uow=services.read_uow)
    t0 = time.perf_counter()
    [stats] = puller.run_once()
    pull_s = time.perf_counter() - t0
    assert stats.new == args.orders and not stats.skipped and stats.error is None, stats
    floor_s, floor_calls = fetch_pass(services, "north", cursor, stats.cursor)
    assert floor_calls == stats.calls, (floor_calls, stats.calls)
    floors.append(floor_s)
    for _ in range(5):  # nothing new: the window since the cursor, one call
        t0 = time.perf_counter()
        [quiet] = puller.run_once()
        idle.append(time.perf_counter() - t0)
        calls.append(quiet.calls)
        assert quiet.new == 0 and quiet.error is None, quiet
    puller.close()
    with services.read_uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Order)) == args.orders
    services.close()
    return stats, pull_s


def import_pass(args, path: Path) -> float:
    """The same orders through import-orders into a fresh database."""
    from app.imports.orders import import_orders

    services = bootstrap(fresh_url(args.pg, "bench_pull_import", HOME), Settings(station="BENCH"))
    products(services)
    t0 = time.perf_counter()
    report = import_orders(services, path)
    import_s = time.perf_counter() - t0
    assert report.ok and report.orders_added == args.orders, report.errors[:5]
    services.close()
    return import_s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--passes", type=int, default=5, help="pull and import passes, alternating (medians shown)")
    args = ap.parse_args()
    db = "PostgreSQL" if args.pg else "SQLite"
    orders = platform_orders(args.orders)

    # 1a. The pull: one window of N orders, N/100 pages, from the stand-in in its own process.
    secret = HOME / "secret"
    token = HOME / "token"
    secret.write_text("standin-secret")
    token.write_text("standin-token")
    secret.chmod(0o600)
    token.chmod(0o600)
    orders_file = HOME / "orders.json"
    orders_file.write_text(json.dumps(orders, ensure_ascii=False), encoding="utf-8")
    port = free_port()
    gateway = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "platform", "standin", "--port", str(port),
                                "--client-secret-file", str(secret), "--access-token-file", str(token),
                                "--orders", str(orders_file)], stdout=subprocess.PIPE, text=True)
    path = write_csv(HOME / "orders.csv", orders)
    pulls, imports, idle, calls, floors = [], [], [], [], []
    try:
        assert "PDD stand-in gateway" in (gateway.stdout.readline() if gateway.stdout else "")
        for _ in range(args.passes):  # pull and import alternate: both see the same state of the machine
            stats, pull_s = pull_pass(args, secret, token, port, idle, calls, floors)
            pulls.append(pull_s)
            imports.append(import_pass(args, path))
    finally:
        gateway.terminate()
        gateway.wait()

    pull_s, import_s = statistics.median(pulls), statistics.median(imports)
    print(f"{db}, {args.orders} orders, median of {args.passes} passes:")
    print(f"  pull pass      {pull_s:7.2f} s  {args.orders / pull_s:8.0f} orders/s  ({stats.calls} calls: "
          f"pdd.time.get and {stats.calls - 1} pages)  passes {' '.join(f'{t:.2f}' for t in pulls)}")
    print(f"  import-orders  {import_s:7.2f} s  {args.orders / import_s:8.0f} orders/s  "
          f"passes {' '.join(f'{t:.2f}' for t in imports)}")
    print(f"  pull / import  {pull_s / import_s:7.2f}")
    floor_s = statistics.median(floors)
    print(f"  fetch only     {floor_s:7.2f} s  ({floor_s / pull_s:.0%} of the pull: its {stats.calls} calls and JSON decode "
          f"on one thread, nothing written)  passes {' '.join(f'{t:.2f}' for t in floors)}")
    print(f"  nothing new    {statistics.median(idle) * 1000:7.1f} ms median of {len(idle)} ({max(calls) - 1} "
          f"increment call per pass, plus pdd.time.get)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
