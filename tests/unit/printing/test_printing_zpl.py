"""ZPL labels: golden file and a structural parse of the fields."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from printing_helpers import make_label

from app.printing.base import LABEL_SIZES
from app.printing.zpl import render_label_zpl

GOLDEN = Path(__file__).parent / "golden" / "label_203.zpl"


def barcode_fields(zpl: str) -> list[str]:
    """The ^FD data of every ^BC field, with ZPL's '><' turned back into '>'."""
    return [m.group(1).replace("><", ">") for m in re.finditer(r"\^BC[^\^]*\^FD(.*?)\^FS", zpl)]


def test_matches_golden_file() -> None:
    assert render_label_zpl(make_label(), dpi=203) == GOLDEN.read_text(encoding="utf-8")


@pytest.mark.parametrize("waybill", ["SF1234567890123", "RB123456785GB", "1Z999AA10123456784"])
def test_structure(waybill: str) -> None:
    label = make_label(waybill=waybill)
    zpl = render_label_zpl(label)
    assert zpl.startswith("^XA\n")
    assert zpl.rstrip().endswith("^XZ")
    assert zpl.count("^XA") == 1 and zpl.count("^XZ") == 1
    assert "^CI28" in zpl
    assert barcode_fields(zpl) == [waybill, label.order_no]
    assert "138****8000" in zpl and "13800138000" not in zpl
    # every field that is opened is closed
    assert zpl.count("^FO") == zpl.count("^FS")


def test_parcel_label_has_only_the_order_barcode() -> None:
    label = make_label(waybill=None)
    zpl = render_label_zpl(label)
    assert barcode_fields(zpl) == [label.order_no]
    assert "Apply the" in zpl


@pytest.mark.parametrize("size", list(LABEL_SIZES))
@pytest.mark.parametrize(("dpi", "module"), [(203, 2), (300, 3)])
def test_page_and_module_width_follow_dpi(size: str, dpi: int, module: int) -> None:
    zpl = render_label_zpl(make_label(size=size), dpi=dpi)
    w, h = LABEL_SIZES[size]
    assert f"^PW{round(w * dpi / 25.4)}\n" in zpl
    assert f"^LL{round(h * dpi / 25.4)}\n" in zpl
    widths = {int(x) for x in re.findall(r"\^BY(\d+),", zpl)}
    assert widths == {module}


def test_barcodes_fit_inside_the_label() -> None:
    zpl = render_label_zpl(make_label(size="76x130", waybill="1Z999AA10123456784"), dpi=203)
    pw = int(re.search(r"\^PW(\d+)", zpl).group(1))
    for x, mw, data in re.findall(r"\^FO(\d+),\d+\^BY(\d+),[^\^]*\^BC[^\^]*\^FD(.*?)\^FS", zpl):
        assert int(x) + (11 * len(data) + 35) * int(mw) <= pw


def test_zpl_command_characters_in_data_are_escaped() -> None:
    zpl = render_label_zpl(make_label(recipient_name="A^B~C_D", order_no="SO>1"))
    assert "^FH^FD收 To: A_5EB_7EC_5FD" in zpl
    assert barcode_fields(zpl)[-1] == "SO>1"
    assert "^FDSO><1^FS" in zpl
