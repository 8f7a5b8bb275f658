"""settings.json with wrong types: one line naming the bad setting, exit status 2, nothing changed."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.config import Settings, settings_path
from app.errors import ConfigError

BAD = [
    ("[1, 2]", "must be a JSON object"),
    ('"text"', "must be a JSON object"),
    ('{"weight_tolerance_pct": "abc"}', "weight_tolerance_pct must be a number"),
    ('{"late_hours": "x"}', "late_hours must be a whole number"),
    ('{"late_hours": 2.5}', "late_hours must be a whole number"),
    ('{"zpl_dpi": true}', "zpl_dpi must be a whole number"),
    ('{"sounds": "no"}', "sounds must be true or false"),
    ('{"station": 7}', "station must be text"),
    ('{"printer": null}', "printer must be text"),
    ('{"weight_tolerance_pct": 250}', "weight_tolerance_pct must be between 0 and 100"),
    ('{"label_size": "1x1"}', "label_size must be"),
]


@pytest.mark.parametrize(("content", "expected"), BAD)
def test_wrong_types_name_the_setting(content, expected):
    path = settings_path()
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Settings.load(path)
    assert expected in caught.value.message and str(path) in caught.value.message
    assert "\n" not in caught.value.message
    assert path.read_text(encoding="utf-8") == content


@pytest.mark.parametrize(("content", "expected"), BAD[:4])
def test_cli_exits_2_with_one_line(content, expected, capsys, tmp_path):
    settings_path().write_text(content, encoding="utf-8")
    assert main(["--db", f"sqlite:///{tmp_path / 'x.db'}", "summary"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err and "internal error" not in err


def test_whole_numbers_are_numbers_and_unknown_keys_are_ignored():
    path = settings_path()
    path.write_text(json.dumps({"weight_tolerance_pct": 5, "late_hours": 12, "future_setting": [1]}))
    settings = Settings.load(path)
    assert settings.weight_tolerance_pct == 5.0 and isinstance(settings.weight_tolerance_pct, float)
    assert settings.late_hours == 12


def test_changes_lists_what_differs():
    before = Settings()
    after = Settings(weight_tolerance_pct=100.0, sounds=False)
    assert before.changes(after) == {"sounds": (True, False), "weight_tolerance_pct": (10.0, 100.0)}
