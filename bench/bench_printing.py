"""Printing figures (not a test): run with `.venv/bin/python bench/bench_printing.py`.

Each figure is shown beside the floor, a bare reportlab page with one Code 128 (reportlab's own
barcode) and one line of text, so the cost of our layout is visible apart from reportlab's.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "unit" / "printing"))

from printing_helpers import make_label, make_manifest  # noqa: E402
from reportlab.graphics.barcode.code128 import Code128  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from app.printing.fonts import register_cjk_font  # noqa: E402
from app.printing.labels import render_label_pdf  # noqa: E402
from app.printing.manifest import render_manifest_pdf  # noqa: E402
from app.printing.zpl import render_label_zpl  # noqa: E402


def floor_page() -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(100 * mm, 150 * mm), invariant=1, pageCompression=1)
    Code128("SF1234567890123", barWidth=0.5 * mm, barHeight=15 * mm).drawOn(c, 5 * mm, 120 * mm)
    c.setFont("Helvetica", 10)
    c.drawString(5 * mm, 100 * mm, "SF1234567890123")
    c.showPage()
    c.save()
    return buf.getvalue()


def median_ms(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    t = time.perf_counter()
    register_cjk_font(None)
    font_ms = (time.perf_counter() - t) * 1000
    labels = [replace(make_label(), order_no=f"SO-2024/{i:06d}", waybill=f"SF{1234567890000 + i}")
              for i in range(200)]
    t = time.perf_counter()
    render_label_pdf(labels[0])
    first_ms = (time.perf_counter() - t) * 1000

    floor_page()
    floor = median_ms(floor_page, 200)
    it = iter(labels * 2)
    label_ms = median_ms(lambda: render_label_pdf(next(it)), 200)
    it2 = iter(labels * 2)
    zpl_ms = median_ms(lambda: render_label_zpl(next(it2)), 200)
    manifest = make_manifest(500)
    manifest_ms = median_ms(lambda: render_manifest_pdf(manifest), 5)

    print(f"CJK font load (first registration):  {font_ms:8.1f} ms")
    print(f"first label (after font load):       {first_ms:8.2f} ms")
    print(f"floor: bare reportlab page + Code128:{floor:8.2f} ms")
    rows = [
        ("100x150 CJK label PDF, median of 200", label_ms, 5.0),
        ("ZPL label, median of 200", zpl_ms, 0.5),
        ("500-parcel manifest PDF, median of 5", manifest_ms, 300.0),
    ]
    for name, ms, target in rows:
        verdict = "ok" if ms < target else "OVER"
        print(f"{name:40s} {ms:8.2f} ms  target < {target:g} ms [{verdict}]  x{ms / floor:5.1f} floor")


if __name__ == "__main__":
    main()
