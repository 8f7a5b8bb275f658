"""The carrier manifest (handover list) as an A4 PDF.

Page 1 carries the manifest number as a vector Code 128 so the courier can scan it; every page
repeats the table header and shows "page n / N"; the last page carries the totals and the
signature lines for the packer and the courier.
"""

from __future__ import annotations

import io
import os
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.printing.base import ManifestData
from app.printing.fonts import register_cjk_font
from app.printing.labels import format_weight
from app.printing.pdfdraw import clip_text, code128_bars, code128_module_width, draw_code128

__all__ = ["render_manifest_pdf"]

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
ROW_H = 5.5 * mm
HEADER_FIRST = 62 * mm  # room taken by the page-1 heading above the table
HEADER_OTHER = 16 * mm
FOOTER = 10 * mm
SIGNATURES = 42 * mm  # totals + two signature lines
# Column x positions (left edges) and the weight column's right edge.
COLS = (MARGIN, MARGIN + 14 * mm, MARGIN + 80 * mm)
WEIGHT_RIGHT = PAGE_W - MARGIN


def _fmt(dt: datetime | None) -> str:
    return dt.strftime("%Y-%m-%d %H:%M") if dt else "-"


def _rows_per_page(header: float) -> int:
    return int((PAGE_H - MARGIN - header - FOOTER - ROW_H) // ROW_H)


def _paginate(n: int) -> list[range]:
    """Row ranges per page; the last page also keeps room for the totals and signatures."""
    pages: list[range] = []
    start, first = 0, True
    while True:
        cap = _rows_per_page(HEADER_FIRST if first else HEADER_OTHER)
        left = n - start
        if left + int(SIGNATURES // ROW_H) <= cap:
            pages.append(range(start, n))
            return pages
        take = min(cap, left)
        pages.append(range(start, start + take))
        start += take
        first = False


def _table_header(c: Canvas, font: str, y: float) -> float:
    c.setFont(font, 9)
    c.setLineWidth(0.25)
    c.drawString(COLS[0], y, "#", mode=2)
    c.drawString(COLS[1], y, "运单号 Waybill", mode=2)
    c.drawString(COLS[2], y, "订单号 Order", mode=2)
    c.drawRightString(WEIGHT_RIGHT, y, "重量 Weight", mode=2)
    c.setLineWidth(0.8)
    c.line(MARGIN, y - 1.8 * mm, PAGE_W - MARGIN, y - 1.8 * mm)
    return y - ROW_H


def render_manifest_pdf(m: ManifestData, font_path: str | os.PathLike[str] | None = None) -> bytes:
    """The manifest as A4 PDF bytes, as many pages as the parcels need."""
    font = register_cjk_font(font_path)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"Manifest {m.manifest_no}")
    parcels = m.parcels
    total_g = sum(p.weight_g or 0 for p in parcels)
    unweighed = sum(1 for p in parcels if p.weight_g is None)
    pages = _paginate(len(parcels))
    inner = PAGE_W - 2 * MARGIN
    for page_no, rows in enumerate(pages, start=1):
        top = PAGE_H - MARGIN
        if page_no == 1:
            c.setFont(font, 18)
            c.setLineWidth(0.5)
            c.drawString(MARGIN, top - 18, "交接单 Manifest", mode=2)
            c.setFont(font, 12)
            c.drawString(MARGIN, top - 36, m.manifest_no)
            # Manifest number barcode on the right of the heading.
            avail = 95 * mm
            module = code128_module_width(m.manifest_no, avail, 0.5 * mm)
            modules, _ = code128_bars(m.manifest_no)
            bw = (modules + 20) * module
            draw_code128(c, m.manifest_no, PAGE_W - MARGIN - bw, top - 16 * mm, module, 14 * mm)
            facts = [
                ("承运商 Carrier", m.carrier_name or m.carrier_code),
                ("工作台 Station", m.station),
                ("打包员 Packer", m.packer),
                ("开始 Opened", _fmt(m.opened_at)),
                ("关闭 Closed", _fmt(m.closed_at)),
                ("包裹数 Parcels", str(len(parcels))),
            ]
            y = top - 24 * mm
            c.setFont(font, 9.5)
            for i, (k, v) in enumerate(facts):
                x = MARGIN + (i % 2) * inner / 2
                yy = y - (i // 2) * 6 * mm
                c.drawString(x, yy, f"{k}:")
                c.drawString(x + 30 * mm, yy, clip_text(v, font, 9.5, inner / 2 - 32 * mm))
            y = PAGE_H - MARGIN - HEADER_FIRST + ROW_H
        else:
            c.setFont(font, 10)
            c.drawString(MARGIN, top - 10, f"交接单 Manifest {m.manifest_no}  ·  {m.carrier_name}")
            y = PAGE_H - MARGIN - HEADER_OTHER + ROW_H
        y = _table_header(c, font, y)
        c.setFont(font, 9)
        for i in rows:
            p = parcels[i]
            c.drawString(COLS[0], y, str(i + 1))
            c.drawString(COLS[1], y, p.waybill)
            order_text = f"{p.order_no} ({p.parcel})" if p.parcel else p.order_no
            c.drawString(COLS[2], y, clip_text(order_text, font, 9, WEIGHT_RIGHT - COLS[2] - 25 * mm))
            c.drawRightString(WEIGHT_RIGHT, y, format_weight(p.weight_g))
            y -= ROW_H
        if page_no == len(pages):
            c.setLineWidth(0.8)
            c.line(MARGIN, y + ROW_H - 1.8 * mm, PAGE_W - MARGIN, y + ROW_H - 1.8 * mm)
            y -= 2 * mm
            c.setFont(font, 10)
            c.setLineWidth(0.3)
            total = f"合计 Total: {len(parcels)} parcels, {format_weight(total_g)}"
            if unweighed:
                total += f" ({unweighed} not weighed)"
            c.drawString(MARGIN, y, total, mode=2)
            y -= 14 * mm
            c.setLineWidth(0.5)
            for who in ("Packer / 打包员", "Courier / 快递员"):
                c.drawString(MARGIN, y, who)
                c.line(MARGIN + 35 * mm, y - 1, MARGIN + 105 * mm, y - 1)
                c.drawString(MARGIN + 110 * mm, y, "Date / 日期")
                c.line(MARGIN + 132 * mm, y - 1, PAGE_W - MARGIN, y - 1)
                y -= 12 * mm
        c.setFont(font, 8)
        c.drawRightString(PAGE_W - MARGIN, MARGIN - 4 * mm, f"{m.manifest_no}  ·  {page_no} / {len(pages)}")
        c.showPage()
    c.save()
    return buf.getvalue()
