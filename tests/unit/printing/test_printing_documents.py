"""Manifest and command sheet PDFs."""

from __future__ import annotations

import io

import pypdf
from printing_helpers import decode_pdf_page, make_manifest, page_count

from app.printing.command_sheet import DEFAULT_COMMANDS, render_command_sheet_pdf
from app.printing.manifest import render_manifest_pdf


def test_manifest_of_500_parcels_spans_pages_with_header_and_totals() -> None:
    m = make_manifest(500)
    pdf = render_manifest_pdf(m)
    pages = page_count(pdf)
    assert pages > 5
    assert m.manifest_no in decode_pdf_page(pdf, 0, scale=3)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    texts = [p.extract_text() for p in reader.pages]
    assert all("运单号 Waybill" in t for t in texts)  # header repeated
    assert all(f"/ {pages}" in t for t in texts)
    everything = "\n".join(texts)
    for p in (m.parcels[0], m.parcels[250], m.parcels[-1]):
        assert p.waybill in everything and p.order_no in everything
    assert everything.count("SF1") == 500  # every waybill exactly once
    total_g = sum(p.weight_g or 0 for p in m.parcels)
    assert f"合计 Total: 500 parcels, {total_g / 1000:.2f} kg" in texts[-1]
    assert "Packer / 打包员" in texts[-1] and "Courier / 快递员" in texts[-1]
    assert "Packer / 打包员" not in texts[0]


def test_small_manifest_is_one_page() -> None:
    pdf = render_manifest_pdf(make_manifest(3))
    assert page_count(pdf) == 1
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "李四" in text and "2024-05-01 17:30" in text


def test_empty_manifest_renders() -> None:
    assert page_count(render_manifest_pdf(make_manifest(0))) == 1


def test_command_sheet_barcodes_read_back() -> None:
    boxes = [("BOX:S", "小箱 Small"), ("BOX:M", "中箱 Medium"), ("BOX:L", "大箱 Large")]
    badges = [("BADGE:0001", "张三"), ("BADGE:0002", "李四")]
    orders = [(f"SO-2024/{i:06d}", f"订单 {i}") for i in range(12)]
    items = [("6901234567892", "保温杯"), ("6909876543217", "杯盖")]
    pdf = render_command_sheet_pdf(list(DEFAULT_COMMANDS), boxes, badges, orders, items)
    found: set[str] = set()
    for i in range(page_count(pdf)):
        found |= decode_pdf_page(pdf, i, scale=3)
    expected = {c for c, _ in [*DEFAULT_COMMANDS, *boxes, *badges, *orders, *items]}
    assert expected <= found
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "补打 Reprint" in text and "大箱 Large" in text
