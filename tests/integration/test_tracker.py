"""The pickup watch against the real stand-in PDD gateway on loopback, on SQLite and PostgreSQL,
clocks injected (no sleeps): the first look an hour after the handover, a parcel picked up (at its
GOT's own time), one never picked up (lost after the watch), a FAIL with the carrier's words, a
manifest with 2 of 3 picked up, a pass killed mid-way (nothing asked twice within its interval,
nothing forgotten), two shops with their own tokens (an expired one stops that shop only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.models.schema import Manifest, ManifestItem, Order, Parcel, ParcelTracking
from app.platform import shops as shop_store
from app.platform.standin import StandIn
from app.platform.track_rules import Schedule
from app.platform.tracker import NO_SHOP, Tracker
from tests.integration.test_pull import secret


@pytest.fixture
def gateway(clock):
    with StandIn(clock=lambda: clock.now.timestamp()) as gw:
        gw.add_shop("north", "token-north")
        gw.add_shop("south", "token-south")
        yield gw


def add_shops(services, gw, tmp_path, names=("north", "south")) -> dict[str, int]:
    out = {}
    with services.uow() as uow:
        for name in names:
            options = {"client_id": gw.client_id, "client_secret_file": secret(tmp_path, "secret", gw.secret),
                       "access_token_file": secret(tmp_path, f"tok-{name}", f"token-{name}"), "endpoint": gw.url}
            out[name] = shop_store.save(uow.session, name, options, services.clock(), default_carrier="ZTO").id
    return out


def hand_over(services, numbers: list[str], *, shop_id: int | None, manifest: str | None = None) -> None:
    """Orders packed with these waybills, then handed over now on one manifest (as the bench does)."""
    at = services.clock()
    with services.uow() as uow:
        s = uow.session
        m = None
        if manifest:
            m = Manifest(manifest_no=manifest, carrier_code="ZTO", opened_at=at, closed_at=at)
            s.add(m)
        for number in numbers:
            order = Order(order_no=f"O-{number}", carrier_code="ZTO", state="packed", waybill=number, shop_id=shop_id,
                          packed_at=at, created_at=at)
            s.add(order)
            s.flush()
            parcel = Parcel(order_id=order.id, seq=1, waybill=number, packed_at=at, sealed=True)
            s.add(parcel)
            s.flush()
            if m is not None:
                s.flush()
                s.add(ManifestItem(manifest_id=m.id, order_id=order.id, parcel_id=parcel.id, scanned_at=at))
        s.flush()
        s.execute(update(Order).where(Order.order_no.in_([f"O-{n}" for n in numbers]))
                  .values(state="handed_over", handed_over_at=at))


def tracking(services) -> dict[str, ParcelTracking]:
    with services.read_uow() as uow:
        rows = uow.session.execute(select(Parcel.waybill, ParcelTracking).join(Parcel, Parcel.id == ParcelTracking.parcel_id)).all()
        uow.session.expunge_all()
        return {w: t for w, t in rows}


def make(services, **kw) -> Tracker:
    return Tracker(services.uow, services.clock, read_uow=services.read_uow, schedule=Schedule(60, 7),
                   rate_per_s=kw.pop("rate_per_s", 500), **kw)


def test_picked_up_never_and_a_fail_on_a_manifest_of_three(services, gateway, clock, tmp_path):
    shops = add_shops(services, gateway, tmp_path, ("north",))
    h0 = clock.now.replace(microsecond=0)  # the platform speaks in seconds
    gateway.trace("ZTO001", picked_up_after_min=90, start=h0.timestamp())
    gateway.trace("ZTO002", picked_up_after_min=None, start=h0.timestamp())
    gateway.trace("ZTO003", picked_up_after_min=150, fail="揽收失败：寄件人电话无人接听", fail_after_min=100,
                  start=h0.timestamp())
    gateway.trace_response_key = "logistics_ordertrace_get_resposne"  # the SDKs' spelling is read too
    hand_over(services, ["ZTO001", "ZTO002", "ZTO003"], shop_id=shops["north"], manifest="M-1")
    tracker = make(services)
    try:
        first = tracker.run_once()  # enrolled: the first look an hour on, no call now
        assert (first.scheduled, first.looked, gateway.trace_asks) == (3, 0, [])
        assert tracker.run_once().due == 0  # nothing due: no call, no write
        clock.advance(minutes=61)
        one = tracker.run_once()
        assert (one.looked, one.picked_up, one.calls) == (3, 0, {"north": 3})
        assert tracker.run_once().due == 0  # the next look is an hour on
        clock.advance(minutes=60)  # h0 + 2 h 01
        two = tracker.run_once()
        assert (two.looked, two.picked_up, two.exceptions) == (3, 1, 1)
        t = tracking(services)
        assert t["ZTO001"].picked_up_at == h0 + timedelta(minutes=90)  # the GOT's own time, not the look's
        assert (t["ZTO001"].picked_up_by, t["ZTO001"].next_check_at, t["ZTO001"].trace_action) == ("trace", None, "GOT")
        assert t["ZTO003"].exception_action == "FAIL" and "无人接听" in t["ZTO003"].exception_desc
        assert t["ZTO003"].picked_up_at is None and t["ZTO003"].next_check_at is not None
        clock.advance(minutes=60)  # h0 + 3 h 01: ZTO003 picked up after its FAIL
        assert tracker.run_once().looked == 2  # the picked-up parcel is not asked again
        t = tracking(services)
        assert t["ZTO003"].picked_up_at == h0 + timedelta(minutes=150) and t["ZTO003"].exception_action == "FAIL"
        with services.read_uow() as uow:
            from app.reports.pickup import manifest_pickups, pickup_figures

            assert manifest_pickups(uow.session)["M-1"] == (3, 2)  # "picked up 2 of 3"
            assert pickup_figures(uow.session, clock.now, 12)["not_picked_up"] == 0  # not yet 12 hours
            assert pickup_figures(uow.session, h0 + timedelta(hours=12, minutes=1), 12)["not_picked_up"] == 1
            assert pickup_figures(uow.session, clock.now, 12)["trace_exceptions"] == 1
        asked = [n for _shop, n, _at in gateway.trace_asks]
        assert asked.count("ZTO001") == 2 and asked.count("ZTO002") == 3
        # ZTO002 is never picked up: hourly for a day, then every 4 hours, given up after 7 days
        for _ in range(200):
            clock.advance(hours=1)
            tracker.run_once()
        t = tracking(services)["ZTO002"]
        assert t.lost and t.next_check_at is None and t.picked_up_at is None
        asked = [n for _shop, n, _at in gateway.trace_asks]
        assert asked.count("ZTO002") == 23 + 36 + 1  # the schedule of tests/unit/platform/test_track_rules.py
    finally:
        tracker.close()


class Killed(BaseException):
    """The process dies mid-pass (kill -9 between the calls and the writing of their answers)."""


class DyingClient:
    def __init__(self, inner, after: int) -> None:
        self.inner, self.left = inner, after

    def call(self, api, **business):
        self.left -= 1
        if self.left < 0:
            raise Killed()
        return self.inner.call(api, **business)

    def close(self):
        self.inner.close()


def test_a_pass_killed_mid_way_asks_nothing_twice_within_its_interval_and_forgets_nothing(
        services, gateway, clock, tmp_path):
    from app.platform.pdd import PddClient

    shops = add_shops(services, gateway, tmp_path, ("north",))
    numbers = [f"ZTO1{i:03d}" for i in range(30)]
    hand_over(services, numbers, shop_id=shops["north"])
    tracker = make(services, workers=1)
    tracker.run_once()
    tracker.close()
    clock.advance(minutes=61)
    dying = make(services, workers=1, client_factory=lambda o: DyingClient(PddClient.from_options(o), 12))
    with pytest.raises(Killed):
        dying.run_once()
    dying._pool.shutdown(wait=True)
    assert len(gateway.trace_asks) == 12
    again = make(services)
    try:
        assert again.run_once().due == 0  # restarted at once: the claimed parcels wait their interval out
        assert len(gateway.trace_asks) == 12
        clock.advance(minutes=59)
        assert again.run_once().looked == 0
        clock.advance(minutes=2)
        done = again.run_once()
        assert done.looked == 30  # nothing forgotten: every parcel asked, once
        asked = [n for _s, n, _at in gateway.trace_asks]
        assert sorted(set(asked)) == numbers and max(asked.count(n) for n in numbers) == 2
        for n in numbers:  # never twice within the hour
            times = [at for _s, x, at in gateway.trace_asks if x == n]
            assert all(b - a >= 3600 for a, b in zip(times, times[1:], strict=False))
        assert {t.checks for t in tracking(services).values()} == {2}  # both claims counted a look
    finally:
        again.close()


def test_two_shops_ask_with_their_own_tokens_and_an_expired_one_stops_only_its_shop(services, gateway, clock, tmp_path):
    shops = add_shops(services, gateway, tmp_path)
    hand_over(services, ["ZTO201", "ZTO202"], shop_id=shops["north"])
    hand_over(services, ["ZTO301", "ZTO302"], shop_id=shops["south"])
    hand_over(services, ["ZTO401"], shop_id=None)  # imported from a file, no default shop: not followed
    for n in ("ZTO201", "ZTO202", "ZTO301", "ZTO302"):
        gateway.trace(n, picked_up_after_min=30, start=clock.now.timestamp())
    gateway.expire("south")
    tracker = make(services)
    try:
        tracker.run_once()
        clock.advance(minutes=61)
        stats = tracker.run_once()
        assert stats.picked_up == 2 and stats.not_followed == 1 and "south" in stats.stopped
        assert {(shop, n) for shop, n, _ in gateway.trace_asks} >= {("north", "ZTO201"), ("north", "ZTO202")}
        t = tracking(services)
        assert t["ZTO201"].picked_up_at is not None and t["ZTO301"].picked_up_at is None
        assert t["ZTO401"].next_check_at is None and t["ZTO401"].last_error == NO_SHOP
        with services.read_uow() as uow:
            assert shop_store.get(uow.session, "north").active and not shop_store.get(uow.session, "south").active
        clock.advance(hours=2)
        assert tracker.run_once().calls == {}  # the stopped shop's parcels wait, untouched
        with services.read_uow() as uow:
            waiting = uow.session.scalar(select(func.count()).select_from(ParcelTracking)
                                         .where(ParcelTracking.picked_up_at.is_(None),
                                                ParcelTracking.next_check_at.is_not(None)))
        assert waiting == 2  # not forgotten: they are asked once the shop's token is set again
    finally:
        tracker.close()


def test_the_stand_in_traces_by_waybill_by_order_and_by_default(gateway, clock):
    """What the demo tells it: every number picked up at once except those shipped for one order."""
    from app.platform.pdd import PddClient
    from app.platform.standin import TracePlan
    from app.platform.track_rules import read_trace

    gateway.ship("PDD-1004", "ZTO0004", 115)
    gateway.trace("PDD-1004", picked_up_after_min=None)
    gateway.trace("ZTO0009", fail="派件异常")
    gateway.trace_default = TracePlan(0)
    client = PddClient(gateway.client_id, gateway.secret, "token-north", gateway.url)
    try:
        def trace(number):
            verdict, body = client.call("pdd.logistics.ordertrace.get", company_code="ZTO", mail_no=number)
            assert verdict.kind == "ok", verdict
            return [e.action for e in read_trace(body)]

        assert trace("ZTO0001") == ["GOT"]  # the default: picked up as it is first asked about
        assert trace("ZTO0004") == []  # shipped for PDD-1004: never
        clock.advance(minutes=11)
        assert trace("ZTO0009") == [] and trace("ZTO0001") == ["GOT"]  # ZTO0009's FAIL: 10 minutes after its start
        clock.advance(minutes=11)
        assert trace("ZTO0009") == ["FAIL"]
        verdict, body = client.call("pdd.logistics.ordertrace.get", mail_no="ZTO0001")
        assert verdict.kind != "ok"  # company_code is required
    finally:
        client.close()


def test_a_pass_with_nothing_due_reads_one_range_of_the_due_index(sqlite_services, clock):
    from sqlalchemy.dialects import sqlite

    from app.platform.tracker import due_query

    query = due_query(clock.now).compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    with sqlite_services.engine.connect() as conn:
        plan = " | ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}"))
    assert plan.startswith("SEARCH parcel_tracking USING INDEX ix_parcel_tracking_due (next_check_at>? AND "
                           "next_check_at<?)"), plan  # a range of the partial index, in its order
    assert "SCAN" not in plan and "TEMP B-TREE" not in plan, plan  # no table read, no sort


def test_the_sender_runs_a_pass_on_a_thread_of_its_own_every_track_minutes(sqlite_services):
    """The shipments never wait on the watch's ceiling: its pass runs beside the sender's cycle."""
    import threading

    from app.platform.sender import Sender

    release, passes = threading.Event(), []

    class Slow:
        def run_once(self):
            passes.append(1)
            release.wait(10)

        def close(self):
            pass

    svc = sqlite_services
    sender = Sender(svc.uow, svc.catalogue, svc.clock, read_uow=svc.read_uow, tracker=Slow(), track_minutes=5)
    try:
        thread = sender.track_if_due()
        assert thread is not None and thread.name == "pickup-track"
        sender.run_once()  # the sender's cycle goes on while the pass waits
        assert sender.track_if_due() is None  # not due again for 5 minutes (and the pass still runs)
        release.set()
        thread.join(10)
        assert passes == [1] and not thread.is_alive()
    finally:
        sender.shutdown()
