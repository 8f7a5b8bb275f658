"""Shipping labels and parcel labels as PDF, drawn with reportlab.

A shipping label carries the carrier's waybill as a big Code 128 and the order number as a
smaller one. A parcel label (``waybill is None``) carries the order number big, the contents, and
asks the packer to apply the carrier's own waybill by hand and scan it. All barcodes are vectors.
Output is deterministic for the same data (``invariant=1``), which keeps tests and reprints stable.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.errors import PrinterError
from app.printing.base import LABEL_SIZES, LabelData
from app.printing.fonts import register_cjk_font
from app.printing.pdfdraw import clip_text, draw_code128_centered, fit_font_size, wrap_text

__all__ = ["format_weight", "label_page_size", "mask_phone", "render_label_pdf"]

MARGIN = 3 * mm
WAYBILL_BAR_HEIGHT = 15 * mm
ORDER_BAR_HEIGHT = 8 * mm


def mask_phone(phone: str) -> str:
    """Hide the middle of a phone number: 13800138000 -> 138****8000.

    Spaces and dashes are dropped first. Mobile numbers keep the first 3 and last 4 digits; shorter
    numbers keep at most the last 4 and at least 3 characters are always masked, so nothing short
    is printed in full.
    """
    s = "".join(ch for ch in phone.strip() if ch not in " -")
    n = len(s)
    if n == 0:
        return ""
    masked = min(n, max(3, n - 7))
    tail = min(4, n - masked)
    head = n - masked - tail
    return s[:head] + "*" * masked + s[n - tail :]


def format_weight(weight_g: int | None) -> str:
    """850 -> '850 g', 1250 -> '1.25 kg', None -> '-'."""
    if weight_g is None:
        return "-"
    if weight_g < 1000:
        return f"{weight_g} g"
    return f"{weight_g / 1000:.2f} kg".replace(".00 kg", " kg")


def label_page_size(size: str) -> tuple[float, float]:
    """Page size in points for a LABEL_SIZES key."""
    try:
        w, h = LABEL_SIZES[size]
    except KeyError:
        raise PrinterError(
            f"Unknown label size {size!r}: use one of {', '.join(LABEL_SIZES)}"
        ) from None
    return w * mm, h * mm


@dataclass
class _Pen:
    """A top-down cursor over one label page."""

    c: Canvas
    font: str
    width: float  # page width
    y: float  # current top, moves down

    @property
    def inner(self) -> float:
        return self.width - 2 * MARGIN

    def text(self, s: str, size: float, *, bold: bool = False, x: float = MARGIN) -> None:
        self.y -= size * 1.05
        self.c.setFont(self.font, size)
        self.c.setLineWidth(size * 0.03)  # stroke width of the fake bold
        self.c.drawString(x, self.y, s, mode=2 if bold else 0)
        self.y -= size * 0.25

    def centred(self, s: str, size: float, *, bold: bool = False) -> None:
        size = fit_font_size(s, self.font, size, self.inner, 6)
        self.y -= size * 1.05
        self.c.setFont(self.font, size)
        self.c.setLineWidth(size * 0.03)
        self.c.drawCentredString(self.width / 2, self.y, s, mode=2 if bold else 0)
        self.y -= size * 0.25

    def wrapped(self, s: str, size: float, max_lines: int, *, indent: float = 0,
                lines: list[str] | None = None) -> None:
        """``s`` wrapped to at most ``max_lines``; ``lines``: its wrap at this size, if known."""
        if lines is None:
            lines = wrap_text(s, self.font, size, self.inner - indent)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = clip_text(lines[-1] + "…", self.font, size, self.inner - indent)
        for line in lines:
            self.text(line, size, x=MARGIN + indent)

    def rule(self, gap: float = 1.2 * mm) -> None:
        self.y -= gap
        self.c.setLineWidth(0.6)
        self.c.line(MARGIN, self.y, self.width - MARGIN, self.y)
        self.y -= gap

    def barcode(self, code: str, height: float, text_size: float, *, bold: bool = True) -> None:
        self.y -= height
        draw_code128_centered(self.c, code, self.width / 2, self.y, self.width, height)
        self.centred(code, text_size, bold=bold)


def _header(pen: _Pen, label: LabelData, subtitle: str) -> None:
    c, font = pen.c, pen.font
    top = pen.y
    right_w = 24 * mm
    name_w = pen.inner - right_w - 1 * mm
    size = fit_font_size(label.carrier_name, font, 17, name_w, 9)
    c.setFont(font, size)
    c.setLineWidth(0.4)
    c.drawString(MARGIN, top - size, label.carrier_name, mode=2)
    if subtitle:
        c.setFont(font, 7)
        c.drawString(MARGIN, top - size - 8.5, subtitle)
    # Right column: date, station, REPRINT.
    right = pen.width - MARGIN
    y = top - 7
    c.setFont(font, 6.5)
    printed = label.printed_at or datetime.now()
    c.drawRightString(right, y, printed.strftime("%Y-%m-%d %H:%M"))
    if label.station:
        y -= 8
        c.drawRightString(right, y, clip_text(label.station, font, 6.5, right_w))
    if label.parcel_text:
        y -= 9
        c.setFont(font, 8)
        c.drawRightString(right, y, f"包裹 Parcel {label.parcel_text}", mode=2)
        c.setFont(font, 6.5)
    if label.reprint:
        y -= 8
        c.drawRightString(right, y, "REPRINT 补打", mode=2)
    pen.y = min(top - size - (10 if subtitle else 2), y - 2)


def _recipient(pen: _Pen, label: LabelData, address_lines: int) -> None:
    who = f"收 To: {label.recipient_name}  {mask_phone(label.recipient_phone)}"
    pen.text(clip_text(who, pen.font, 11, pen.inner), 11, bold=True)
    size = 10.0
    lines: list[str] | None = wrap_text(label.recipient_address, pen.font, size, pen.inner)
    if len(lines) > address_lines:
        size, lines = 8.0, None
    pen.wrapped(label.recipient_address, size, address_lines + 1, lines=lines)


def _sender(pen: _Pen, label: LabelData) -> None:
    s = label.sender
    if not (s.name or s.phone or s.address):
        return
    pen.text(clip_text(f"寄 From: {s.name}  {s.phone}".rstrip(), pen.font, 7.5, pen.inner), 7.5)
    if s.address:
        pen.wrapped(s.address, 7, 2)


def _facts(label: LabelData) -> str:
    parts = [f"件数 Items: {label.item_count}", f"重量 Weight: {format_weight(label.weight_g)}"]
    if label.box_code:
        parts.append(f"箱 Box: {label.box_code}")
    return "   ".join(parts)


def _order_barcode_bottom(pen: _Pen, label: LabelData) -> float:
    """Order barcode at the foot of the label; returns the y of its top edge."""
    c = pen.c
    size = 8
    c.setFont(pen.font, size)
    text_y = MARGIN
    c.drawCentredString(pen.width / 2, text_y, f"订单 Order {label.order_no}")
    bar_y = text_y + size + 1
    draw_code128_centered(c, label.order_no, pen.width / 2, bar_y, pen.width, ORDER_BAR_HEIGHT,
                          max_module=0.4 * mm)
    return bar_y + ORDER_BAR_HEIGHT


def _shipping_label(pen: _Pen, label: LabelData) -> None:
    assert label.waybill is not None
    _header(pen, label, "")
    pen.rule()
    pen.barcode(label.waybill, WAYBILL_BAR_HEIGHT, 13)
    pen.rule()
    _recipient(pen, label, address_lines=3)
    pen.rule()
    _sender(pen, label)
    pen.text(_facts(label), 8)
    bottom = _order_barcode_bottom(pen, label)
    if label.note:
        lines = wrap_text(label.note, pen.font, 7.5, pen.inner)
        room = int((pen.y - bottom - 2 * mm) // (7.5 * 1.3))
        pen.wrapped(label.note, 7.5, max(0, min(room, len(lines))), lines=lines)


def _parcel_label(pen: _Pen, label: LabelData) -> None:
    _header(pen, label, "包裹标签 Parcel label (no waybill)")
    pen.rule()
    pen.barcode(label.order_no, WAYBILL_BAR_HEIGHT, 13)
    pen.rule()
    _recipient(pen, label, address_lines=2)
    pen.text(_facts(label), 8)
    pen.rule()
    # The instruction sits at the foot; the contents list fills the space above it.
    c, font = pen.c, pen.font
    instruction = wrap_text("请贴快递面单并扫描 Apply the carrier's waybill and scan it", font, 9, pen.inner - 4)
    box_h = len(instruction) * 11 + 6
    c.setLineWidth(1)
    c.rect(MARGIN, MARGIN, pen.inner, box_h, stroke=1, fill=0)
    y = MARGIN + box_h - 3
    c.setFont(font, 9)
    c.setLineWidth(0.25)
    for line in instruction:
        y -= 10
        c.drawString(MARGIN + 2, y, line, mode=2)
    floor = MARGIN + box_h + 2 * mm
    pen.text(f"内容 Contents ({label.item_count}):", 8, bold=True)
    size, step = 7.5, 7.5 * 1.3
    room = max(0, int((pen.y - floor) // step))
    items = list(label.items)
    shown = items if len(items) <= room else items[: max(0, room - 1)]
    for item in shown:
        line = f"{item.quantity} × {item.name}  {item.sku}"
        pen.text(clip_text(line, font, size, pen.inner - 3 * mm), size, x=MARGIN + 3 * mm)
    if len(shown) < len(items) and room > 0:
        pen.text(f"… +{len(items) - len(shown)} more", size, x=MARGIN + 3 * mm)


def render_label_pdf(label: LabelData, font_path: str | os.PathLike[str] | None = None) -> bytes:
    """One label page as PDF bytes; the page size comes from ``label.size``."""
    width, height = label_page_size(label.size)
    font = register_cjk_font(font_path)
    buf = io.BytesIO()
    # The CJK font as the initial font: reportlab would otherwise put an unused Helvetica font
    # object into every label.
    c = Canvas(buf, pagesize=(width, height), invariant=1, pageCompression=1, initialFontName=font)
    c.setTitle(f"Label {label.order_no} {label.waybill or ''}".strip())
    pen = _Pen(c, font, width, height - MARGIN)
    if label.waybill is None:
        _parcel_label(pen, label)
    else:
        _shipping_label(pen, label)
    c.showPage()
    c.save()
    return buf.getvalue()
