"""Several bench processes on one database, racing for the same orders, waybills and parcels.

The small CI run of ``bench.loadtest`` (``bench/bench_load.py`` is the large one): every bench is a
real process driving a real BenchWorkflow; afterwards SQL proves that no promise was broken.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.bootstrap import bootstrap
from app.config import Settings
from bench.loadtest import run_load

BENCHES = 4
PER_BENCH = 5  # a pool of 20 orders; each bench also steals from its neighbour


def _assert_clean(result) -> None:
    assert not result.failures, "\n".join(result.failures)  # a crashed bench fails the test
    assert result.problems == []
    assert len(result.counts) == BENCHES
    assert sum(c["packed"] for c in result.counts) == result.states.get("packed", 0) + result.states.get(
        "handed_over", 0)
    assert result.states.get("handed_over", 0) > 0
    assert sum(c["refused"] for c in result.counts) > 0  # the collisions and wrong scans did happen


@pytest.mark.postgres
def test_benches_race_on_one_postgresql_database(pg_url):
    _assert_clean(run_load(pg_url, BENCHES, PER_BENCH, seed=3, timeout=90))


def test_benches_race_on_one_sqlite_file(sqlite_url):
    _assert_clean(run_load(sqlite_url, BENCHES, PER_BENCH, seed=4, timeout=90))


def test_benches_race_through_one_server_on_sqlite(sqlite_url):
    """bench_load.py --servers: real `packgate serve` processes, benches enrolled as stations that
    never see the database; every scan went through the server (each left its reply there)."""
    result = run_load(sqlite_url, BENCHES, PER_BENCH, seed=5, timeout=90, servers=1)
    _assert_clean(result)
    svc = bootstrap(sqlite_url, Settings())
    try:
        with svc.engine.connect() as conn:
            replies = conn.execute(text("SELECT count(*) FROM scan_replies")).scalar()
    finally:
        svc.close()
    assert replies == result.scans == sum(c["sent"] - c["offline"] for c in result.counts)
    assert 0 < result.latency(0.5) <= result.latency(0.99)
