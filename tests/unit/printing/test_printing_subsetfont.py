"""The label's CJK font embedding (app/printing/subsetfont.py): faster, and the same on paper.

reportlab's own TTFont is the reference: the subset font program must be byte for byte what its
subsetter makes, and a label must rasterise to the same pixels with either font.
"""

from __future__ import annotations

import io
import random
import re
import zlib

import pypdf
import pypdfium2 as pdfium
import pytest
from printing_helpers import ADDRESS, make_label
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

from app.printing import labels
from app.printing.fonts import find_cjk_font, register_cjk_font
from app.printing.labels import render_label_pdf
from app.printing.subsetfont import SubsetFont


@pytest.fixture(scope="module")
def cjk():
    return pdfmetrics.getFont(register_cjk_font(None))


def test_subset_font_program_is_reportlabs_byte_for_byte(cjk) -> None:
    face = cjk.face
    rng = random.Random(19)
    codes = sorted(face.charToGlyph)
    label_text = ADDRESS + "顺丰速运 SF Express 收 To: 张三 138****8000 寄 From: PackGate 旗舰店"
    subsets = [[0, *dict.fromkeys(map(ord, label_text))]]
    subsets += [[0, *rng.sample(codes, rng.randint(1, 255))] for _ in range(20)]
    composites = 0
    for subset in subsets:
        assert face.makeSubset(subset) == TTFontFile.makeSubset(face, subset)
        composites += sum(1 for code in subset if face._glyph(face.charToGlyph.get(code, 0))[1])
    assert composites > 0  # the glyph remapping of composite glyphs was exercised


def test_subset_font_sets_what_reportlabs_ttfont_sets() -> None:
    # SubsetFont.__init__ is TTFont.__init__ with another face class; a reportlab that adds an
    # attribute there must not go unnoticed.
    path = str(find_cjk_font(None))
    ours, theirs = SubsetFont("A", path), TTFont("B", path, asciiReadable=0)
    assert set(vars(ours)) == set(vars(theirs))
    assert (ours._asciiReadable, ours.shapable) == (theirs._asciiReadable, theirs.shapable)
    assert set(vars(ours.face)) == set(vars(theirs.face))


def _font_streams(pdf: bytes) -> list[bytes]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    out = []
    for ref in fonts.values():
        font = ref.get_object()
        if "/FontDescriptor" in font:
            out.append(font["/FontDescriptor"]["/FontFile2"].get_object().get_data())
    return out


def test_only_the_characters_a_label_uses_are_embedded(cjk) -> None:
    label = make_label()
    pdf = render_label_pdf(label)
    (program,) = _font_streams(pdf)
    # The ToUnicode map lists every character the embedded subset holds.
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    used = set(text) - {"\n"}
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    font = next(iter(reader.pages[0]["/Resources"]["/Font"].values())).get_object()
    cmap = font["/ToUnicode"].get_object().get_data().decode()
    held = {chr(int(u, 16)) for u in re.findall(r"<[0-9A-F]{2}> <([0-9A-F]{4})>", cmap)} - {"\x00"}
    assert held <= used | {" "}
    assert "Z" not in held and "q" not in held  # ASCII the label does not print is not embedded
    assert program[:4] == b"\x00\x01\x00\x00"  # a TrueType font program


def test_widths_are_the_fonts_advance_widths(cjk) -> None:
    pdf = render_label_pdf(make_label())
    font = next(iter(pypdf.PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values())).get_object()
    cmap = font["/ToUnicode"].get_object().get_data().decode()
    codes = [int(u, 16) for u in re.findall(r"<[0-9A-F]{2}> <([0-9A-F]{4})>", cmap)]
    widths = [cjk.face.getCharWidth(c) for c in codes]
    assert [float(w) for w in font["/Widths"]] == pytest.approx(widths, abs=5e-4)  # 3 decimals
    assert len(codes) == font["/LastChar"] + 1


def test_font_stream_is_plain_flate(cjk) -> None:
    pdf = render_label_pdf(make_label())
    raw = re.search(rb"/Filter \[ /FlateDecode \] /Length (\d+) /Length1 (\d+)\s*>>\s*stream\r?\n", pdf)
    assert raw is not None
    length, length1 = int(raw.group(1)), int(raw.group(2))
    body = pdf[raw.end() : raw.end() + length]
    assert len(zlib.decompress(body)) == length1


def _pixels(pdf: bytes) -> bytes:
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].render(scale=3).to_pil().convert("L").tobytes()
    finally:
        doc.close()


@pytest.mark.parametrize("waybill", ["SF1234567890123", None], ids=["shipping", "parcel"])
def test_label_rasterises_the_same_as_with_reportlabs_font(monkeypatch, cjk, waybill) -> None:
    path = find_cjk_font(None)
    assert path is not None
    plain = TTFont("PlainReportlabCJK", str(path))
    # Not registerFont: it would alias a second font of the same face to the first one.
    monkeypatch.setitem(pdfmetrics._fonts, "PlainReportlabCJK", plain)
    label = make_label(waybill=waybill)
    ours = render_label_pdf(label)
    monkeypatch.setattr(labels, "register_cjk_font", lambda _path=None: "PlainReportlabCJK")
    theirs = render_label_pdf(label)
    assert ours != theirs
    assert _pixels(ours) == _pixels(theirs)
