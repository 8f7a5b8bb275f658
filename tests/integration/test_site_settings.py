"""The site's settings that decide a scan (weight tolerance, video required, platform trigger): stored
once in the database, used by a running bench from its next scan, changed by a supervisor, audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.cli import main
from app.demo import seed_demo
from app.errors import ConfigError
from app.models.schema import ScanEvent, SiteSetting
from app.packing import site
from app.packing.auth import authorize_supervisor
from app.packing.outcome import Step
from app.packing.workflow import BenchWorkflow
from tests.unit.packing.factories import at_weight

PIN = "123456"  # the demo supervisor S-9001


@pytest.fixture
def demo(sqlite_services):
    seed_demo(sqlite_services)
    return sqlite_services


def test_a_tolerance_change_applies_at_the_next_scan_of_a_running_bench(demo):
    flow = BenchWorkflow(demo, "BENCH-T")
    expected = at_weight(flow)
    over = expected + max(round(expected * 0.1), 50) + 30  # just outside the default tolerance
    refused = flow.handle(f"{over}g")
    assert not refused.accepted and flow.last_view.step == Step.WEIGHT
    supervisor = authorize_supervisor(demo, "S-9001", PIN, action="site settings")
    assert site.change(demo, supervisor, "weight_tolerance_min_g", 400, station="OFFICE") == (50, 400)
    accepted = flow.handle(f"{over}g")  # the same running bench, no restart
    assert accepted.accepted and accepted.step == Step.WAYBILL, accepted.message.render()
    with demo.read_uow() as uow:
        event = uow.session.scalars(select(ScanEvent).where(ScanEvent.kind == "settings")).one()
        stored = uow.session.get(SiteSetting, "weight_tolerance_min_g")
    assert event.raw == "weight_tolerance_min_g" and event.user_id == supervisor.user_id
    assert "changed the site setting weight_tolerance_min_g: 50 -> 400" in event.message
    assert json.loads(stored.value) == 400 and stored.changed_by == supervisor.user_id
    assert demo.settings.weight_tolerance_min_g == 50  # settings.json keeps its own: the default when unset


def test_the_platform_trigger_is_the_sites_from_the_next_scan(demo):
    flow = BenchWorkflow(demo, "BENCH-T")
    weight = at_weight(flow)
    supervisor = authorize_supervisor(demo, "S-9001", PIN, action="site settings")
    site.change(demo, supervisor, "platform_trigger", "handed_over")
    assert flow.handle(f"{weight}g").accepted
    done = flow.handle("SF1400000000000")
    assert done.accepted and done.view.completed_order == "PDD-1001"
    assert done.view.completed_platform is None  # no platform job at packed: it waits for the handover


@pytest.mark.parametrize(("key", "value", "error"), [
    ("weight_tolerance_pct", "101", "between 0 and 100"), ("weight_tolerance_min_g", "5.5", "a whole number"),
    ("require_video", "maybe", "true or false"), ("platform_trigger", "shipped", "packed or handed_over"),
    ("printer", "pdf:/tmp", "not a site setting")])
def test_a_site_setting_is_checked_before_it_is_stored(key, value, error):
    with pytest.raises(ConfigError, match=error):
        site.parse(key, value)


def test_the_command_line_shows_and_sets_a_site_setting_with_the_supervisors_pin(demo, monkeypatch, capsys):
    db = demo.db_url
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", "000000")
    assert main(["--db", db, "settings", "set", "require_video", "true", "--by", "S-9001"]) != 0
    assert "Not authorised" in capsys.readouterr().err
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", PIN)
    assert main(["--db", db, "settings", "set", "require_video", "yes", "--by", "S-9001"]) == 0
    assert "require_video: false -> true" in capsys.readouterr().out
    assert main(["--db", db, "settings", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["settings"]["require_video"] is True and shown["set_by_a_supervisor"] == ["require_video"]
    flow = BenchWorkflow(demo, "BENCH-T")
    assert flow.handle("P-1001").view.require_video is True  # the bench's camera gate hears it


def test_a_value_written_by_hand_that_is_not_one_leaves_the_default(demo, caplog):
    with demo.uow() as uow:
        uow.session.add(SiteSetting(key="weight_tolerance_pct", value='"lots"', changed_at=demo.clock()))
    assert site.read(demo).weight_tolerance_pct == 10.0
    assert "site setting weight_tolerance_pct ignored" in caplog.text
