"""The pickup watch's figures through `packgate` (SQLite; the queries are the summary's, run on
PostgreSQL by tests/integration/test_tracker.py's manifest count): `order --json` parcels'
picked_up_at and trace_last, `summary --json`'s not_picked_up / pickup_overdue / trace_exceptions,
`manifests list [--json]` "picked up 2 of 3", and `manifests picked-up ID --by BADGE` (audited)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.cli import main
from app.models.schema import ScanEvent, User
from app.security import hash_pin
from tests.conftest import Clock, _test_services
from tests.integration.test_tracker import add_shops, hand_over, make

PIN = "864213"


@pytest.fixture
def world(sqlite_url, tmp_path, monkeypatch):
    """Three parcels on manifest M-1 handed over 30 hours before the command runs: ZTO001 picked up
    90 minutes after the handover, ZTO002 never, ZTO003 after a FAIL (the carrier's words kept)."""
    from app.platform.standin import StandIn

    # The commands read the real clock: the story is set that far back (no wait, no sleep).
    clock = Clock(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=30))
    services = _test_services(sqlite_url, clock)
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", PIN)
    with StandIn(clock=lambda: clock.now.timestamp()) as gw:
        gw.add_shop("default", "token-default")
        shops = add_shops(services, gw, tmp_path, ("default",))
        h0 = clock.now.replace(microsecond=0)
        gw.trace("ZTO001", picked_up_after_min=90, start=h0.timestamp())
        gw.trace("ZTO003", picked_up_after_min=150, fail="揽收失败：寄件人电话无人接听", fail_after_min=100,
                 start=h0.timestamp())
        hand_over(services, ["ZTO001", "ZTO002", "ZTO003"], shop_id=None, manifest="M-1")  # the site's default shop
        with services.uow() as uow:
            uow.session.add(User(name="Sue", role="supervisor", badge="S-1", pin_hash=hash_pin(PIN, "supervisor")))
        tracker = make(services)
        try:
            tracker.run_once()
            clock.advance(hours=3)
            assert tracker.run_once().picked_up == 2
        finally:
            tracker.close()
        assert shops
        yield services, h0
    services.close()


def run_json(url, capsys, *args):
    assert main(["--db", url, *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_figures_show_the_parcel_not_picked_up(world, capsys):
    services, h0 = world
    url = services.db_url
    order = run_json(url, capsys, "order", "O-ZTO001")
    parcel = order["parcels"][0]
    assert datetime.fromisoformat(parcel["picked_up_at"]) == h0 + timedelta(minutes=90)
    assert parcel["trace_last"]["action"] == "GOT" and "揽收" in parcel["trace_last"]["desc"]
    assert run_json(url, capsys, "order", "O-ZTO002")["parcels"][0]["picked_up_at"] is None

    figures = run_json(url, capsys, "summary")
    assert (figures["not_picked_up"], figures["pickup_overdue"], figures["trace_exceptions"]) == (1, 1, 1)
    waiting = figures["pickup"]["waiting"]
    assert [w["waybill"] for w in waiting] == ["ZTO002"] and waiting[0]["manifest"] == "M-1"
    courier = figures["pickup"]["by_courier"]["ZTO"]
    assert (courier["handed_over"], courier["picked_up"], courier["median_pickup_minutes"]) == (3, 2, 120.0)
    assert main(["--db", url, "summary"]) == 0
    assert "not picked up after 12 h 1" in capsys.readouterr().out

    [listed] = run_json(url, capsys, "manifests", "list")
    assert (listed["manifest"], listed["parcels"], listed["picked_up"]) == ("M-1", 3, 2)
    assert main(["--db", url, "manifests", "list"]) == 0
    assert "picked up 2 of 3" in capsys.readouterr().out


def test_a_paper_manifest_is_recorded_picked_up_by_hand_and_audited(world, capsys):
    services, _h0 = world
    url = services.db_url
    with pytest.raises(SystemExit) as info:  # --by is required: nothing changed
        main(["--db", url, "manifests", "picked-up", "M-1"])
    assert info.value.code == 2
    capsys.readouterr()
    assert main(["--db", url, "manifests", "picked-up", "M-1", "--by", "S-1"]) == 0
    assert "1 of 3 parcels had no pickup scan" in capsys.readouterr().out
    [listed] = run_json(url, capsys, "manifests", "list")
    assert listed["picked_up"] == 3
    assert run_json(url, capsys, "summary")["not_picked_up"] == 0
    assert main(["--db", url, "manifests", "picked-up", "M-1", "--by", "S-1"]) == 2  # once: refused, said why
    with services.read_uow() as uow:
        events = uow.session.scalars(select(ScanEvent).where(ScanEvent.raw.like("packgate manifests picked-up%"))).all()
        assert len(events) == 1 and "Sue" in events[0].message and events[0].manifest_id is not None
