"""The supervisor's figures on a hand-made shift, on SQLite and PostgreSQL.

Every expected number below is counted by hand from the rows this file inserts (see the comments
beside each order), never by calling the code under test.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.models.schema import Manifest, Order, ScanEvent, Station, User
from app.reports.summary import Period, summary

D = datetime(2026, 11, 25, tzinfo=UTC)  # the day of the shift (UTC here: tz passed explicitly)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = Period(D, datetime(2026, 11, 26, tzinfo=UTC))


def t(day: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=UTC)


def seed_shift(services) -> None:
    with services.uow() as uow:
        s = uow.session
        ann = User(name="Ann", role="packer", badge="P-A", created_at=NOW)
        bob = User(name="Bob", role="packer", badge="P-B", created_at=NOW)
        sup = User(name="Sue", role="supervisor", badge="S-S", created_at=NOW)
        b1, b2 = Station(name="B1", created_at=NOW), Station(name="B2", created_at=NOW)
        s.add_all([ann, bob, sup, b1, b2])
        s.flush()

        def order(no, state, carrier, created, **kw):
            o = Order(order_no=no, carrier_code=carrier, state=state, created_at=created, imported_at=created, **kw)
            s.add(o)
            return o

        def packed(packer, station, started, secs):
            from datetime import timedelta

            return dict(packer_id=packer.id, station_id=station.id, packing_started_at=started,
                        packed_at=started + timedelta(seconds=secs))

        o1 = order("O1", "handed_over", "SF", t(25, 5), waybill="W1", handed_over_at=t(25, 10),
                   **packed(ann, b1, t(25, 8), 100))                      # packed 08:01:40
        o2 = order("O2", "packed", "SF", t(25, 5), waybill="W2", **packed(ann, b1, t(25, 9), 200))  # 09:03:20
        order("O3", "packed", "ZTO", t(24, 18), waybill="W3", **packed(bob, b2, t(24, 20), 300))  # yesterday
        o4 = order("O4", "packed", "ZTO", t(25, 5), waybill="W4", **packed(bob, b2, t(25, 8, 30), 300))  # 08:35
        order("O5", "handed_over", "ZTO", t(25, 5), waybill="W5", handed_over_at=t(25, 11),
              **packed(bob, b1, t(25, 9, 10), 40))                          # 09:10:40
        order("O6", "ready", "SF", t(24, 6))                                # late (> 24 h)
        order("O7", "ready", "SF", t(25, 7))
        order("O8", "packing", "ZTO", t(23, 6), station_id=b2.id, packer_id=ann.id,
              packing_started_at=t(25, 11))                                 # late
        order("O9", "on_hold", "SF", t(25, 1), hold_reason="short: mug broken")
        order("O10", "cancelled", "SF", t(25, 1))
        order("O11", "handed_over", "SF", t(24, 8), waybill="W11", handed_over_at=t(24, 15),
              **packed(ann, b1, t(24, 10), 600))                            # yesterday
        order("O12", "packed", "SF", t(25, 5), waybill="W12", **packed(ann, b1, t(25, 10), 1000))  # 10:16:40
        s.add(Manifest(manifest_no="M-OPEN", carrier_code="ZTO", station_id=b2.id, opened_at=t(25, 11)))
        s.flush()

        def ev(at, user, station, kind, ok, order_id=None, reason=""):
            s.add(ScanEvent(at=at, user_id=user.id if user else None, station_id=station.id, order_id=order_id,
                            kind=kind, accepted=ok, raw="x", message="m", reason=reason))

        # Ann at B1: 1 order scan, 6 items accepted, 2 refused, 1 print (not a scan).
        ev(t(25, 7, 55), ann, b1, "order", True)
        for i in range(6):
            ev(t(25, 8, i), ann, b1, "item", True)
        ev(t(25, 8, 10), ann, b1, "item", False)
        ev(t(25, 10, 16), ann, b1, "item", False)
        ev(t(25, 8, 1), ann, b1, "print", True)
        ev(t(25, 9, 2), ann, b1, "reprint", True, order_id=o2.id)        # exception: reprint
        ev(t(24, 23, 59), ann, b1, "item", True)                          # yesterday: not counted
        # Bob at B2: 3 items, 1 refused waybill; at B1: 1 item.
        for i in range(3):
            ev(t(25, 8, 20 + i), bob, b2, "item", True)
        ev(t(25, 8, 35), bob, b2, "waybill", False)
        ev(t(25, 9, 5), bob, b1, "item", True)
        ev(t(25, 7, 0), None, b2, "badge", False)                          # unknown badge: station only
        ev(t(25, 11, 29), sup, b1, "auth", True)                           # not a scan
        ev(t(25, 11, 30), sup, b1, "unlink", True, order_id=o4.id, reason="wrong label")
        assert o1.id and o4.id


@pytest.fixture
def figures(services):
    seed_shift(services)
    with services.read_uow() as uow:
        return summary(uow.session, NOW, TODAY, late_hours=24, pickup_warn_hours=4, tz=UTC)


def test_states_and_tiles(figures):
    # Created on the 25th: O1 O5 handed over, O2 O4 O12 packed, O7 ready, O9 on hold, O10 cancelled.
    assert figures["orders_by_state"] == {"ready": 1, "packing": 0, "packed": 3, "handed_over": 2,
                                          "on_hold": 1, "cancelled": 1}
    assert figures["tiles"] == {
        "ready": 2,  # O6 O7
        "packing": 1,  # O8
        "packed": 4,  # O2 O3 O4 O12 awaiting pickup now
        "handed_over": 2,  # O1 at 10:00, O5 at 11:00 (O11 yesterday)
        "on_hold": 1,
        "cancelled": 1,
        "late": 2,  # O6 (created 24th 06:00), O8 (23rd)
        "packed_without_waybill": 0,
        "packed_in_period": 5,  # O1 O2 O4 O5 O12
    }
    assert figures["late"] == 2 and figures["packed_without_waybill"] == 0


def test_by_carrier(figures):
    assert figures["by_carrier"] == {
        "SF": {"packed": 3, "handed_over": 1, "awaiting_pickup": 2, "open_manifests": 0},
        "ZTO": {"packed": 2, "handed_over": 1, "awaiting_pickup": 2, "open_manifests": 1},
    }


def test_by_packer_and_station(figures):
    ann, bob = figures["by_packer"]["Ann"], figures["by_packer"]["Bob"]
    assert set(figures["by_packer"]) == {"Ann", "Bob"}  # the supervisor's auth/unlink are not scans
    # Ann: O1 100 s, O2 200 s, O12 1000 s.
    assert (ann["orders"], ann["avg_seconds"], ann["median_seconds"]) == (3, pytest.approx(433.3, abs=0.1), 200)
    assert (ann["scans"], ann["refused"], ann["items"]) == (9, 2, 6)
    assert ann["refused_rate"] == pytest.approx(2 / 9, abs=1e-4)
    assert ann["first_scan"] == t(25, 7, 55).astimezone().isoformat(timespec="seconds")
    assert ann["last_scan"] == t(25, 10, 16).astimezone().isoformat(timespec="seconds")
    # Bob: O4 300 s, O5 40 s.
    assert (bob["orders"], bob["avg_seconds"], bob["median_seconds"]) == (2, 170, 170)
    assert (bob["scans"], bob["refused"], bob["items"], bob["refused_rate"]) == (5, 1, 4, 0.2)
    b1, b2 = figures["by_station"]["B1"], figures["by_station"]["B2"]
    # B1: O1 100, O2 200, O5 40, O12 1000 -> median (100 + 200) / 2.
    assert (b1["orders"], b1["avg_seconds"], b1["median_seconds"]) == (4, 335, 150)
    assert (b1["scans"], b1["refused"], b1["items"]) == (10, 2, 7)
    # B2: O4 300; scans: Bob's 4 and the unknown badge.
    assert (b2["orders"], b2["avg_seconds"], b2["median_seconds"]) == (1, 300, 300)
    assert (b2["scans"], b2["refused"], b2["items"], b2["refused_rate"]) == (5, 2, 3, 0.4)
    assert b2["first_scan"] == t(25, 7, 0).astimezone().isoformat(timespec="seconds")


def test_throughput_per_hour(figures):
    hours = figures["throughput_per_hour"]
    assert len(hours) == 24
    assert {h: n for h, n in hours.items() if n} == {"08": 2, "09": 2, "10": 1}


def test_exceptions(figures):
    ex, counts = figures["exceptions"], figures["exception_counts"]
    assert [r["order_no"] for r in ex["on_hold"]] == ["O9"] and ex["on_hold"][0]["detail"] == "short: mug broken"
    assert [r["order_no"] for r in ex["late"]] == ["O8", "O6"]
    assert [r["order_no"] for r in ex["awaiting_pickup"]] == ["O3"]  # packed before 08:00; O2 is recent
    assert [r["order_no"] for r in ex["reprints"]] == ["O2"]
    assert [(r["order_no"], r["detail"], r["user"]) for r in ex["unlinked"]] == [("O4", "wrong label", "Sue")]
    assert counts == {"on_hold": 1, "late": 2, "awaiting_pickup": 1, "reprints": 1, "unlinked": 1, "parcels_left_behind": 0}
    json.dumps(figures)  # plain data all the way


def test_whole_database_without_a_period(services):
    seed_shift(services)
    with services.read_uow() as uow:
        figures = summary(uow.session, NOW, None, tz=UTC)
    assert figures["orders_by_state"] == {"ready": 2, "packing": 1, "packed": 4, "handed_over": 3,
                                          "on_hold": 1, "cancelled": 1}
    assert figures["by_packer"]["Ann"]["orders"] == 4  # O11 of yesterday too
    assert figures["period"] == {"from": None, "to": None}
    assert figures["tiles"]["handed_over"] == 3


def test_local_day_boundaries_and_hours(services):
    """In Shanghai (UTC+8) the 25th starts at 16:00 UTC on the 24th; 08:01 UTC is 16h local."""
    seed_shift(services)
    shanghai = ZoneInfo("Asia/Shanghai")
    period = Period.today(t(25, 12), shanghai)  # 20:00 local on the 25th
    assert period.start == t(24, 16) and period.end == t(25, 16)
    with services.read_uow() as uow:
        figures = summary(uow.session, NOW, period, tz=shanghai)
    # Packed between 24th 16:00 and 25th 16:00 UTC: O1 O2 O4 O5 O12, and O3 (24th 20:05 UTC).
    assert figures["tiles"]["packed_in_period"] == 6
    assert {h: n for h, n in figures["throughput_per_hour"].items() if n} == {"04": 1, "16": 2, "17": 2, "18": 1}
