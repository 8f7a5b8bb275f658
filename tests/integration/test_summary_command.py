"""``packgate summary``: the CLI prints the figures of the same function the view uses."""

from __future__ import annotations

import json
from argparse import Namespace

import pytest

from app.commands import summary as command
from app.demo import seed_demo
from app.errors import ConfigError


class Ctx:
    def __init__(self, services) -> None:
        self._services = services

    def services(self):
        return self._services


def run(services, capsys, **options) -> str:
    args = Namespace(date_from=None, date_to=None, period=None, json=False)
    for key, value in options.items():
        setattr(args, key, value)
    assert command.run(args, Ctx(services)) == 0
    return capsys.readouterr().out


def test_json_keeps_the_core_keys_and_adds_the_new_ones(sqlite_services, capsys):
    seed_demo(sqlite_services)
    data = json.loads(run(sqlite_services, capsys, json=True))
    for key in ("orders_by_state", "packed_without_waybill", "by_carrier", "by_packer", "late",
                "period", "tiles", "by_station", "throughput_per_hour", "exceptions"):
        assert key in data
    assert set(data["orders_by_state"]) == {"ready", "packing", "packed", "handed_over", "on_hold", "cancelled"}
    # Without dates: the whole database (the demo's 30 orders and its split order).
    assert sum(data["orders_by_state"].values()) == 31
    assert data["period"] == {"from": None, "to": None}


def test_text_output_and_period(sqlite_services, capsys):
    seed_demo(sqlite_services)
    out = run(sqlite_services, capsys, period="today")
    assert "Packed without waybill: 0" in out and "By station:" in out and "DEMO-HISTORY" in out
    out = run(sqlite_services, capsys, date_from="2026-11-25", date_to="2026-11-25", json=True)
    assert json.loads(out)["period"]["from"].startswith("2026-11-25T00:00:00")


@pytest.mark.parametrize("options, text", [
    ({"date_from": "25/11/2026"}, "is not a date"),
    ({"date_from": "2026-11-25", "date_to": "2026-11-01"}, "before"),
    ({"period": "today", "date_from": "2026-11-25"}, "either"),
])
def test_bad_options_are_one_clear_error(sqlite_services, capsys, options, text):
    with pytest.raises(ConfigError, match=text):
        run(sqlite_services, capsys, **options)
