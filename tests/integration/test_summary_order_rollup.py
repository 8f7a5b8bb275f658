"""The hourly order rollup (order_stats_hourly, migration 0004) on SQLite and PostgreSQL.

The database keeps it (triggers on INSERT, UPDATE and DELETE of orders): after a real workflow run
with a manifest closed, a waybill unlinked by a supervisor and a manifest reopened, and after raw
SQL that bypasses PackGate, it equals a GROUP BY over orders computed here in Python. The summary
reads it for whole hours and orders for partial ones: its order figures must equal those counted
here from the raw orders, for periods that start on and off whole hours.
"""

from __future__ import annotations

import importlib.util
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from app.demo import seed_demo
from app.models.schema import Manifest, Order, Station, User
from app.packing.outcome import Step
from app.packing.supervisor import reopen_manifest, unlink_waybill
from app.packing.workflow import BenchWorkflow
from app.reports.summary import Period, by_carrier, throughput_per_hour, tiles, work
from tests.integration.test_summary_rollup import EDGE_PERIOD_IDS, EDGE_PERIODS

MIGRATIONS = Path(__file__).resolve().parents[2] / "app" / "models" / "migrations" / "versions"
SUP, PIN = "S-9001", "123456"
YTO_LINKED = "YT0000002000022"  # the demo links this number to PDD-1023 (packed, not handed over)


def _utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _hour(dt: datetime) -> datetime:
    return dt.replace(minute=0, second=0, microsecond=0)


def raw_orders(conn) -> list[tuple]:
    rows = conn.execute(text("SELECT packer_id, station_id, carrier_code, packing_started_at, packed_at, "
                             "handed_over_at FROM orders")).all()
    return [(p, st, c, _utc(s), _utc(pk), _utc(h)) for p, st, c, s, pk, h in rows]


def expected_rollup(orders) -> dict:
    """The rollup computed in Python from the raw orders."""
    out: dict = {}
    for packer, station, carrier, started, packed, handed in orders:
        if packed is not None:
            row = out.setdefault((_hour(packed), packer or 0, station or 0, carrier), [0, 0, 0, 0])
            row[0] += 1
            if started is not None:
                row[1] += 1
                row[2] += (packed - started) // timedelta(microseconds=1)
        if handed is not None:
            out.setdefault((_hour(handed), 0, 0, carrier), [0, 0, 0, 0])[3] += 1
    return {k: tuple(v) for k, v in out.items() if any(v)}


def stored_rollup(conn) -> dict:
    rows = conn.execute(text("SELECT hour_utc, packer_id, station_id, carrier_code, packed, timed, duration_us, "
                             "handed_over FROM order_stats_hourly")).all()
    return {(_utc(h), p, st, c): (n, t, int(d), ho) for h, p, st, c, n, t, d, ho in rows if (n, t, d, ho) != (0, 0, 0, 0)}


def assert_rollup_exact(services) -> dict:
    with services.engine.connect() as conn:
        expected = expected_rollup(raw_orders(conn))
        assert stored_rollup(conn) == expected
        # The database's own GROUP BY agrees on the totals too.
        packed, handed = conn.execute(text("SELECT count(packed_at), count(handed_over_at) FROM orders")).one()
        assert tuple(conn.execute(text("SELECT coalesce(sum(packed), 0), coalesce(sum(handed_over), 0) "
                                       "FROM order_stats_hourly")).one()) == (packed, handed)
    return expected


def pack(flow: BenchWorkflow, order_no: str, waybill: str, clock=None):
    out = flow.handle(order_no)
    assert out.accepted, out.message.render()
    if clock is not None:
        clock.advance(hours=1)  # the rest of the order in the next hour
    for line in out.view.order.lines:
        for _ in range(line.quantity - line.scanned):
            assert flow.handle(line.barcode).accepted
    flow.handle("BOX-S")
    assert flow.handle(str(flow.last_view.order.expected_weight_g)).accepted
    return flow.handle(waybill)


def test_rollup_follows_a_workflow_run_an_unlink_and_manifests(services, clock):
    seed_demo(services)
    assert assert_rollup_exact(services)  # the demo's history is in the backfilled/triggered rollup
    flow = BenchWorkflow(services, "BENCH-1")
    assert flow.handle("P-1001").accepted
    assert pack(flow, "PDD-1002", "75310000000001", clock).accepted
    assert_rollup_exact(services)

    # A manifest closed: handed over counts in the hour of the close.
    clock.advance(hours=2)
    assert flow.handle("CMD:HANDOVER").accepted
    assert flow.handle("75310000000001").accepted
    assert flow.handle("CMD:CLOSE").accepted
    with services.read_uow() as uow:
        assert uow.session.scalar(select(Order.state).where(Order.order_no == "PDD-1002")) == "handed_over"
    assert_rollup_exact(services)

    # A closed manifest reopened (handed_over_at cleared) and closed again by the bench that owns it.
    clock.advance(minutes=30)
    with services.read_uow() as uow:
        manifest_no = uow.session.scalar(select(Manifest.manifest_no).where(Manifest.closed_at.is_not(None),
                                                                           Manifest.station_id.is_not(None))
                                         .order_by(Manifest.id))
    reopen_manifest(services, SUP, PIN, manifest_no, "courier left two parcels")
    assert_rollup_exact(services)
    clock.advance(hours=1)
    owner = BenchWorkflow(services, "DEMO-HISTORY")
    assert owner.handle("P-1002").view.step == Step.HANDOVER
    assert owner.handle("CMD:CLOSE").accepted
    assert_rollup_exact(services)

    # A supervisor unlinks a waybill: packed_at cleared, the order's packed contribution taken back.
    with services.engine.connect() as conn:
        before = stored_rollup(conn)
    unlink_waybill(services, SUP, PIN, "PDD-1023", "label stuck on the wrong parcel")
    after = assert_rollup_exact(services)
    assert sum(v[0] for v in after.values()) == sum(v[0] for v in before.values()) - 1

    # The bench resumes it and links a fresh number: packed again, in the current hour.
    clock.advance(hours=1)
    bench = BenchWorkflow(services, "DEMO-HISTORY")
    assert bench.handle("P-1002").view.step == Step.WAYBILL
    assert bench.handle("YT0000002000099").accepted
    assert_rollup_exact(services)


def test_raw_sql_cannot_bypass_the_rollup(services):
    """Any client writing orders (plain SQL: inserted already packed, moved, unlinked, deleted) keeps it."""
    with services.engine.begin() as conn:
        conn.execute(text("INSERT INTO carriers (code, name_en, name_zh) VALUES ('RAW', 'Raw', 'Raw') "
                          "ON CONFLICT DO NOTHING"))
        conn.execute(text("INSERT INTO carriers (code, name_en, name_zh) VALUES ('RAW2', 'Raw2', 'Raw2') "
                          "ON CONFLICT DO NOTHING"))
        conn.execute(text("INSERT INTO stations (id, name, created_at) VALUES (71, 'RAW', '2026-01-01 00:00:00')"))
        for i, (started, packed, handed) in enumerate((
                ("2026-01-01 08:00:00.250000", "2026-01-01 08:05:00.999900", None),
                (None, "2026-01-01 08:59:59.999999", "2026-01-01 11:00:00.000000"),
                ("2026-01-01 08:30:00.000000", "2026-01-01 09:00:00.000000", "2026-01-01 10:15:00.000000"),
                ("2026-01-01 07:59:00.999999", "2026-01-01 08:01:00.000001", None))):
            state = "handed_over" if handed else "packed"
            conn.execute(text(
                "INSERT INTO orders (order_no, platform, carrier_code, recipient_name, recipient_phone, "
                "recipient_address, note, created_at, imported_at, state, waybill, station_id, packing_started_at, "
                "packed_at, handed_over_at, hold_reason) VALUES (:no, 'raw', 'RAW', '', '', '', '', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00', :state, :wb, 71, :started, :packed, :handed, '')"),
                {"no": f"RAW-{i}", "state": state, "wb": f"RAWWB{i}", "started": started, "packed": packed,
                 "handed": handed})
    got = assert_rollup_exact(services)
    h8 = datetime(2026, 1, 1, 8, tzinfo=UTC)
    assert got[(h8, 0, 71, "RAW")] == (3, 2, 300_749_900 + 119_000_002, 0)
    with services.engine.begin() as conn:
        conn.execute(text("UPDATE orders SET carrier_code = 'RAW2' WHERE order_no = 'RAW-1'"))  # both rows move
        conn.execute(text("UPDATE orders SET packing_started_at = '2026-01-01 08:04:00.000000' "
                          "WHERE order_no = 'RAW-0'"))
        conn.execute(text("UPDATE orders SET state = 'packing', waybill = NULL, packed_at = NULL "
                          "WHERE order_no = 'RAW-3'"))  # an unlink by hand
        conn.execute(text("UPDATE orders SET state = 'packed', handed_over_at = NULL WHERE order_no = 'RAW-2'"))
        conn.execute(text("UPDATE orders SET note = 'x', state = state"))  # nothing that counts changes
    assert_rollup_exact(services)
    with services.engine.begin() as conn:
        conn.execute(text("DELETE FROM orders WHERE order_no IN ('RAW-1', 'RAW-2')"))
    got = assert_rollup_exact(services)
    assert got == {(h8, 0, 71, "RAW"): (1, 1, 60_999_900, 0)}


def _migration_0004():
    path = next(MIGRATIONS.glob("0004_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _seed_orders(services) -> None:
    rnd = random.Random(7)
    start = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    with services.uow() as uow:
        s = uow.session
        users = [User(name=f"U{i}", role="packer", badge=f"P-O{i}", created_at=start) for i in range(3)]
        stations = [Station(name=f"O{i}", created_at=start) for i in range(2)]
        s.add_all(users + stations)
        s.flush()
        carriers = [c for (c,) in s.execute(text("SELECT code FROM carriers")).all()][:3]
        for i in range(300):
            created = start + timedelta(seconds=rnd.randrange(0, 40 * 3600), microseconds=rnd.randrange(0, 10**6))
            state = rnd.choice(("ready", "packing", "packed", "handed_over", "handed_over"))
            started = packed = handed = None
            if state != "ready":
                started = created + timedelta(seconds=rnd.randrange(0, 3600), microseconds=rnd.randrange(0, 10**6))
            if state in ("packed", "handed_over"):
                packed = started + timedelta(seconds=rnd.randrange(20, 900), microseconds=rnd.randrange(0, 10**6))
                if rnd.random() < 0.1:
                    started = None  # a packed order without a start time: counted, not timed
            if state == "handed_over":
                handed = packed + timedelta(seconds=rnd.randrange(60, 6 * 3600))
            user = rnd.choice(users + [None])
            s.add(Order(order_no=f"O-{i}", carrier_code=rnd.choice(carriers), created_at=created, imported_at=created,
                        state=state, waybill=f"OWB{i}" if packed else None,
                        station_id=rnd.choice(stations).id if state != "ready" else None,
                        packer_id=user.id if (user and state != "ready") else None,
                        packing_started_at=started, packed_at=packed, handed_over_at=handed))


def test_backfill_equals_the_triggers(services):
    _seed_orders(services)
    m = _migration_0004()
    dialect = services.engine.dialect.name
    with services.engine.begin() as conn:
        kept = stored_rollup(conn)
        conn.execute(text("DELETE FROM order_stats_hourly"))
        conn.exec_driver_sql(m.backfill_sql(dialect).replace("%", "%%") if dialect == "postgresql"
                             else m.backfill_sql(dialect))
        assert stored_rollup(conn) == kept
    assert_rollup_exact(services)


def _expected(orders, names_user, names_station, period: Period, tz):
    def inside(at):
        return at is not None and (period.start is None or at >= period.start) and (period.end is None or at < period.end)

    carriers: dict = {}
    work_rows: dict = {"p": {}, "s": {}}
    hours = {f"{h:02d}": 0 for h in range(24)}
    packed_total = handed_total = 0
    for packer, station, carrier, started, packed, handed in orders:
        if inside(packed):
            packed_total += 1
            carriers.setdefault(carrier, [0, 0])[0] += 1
            # As the summary always did: the packed UTC hour, shown as the local hour it starts in.
            hours[f"{_hour(packed).astimezone(tz).hour:02d}"] += 1
            for key, bucket, names in (("p", packer, names_user), ("s", station, names_station)):
                if bucket is None:
                    continue
                row = work_rows[key].setdefault(names[bucket], [0, 0, 0.0, []])
                row[0] += 1
                if started is not None:
                    seconds = (packed - started).total_seconds()
                    row[1] += 1
                    row[2] += seconds
                    row[3].append(seconds)
        if inside(handed):
            handed_total += 1
            carriers.setdefault(carrier, [0, 0])[1] += 1
    return carriers, work_rows, hours, packed_total, handed_total




@pytest.mark.parametrize("period", EDGE_PERIODS, ids=EDGE_PERIOD_IDS)
def test_summary_order_figures_equal_the_raw_orders(services, period):
    from statistics import median

    _seed_orders(services)
    tz = ZoneInfo("Asia/Kathmandu")
    with services.engine.connect() as conn:
        orders = raw_orders(conn)
        names_user = dict(conn.execute(text("SELECT id, name FROM users")).all())
        names_station = dict(conn.execute(text("SELECT id, name FROM stations")).all())
    carriers, work_rows, hours, packed_total, handed_total = _expected(orders, names_user, names_station, period, tz)
    assert packed_total and work_rows["p"]
    with services.read_uow() as uow:
        s = uow.session
        got_carriers = by_carrier(s, period)
        packers, stations = work(s, period)
        got_hours = throughput_per_hour(s, period, tz)
        got_tiles = tiles(s, datetime(2026, 11, 26, tzinfo=UTC), period)
    assert {c: (r["packed"], r["handed_over"]) for c, r in got_carriers.items() if r["packed"] or r["handed_over"]} \
        == {c: tuple(v) for c, v in carriers.items()}
    assert got_hours == hours
    assert (got_tiles["packed_in_period"], got_tiles["handed_over"]) == (packed_total, handed_total)
    for key, got in (("p", packers), ("s", stations)):
        figures = {name: (r["orders"], r["avg_seconds"], r["median_seconds"]) for name, r in got.items() if r["orders"]}
        expected = {name: (n, round(total / timed, 1) if timed else None,
                           round(median(values), 1) if values else None)
                    for name, (n, timed, total, values) in work_rows[key].items()}
        assert figures.keys() == expected.keys()
        for name, (n, avg, med) in expected.items():
            assert figures[name][0] == n
            assert figures[name][1] == pytest.approx(avg, abs=0.051) if avg is not None else figures[name][1] is None
            assert figures[name][2] == pytest.approx(med, abs=0.051) if med is not None else figures[name][2] is None
