"""The hourly scan rollup (scan_stats_hourly, migration 0003) on SQLite and PostgreSQL.

The database keeps it (AFTER INSERT trigger on scan_events): after a real workflow run, and after
raw INSERTs that bypass PackGate, it equals a GROUP BY over scan_events. The summary reads it for
whole hours and scan_events for partial ones: its per-packer and per-bench scan figures must equal
those counted here in Python from the raw events, for periods that start on and off whole hours.
"""

from __future__ import annotations

import importlib.util
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import String, Text, text

from app.demo import seed_demo
from app.models.schema import NOT_SCANS, Base, ScanEvent, Station, User
from app.packing.workflow import BenchWorkflow
from app.reports.summary import Period, work

MIGRATIONS = Path(__file__).resolve().parents[2] / "app" / "models" / "migrations" / "versions"


def _hour(dt: datetime) -> datetime:
    return dt.replace(minute=0, second=0, microsecond=0)


def _utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def raw_events(conn) -> list[tuple]:
    rows = conn.execute(text("SELECT at, user_id, station_id, kind, accepted FROM scan_events")).all()
    return [(_utc(at), user, station, kind, bool(ok)) for at, user, station, kind, ok in rows]


def expected_rollup(events) -> dict:
    """The rollup computed in Python from the raw events."""
    out: dict = {}
    for at, user, station, kind, ok in events:
        if kind in NOT_SCANS:
            continue
        key = (_hour(at), user or 0, station or 0)
        row = out.setdefault(key, [0, 0, 0, at, at])
        row[0] += 1
        row[1] += 0 if ok else 1
        row[2] += 1 if (kind == "item" and ok) else 0
        row[3], row[4] = min(row[3], at), max(row[4], at)
    return {k: tuple(v) for k, v in out.items()}


def stored_rollup(conn) -> dict:
    rows = conn.execute(text("SELECT hour_utc, user_id, station_id, scans, refused, items, first_at, last_at "
                             "FROM scan_stats_hourly")).all()
    return {(_utc(h), u, st): (n, r, i, _utc(f), _utc(la)) for h, u, st, n, r, i, f, la in rows}


def test_rollup_equals_a_group_by_after_a_workflow_run(services, clock):
    seed_demo(services)
    flow = BenchWorkflow(services, "BENCH-1")
    assert not flow.handle("P-9999").accepted  # unknown badge: no user
    assert flow.handle("P-1001").accepted
    out = flow.handle("PDD-1002")
    assert out.accepted
    assert not flow.handle("6900000000999").accepted  # not in the order: refused
    clock.advance(hours=1)  # the rest of the order in the next hour
    for line in out.view.order.lines:
        for _ in range(line.quantity):
            assert flow.handle(line.barcode).accepted
    flow.handle("BOX-S")
    flow.handle(f"{flow.last_view.order.expected_weight_g}g")
    clock.advance(hours=3)
    assert flow.handle("75310000000001").accepted
    with services.engine.connect() as conn:
        events = raw_events(conn)
        assert {k for _, _, _, k, _ in events} & set(NOT_SCANS)  # prints happened and must not count
        expected = expected_rollup(events)
        assert len({h for h, _, _ in expected}) >= 3
        assert stored_rollup(conn) == expected
        # The database's own GROUP BY agrees too (hour by hour totals).
        raw_total = conn.execute(text(
            "SELECT count(*) FROM scan_events WHERE kind NOT IN (" + ", ".join(f"'{k}'" for k in NOT_SCANS) + ")"
        )).scalar()
        assert conn.execute(text("SELECT sum(scans) FROM scan_stats_hourly")).scalar() == raw_total


def test_raw_inserts_cannot_bypass_the_rollup(services):
    """Any client writing scan_events (here plain SQL, one row and several at once) feeds the rollup."""
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO stations (id, name, created_at) VALUES (7, 'RAW', '2026-01-01 00:00:00')"))
        for at, kind, ok in (("2026-01-01 08:10:00.000000", "item", True),
                             ("2026-01-01 08:05:00.000000", "item", False),
                             ("2026-01-01 08:59:59.999999", "waybill", True),
                             ("2026-01-01 09:00:00.000000", "order", True),
                             ("2026-01-01 08:30:00.000000", "print", True)):  # not a scan
            # every event carries a chain link (0013a); the rollup does not read it
            conn.execute(text("INSERT INTO scan_events (at, station_id, raw, kind, accepted, message, reason, chain_seq, "
                              "prev_hash, hash) VALUES (:at, 7, 'x', :kind, :ok, '', '', 0, 'x', 'x')"),
                         {"at": at, "kind": kind, "ok": ok})
        conn.execute(text("INSERT INTO scan_events (at, station_id, raw, kind, accepted, message, reason, chain_seq, "
                          "prev_hash, hash) SELECT at, station_id, raw, 'item', accepted, '', '', 0, 'x', 'x' "
                          "FROM scan_events WHERE kind = 'order'"))
    with services.engine.connect() as conn:
        got = stored_rollup(conn)
        assert got == expected_rollup(raw_events(conn))
    h8, h9 = datetime(2026, 1, 1, 8, tzinfo=UTC), datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert got[(h8, 0, 7)][:3] == (3, 1, 1)
    assert got[(h9, 0, 7)][:3] == (2, 0, 1)
    assert got[(h8, 0, 7)][3:] == (datetime(2026, 1, 1, 8, 5, tzinfo=UTC),
                                   datetime(2026, 1, 1, 8, 59, 59, 999999, tzinfo=UTC))


def _seed_events(services) -> None:
    rnd = random.Random(5)
    start = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    kinds = ("order", "item", "item", "item", "waybill", "badge", "print", "reprint", "auth", "unlink")
    with services.uow() as uow:
        s = uow.session
        users = [User(name=f"U{i}", role="packer", badge=f"P-R{i}", created_at=start) for i in range(3)]
        stations = [Station(name=f"R{i}", created_at=start) for i in range(2)]
        s.add_all(users + stations)
        s.flush()
        for _ in range(400):
            at = start + timedelta(seconds=rnd.randrange(0, 40 * 3600), microseconds=rnd.randrange(0, 10**6))
            user = rnd.choice(users + [None])
            s.add(ScanEvent(at=at, user_id=user.id if user else None, station_id=rnd.choice(stations).id,
                            kind=rnd.choice(kinds), accepted=rnd.random() < 0.8, raw="x", message="", reason=""))


def _iso(dt: datetime) -> str:
    return dt.astimezone().isoformat(timespec="seconds")


def _expected_work(events, names_user, names_station, period: Period):
    def inside(at):
        return (period.start is None or at >= period.start) and (period.end is None or at < period.end)

    out: dict = {"p": {}, "s": {}}
    for at, user, station, kind, ok in events:
        if kind in NOT_SCANS or not inside(at):
            continue
        for key, bucket, names in (("p", user, names_user), ("s", station, names_station)):
            if bucket is None:
                continue
            row = out[key].setdefault(names[bucket], [0, 0, 0, at, at])
            row[0] += 1
            row[1] += 0 if ok else 1
            row[2] += 1 if (kind == "item" and ok) else 0
            row[3], row[4] = min(row[3], at), max(row[4], at)
    return {key: {name: (n, r, i, _iso(f), _iso(la)) for name, (n, r, i, f, la) in rows.items()}
            for key, rows in out.items()}


# Period edges shared with the order rollup's test: half-hour zones, partial hours, open ends.
EDGE_PERIODS = [
    Period.days(datetime(2026, 11, 25).date(), datetime(2026, 11, 25).date(), UTC),
    Period.days(datetime(2026, 11, 25).date(), datetime(2026, 11, 25).date(), ZoneInfo("Asia/Kolkata")),  # +05:30
    Period.days(datetime(2026, 11, 24).date(), datetime(2026, 11, 25).date(), ZoneInfo("Asia/Kathmandu")),  # +05:45
    Period(datetime(2026, 11, 24, 12, 20, tzinfo=UTC), datetime(2026, 11, 24, 13, 50, tzinfo=UTC)),  # no whole hour
    Period(datetime(2026, 11, 24, 12, 20, tzinfo=UTC), datetime(2026, 11, 24, 14, 0, tzinfo=UTC)),
    Period(datetime(2026, 11, 24, 15, 0, 0, 500000, tzinfo=UTC), None),
    Period(None, datetime(2026, 11, 25, 3, 17, tzinfo=UTC)),
    Period(),
]
EDGE_PERIOD_IDS = ["utc-day", "kolkata-day", "kathmandu-2-days", "90-min", "partial-then-whole", "open-end", "open-start",
        "everything"]


@pytest.mark.parametrize("period", EDGE_PERIODS, ids=EDGE_PERIOD_IDS)
def test_summary_scan_figures_equal_the_raw_events(services, period):
    _seed_events(services)
    with services.engine.connect() as conn:
        events = raw_events(conn)
        names_user = dict(conn.execute(text("SELECT id, name FROM users")).all())
        names_station = dict(conn.execute(text("SELECT id, name FROM stations")).all())
    expected = _expected_work(events, names_user, names_station, period)
    assert expected["p"] and expected["s"]
    with services.read_uow() as uow:
        packers, stations = work(uow.session, period)
    for key, got in (("p", packers), ("s", stations)):
        figures = {name: (r["scans"], r["refused"], r["items"], r["first_scan"], r["last_scan"])
                   for name, r in got.items() if r["scans"]}
        assert figures == expected[key]


def test_models_and_migrations_agree(services):
    with services.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        if conn.dialect.name == "sqlite":  # SQLite keeps no length: VARCHAR(n) and TEXT are one type there
            diff = [d for d in diff if not _text_in_sqlite(d)]
        assert diff == []


def _text_in_sqlite(d) -> bool:
    """A column widened from VARCHAR(n) to TEXT (migration 0017 does it on PostgreSQL only)."""
    if not (isinstance(d, list) and len(d) == 1 and d[0][0] == "modify_type"):
        return False
    _, _, _, _, _, old, new = d[0]
    return isinstance(old, String) and old.length is not None and isinstance(new, Text)


def test_the_trigger_counts_the_kinds_the_summary_counts():
    """Migrations freeze NOT_SCANS into the rollup trigger (0003, rebuilt by 0008): the newest frozen
    copy is the list the summary uses, so changing it needs a new migration."""
    frozen = []
    for path in sorted(MIGRATIONS.glob("0*.py")):
        spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if hasattr(module, "NOT_SCANS"):
            frozen.append(tuple(module.NOT_SCANS))
    assert len(frozen) >= 2 and frozen[-1] == tuple(NOT_SCANS)
