"""Shipping labels and parcel labels as ZPL II for Zebra-compatible thermal printers.

The same content as the PDF label (app/printing/labels.py), laid out in printer dots. Text is
UTF-8 (``^CI28``). ASCII text uses the built-in scalable font ``^A0``; text with Chinese uses
``^A@`` with a CJK font stored on the printer (``cjk_font``, which depends on the printer model
and what was downloaded to it: check with ``^WD``). Lines are wrapped here, per character for
CJK, because ``^FB`` only breaks at spaces.

Barcodes are ``^BC`` (Code 128) in normal mode with plain data: the printer starts in subset B.
A literal ``>`` is sent as ``><`` so it is not read as a subset switch.
"""

from __future__ import annotations

from datetime import datetime

from app.printing.base import LABEL_SIZES, LabelData
from app.printing.labels import format_weight, label_page_size, mask_phone
from app.printing.pdfdraw import is_wide

__all__ = ["DEFAULT_CJK_FONT", "code128_module_dots", "render_label_zpl"]

DEFAULT_CJK_FONT = "E:ANMDS.TTF"  # Zebra's Simplified Chinese TrueType font, when installed
QUIET_MODULES = 10


def code128_module_dots(dpi: int) -> int:
    """Module width in whole dots: 2 at 203 dpi, 3 at 300 dpi, 6 at 600 dpi."""
    return max(2, round(dpi / 100))


def _subset_b_modules(data: str) -> int:
    # start (11) + one symbol per character (11) + check (11) + stop (13)
    return 11 * len(data) + 35


def _escape_field(text: str) -> str:
    """``^FD`` data, with ``^FH`` hex escapes for the characters ZPL would treat as commands."""
    if not any(ch in text for ch in "^~_"):
        return "^FD" + text
    escaped = "".join(f"_{ord(ch):02X}" if ch in "^~_" else ch for ch in text)
    return "^FH^FD" + escaped


def _approx_width(text: str, height: int) -> float:
    # Scalable fonts: a CJK character is about as wide as it is high, Latin about 0.55.
    return sum(height if is_wide(ch) else height * 0.55 for ch in text)


def _wrap(text: str, height: int, width: int, max_lines: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for ch in paragraph:
            if _approx_width(line + ch, height) > width and line:
                # Prefer breaking Latin text at the last space.
                cut = line.rfind(" ") if not is_wide(ch) and ch != " " else -1
                if cut > 0 and not is_wide(line[cut - 1]):
                    lines.append(line[:cut])
                    line = line[cut + 1 :] + ch
                else:
                    lines.append(line.rstrip())
                    line = ch.lstrip()
            else:
                line += ch
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


class _Zpl:
    """Collects ZPL fields top-down on one label."""

    def __init__(self, width_mm: int, height_mm: int, dpi: int, cjk_font: str) -> None:
        self.k = dpi / 25.4  # dots per mm
        self.pw = round(width_mm * self.k)
        self.ll = round(height_mm * self.k)
        self.m = self.d(3)
        self.inner = self.pw - 2 * self.m
        self.mw = code128_module_dots(dpi)
        self.cjk_font = cjk_font
        self.y = self.m
        self.out: list[str] = ["^XA", "^CI28", f"^PW{self.pw}", f"^LL{self.ll}", "^LH0,0"]

    def d(self, mm_: float) -> int:
        return round(mm_ * self.k)

    def font(self, text: str, h: int) -> str:
        if text.isascii():
            return f"^A0N,{h},{h}"
        return f"^A@N,{h},{h},{self.cjk_font}"

    def text(self, s: str, h: int, *, x: int | None = None, align: str = "") -> None:
        x = self.m if x is None else x
        block = f"^FB{self.pw - x - self.m},1,0,{align},0" if align else ""
        self.out.append(f"^FO{x},{self.y}{block}{self.font(s, h)}{_escape_field(s)}^FS")
        self.y += round(h * 1.2)

    def text_at(self, s: str, h: int, y: int, align: str) -> None:
        self.out.append(f"^FO{self.m},{y}^FB{self.inner},1,0,{align},0{self.font(s, h)}{_escape_field(s)}^FS")

    def wrapped(self, s: str, h: int, max_lines: int) -> None:
        for line in _wrap(s, h, self.inner, max_lines):
            self.text(line, h)

    def rule(self) -> None:
        self.y += self.d(1)
        self.out.append(f"^FO{self.m},{self.y}^GB{self.inner},2,2^FS")
        self.y += self.d(1.5)

    def barcode(self, data: str, height_mm: float, *, y: int | None = None) -> int:
        """Centred Code 128; returns the y below the bars."""
        y = self.y if y is None else y
        h = self.d(height_mm)
        mw = self.mw
        while mw > 1 and (_subset_b_modules(data) + 2 * QUIET_MODULES) * mw > self.pw:
            mw -= 1  # only for codes too long for the label at the standard width
        x = max(0, (self.pw - _subset_b_modules(data) * mw) // 2)
        safe = data.replace(">", "><")
        self.out.append(f"^FO{x},{y}^BY{mw},3,{h}^BCN,{h},N,N,N{_escape_field(safe)}^FS")
        return y + h

    def box(self, y: int, h: int) -> None:
        self.out.append(f"^FO{self.m},{y}^GB{self.inner},{h},3^FS")

    def result(self) -> str:
        self.out.append("^XZ")
        return "\n".join(self.out) + "\n"


def _header(z: _Zpl, label: LabelData, subtitle: str) -> None:
    top = z.y
    printed = (label.printed_at or datetime.now()).strftime("%Y-%m-%d %H:%M")
    right = ([printed] + ([label.station] if label.station else [])
             + ([f"包裹 Parcel {label.parcel_text}"] if label.parcel_text else [])
             + (["REPRINT 补打"] if label.reprint else []))
    for i, s in enumerate(right):
        z.text_at(s, z.d(2.5), top + i * z.d(3), "R")
    room = z.inner - z.d(25)  # leave the right column free
    h = min(z.d(6), max(z.d(3), int(room / max(1.0, _approx_width(label.carrier_name, 1)))))
    z.text(label.carrier_name, h)
    if subtitle:
        z.text(subtitle, z.d(2.5))
    z.y = max(z.y, top + len(right) * z.d(3))


def _recipient(z: _Zpl, label: LabelData, address_lines: int) -> None:
    z.text(f"收 To: {label.recipient_name}  {mask_phone(label.recipient_phone)}", z.d(4))
    z.wrapped(label.recipient_address, z.d(3.5), address_lines)


def _facts(label: LabelData) -> str:
    parts = [f"件数 Items: {label.item_count}", f"重量 Weight: {format_weight(label.weight_g)}"]
    if label.box_code:
        parts.append(f"箱 Box: {label.box_code}")
    return "   ".join(parts)


def render_label_zpl(label: LabelData, dpi: int = 203, cjk_font: str = DEFAULT_CJK_FONT) -> str:
    """One label as a ZPL II string (``^XA`` ... ``^XZ``); size from ``label.size``."""
    label_page_size(label.size)  # raises PrinterError for an unknown size
    w, h = LABEL_SIZES[label.size]
    z = _Zpl(w, h, dpi, cjk_font)
    if label.waybill is not None:
        _header(z, label, "")
        z.rule()
        z.y = z.barcode(label.waybill, 15) + z.d(1)
        z.text_at(label.waybill, z.d(4.5), z.y, "C")
        z.y += z.d(5.5)
        z.rule()
        _recipient(z, label, 3)
        z.rule()
        s = label.sender
        if s.name or s.phone or s.address:
            z.text(f"寄 From: {s.name}  {s.phone}".rstrip(), z.d(2.8))
            if s.address:
                z.wrapped(s.address, z.d(2.6), 2)
        z.text(_facts(label), z.d(2.8))
        if label.note:
            z.wrapped(label.note, z.d(2.8), 2)
        # Order barcode at the foot.
        text_y = z.ll - z.m - z.d(3)
        bar_y = text_y - z.d(1) - z.d(8)
        z.barcode(label.order_no, 8, y=bar_y)
        z.text_at(f"订单 Order {label.order_no}", z.d(3), text_y, "C")
    else:
        _header(z, label, "包裹标签 Parcel label (no waybill)")
        z.rule()
        z.y = z.barcode(label.order_no, 15) + z.d(1)
        z.text_at(label.order_no, z.d(4.5), z.y, "C")
        z.y += z.d(5.5)
        z.rule()
        _recipient(z, label, 2)
        z.text(_facts(label), z.d(2.8))
        z.rule()
        lines = _wrap("请贴快递面单并扫描 Apply the carrier's waybill and scan it", z.d(3.5), z.inner - z.d(2), 3)
        box_h = len(lines) * z.d(4.5) + z.d(2)
        box_y = z.ll - z.m - box_h
        z.box(box_y, box_h)
        for i, line in enumerate(lines):
            z.out.append(f"^FO{z.m + z.d(1)},{box_y + z.d(1.2) + i * z.d(4.5)}{z.font(line, z.d(3.5))}"
                         f"{_escape_field(line)}^FS")
        z.text(f"内容 Contents ({label.item_count}):", z.d(3))
        step = round(z.d(2.8) * 1.2)
        room = max(0, (box_y - z.d(2) - z.y) // step)
        items = list(label.items)
        shown = items if len(items) <= room else items[: max(0, room - 1)]
        for item in shown:
            z.text(f"{item.quantity} × {item.name}  {item.sku}", z.d(2.8), x=z.m + z.d(3))
        if len(shown) < len(items) and room > 0:
            z.text(f"… +{len(items) - len(shown)} more", z.d(2.8), x=z.m + z.d(3))
    return z.result()
