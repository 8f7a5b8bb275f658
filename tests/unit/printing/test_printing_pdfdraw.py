"""Vector Code 128 drawing (app/printing/pdfdraw.py): the bars are written as reportlab's path.rect
would write them, so a faster drawing cannot move a bar."""

from __future__ import annotations

import io

import pytest
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.printing.pdfdraw import QUIET_MODULES, code128_bars, code128_module_width, draw_code128


def _page_code(draw) -> str:
    c = Canvas(io.BytesIO(), pagesize=(100 * mm, 150 * mm), invariant=1)
    draw(c)
    return " ".join(c._code)


@pytest.mark.parametrize("text", ["SF1234567890123", "SO-2024/000123", "RB123456785GB", "1Z999AA10123456784",
                                  "a", "75312345678901234567890"])
@pytest.mark.parametrize("available", [100 * mm, 76 * mm, 30 * mm])
def test_bars_are_what_path_rect_writes(text: str, available: float) -> None:
    module = code128_module_width(text, available)
    x, y, height = 3.7 * mm, 101.123 * mm, 15 * mm

    def by_rect(c: Canvas) -> None:
        _modules, bars = code128_bars(text)
        left = x + QUIET_MODULES * module
        path = c.beginPath()
        for start, width in bars:
            path.rect(left + start * module, y, width * module, height)
        c.drawPath(path, stroke=0, fill=1)

    assert _page_code(lambda c: draw_code128(c, text, x, y, module, height)) == _page_code(by_rect)
