"""The large load run: N bench processes x M orders each on one database, straight to it or through
PackGate server processes; prints scans/second, latency per scan and every violation found
(expected: none).

    .venv/bin/python bench/bench_load.py                      # 16 benches x 5,000 orders, fresh PG database
    .venv/bin/python bench/bench_load.py --benches 8 --per-bench 500
    .venv/bin/python bench/bench_load.py --db sqlite --servers 1 --per-bench 1000    # through one server
    .venv/bin/python bench/bench_load.py --servers 2 --per-bench 1000                # two servers, one PG
    .venv/bin/python bench/bench_load.py --servers 0,2 --per-bench 1000              # both, side by side
    .venv/bin/python bench/bench_load.py --db sqlite:////tmp/load.db --benches 4 --per-bench 200

Without --db a fresh PostgreSQL database is created on $PACKGATE_TEST_PG's server (default
postgres@127.0.0.1:5432) for each run and dropped afterwards unless --keep; ``--db sqlite`` is a
fresh SQLite file per run. ``--servers N`` starts N real ``packgate serve`` processes on loopback
ports on that database, enrols the benches as stations and spreads them over the servers (bench b
on server b mod N): the benches then hold no database URL at all. Exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.loadtest import LoadResult, run_load  # noqa: E402

PG_ADMIN_URL = os.environ.get("PACKGATE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def one_run(args, servers: int) -> tuple[LoadResult, str, float]:
    url, admin, name, folder = args.db, None, None, None
    if url is None:
        name = f"packgate_load_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    elif url == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="packgate-load-"))
        url = f"sqlite:///{folder / 'load.db'}"
    try:
        t0 = time.time()
        result = run_load(url, args.benches, args.per_bench, args.seed, timeout=args.timeout, servers=servers)
        wall = time.time() - t0
    finally:
        if admin is not None and not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        if folder is not None and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return result, url, wall


def report(args, result: LoadResult, url: str, wall: float) -> None:
    refused = sum(c["refused"] for c in result.counts)
    p50 = sorted(c["latency_ms"].get("p50", 0) for c in result.counts)
    p99 = max((c["latency_ms"].get("p99", 0) for c in result.counts), default=0)
    route = (f"through {result.servers} PackGate server process{'es' if result.servers > 1 else ''} (loopback HTTP)"
             if result.servers else "straight to the database (in-process workflow)")
    print(f"database      {make_url(url).render_as_string(hide_password=True)}{' (kept)' if args.keep else ''}")
    print(f"benches       {args.benches} processes x {args.per_bench} orders each, {route}")
    print(f"scans sent    {result.scans} ({refused} refused: collisions, wrong items, over-scans, ...)")
    print(f"orders        {json.dumps(result.states)}")
    print(f"scanning time {result.seconds:.1f} s (wall incl. setup {wall:.1f} s)")
    print(f"sustained     {result.scans_per_second:.1f} scans/second over all benches")
    print(f"latency       every scan: p50 {result.latency(0.5):.2f} ms, p99 {result.latency(0.99):.2f} ms; "
          f"median of bench p50s {p50[len(p50) // 2] if p50 else 0} ms, worst bench p99 {p99} ms")
    print(f"violations    {len(result.problems)}")
    for problem in result.problems:
        print(f"  {problem}")
    print(f"crashes       {len(result.failures)}")
    for failure in result.failures:
        print(f"  {failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL, or 'sqlite' for a fresh file (default: a fresh PostgreSQL "
                                     "database); password via $PGPASSWORD")
    parser.add_argument("--benches", type=int, default=16)
    parser.add_argument("--per-bench", type=int, default=5000)
    parser.add_argument("--servers", default="0", help="PackGate server processes the benches scan through "
                                                       "(0: straight to the database); a list such as 0,2 runs each")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds before the benches are killed")
    parser.add_argument("--keep", action="store_true", help="keep the fresh database for inspection")
    args = parser.parse_args()
    counts = [int(n) for n in args.servers.split(",")]
    if len(counts) > 1 and args.db not in (None, "sqlite"):
        parser.error("several --servers runs need fresh databases: leave out --db, or give --db sqlite")
    bad = False
    results = []
    for servers in counts:
        result, url, wall = one_run(args, servers)
        report(args, result, url, wall)
        print()
        results.append(result)
        bad |= bool(result.problems or result.failures)
    if len(results) > 1:
        for r in results:
            print(f"{r.servers} servers: {r.scans_per_second:7.1f} scans/s  p50 {r.latency(0.5):6.2f} ms  "
                  f"p99 {r.latency(0.99):7.2f} ms  violations {len(r.problems)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
