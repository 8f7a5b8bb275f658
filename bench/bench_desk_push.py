"""How soon the supervisor's desk hears of a scan (not a test): `.venv/bin/python bench/bench_desk_push.py [--n N]`.

The figure is a bench's scan (its reply received) to the supervisor desk's long poll answering,
through one PackGate server on loopback (SQLite, the demo data), beside the same in-process wait
(the embedded supervisor view); and one figures query through the server beside in-process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402


def heard(desk, act) -> float:
    since = desk.version()
    got: dict[str, float] = {}

    def listen() -> None:
        desk.wait_for_change(since, 10)
        got["at"] = time.perf_counter()

    t = threading.Thread(target=listen)
    t.start()
    time.sleep(0.05)  # let the poll start: the figure is from the scan on
    start = time.perf_counter()
    act()
    t.join()
    return (got["at"] - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="packgate-desk-bench-"))
    os.environ["PACKGATE_HOME"] = str(home)
    from app.bootstrap import bootstrap
    from app.client.desk import RemoteDesk
    from app.client.remote import RemoteBench, enrol
    from app.config import Settings
    from app.demo import seed_demo
    from app.desk.local import LocalDesk
    from app.reports.summary import Period
    from app.server.stations import add_station
    from tests.integration.test_server import Paper

    url = f"sqlite:///{home / 'site.db'}"
    svc = bootstrap(url, Settings(station="BENCH"))
    seed_demo(svc)
    codes = {name: add_station(svc, name) for name in ("BENCH-1", "OFFICE")}
    port = 8790 + os.getpid() % 100
    server = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", url, "serve", "--listen",
                               f"127.0.0.1:{port}", "--no-sender"], env={**os.environ, "PACKGATE_HOME": str(home / "srv")},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        bench = RemoteBench(enrol(base, "BENCH-1", codes["BENCH-1"]), Paper())
        desk = RemoteDesk(enrol(base, "OFFICE", codes["OFFICE"]), cache_dir=home / "cache")
        desk.login("S-9001", "123456")
        local = LocalDesk(svc, "OFFICE")
        remote_ms, local_ms = [], []
        for i in range(args.n):
            badge = ("P-1001", "CMD:LOGOUT")[i % 2]
            remote_ms.append(heard(desk, lambda b=badge: bench.handle(b)))
        for i in range(args.n):
            badge = ("P-1001", "CMD:LOGOUT")[i % 2]
            local_ms.append(heard(local, lambda b=badge: bench.handle(b)))
        figures_remote, figures_local = [], []
        for _ in range(5):
            t = time.perf_counter()
            desk.figures(Period())
            figures_remote.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            local.figures(Period())
            figures_local.append((time.perf_counter() - t) * 1000)
        print(f"scan -> supervisor desk hears it, n={args.n}: through the server p50 {statistics.median(remote_ms):.0f} ms, "
              f"max {max(remote_ms):.0f} ms; in-process p50 {statistics.median(local_ms):.0f} ms, max {max(local_ms):.0f} ms")
        print(f"figures (demo data): through the server p50 {statistics.median(figures_remote):.0f} ms; "
              f"in-process p50 {statistics.median(figures_local):.0f} ms")
        bench.close()
        desk.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
        svc.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
