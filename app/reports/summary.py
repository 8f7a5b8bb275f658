"""Supervisor figures: one set of functions for ``packgate summary`` and the supervisor view.

A period is a half-open range of aware datetimes ``[start, end)`` whose boundaries are local
midnights; without one, everything covers the whole database. Everything is aggregate SQL: no
order or event rows are pulled into Python, only grouped counts (a few dozen rows) and the bounded
exception lists. The median is computed in SQL with window functions (portable to SQLite and
PostgreSQL), so a month of orders never crosses the wire.

What each figure means (the view and the CLI print the same dict):

* ``orders_by_state``: every order by its current state; with a period, the orders *created* in it.
* ``tiles``: the supervisor's queues *now* (ready, packing, packed = awaiting pickup, on hold,
  cancelled, late, packed without waybill) and the period's flow (packed, handed over).
* ``by_carrier``: orders packed and handed over in the period, parcels awaiting pickup now,
  manifests open now.
* ``by_packer`` / ``by_station``: orders packed in the period, items verified (accepted item scans),
  average and median seconds from the order scan to the waybill, refused scans / all scans, first
  and last scan in the period. Prints and supervisor actions are not scans.
* ``throughput_per_hour``: orders packed per local hour of the day (00..23), summed over the period.
* ``exceptions``: on hold, late, packed but not handed over after ``pickup_warn_hours``, labels
  reprinted and waybills unlinked in the period; each list is capped at ``EXCEPTION_LIMIT`` rows
  and ``exception_counts`` gives the true totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import Any

from sqlalchemy import (
    Double,
    Select,
    TextClause,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    select,
    tuple_,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, aliased

from app.models.schema import (
    NO_ID,
    NOT_SCANS,
    ORDER_STATES,
    Manifest,
    ManifestItem,
    Order,
    OrderState,
    OrderStatsHourly,
    Parcel,
    ScanEvent,
    ScanStatsHourly,
    Shop,
    Station,
    User,
)
from app.packing.ship_by import FILE_SHIP_HOURS, NOT_PACKED, due_soon_clause, ship_by_before  # noqa: F401 - re-exported

EXCEPTION_LIMIT = 200
# NOT_SCANS (from the schema: the rollup trigger uses the same list): audit events that are not
# scans at a bench; they do not count in scan totals or refusal rates.
OPEN_STATES = (OrderState.READY.value, OrderState.PACKING.value)


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in aware datetimes; None on either side means unbounded."""

    start: datetime | None = None
    end: datetime | None = None

    def clause(self, column):
        parts = []
        if self.start is not None:
            parts.append(column >= self.start)
        if self.end is not None:
            parts.append(column < self.end)
        return and_(*parts) if parts else None

    @property
    def bounded(self) -> bool:
        return self.start is not None or self.end is not None

    # Local-time periods. ``tz`` None means the machine's local time zone.
    @classmethod
    def days(cls, first: date, last: date, tz: tzinfo | None = None) -> Period:
        """From local midnight of ``first`` to local midnight after ``last`` (inclusive days)."""
        return cls(local_midnight(first, tz), local_midnight(last + timedelta(days=1), tz))

    @classmethod
    def today(cls, now: datetime, tz: tzinfo | None = None) -> Period:
        day = _local(now, tz).date()
        return cls.days(day, day, tz)

    @classmethod
    def yesterday(cls, now: datetime, tz: tzinfo | None = None) -> Period:
        day = _local(now, tz).date() - timedelta(days=1)
        return cls.days(day, day, tz)

    @classmethod
    def this_week(cls, now: datetime, tz: tzinfo | None = None) -> Period:
        """Monday of this week to the end of today."""
        today = _local(now, tz).date()
        return cls.days(today - timedelta(days=today.weekday()), today, tz)

    @classmethod
    def named(cls, name: str, now: datetime, tz: tzinfo | None = None) -> Period:
        makers = {"today": cls.today, "yesterday": cls.yesterday, "week": cls.this_week}
        return makers[name](now, tz)

    def as_dict(self) -> dict[str, str | None]:
        return {"from": _iso(self.start), "to": _iso(self.end)}


def local_midnight(day: date, tz: tzinfo | None = None) -> datetime:
    naive = datetime.combine(day, time())
    return naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()


def _local(dt: datetime, tz: tzinfo | None) -> datetime:
    return dt.astimezone(tz) if tz is not None else dt.astimezone()


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone().isoformat(timespec="seconds") if dt else None


def _where(q, clause):
    return q.where(clause) if clause is not None else q


def _dialect(s: Session) -> str:
    return s.get_bind().dialect.name


def _seconds(s: Session, later, earlier):
    """``later - earlier`` in seconds, as SQL (naive UTC columns on both databases)."""
    if _dialect(s) == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _hour_bucket(s: Session, column):
    """The UTC hour of ``column`` as text 'YYYY-MM-DD HH' (converted to local hours in Python)."""
    if _dialect(s) == "postgresql":
        return func.to_char(column, "YYYY-MM-DD HH24")
    return func.substr(column, 1, 13)  # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' on SQLite


# ---------------------------------------------------------------------- states and tiles


def orders_by_state(s: Session, period: Period | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _shop_id, state, n in _created_groups(s, period):
        counts[state] = counts.get(state, 0) + int(n)
    return {state: counts.get(state, 0) for state in ORDER_STATES}


def _created_groups(s: Session, period: Period | None) -> list[tuple[int | None, str, int]]:
    """(shop id, state, orders) of the orders created in the period (None or unbounded: every
    order), every state: one read of the period's range of the (state, created_at, shop_id) index,
    without a table row (migration 0025), feeds both ``orders_by_state`` and by_shop's handed-over
    and cancelled orders (two reads of the same 82,000 rows for a month before)."""
    key = period if period is not None and period.bounded else None
    return _memo(s, ("created", key), lambda: _read_created_groups(s, key))


def _read_created_groups(s: Session, period: Period | None) -> list[tuple[int | None, str, int]]:
    q = select(Order.shop_id, Order.state, func.count()).where(Order.state.in_(ORDER_STATES))
    q = _where(q, period.clause(Order.created_at) if period is not None else None)
    return [(shop_id, state, int(n)) for shop_id, state, n in s.execute(q.group_by(Order.shop_id, Order.state))]


def packed_without_waybill(s: Session) -> int:
    """Must be 0 (a CHECK constraint says so); counted anyway as the tripwire. Two counts, so each
    is one index lookup: NULL (a partial index on state WHERE waybill IS NULL makes it instant) and ''."""
    counts = _counts(s, {("no waybill",): lambda: _no_waybill_count(s), ("empty waybill",): _empty_waybill_count})
    return sum(counts.values())


def _no_waybill_count(s: Session):
    if _dialect(s) == "sqlite":
        # SQLite's statistics take "waybill IS NULL" on the unique waybill index for one row and walk
        # every order without a waybill (12-40 ms at 250,000 orders): name the partial index.
        return sql_text("SELECT count(*) FROM orders INDEXED BY ix_orders_no_waybill "
                        "WHERE waybill IS NULL AND state IN ('packed', 'handed_over')")
    return select(func.count()).select_from(Order).where(Order.waybill.is_(None), Order.state.in_(_SHIPPED))


def _empty_waybill_count():
    return select(func.count()).select_from(Order).where(Order.waybill == "", Order.state.in_(_SHIPPED))


_SHIPPED = (OrderState.PACKED.value, OrderState.HANDED_OVER.value)


def parcels_packed(s: Session, period: Period) -> int:
    """Parcels whose waybill was linked in the period (an order in three boxes counts three)."""
    return _counts(s, {("parcels packed", period): lambda: _parcels_packed_count(period)})[("parcels packed", period)]


def _parcels_packed_count(period: Period):
    q = select(func.count()).select_from(Parcel).where(Parcel.waybill.is_not(None), Parcel.packed_at.is_not(None))
    return _where(q, period.clause(Parcel.packed_at))


def parcels_handed_over(s: Session, period: Period) -> int:
    """Parcels on manifests closed in the period."""
    return _counts(s, {("parcels handed", period): lambda: _parcels_handed_count(period)})[("parcels handed", period)]


def _parcels_handed_count(period: Period):
    q = (select(func.count()).select_from(ManifestItem).join(Manifest, Manifest.id == ManifestItem.manifest_id)
         .where(Manifest.closed_at.is_not(None)))
    return _where(q, period.clause(Manifest.closed_at))


def late_orders(s: Session, now: datetime, late_hours: int = 24) -> int:
    cutoff = now - timedelta(hours=late_hours)
    return _counts(s, {("late", cutoff): lambda: _late_count(cutoff)})[("late", cutoff)]


def _late_count(cutoff: datetime):
    """Open orders created before ``cutoff``: the late tile and the late exceptions' count (one figure)."""
    return select(func.count()).select_from(Order).where(Order.state.in_(OPEN_STATES), Order.created_at < cutoff)


def _queue_counts(s: Session) -> dict[str, int]:
    """Orders in the states that are small queues (every state but handed over), whole database:
    the open queues summed from by_shop's groups of them (read once per summary), cancelled counted."""
    states = tuple(st for st in ORDER_STATES if st != OrderState.HANDED_OVER.value)
    counts = dict.fromkeys(states, 0)
    for _shop_id, state, n in _open_shop_groups(s):
        counts[state] += int(n)
    counts[OrderState.CANCELLED.value] = _counts(s, {("cancelled",): _cancelled_count})[("cancelled",)]
    return counts


def _cancelled_count():
    return select(func.count()).select_from(Order).where(Order.state == OrderState.CANCELLED.value)


def _counts(s: Session, queries: dict[tuple, Any]) -> dict[tuple, int]:
    """Independent counts by key, each from a factory of its SELECT (or SQL text, or scalar
    expression): those summary() read already come from its memo, the others from one statement of
    scalar subqueries (each on its own index), one round trip however many there are."""
    memo = s.info.get(_MEMO)
    found = {key: memo[("count", key)] for key in queries if memo is not None and ("count", key) in memo}
    missing = [key for key in queries if key not in found]
    if missing:
        row = s.execute(select(*(_scalar(queries[key]()) for key in missing))).one()
        for key, n in zip(missing, row, strict=True):
            found[key] = int(n or 0)
            if memo is not None:
                memo[("count", key)] = found[key]
    return {key: found[key] for key in queries}


def _scalar(query):
    if isinstance(query, TextClause):
        return literal_column(f"({query.text})")
    return query.scalar_subquery() if isinstance(query, Select) else query


def tiles(s: Session, now: datetime, period: Period, late_hours: int = 24) -> dict[str, int]:
    queues = _queue_counts(s)
    return {
        "ready": queues["ready"],
        "packing": queues["packing"],
        "packed": queues["packed"],  # awaiting pickup now
        "handed_over": sum(n for _, n in _handed_groups(s, period)),  # in the period
        "on_hold": queues["on_hold"],
        "cancelled": queues["cancelled"],
        "late": late_orders(s, now, late_hours),
        "packed_without_waybill": packed_without_waybill(s),
        "packed_in_period": sum(g[3] for g in _packed_groups(s, period)),
    }


# ---------------------------------------------------------------------- carriers


def by_carrier(s: Session, period: Period) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}

    def row(code: str) -> dict[str, int]:
        return result.setdefault(code, {"packed": 0, "handed_over": 0, "awaiting_pickup": 0, "open_manifests": 0})

    packed: dict[str, int] = {}
    for _, _, code, n, _, _ in _packed_groups(s, period):
        packed[code] = packed.get(code, 0) + n
    handed: dict[str, int] = {}
    for code, n in _handed_groups(s, period):
        handed[code] = handed.get(code, 0) + n
    for code, n in packed.items():
        if n:
            row(code)["packed"] = n
    for code, n in handed.items():
        if n:
            row(code)["handed_over"] = n
    for figure, code, n in s.execute(_CARRIERS_NOW):
        row(code)[figure] = int(n)
    return dict(sorted(result.items()))


# The parcels awaiting pickup and the open manifests now, per carrier: one statement, built once.
_CARRIERS_NOW = union_all(
    select(literal_column("'awaiting_pickup'"), Order.carrier_code, func.count())
    .where(Order.state == OrderState.PACKED.value).group_by(Order.carrier_code),
    select(literal_column("'open_manifests'"), Manifest.carrier_code, func.count())
    .where(Manifest.closed_at.is_(None), Manifest.carrier_code.is_not(None)).group_by(Manifest.carrier_code))


# ---------------------------------------------------------------------- packers and stations


def _blank_work() -> dict[str, Any]:
    return {"orders": 0, "items": 0, "avg_seconds": None, "median_seconds": None, "scans": 0, "refused": 0,
            "refused_rate": 0.0, "first_scan": None, "last_scan": None}


def _names(s: Session, user_ids: set[int], station_ids: set[int]) -> tuple[dict[int, str], dict[int, str]]:
    """(user id -> display name, station id -> display name) in one statement; a name shared by two
    rows of a table gets its id appended so rows never merge. Within summary() the same statement
    reads every shop's name for by_shop."""
    memo = s.info.get(_MEMO)
    with_shops = memo is not None and ("shop names",) not in memo
    if not user_ids and not station_ids and not with_shops:
        return {}, {}
    parts = [select(literal_column("'u'"), User.id, User.name).where(User.id.in_(sorted(user_ids))),
             select(literal_column("'s'"), Station.id, Station.name).where(Station.id.in_(sorted(station_ids)))]
    if with_shops:
        parts.append(select(literal_column("'shop'"), Shop.id, Shop.name))
    rows: dict[str, list[tuple[int, str]]] = {"u": [], "s": [], "shop": []}
    for table, i, name in s.execute(union_all(*parts)):
        rows[table].append((i, name))
    if with_shops:
        memo[("shop names",)] = dict(rows["shop"])

    def unique(pairs: list[tuple[int, str]]) -> dict[int, str]:
        seen: dict[str, int] = {}
        for _, name in pairs:
            seen[name] = seen.get(name, 0) + 1
        return {i: (name if seen[name] == 1 else f"{name} #{i}") for i, name in pairs}

    return unique(rows["u"]), unique(rows["s"])


def _shop_names(s: Session) -> dict[int, str]:
    return _memo(s, ("shop names",), lambda: dict(s.execute(select(Shop.id, Shop.name)).all()))


def work(s: Session, period: Period) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(by_packer, by_station): four grouped queries whatever the size of the period."""
    packers: dict[int, dict[str, Any]] = {}
    stations: dict[int, dict[str, Any]] = {}
    dur = _seconds(s, Order.packed_at, Order.packing_started_at)

    # 1. Orders packed in the period and their total packing time, per (packer, station): whole
    # UTC hours from the rollup the database keeps (order_stats_hourly), partial ones from orders.
    sums: dict[tuple[str, int], list[float]] = {}
    for packer_id, station_id, _carrier, n, timed, total in _packed_groups(s, period):
        if not n:
            continue
        for key, bucket in (("p", packer_id), ("s", station_id)):
            if bucket is None:
                continue
            target = (packers if key == "p" else stations).setdefault(bucket, _blank_work())
            target["orders"] += int(n)
            acc = sums.setdefault((key, bucket), [0.0, 0])
            acc[0] += float(total or 0)
            acc[1] += int(timed or 0)
    for (key, bucket), (total, timed) in sums.items():
        if timed:
            (packers if key == "p" else stations)[bucket]["avg_seconds"] = round(total / timed, 1)

    # 2. Median packing time per packer and per station, in SQL: percentile_cont on PostgreSQL,
    # window functions (row_number over the sorted durations) on SQLite.
    timed_orders = and_(Order.packed_at.is_not(None), Order.packing_started_at.is_not(None))
    if _dialect(s) == "postgresql":
        # One pass over the period's range of the covering index for both medians (grouping sets).
        # The seconds are computed once per order, as the float8 percentile_cont sorts (EXTRACT gives
        # a numeric, cast to float8 all the same): in the aggregate they were computed and cast for
        # each grouping set (90 ms instead of 60 for a month's 82,000 orders).
        timed = _where(select(Order.packer_id, Order.station_id, cast(dur, Double).label("seconds"))
                       .where(timed_orders), period.clause(Order.packed_at)).subquery()
        q = select(timed.c.packer_id, timed.c.station_id, func.grouping(timed.c.packer_id),
                   func.percentile_cont(0.5).within_group(timed.c.seconds))
        q = q.group_by(func.grouping_sets(tuple_(timed.c.packer_id), tuple_(timed.c.station_id)))
        for packer_id, station_id, packer_rolled_up, median in s.execute(q):
            target, bucket = (stations, station_id) if packer_rolled_up else (packers, packer_id)
            if bucket is not None and bucket in target and median is not None:
                target[bucket]["median_seconds"] = round(float(median), 1)
    else:
        _sqlite_medians(s, period, dur, timed_orders, packers, stations)
    # 3. Scans in the period per (user, station): all, refused, items verified, first and last.
    # Whole UTC hours come from the rollup the database keeps (scan_stats_hourly), the partial hours
    # at either end of the period (time zones off by half an hour, open ends) from scan_events.
    for user_id, station_id, n, n_refused, items, first, last in _scan_groups(s, period):
        first, last = _aware(first), _aware(last)
        for target, bucket in ((packers, user_id), (stations, station_id)):
            if bucket is None:
                continue
            row = target.setdefault(bucket, _blank_work())
            row["scans"] += int(n)
            row["refused"] += int(n_refused or 0)
            row["items"] += int(items or 0)
            row["first_scan"] = first if row["first_scan"] is None else min(row["first_scan"], first)
            row["last_scan"] = last if row["last_scan"] is None else max(row["last_scan"], last)

    def finish(rows: dict[int, dict[str, Any]], names: dict[int, str]) -> dict[str, dict[str, Any]]:
        out = {}
        for bucket, row in rows.items():
            row["refused_rate"] = round(row["refused"] / row["scans"], 4) if row["scans"] else 0.0
            row["first_scan"], row["last_scan"] = _iso(row["first_scan"]), _iso(row["last_scan"])
            out[names.get(bucket, f"#{bucket}")] = row
        return dict(sorted(out.items()))

    user_names, station_names = _names(s, set(packers), set(stations))
    return finish(packers, user_names), finish(stations, station_names)


HOUR = timedelta(hours=1)


def _hour_floor(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _hour_ceil(dt: datetime) -> datetime:
    floor = _hour_floor(dt)
    return floor if floor == dt else floor + HOUR


def _split(period: Period) -> tuple[Period | None, list[Period]]:
    """(the whole UTC hours inside the period or None, the partial ranges at its ends): the rollups
    answer for the first, the raw rows for the second; together they cover the period exactly once."""
    whole_from = _hour_ceil(period.start) if period.start is not None else None
    whole_to = _hour_floor(period.end) if period.end is not None else None
    if whole_from is not None and whole_to is not None and whole_from >= whole_to:
        return None, [period]  # no whole hour inside (a period shorter than two hours)
    raw_ranges: list[Period] = []
    if period.start is not None and period.start < whole_from:
        raw_ranges.append(Period(period.start, whole_from))
    if period.end is not None and whole_to < period.end:
        raw_ranges.append(Period(whole_to, period.end))
    return Period(whole_from, whole_to), raw_ranges


def _id(value: int | None) -> int | None:
    return None if value == NO_ID else value


_MEMO = "packgate_summary_memo"


def _memo(s: Session, key: tuple, compute):
    """Within one summary() call the same groups feed several figures: read them once."""
    memo = s.info.get(_MEMO)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _packed_groups(s: Session, period: Period) -> list[tuple]:
    return _memo(s, ("packed", period), lambda: _read_packed_groups(s, period))


def _handed_groups(s: Session, period: Period) -> list[tuple[str, int]]:
    return _memo(s, ("handed", period), lambda: _read_handed_groups(s, period))


def _read_packed_groups(s: Session, period: Period) -> list[tuple]:
    """(packer_id, station_id, carrier, packed, timed, total seconds) groups covering the orders
    packed in the period exactly once: order_stats_hourly for the whole UTC hours, orders for the
    partial ones. Groups may repeat a key (the caller sums them) or count zero (the caller skips)."""
    whole, raw_ranges = _split(period)
    groups: list[tuple] = []
    if whole is not None:
        for packer_id, station_id, carrier, n, timed, micros, _handed in _order_rollup(s, whole)[0]:
            groups.append((_id(packer_id), _id(station_id), carrier, n, timed, micros / 1_000_000))
    dur = _seconds(s, Order.packed_at, Order.packing_started_at)
    for part in raw_ranges:
        q = (select(Order.packer_id, Order.station_id, Order.carrier_code, func.count(), func.count(dur),
                    func.sum(dur))
             .where(Order.packed_at.is_not(None), part.clause(Order.packed_at))
             .group_by(Order.packer_id, Order.station_id, Order.carrier_code))
        groups.extend((p, st, c, int(n), int(timed or 0), float(total or 0)) for p, st, c, n, timed, total in s.execute(q))
    return groups


def _read_handed_groups(s: Session, period: Period) -> list[tuple[str, int]]:
    """(carrier, orders handed over) groups for the period: rollup for whole hours, orders for the rest."""
    whole, raw_ranges = _split(period)
    groups: list[tuple[str, int]] = []
    if whole is not None:
        groups.extend((carrier, handed) for _p, _s, carrier, _n, _t, _us, handed in _order_rollup(s, whole)[0])
    for part in raw_ranges:
        q = (select(Order.carrier_code, func.count())
             .where(Order.handed_over_at.is_not(None), part.clause(Order.handed_over_at))
             .group_by(Order.carrier_code))
        groups.extend((c, int(n)) for c, n in s.execute(q))
    return groups


def _order_rollup(s: Session, whole: Period) -> tuple[list[tuple], list[tuple]]:
    """order_stats_hourly over the whole hours ``whole``, read once per summary: ((packer_id,
    station_id, carrier, packed, timed, duration_us, handed_over) groups, (hour_utc, packed) rows).
    The orders packed, handed over and per hour read the same rows (36,000 for a month): PostgreSQL
    sums them in one pass (grouping sets), SQLite in two (the groups, then the hours in key order)."""
    return _memo(s, ("order rollup", whole), lambda: _read_order_rollup(s, whole))


def _read_order_rollup(s: Session, whole: Period) -> tuple[list[tuple], list[tuple]]:
    r = OrderStatsHourly
    sums = (func.sum(r.packed), func.sum(r.timed), func.sum(r.duration_us), func.sum(r.handed_over))
    groups: list[tuple] = []
    hours: list[tuple] = []

    def group(packer_id, station_id, carrier, n, timed, micros, handed) -> tuple:
        return (packer_id, station_id, carrier, int(n or 0), int(timed or 0), int(micros or 0), int(handed or 0))

    if _dialect(s) == "postgresql":
        q = _where(select(func.grouping(r.hour_utc), r.hour_utc, r.packer_id, r.station_id, r.carrier_code, *sums),
                   whole.clause(r.hour_utc))
        q = q.group_by(func.grouping_sets(tuple_(r.packer_id, r.station_id, r.carrier_code), tuple_(r.hour_utc)))
        for hour_rolled_up, hour, packer_id, station_id, carrier, n, timed, micros, handed in s.execute(q):
            if hour_rolled_up:
                groups.append(group(packer_id, station_id, carrier, n, timed, micros, handed))
            else:
                hours.append((hour, int(n or 0)))
        return groups, hours
    q = _where(select(r.packer_id, r.station_id, r.carrier_code, *sums), whole.clause(r.hour_utc))
    groups.extend(group(*row) for row in s.execute(q.group_by(r.packer_id, r.station_id, r.carrier_code)))
    q = _where(select(r.hour_utc, func.sum(r.packed)), whole.clause(r.hour_utc)).group_by(r.hour_utc)
    hours.extend((hour, int(n or 0)) for hour, n in s.execute(q))
    return groups, hours


def _scan_groups(s: Session, period: Period) -> list[tuple]:
    """(user_id, station_id, scans, refused, items, first, last) groups covering the period's scans
    exactly once: scan_stats_hourly for the whole UTC hours inside it, scan_events for the partial
    hours at its ends. Several groups may share a (user, station); the caller sums them."""
    whole, raw_ranges = _split(period)
    groups: list[tuple] = []
    if whole is not None:
        r = ScanStatsHourly
        q = _where(select(r.user_id, r.station_id, func.sum(r.scans), func.sum(r.refused), func.sum(r.items),
                          func.min(r.first_at), func.max(r.last_at)), whole.clause(r.hour_utc))
        for user_id, station_id, *figures in s.execute(q.group_by(r.station_id, r.user_id)):
            groups.append((None if user_id == NO_ID else user_id, None if station_id == NO_ID else station_id,
                           *figures))
    # Grouped by (station, user): grouped by user first, SQLite would walk the whole (user_id, at)
    # index to avoid a sort, instead of the period's range of the `at` index.
    item_ok = case((and_(ScanEvent.kind == "item", ScanEvent.accepted.is_(True)), 1), else_=0)
    refused = case((ScanEvent.accepted.is_(False), 1), else_=0)
    for part in raw_ranges:
        q = (select(ScanEvent.user_id, ScanEvent.station_id, func.count(), func.sum(refused), func.sum(item_ok),
                    func.min(ScanEvent.at), func.max(ScanEvent.at))
             .where(ScanEvent.kind.not_in(NOT_SCANS), part.clause(ScanEvent.at)))
        groups.extend(tuple(row) for row in s.execute(q.group_by(ScanEvent.station_id, ScanEvent.user_id)))
    return groups


def _sqlite_medians(s: Session, period: Period, dur, timed_orders, packers: dict, stations: dict) -> None:
    """SQLite has no percentile function and its window functions sort slowly: fetch only the
    period's (packer, bench, seconds) triples (bounded by the period; index-only with a covering
    index on packed_at) and take the medians here."""
    from statistics import median

    q = _where(select(Order.packer_id, Order.station_id, dur).where(timed_orders), period.clause(Order.packed_at))
    # Straight from the DBAPI cursor: building SQLAlchemy rows for 80,000 triples would cost more
    # than the query itself (the statement and its bound values are SQLAlchemy's own).
    compiled = q.compile(dialect=s.get_bind().dialect)
    params = compiled.construct_params()
    processors = compiled._bind_processors
    bound = tuple(processors[name](params[name]) if name in processors else params[name]
                   for name in compiled.positiontup or ())
    cursor = s.connection().connection.cursor()
    try:
        cursor.execute(compiled.string, bound)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    pairs: dict[tuple[int | None, int | None], list[float]] = {}
    for packer_id, station_id, seconds in rows:
        group = pairs.get((packer_id, station_id))
        if group is None:
            group = pairs[(packer_id, station_id)] = []
        group.append(seconds)
    by_key: dict[tuple[str, int], list[float]] = {}
    for (packer_id, station_id), values in pairs.items():
        if packer_id is not None:
            by_key.setdefault(("p", packer_id), []).extend(values)
        if station_id is not None:
            by_key.setdefault(("s", station_id), []).extend(values)
    for (key, bucket), values in by_key.items():
        target = packers if key == "p" else stations
        if bucket in target:
            target[bucket]["median_seconds"] = round(float(median(values)), 1)


def _aware(dt: datetime | str | None) -> datetime | None:
    """min()/max() lose the column type on SQLite: parse the stored naive-UTC text back."""
    if dt is None:
        return None
    if isinstance(dt, str):
        dt = datetime.fromisoformat(dt)
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def by_packer(s: Session, period: Period) -> dict[str, dict[str, Any]]:
    return work(s, period)[0]


def by_station(s: Session, period: Period) -> dict[str, dict[str, Any]]:
    return work(s, period)[1]


# ---------------------------------------------------------------------- throughput


def throughput_per_hour(s: Session, period: Period, tz: tzinfo | None = None) -> dict[str, int]:
    """Orders packed per local hour of the day ('00'..'23'), summed over the period."""
    whole, raw_ranges = _split(period)
    hours = {f"{h:02d}": 0 for h in range(24)}
    if whole is not None:
        for utc_hour, n in _order_rollup(s, whole)[1]:
            hours[f"{_local(_aware(utc_hour), tz).hour:02d}"] += n
    bucket = _hour_bucket(s, Order.packed_at)
    for part in raw_ranges:
        q = select(bucket, func.count()).where(Order.packed_at.is_not(None), part.clause(Order.packed_at))
        for text, n in s.execute(q.group_by(bucket)):
            utc_hour = datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=UTC)
            hours[f"{_local(utc_hour, tz).hour:02d}"] += int(n)
    return hours


# ---------------------------------------------------------------------- exceptions


def exceptions(s: Session, now: datetime, period: Period, late_hours: int = 24,
               pickup_warn_hours: int = 4) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """(lists, counts). Lists are capped at EXCEPTION_LIMIT, oldest first; counts are exact. The
    counts come first (one statement; within summary() its statement of every count): a list whose
    count is 0 is not read."""
    station, packer = aliased(Station), aliased(User)
    lists: dict[str, list[dict[str, Any]]] = {}
    counts = _exception_counts(s, now, period, late_hours, pickup_warn_hours)

    statements = _exception_order_lists()
    times = {"exceptions_late_cutoff": now - timedelta(hours=late_hours),
             "exceptions_awaiting_cutoff": now - timedelta(hours=pickup_warn_hours)}
    for name, statement in statements.items():
        if not counts[name]:
            lists[name] = []
            continue
        lists[name] = [
            {"order_no": no, "state": st, "carrier": carrier, "waybill": waybill, "at": _iso(at),
             "detail": det or "", "station": sname, "user": pname, "shop": shop}
            for no, st, carrier, waybill, at, det, sname, pname, shop in s.execute(statement, times)
        ]

    for name in ("reprints", "unlinked"):
        if not counts[name]:
            lists[name] = []
            continue
        wheres = _exception_wheres(times["exceptions_late_cutoff"], times["exceptions_awaiting_cutoff"], period)
        q = (select(Order.order_no, Order.state, Order.carrier_code, Order.waybill, ScanEvent.at,
                    ScanEvent.raw, ScanEvent.message, ScanEvent.reason, ScanEvent.accepted, station.name, packer.name,
                    Shop.name)
             .outerjoin(Order, Order.id == ScanEvent.order_id)
             .outerjoin(station, station.id == ScanEvent.station_id)
             .outerjoin(packer, packer.id == ScanEvent.user_id)
             .outerjoin(Shop, Shop.id == Order.shop_id)
             .where(*wheres[name]).order_by(ScanEvent.at).limit(EXCEPTION_LIMIT))
        lists[name] = [
            {"order_no": no, "state": st, "carrier": carrier, "waybill": waybill, "at": _iso(_aware(at)),
             "detail": (reason or message or raw or ""), "accepted": bool(ok), "station": sname, "user": uname,
             "shop": shop}
            for no, st, carrier, waybill, at, raw, message, reason, ok, sname, uname, shop in s.execute(q)
        ]
    return lists, counts


_EVENT_EXCEPTIONS = {"reprints": "reprint", "unlinked": "unlink"}


@cache
def _exception_order_lists() -> dict[str, Select]:
    """The exception lists of orders (on hold, late, awaiting pickup, parcels left behind), built
    once: their times are bind parameters."""
    station, packer = aliased(Station), aliased(User)
    wheres = _exception_wheres(bindparam("exceptions_late_cutoff"), bindparam("exceptions_awaiting_cutoff"), Period())

    def orders(name: str, order_by, at_column, detail) -> Select:
        return (select(Order.order_no, Order.state, Order.carrier_code, Order.waybill, at_column, detail,
                       station.name, packer.name, Shop.name)
                .outerjoin(station, station.id == Order.station_id).outerjoin(packer, packer.id == Order.packer_id)
                .outerjoin(Shop, Shop.id == Order.shop_id)
                .where(*wheres[name]).order_by(order_by).limit(EXCEPTION_LIMIT))

    # Sorted by an expression, not the packed_at column: otherwise the planner walks the packed_at
    # index from the oldest order (a million handed-over rows) instead of the few 'packed' ones.
    return {"on_hold": orders("on_hold", Order.created_at, Order.created_at, Order.hold_reason),
            "late": orders("late", Order.created_at, Order.created_at, literal("")),
            "awaiting_pickup": orders("awaiting_pickup", func.coalesce(Order.packed_at, Order.created_at),
                                      Order.packed_at, literal("")),
            "parcels_left_behind": orders("parcels_left_behind", func.coalesce(Order.packed_at, Order.created_at),
                                          Order.packed_at,
                                          literal("some parcels were handed over, the others are still here"))}


def _exception_wheres(late_cutoff: datetime, awaiting_cutoff: datetime, period: Period) -> dict[str, list]:
    """Each exception list's WHERE (its count's too). The times may be bind parameters (the
    summary's statement of counts is built once)."""
    # An order split in parcels whose courier took only some of them: the rest is still on the shelf.
    on_closed = (exists().where(Parcel.order_id == Order.id, ManifestItem.parcel_id == Parcel.id,
                                Manifest.id == ManifestItem.manifest_id, Manifest.closed_at.is_not(None)))
    wheres = {"on_hold": [Order.state == OrderState.ON_HOLD.value],
              "late": [Order.state.in_(OPEN_STATES), Order.created_at < late_cutoff],
              "awaiting_pickup": [Order.state == OrderState.PACKED.value, Order.packed_at < awaiting_cutoff],
              "parcels_left_behind": [Order.state == OrderState.PACKED.value, on_closed]}
    for name, kind in _EVENT_EXCEPTIONS.items():
        wheres[name] = [ScanEvent.kind == kind]
        if period.clause(ScanEvent.at) is not None:
            wheres[name].append(period.clause(ScanEvent.at))
    return wheres


def _exception_count_queries(awaiting_cutoff: datetime, period: Period, at: dict[str, Any]) -> dict[tuple, Any]:
    """The exact counts the on-hold and late lists do not take from the tiles (the same figures),
    keyed by ``awaiting_cutoff`` and ``period``, their SQL from the times ``at`` (``_count_times``)."""
    wheres: dict[str, list] = {}  # built once, when the first count is asked for

    def count(name: str):
        def query():
            if not wheres:
                wheres.update(_exception_wheres(at["late_cutoff"], at["awaiting_cutoff"], at["period"]))
            return select(func.count()).select_from(ScanEvent if name in _EVENT_EXCEPTIONS else Order).where(
                *wheres[name])
        return query

    keys = {"awaiting_pickup": ("awaiting pickup", awaiting_cutoff), "parcels_left_behind": ("left behind",),
            "reprints": ("events", "reprint", period), "unlinked": ("events", "unlink", period)}
    return {key: count(name) for name, key in keys.items()}


def _exception_counts(s: Session, now: datetime, period: Period, late_hours: int,
                      pickup_warn_hours: int) -> dict[str, int]:
    cutoff, awaiting_cutoff = now - timedelta(hours=late_hours), now - timedelta(hours=pickup_warn_hours)
    at = {"late_cutoff": cutoff, "awaiting_cutoff": awaiting_cutoff, "period": period}
    queries = {("late", cutoff): lambda: _late_count(cutoff), **_exception_count_queries(awaiting_cutoff, period, at)}
    found = _counts(s, queries)
    counts = {"on_hold": _queue_counts(s)[OrderState.ON_HOLD.value], "late": found[("late", cutoff)]}
    names = ("awaiting_pickup", "parcels_left_behind", "reprints", "unlinked")
    counts.update(zip(names, (found[key] for key in list(queries)[1:]), strict=True))
    return counts


# ---------------------------------------------------------------------- people


def locked_users(s: Session, now: datetime) -> list[dict[str, Any]]:
    """Active users locked out after wrong PINs right now (the supervisor view shows them)."""
    rows = s.execute(_LOCKED_USERS, {"locked_now": now}).all()
    return [{"badge": badge, "name": name, "role": role, "until": _iso(until)} for badge, name, role, until in rows]


_LOCKED_USERS = (select(User.badge, User.name, User.role, User.locked_until)
                 .where(User.active.is_(True), User.locked_until > bindparam("locked_now")).order_by(User.locked_until))


# ---------------------------------------------------------------------- everything


def summary(s: Session, now: datetime, period: Period | None = None, late_hours: int = 24,
            pickup_warn_hours: int = 4, tz: tzinfo | None = None, platform_grace_minutes: int = 30,
            due_soon_hours: int = 4, pickup_alert_hours: int = 12) -> dict[str, Any]:
    """Every figure of the supervisor's summary as plain JSON-able data."""
    period = period or Period()
    s.info[_MEMO] = {}
    try:
        _read_counts(s, now, period, late_hours, pickup_warn_hours, platform_grace_minutes, pickup_alert_hours)
        figures = _summary(s, now, period, late_hours, pickup_warn_hours, tz)
        figures.update(platform_figures(s, now, late_hours, platform_grace_minutes))
        figures.update(ship_by_figures(s, now, due_soon_hours, period))
        figures.update(_pickup(s, now, period, pickup_alert_hours))
        figures.update(return_figures(s, period.start, period.end))  # the returns bench
        return figures
    finally:
        s.info.pop(_MEMO, None)


def _read_counts(s: Session, now: datetime, period: Period, late_hours: int, pickup_warn_hours: int,
                 grace_minutes: int, alert_hours: int) -> None:
    """Every count of the summary that needs no other figure, in one statement (a scalar subquery
    each, each on its own index) read into the memo: the tiles' late and packed-without-waybill,
    the exceptions' counts, the parcels, the platform's, the pickup watch's and the returns'. Each
    figure's own function asks ``_counts`` for the same keys and finds them there. The statement is
    built once per database and shape of period, its times bound at each call: building and keying
    its thirty subqueries cost more of the client's time than the database's answer."""
    args = (now, period, late_hours, pickup_warn_hours, grace_minutes, alert_hours)
    times = _count_times(*args)
    keys = list(_summary_count_queries(s, *args, at=times))  # the keys only: no SQL built
    shape = (_dialect(s), period.start is None, period.end is None)
    statement = _COUNT_STATEMENTS.get(shape)
    if statement is None:
        binds: dict[str, Any] = {name: bindparam(f"summary_{name}") if value is not None else None
                                 for name, value in times.items() if name != "period"}  # an open end stays open
        binds["period"] = Period(binds["start"], binds["end"])
        built = _summary_count_queries(s, *args, at=binds)
        statement = _COUNT_STATEMENTS[shape] = select(*(_scalar(query()) for query in built.values()))
    row = s.execute(statement, {f"summary_{name}": value for name, value in times.items()
                                if name != "period" and value is not None}).one()
    memo = s.info[_MEMO]
    for key, n in zip(keys, row, strict=True):
        memo[("count", key)] = int(n or 0)


_COUNT_STATEMENTS: dict[tuple, Any] = {}  # (dialect, open start, open end) -> the summary's statement of counts


def _count_times(now: datetime, period: Period, late_hours: int, pickup_warn_hours: int, grace_minutes: int,
                 alert_hours: int) -> dict[str, Any]:
    """The times the summary's counts compare with, by name."""
    from app.platform import outbox
    from app.reports import pickup

    platform = outbox.tile_count_times(now, now - timedelta(minutes=grace_minutes), late_hours)
    return {"late_cutoff": now - timedelta(hours=late_hours), "awaiting_cutoff": now - timedelta(hours=pickup_warn_hours),
            "period": period, "start": period.start, "end": period.end, "grace": platform["grace"],
            "grace_edge": platform["grace_edge"], "late_edge": platform["late_edge"],
            **pickup.figure_count_times(now, alert_hours)}


def _summary_count_queries(s: Session, now: datetime, period: Period, late_hours: int, pickup_warn_hours: int,
                           grace_minutes: int, alert_hours: int, at: dict[str, Any]) -> dict[tuple, Any]:
    """The counts of ``_read_counts``: their memo keys (from the real times) and the factories of
    their SQL (from the times ``at``: the same, or bind parameters)."""
    from app.platform import outbox
    from app.reports import pickup, returns

    cutoff = now - timedelta(hours=late_hours)
    queries = {("no waybill",): lambda: _no_waybill_count(s), ("empty waybill",): _empty_waybill_count,
               ("cancelled",): _cancelled_count, ("late", cutoff): lambda: _late_count(at["late_cutoff"]),
               **_exception_count_queries(now - timedelta(hours=pickup_warn_hours), period, at),
               ("parcels packed", period): lambda: _parcels_packed_count(at["period"]),
               ("parcels handed", period): lambda: _parcels_handed_count(at["period"])}
    queries.update(_named(_platform_key(now, late_hours, grace_minutes), outbox.TILE_COUNTS,
                          lambda: outbox.tile_count_columns_at(at["grace"], at["grace_edge"], at["late_cutoff"],
                                                               at["late_edge"])))
    queries.update(_named(("pickup", now, alert_hours), pickup.FIGURE_COUNTS,
                          lambda: pickup.figure_counts_at(at["alert"], at["fine"], at["watch_since"])))
    queries.update(_named(("returns", period.start, period.end), returns.FIGURE_COUNTS,
                          lambda: returns.figure_counts(at["start"], at["end"])))
    return queries


def _named(prefix: tuple, names: tuple[str, ...], build) -> dict[tuple, Any]:
    """``_counts`` keys (prefix + name) of the figures ``build()`` returns as SQL by name; built once,
    and only if some figure is not in the memo yet."""
    built: dict[str, Any] = {}

    def factory(name: str):
        def query():
            if not built:
                built.update(build())
            return built[name]
        return query

    return {(*prefix, name): factory(name) for name in names}


def _named_counts(s: Session, keys: dict[tuple, Any]) -> dict[str, int]:
    return {key[-1]: n for key, n in _counts(s, keys).items()}


def _platform_key(now: datetime, late_hours: int, grace_minutes: int) -> tuple:
    return ("platform", now, late_hours, grace_minutes)


def _platform_count_keys(now: datetime, late_hours: int, grace_minutes: int) -> dict[tuple, Any]:
    from app.platform import outbox

    return _named(_platform_key(now, late_hours, grace_minutes), outbox.TILE_COUNTS,
                  lambda: outbox.tile_count_columns(now, now - timedelta(minutes=grace_minutes), late_hours))


def _pickup_count_keys(now: datetime, alert_hours: int) -> dict[tuple, Any]:
    from app.reports import pickup

    return _named(("pickup", now, alert_hours), pickup.FIGURE_COUNTS, lambda: pickup.figure_counts(now, alert_hours))


def _return_count_keys(start: datetime | None, end: datetime | None) -> dict[tuple, Any]:
    from app.reports import returns

    return _named(("returns", start, end), returns.FIGURE_COUNTS, lambda: returns.figure_counts(start, end))


def _pickup(s: Session, now: datetime, period: Period, alert_hours: int) -> dict[str, Any]:
    """The pickup watch (app/reports/pickup.py): the tiles, and under ``pickup`` the parcels without a
    pickup scan and the per-courier table of the period."""
    from app.reports import pickup

    figures: dict[str, Any] = {**_named_counts(s, _pickup_count_keys(now, alert_hours)),
                               "pickup_alert_hours": alert_hours}  # as pickup.pickup_figures
    figures["pickup"] = {"waiting": pickup.not_picked_up(s, now), "exceptions": pickup.trace_exceptions(s, now),
                         "by_courier": pickup.by_courier(s, period.start, period.end, now),
                         "manifests": pickup.recent_manifests(s, now)}
    return figures


def return_figures(s: Session, start: datetime | None, end: datetime | None) -> dict[str, int]:
    return _named_counts(s, _return_count_keys(start, end))  # as app.reports.returns.return_figures


def platform_figures(s: Session, now: datetime, late_hours: int = 24, grace_minutes: int = 30) -> dict[str, Any]:
    """The shop platform, now: ``not_on_platform`` (packed or handed over, the platform has not
    confirmed), ``platform_failed`` (jobs the platform refused), and under ``platform`` the same
    counted only past the grace time (the tiles turn red on these) and the 24-hour rule measured to
    the platform's confirmation."""
    counts = _named_counts(s, _platform_count_keys(now, late_hours, grace_minutes))  # as outbox.tile_counts
    return {
        "not_on_platform": counts["not_on_platform"],
        "platform_failed": counts["platform_failed"],
        "platform": {"not_on_platform_after_grace": counts["not_on_platform_after_grace"],
                     "failed_after_grace": counts["failed_after_grace"],
                     "late_to_platform": counts["late_to_platform"],
                     "grace_minutes": grace_minutes},
    }


NO_SHOP = "(no shop)"  # by_shop's key for orders imported from files


# by_shop's states that end an order's way: counted over the orders created in the period (as
# orders_by_state does), so the count reads a range of the (state, created_at) index, not every order
# the site ever shipped. The others are the shop's queues now, whenever their orders came in.
_CLOSED_STATES = (OrderState.HANDED_OVER.value, OrderState.CANCELLED.value)


def _by_shop_rows(s: Session, period: Period | None):
    """(shop id, state, orders) rows; a state's rows for one shop may come in more than one row."""
    rows = list(_open_shop_groups(s))
    # The closed ones: the period's groups orders_by_state reads too (every state; read once per summary).
    rows.extend(row for row in _created_groups(s, period) if row[1] in _CLOSED_STATES)
    return rows


def _open_shop_groups(s: Session) -> list[tuple[int | None, str, int]]:
    """(shop id, state, orders) of the open queues now (every state but handed over and cancelled),
    read once per summary: by_shop's rows and the tiles' queues."""
    return _memo(s, ("open shop groups",), lambda: _read_open_shop_groups(s))


def _read_open_shop_groups(s: Session) -> list[tuple[int | None, str, int]]:
    return [(shop_id, state, int(n)) for shop_id, state, n in s.execute(_OPEN_SHOP_GROUPS)]


# The open queues are small: a range of the (shop, state) index per shop (with the state in the
# WHERE; without it, the GROUP BY walked every order of the site: 300 ms at 1 M orders). Built once.
_OPEN_SHOP_GROUPS = (select(Order.shop_id, Order.state, func.count())
                     .where(Order.state.in_([st for st in ORDER_STATES if st not in _CLOSED_STATES]))
                     .group_by(Order.shop_id, Order.state))


def ship_by_figures(s: Session, now: datetime, due_soon_hours: int = 4, period: Period | None = None) -> dict[str, Any]:
    """``due_soon``: not yet packed (ready, packing, on hold), ship-by within ``due_soon_hours``;
    ``overdue``: ship-by passed and the platform has not confirmed the shipment (still open, or
    packed by PackGate but not confirmed; an order imported from a file without a ship-by: its
    24 hours from creation); ``by_shop``: orders by state per shop (ready, packing, packed and on
    hold: those in that state now; handed over and cancelled: of the orders created in ``period``),
    with the shop's own ``due_soon`` and ``overdue``."""
    from app.models.schema import JobState, PlatformJob

    shipped = (OrderState.PACKED.value, OrderState.HANDED_OVER.value)
    confirmed = exists().where(PlatformJob.order_id == Order.id, PlatformJob.kind == "ship",
                               PlatformJob.state == JobState.CONFIRMED.value)
    wheres = {"due_soon": (due_soon_clause(now, due_soon_hours),),
              "overdue": (Order.state.in_(NOT_PACKED), ship_by_before(now)),
              "shipped_overdue": (Order.state.in_(shipped), Order.ship_by.is_not(None), Order.ship_by < now, ~confirmed)}
    # Per shop, so a supervisor's shop filter shows the shop's own; each a few index ranges.
    # One statement for the three (UNION ALL, each part its own index ranges).
    per_shop: dict[int | None, dict[str, int]] = {}
    parts = [select(literal_column(f"'{'overdue' if name == 'shipped_overdue' else name}'"), Order.shop_id,
                    func.count()).where(*where).group_by(Order.shop_id) for name, where in wheres.items()]
    for figure, shop_id, n in s.execute(union_all(*parts)):
        counts = per_shop.setdefault(shop_id, {"due_soon": 0, "overdue": 0})
        counts[figure] += int(n)
    names = _shop_names(s)
    by_shop: dict[str, dict[str, int]] = {}

    def shop_row(shop_id: int | None) -> dict[str, int]:
        key = names.get(shop_id, NO_SHOP) if shop_id is not None else NO_SHOP
        return by_shop.setdefault(key, {**{st: 0 for st in ORDER_STATES}, "due_soon": 0, "overdue": 0})

    for shop_id, state, n in _by_shop_rows(s, period):
        row = shop_row(shop_id)
        row[state] += int(n)
    for shop_id, counts in per_shop.items():
        row = shop_row(shop_id)
        for figure, n in counts.items():
            row[figure] += n
    for shop_id in names:
        shop_row(shop_id)
    return {"due_soon": sum(c["due_soon"] for c in per_shop.values()),
            "overdue": sum(c["overdue"] for c in per_shop.values()),
            "due_soon_hours": due_soon_hours, "by_shop": dict(sorted(by_shop.items()))}


_ANY_SHOP = object()


def ready_list(s: Session, limit: int = EXCEPTION_LIMIT, shop_id: Any = _ANY_SHOP) -> list[dict[str, Any]]:
    """The orders ready to pack, the earliest ship-by first (the platform's ``last_ship_time``; an
    order without one after them, the oldest first), with their shops: the supervisor's ready list.
    Capped at ``limit`` rows (the ready tile gives the true count). Two walks, each in its index's
    order ((state, ship_by), then (state, created_at)) and stopped at ``limit``: one ORDER BY with
    "no ship-by last" sorted every ready order first (~400 ms with 1 M orders waiting)."""
    columns = (Order.order_no, Shop.name, Order.carrier_code, Order.ship_by, Order.created_at)
    ready = Order.state == OrderState.READY.value
    if shop_id is not _ANY_SHOP:  # one shop's (None: the orders imported from files)
        ready = and_(ready, Order.shop_id.is_(None) if shop_id is None else Order.shop_id == shop_id)
    with_ship_by = (select(*columns).outerjoin(Shop, Shop.id == Order.shop_id)
                    .where(ready, Order.ship_by.is_not(None)).order_by(Order.ship_by, Order.created_at, Order.id)
                    .limit(limit))
    rows = list(s.execute(with_ship_by))
    if len(rows) < limit:
        without = (select(*columns).outerjoin(Shop, Shop.id == Order.shop_id)
                   .where(ready, Order.ship_by.is_(None)).order_by(Order.created_at, Order.id).limit(limit - len(rows)))
        rows.extend(s.execute(without))
    return [{"order_no": no, "shop": shop, "carrier": carrier, "ship_by": _iso(_aware(ship_by)),
             "created_at": _iso(_aware(created))}
            for no, shop, carrier, ship_by, created in rows]


def ready_lists_by_shop(s: Session, limit: int = EXCEPTION_LIMIT) -> dict[str, list[dict[str, Any]]]:
    """Each shop's own ready list (``by_shop``'s keys), for a view filtered by shop: the site's list
    stops at ``limit`` before any shop is chosen, and would leave out a shop's later orders."""
    from app.models.schema import Shop

    names = dict(s.execute(select(Shop.id, Shop.name)).all())
    if not names:
        return {}
    lists = {name: ready_list(s, limit, shop_id) for shop_id, name in names.items()}
    lists[NO_SHOP] = ready_list(s, limit, None)
    return lists


def _summary(s: Session, now: datetime, period: Period, late_hours: int, pickup_warn_hours: int,
             tz: tzinfo | None) -> dict[str, Any]:
    packers, stations = work(s, period)
    tile_values = tiles(s, now, period, late_hours)
    exception_lists, exception_counts = exceptions(s, now, period, late_hours, pickup_warn_hours)
    return {
        "generated_at": _iso(now),
        "period": period.as_dict(),
        "orders_by_state": orders_by_state(s, period if period.bounded else None),
        "packed_without_waybill": tile_values["packed_without_waybill"],
        "parcels_packed": parcels_packed(s, period),
        "parcels_handed_over": parcels_handed_over(s, period),
        "late": tile_values["late"],
        "tiles": tile_values,
        "by_carrier": by_carrier(s, period),
        "by_packer": packers,
        "by_station": stations,
        "throughput_per_hour": throughput_per_hour(s, period, tz),
        "exceptions": exception_lists,
        "exception_counts": exception_counts,
        "locked_users": locked_users(s, now),
    }
