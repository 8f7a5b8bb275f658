"""The CJK TrueType font as embedded in every label: a subset of only the glyphs a document uses.

reportlab embeds a TrueType font as a subset per document, and for a CJK font that is most of the
cost of a label PDF (issue 19: 4.3 ms for a label against 0.5 ms for a bare page). What made it
cheaper, none of which changes a glyph on paper:

* Only the characters a document uses are embedded. reportlab's default (``ttfAsciiReadable``)
  puts all 96 printable ASCII characters into every subset so the raw content stream stays
  readable; a label uses about half of them, so the other half were subset, compressed and
  described (widths, ToUnicode) for nothing. Code 32 is still the space (word spacing works) and
  text extraction still reads the ToUnicode map, so the text a reader copies is the same.
* Subsetting reads only what it needs. reportlab's subsetter copies each table it uses out of the
  font file per document (3.5 MB of ``glyf`` and 0.5 MB of ``post`` for wqy-microhei, per label)
  and walks every glyph's bytes in Python; ``_SubsetFace.makeSubset`` writes the same bytes from
  the few small tables, copied once, and from each glyph's bytes, parsed once (a bounded cache).
* The subset font program is stored, not compressed (``FONT_DEFLATE_LEVEL`` 0: a FlateDecode
  stream of stored blocks, which every PDF reader inflates). TrueType outlines compress poorly
  (24.5 kB to 16.6 kB for the test label at zlib's level 6, 17.2 kB at level 1) and deflating them
  was the largest single cost left: level 6 0.8 ms, level 1 0.55 ms a label, stored 0.01 ms. A
  label is 29 kB with it stored, about what it was before (28.5 kB, with 96 ASCII glyphs
  compressed at level 6); level 1 makes it 22 kB. ISA-L's deflate (``isal``) was tried: 0.07 ms
  alone, but no faster than zlib's level 1 in a run of labels, and it made the 500-parcel manifest
  27 -> 38 ms (its large buffers, allocated per call).
* Each subset's ``Widths`` array is written from widths formatted once per value (reportlab
  formats every number of it per document through its generic formatter: 0.2-0.3 ms a label).
  The bytes are the same.
"""

from __future__ import annotations

import zlib
from fnmatch import fnmatch
from struct import pack, unpack_from
from weakref import WeakKeyDictionary

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import (
    GF_ARG_1_AND_2_ARE_WORDS,
    GF_MORE_COMPONENTS,
    GF_WE_HAVE_A_SCALE,
    GF_WE_HAVE_A_TWO_BY_TWO,
    GF_WE_HAVE_AN_X_AND_Y_SCALE,
    TTEncoding,
    TTFont,
    TTFontFace,
    TTFontMaker,
    unShapedFontGlob,
)

__all__ = ["FONT_DEFLATE_LEVEL", "GLYPH_CACHE_SIZE", "SubsetFont"]

FONT_DEFLATE_LEVEL = 0  # zlib level of the embedded font program (0: stored; see above)
GLYPH_CACHE_SIZE = 8192  # glyphs kept parsed (a label uses ~100 with their composite parts)

# A glyph as the subsetter needs it: its bytes in the original glyf table, and for a composite
# glyph the (offset in those bytes, original glyph id) of each component reference.
_Glyph = tuple[bytes, tuple[tuple[int, int], ...]]


class _LevelledFlate:
    """reportlab's FlateDecode filter at another zlib level (same filter name, same decoding)."""

    pdfname = "FlateDecode"

    def __init__(self, level: int) -> None:
        self.level = level

    def encode(self, data: bytes | str) -> bytes:
        if isinstance(data, str):
            data = data.encode("utf8")
        return zlib.compress(data, self.level)

    def decode(self, encoded: bytes) -> bytes:
        return zlib.decompress(encoded)


_FONT_FLATE = _LevelledFlate(FONT_DEFLATE_LEVEL)


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

    def _table(self, tag: str) -> bytes:
        """One of the small tables every subset copies (never glyf or post: megabytes)."""
        tables = self.__dict__.setdefault("_tables", {})
        data = tables.get(tag)
        if data is None:
            data = tables[tag] = self.get_table(tag)
        return data

    def _post_header(self) -> bytes:
        tables = self.__dict__.setdefault("_tables", {})
        data = tables.get("post[4:16]")
        if data is None:
            pos, _length = self.get_table_pos("post")
            data = tables["post[4:16]"] = self._ttf_data[pos + 4 : pos + 16]
        return data

    def _glyph(self, gid: int) -> _Glyph:
        glyphs = self.__dict__.setdefault("_glyphs", {})
        found = glyphs.get(gid)
        if found is not None:
            return found
        glyf = self.get_table_pos("glyf")[0]
        data = self._ttf_data[glyf + self.glyphPos[gid] : glyf + self.glyphPos[gid + 1]]
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
                output.add(tag, self._table(tag))
        output.add("post", b"\x00\x03\x00\x00" + self._post_header() + b"\x00" * 16)

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
        output.add("hhea", _set_ushort(self._table("hhea"), 34, n >> 1))
        output.add("maxp", _set_ushort(self._table("maxp"), 4, num_glyphs))

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
        output.add("head", _set_ushort(self._table("head"), 50, index_to_loc_format))
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
        # TTFont.__init__ with our face: reportlab builds a plain TTFontFace there and offers no
        # way to pass another (and parsing the file twice costs 0.1 s). A test checks that this
        # sets the same attributes as TTFont.__init__.
        self.fontName = name
        self.face = _SubsetFace(filename, validate=0, subfontIndex=subfontIndex)
        self.encoding = TTEncoding()
        self.state = WeakKeyDictionary()
        self._asciiReadable = 0
        self.shapable = not any(fnmatch(name, glob) for glob in unShapedFontGlob)

    def addObjects(self, doc):  # noqa: N802 (reportlab's name)
        state = self._assignState(doc)  # the document's subsets (reportlab drops them after)
        super().addObjects(doc)
        fonts = doc.idToObject["BasicFonts"].dict
        for n in range(len(state.subsets)):
            font = fonts[f"{state.internalName}+{n}"]
            # Already formatted numbers pass through PDFArray's formatting unchanged.
            font.Widths = pdfdoc.PDFArray([_formatted_width(w) for w in font.Widths.sequence])
