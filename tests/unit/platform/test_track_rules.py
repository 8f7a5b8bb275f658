"""The pickup watch's rules (app/platform/track_rules.py): due times, back-off, give-up, the pickup's
own time, exceptions and the answer's two spellings. Plain data, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.platform import track_rules as rules
from app.platform.pull_rules import Malformed
from app.platform.track_rules import Schedule, TraceEvent

H0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # the handover
S = Schedule()


def at(**kw) -> datetime:
    return H0 + timedelta(**kw)


@pytest.mark.parametrize(("now", "expected"), [
    (at(minutes=0), at(minutes=60)),  # enrolled at the handover: first look 60 minutes on, no call now
    (at(minutes=59), at(minutes=60)),
    (at(minutes=60), None),  # due: look now
    (at(hours=5), None),
])
def test_first_look_waits_first_check_minutes(now, expected):
    assert rules.due_without_call(H0, now, S) == expected


@pytest.mark.parametrize(("now", "expected"), [
    (at(hours=1), at(hours=2)),  # hourly while young
    (at(hours=23, minutes=59), at(hours=24, minutes=59)),
    (at(hours=24), at(hours=28)),  # then every 4 hours
    (at(days=3), at(days=3, hours=4)),
    (at(days=6, hours=22), at(days=7)),  # never past the watch: a last look at the deadline
    (at(days=7), None),  # the deadline's look saw nothing: give up
    (at(days=9), None),
])
def test_back_off_then_give_up(now, expected):
    assert rules.next_check(H0, now, S) == expected


def test_a_whole_watch_makes_a_bounded_number_of_looks():
    now, looks = rules.first_check(H0, S), 0
    while now is not None:
        looks += 1
        now = rules.next_check(H0, now, S)
    assert looks == 23 + 36 + 1  # hourly from hour 1 to 23, 4-hourly from 24 h to 7 d, then the deadline's


def test_settings_shape_the_schedule():
    short = Schedule(first_minutes=10, watch_days=1)
    assert rules.first_check(H0, short) == at(minutes=10)
    assert rules.next_check(H0, at(hours=23, minutes=30), short) == at(days=1)
    with pytest.raises(ValueError):
        Schedule(watch_days=0)


def ev(action: str, minutes: int, desc: str = "") -> TraceEvent:
    return TraceEvent(action, at(minutes=minutes), desc)


@pytest.mark.parametrize(("events", "picked", "last", "exception", "lost"), [
    ([], None, None, None, False),
    ([ev("GOT", 90, "快递员已揽件")], at(minutes=90), "GOT", None, False),
    # the pickup is the GOT's own time, not the last event's nor the look's
    ([ev("GOT", 90), ev("DEPARTURE", 200), ev("ARRIVAL", 400)], at(minutes=90), "ARRIVAL", None, False),
    # two GOTs (a re-scan at the depot): the first
    ([ev("GOT", 90), ev("GOT", 300)], at(minutes=90), "GOT", None, False),
    # no GOT, a later movement: picked up all the same, at that movement's time
    ([ev("DEPARTURE", 150), ev("ARRIVAL", 400)], at(minutes=150), "ARRIVAL", None, False),
    # a FAIL before any pickup: an exception, not a pickup
    ([ev("FAIL", 100, "揽收失败：联系不上寄件人")], None, "FAIL", "FAIL", False),
    ([ev("GOT", 90), ev("REJECTION", 900, "收件人拒收")], at(minutes=90), "REJECTION", "REJECTION", False),
    ([ev("WAIT", 70)], None, "WAIT", None, False),  # an action not known: shown, not a pickup
])
def test_decide_reads_the_pickup_and_the_exceptions(events, picked, last, exception, lost):
    d = rules.decide(H0, at(hours=5), events, S)
    assert d.picked_up_at == picked
    assert (d.last.action if d.last else None) == last
    assert (d.exception.action if d.exception else None) == exception
    assert d.lost is lost
    assert (d.next_check_at is None) == (picked is not None)


def test_decide_at_the_deadline_without_pickup_gives_up():
    d = rules.decide(H0, at(days=7), [ev("FAIL", 100, "揽收失败")], S)
    assert d.lost and d.next_check_at is None and d.picked_up_at is None
    assert rules.after_failure(H0, at(days=7), S) is None
    assert rules.after_failure(H0, at(hours=2), S) == at(hours=3)


@pytest.mark.parametrize("key", rules.RESPONSE_KEYS)
def test_read_trace_takes_both_spellings_and_both_time_fields(key):
    body = {key: {"trace_list": [
        {"action": "DEPARTURE", "status_time": "2026-12-01 13:00:00", "desc": "已发出"},
        {"action": "got", "time": "2026-12-01 11:30:00", "node_description": "快递员已揽件"},
        {"action": "ARRIVAL", "status_time": "not a time", "desc": "dropped"},
        "not an event",
    ]}}
    events = rules.read_trace(body)
    assert [e.action for e in events] == ["GOT", "DEPARTURE"]
    assert events[0].time == datetime(2026, 12, 1, 3, 30, tzinfo=UTC)  # Beijing -> UTC
    assert events[0].desc == "快递员已揽件"


@pytest.mark.parametrize("body", [None, {}, {"error_response": {"error_code": 1}},
                                  {"logistics_ordertrace_get_response": {"trace_list": "x"}}])
def test_read_trace_refuses_what_is_not_a_trace(body):
    with pytest.raises(Malformed):
        rules.read_trace(body)


def test_read_trace_without_events_is_empty():
    assert rules.read_trace({"logistics_ordertrace_get_response": {}}) == []


@pytest.mark.parametrize(("rate", "seconds", "calls"), [(10, 60, 600), (0.5, 1, 1), (300, 2, 600)])
def test_calls_this_pass(rate, seconds, calls):
    assert rules.calls_this_pass(rate, seconds) == calls


@pytest.mark.parametrize(("now", "until"), [(at(hours=1), at(hours=2)), (at(hours=30), at(hours=34)),
                                            (at(days=7), at(days=7, hours=4))])
def test_a_claim_moves_the_look_on_by_the_interval_the_parcel_is_in(now, until):
    assert rules.claim_until(H0, now) == until
    following = rules.next_check(H0, now, S)
    assert following is None or following <= until  # a claim never hides a look the schedule wants earlier
