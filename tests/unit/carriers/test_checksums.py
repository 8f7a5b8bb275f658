"""The check-digit algorithms on hand-worked examples, including their edge cases."""

from __future__ import annotations

import pytest

from app.carriers.checksums import CHECKSUMS, fedex12, gs1_mod10, mod7, s10, ups


@pytest.mark.parametrize(
    ("serial", "check", "ok"),
    [
        ("12345678", "5", True),  # 8+12+12+8+15+30+63+56 = 204, 204 % 11 = 6, 11 - 6 = 5
        ("12345678", "6", False),
        ("00000008", "0", True),  # remainder 1: 11 - 1 = 10 -> 0
        ("00000015", "5", True),  # remainder 0: 11 - 0 = 11 -> 5
        ("00000000", "5", True),
        ("00000015", "0", False),
    ],
)
def test_s10(serial, check, ok):
    assert s10(serial, check) is ok


@pytest.mark.parametrize(
    ("serial", "check", "ok"),
    [
        ("5R8939035756712", "7", True),
        ("5R8939035756712", "8", False),
        ("111111111111111", "8", True),  # 8 ones + 7 doubled ones = 22 -> 8
        ("AAAAAAAAAAAAAAA", "6", True),  # A counts as 2: 8 x 2 + 7 x 4 = 44 -> 6
        ("AAAAAAAAAAAAAAA", "4", False),
    ],
)
def test_ups(serial, check, ok):
    assert ups(serial, check) is ok


def test_fedex12_remainder_ten_becomes_zero():
    # 1 at the 7th place from the right has weight 1 (1 3 7 1 3 7 1), so "00001000000" sums to 1.
    assert fedex12("00001000000", "1")
    # A single 7-weighted 3 sums to 21 % 11 = 10, which the check digit writes as 0.
    assert fedex12("00000000300", "0")
    assert fedex12("98657878885", "5")
    assert not fedex12("99657878885", "5")


def test_gs1_mod10_weights_from_the_right():
    assert gs1_mod10("0001", "7")  # rightmost digit weighs 3
    assert gs1_mod10("0010", "9")  # next weighs 1
    assert gs1_mod10("00000000000000", "0")
    assert not gs1_mod10("0001", "3")


def test_mod7():
    assert mod7("331881002", "5")
    assert not mod7("331881001", "0")


def test_registry_names_match_the_toml_vocabulary():
    assert set(CHECKSUMS) == {"none", "s10", "ups", "fedex12", "gs1_mod10", "mod7"}
