"""The carrier catalogue: names, aliases, look-ups, and loading it from TOML."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.carriers import Carrier, load_catalogue
from app.errors import ConfigError

# The aliases the import files use, as agreed with the warehouse (the data must keep them).
ALIASES = [
    ("顺丰", "SF"),
    ("顺丰速运", "SF"),
    ("中通", "ZTO"),
    ("中通快递", "ZTO"),
    ("圆通", "YTO"),
    ("圆通速递", "YTO"),
    ("申通", "STO"),
    ("申通快递", "STO"),
    ("韵达", "YUNDA"),
    ("韵达快递", "YUNDA"),
    ("京东", "JD"),
    ("京东物流", "JD"),
    ("极兔", "JT"),
    ("极兔速递", "JT"),
    ("邮政", "EMS"),
    ("EMS", "EMS"),
    ("邮政EMS", "EMS"),
    ("中国邮政", "EMS"),
    ("德邦", "DEPPON"),
    ("德邦快递", "DEPPON"),
    ("其他", "OTHER"),
]

CODES = [
    "SF",
    "ZTO",
    "YTO",
    "STO",
    "YUNDA",
    "JD",
    "JT",
    "EMS",
    "DEPPON",
    "UPS",
    "FEDEX",
    "USPS",
    "DHL",
    "OTHER",
]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_all_carriers_in_catalogue_order(catalogue):
    assert [c.code for c in catalogue.all()] == CODES


@pytest.mark.parametrize(("alias", "code"), ALIASES)
def test_resolve_alias(catalogue, alias, code):
    assert catalogue.resolve(alias).code == code
    assert catalogue.resolve(f" {alias}\t").code == code  # cells in import files carry stray spaces


@pytest.mark.parametrize("code", CODES)
def test_resolve_code_in_any_case(catalogue, code):
    assert catalogue.resolve(code).code == code
    assert catalogue.resolve(code.lower()).code == code
    assert catalogue.resolve(code.title()).code == code


@pytest.mark.parametrize(("name", "code"), [("FedEx", "FEDEX"), ("sf express", "SF"), ("J&T Express", "JT")])
def test_resolve_english_name(catalogue, name, code):
    assert catalogue.resolve(name).code == code


@pytest.mark.parametrize("text", ["", "   ", "顺风", "SFX", "中通 快递"])
def test_resolve_unknown(catalogue, text):
    assert catalogue.resolve(text) is None


def test_get_takes_codes_only(catalogue):
    assert catalogue.get("ups").code == "UPS"
    assert catalogue.get("Deppon").code == "DEPPON"
    assert catalogue.get("顺丰") is None
    assert catalogue.get("NOPE") is None


def test_display_name(catalogue):
    assert catalogue.get("SF").display_name == "顺丰速运 SF Express"
    assert catalogue.get("OTHER").display_name == "其他 Other"
    assert catalogue.get("UPS").display_name == "UPS"


def test_carrier_is_immutable(catalogue):
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalogue.get("SF").code = "ZTO"
    assert catalogue.get("SF").aliases == ("顺丰", "顺丰速运", "顺丰快递")


def test_default_catalogue_is_loaded_once():
    assert load_catalogue() is load_catalogue()


def test_expected_forms_in_words(catalogue):
    assert catalogue.expected("SF") == "SF + 13 digits or 12 digits"
    assert catalogue.expected("NOPE") == ""


NEW_CARRIER = """
[[carriers]]
code = "BEST"
name_en = "Best Express"
name_zh = "百世快递"
aliases = ["百世"]

[[carriers.rules]]
description = "BX + 12 digits + check digit"
pattern = 'BX(?P<serial>\\d{12})(?P<check>\\d)'
checksum = "gs1_mod10"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "carriers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_new_carrier_needs_no_code(tmp_path):
    catalogue = load_catalogue(_write(tmp_path, NEW_CARRIER))
    assert catalogue.resolve("百世") == Carrier("BEST", "Best Express", "百世快递", ("百世",))
    assert catalogue.validate("BEST", "bx0000000000017").ok  # 1 x 3 = 3 -> check 7
    assert str(catalogue.validate("BEST", "BX0000000000018").message) == "Check digit wrong for BEST"
    assert not catalogue.validate("SF", "SF1234567890123").ok  # only what the file lists


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (('checksum = "gs1_mod10"', 'checksum = "luhn"'), "unknown checksum"),
        (("(?P<check>\\d)", "\\d"), "needs the groups"),
        (("BX(?P<serial>", "BX((?P<serial>"), "bad pattern"),
        (('code = "BEST"', 'code = "best"'), "upper case"),
        (('description = "BX + 12 digits + check digit"', ""), "rule #1: 'description'"),
        (('name_en = "Best Express"', ""), "name_en"),
        (("[[carriers]]", "[carriers"), "not valid TOML"),
    ],
)
def test_a_broken_catalogue_is_a_config_error(tmp_path, change, complaint):
    text = NEW_CARRIER.replace(*change)
    assert text != NEW_CARRIER
    with pytest.raises(ConfigError, match=complaint):
        load_catalogue(_write(tmp_path, text))


def test_two_carriers_with_the_same_alias_are_refused(tmp_path):
    text = NEW_CARRIER + NEW_CARRIER.replace('code = "BEST"', 'code = "BEST2"').replace("Best Express", "B2")
    with pytest.raises(ConfigError, match="百世快递"):
        load_catalogue(_write(tmp_path, text))


def test_a_missing_catalogue_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_catalogue(tmp_path / "nope.toml")
