"""International waybill rules against the tracking_number_data test vectors (MIT, see vectors/LICENSE).

Only the forms we accept are checked as valid. Every form in a vector file is either mapped to one of
our carriers or listed in UNSUPPORTED_FORMS with the reason, and a test makes sure nothing new slips
through unnoticed when the vector files are refreshed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.carriers import validate_waybill

VECTORS = Path(__file__).parent / "vectors"

# carrier code -> (vector file, forms we accept from it)
SUPPORTED_FORMS: dict[str, tuple[str, set[str]]] = {
    "EMS": ("s10.json", {"s10"}),
    "UPS": ("ups.json", {"ups"}),
    "FEDEX": ("fedex.json", {"fedex_12", "fedex_ground", "fedex_ground_96"}),
    "USPS": ("usps.json", {"usps_20", "usps_legacy", "usps_impb_n", "usps_impb_c"}),
    "DHL": ("dhl.json", {"dhl_express"}),
}

# Forms we deliberately refuse: the brief limits UPS to 1Z, FedEx to 12/15/22 digits, DHL to Express.
UNSUPPORTED_FORMS: dict[tuple[str, str], str] = {
    ("ups.json", "UPS Waybill"): "UPS air waybill (letter + 10 digits); we accept 1Z numbers only",
    ("fedex.json", "fedex_34"): "34-digit Express barcode content, not the 12-digit number on the label",
    ("fedex.json", "fedex_astra_32"): "legacy 32-digit ASTRA barcode",
    ("fedex.json", "fedex_ground_sscc_18"): "18-digit SSCC container code",
    ("fedex.json", "fedex_ground_gsn"): "34-digit Ground GSN barcode",
    ("dhl.json", "dhl_express_piece_id"): "piece ID of one parcel, not the waybill",
    ("dhl.json", "dhl_ecommerce"): "DHL eCommerce numbers have no check digit to verify",
    ("dhl.json", "dhl_ecommerce_14"): "DHL eCommerce numbers have no check digit to verify",
}

# Single vectors of a supported form that we treat differently, with the reason.
EXCLUDED_NUMBERS: dict[str, str] = {
    # We check the S10 check digit, not the issuing country against the UPU member list.
    "RB123456785XX": "country code not checked",
    # IMpb with a 26-digit body: we accept USPS numbers of 20-22 digits (+ optional 420 + ZIP).
    "92748931507708513018050063": "26-digit IMpb",
    "92001903060085300042901077": "26-digit IMpb",
}


def _forms(filename: str) -> list[dict]:
    return json.loads((VECTORS / filename).read_text(encoding="utf-8"))["tracking_numbers"]


def _form_id(form: dict) -> str:
    return form.get("id", form["name"])  # the UPS Waybill entry has no id


def _cases(kind: str):
    for carrier, (filename, accepted) in SUPPORTED_FORMS.items():
        for form in _forms(filename):
            if _form_id(form) not in accepted:
                continue
            for number in form["test_numbers"][kind]:
                if number not in EXCLUDED_NUMBERS:
                    yield pytest.param(carrier, number, id=f"{carrier}-{_form_id(form)}-{number.strip()}")


def _unsupported_valid():
    for (filename, form_id), _reason in UNSUPPORTED_FORMS.items():
        carrier = next(c for c, (f, _) in SUPPORTED_FORMS.items() if f == filename)
        for form in _forms(filename):
            if _form_id(form) == form_id:
                for number in form["test_numbers"]["valid"]:
                    yield pytest.param(carrier, number, id=f"{carrier}-{form_id}-{number.strip()}")
    for number in EXCLUDED_NUMBERS:
        if number.startswith("9"):
            yield pytest.param("USPS", number, id=f"USPS-excluded-{number}")


def _compact(number: str) -> str:
    # The vectors also spell numbers with spaces the way a person reads them out; a scanner sends
    # them without. We test the scanner's form here and the spaced form separately below.
    return "".join(number.split())


def test_every_vector_form_is_mapped_or_explicitly_unsupported():
    for filename, accepted in SUPPORTED_FORMS.values():
        for form in _forms(filename):
            form_id = _form_id(form)
            assert form_id in accepted or (filename, form_id) in UNSUPPORTED_FORMS, (filename, form_id)


@pytest.mark.parametrize(("carrier", "number"), list(_cases("valid")))
def test_valid_vector_is_accepted(carrier, number):
    check = validate_waybill(carrier, _compact(number))
    assert check.ok, check.message
    assert check.message is None


@pytest.mark.parametrize(("carrier", "number"), list(_cases("invalid")))
def test_invalid_vector_is_refused(carrier, number):
    check = validate_waybill(carrier, _compact(number))
    assert not check.ok
    assert check.message is not None


@pytest.mark.parametrize(("carrier", "number"), [p for p in _cases("valid") if " " in p.values[1].strip()])
def test_vector_with_inner_spaces_is_refused_not_repaired(carrier, number):
    check = validate_waybill(carrier, number)
    assert not check.ok
    assert check.number == number.strip()


@pytest.mark.parametrize(("carrier", "number"), list(_unsupported_valid()))
def test_unsupported_form_is_refused(carrier, number):
    assert not validate_waybill(carrier, _compact(number)).ok


def test_s10_country_code_is_not_checked():
    # Documents EXCLUDED_NUMBERS: the digits and check digit decide, not the country letters.
    assert validate_waybill("EMS", "RB123456785XX").ok
