"""Period boundaries are local midnights: today, yesterday, this week, any range of days."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.reports.summary import Period

SH = ZoneInfo("Asia/Shanghai")


def test_today_in_local_time():
    now = datetime(2026, 11, 25, 17, 30, tzinfo=UTC)  # 01:30 on the 26th in Shanghai
    p = Period.today(now, SH)
    assert p.start == datetime(2026, 11, 26, tzinfo=SH) and p.end == datetime(2026, 11, 27, tzinfo=SH)


def test_yesterday_and_week():
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday
    assert Period.yesterday(now, UTC) == Period(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
    week = Period.this_week(now, UTC)
    assert week.start == datetime(2026, 11, 23, tzinfo=UTC)  # Monday
    assert week.end - week.start == timedelta(days=3)
    assert Period.named("week", now, UTC) == week


def test_days_is_inclusive():
    p = Period.days(date(2026, 11, 1), date(2026, 11, 30), UTC)
    assert (p.end - p.start).days == 30


def test_unbounded_period_has_no_clause():
    assert Period().clause(None) is None and not Period().bounded
    assert Period().as_dict() == {"from": None, "to": None}


def test_unknown_named_period():
    with pytest.raises(KeyError):
        Period.named("fortnight", datetime(2026, 1, 1, tzinfo=UTC))
