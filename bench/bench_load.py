"""The large load run: N bench processes x M orders each on one database; prints scans/second and
every violation found (expected: none).

    .venv/bin/python bench/bench_load.py                      # 16 benches x 5,000 orders, fresh PG database
    .venv/bin/python bench/bench_load.py --benches 8 --per-bench 500
    .venv/bin/python bench/bench_load.py --db sqlite:////tmp/load.db --benches 4 --per-bench 200

Without --db a fresh PostgreSQL database is created on $PACKGATE_TEST_PG's server (default
postgres@127.0.0.1:5432) and dropped afterwards unless --keep. Exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.loadtest import run_load  # noqa: E402

PG_ADMIN_URL = os.environ.get("PACKGATE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh PostgreSQL database); password via $PGPASSWORD")
    parser.add_argument("--benches", type=int, default=16)
    parser.add_argument("--per-bench", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds before the benches are killed")
    parser.add_argument("--keep", action="store_true", help="keep the fresh database for inspection")
    args = parser.parse_args()

    url, admin, name = args.db, None, None
    if url is None:
        name = f"packgate_load_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        t0 = time.time()
        result = run_load(url, args.benches, args.per_bench, args.seed, timeout=args.timeout)
        wall = time.time() - t0
    finally:
        if admin is not None and not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    refused = sum(c["refused"] for c in result.counts)
    p50 = sorted(c["latency_ms"].get("p50", 0) for c in result.counts)
    p99 = max((c["latency_ms"].get("p99", 0) for c in result.counts), default=0)
    print(f"database      {make_url(url).render_as_string(hide_password=True)}{' (kept)' if args.keep else ''}")
    print(f"benches       {args.benches} processes x {args.per_bench} orders each")
    print(f"scans sent    {result.scans} ({refused} refused: collisions, wrong items, over-scans, ...)")
    print(f"orders        {json.dumps(result.states)}")
    print(f"scanning time {result.seconds:.1f} s (wall incl. setup {wall:.1f} s)")
    print(f"sustained     {result.scans_per_second:.1f} scans/second over all benches")
    print(f"latency       median of bench p50s {p50[len(p50) // 2] if p50 else 0} ms, worst bench p99 {p99} ms")
    print(f"violations    {len(result.problems)}")
    for problem in result.problems:
        print(f"  {problem}")
    print(f"bench crashes {len(result.failures)}")
    for failure in result.failures:
        print(f"  {failure}")
    return 1 if (result.problems or result.failures) else 0


if __name__ == "__main__":
    sys.exit(main())
