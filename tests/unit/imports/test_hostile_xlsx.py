"""Hostile XLSX files, built here with zipfile: a declared full-sheet dimension and zip bombs."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from import_helpers import EN, line

from app.errors import ImportFileError
from app.imports import orders
from app.imports.orders import read_order_file

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)


def _cell(column: int, row: int, value: str) -> str:
    letters = ""
    n = column
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f'<c r="{letters}{row}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def write_raw_xlsx(path: Path, rows: list[list[str]], *, dimension: str = "A1", shared_strings: str = "") -> Path:
    body = "".join(
        f'<row r="{r}">' + "".join(_cell(c, r, v) for c, v in enumerate(values, start=1) if v) + "</row>"
        for r, values in enumerate(rows, start=1)
    )
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>')
    strings = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
               f"<si><t>{shared_strings}</t></si></sst>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", strings)
    return path


def test_a_declared_full_sheet_dimension_does_not_widen_the_rows(tmp_path):
    rows = [list(EN)] + [line(order_no=f"PDD-{i}") for i in range(200)]
    path = write_raw_xlsx(tmp_path / "wide.xlsx", rows, dimension="A1:XFD1048576")
    assert path.stat().st_size < 64 * 1024
    widths = {len(values) for _number, values in orders._xlsx_records(path)}
    assert widths == {len(EN)}  # 16,384 cells per row before: 20,000 rows took 29 s of CPU
    parsed = read_order_file(path)
    assert parsed.errors == [] and len(parsed.rows) == 200


def test_columns_right_of_the_header_are_not_read(tmp_path):
    rows = [list(EN), [*line(), *([""] * 40), "stray"]]
    path = write_raw_xlsx(tmp_path / "stray.xlsx", rows)
    assert [len(values) for _n, values in orders._xlsx_records(path)] == [len(EN), len(EN)]


def test_shared_strings_that_unpack_hundreds_of_times_are_refused_before_reading(tmp_path, monkeypatch):
    rows = [list(EN), line()]
    path = write_raw_xlsx(tmp_path / "bomb.xlsx", rows, shared_strings="A" * 3_000_000)
    assert path.stat().st_size < 64 * 1024

    def no_openpyxl(*_args, **_kwargs):
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr("openpyxl.load_workbook", no_openpyxl)
    with pytest.raises(ImportFileError, match=r"sharedStrings\.xml unpacks from .* times.*zip bomb"):
        read_order_file(path)


def test_a_part_larger_than_the_limit_unpacked_is_refused(tmp_path):
    # Random-looking text packs badly (no ratio alarm) but unpacks past a 1 MB limit.
    import random

    rng = random.Random(7)
    text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(1_500_000))
    path = write_raw_xlsx(tmp_path / "big.xlsx", [list(EN), line()], shared_strings=text)
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(ImportFileError, match=r"sharedStrings\.xml unpacks to 1\.\d MB.*more than the 1 MB"):
        read_order_file(path, max_bytes=1024 * 1024)


def test_an_ordinary_workbook_passes_the_part_checks(tmp_path):
    from import_helpers import write_xlsx

    path = write_xlsx(tmp_path / "ok.xlsx", [line(order_no=f"PDD-{i}") for i in range(2000)])
    assert len(read_order_file(path).rows) == 2000
