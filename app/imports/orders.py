"""Order import: the shop's CSV or XLSX export, one row per order line (Qt-free).

Reading (:func:`read_order_file`) turns a file into validated rows plus a list of bad rows, without
touching the database. Importing (:func:`import_orders`) adds the checks that need the database and
then writes everything in one transaction, or nothing at all.

Decisions, so the operator can predict what happens:

* **Atomic per file.** Any bad row and nothing is imported; the report lists every bad row with its
  line number (the header is line 1; for CSV the physical line where the record starts, for XLSX the
  sheet row).
* **Idempotent.** An order already in the database is never changed by an import:

  - ``ready`` and the file says the same thing (carrier, recipient, note, pre-assigned waybill and
    the same lines): skipped and counted as *unchanged*;
  - ``ready`` but the file differs: a bad row ("order X already exists with different lines"),
    because silently rewriting an order a packer may be about to open is unsafe; cancel it in
    PackGate or give the changed order a new number;
  - ``packing`` or later (also ``on_hold`` and ``cancelled``): never overwritten, counted as
    *left as it is*, not an error.

* **Order-level cells** (carrier, recipient, phone, address, waybill, note, created time) repeat on
  each line of an order. A blank cell on a later line takes the order's value; a different value
  is a bad row.
* **Products** are matched by SKU. A new SKU is created from the file and needs a unit weight
  (the bench checks the parcel weight) and a barcode (the bench verifies items by barcode); its name
  defaults to the SKU. An existing product keeps its name and weight; a new barcode for it is
  added. A barcode that belongs to another SKU is a bad row.
* **Cells that look like spreadsheet formulas** (``=...``, or ``+ - @`` followed by a letter or a
  bracket) and control characters (tab, CR, ...; a line break only inside an address or a note)
  are bad rows: they are how formula injection reaches the people who open our exports.
* **Other systems' exports** (``column_map``: ``--profile pdd`` or ``--columns MAP.toml``) are
  translated into this format line by line (:mod:`app.imports.columnmap`) and checked by the same
  checker. Their order states decide: only orders to ship are imported as ready; shipped and
  cancelled ones are skipped and counted (and put on hold if PackGate still has them ready or at a
  bench); an after-sales case is imported on hold, or puts the existing order on hold, with the
  reason (audited as ``import_hold``). A SKU PackGate does not know (the platform file has no
  barcodes or weights) is an *unknown product*: listed with its line, and nothing is imported.
* **Default carrier.** An order whose carrier cell is blank takes ``default_carrier`` (a setting,
  or ``--default-carrier``); without one it is a bad row.
* **Size.** CSV rows are streamed, but the validated rows are held in memory to check the file as
  a whole, so files larger than ``max_bytes`` (default 64 MB, about 400,000 order lines) are refused
  before reading, with a message saying to split them. XLSX is read with openpyxl in read-only mode,
  at most MAX_COLUMNS columns wide and ending at MAX_BLANK_ROWS blank rows in a row (a sheet that
  goes on after them, or a header wider than that, is refused with what to do).
"""

from __future__ import annotations

import codecs
import csv
import gc
import operator
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.carriers import CarrierCatalogue, load_catalogue
from app.errors import ImportFileError, KnownError
from app.imports.cells import _blank, _shown, _text
from app.imports.columnmap import ColumnMap, MappedFacts, MappedReader
from app.models.audit_chain import link_rows
from app.models.schema import (
    Order,
    OrderLine,
    OrderState,
    Product,
    ProductBarcode,
    ScanEvent,
    WaybillPoolEntry,
)

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 1_000_000
_SAMPLE_BYTES = 256 * 1024
_IN_CHUNK = 500  # values per IN (...) lookup: well under SQLite's variable limit

# field, English header, Chinese header, required column
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("order_no", "订单号", True),
    ("carrier", "快递公司", True),
    ("recipient_name", "收件人", True),
    ("recipient_phone", "联系电话", True),
    ("recipient_address", "收货地址", True),
    ("sku", "商品编码", True),
    ("barcode", "商品条码", False),
    ("product_name", "商品名称", False),
    ("quantity", "数量", True),
    ("unit_weight_g", "单件重量(克)", False),
    ("waybill", "运单号", False),
    ("note", "备注", False),
    ("created_at", "下单时间", False),
)
REQUIRED = tuple(name for name, _zh, required in COLUMNS if required)

# Longest text accepted per field (the database columns, or a sane bound for TEXT columns).
MAX_LENGTH = {
    "order_no": 64,
    "recipient_name": 120,
    "recipient_phone": 40,
    "recipient_address": 500,
    "sku": 64,
    "barcode": 64,
    "product_name": 200,
    "note": 500,
    "carrier": 40,
    "waybill": 64,
}
TEXT_FIELDS = ("order_no", "carrier", "recipient_name", "recipient_phone", "recipient_address", "sku", "barcode",
               "product_name", "waybill", "note")
TEXT_LIMITS = tuple(MAX_LENGTH[name] for name in TEXT_FIELDS)
MULTILINE_FIELDS = frozenset({"recipient_address", "note"})
ORDER_FIELDS = ("carrier_code", "recipient_name", "recipient_phone", "recipient_address", "waybill", "note",
                "created_at")
_ORDER_FIELD_LABEL = {"carrier_code": "carrier"}

# The row fast path: any control character (a line break too), or a cell that starts like a formula
# (the cells joined by U+E000, with one in front). A row with a hit takes the detailed path.
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ROW_FORMULA = re.compile(r"\ue000(?:=|[+\-@][A-Za-z_(\"'])")  # _FORMULA after a separator
_SUSPECT = re.compile(r"^[=+\-@]|[\x00-\x1f\x7f]")  # one cheap test per cell; details only on a hit
_FORMULA = re.compile(r"^(?:=|[+\-@][A-Za-z_(\"'])")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_CONTROL_NO_NEWLINE = re.compile(r"[\x00-\x1f\x7f]")
_WHOLE = re.compile(r"\+?\d{1,9}")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def _header_key(text: str) -> str:
    return text.strip().lstrip("\ufeff").replace("（", "(").replace("）", ")").replace(" ", "").casefold()


HEADERS: dict[str, str] = {}
for _name, _zh, _req in COLUMNS:
    HEADERS[_header_key(_name)] = _name
    HEADERS[_header_key(_zh)] = _name


class ImportRow(NamedTuple):
    """One valid order line from the file (text trimmed, carrier resolved, waybill normalised).

    A named tuple: 100,000 of them are built per large file, and a tuple is the cheapest record.
    """

    line: int
    order_no: str
    carrier_code: str
    recipient_name: str
    recipient_phone: str
    recipient_address: str
    sku: str
    barcode: str
    product_name: str
    quantity: int
    unit_weight_g: int | None
    waybill: str
    note: str
    created_at: datetime | None  # aware UTC; None = not given


@dataclass
class ParsedImport:
    """What :func:`read_order_file` found: valid rows and every bad row as (line, reason)."""

    path: Path
    file_format: str  # "csv" or "xlsx"
    encoding: str | None
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    facts: MappedFacts | None = None  # what a column map read beyond the lines (states, after-sales)


@dataclass(frozen=True)
class HeldOrder:
    """An order the file shows with an after-sales case (or as no longer to ship while PackGate still
    has it ready), and what the import did about it."""

    line: int
    order_no: str
    status: str  # the file's after-sales or order state text, e.g. 退款中
    outcome: str  # "held" (new, imported on hold), "put on hold", "already on hold", "already packed", ...


@dataclass
class ImportReport:
    """The outcome of one import. ``errors`` or ``unknown_products`` non-empty: nothing was imported."""

    file_name: str
    orders_added: int = 0
    lines_added: int = 0
    products_added: int = 0
    barcodes_added: int = 0
    orders_unchanged: int = 0  # already present, ready, identical: skipped
    orders_in_progress: int = 0  # already packing or later (or on hold, cancelled): left alone
    errors: list[tuple[int, str]] = field(default_factory=list)
    profile: str = ""  # the column map's name; "" for PackGate's own format
    sku_sources: dict[str, int] = field(default_factory=dict)  # header -> lines whose SKU came from it
    skipped: dict[str, int] = field(default_factory=dict)  # reason (shipped, cancelled, ...) -> orders
    held: list[HeldOrder] = field(default_factory=list)
    unknown_products: list[tuple[int, str, str]] = field(default_factory=list)  # (line, sku, name)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unknown_products

    @property
    def orders_held(self) -> int:
        return sum(1 for h in self.held if h.outcome in ("held", "put on hold"))

    def summary(self) -> str:
        text = (f"Imported {self.file_name}{f' ({self.profile} profile)' if self.profile else ''}: "
                f"{_plural(self.orders_added - self.orders_held_new, 'order')}, "
                f"{_plural(self.lines_added, 'line')}, {_plural(self.products_added, 'product')} added")
        skipped = []
        if self.orders_unchanged:
            skipped.append(f"{_plural(self.orders_unchanged, 'order')} already present, unchanged")
        if self.orders_in_progress:
            skipped.append(f"{_plural(self.orders_in_progress, 'order')} already in packing or later, left as they are")
        out = [text + (f" ({'; '.join(skipped)})" if skipped else "")]
        out.extend(self.details())
        return "\n".join(out)

    @property
    def orders_held_new(self) -> int:
        return sum(1 for h in self.held if h.outcome == "held")

    def details(self) -> list[str]:
        """The lines after the first: SKU columns, skipped states, holds, unknown products."""
        out = []
        if self.sku_sources:
            out.append("  SKU from " + ", ".join(f"{header} on {_plural(n, 'line')}"
                                                 for header, n in self.sku_sources.items()))
        for reason, n in self.skipped.items():
            out.append(f"  skipped {_plural(n, 'order')} the file shows as {reason}")
        if self.held:
            out.append(f"  {_plural(len(self.held), 'order')} with an after-sales case, or no longer to ship "
                       "(not imported as ready):")
            out.extend(f"    line {h.line}: order {h.order_no} ({h.status}): {h.outcome}" for h in self.held)
        if self.unknown_products:
            out.append(f"  {_plural(len(self.unknown_products), 'product')} unknown: import them with "
                       "packgate import-products first (nothing was imported):")
            out.extend(f"    line {line}: SKU {sku}{f' ({name})' if name else ''}"
                       for line, sku, name in self.unknown_products)
        return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --------------------------------------------------------------------------------------- reading


def read_order_file(
    path: str | Path,
    catalogue: CarrierCatalogue | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    column_map: ColumnMap | None = None,
    default_carrier: str = "",
) -> ParsedImport:
    """Read and check an order file without the database.

    With ``column_map`` the file is another system's export, translated by the map (see
    :mod:`app.imports.columnmap`); ``default_carrier`` is taken by an order whose carrier is blank.
    Raises :class:`ImportFileError` when the file cannot be read as an order file at all (format,
    encoding, size, missing columns); bad rows are returned in ``errors``.
    """
    path = Path(path)
    catalogue = catalogue or load_catalogue()
    kind, encoding, records = open_records(path, max_bytes)
    parsed = ParsedImport(path, kind, encoding)
    if default_carrier and catalogue.resolve(default_carrier) is None:
        raise ImportFileError(f"The default carrier {default_carrier!r} is not a carrier PackGate knows")
    checker = _Checker(parsed, catalogue, default_carrier)
    if column_map is not None:
        reader = MappedReader(column_map, path.name)
        records = reader.records(records)
        parsed.facts = reader.facts
        checker.allow_no_lines = True  # every order may be shipped or cancelled already
    with _gc_paused():
        checker.run(records)
    if parsed.facts is not None and parsed.facts.errors:
        parsed.errors.extend(parsed.facts.errors)
        parsed.errors.sort(key=lambda e: e[0])
    return parsed


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


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while building 100,000s of rows (nothing here makes cycles).

    Each full collection walks every live row, and a growing list of rows triggers several: they
    cost as much as the checks themselves. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    _check_xlsx_parts(path, max_bytes)
    # A file object, not the path: openpyxl refuses names not ending in .xlsx (a renamed file).
    stream = path.open("rb")
    try:
        wb = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        stream.close()
        raise ImportFileError(f"{path.name} is not a readable XLSX workbook: {exc}") from exc
    name = path.name

    def too_many_blank_rows(after: int) -> ImportFileError:
        where = f"below line {after}" if after else "at the top"
        return ImportFileError(
            f"{name}: the first sheet goes on after {MAX_BLANK_ROWS:,} blank rows {where}: delete the blank rows "
            "and anything below the table (or save it as CSV) and import again")

    try:
        if not wb.worksheets:
            raise ImportFileError(f"{name} has no sheets")
        ws = wb.worksheets[0]
        # The declared dimension (<dimension ref="A1:XFD1048576">) would pad every row to it:
        # ignore it, and read only as many columns as the header has (at most MAX_COLUMNS).
        ws.reset_dimensions()
        try:
            header_line, width = 0, 0
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if not _blank(list(values)):
                    header_line = number
                    width = max(i for i, value in enumerate(values) if _text(value)) + 1
                    break
                if number > MAX_BLANK_ROWS:
                    raise too_many_blank_rows(0)
            if not header_line:
                return
            if width > MAX_COLUMNS:
                raise ImportFileError(
                    f"{name}: the header on line {header_line} goes past column {get_column_letter(MAX_COLUMNS)} "
                    f"({MAX_COLUMNS} columns); an import reads at most {MAX_COLUMNS}: delete the columns after "
                    "the last heading (or save it as CSV) and import again")
            yield header_line, list(values[:width])
            last, blank_run = header_line, 0
            for number, values in enumerate(ws.iter_rows(min_row=header_line + 1, max_col=width, values_only=True),
                                            start=header_line + 1):
                if _blank(values):
                    blank_run += 1
                    if blank_run > MAX_BLANK_ROWS:
                        raise too_many_blank_rows(last)
                    continue  # every reader skips blank rows
                last, blank_run = number, 0
                yield number, list(values)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
            raise ImportFileError(f"{name}: the first sheet cannot be read: {exc}") from exc
    finally:
        wb.close()
        stream.close()


# --------------------------------------------------------------------------------------- checking


_BAD = object()  # a cache entry or result meaning "not valid"


def _whole(value: Any, low: int, high: int) -> int | None:
    if value.__class__ is str:
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) < 10:
            number = int(text)
            return number if low <= number <= high else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None
        number = int(value)
    else:
        text = _text(value)
        if not _WHOLE.fullmatch(text):
            return None
        number = int(text)
    return number if low <= number <= high else None


def _parse_time(value: Any) -> datetime | None:
    """An aware UTC time, or None when the cell is not a date and time. Naive times are local."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip().replace("/", "-")
        moment = None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            for fmt in _DATE_FORMATS:
                try:
                    moment = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if moment is None:
            return None
    else:
        return None
    if not 2000 <= moment.year <= 2100:
        return None
    try:
        return moment.astimezone(UTC)  # a naive time is taken as local time
    except (OverflowError, OSError, ValueError):
        return None


@dataclass(slots=True)
class _OrderDraft:
    first_line: int
    values: dict[str, Any]
    lines: dict[str, int]  # sku -> line number
    key: tuple[Any, ...] = ()  # tuple(values.values()), kept in step with values for the fast path


class _Checker:
    """Validates rows one by one, then the file as a whole (orders, products, barcodes, waybills)."""

    def __init__(self, parsed: ParsedImport, catalogue: CarrierCatalogue, default_carrier: str = "") -> None:
        self.parsed = parsed
        self.catalogue = catalogue
        self.default_carrier = default_carrier  # taken by an order whose carrier cell is blank
        self.allow_no_lines = False
        self.orders: dict[str, _OrderDraft] = {}
        self.barcode_sku: dict[str, tuple[str, int]] = {}
        self.waybill_order: dict[str, tuple[str, int]] = {}
        self.sku_weight: dict[str, tuple[int, int]] = {}

    def error(self, line: int, reason: str) -> None:
        self.parsed.errors.append((line, reason))

    def run(self, records: Iterable[tuple[int, list[Any]]]) -> None:
        records = iter(records)
        columns: dict[str, int] | None = None
        for _line, values in records:
            if _blank(values):
                continue
            columns = self._header(values)
            self._plan(columns)
            break
        if columns is None:
            raise ImportFileError(f"{self.parsed.path.name} is empty")
        data_rows = self._rows(records)
        if data_rows == 0 and not self.allow_no_lines:
            raise ImportFileError(f"{self.parsed.path.name} has a header but no order lines")
        for order_no, draft in self.orders.items():
            for name in ("recipient_name", "recipient_phone", "recipient_address"):
                if not draft.values[name]:
                    self.error(draft.first_line, f"order {order_no} has no {name}")
        self.parsed.errors.sort(key=lambda e: e[0])

    def _rows(self, records: Iterator[tuple[int, list[Any]]]) -> int:
        """Check every data row; returns how many there were (blank lines aside).

        The common row (nothing wrong with it) takes the inlined fast path below, which only reads
        and never records an error. Anything unusual (a suspicious or too long cell, an empty or
        unknown value, a bad number or time, a waybill, a conflict with an earlier line) sends the
        row through :meth:`_row` and :meth:`_file_checks`, the detailed checks that word the errors.
        """
        data_rows = 0
        width = self.width
        pick_text = self.pick_text
        index = self.index
        i_quantity, i_weight, i_time = index["quantity"], index["unit_weight_g"], index["created_at"]
        carriers = self.carriers
        quantities: dict[str, int] = {}  # cell text -> value, for valid cells only
        weights: dict[str, int | None] = {}
        times: dict[str, datetime | None] = {}
        orders = self.orders
        barcode_sku = self.barcode_sku
        waybill_order = self.waybill_order
        sku_weight = self.sku_weight
        append = self.parsed.rows.append
        strip = str.strip
        control = _ANY_CONTROL.search
        formula = _ROW_FORMULA.search
        too_long = operator.gt
        new_tuple = tuple.__new__  # ImportRow._make without its Python-level call
        validate = self.catalogue.validate
        for line, values in records:
            first = values[0] if values else None
            if not (first.__class__ is str and first.strip()) and _blank(values):
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise ImportFileError(f"{self.parsed.path.name} has more than {MAX_ROWS:,} order lines: split it")
            if len(values) < width:
                values = [*values, *([None] * (width - len(values)))]
            # ---- per row (see _row)
            raw = pick_text(values)
            try:
                texts = list(map(strip, raw))
            except TypeError:  # a cell that is not text (XLSX, or an absent column)
                texts = [v.strip() if v.__class__ is str else _text(v) for v in raw]
            order_no, carrier_text, name, phone, address, sku, barcode, product_name, waybill_text, note = texts
            joined = "\ue000".join(texts)
            draft = orders.get(order_no)
            if (not order_no or not sku or control(joined) or formula("\ue000" + joined)
                    or any(map(too_long, map(len, texts), TEXT_LIMITS))):
                carrier = None
            elif carrier_text:
                carrier = carriers[carrier_text] if carrier_text in carriers else self._carrier(carrier_text)
            elif draft is not None:  # a later line of an order: the order's carrier
                code = draft.values["carrier_code"]
                carrier = carriers[code] if code in carriers else self._carrier(code)
            elif self.default_carrier:
                carrier = self._carrier(self.default_carrier)
            else:
                carrier = None
            quantity = weight = created_at = None
            if carrier is not None:
                cell = values[i_quantity]
                if cell.__class__ is str:
                    quantity = quantities.get(cell)
                    if quantity is None:
                        quantity = _whole(cell, 1, 9999)
                        if quantity is not None and len(quantities) < 100_000:
                            quantities[cell] = quantity
                else:
                    quantity = _whole(cell, 1, 9999)
            if quantity is not None:
                cell = values[i_weight]
                if cell.__class__ is str:
                    weight = weights.get(cell, _BAD)
                    if weight is _BAD:
                        weight = _whole(cell, 0, 100_000) if cell.strip() else None
                        if weight is not None or not cell.strip():
                            if len(weights) < 100_000:
                                weights[cell] = weight
                        else:
                            weight = _BAD
                elif _text(cell):
                    weight = _whole(cell, 0, 100_000)
                    if weight is None:
                        weight = _BAD
                cell = values[i_time]
                if cell.__class__ is str:
                    created_at = times.get(cell, _BAD)
                    if created_at is _BAD:
                        if cell.strip():
                            created_at = _parse_time(cell)
                            if created_at is None:
                                created_at = _BAD
                        if created_at is not _BAD and len(times) < 100_000:
                            times[cell] = created_at
                elif _text(cell):
                    created_at = _parse_time(cell)
                    if created_at is None:
                        created_at = _BAD
                if weight is _BAD or created_at is _BAD:
                    quantity = None
            waybill = ""
            if quantity is not None and waybill_text:
                check = validate(carrier.code, waybill_text)  # type: ignore[union-attr]
                if check.ok:
                    waybill = check.number
                else:
                    quantity = None
            if quantity is None:  # something is wrong with this row: the detailed checks say what
                row = self._row(line, values)
                if row is not None:
                    self._file_checks(row)
                continue
            code = carrier.code  # type: ignore[union-attr]
            row = new_tuple(ImportRow, (line, order_no, code, name, phone, address, sku, barcode, product_name,
                                        quantity, weight, waybill, note, created_at))
            # ---- against the earlier lines of the file (see _file_checks)
            key = (code, name, phone, address, waybill, note, created_at)
            if draft is not None and (sku in draft.lines or key != draft.key):
                self._file_checks(row)
                continue
            if barcode:
                owner = barcode_sku.get(barcode)
                if owner is not None and owner[0] != sku:
                    self._file_checks(row)
                    continue
            if waybill:
                owner = waybill_order.get(waybill)
                if owner is not None and owner[0] != order_no:
                    self._file_checks(row)
                    continue
            if weight is not None:
                known = sku_weight.get(sku)
                if known is not None and known[0] != weight:
                    self._file_checks(row)
                    continue
                if known is None:
                    sku_weight[sku] = (weight, line)
            if draft is None:
                draft = orders[order_no] = _OrderDraft(line, dict(zip(ORDER_FIELDS, key, strict=True)), {}, key)
            if barcode and barcode not in barcode_sku:
                barcode_sku[barcode] = (sku, line)
            if waybill and waybill not in waybill_order:
                waybill_order[waybill] = (order_no, line)
            draft.lines[sku] = line
            append(row)
        return data_rows

    def _header(self, values: list[Any]) -> dict[str, int]:
        columns: dict[str, int] = {}
        for i, value in enumerate(values):
            name = HEADERS.get(_header_key(_text(value)))
            if name is None:
                continue  # extra columns are ignored
            if name in columns:
                raise ImportFileError(f"{self.parsed.path.name}: column {name} appears twice in the header")
            columns[name] = i
        missing = [name for name in REQUIRED if name not in columns
                   and not (name == "carrier" and self.default_carrier)]
        if len(missing) == len(REQUIRED):
            raise ImportFileError(
                f"{self.parsed.path.name} does not look like an order file: no known column headers in line 1 "
                "(expected order_no/订单号, carrier/快递公司, sku/商品编码, quantity/数量, ...)"
            )
        if missing:
            names = ", ".join(f"{n}/{zh}" for n, zh, _r in COLUMNS if n in missing)
            raise ImportFileError(f"{self.parsed.path.name} is missing required columns: {names}")
        return columns

    def _plan(self, columns: dict[str, int]) -> None:
        """Column positions for the row loop, computed once. An absent column reads the padding cell."""
        self.width = max(columns.values()) + 2  # one spare cell, always None, for absent columns
        pad = self.width - 1
        self.index = {name: columns.get(name, pad) for name, _zh, _req in COLUMNS}
        self.pick_text = operator.itemgetter(*(self.index[name] for name in TEXT_FIELDS))
        self.carriers: dict[str, Any] = {}
        self.numbers: dict[tuple[str, str], int | None] = {}
        self.times: dict[str, datetime | None] = {}

    def _text_problem(self, line: int, name: str, value: str, limit: int) -> None:
        if _FORMULA.match(value):
            self.error(line, f'{name} "{_shown(value)}" looks like a spreadsheet formula')
        elif (_CONTROL if name in MULTILINE_FIELDS else _CONTROL_NO_NEWLINE).search(value):
            self.error(line, f'{name} "{_shown(value)}" contains control characters (tab, carriage return, ...)')
        elif len(value) > limit:
            self.error(line, f"{name} is {len(value)} characters long; at most {limit} are allowed")

    def _carrier(self, text: str) -> Any:
        if text not in self.carriers:
            self.carriers[text] = self.catalogue.resolve(text)
        return self.carriers[text]

    def _time(self, value: Any) -> datetime | None:
        if value.__class__ is not str:
            return _parse_time(value)
        if value not in self.times:
            if len(self.times) > 100_000:
                self.times.clear()
            self.times[value] = _parse_time(value)
        return self.times[value]

    def _number(self, name: str, value: Any, low: int, high: int) -> int | None:
        if value.__class__ is not str:
            return _whole(value, low, high)
        key = (name, value)
        if key not in self.numbers:  # the same few values repeat on every line: parse each once
            if len(self.numbers) > 100_000:
                self.numbers.clear()
            self.numbers[key] = _whole(value, low, high)
        return self.numbers[key]

    def _row(self, line: int, values: list[Any]) -> ImportRow | None:
        # The detailed path: only rows that the fast path in _rows did not accept come here.
        bad = len(self.parsed.errors)
        raw = self.pick_text(values)
        texts = [v.strip() if v.__class__ is str else _text(v) for v in raw]
        for name, value, limit in zip(TEXT_FIELDS, texts, TEXT_LIMITS, strict=True):
            if value and (_SUSPECT.search(value) or len(value) > limit):
                self._text_problem(line, name, value, limit)
        text = dict(zip(TEXT_FIELDS, texts, strict=True))
        index = self.index
        cells = {"quantity": values[index["quantity"]], "unit_weight_g": values[index["unit_weight_g"]],
                 "created_at": values[index["created_at"]]}
        draft = self.orders.get(text["order_no"])
        if not text["carrier"] and draft is not None:  # a later line of an order: the order's carrier
            text["carrier"] = draft.values["carrier_code"]
        if not text["carrier"] and self.default_carrier:
            text["carrier"] = self.default_carrier
        for name in ("order_no", "carrier", "sku"):
            if not text[name]:
                self.error(line, f"{name} is empty" if name != "carrier" else
                           "carrier is empty and no default carrier is set (the default_carrier setting or "
                           "--default-carrier)")
        carrier = (self.carriers[text["carrier"]] if text["carrier"] in self.carriers
                   else self._carrier(text["carrier"])) if text["carrier"] else None
        if text["carrier"] and carrier is None and len(self.parsed.errors) == bad:
            self.error(line, f'carrier "{_shown(text["carrier"])}" is not known: use a code such as SF, ZTO, YTO, '
                             "STO, YUNDA, JD, JT, EMS, DEPPON, UPS, FEDEX, USPS, DHL, OTHER or its Chinese name")
        quantity = self._number("quantity", cells["quantity"], 1, 9999)
        if quantity is None:
            self.error(line, f'quantity "{_shown(_text(cells.get("quantity")))}" must be a whole number from 1 to 9999')
        weight = None
        if _text(cells.get("unit_weight_g")):
            weight = self._number("unit_weight_g", cells["unit_weight_g"], 0, 100_000)
            if weight is None:
                self.error(line, f'unit_weight_g "{_shown(_text(cells.get("unit_weight_g")))}" must be whole grams '
                                 "from 0 to 100000")
        created_at = None
        raw_time = cells.get("created_at")
        if _text(raw_time):
            created_at = self._time(raw_time)
            if created_at is None:
                self.error(line, f'created_at "{_shown(_text(raw_time))}" is not a date and time '
                                 "(e.g. 2026-11-25 10:30:00)")
        waybill = ""
        if text["waybill"] and carrier is not None and len(self.parsed.errors) == bad:
            check = self.catalogue.validate(carrier.code, text["waybill"])
            if not check.ok:
                reason = check.message.render() if check.message is not None else "invalid"
                self.error(line, f'waybill "{_shown(text["waybill"])}" is not valid for {carrier.code}: {reason}')
            waybill = check.number
        if len(self.parsed.errors) != bad or carrier is None or quantity is None:
            return None
        return ImportRow(
            line=line,
            order_no=text["order_no"],
            carrier_code=carrier.code,
            recipient_name=text["recipient_name"],
            recipient_phone=text["recipient_phone"],
            recipient_address=text["recipient_address"],
            sku=text["sku"],
            barcode=text["barcode"],
            product_name=text["product_name"],
            quantity=quantity,
            unit_weight_g=weight,
            waybill=waybill,
            note=text["note"],
            created_at=created_at,
        )

    def _file_checks(self, row: ImportRow) -> None:
        line, bad = row.line, len(self.parsed.errors)
        draft = self.orders.get(row.order_no)
        if draft is None:
            draft = self.orders[row.order_no] = _OrderDraft(line, {f: getattr(row, f) for f in ORDER_FIELDS}, {})
        else:
            first = draft.lines.get(row.sku)
            if first is not None:
                self.error(line, f"SKU {row.sku} appears twice in order {row.order_no}, first at line {first}")
            same = (row.carrier_code, row.recipient_name, row.recipient_phone, row.recipient_address, row.waybill,
                    row.note, row.created_at) == tuple(draft.values.values())
            for name in () if same else ORDER_FIELDS:
                mine, theirs = getattr(row, name), draft.values[name]
                if mine in ("", None):
                    continue
                if theirs in ("", None):
                    draft.values[name] = mine
                elif mine != theirs:
                    label = _ORDER_FIELD_LABEL.get(name, name)
                    self.error(line, f"{label} differs from line {draft.first_line} of order {row.order_no}")
        if row.barcode:
            owner = self.barcode_sku.setdefault(row.barcode, (row.sku, line))
            if owner[0] != row.sku:
                self.error(line, f"barcode {row.barcode} is given for SKU {owner[0]} at line {owner[1]} "
                                 f"and for SKU {row.sku} here")
        if row.waybill:
            owner = self.waybill_order.setdefault(row.waybill, (row.order_no, line))
            if owner[0] != row.order_no:
                self.error(line, f"waybill {row.waybill} is also given for order {owner[0]} at line {owner[1]}")
        if row.unit_weight_g is not None:
            weight = self.sku_weight.setdefault(row.sku, (row.unit_weight_g, line))
            if weight[0] != row.unit_weight_g:
                self.error(line, f"SKU {row.sku} weighs {weight[0]} g at line {weight[1]} but "
                                 f"{row.unit_weight_g} g here")
        draft.lines.setdefault(row.sku, line)
        draft.key = tuple(draft.values.values())
        if len(self.parsed.errors) == bad:
            self.parsed.rows.append(row)


# --------------------------------------------------------------------------------------- importing


def _chunks(values: Iterable[Any], size: int = _IN_CHUNK) -> Iterator[list[Any]]:
    items = list(values)
    for i in range(0, len(items), size):
        yield items[i : i + size]


ORDER_COLUMNS = ("order_no", "platform", "carrier_code", "recipient_name", "recipient_phone", "recipient_address",
                 "note", "created_at", "imported_at", "state", "preassigned_waybill", "hold_reason")
_order_cells = operator.itemgetter(*(ImportRow._fields.index(name) for name in ORDER_FIELDS))


@dataclass(slots=True)
class _FileOrder:
    order_no: str
    first_line: int
    rows: list[ImportRow]

    def values(self) -> tuple[Any, ...]:
        """The order's cells in ORDER_FIELDS order: on each, the first non-blank value of its lines
        (the checker made sure they agree); "" (None for created_at) when every line leaves it blank."""
        rows = self.rows
        values = _order_cells(rows[0])  # a blank cell of a row is already "" (None for created_at)
        if len(rows) == 1 or ("" not in values and None not in values):
            return values
        merged = list(values)
        blank = [i for i, value in enumerate(values) if value == "" or value is None]
        for row in rows[1:]:
            cells = _order_cells(row)
            for i in blank:
                if cells[i] != "" and cells[i] is not None and (merged[i] == "" or merged[i] is None):
                    merged[i] = cells[i]
        return tuple(merged)


def import_orders(
    services: Any,
    path: str | Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    column_map: ColumnMap | None = None,
    default_carrier: str | None = None,
) -> ImportReport:
    """Import an order file as a whole: everything, or (with ``errors``) nothing.

    ``column_map`` reads another system's export (``--profile``/``--columns``); ``default_carrier``
    (else the shop's ``default_carrier`` setting) is taken by an order whose carrier is blank.
    Raises :class:`ImportFileError` for a file that cannot be read at all.
    """
    if default_carrier is None:
        default_carrier = getattr(services.settings, "default_carrier", "")
    with _gc_paused():
        return _import_file(services, path, max_bytes, column_map, default_carrier or "")


def _import_file(services: Any, path: str | Path, max_bytes: int, column_map: ColumnMap | None = None,
                 default_carrier: str = "") -> ImportReport:
    parsed = read_order_file(path, services.catalogue, max_bytes=max_bytes, column_map=column_map,
                             default_carrier=default_carrier)
    report = ImportReport(file_name=parsed.path.name, errors=list(parsed.errors))
    facts = parsed.facts
    after_sales: dict[str, tuple[int, str]] = {}
    no_longer: dict[str, tuple[int, str, str]] = {}
    if facts is not None:
        report.profile = facts.profile
        report.sku_sources = dict(facts.sku_sources)
        report.skipped = {reason: len(numbers) for reason, numbers in facts.skipped.items()}
        after_sales = facts.after_sales
        no_longer = facts.skipped_at
    orders: dict[str, _FileOrder] = {}
    for row in parsed.rows:
        order_no = row.order_no
        if order_no in orders:
            orders[order_no].rows.append(row)
        else:
            orders[order_no] = _FileOrder(order_no, row.line, [row])
    try:
        with services.uow() as uow:
            _import(uow.session, services, orders, parsed.rows, report, after_sales, mapped=facts is not None,
                    no_longer=no_longer)
            if not report.ok:
                uow.rollback()
    except IntegrityError as exc:
        raise KnownError(
            f"{parsed.path.name}: another import or bench changed the same orders, products or waybills at the "
            "same moment; nothing was imported. Run the import again."
        ) from exc
    report.errors.sort(key=lambda e: e[0])
    report.held.sort(key=lambda h: h.line)
    if not report.ok:
        report.orders_added = report.lines_added = report.products_added = report.barcodes_added = 0
        report.held = []
    return report


_HOLD_OUTCOME = {
    OrderState.ON_HOLD.value: "already on hold",
    OrderState.PACKED.value: "already packed: stop the parcel before it leaves",
    OrderState.HANDED_OVER.value: "already handed over to the courier",
    OrderState.CANCELLED.value: "already cancelled",
}


def _import(s: Session, services: Any, orders: dict[str, _FileOrder], rows: list[ImportRow],
            report: ImportReport, after_sales: dict[str, tuple[int, str]] | None = None, *,
            mapped: bool = False, no_longer: dict[str, tuple[int, str, str]] | None = None) -> None:
    errors = report.errors
    after_sales = after_sales or {}
    on_hold = OrderState.ON_HOLD.value
    to_hold: list[tuple[int, str, str]] = []  # existing orders to put on hold: (id, order_no, reason)
    # Orders the file shows as shipped or cancelled (e.g. refunded before shipping) that PackGate
    # still has ready or at a bench: packing them would ship a refunded or duplicate parcel.
    conn0 = s.connection()
    for chunk in _chunks(no_longer or {}):
        for order_id, order_no, state in conn0.execute(
                select(Order.id, Order.order_no, Order.state).where(
                    Order.order_no.in_(chunk), Order.state.in_((OrderState.READY.value, OrderState.PACKING.value)))):
            line, text, why = no_longer[order_no]  # type: ignore[index]
            reason = f"the platform shows it as {text} ({why}), reported by the import of {report.file_name}"
            to_hold.append((order_id, order_no, reason))
            report.held.append(HeldOrder(line, order_no, text, f"put on hold: the platform shows it {why}"
                                         + (" (a bench had it open)" if state != OrderState.READY.value else "")))
    conn = s.connection()  # Core results: no ORM row processing for 100,000s of looked-up rows
    ready = OrderState.READY.value
    skus = {row.sku for row in rows}
    barcodes = {row.barcode for row in rows if row.barcode}
    waybills = {row.waybill for row in rows if row.waybill}

    products: dict[str, int] = {}
    for chunk in _chunks(skus):
        products.update(conn.execute(select(Product.sku, Product.id).where(Product.sku.in_(chunk))).all())
    barcode_owner: dict[str, str] = {}
    for chunk in _chunks(barcodes):
        barcode_owner.update(conn.execute(select(ProductBarcode.barcode, Product.sku).join(ProductBarcode.product)
                                       .where(ProductBarcode.barcode.in_(chunk))).all())
    existing: dict[str, Any] = {}
    for chunk in _chunks(orders):
        for order in conn.execute(select(Order.id, Order.order_no, Order.state, Order.carrier_code,
                                      Order.recipient_name, Order.recipient_phone, Order.recipient_address,
                                      Order.note, Order.preassigned_waybill).where(Order.order_no.in_(chunk))).all():
            existing[order.order_no] = order
    waybill_owner: dict[str, str] = {}
    pool: set[str] = set()
    for chunk in _chunks(waybills):
        for number, pre, order_no in conn.execute(
            select(Order.waybill, Order.preassigned_waybill, Order.order_no)
            .where(or_(Order.waybill.in_(chunk), Order.preassigned_waybill.in_(chunk)))
        ).all():
            for value in (number, pre):
                if value in waybills:
                    waybill_owner[value] = order_no
        pool.update(conn.scalars(select(WaybillPoolEntry.number).where(WaybillPoolEntry.number.in_(chunk))))
    ready_ids = [o.id for o in existing.values() if o.state == ready]
    existing_lines: dict[int, dict[str, int]] = {order_id: {} for order_id in ready_ids}
    cursor = conn.connection.cursor()  # plain DBAPI tuples: up to 100,000s of lines to compare
    try:
        for chunk in _chunks(ready_ids):
            query = (select(OrderLine.order_id, Product.sku, OrderLine.quantity).join(OrderLine.product)
                     .where(OrderLine.order_id.in_(chunk)))  # integer ids only: safe as literals
            cursor.execute(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}).string)
            for order_id, sku, quantity in cursor.fetchall():
                existing_lines[order_id][sku] = quantity
    finally:
        cursor.close()

    new_orders: list[tuple[_FileOrder, tuple[Any, ...]]] = []
    hold_reasons: dict[str, str] = {}  # new orders imported on hold -> reason
    for order in orders.values():
        known = existing.get(order.order_no)
        case = after_sales.get(order.order_no)
        if case is not None:
            line, status = case
            reason = f"after-sales case on the platform ({status or '?'}), reported by the import of {report.file_name}"
            if known is None:
                hold_reasons[order.order_no] = reason
                report.held.append(HeldOrder(line, order.order_no, status, "held"))
            else:
                if known.state in (ready, OrderState.PACKING.value):
                    to_hold.append((known.id, order.order_no, reason))
                    outcome = "put on hold" + (" (a bench had it open)" if known.state != ready else "")
                else:
                    outcome = _HOLD_OUTCOME.get(known.state, known.state)
                report.held.append(HeldOrder(line, order.order_no, status, outcome))
                continue
        values = order.values() if known is None or known.state == ready else ()
        if known is None:
            new_orders.append((order, values))
            waybill = values[4]
            owner = waybill_owner.get(waybill) if waybill else None
            if owner is not None:
                errors.append((order.first_line, f"waybill {waybill} already belongs to order {owner}"))
            elif waybill and waybill in pool:
                errors.append((order.first_line, f"waybill {waybill} is in the waybill pool; it cannot also be "
                                                 "pre-assigned by an import"))
            continue
        if known.state != ready:
            report.orders_in_progress += 1
            continue
        carrier, name, phone, address, waybill, note, _created_at = values
        lines = {row.sku: row.quantity for row in order.rows}
        # A file without a waybill says nothing about it: the order may have taken a pool number
        # at a bench since (then been released), and re-importing the same file must not fail.
        known_waybill = known.preassigned_waybill if waybill else None
        if (carrier, name, phone, address, note, waybill or None) == (*tuple(known[3:8]), known_waybill) and \
                lines == existing_lines.get(known.id, {}):
            report.orders_unchanged += 1
            continue
        differs = [
            label for label, mine, theirs in (
                ("carrier", carrier, known.carrier_code),
                ("recipient_name", name, known.recipient_name),
                ("recipient_phone", phone, known.recipient_phone),
                ("recipient_address", address, known.recipient_address),
                ("note", note, known.note),
                ("waybill", waybill or None, known_waybill),
            ) if mine != theirs
        ]
        if lines != existing_lines.get(known.id, {}):
            differs.insert(0, "lines")
        if differs:
            errors.append((order.first_line, f"order {order.order_no} already exists (ready) with different "
                                             f"{', '.join(differs)}: cancel it in PackGate or use a new order number"))
        else:
            report.orders_unchanged += 1

    # Products and barcodes, from every valid row (for unchanged orders they already exist).
    new_products: dict[str, ImportRow] = {}
    new_barcodes: dict[str, str] = {}
    for row in rows:
        sku = row.sku
        if sku not in products:
            first = new_products.get(sku)
            if first is None:
                new_products[sku] = row
            elif first.unit_weight_g is None and row.unit_weight_g is not None:
                new_products[sku] = _with_weight(first, row)
        barcode = row.barcode
        if barcode:
            owner = barcode_owner.get(barcode)
            if owner is None:
                if barcode not in new_barcodes:
                    new_barcodes[barcode] = sku
            elif owner != sku:
                errors.append((row.line, f"barcode {barcode} already belongs to SKU {owner}"))
    skus_with_barcode = set(new_barcodes.values())
    for sku, row in new_products.items():
        if mapped and (row.unit_weight_g is None or sku not in skus_with_barcode):
            report.unknown_products.append((row.line, sku, row.product_name))
            continue
        if row.unit_weight_g is None:
            errors.append((row.line, f"SKU {sku} is new and has no unit_weight_g (the bench checks parcel weights)"))
        if sku not in skus_with_barcode:
            errors.append((row.line, f"SKU {sku} is new and has no barcode (the bench verifies items by barcode)"))
    if errors or report.unknown_products:
        return

    if new_products:
        result = s.execute(
            insert(Product.__table__).returning(Product.sku, Product.id),
            [{"sku": sku, "name": row.product_name or sku, "unit_weight_g": row.unit_weight_g}
             for sku, row in new_products.items()],
        )
        products.update(result.all())
        report.products_added = len(new_products)
    if new_barcodes:
        s.execute(insert(ProductBarcode.__table__),
                  [{"barcode": code, "product_id": products[sku]} for code, sku in new_barcodes.items()])
        report.barcodes_added = len(new_barcodes)
    now = services.clock()
    for order_id, order_no, reason in to_hold:  # conditional: a bench may have packed it meanwhile
        held = s.execute(update(Order).where(Order.id == order_id, Order.state.in_((ready, OrderState.PACKING.value)))
                         .values(state=on_hold, station_id=None, hold_reason=reason)
                         .execution_options(synchronize_session=False)).rowcount
        if held == 1:
            s.add(ScanEvent(at=now, order_id=order_id, raw=order_no, kind="import_hold", accepted=True,
                            message=f"Order {order_no} on hold: {reason}", reason=reason))
    if not new_orders:
        s.flush()
        return
    # Our new ids are all above the highest id before the insert (SQLite: we hold the write lock;
    # PostgreSQL: later sequence values), so one query finds them; rows that another session added
    # meanwhile are not in new_nos (same order number: our insert would have failed).
    before = conn.scalar(select(func.max(Order.id))) or 0
    _insert_many(s, Order.__table__, ORDER_COLUMNS, [
        (order.order_no, "", carrier, name, phone, address, note, created_at or now, now,
         on_hold if order.order_no in hold_reasons else ready, waybill or None, hold_reasons.get(order.order_no, ""))
        for order, (carrier, name, phone, address, waybill, note, created_at) in new_orders
    ])
    new_nos = {order.order_no for order, _values in new_orders}
    order_ids = {order_no: order_id for order_no, order_id in conn.execute(
        select(Order.order_no, Order.id).where(Order.id > before)).all() if order_no in new_nos}
    if len(order_ids) != len(new_nos):  # not expected; look them up one chunk at a time
        for chunk in _chunks(new_nos):
            order_ids.update(conn.execute(select(Order.order_no, Order.id).where(Order.order_no.in_(chunk))).all())
    lines = [
        (order_id, products[row.sku], row.quantity, 0)
        for order, _values in new_orders
        for order_id in (order_ids[order.order_no],)
        for row in order.rows
    ]
    _insert_many(s, OrderLine.__table__, ("order_id", "product_id", "quantity", "scanned"), lines)
    if hold_reasons:
        events = [
            {"at": now, "order_id": order_ids[order_no], "raw": order_no, "kind": "import_hold", "accepted": True,
             "message": f"Order {order_no} imported on hold: {reason}", "reason": reason, "station_id": None,
             "user_id": None, "manifest_id": None}
            for order_no, reason in hold_reasons.items()]
        link_rows(s.connection(), events)  # into the audit trail's hash chain, like every event
        s.execute(insert(ScanEvent.__table__), events)
    report.orders_added = len(new_orders)
    report.lines_added = len(lines)


def _insert_many(s: Session, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """A Core ``insert(table)`` of many rows, run as one DBAPI ``executemany`` of plain tuples.

    SQLAlchemy compiles the statement for the session's database and supplies each column type's
    bind conversion (applied here once per distinct value: import values repeat), but does not
    build and convert a parameter dict per row, which for 100,000 order lines costs more than the
    database's own work.
    """
    conn = s.connection()
    dialect = conn.dialect
    for i, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            converted: dict[Any, Any] = {}
            for row in rows:
                value = row[i]
                if value not in converted:
                    converted[value] = process(value)
            rows = [(*row[:i], converted[row[i]], *row[i + 1:]) for row in rows]
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    if compiled.positional:
        positions = [columns.index(name) for name in compiled.positiontup]
        params: list[Any] = rows if positions == list(range(len(columns))) else [
            tuple(row[i] for i in positions) for row in rows]
    else:
        params = [dict(zip(columns, row, strict=True)) for row in rows]
    conn.exec_driver_sql(compiled.string, params)


def _with_weight(first: ImportRow, later: ImportRow) -> ImportRow:
    """The first row of a new SKU, with the weight a later row gives (the first left it blank)."""
    return first._replace(unit_weight_g=later.unit_weight_g, product_name=first.product_name or later.product_name)
