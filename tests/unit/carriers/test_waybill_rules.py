"""Waybill checks as the bench sees them: Chinese carriers, normalisation, reasons, garbage."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.carriers import WaybillCheck, catalogue, load_catalogue, normalize_waybill, validate_waybill
from app.i18n import Message

VALID = [
    ("SF", "SF1234567890123"),
    ("SF", "123456789012"),  # legacy 12 digits
    ("ZTO", "78123456789012"),
    ("YTO", "YT1234567890123"),
    ("STO", "773123456789012"),
    ("YUNDA", "312345678901234"),
    ("YUNDA", "462345678901234"),
    ("JD", "JDVA12345678901"),
    ("JD", "JDVD00000000001"),
    ("JD", "JD0112345678901"),
    ("JT", "JT0001234567890"),
    ("DEPPON", "DPK123456789012"),
    ("EMS", "EA123456785CN"),  # S10
    ("EMS", "1012345678901"),  # domestic 13 digits
    ("OTHER", "ABC123"),
    ("OTHER", "X-1/2.3#"),
    ("OTHER", "Z" * 40),
]

WRONG_FORM = [
    ("SF", "SF123456789012", "13 digits after SF: one short"),
    ("SF", "SF12345678901234", "one too many"),
    ("SF", "12345678901", "11 digits"),
    ("SF", "1234567890123", "13 digits"),
    ("SF", "SX1234567890123", "wrong prefix"),
    ("SF", "SF12345678901A3", "letter among the digits"),
    ("ZTO", "7812345678901", "13 digits"),
    ("ZTO", "781234567890123", "15 digits"),
    ("ZTO", "7812345678901A", "letter"),
    ("YTO", "YT123456789012", "12 digits after YT"),
    ("YTO", "YD1234567890123", "wrong prefix"),
    ("YTO", "1234567890123", "no prefix"),
    ("STO", "783123456789012", "78 instead of 77"),
    ("STO", "77312345678901", "14 digits"),
    ("STO", "77312345678901X", "letter"),
    ("YUNDA", "512345678901234", "starts with 5"),
    ("YUNDA", "31234567890123", "14 digits"),
    ("YUNDA", "3123456789O1234", "letter O for zero"),
    ("JD", "JDVA1234567890", "10 digits"),
    ("JD", "JDVA123456789012", "12 digits"),
    ("JD", "JXVA12345678901", "wrong prefix"),
    ("JD", "JDV-12345678901", "symbol"),
    ("JT", "JT123456789012", "12 digits"),
    ("JT", "JX1234567890123", "wrong prefix"),
    ("DEPPON", "DPK12345678901", "11 digits"),
    ("DEPPON", "DP123456789012", "DP instead of DPK"),
    ("DEPPON", "DPK12345678901X", "letter"),
    ("EMS", "101234567890", "12 digits"),
    ("EMS", "E1234567895CN", "one service letter"),
    ("EMS", "EA12345678CN", "8 digits"),
    ("OTHER", "ABC12", "too short"),
    ("OTHER", "Z" * 41, "too long"),
    ("OTHER", "AB C123", "inner space"),
    ("UPS", "1Z5R8939035756712", "check digit missing: never added for the operator"),
    ("FEDEX", "96578788855", "11 digits"),
    ("DHL", "331881002", "9 digits"),
]


@pytest.mark.parametrize(("carrier", "number"), VALID)
def test_valid_number_is_accepted(carrier, number):
    assert validate_waybill(carrier, number) == WaybillCheck(True, number, None)


@pytest.mark.parametrize(("carrier", "number", "why"), WRONG_FORM)
def test_wrong_form_is_refused_with_the_expected_forms(carrier, number, why):
    check = validate_waybill(carrier, number)
    assert not check.ok, why
    assert check.message.template == catalogue.WRONG_FORM
    assert check.message.params == {
        "number": number,
        "carrier": carrier,
        "expected": load_catalogue().expected(carrier),
    }


def test_wrong_form_message_reads_well():
    check = validate_waybill("SF", "SF12")
    assert str(check.message) == "SF12 is not a SF waybill number (SF + 13 digits or 12 digits)"


@pytest.mark.parametrize(
    ("carrier", "number"),
    [
        ("EMS", "EA123456784CN"),
        ("UPS", "1Z5R89390357567128"),
        ("FEDEX", "986578788856"),
        ("USPS", "9400111206206406260788"),
        ("DHL", "3318810026"),
    ],
)
def test_wrong_check_digit_is_refused(carrier, number):
    check = validate_waybill(carrier, number)
    assert not check.ok
    assert check.message == Message(catalogue.WRONG_CHECK_DIGIT, {"carrier": carrier})
    assert str(check.message) == f"Check digit wrong for {carrier}"


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        (" sf1234567890123\r\n", "SF1234567890123"),
        ("\tSF1234567890123\t", "SF1234567890123"),
        ("sf1234567890123", "SF1234567890123"),
        ("  1z5r89390357567127\r", "1Z5R89390357567127"),
    ],
)
def test_surrounding_whitespace_and_case_are_normalised(raw, number):
    carrier = "SF" if number.startswith("SF") else "UPS"
    assert validate_waybill(carrier, raw) == WaybillCheck(True, number, None)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("SF 1234567890123", "SF 1234567890123"),  # inner space stays
        ("SF-1234567890123", "SF-1234567890123"),  # inner dash stays
        ("sf1234567890123\r\nx", "SF1234567890123\r\nX"),  # only the ends are trimmed
        ("jd-ß", "JD-ß"),  # only ASCII letters change case (ß.upper() would be SS)
    ],
)
def test_normalisation_never_repairs(raw, normalised):
    assert normalize_waybill(raw) == normalised


def test_inner_space_is_refused_not_removed():
    check = validate_waybill("SF", "SF 1234567890123")
    assert not check.ok
    assert check.number == "SF 1234567890123"
    assert check.message.template == catalogue.WRONG_FORM


@pytest.mark.parametrize(
    ("carrier", "number"),
    [
        ("ZTO", "SF1234567890123"),  # a valid SF number is not a ZTO number
        ("SF", "78123456789012"),  # a valid ZTO number is not an SF number
        ("YTO", "JT0001234567890"),
        ("JT", "YT1234567890123"),
        ("FEDEX", "1Z5R89390357567127"),
        ("UPS", "986578788855"),
        ("DHL", "EA123456785CN"),
    ],
)
def test_number_is_checked_against_the_given_carrier_only(carrier, number):
    assert not validate_waybill(carrier, number).ok


def test_known_overlaps_between_carriers_are_accepted_for_both():
    # We never guess the carrier, so a number whose form two carriers share is valid for each:
    # SF's legacy 12 digits include every FedEx Express number.
    assert validate_waybill("SF", "986578788855").ok
    assert validate_waybill("FEDEX", "986578788855").ok


@pytest.mark.parametrize("carrier", ["sf", "Sf", " SF "])
def test_carrier_code_in_any_case(carrier):
    assert validate_waybill(carrier, "SF1234567890123").ok


@pytest.mark.parametrize("raw", ["", "   ", "\r\n", "\t"])
def test_empty_scan(raw):
    check = validate_waybill("SF", raw)
    assert check == WaybillCheck(False, "", Message(catalogue.EMPTY_SCAN))
    assert str(check.message) == "Empty scan"


@pytest.mark.parametrize(
    "raw",
    [
        "SF１２３４５６７８９０１２３",  # full-width digits from an input method
        "SF12345\x0067890123",  # NUL
        "SF123456\x1d7890123",  # GS separator inside
        "顺丰1234567890123",
        "SF1234567890123\u200b",  # zero-width space is not whitespace
    ],
)
def test_characters_a_scanner_cannot_send(raw):
    check = validate_waybill("SF", raw)
    assert not check.ok
    assert check.message == Message(catalogue.UNSENDABLE)


def test_unknown_carrier():
    check = validate_waybill("NOPE", "SF1234567890123")
    assert not check.ok
    assert str(check.message) == "Unknown carrier NOPE"


def test_ten_thousand_characters_are_refused_with_a_short_message():
    check = validate_waybill("OTHER", "1" * 10_000)
    assert not check.ok
    assert check.number == "1" * 10_000
    assert check.message.template == catalogue.WRONG_FORM
    assert len(str(check.message)) < 200


@pytest.mark.parametrize("raw", [None, 12345, b"SF1234567890123"])
def test_not_a_string_is_refused_without_raising(raw):
    assert not validate_waybill("SF", raw).ok


def test_every_reason_is_marked_for_lupdate():
    source = inspect.getsource(catalogue)
    for template in (
        catalogue.EMPTY_SCAN,
        catalogue.UNSENDABLE,
        catalogue.UNKNOWN_CARRIER,
        catalogue.WRONG_FORM,
        catalogue.WRONG_CHECK_DIGIT,
    ):
        assert f'QT_TRANSLATE_NOOP("Outcome", "{template}")' in source


CODES = [c.code for c in load_catalogue().all()]


@given(
    carrier=st.one_of(st.sampled_from(CODES), st.text(max_size=8)),
    raw=st.one_of(
        st.text(),
        st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127)),
        st.text(alphabet="0123456789SFJDTYZ ", max_size=40),
    ),
)
def test_any_input_gives_a_verdict_and_never_raises(carrier, raw):
    check = validate_waybill(carrier, raw)
    assert isinstance(check.ok, bool)
    assert (check.message is None) is check.ok
    if check.message is not None:
        assert isinstance(str(check.message), str)
