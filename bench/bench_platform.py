"""The shop platform's figures (not a test): `.venv/bin/python bench/bench_platform.py [--pg]
[--orders N] [--jobs N] [--fault-jobs N]`.

1. What the outbox adds to the waybill scan: the decision + commit of the completing waybill scan
   through ``BenchWorkflow.handle``, with ``platform_trigger = packed`` (the job is written in the
   scan's transaction) beside the floor measured in the same run on the same database: the same
   scan with ``platform_trigger = handed_over`` (no job at that scan). p50 / p99, interleaved.
2. The sender's throughput against the stand-in gateway (``packgate platform standin`` in its own
   process, loopback), within the configured rate limit.
3. The fault run: N jobs through ``packgate sync`` subprocesses against a stand-in injecting delay,
   dropped connections (before and after the shipment is recorded), 5xx and rate limits, the sender
   killed twice with kill -9: every job confirmed exactly once with the right order, carrier id
   and number.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOME = Path(tempfile.mkdtemp(prefix="packgate-bench-platform-"))
os.environ["PACKGATE_HOME"] = str(HOME)

from sqlalchemy import func, insert, select  # noqa: E402

from app.bootstrap import bootstrap  # noqa: E402
from app.config import Settings  # noqa: E402
from app.models.schema import JobState, Order, OrderLine, Parcel, PlatformJob, Product, ProductBarcode, User  # noqa: E402
from app.packing import repository as repo  # noqa: E402
from app.packing.workflow import BenchWorkflow  # noqa: E402
from app.platform import config as channel_config  # noqa: E402
from app.platform.sender import Sender  # noqa: E402
from bench.common import fresh_url  # noqa: E402


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class NoPrinter:
    spec = "none:"

    def print_label(self, label):
        from app.printing.base import PrintJob

        return PrintJob("none")

    def print_manifest(self, manifest):
        from app.printing.base import PrintJob

        return PrintJob("none")


# ------------------------------------------------------------------------------ 1. the waybill scan


def seed_orders(services, count: int, prefix: str) -> list[tuple[str, str]]:
    with services.uow() as uow:
        s = uow.session
        pid = s.scalar(select(Product.id).where(Product.sku == "BENCH-ITEM"))
        if pid is None:
            pid = s.execute(insert(Product).values(sku="BENCH-ITEM", name="Bench item", unit_weight_g=300)
                            .returning(Product.id)).scalar_one()
            s.execute(insert(ProductBarcode).values(barcode="6900000000017", product_id=pid))
            s.execute(insert(User).values(name="Bench", role="packer", badge="P-BENCH", failed_pins=0, active=True))
        out = []
        for i in range(count):
            no, number = f"{prefix}-{i:06d}", f"SF{(2 if prefix == 'A' else 3)}{i:012d}"
            oid = s.execute(insert(Order).values(order_no=no, carrier_code="SF", preassigned_waybill=number)
                            .returning(Order.id)).scalar_one()
            s.execute(insert(OrderLine).values(order_id=oid, product_id=pid, quantity=1, scanned=0))
            out.append((no, number))
    return out


def waybill_scan(url: str, orders: int) -> tuple[list[float], list[float]]:
    services = bootstrap(url, Settings(station="BENCH-PLATFORM", sounds=False))
    services.set_printer(NoPrinter())
    with_job, floor = seed_orders(services, orders, "A"), seed_orders(services, orders, "B")
    flow = BenchWorkflow(services, "BENCH-PLATFORM")
    flow.handle("P-BENCH")
    times: dict[str, list[float]] = {"packed": [], "handed_over": []}
    for (a, wa), (b, wb) in zip(with_job, floor, strict=True):
        for trigger, (no, number) in (("packed", (a, wa)), ("handed_over", (b, wb))):
            services.settings.platform_trigger = trigger
            for scan in (no, "6900000000017", "BOX-M", "500"):
                flow.handle(scan)
            t0 = time.perf_counter()
            out = flow.handle(number)
            times[trigger].append((time.perf_counter() - t0) * 1000)
            assert out.accepted, out.message.render()
    with services.read_uow() as uow:
        jobs = uow.session.scalar(select(func.count()).select_from(PlatformJob))
    assert jobs == orders, jobs
    services.close()
    return times["packed"], times["handed_over"]


# ------------------------------------------------------------------------------ 2 and 3: the sender


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_standin(faults: dict | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    args = [sys.executable, "main.py", "platform", "standin", "--port", str(port)]
    if faults:
        args += ["--faults", json.dumps(faults)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if not proc.stdout.readline():  # "PDD stand-in gateway on ..."
        raise SystemExit(f"the stand-in did not start: {proc.stderr.read().decode()}")
    return proc, f"http://127.0.0.1:{port}/api/router"


def standin_state(url: str) -> dict:
    with urllib.request.urlopen(url.replace("/api/router", "/_standin/state")) as r:
        return json.loads(r.read())


def secret(name: str, value: str) -> str:
    path = HOME / name
    path.write_text(value)
    path.chmod(0o600)
    return str(path)


def packed_jobs(services, count: int) -> None:
    now = services.clock()
    with services.uow() as uow:
        s = uow.session
        pid = s.execute(insert(Product).values(sku="SYNC-ITEM", name="x", unit_weight_g=1).returning(Product.id)).scalar_one()
        orders = [{"order_no": f"S-{i:06d}", "carrier_code": "SF", "state": "packed", "waybill": f"SF4{i:012d}",
                   "packed_at": now} for i in range(count)]
        s.execute(insert(Order), orders)
        ids = dict(s.execute(select(Order.order_no, Order.id).where(Order.order_no.like("S-%"))).all())
        s.execute(insert(OrderLine), [{"order_id": ids[o["order_no"]], "product_id": pid, "quantity": 1, "scanned": 1}
                                      for o in orders])
        s.execute(insert(Parcel), [{"order_id": ids[o["order_no"]], "seq": 1, "waybill": o["waybill"], "label_prints": 1,
                                    "sealed": False} for o in orders])
        repo.write_platform_jobs(s, list(ids.values()), now)


def configure(services, endpoint: str) -> None:
    options = {"client_id": "standin-client", "client_secret_file": secret("secret", "standin-secret"),
               "access_token_file": secret("token", "standin-token"), "endpoint": endpoint}
    with services.uow() as uow:
        channel_config.save(uow.session, channel_config.ChannelConfig("pdd", options), services.clock())


def confirmed(services) -> int:
    with services.read_uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(PlatformJob)
                                  .where(PlatformJob.state == JobState.CONFIRMED.value)) or 0


def throughput(url: str, jobs: int, rate: float) -> float:
    services = bootstrap(url, Settings(station="BENCH-PLATFORM"))
    packed_jobs(services, jobs)
    proc, endpoint = start_standin()
    try:
        configure(services, endpoint)
        sender = Sender(services.uow, services.catalogue, services.clock, rate_per_s=rate, workers=8,
                        read_uow=services.read_uow, refresh_s=1e9)
        t0 = time.perf_counter()
        while sender.run_once().leased:
            pass
        elapsed = time.perf_counter() - t0
        sender.shutdown()
        assert confirmed(services) == jobs
    finally:
        proc.terminate()
        proc.wait()
        services.close()
    return jobs / elapsed


def wait_confirmed(services, count: int, deadline: float) -> None:
    while confirmed(services) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"fault run: only {confirmed(services)} of {count} confirmed in time")
        time.sleep(0.1)  # another process works: poll the database


def fault_run(url: str, jobs: int) -> dict:
    services = bootstrap(url, Settings(station="BENCH-PLATFORM"))
    packed_jobs(services, jobs)
    faults = {"seed": 3, "delay_ms": 1, "drop_rate": 0.02, "drop_after_rate": 0.02, "error_5xx_rate": 0.03,
              "rate_limit_rate": 0.03}
    proc, endpoint = start_standin(faults)
    (HOME / "config").mkdir(parents=True, exist_ok=True)
    (HOME / "config" / "settings.json").write_text(json.dumps({"platform_rate_per_s": 1000}))
    env = {**os.environ, "PACKGATE_DB": url}
    sync = [sys.executable, "main.py", "sync", "--lease-seconds", "3", "--retry-base", "0.1", "--idle", "0.1"]
    t0 = time.perf_counter()
    deadline = time.monotonic() + 900
    kills = 0
    try:
        configure(services, endpoint)
        for stop_at in (jobs // 3, 2 * jobs // 3):
            sender = subprocess.Popen(sync, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
            wait_confirmed(services, stop_at, deadline)
            sender.send_signal(signal.SIGKILL)
            sender.wait()
            kills += 1
        sender = subprocess.Popen(sync, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        wait_confirmed(services, jobs, deadline)
        sender.terminate()
        sender.wait()
        elapsed = time.perf_counter() - t0
        state = standin_state(endpoint)
    finally:
        proc.terminate()
        proc.wait()
    with services.read_uow() as uow:
        rows = uow.session.execute(select(PlatformJob.order_no, PlatformJob.tracking_number, PlatformJob.logistics_id,
                                          PlatformJob.state, PlatformJob.attempts)).all()
    services.close()
    held = state["orders"]
    wrong = [r for r in rows if held.get(r.order_no, {}).get("tracking_number") != r.tracking_number
             or held[r.order_no]["logistics_id"] != 44 or r.logistics_id != 44]
    return {"jobs": len(rows), "confirmed": sum(r.state == "confirmed" for r in rows), "kills": kills,
            "lost": jobs - len([r for r in rows if r.order_no in held]), "wrong_or_duplicate_number": len(wrong),
            "platform_ship_calls": sum(o["ship_calls"] for o in held.values()),
            "attempts": sum(r.attempts for r in rows), "seconds": round(elapsed, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    ap.add_argument("--orders", type=int, default=500, help="waybill scans per mode")
    ap.add_argument("--jobs", type=int, default=5000, help="jobs for the throughput run")
    ap.add_argument("--rate", type=float, default=1000.0, help="the sender's rate limit for the throughput run")
    ap.add_argument("--fault-jobs", type=int, default=10_000, help="jobs for the fault run (0: skip)")
    args = ap.parse_args()
    db = "PostgreSQL" if args.pg else "SQLite WAL synchronous=FULL"
    with_job, floor = waybill_scan(fresh_url(args.pg, "packgate_bench_platform_scan", HOME), args.orders)
    print(f"waybill scan, {db}, {args.orders} scans each, interleaved:")
    print(f"  with the outbox job : p50 {pct(with_job, .5):.2f} ms  p99 {pct(with_job, .99):.2f} ms")
    print(f"  floor (no job)      : p50 {pct(floor, .5):.2f} ms  p99 {pct(floor, .99):.2f} ms")
    print(f"  outbox adds         : p50 {pct(with_job, .5) - pct(floor, .5):+.2f} ms  "
          f"p99 {pct(with_job, .99) - pct(floor, .99):+.2f} ms")
    rate = throughput(fresh_url(args.pg, "packgate_bench_platform_tp", HOME), args.jobs, args.rate)
    print(f"sender throughput, {args.jobs} jobs against the stand-in (rate limit {args.rate:.0f}/s): {rate:.0f} jobs/s")
    if args.fault_jobs:
        result = fault_run(fresh_url(args.pg, "packgate_bench_platform_faults", HOME), args.fault_jobs)
        print("fault run: " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
