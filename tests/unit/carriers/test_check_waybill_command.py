"""``packgate check-waybill``, called through its own parser (app.cli imports every command module)."""

from __future__ import annotations

import argparse

import pytest

from app.commands import check_waybill
from app.errors import ConfigError


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="packgate")
    check_waybill.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["check-waybill", *argv])
    return args.func(args, None)


def test_valid_number(capsys):
    assert _run("--carrier", "SF", "SF1234567890123") == 0
    assert capsys.readouterr().out == "valid\n"


def test_carrier_by_alias_and_number_as_scanned(capsys):
    assert _run("--carrier", "顺丰", " sf1234567890123\r\n") == 0
    assert capsys.readouterr().out == "valid\n"


def test_wrong_check_digit(capsys):
    assert _run("--carrier", "UPS", "1Z5R89390357567128") == 1
    assert capsys.readouterr().out == "invalid: Check digit wrong for UPS\n"


def test_wrong_form(capsys):
    assert _run("--carrier", "ZTO", "SF1234567890123") == 1
    assert capsys.readouterr().out == "invalid: SF1234567890123 is not a ZTO waybill number (14 digits)\n"


def test_unknown_carrier_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown carrier 'NOPE'"):
        _run("--carrier", "NOPE", "SF1234567890123")


def test_carrier_is_required(capsys):
    with pytest.raises(SystemExit) as exc:
        _run("SF1234567890123")
    assert exc.value.code == 2
