"""One item scan through the PackGate server (not a test): `.venv/bin/python bench/bench_server.py [--scans N]`.

The figure is the bench's client call to its reply: HTTP on loopback, the server's unit of work on
SQLite (WAL, synchronous=FULL) with 1,000,000 orders, the reply kept for retries. Printed beside the
same scan embedded (in-process) in the same run, on the same database file, and beside the floor of
the HTTP path: a bare ``/api/v1/health`` call on the same keep-alive connection (no database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PACKGATE_HOME", str(ROOT / "bench" / "out" / "home"))

import httpx  # noqa: E402

from app.bootstrap import bootstrap  # noqa: E402
from app.client.remote import RemoteBench, enrol  # noqa: E402
from app.config import Settings  # noqa: E402
from app.server.stations import add_station  # noqa: E402
from bench.bench_scan import OUT, NullPrinter, bench_order, pct, sqlite_fill, time_scans  # noqa: E402


def serve(url: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", url, "serve", "--listen", f"127.0.0.1:{port}"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8659)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "scan-1m.db"
    url = f"sqlite:///{path}"
    services = bootstrap(url, Settings(station="BENCH-LATENCY"))
    sqlite_fill(path)
    embedded = time_scans(services, args.scans)
    code = add_station(services, "BENCH-REMOTE")
    order_no = bench_order(services, args.scans + 2)
    services.close()
    proc = serve(url, args.port)
    try:
        bench = RemoteBench(enrol(f"http://127.0.0.1:{args.port}", "BENCH-REMOTE", code), NullPrinter())
        assert bench.handle("B-BENCH").accepted and bench.handle(order_no).accepted
        bench.handle("6900000000001")
        floor = []
        for _ in range(args.scans):
            started = time.perf_counter()
            assert bench._transport.http.get("/api/v1/health").status_code == 200
            floor.append((time.perf_counter() - started) * 1000)
        remote = []
        for _ in range(args.scans):
            started = time.perf_counter()
            out = bench.handle("6900000000001")
            remote.append((time.perf_counter() - started) * 1000)
            assert out.accepted, out.message.render()
        bench.handle("CMD:CANCEL")
        bench.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    for name, samples in (("embedded (in-process)", embedded), ("through the server (loopback HTTP)", remote),
                          ("floor: bare HTTP call, same server", floor)):
        print(f"{name:36s} p50 {statistics.median(samples):.2f} ms  p99 {pct(samples, 0.99):.2f} ms")
    median = statistics.median
    print(f"through the server / embedded: p50 {median(remote) / median(embedded):.1f}x; "
          f"server - embedded - floor: p50 {median(remote) - median(embedded) - median(floor):.2f} ms; "
          f"target p99 <= 6 ms: {'MET' if pct(remote, 0.99) <= 6 else 'MISSED'}")


if __name__ == "__main__":
    main()
