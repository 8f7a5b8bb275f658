"""Following a handed-over parcel's carrier trace until the courier's pickup scan (揽收): pure rules,
no database, no clock, no HTTP.

* :func:`first_check` - when the first look at a trace is due: ``first_minutes`` (60) after the
  handover (a courier rarely scans before leaving the dock);
* :func:`next_check` - after a look at ``now`` with no pickup seen: an hour later while the parcel is
  young (less than :data:`HOURLY_FOR` since its handover: the platform's 24-hour rule), every 4
  hours after that, never past ``watch_days`` (7) after the handover; the look at that deadline is
  the last one: None, the parcel is ``lost_in_transit?`` for a person to look at;
* :func:`read_trace` - ``pdd.logistics.ordertrace.get``'s answer (``logistics_ordertrace_get_response``,
  or ``..._resposne`` as public SDKs spell it: lywzx/pdd-node-sdk ``wuLiu/PddLogisticsOrdertraceGet.ts``)
  as :class:`TraceEvent` s, oldest first;
* :func:`decide` - what a look changes: ``picked_up_at`` is the pickup event's own time (the first
  ``GOT``, or without one the first later movement: a courier who forgot the pickup scan), never the
  time PackGate saw it nor the last event's; the last event as the parcel's last trace line; the
  newest exception (FAIL, REJECTION, RETURN) with the carrier's words;
* :func:`calls_this_pass` - the per-shop ceiling: how many traces one pass may ask of a shop.

The table is in ``tests/unit/platform/test_track_rules.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.platform.pull_rules import Malformed, platform_time

API = "pdd.logistics.ordertrace.get"
RESPONSE_KEYS = ("logistics_ordertrace_get_response", "logistics_ordertrace_get_resposne")
GOT = "GOT"  # 揽件: the courier's pickup scan
# Movements that only happen after a pickup: seen without a GOT, the parcel was picked up all the same.
MOVEMENTS = frozenset({"GOT", "DEPARTURE", "ARRIVAL", "SEND", "SIGN", "TRANSIT", "DELIVERING", "OTHER_SIGN"})
EXCEPTIONS = frozenset({"FAIL", "REJECTION", "RETURN"})
HOURLY_FOR = timedelta(hours=24)  # hourly looks while the parcel is younger than this
HOURLY, LATER = timedelta(hours=1), timedelta(hours=4)
LOST = "lost_in_transit?"


@dataclass(frozen=True)
class Schedule:
    first_minutes: int = 60  # pickup_first_check_minutes
    watch_days: int = 7  # pickup_watch_days

    def __post_init__(self) -> None:
        if self.first_minutes < 0 or self.watch_days < 1:
            raise ValueError("pickup_first_check_minutes must not be negative and pickup_watch_days at least 1")

    @property
    def watch(self) -> timedelta:
        return timedelta(days=self.watch_days)


@dataclass(frozen=True)
class TraceEvent:
    action: str
    time: datetime
    desc: str


@dataclass(frozen=True)
class Decision:
    """What one look writes: the pickup (None: not yet), the last trace line, the newest exception,
    the next look (None: stop following) and whether the parcel is given up as lost."""

    picked_up_at: datetime | None
    last: TraceEvent | None
    exception: TraceEvent | None
    next_check_at: datetime | None
    lost: bool = False


def first_check(handed_over_at: datetime, schedule: Schedule) -> datetime:
    return handed_over_at + timedelta(minutes=schedule.first_minutes)


def next_check(handed_over_at: datetime, now: datetime, schedule: Schedule) -> datetime | None:
    """The look after one at ``now`` that saw no pickup; None: that was the last (give up)."""
    deadline = handed_over_at + schedule.watch
    if now >= deadline:
        return None
    step = HOURLY if now - handed_over_at < HOURLY_FOR else LATER
    return min(now + step, deadline)


def claim_until(handed_over_at: datetime, now: datetime) -> datetime:
    """Where a look taken at ``now`` moves the parcel's next look before the call is made: on by the
    interval the parcel is in (an hour while young, then 4 hours). A pass killed after the claim asks
    nothing twice within that interval and forgets nothing (the parcel comes due again after it)."""
    return now + (HOURLY if now - handed_over_at < HOURLY_FOR else LATER)


def due_without_call(handed_over_at: datetime, now: datetime, schedule: Schedule) -> datetime | None:
    """A parcel just enrolled (due at its handover): the time of its real first look, when that is
    still ahead (no call now), else None (look now)."""
    first = first_check(handed_over_at, schedule)
    return first if first > now else None


def read_trace(body: Mapping[str, Any] | None) -> list[TraceEvent]:
    """The trace's events, oldest first; :class:`Malformed` when the answer is not a trace.

    An event without a readable time is left out (it cannot date a pickup); ``desc`` falls back to
    ``node_description`` (the carrier's words either way)."""
    if not isinstance(body, Mapping):
        raise Malformed("no answer")
    answer = next((body[k] for k in RESPONSE_KEYS if isinstance(body.get(k), Mapping)), None)
    if answer is None:
        raise Malformed("no logistics_ordertrace_get_response")
    rows = answer.get("trace_list")
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise Malformed("trace_list is not a list")
    out = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        action = str(row.get("action") or "").strip().upper()
        try:
            at = platform_time(row.get("status_time") or row.get("time"), "time")
        except Malformed:
            continue
        assert at is not None
        desc = str(row.get("desc") or row.get("node_description") or "").strip()
        out.append(TraceEvent(action, at, desc))
    out.sort(key=lambda e: e.time)
    return out


def pickup_time(events: list[TraceEvent]) -> datetime | None:
    """The first GOT's own time; without a GOT, the first movement's (picked up, scan forgotten)."""
    got = [e.time for e in events if e.action == GOT]
    if got:
        return min(got)
    moved = [e.time for e in events if e.action in MOVEMENTS]
    return min(moved) if moved else None


def decide(handed_over_at: datetime, now: datetime, events: list[TraceEvent], schedule: Schedule) -> Decision:
    """One look at ``now`` found ``events`` (oldest first)."""
    last = events[-1] if events else None
    exception = next((e for e in reversed(events) if e.action in EXCEPTIONS), None)
    picked = pickup_time(events)
    if picked is not None:
        return Decision(picked, last, exception, None)
    following = next_check(handed_over_at, now, schedule)
    return Decision(None, last, exception, following, lost=following is None)


def after_failure(handed_over_at: datetime, now: datetime, schedule: Schedule) -> datetime | None:
    """A look that got no answer (the platform down, a refusal): the schedule goes on as if it had
    seen nothing; None once the watch is over (the parcel is then lost, as after an empty look)."""
    return next_check(handed_over_at, now, schedule)


def calls_this_pass(rate_per_s: float, pass_seconds: float) -> int:
    """The per-shop ceiling: at most ``rate_per_s`` calls a second over a pass of ``pass_seconds``."""
    if rate_per_s <= 0 or pass_seconds <= 0:
        raise ValueError("the call ceiling and the pass's length must be above 0")
    return max(1, int(rate_per_s * pass_seconds))
