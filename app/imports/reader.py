"""Reading an import file: a CSV or XLSX file -> raw records ``(line, cells)`` (Qt-free, no database).

Sniffing (CSV or XLSX by content, the CSV's encoding and delimiter), the size limit, and the XLSX
safety limits: parts that unpack too far (zip bombs), a header wider than MAX_COLUMNS, a sheet that
goes on after MAX_BLANK_ROWS blank rows. The records are checked by :mod:`app.imports.checker`.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.errors import ImportFileError
from app.imports.cells import _blank, _shown, _text

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_SAMPLE_BYTES = 256 * 1024


def open_records(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, what: str = "order file"
                 ) -> tuple[str, str | None, Iterator[tuple[int, list[Any]]]]:
    """Sniff a CSV or XLSX file and return (format, encoding, records); each record is (line, cells).

    Raises :class:`ImportFileError` for a file that cannot be read as a table at all.
    """
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(_SAMPLE_BYTES)
    except IsADirectoryError as exc:
        raise ImportFileError(f"{path} is a folder, not an {what}") from exc
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if size > max_bytes:
        raise ImportFileError(
            f"{name} is {size / 1_048_576:.0f} MB; the import limit is {max_bytes / 1_048_576:.0f} MB: "
            "split the file into smaller ones (each is imported as a whole)"
        )
    if not head.strip().strip(codecs.BOM_UTF8).strip():
        raise ImportFileError(f"{name} is empty")
    kind = _sniff(head, path)
    if kind == "xlsx":
        return "xlsx", None, _xlsx_records(path, max_bytes)
    encoding = _detect_encoding(head, size, name)
    return "csv", encoding, _csv_records(path, encoding)



def _sniff(head: bytes, path: Path) -> str:
    """csv or xlsx, by content first (a renamed file is common), then by extension."""
    name, suffix = path.name, path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(f"{name} is an old Excel .xls workbook: save it as .xlsx or CSV (UTF-8) and import that")
    if head.startswith(b"%PDF"):
        raise ImportFileError(f"{name} is a PDF, not an order file: export the orders as CSV or XLSX")
    if suffix in (".xlsx", ".xlsm"):
        raise ImportFileError(f"{name} is not a valid XLSX workbook")
    if suffix not in (".csv", ".txt", ".tsv", ""):
        raise ImportFileError(f"{name}: unsupported file type {suffix}: import a CSV or XLSX file")
    return "csv"


def _detect_encoding(head: bytes, size: int, name: str) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise ImportFileError(f"{name} is a binary file, not a CSV text file")
    try:  # strict UTF-8 first: a prefix of a UTF-8 file may end inside a character, hence final=
        codecs.getincrementaldecoder("utf-8-sig")("strict").decode(head, final=len(head) >= size)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    sample = head if len(head) >= size else head[: head.rfind(b"\n") + 1] or head
    best = charset_normalizer.from_bytes(sample, cp_isolation=["gb18030", "big5", "cp1252"]).best()
    if best is None or best.chaos > 0.3:
        raise ImportFileError(
            f"{name} is not readable text: save it as CSV in UTF-8 (or GBK/GB18030) or as XLSX"
        )
    encoding = best.encoding
    return "gb18030" if encoding in ("gbk", "gb2312", "gb18030") else encoding


def _csv_records(path: Path, encoding: str) -> Iterator[tuple[int, list[Any]]]:
    line = 0
    try:
        with path.open(encoding=encoding, errors="strict", newline="") as f:
            first = f.readline()
            delimiter = max((",", "\t", ";"), key=first.count) if first else ","
            f.seek(0)
            reader = csv.reader(f, delimiter=delimiter)
            for record in reader:
                start, line = line + 1, reader.line_num  # a quoted cell may span lines: report the first
                yield start, record
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{path.name} is not valid {encoding} text near line {line + 1}: save the whole file in one encoding "
            "(UTF-8 or GBK)"
        ) from exc
    except csv.Error as exc:
        raise ImportFileError(f"{path.name} line {line + 1} is not valid CSV: {exc}") from exc


# A part (zip member) that unpacks to more than this many times its packed size is a zip bomb, not
# a spreadsheet: real XLSX sheets and shared strings pack 5-30 times. Small parts may pack better.
MAX_PART_RATIO = 100
_RATIO_FROM_BYTES = 1024 * 1024
# openpyxl streams a sheet's XML but keeps the shared strings (every distinct text) in memory.
_IN_MEMORY_PARTS = ("xl/sharedstrings.xml",)


def _check_xlsx_parts(path: Path, max_bytes: int) -> None:
    """Refuse a workbook whose parts would unpack to too much, before openpyxl opens any of them.

    ``max_bytes`` limits the compressed file; a small file can still unpack to gigabytes. So each
    part may unpack to at most MAX_PART_RATIO times its packed size; the shared strings (held in
    memory) to at most ``max_bytes``, a streamed part (a sheet) and all parts together to four
    times that. zipfile stops reading a part at its declared size, so the declaration is binding.
    """
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(f"{name} is not a readable XLSX workbook: {exc}") from exc
    total = 0
    for part in parts:
        size, packed = part.file_size, part.compress_size
        total += size
        limit = max_bytes if part.filename.casefold() in _IN_MEMORY_PARTS else max_bytes * 4
        if size > limit or total > max_bytes * 4:
            raise ImportFileError(
                f"{name}: its part {_shown(part.filename)} unpacks to {size / 1_048_576:.1f} MB "
                f"({total / 1_048_576:.1f} MB in all), more than the {limit / 1_048_576:.0f} MB an import reads "
                "unpacked: split the file or save it as CSV"
            )
        if size > _RATIO_FROM_BYTES and size > packed * MAX_PART_RATIO:
            raise ImportFileError(
                f"{name}: its part {_shown(part.filename)} unpacks from {packed:,} to {size:,} bytes "
                f"({size // max(packed, 1):,} times); a spreadsheet packs at most {MAX_PART_RATIO} times, so the "
                "file is refused as a zip bomb: export it again from the shop or save it as CSV"
            )


# A table's bounds in a sheet. An order or product export has tens of columns; 256 was a whole sheet
# in Excel 2003. Past MAX_BLANK_ROWS blank rows in a row the table has ended: a sheet that goes on
# after them (a stray cell at A1048576) is refused, because a missing row costs a loop turn to skip
# and a 1.6 kB file can name a million of them.
MAX_COLUMNS = 256
MAX_BLANK_ROWS = 1_000


def _xlsx_records(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[tuple[int, list[Any]]]:
    _check_xlsx_parts(path, max_bytes)
    stream, wb = _open_workbook(path)
    name = path.name
    try:
        if not wb.worksheets:
            raise ImportFileError(f"{name} has no sheets")
        ws = wb.worksheets[0]
        # The declared dimension (<dimension ref="A1:XFD1048576">) would pad every row to it:
        # ignore it, and read only as many columns as the header has (at most MAX_COLUMNS).
        ws.reset_dimensions()
        try:
            header = _xlsx_header(ws, name)
            if header is None:
                return
            header_line, values = header
            yield header_line, values
            yield from _xlsx_rows(ws, name, header_line, len(values))
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
            raise ImportFileError(f"{name}: the first sheet cannot be read: {exc}") from exc
    finally:
        wb.close()
        stream.close()


def _open_workbook(path: Path) -> tuple[Any, Any]:
    """(the open file, the workbook read-only); refused when openpyxl cannot open it."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    # A file object, not the path: openpyxl refuses names not ending in .xlsx (a renamed file).
    stream = path.open("rb")
    try:
        return stream, openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        stream.close()
        raise ImportFileError(f"{path.name} is not a readable XLSX workbook: {exc}") from exc


def _xlsx_header(ws: Any, name: str) -> tuple[int, list[Any]] | None:
    """The first non-blank row (line, cells up to its last heading), or None for a blank sheet."""
    from openpyxl.utils import get_column_letter

    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if not _blank(list(values)):
            width = max(i for i, value in enumerate(values) if _text(value)) + 1
            if width > MAX_COLUMNS:
                raise ImportFileError(
                    f"{name}: the header on line {number} goes past column {get_column_letter(MAX_COLUMNS)} "
                    f"({MAX_COLUMNS} columns); an import reads at most {MAX_COLUMNS}: delete the columns after "
                    "the last heading (or save it as CSV) and import again")
            return number, list(values[:width])
        if number > MAX_BLANK_ROWS:
            raise _too_many_blank_rows(name, 0)
    return None


def _xlsx_rows(ws: Any, name: str, header_line: int, width: int) -> Iterator[tuple[int, list[Any]]]:
    """The rows below the header, blank ones skipped; refused past MAX_BLANK_ROWS blank rows in a row."""
    last, blank_run = header_line, 0
    for number, values in enumerate(ws.iter_rows(min_row=header_line + 1, max_col=width, values_only=True),
                                    start=header_line + 1):
        if _blank(values):
            blank_run += 1
            if blank_run > MAX_BLANK_ROWS:
                raise _too_many_blank_rows(name, last)
            continue  # every reader skips blank rows
        last, blank_run = number, 0
        yield number, list(values)


def _too_many_blank_rows(name: str, after: int) -> ImportFileError:
    where = f"below line {after}" if after else "at the top"
    return ImportFileError(
        f"{name}: the first sheet goes on after {MAX_BLANK_ROWS:,} blank rows {where}: delete the blank rows "
        "and anything below the table (or save it as CSV) and import again")
