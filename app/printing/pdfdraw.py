"""Drawing helpers shared by the PDF documents: vector Code 128 barcodes and CJK text wrapping.

Barcodes are drawn as filled rectangles (one path per barcode), never as bitmaps, so they stay
sharp at any printer resolution. python-barcode supplies the module pattern (a string of 1 and 0,
one character per module, with the subset switching and check symbol done right); the pattern is
turned into runs of bars once per text and cached.
"""

from __future__ import annotations

from functools import lru_cache

import barcode
from barcode.errors import BarcodeError
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from app.errors import PrinterError

QUIET_MODULES = 10  # quiet zone on each side, in modules (Code 128 asks for at least 10)
MIN_MODULE_MM = 0.3
THERMAL_DOT_MM = 25.4 / 203  # one dot of a 203 dpi label printer


@lru_cache(maxsize=4096)
def code128_bars(text: str) -> tuple[int, tuple[tuple[int, int], ...]]:
    """(total modules without quiet zones, ((start module, width in modules), ...)) of the bars."""
    if not text:
        raise PrinterError("Cannot print an empty barcode")
    try:
        pattern = barcode.get("code128", text).build()[0]
    except (BarcodeError, IndexError, ValueError) as exc:
        raise PrinterError(f"Cannot print {text!r} as a Code 128 barcode: {exc}") from exc
    bars: list[tuple[int, int]] = []
    start = None
    for i, module in enumerate(pattern):
        if module == "1" and start is None:
            start = i
        elif module == "0" and start is not None:
            bars.append((start, i - start))
            start = None
    if start is not None:
        bars.append((start, len(pattern) - start))
    return len(pattern), tuple(bars)


def code128_module_width(text: str, available: float, max_module: float = 0.5 * mm) -> float:
    """Module width (points) so the barcode and both quiet zones fit in ``available`` points.

    Where it fits, the width is a whole number of 203 dpi dots, so a thermal printer does not
    have to round some bars up and others down. Never wider than ``max_module``. When even
    MIN_MODULE_MM does not fit (a very long code on a narrow label), the width that fits is used
    rather than cutting the quiet zones.
    """
    modules, _ = code128_bars(text)
    fit = min(available / (modules + 2 * QUIET_MODULES), max_module)
    dot = THERMAL_DOT_MM * mm
    dots = int(fit / dot)
    if dots * dot >= MIN_MODULE_MM * mm:
        return dots * dot
    return fit


def draw_code128(
    c: Canvas, text: str, x: float, y: float, module: float, height: float
) -> float:
    """Draw ``text`` with its left quiet zone starting at ``x``; returns the total width drawn."""
    modules, bars = code128_bars(text)
    left = x + QUIET_MODULES * module
    # What path.rect() writes per bar ("x y w h re", numbers in reportlab's fp_str format), with
    # one fp_str call for all the numbers instead of one call per bar (~0.2 ms a label).
    numbers: list[float] = []
    for start, width in bars:
        numbers += (left + start * module, y, width * module, height)
    parts = fp_str(numbers).split(" ")
    rects = " ".join(f"{a} {b} {w} {h} re" for a, b, w, h in zip(*[iter(parts)] * 4, strict=True))
    c.drawPath(PDFPathObject(["n", rects]), stroke=0, fill=1)
    return (modules + 2 * QUIET_MODULES) * module


def draw_code128_centered(
    c: Canvas, text: str, cx: float, y: float, available: float, height: float,
    max_module: float = 0.5 * mm,
) -> float:
    """Draw centred on ``cx`` with the widest module that fits; returns the module width."""
    module = code128_module_width(text, available, max_module)
    modules, _ = code128_bars(text)
    total = (modules + 2 * QUIET_MODULES) * module
    draw_code128(c, text, cx - total / 2, y, module, height)
    return module


def is_wide(ch: str) -> bool:
    # CJK ideographs, kana, hangul, full-width forms and CJK punctuation break anywhere.
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xAC00 <= o <= 0xD7AF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFFEF
        or 0x20000 <= o <= 0x3FFFF
    )


def _tokens(text: str) -> list[str]:
    """Latin words stay whole; each CJK character and each space is its own token."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ch == " " or is_wide(ch):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking: CJK text wraps per character, Latin text at spaces.

    A Latin word longer than the line is broken per character. Newlines in ``text`` are kept.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _tokens(paragraph):
            candidate = line + token
            if stringWidth(candidate, font, size) <= width:
                line = candidate
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = "" if token == " " else token
            while stringWidth(line, font, size) > width and len(line) > 1:
                # A single token wider than the line: cut it where it overflows.
                cut = len(line) - 1
                while cut > 1 and stringWidth(line[:cut], font, size) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line.rstrip())
    return lines


def fit_font_size(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest size <= ``size`` (down to ``smallest``) at which ``text`` fits in ``width``."""
    w = stringWidth(text, font, size)
    if w <= width or w == 0:
        return size
    return max(smallest, size * width / w)


def clip_text(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so it fits on one line."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
