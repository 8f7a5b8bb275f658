"""The pickup watch's figures (not a test): `.venv/bin/python bench/bench_track.py [--pg] [--parcels 10000]`.

1. One tracking pass over N parcels waiting for a pickup scan, against the stand-in gateway in its own
   process (real HTTP on loopback, signed calls, the answer immediate; half of the numbers picked up):
   parcels/s (aim >= 300), and the database's share of the pass (claiming the due parcels, writing
   the answers), beside a floor measured in the same run: the same N trace calls with the same
   client and threads and no database at all.
2. A pass with nothing due (every parcel's next look ahead): no call, one index seek. Aim < 20 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOME = Path(tempfile.mkdtemp(prefix="packgate-bench-track-"))
os.environ["PACKGATE_HOME"] = str(HOME)

from sqlalchemy import insert, select, update  # noqa: E402

from app.bootstrap import bootstrap  # noqa: E402
from app.config import Settings  # noqa: E402
from app.models.schema import Order, Parcel, ParcelTracking  # noqa: E402
from app.platform import shops as shop_store  # noqa: E402
from app.platform.pdd import PddClient  # noqa: E402
from app.platform.tracker import Tracker  # noqa: E402
from bench.common import free_port, fresh_url  # noqa: E402

WORKERS = 16


def seed(services, n: int, options: dict) -> None:
    """N orders handed over 2 hours ago, one parcel each, on the shop ``default``, all due now."""
    at = datetime.now(UTC) - timedelta(hours=2)
    with services.uow() as uow:
        s = uow.session
        shop = shop_store.save(s, "default", options, at, default_carrier="ZTO")
        s.execute(insert(Order), [{"order_no": f"T-{i:07d}", "carrier_code": "ZTO", "state": "handed_over",
                                   "waybill": f"7531{i:010d}", "shop_id": shop.id, "created_at": at, "imported_at": at,
                                   "packed_at": at, "handed_over_at": at} for i in range(n)])
        ids = dict(s.execute(select(Order.order_no, Order.id)).all())
        s.execute(insert(Parcel), [{"order_id": ids[f"T-{i:07d}"], "seq": 1, "waybill": f"7531{i:010d}",
                                    "label_prints": 1, "sealed": True, "packed_at": at} for i in range(n)])
        parcels = s.execute(select(Parcel.id, Parcel.order_id)).all()
        s.execute(insert(ParcelTracking), [{"parcel_id": pid, "order_id": oid, "handed_over_at": at,
                                            "next_check_at": at + timedelta(hours=1), "checks": 1}
                                           for pid, oid in parcels])


def rearm(services) -> None:
    """Every parcel waiting and due again (the pass before picked half of them up)."""
    at = datetime.now(UTC) - timedelta(hours=2)
    with services.uow() as uow:
        uow.session.execute(update(ParcelTracking).values(
            next_check_at=at + timedelta(hours=1), picked_up_at=None, picked_up_by=None, lost=False, checks=1))


class Timed(Tracker):
    """The tracker, with the time of its two database steps kept."""

    claim_s = write_s = 0.0

    def _claim(self, stats, everything):
        t0 = time.perf_counter()
        try:
            return super()._claim(stats, everything)
        finally:
            self.claim_s = time.perf_counter() - t0

    def _write(self, answers, stats):
        t0 = time.perf_counter()
        try:
            return super()._write(answers, stats)
        finally:
            self.write_s = time.perf_counter() - t0


def floor(options: dict, n: int) -> float:
    """The same N calls, same client and threads, no database: what the pass cannot beat."""
    client = PddClient.from_options(options)
    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            t0 = time.perf_counter()
            list(pool.map(lambda i: client.call("pdd.logistics.ordertrace.get", company_code="ZTO",
                                                mail_no=f"9{i:013d}"), range(n)))
            return time.perf_counter() - t0
    finally:
        client.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    ap.add_argument("--parcels", type=int, default=10_000)
    ap.add_argument("--passes", type=int, default=3, help="passes and floors, alternating (medians shown)")
    args = ap.parse_args()
    db = "PostgreSQL" if args.pg else "SQLite"
    secret, token = HOME / "secret", HOME / "token"
    for path, value in ((secret, "standin-secret"), (token, "standin-token")):
        path.write_text(value)
        path.chmod(0o600)
    port = free_port()
    options = {"client_id": "standin-client", "client_secret_file": str(secret), "access_token_file": str(token),
               "endpoint": f"http://127.0.0.1:{port}/api/router"}
    # half the numbers asked are picked up (the first half of each pass: the stand-in counts them once)
    gateway = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "platform", "standin", "--port", str(port),
                                "--client-secret-file", str(secret), "--access-token-file", str(token),
                                "--pick-up-first", str(args.parcels // 2)], stdout=subprocess.PIPE, text=True)
    passes, floors, claims, writes, idle = [], [], [], [], []
    try:
        assert "PDD stand-in gateway" in (gateway.stdout.readline() if gateway.stdout else "")
        services = bootstrap(fresh_url(args.pg, "bench_track", HOME), Settings(station="BENCH"))
        seed(services, args.parcels, options)
        tracker = Timed(services.uow, services.clock, read_uow=services.read_uow, rate_per_s=1_000_000,
                        workers=WORKERS)
        for i in range(args.passes):
            if i:
                rearm(services)
            t0 = time.perf_counter()
            stats = tracker.run_once()
            passes.append(time.perf_counter() - t0)
            assert stats.looked == args.parcels and stats.failed == 0, stats
            claims.append(tracker.claim_s)
            writes.append(tracker.write_s)
            floors.append(floor(options, args.parcels))
            for _ in range(10):
                t0 = time.perf_counter()
                quiet = tracker.run_once()
                idle.append(time.perf_counter() - t0)
                assert quiet.due == 0 and not quiet.calls, quiet
        picked = stats.picked_up
        tracker.close()
        services.close()
    finally:
        gateway.terminate()
        gateway.wait()

    p, f = statistics.median(passes), statistics.median(floors)
    c, w = statistics.median(claims), statistics.median(writes)
    print(f"{db}, {args.parcels} parcels waiting for a pickup, median of {args.passes} passes "
          f"({WORKERS} threads, stand-in on loopback, answer immediate; {picked} picked up in the last pass):")
    print(f"  tracking pass   {p:7.2f} s  {args.parcels / p:8.0f} parcels/s  passes {' '.join(f'{t:.2f}' for t in passes)}")
    print(f"  floor (calls)   {f:7.2f} s  {args.parcels / f:8.0f} calls/s    (the same calls, no database)")
    print(f"  pass / floor    {p / f:7.2f}")
    print(f"  database        {c + w:7.2f} s  ({(c + w) / p * 100:.0f}% of the pass: claim {c:.2f} s, "
          f"write {w:.2f} s; {(c + w) / args.parcels * 1e6:.0f} µs per parcel)")
    print(f"  nothing due     {statistics.median(idle) * 1000:7.2f} ms median of {len(idle)} "
          f"(max {max(idle) * 1000:.2f} ms; no call)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
