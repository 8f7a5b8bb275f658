"""The CJK TrueType font as embedded in every label: a subset of only the glyphs a document uses.

reportlab embeds a TrueType font as a subset per document, and for a CJK font that is most of the
cost of a label PDF (issue 19: 4.3 ms for a label against 0.5 ms for a bare page). Three things
made it cheaper, none of which changes a glyph on paper:

* Only the characters a document uses are embedded. reportlab's default (``ttfAsciiReadable``)
  puts all 96 printable ASCII characters into every subset so the raw content stream stays
  readable; a label uses about half of them, so the other half were subset, compressed and
  described (widths, ToUnicode) for nothing. Code 32 is still the space (word spacing works) and
  text extraction still reads the ToUnicode map, so the text a reader copies is the same.
* The font file's tables are sliced out once. reportlab's subsetter asks for each table per
  document, and each ask copies it out of the font file: 3.5 MB of ``glyf`` and 0.5 MB of ``post``
  for wqy-microhei, per label. The cache holds one copy of each table (bounded by the font's
  table count, not by any label's data).
* The subset font program is deflated with ISA-L (``isal``) at its level 1 (``FONT_DEFLATE_LEVEL``)
  instead of zlib at level 6: 0.07 ms instead of 0.85 ms for the test label's 24 kB program, 17.4 kB
  instead of 16.6 kB. It is the same FlateDecode stream format; any PDF reader inflates it.
* Each subset's ``Widths`` array is written from widths formatted once per value (reportlab
  formats every number of it per document through its generic formatter: 0.2-0.3 ms a label).
  The bytes are the same.
"""

from __future__ import annotations

import zlib
from struct import pack, unpack_from

from isal import isal_zlib
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import (
    GF_ARG_1_AND_2_ARE_WORDS,
    GF_MORE_COMPONENTS,
    GF_WE_HAVE_A_SCALE,
    GF_WE_HAVE_A_TWO_BY_TWO,
    GF_WE_HAVE_AN_X_AND_Y_SCALE,
    TTFont,
    TTFontFace,
    TTFontMaker,
)

__all__ = ["FONT_DEFLATE_LEVEL", "GLYPH_CACHE_SIZE", "SubsetFont"]

FONT_DEFLATE_LEVEL = 1
GLYPH_CACHE_SIZE = 8192  # glyphs kept parsed (a label uses ~100 with their composite parts)

# A glyph as the subsetter needs it: its bytes in the original glyf table, and for a composite
# glyph the (offset in those bytes, original glyph id) of each component reference.
_Glyph = tuple[bytes, tuple[tuple[int, int], ...]]


class _FastFlate:
    """reportlab's FlateDecode filter with ISA-L's deflate (same filter name, same decoding)."""

    pdfname = "FlateDecode"

    def __init__(self, level: int) -> None:
        self.level = level

    def encode(self, data: bytes | str) -> bytes:
        if isinstance(data, str):
            data = data.encode("utf8")
        return isal_zlib.compress(data, self.level)

    def decode(self, encoded: bytes) -> bytes:
        return zlib.decompress(encoded)


_FONT_FLATE = _FastFlate(FONT_DEFLATE_LEVEL)


_width_bytes: dict[float, bytes] = {}  # an advance width -> as reportlab writes it in a PDF


def _formatted_width(width: float) -> bytes:
    found = _width_bytes.get(width)
    if found is None:
        if len(_width_bytes) >= GLYPH_CACHE_SIZE:
            _width_bytes.clear()
        found = _width_bytes[width] = pdfdoc.format(width, None)
    return found


def _set_ushort(data: bytes, offset: int, value: int) -> bytes:
    return data[:offset] + pack(">H", value) + data[offset + 2 :]


class _SubsetFace(TTFontFace):
    """A parsed TrueType face that subsets from tables and glyphs it copied out of the file once."""

    _tables: dict[str, bytes]
    _glyphs: dict[int, _Glyph]

    def get_table(self, tag: str) -> bytes:
        tables = self.__dict__.setdefault("_tables", {})
        data = tables.get(tag)
        if data is None:
            data = tables[tag] = super().get_table(tag)
        return data

    def _glyph(self, gid: int) -> _Glyph:
        glyphs = self.__dict__.setdefault("_glyphs", {})
        found = glyphs.get(gid)
        if found is not None:
            return found
        start = self.glyphPos[gid]
        data = self.get_table("glyf")[start:self.glyphPos[gid + 1]]
        components: list[tuple[int, int]] = []
        if len(data) > 2 and unpack_from(">h", data)[0] < 0:  # a composite glyph
            pos = 10
            flags = GF_MORE_COMPONENTS
            while flags & GF_MORE_COMPONENTS:
                flags, component = unpack_from(">HH", data, pos)
                components.append((pos + 2, component))
                pos += 8 if flags & GF_ARG_1_AND_2_ARE_WORDS else 6
                if flags & GF_WE_HAVE_A_SCALE:
                    pos += 2
                elif flags & GF_WE_HAVE_AN_X_AND_Y_SCALE:
                    pos += 4
                elif flags & GF_WE_HAVE_A_TWO_BY_TWO:
                    pos += 8
        if len(glyphs) >= GLYPH_CACHE_SIZE:
            glyphs.clear()
        found = glyphs[gid] = (data, tuple(components))
        return found

    def makeSubset(self, subset):  # noqa: N802 (reportlab's name)
        """reportlab's TTFontFile.makeSubset, byte for byte, with each glyph parsed once.

        reportlab walks every glyph's bytes (and its composite parts) in Python per document;
        a CJK label has ~100 glyphs, many of them composites. Same tables, same order, same
        glyph numbering: tests compare the output with reportlab's own.
        """
        char_to_glyph = self.charToGlyph
        glyph_map = [0]  # new glyph index -> original
        glyph_set = {0: 0}  # original -> new
        cmap_entries = []
        for code in subset:
            original = char_to_glyph.get(code, 0)
            new = glyph_set.get(original)
            if new is None:
                new = glyph_set[original] = len(glyph_map)
                glyph_map.append(original)
            cmap_entries.append(new)
        # Parts of composite glyphs join the subset after the glyphs that use them.
        n = 0
        while n < len(glyph_map):
            for _pos, component in self._glyph(glyph_map[n])[1]:
                if component not in glyph_set:
                    glyph_set[component] = len(glyph_map)
                    glyph_map.append(component)
            n += 1

        output = TTFontMaker()
        for tag in ("name", "OS/2", "cvt ", "fpgm", "prep"):
            if tag in self.table:
                output.add(tag, self.get_table(tag))
        output.add("post", b"\x00\x03\x00\x00" + self.get_table("post")[4:16] + b"\x00" * 16)

        num_glyphs = len(glyph_map)
        hmetrics = self.hmetrics
        hmtx: list[int] = []
        for original in glyph_map:
            aw, lsb = hmetrics[original]
            hmtx.append(int(aw))
            hmtx.append(int(lsb))
        # Trailing glyphs with the same advance keep only their left side bearing.
        n = len(hmtx) - 2
        while n and hmtx[n] == hmtx[n - 2]:
            n -= 2
        n += 2
        hmtx = hmtx[:n] + hmtx[n + 1 :: 2]
        output.add("hmtx", pack(">%dH" % len(hmtx), *hmtx))  # noqa: UP031
        output.add("hhea", _set_ushort(self.get_table("hhea"), 34, n >> 1))
        output.add("maxp", _set_ushort(self.get_table("maxp"), 4, num_glyphs))

        count = len(subset)
        output.add("cmap", pack(">%dH" % (11 + count), 0, 1, 1, 0, 0, 12, 6, 10 + count * 2, 0, 0,  # noqa: UP031
                                count, *cmap_entries))

        offsets = []
        glyf: list[bytes] = []
        pos = 0
        for original in glyph_map:
            offsets.append(pos)
            data, components = self._glyph(original)
            if components:
                patched = bytearray(data)
                for at, component in components:
                    patched[at : at + 2] = pack(">H", glyph_set[component])
                data = bytes(patched)
            glyf.append(data)
            pos += len(data)
            if pos % 4:
                glyf.append(b"\0" * (4 - pos % 4))
                pos += 4 - pos % 4
        offsets.append(pos)
        output.add("glyf", b"".join(glyf))
        if (pos + 1) >> 1 > 0xFFFF:
            index_to_loc_format = 1
            loca = pack(">%dL" % len(offsets), *offsets)  # noqa: UP031
        else:
            index_to_loc_format = 0
            loca = pack(">%dH" % len(offsets), *(o >> 1 for o in offsets))  # noqa: UP031
        output.add("loca", loca)
        output.add("head", _set_ushort(self.get_table("head"), 50, index_to_loc_format))
        return output.makeStream()

    def addSubsetObjects(self, doc, fontname, subset):  # noqa: N802 (reportlab's name)
        ref = super().addSubsetObjects(doc, fontname, subset)
        # The font program's stream, under the name reportlab's addSubsetObjects gave it.
        font_file = doc.idToObject["fontFile:%s(%s)" % (self.filename, fontname)]  # noqa: UP031
        if font_file.filters:
            font_file.filters = [_FONT_FLATE]
        return ref


class SubsetFont(TTFont):
    """A TrueType font that embeds only the characters a document uses (see the module's note)."""

    def __init__(self, name: str, filename: str, subfontIndex: int = 0) -> None:  # noqa: N803
        super().__init__(name, filename, subfontIndex=subfontIndex, asciiReadable=0)
        # reportlab's TTFont builds a plain TTFontFace itself; re-class that parsed face (no new
        # state but the lazily filled table cache) instead of parsing the file a second time.
        assert type(self.face) is TTFontFace
        self.face.__class__ = _SubsetFace

    def addObjects(self, doc):  # noqa: N802 (reportlab's name)
        state = self._assignState(doc)  # the document's subsets (reportlab drops them after)
        super().addObjects(doc)
        fonts = doc.idToObject["BasicFonts"].dict
        for n in range(len(state.subsets)):
            font = fonts[f"{state.internalName}+{n}"]
            # Already formatted numbers pass through PDFArray's formatting unchanged.
            font.Widths = pdfdoc.PDFArray([_formatted_width(w) for w in font.Widths.sequence])
