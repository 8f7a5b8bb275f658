"""``evidence find`` by waybill among 100,000 indexed clips (not a test; prints figures).

Run: ``.venv/bin/python bench/bench_evidence_find.py [--pg]``. Builds a migrated SQLite file (or a
fresh PostgreSQL database with ``--pg``) holding 100,000 clips with one to three waybills each, then
times :func:`app.evidence.index.find_clips` (what ``packgate evidence find`` and the supervisor's
search run) for 500 random waybills, beside the floor of one indexed ``SELECT`` on clip_waybills.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
CLIPS = 100_000
LOOKUPS = 500


def build(url: str) -> list[str]:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from app.models import db
    from app.models.evidence import ClipWaybill, EvidenceClip

    engine = db.make_engine(url)
    db.migrate(engine)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    clips, waybills, all_waybills = [], [], []
    for i in range(CLIPS):
        clips.append({"id": i + 1, "order_no": f"PDD-{i:08d}", "station": f"BENCH-{i % 16}", "packer": "李娜",
                      "path": f"/evidence/BENCH-{i % 16}/PDD-{i:08d}.mp4", "started_at": start + timedelta(minutes=i),
                      "ended_at": start + timedelta(minutes=i, seconds=90), "frames": 1350, "fps": 15, "width": 1280,
                      "height": 720, "bytes": 6_000_000, "sha256": uuid.uuid4().hex * 2, "marks": "[]",
                      "state": "complete", "end_reason": "packed", "flagged": False, "flag_reason": ""})
        for k in range(1 + i % 3):
            number = f"SF{1400000000000 + i * 3 + k}"
            waybills.append({"clip_id": i + 1, "waybill": number})
            all_waybills.append(number)
    t = time.perf_counter()
    with engine.begin() as conn:
        for n in range(0, CLIPS, 10_000):
            conn.execute(insert(EvidenceClip), clips[n:n + 10_000])
        for n in range(0, len(waybills), 20_000):
            conn.execute(insert(ClipWaybill), waybills[n:n + 20_000])
        conn.exec_driver_sql("ANALYZE")
    print(f"indexed {CLIPS:,} clips, {len(waybills):,} waybills in {time.perf_counter() - t:.1f} s")
    engine.dispose()
    return all_waybills


def main() -> None:
    from sqlalchemy import text

    from app.evidence.index import find_clips
    from app.models import db

    if "--pg" in sys.argv:
        from sqlalchemy import create_engine

        admin_url = os.environ.get("PACKGATE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
        name = f"packgate_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "evidence-find-100k.db"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    try:
        numbers = build(url)
        engine = db.make_engine(url)
        sessions = db.session_factory(engine, read_only=True)
        rng = random.Random(12)
        sample = rng.sample(numbers, LOOKUPS)
        times, floor = [], []
        with sessions() as s:
            find_clips(s, sample[0])  # warm the connection and the statement cache
            for number in sample:
                t = time.perf_counter()
                found = find_clips(s, number)
                times.append((time.perf_counter() - t) * 1000)
                assert found and number in found[0]["waybills"]
                t = time.perf_counter()
                s.execute(text("SELECT clip_id FROM clip_waybills WHERE waybill = :w"), {"w": number}).all()
                floor.append((time.perf_counter() - t) * 1000)
        times.sort()
        floor.sort()
        p99 = times[int(len(times) * 0.99) - 1]
        print(f"{engine.dialect.name}: evidence find by waybill among {CLIPS:,} clips: p50 {statistics.median(times):.2f} ms, "
              f"p99 {p99:.2f} ms, max {times[-1]:.2f} ms (target < 50 ms); "
              f"floor (one indexed SELECT) p50 {statistics.median(floor):.2f} ms")
        engine.dispose()
    finally:
        if "--pg" in sys.argv:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
