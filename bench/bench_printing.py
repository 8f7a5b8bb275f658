"""Printing figures (not a test): run with `.venv/bin/python bench/bench_printing.py [--runs N]`.

Each figure is shown beside the floor, a bare reportlab page with one Code 128 (reportlab's own
barcode) and one line of text, so the cost of our layout is visible apart from reportlab's. The
label and the floor are timed in alternating blocks of 10 in each of N runs; the figures are
the medians of the runs' medians, and the ratio is the median of the runs' ratios. CPU time of the
thread is shown beside the wall time: on the shared build machine it varies less.
"""

from __future__ import annotations

import argparse
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
from reportlab.pdfbase import pdfmetrics  # noqa: E402
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


def paired_ms(fa, fb, n: int, block: int = 10) -> tuple[float, float, float, float]:
    """Median wall and CPU ms of ``fa`` and ``fb``, n calls each, in alternating blocks.

    Alternating cancels the drift of a shared machine's load; blocks (rather than one call of
    each in turn) keep one from timing the other's evictions of the CPU caches, which made the
    floor 10-25 % slower in turn with a label.
    """
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for _ in range(max(1, n // block)):
        for i, fn in enumerate((fa, fb)):
            for _ in range(block):
                c, t = time.thread_time(), time.perf_counter()
                fn()
                wall[i].append(time.perf_counter() - t)
                cpu[i].append(time.thread_time() - c)
    m = [statistics.median(x) * 1000 for x in (*wall, *cpu)]
    return m[0], m[1], m[2], m[3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of 200 labels each (default 5)")
    args = parser.parse_args()

    t = time.perf_counter()
    font = register_cjk_font(None)
    font_ms = (time.perf_counter() - t) * 1000
    labels = [replace(make_label(), order_no=f"SO-2024/{i:06d}", waybill=f"SF{1234567890000 + i}")
              for i in range(200)]
    t = time.perf_counter()
    render_label_pdf(labels[0])
    first_ms = (time.perf_counter() - t) * 1000
    glyphs = getattr(pdfmetrics.getFont(font).face, "_glyphs", None)  # SubsetFont's glyph cache

    def cold_label() -> None:
        # A label whose characters no label before it had: the glyph cache is emptied first.
        if glyphs is not None:
            glyphs.clear()
        render_label_pdf(next(it))

    floor_page()
    rows = []  # per run: label wall, floor wall, label cpu, floor cpu, cold wall, cold floor wall
    for _ in range(args.runs):
        it = iter(labels * 2)
        label = paired_ms(lambda: render_label_pdf(next(it)), floor_page, 200)  # noqa: B023
        it = iter(labels * 2)
        cold = paired_ms(cold_label, floor_page, 50)
        rows.append((label[0], label[1], label[2], label[3], cold[0], cold[1]))
        print(f"  run: label {label[0]:5.2f} ms, floor {label[1]:4.2f} ms (x{label[0] / label[1]:4.1f}); "
              f"cpu {label[2]:5.2f} / {label[3]:4.2f} ms (x{label[2] / label[3]:4.1f}); "
              f"cold glyph cache {cold[0]:5.2f} ms (x{cold[0] / cold[1]:4.1f})")
    it2 = iter(labels * 2)
    zpl_ms = median_ms(lambda: render_label_zpl(next(it2)), 200)
    manifest = make_manifest(500)
    manifest_ms = median_ms(lambda: render_manifest_pdf(manifest), 5)

    def med(i: int) -> float:
        return statistics.median(r[i] for r in rows)

    def ratio(i: int, j: int) -> float:
        return statistics.median(r[i] / r[j] for r in rows)

    floor = med(1)
    print(f"CJK font load (first registration):  {font_ms:8.1f} ms")
    print(f"first label (after font load):       {first_ms:8.2f} ms")
    print(f"floor: bare reportlab page + Code128:{floor:8.2f} ms (cpu {med(3):.2f} ms), median of {args.runs} runs")
    print(f"{'100x150 CJK label PDF, medians of runs':40s} {med(0):8.2f} ms  target <= 2 ms "
          f"[{'ok' if med(0) <= 2.0 else 'OVER'}]  x{ratio(0, 1):5.1f} floor (cpu {med(2):.2f} ms, "
          f"x{ratio(2, 3):.1f})")
    print(f"{'  same, glyph cache emptied each label':40s} {med(4):8.2f} ms  x{ratio(4, 5):5.1f} floor")
    rows2 = [
        ("ZPL label, median of 200", zpl_ms, 0.5),
        ("500-parcel manifest PDF, median of 5", manifest_ms, 300.0),
    ]
    for name, ms, target in rows2:
        verdict = "ok" if ms < target else "OVER"
        print(f"{name:40s} {ms:8.2f} ms  target < {target:g} ms [{verdict}]  x{ms / floor:5.1f} floor")


if __name__ == "__main__":
    main()
