"""The supervisor's summary as a one-page A4 PDF for the shift report (reportlab, CJK font).

Takes the plain dict of :func:`app.reports.summary.summary`; long tables are cut to fit one page
(the PDF says how many rows were left out).
"""

from __future__ import annotations

import io
import os
from datetime import datetime
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.printing.fonts import register_cjk_font

PAGE_W, PAGE_H = A4
MARGIN = 14 * mm
ROW = 4.6 * mm
TILE_TITLES = (
    ("ready", "待打包 Ready"), ("packing", "打包中 Packing"), ("packed", "待揽收 Awaiting pickup"),
    ("handed_over", "已交接 Handed over"), ("on_hold", "挂起 On hold"), ("cancelled", "已取消 Cancelled"),
    ("late", "超时 Late"), ("packed_without_waybill", "无运单 No waybill"),
)


def _when(iso: str | None) -> str:
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M") if iso else "-"


def _secs(v) -> str:
    return "-" if v is None else f"{v:.0f}"


def render_summary_pdf(figures: dict[str, Any], *, supervisor: str = "",
                       font_path: str | os.PathLike[str] | None = None) -> bytes:
    font = register_cjk_font(font_path)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle("PackGate shift summary")
    y = PAGE_H - MARGIN
    c.setFont(font, 16)
    c.drawString(MARGIN, y - 12, "发货汇总 Shift summary")
    c.setFont(font, 9)
    period = figures["period"]
    c.drawString(MARGIN, y - 26, f"{_when(period['from'])} .. {_when(period['to'])}    "
                 f"generated {_when(figures.get('generated_at'))}    {supervisor}")
    y -= 34

    # Tiles: two rows of four boxes.
    tiles = figures["tiles"]
    box_w, box_h = (PAGE_W - 2 * MARGIN) / 4, 15 * mm
    for i, (key, title) in enumerate(TILE_TITLES):
        x, top = MARGIN + (i % 4) * box_w, y - (i // 4) * box_h
        alarm = key == "packed_without_waybill" and tiles[key] != 0
        c.setFillColorRGB(*((0.78, 0.16, 0.16) if alarm else (0.95, 0.95, 0.95)))
        c.rect(x + 1, top - box_h + 1, box_w - 2, box_h - 2, stroke=0, fill=1)
        c.setFillColorRGB(*((1, 1, 1) if alarm else (0, 0, 0)))
        c.setFont(font, 16)
        c.drawCentredString(x + box_w / 2, top - 8 * mm, str(tiles[key]))
        c.setFont(font, 7.5)
        c.drawCentredString(x + box_w / 2, top - 12.5 * mm, title)
    c.setFillColorRGB(0, 0, 0)
    y -= 2 * box_h + 6 * mm

    def table(title: str, headers: list[str], xs: list[float], rows: list[list[str]], max_rows: int) -> None:
        nonlocal y
        c.setFont(font, 10)
        c.drawString(MARGIN, y, title)
        y -= ROW
        c.setFont(font, 7.5)
        for x, h in zip(xs, headers, strict=True):
            c.drawString(MARGIN + x, y, h)
        c.line(MARGIN, y - 1.5, PAGE_W - MARGIN, y - 1.5)
        y -= ROW
        for row in rows[:max_rows]:
            for x, v in zip(xs, row, strict=True):
                c.drawString(MARGIN + x, y, str(v)[:40])
            y -= ROW
        if len(rows) > max_rows:
            c.drawString(MARGIN, y, f"… {len(rows) - max_rows} more")
            y -= ROW
        y -= 2 * mm

    table("承运商 By carrier", ["Carrier", "Packed", "Handed over", "Awaiting pickup", "Open manifests"],
          [0, 40 * mm, 65 * mm, 95 * mm, 130 * mm],
          [[k, r["packed"], r["handed_over"], r["awaiting_pickup"], r["open_manifests"]]
           for k, r in figures["by_carrier"].items()], 10)
    work_x = [0, 50 * mm, 68 * mm, 86 * mm, 106 * mm, 128 * mm, 150 * mm]
    work_h = ["Orders", "Items", "Avg s", "Median s", "Refused %", "First / last scan"]
    for title, key in (("打包员 By packer", "by_packer"), ("工作台 By bench", "by_station")):
        table(title, ["Name", *work_h], work_x,
              [[name, r["orders"], r["items"], _secs(r["avg_seconds"]), _secs(r["median_seconds"]),
                f"{r['refused_rate'] * 100:.1f}", f"{_when(r['first_scan'])[11:]}-{_when(r['last_scan'])[11:]}"]
               for name, r in figures[key].items()], 8)

    # Throughput: 24 bars.
    c.setFont(font, 10)
    c.drawString(MARGIN, y, "每小时打包 Orders packed per hour")
    y -= 3 * mm
    hours = list(figures["throughput_per_hour"].values())
    peak = max(hours) or 1
    chart_h, bar_w = 25 * mm, (PAGE_W - 2 * MARGIN) / 24
    base = y - chart_h
    c.setFont(font, 6)
    for h, n in enumerate(hours):
        height = chart_h * 0.85 * n / peak
        c.setFillColorRGB(0.2, 0.4, 0.7)
        c.rect(MARGIN + h * bar_w + 1, base, bar_w - 2, height, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.drawCentredString(MARGIN + (h + 0.5) * bar_w, base - 7, f"{h:02d}")
        if n:
            c.drawCentredString(MARGIN + (h + 0.5) * bar_w, base + height + 1.5, str(n))
    y = base - 6 * mm

    counts = figures["exception_counts"]
    c.setFont(font, 10)
    c.drawString(MARGIN, y, f"异常 Exceptions: on hold {counts['on_hold']}, late {counts['late']}, "
                            f"not picked up {counts['awaiting_pickup']}, reprints {counts['reprints']}, "
                            f"unlinked {counts['unlinked']}")
    y -= ROW
    c.setFont(font, 7.5)
    rows = [(kind, r) for kind, items in figures["exceptions"].items() for r in items]
    room = max(0, int((y - MARGIN) / ROW) - 1)
    for kind, r in rows[:room]:
        c.drawString(MARGIN, y, f"{kind:<16} {r['order_no'] or '-':<16} {_when(r['at'])}  {(r['detail'] or '')[:70]}")
        y -= ROW
    if len(rows) > room:
        c.drawString(MARGIN, y, f"… {len(rows) - room} more: see the supervisor view")
    c.showPage()
    c.save()
    return buf.getvalue()
