"""Hostile XLSX files, built here with zipfile: a declared full-sheet dimension, cells at the sheet's
far corners, and zip bombs."""

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


def write_raw_xlsx(path: Path, rows: list[list[str]], *, dimension: str = "A1", shared_strings: str = "",
                   far: dict[tuple[int, int], str] | None = None) -> Path:
    """``rows`` from A1 down; ``far`` more cells by (row, column), each on a row of its own below them."""
    body = "".join(
        f'<row r="{r}">' + "".join(_cell(c, r, v) for c, v in enumerate(values, start=1) if v) + "</row>"
        for r, values in enumerate(rows, start=1)
    ) + "".join(f'<row r="{r}">{_cell(c, r, v)}</row>' for (r, c), v in sorted((far or {}).items()))
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


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows the importer takes from openpyxl (each one a loop turn, even a row the file
    does not hold): more than a table and its blank-row allowance fails at once instead of running
    for minutes."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    count = [0]
    iter_rows = ReadOnlyWorksheet.iter_rows

    def counted(self, *args, **kwargs):
        for row in iter_rows(self, *args, **kwargs):
            count[0] += 1
            if count[0] > orders.MAX_BLANK_ROWS + 100:
                raise AssertionError(f"the importer read {count[0]:,} rows of a sheet holding a few")
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counted)
    return count


XFD, LAST_ROW = 16_384, 1_048_576  # the sheet's last column and row


def test_a_header_cell_at_xfd1_and_a_cell_at_a1048576_are_refused_at_the_header(tmp_path, rows_read):
    path = write_raw_xlsx(tmp_path / "corners.xlsx", [], far={(1, XFD): "order_no", (LAST_ROW, 1): "x"})
    assert path.stat().st_size < 2048
    with pytest.raises(ImportFileError, match=r"header on line 1 goes past column IV \(256 columns\)"):
        read_order_file(path)
    assert rows_read[0] == 1  # the header row only
    from app.imports.products import read_product_file

    with pytest.raises(ImportFileError, match="goes past column IV"):  # the product import reads the same way
        read_product_file(path)


def test_a_table_with_a_cell_a_million_rows_below_is_refused_after_the_blank_rows(tmp_path, rows_read):
    path = write_raw_xlsx(tmp_path / "far.xlsx", [list(EN), line()], far={(LAST_ROW, 1): "x"})
    with pytest.raises(ImportFileError, match=r"goes on after 1,000 blank rows below line 2: delete the blank rows"):
        read_order_file(path)
    assert rows_read[0] == 2 + orders.MAX_BLANK_ROWS + 1  # header, the line, the blank rows and one more


def test_a_table_ending_in_blank_rows_gives_its_rows(tmp_path, rows_read):
    rows = [list(EN), line(order_no="PDD-1"), [], [], line(order_no="PDD-2")] + [[]] * (orders.MAX_BLANK_ROWS - 1)
    path = write_raw_xlsx(tmp_path / "tail.xlsx", rows, far={(len(rows) + 1, 2): " "})  # blank to the last row
    parsed = read_order_file(path)
    assert parsed.errors == [] and [r.order_no for r in parsed.rows] == ["PDD-1", "PDD-2"]


def test_a_header_as_wide_as_the_limit_is_read(tmp_path):
    header = list(EN) + [""] * (orders.MAX_COLUMNS - len(EN) - 1) + ["remark"]
    path = write_raw_xlsx(tmp_path / "wide-header.xlsx", [header, line()])
    assert [len(values) for _n, values in orders._xlsx_records(path)] == [orders.MAX_COLUMNS, orders.MAX_COLUMNS]
