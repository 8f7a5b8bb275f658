"""Command sheets: A4 pages of labelled Code 128 barcodes for the bench.

The packer scans CMD:CANCEL, CMD:REPRINT, ... from this sheet instead of using the keyboard. Box
codes, badges and (with demo data) order numbers and item barcodes get their own sections.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.printing.fonts import register_cjk_font
from app.printing.pdfdraw import clip_text, code128_bars, code128_module_width, draw_code128

__all__ = ["DEFAULT_COMMANDS", "render_command_sheet_pdf"]

DEFAULT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("CMD:CANCEL", "取消 Cancel"),
    ("CMD:REPRINT", "补打 Reprint"),
    ("CMD:SHORT", "缺货 Short"),
    ("CMD:NEWPARCEL", "新包裹 New parcel"),
    ("CMD:HANDOVER", "交接 Handover"),
    ("CMD:CLOSE", "关闭交接单/退货 Close manifest or return"),
    ("CMD:LOGOUT", "退出 Log out"),
    ("CMD:RETURNS", "退货 Returns"),
    ("CMD:DAMAGED", "破损 Damaged (next item)"),
)

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
COLUMNS = 2
CELL_W = (PAGE_W - 2 * MARGIN) / COLUMNS
CELL_H = 36 * mm
BAR_H = 14 * mm
SECTION_H = 12 * mm


def render_command_sheet_pdf(
    commands: Sequence[tuple[str, str]],
    boxes: Sequence[tuple[str, str]],
    badges: Sequence[tuple[str, str]] = (),
    orders: Sequence[tuple[str, str]] = (),
    items: Sequence[tuple[str, str]] = (),
    font_path: str | os.PathLike[str] | None = None,
) -> bytes:
    """A4 PDF with one section per non-empty group of (code, caption) pairs."""
    font = register_cjk_font(font_path)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle("PackGate command sheet")
    sections = [
        ("指令 Commands", commands),
        ("箱型 Box codes", boxes),
        ("工牌 Badges", badges),
        ("订单 Orders (demo)", orders),
        ("商品 Items (demo)", items),
    ]
    page = 1
    y = PAGE_H - MARGIN

    def new_page() -> float:
        nonlocal page
        c.setFont(font, 8)
        c.drawRightString(PAGE_W - MARGIN, MARGIN - 5 * mm, f"PackGate · {page}")
        c.showPage()
        page += 1
        return PAGE_H - MARGIN

    for title, entries in sections:
        if not entries:
            continue
        if y - SECTION_H - CELL_H < MARGIN:
            y = new_page()
        c.setFont(font, 14)
        c.setLineWidth(0.4)
        c.drawString(MARGIN, y - 14, title, mode=2)
        c.line(MARGIN, y - 18, PAGE_W - MARGIN, y - 18)
        y -= SECTION_H
        for i, (code, caption) in enumerate(entries):
            col = i % COLUMNS
            if col == 0 and i > 0:
                y -= CELL_H
            if y - CELL_H < MARGIN:
                y = new_page()
            x = MARGIN + col * CELL_W
            module = code128_module_width(code, CELL_W - 4 * mm, 0.5 * mm)
            modules, _ = code128_bars(code)
            bw = (modules + 20) * module
            draw_code128(c, code, x + (CELL_W - bw) / 2, y - 4 * mm - BAR_H, module, BAR_H)
            c.setFont(font, 9)
            c.drawCentredString(x + CELL_W / 2, y - 8 * mm - BAR_H, code)
            c.setFont(font, 11)
            c.drawCentredString(x + CELL_W / 2, y - 14 * mm - BAR_H,
                                clip_text(caption, font, 11, CELL_W - 6 * mm))
        y -= CELL_H
    c.setFont(font, 8)
    c.drawRightString(PAGE_W - MARGIN, MARGIN - 5 * mm, f"PackGate · {page}")
    c.showPage()
    c.save()
    return buf.getvalue()
