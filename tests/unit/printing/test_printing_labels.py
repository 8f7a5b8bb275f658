"""PDF labels: barcodes read back from the rendered page, Chinese text present, masking."""

from __future__ import annotations

import io

import pypdf
import pytest
from printing_helpers import ADDRESS, decode_pdf_page, make_label, page_count

from app.errors import PrinterError
from app.printing import fonts
from app.printing.base import LABEL_SIZES, LabelItem
from app.printing.fonts import CJKFontMissing, find_cjk_font, register_cjk_font
from app.printing.labels import format_weight, mask_phone, render_label_pdf

CARRIERS = [
    ("SF", "顺丰速运 SF Express", "SF1234567890123"),
    ("ZTO", "中通快递 ZTO Express", "75312345678901"),
    ("EMS", "中国邮政 EMS", "RB123456785GB"),
    ("UPS", "UPS", "1Z999AA10123456784"),
]


@pytest.mark.parametrize("size", list(LABEL_SIZES))
@pytest.mark.parametrize(("code", "name", "waybill"), CARRIERS, ids=[c[0] for c in CARRIERS])
def test_waybill_and_order_barcodes_read_back(size: str, code: str, name: str, waybill: str) -> None:
    label = make_label(carrier_code=code, carrier_name=name, waybill=waybill, size=size)
    pdf = render_label_pdf(label)
    assert page_count(pdf) == 1
    found = decode_pdf_page(pdf)
    assert waybill in found
    assert label.order_no in found


@pytest.mark.parametrize("size", list(LABEL_SIZES))
def test_page_size_matches_label_size(size: str) -> None:
    pdf = render_label_pdf(make_label(size=size))
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    w_mm, h_mm = LABEL_SIZES[size]
    assert float(box.width) == pytest.approx(w_mm * 72 / 25.4, abs=0.01)
    assert float(box.height) == pytest.approx(h_mm * 72 / 25.4, abs=0.01)


def test_long_order_number_still_reads_on_the_narrow_label() -> None:
    label = make_label(size="76x130", order_no="SHOP-2024-05-01/AB-0000012345", waybill="1Z999AA10123456784")
    found = decode_pdf_page(render_label_pdf(label))
    assert {"SHOP-2024-05-01/AB-0000012345", "1Z999AA10123456784"} <= found


@pytest.mark.parametrize("size", list(LABEL_SIZES))
def test_parcel_label_without_waybill_carries_the_order_barcode(size: str) -> None:
    label = make_label(waybill=None, size=size)
    pdf = render_label_pdf(label)
    assert decode_pdf_page(pdf) == {label.order_no}
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Apply the carrier's waybill and scan it" in " ".join(text.split())
    assert "保温杯 500ml" in text and "杯盖" in text


def test_parcel_label_with_many_items_says_how_many_are_not_shown() -> None:
    items = tuple(LabelItem(f"SKU-{i}", f"商品 {i}", 1) for i in range(60))
    pdf = render_label_pdf(make_label(waybill=None, items=items, item_count=60))
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "商品 0" in text
    assert "more" in text
    assert "商品 59" not in text


def test_chinese_address_name_and_masked_phone_are_in_the_pdf(label) -> None:
    text = pypdf.PdfReader(io.BytesIO(render_label_pdf(label))).pages[0].extract_text()
    compact = text.replace("\n", "").replace(" ", "")
    assert "浙江省杭州市" in text
    assert ADDRESS.replace(" ", "") in compact  # wrapped over lines, nothing lost
    assert "张三" in text
    assert "138****8000" in text
    assert "13800138000" not in text
    assert "1.25 kg" in text
    assert "PackGate 旗舰店" in text
    assert "REPRINT" not in text


def test_reprint_is_marked(label) -> None:
    from dataclasses import replace

    text = pypdf.PdfReader(io.BytesIO(render_label_pdf(replace(label, reprint=True)))).pages[0].extract_text()
    assert "REPRINT" in text


def test_output_is_deterministic(label) -> None:
    assert render_label_pdf(label) == render_label_pdf(label)


def test_barcodes_are_vectors_not_images(label) -> None:
    page = pypdf.PdfReader(io.BytesIO(render_label_pdf(label))).pages[0]
    assert list(page.images) == []


def test_unknown_label_size_is_a_printer_error() -> None:
    with pytest.raises(PrinterError, match="Unknown label size"):
        render_label_pdf(make_label(size="4x6"))


def test_order_number_that_code128_cannot_carry_is_a_printer_error() -> None:
    with pytest.raises(PrinterError, match="Code 128"):
        render_label_pdf(make_label(order_no="订单123"))


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800138000", "138****8000"),
        ("138 0013 8000", "138****8000"),
        ("+8613800138000", "+86*******8000"),
        ("0571-88886666", "057*****6666"),
        ("88886666", "8***6666"),
        ("1234567", "***4567"),
        ("12345", "***45"),
        ("123", "***"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("grams", "text"), [(None, "-"), (0, "0 g"), (999, "999 g"), (1000, "1 kg"),
                                             (1250, "1.25 kg"), (20500, "20.50 kg")])
def test_format_weight(grams: int | None, text: str) -> None:
    assert format_weight(grams) == text


def test_missing_override_font_raises_clear_message(tmp_path) -> None:
    missing = tmp_path / "nope.ttc"
    assert find_cjk_font(str(missing)) is None
    with pytest.raises(CJKFontMissing) as info:
        register_cjk_font(str(missing))
    assert "No Chinese font found: install fonts-wqy-microhei (Debian) or set label_font" in info.value.message
    assert str(missing) in info.value.message
    assert isinstance(info.value, PrinterError)


def test_no_system_font_raises_clear_message(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(fonts, "CJK_FONT_CANDIDATES", [(tmp_path / "a.ttc", 0), (tmp_path / "b.ttf", 0)])
    assert find_cjk_font(None) is None
    with pytest.raises(CJKFontMissing, match="No Chinese font found"):
        render_label_pdf(make_label())


def test_unreadable_font_file_is_skipped_for_the_next(monkeypatch, tmp_path) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    real = find_cjk_font(None)
    assert real is not None
    monkeypatch.setattr(fonts, "CJK_FONT_CANDIDATES", [(broken, 0), (real, 0)])
    assert register_cjk_font(None) == register_cjk_font(str(real))


def test_override_font_is_used(tmp_path) -> None:
    real = find_cjk_font(None)
    assert real is not None
    assert find_cjk_font(str(real)) == real
    assert register_cjk_font(str(real)) == register_cjk_font(str(real))  # cached, registered once
