"""The platform tiles' rollup (not_on_platform_hourly, migration 0013p) on SQLite and PostgreSQL.

The database keeps it with triggers on orders and platform_jobs. Random orders and jobs are written
and then changed with plain SQL that bypasses PackGate (jobs confirmed several to an order in one
statement, voided, re-kinded, moved to another order, deleted; orders unlinked, handed over, moved,
deleted): after every step the rollup equals a count computed here in Python from the raw rows, and
the platform figures (``not_on_platform``, with and without a grace time, ``late_to_platform``)
equal the naive definitions counted here, for times on and off whole hours.
"""

from __future__ import annotations

import importlib.util
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from app.models.schema import Order, PlatformJob, Station
from app.platform import outbox
from app.reports.summary import platform_figures
from tests.integration.test_summary_order_rollup import _hour, _utc

MIGRATIONS = Path(__file__).resolve().parents[2] / "app" / "models" / "migrations" / "versions"
START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
SHIPPED = ("packed", "handed_over")
TOTAL_HOUR = datetime(1970, 1, 1, tzinfo=UTC)
NO_PACKED_HOUR = datetime(9999, 12, 31, 23, tzinfo=UTC)


def raw(conn) -> tuple[list[tuple], set[int]]:
    """(orders as (id, state, created_at, packed_at, station_id), ids of orders with a confirmed ship job)."""
    orders = [(i, st, _utc(c), _utc(p), station) for i, st, c, p, station in conn.execute(text(
        "SELECT id, state, created_at, packed_at, station_id FROM orders")).all()]
    confirmed = {i for (i,) in conn.execute(text(
        "SELECT order_id FROM platform_jobs WHERE kind = 'ship' AND state = 'confirmed'")).all()}
    return orders, confirmed


def expected_rollup(orders, confirmed) -> dict:
    out: dict = {}
    for order_id, state, created, packed, station in orders:
        if state in SHIPPED and order_id not in confirmed:
            for key in (("total", TOTAL_HOUR, station or 0), ("created_at", _hour(created), station or 0),
                        ("packed_at", _hour(packed) if packed else NO_PACKED_HOUR, station or 0)):
                out[key] = out.get(key, 0) + 1
    return out


def stored_rollup(conn) -> dict:
    rows = conn.execute(text("SELECT hour_of, hour_utc, station_id, orders FROM not_on_platform_hourly")).all()
    return {(h, _utc(t), st): n for h, t, st, n in rows if n}


def expected_figures(orders, confirmed, now: datetime, grace: datetime, late_hours: int) -> tuple[int, int, int]:
    """The figures' definitions, counted row by row."""
    unconfirmed = [o for o in orders if o[0] not in confirmed]
    not_on = sum(1 for _, st, _, _, _ in unconfirmed if st in SHIPPED)
    after_grace = sum(1 for _, st, _, packed, _ in unconfirmed if st in SHIPPED and packed is not None and packed < grace)
    cutoff = now - timedelta(hours=late_hours)
    late = sum(1 for _, st, created, _, _ in unconfirmed if st != "cancelled" and created < cutoff)
    return not_on, after_grace, late


# Times on whole hours, off them, before, inside and after the data.
NOWS = (START, START + timedelta(hours=20), START + timedelta(hours=20, minutes=17, seconds=3, microseconds=5),
        START + timedelta(hours=31, minutes=59), START + timedelta(hours=45, minutes=30), START + timedelta(days=5))


def assert_exact(services) -> dict:
    with services.engine.connect() as conn:
        orders, confirmed = raw(conn)
        expected = expected_rollup(orders, confirmed)
        assert stored_rollup(conn) == expected
    with services.read_uow() as uow:
        s = uow.session
        for now in NOWS:
            for grace_minutes, late_hours in ((30, 24), (0, 1), (45, 13)):
                grace = now - timedelta(minutes=grace_minutes)
                want = expected_figures(orders, confirmed, now, grace, late_hours)
                got = (outbox.not_on_platform(s), outbox.not_on_platform(s, grace),
                       outbox.late_to_platform(s, now, late_hours))
                assert got == want, (now, grace_minutes, late_hours)
                figures = platform_figures(s, now, late_hours, grace_minutes)
                assert (figures["not_on_platform"], figures["platform"]["not_on_platform_after_grace"],
                        figures["platform"]["late_to_platform"]) == want
    return expected


def _seed(services, rnd: random.Random) -> list[int]:
    """300 orders in every state, ~40 hours of creation times, and jobs of every kind and state."""
    with services.uow() as uow:
        s = uow.session
        stations = [Station(name=f"PL{i}", created_at=START) for i in range(3)]
        s.add_all(stations)
        s.flush()
        carrier = s.execute(text("SELECT code FROM carriers")).scalars().first()
        orders = []
        for i in range(300):
            created = START + timedelta(seconds=rnd.randrange(0, 40 * 3600), microseconds=rnd.randrange(0, 10**6))
            state = rnd.choice(("ready", "packing", "packed", "handed_over", "handed_over", "on_hold", "cancelled"))
            packed = None
            if state in SHIPPED and rnd.random() < 0.95:  # a few shipped without a packing time (raw data)
                packed = created + timedelta(seconds=rnd.randrange(60, 6 * 3600), microseconds=rnd.randrange(0, 10**6))
            station = rnd.choice(stations).id if state in ("packing", *SHIPPED) and rnd.random() < 0.9 else None
            if state == "packing" and station is None:
                station = stations[0].id
            orders.append(Order(order_no=f"PL-{i}", carrier_code=carrier, created_at=created, imported_at=created,
                                state=state, waybill=f"PLWB{i}" if state in SHIPPED else None, station_id=station,
                                packed_at=packed, handed_over_at=packed + timedelta(hours=2)
                                if state == "handed_over" and packed else None))
        s.add_all(orders)
        s.flush()
        ids = [o.id for o in orders]
        jobs = []
        for o in orders:
            for seq in range(rnd.choice((0, 1, 1, 1, 2, 3))):
                kind = rnd.choice(("ship", "ship", "ship", "extra", "unlink", "cancel"))
                state = rnd.choice(("pending", "sent", "exported", "confirmed", "confirmed", "confirmed", "failed",
                                    "void"))
                jobs.append({"order_id": o.id, "order_no": o.order_no, "kind": kind, "parcel_seq": seq + 1,
                             "carrier_code": carrier, "tracking_number": f"T{o.id}-{seq}", "state": state,
                             "attempts": 0, "next_attempt_at": START, "error": "", "created_at": START,
                             "confirmed_at": START if state == "confirmed" else None})
        s.execute(insert(PlatformJob), jobs[: len(jobs) // 2])  # many rows, one statement
        for job in jobs[len(jobs) // 2:]:
            s.add(PlatformJob(**job))  # one by one
    return ids


def _run(services, *statements: str, **params) -> None:
    with services.engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql), params)


def test_rollup_and_figures_follow_every_change(services):
    rnd = random.Random(19)
    ids = _seed(services, rnd)
    got = assert_exact(services)
    assert sum(n for (h, _, _), n in got.items() if h == "created_at") > 20  # the data is not trivial

    some = tuple(rnd.sample(ids, 80))
    # Several jobs of one order confirmed by one statement (PostgreSQL: row triggers see each other).
    _run(services, "INSERT INTO platform_jobs (order_id, order_no, kind, parcel_seq, carrier_code, tracking_number, "
                   "state, attempts, next_attempt_at, error, created_at) SELECT id, order_no, 'ship', 9, carrier_code, "
                   "'X' || order_no, 'pending', 0, created_at, '', created_at FROM orders WHERE id % 3 = 0")
    assert_exact(services)
    _run(services, "UPDATE platform_jobs SET state = 'confirmed', confirmed_at = created_at "
                   f"WHERE state IN ('pending', 'sent', 'failed') AND order_id IN {some}")
    assert_exact(services)
    # Confirmations withdrawn, two of one order at once; kinds changed; a job moved to another order.
    _run(services, f"UPDATE platform_jobs SET state = 'void' WHERE state = 'confirmed' AND order_id IN {some[:30]}",
         "UPDATE platform_jobs SET kind = 'extra' WHERE kind = 'ship' AND parcel_seq = 2",
         "UPDATE platform_jobs SET kind = 'ship' WHERE kind = 'unlink' AND state = 'confirmed'")
    assert_exact(services)
    _run(services, "UPDATE platform_jobs SET order_id = :to WHERE order_id = :frm",
         to=ids[1], frm=ids[0])
    _run(services, "UPDATE platform_jobs SET order_id = :to WHERE id = (SELECT min(id) FROM platform_jobs "
                   "WHERE kind = 'ship' AND state = 'confirmed' AND order_id <> :to)", to=ids[5])
    assert_exact(services)
    # Orders: unlinked, handed over, moved in time and between benches, nothing that counts.
    _run(services, "UPDATE orders SET state = 'ready', waybill = NULL, packed_at = NULL, station_id = NULL "
                   f"WHERE state = 'packed' AND id IN {some[20:60]}",
         "UPDATE orders SET state = 'handed_over' WHERE state = 'packed'",
         f"UPDATE orders SET station_id = NULL WHERE state = 'handed_over' AND id IN {some[40:]}",
         "UPDATE orders SET created_at = packed_at WHERE packed_at IS NOT NULL AND id % 4 = 1",
         f"UPDATE orders SET state = 'packed', waybill = 'R' || id, packed_at = created_at, "
         f"station_id = (SELECT min(id) FROM stations) "
         f"WHERE state IN ('ready', 'on_hold') AND id IN {some[50:]}",
         "UPDATE orders SET note = 'x', state = state")
    assert_exact(services)
    # Deletes: jobs, then orders with their jobs (the cascade).
    _run(services, f"DELETE FROM platform_jobs WHERE order_id IN {some[60:70]}",
         f"DELETE FROM orders WHERE id IN {some[65:]}")
    assert_exact(services)


def _migration():
    for path in MIGRATIONS.glob("*.py"):
        if '\nrevision = "0013p"' in path.read_text(encoding="utf-8"):  # not a later one's down_revision
            spec = importlib.util.spec_from_file_location("migration_0013p", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise LookupError("0013p")


def test_backfill_equals_the_triggers(services):
    _seed(services, random.Random(5))
    dialect = services.engine.dialect.name
    with services.engine.begin() as conn:
        kept = stored_rollup(conn)
        assert kept
        conn.execute(text("DELETE FROM not_on_platform_hourly"))
        conn.exec_driver_sql(_migration().backfill_sql(dialect))
        assert stored_rollup(conn) == kept
    assert_exact(services)


@pytest.mark.parametrize("hours", [0, 24])
def test_an_empty_database_counts_nothing(services, hours):
    with services.read_uow() as uow:
        s = uow.session
        assert outbox.not_on_platform(s) == 0
        assert outbox.not_on_platform(s, START) == 0
        assert outbox.late_to_platform(s, START, hours) == 0
