"""Checking an order file: raw records -> valid order lines (:class:`ImportRow`) or bad rows (Qt-free).

Each row is checked on its own (cells, carrier, numbers, times, waybill), then against the file's
earlier lines (order-level cells agree, a barcode names one SKU, a waybill one order, a SKU one
weight). Nothing here touches the database; :mod:`app.imports.writer` does the checks that need it.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from app.carriers import CarrierCatalogue
from app.errors import ImportFileError
from app.imports.cells import _blank, _shown, _text

if TYPE_CHECKING:
    from app.imports.columnmap import MappedFacts

MAX_ROWS = 1_000_000

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


_order_cells = operator.itemgetter(*(ImportRow._fields.index(name) for name in ORDER_FIELDS))


@dataclass
class ParsedImport:
    """What :func:`read_order_file` found: valid rows and every bad row as (line, reason)."""

    path: Path
    file_format: str  # "csv" or "xlsx"
    encoding: str | None
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    facts: MappedFacts | None = None  # what a column map read beyond the lines (states, after-sales)



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


def _weight(text: Any) -> int | None:
    return _whole(text, 0, 100_000)


def _cached_cell(cache: dict[str, Any], cell: Any, parse: Any) -> Any:
    """An optional cell's value: None when blank, _BAD when ``parse`` finds none; a text's value is
    cached (up to 100,000 texts: the same few repeat on every line)."""
    if cell.__class__ is str:
        value = cache.get(cell, _BAD)
        if value is _BAD:
            value = parse(cell) if cell.strip() else None
            if value is None and cell.strip():
                return _BAD
            if len(cache) < 100_000:
                cache[cell] = value
        return value
    if _text(cell):
        value = parse(cell)
        return _BAD if value is None else value
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

        The common row (nothing wrong with it) takes the fast path (:meth:`_fast_cells`, then
        :meth:`_fast_file_checks`), which only reads and never records an error. Anything unusual (a
        suspicious or too long cell, an empty or unknown value, a bad number or time, a waybill, a
        conflict with an earlier line) sends the row through :meth:`_row` and :meth:`_file_checks`,
        the detailed checks that word the errors.
        """
        data_rows = 0
        width = self.width
        fast_cells = self._fast_cells
        fast_file_checks = self._fast_file_checks
        for line, values in records:
            first = values[0] if values else None
            if not (first.__class__ is str and first.strip()) and _blank(values):
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                raise ImportFileError(f"{self.parsed.path.name} has more than {MAX_ROWS:,} order lines: split it")
            if len(values) < width:
                values = [*values, *([None] * (width - len(values)))]
            row = fast_cells(line, values)
            if row is None:  # something is wrong with this row: the detailed checks say what
                row = self._row(line, values)
                if row is not None:
                    self._file_checks(row)
            elif not fast_file_checks(row):
                self._file_checks(row)
        return data_rows

    def _fast_cells(self, line: int, values: list[Any]) -> ImportRow | None:
        """The row when every cell is plainly valid; None sends it to the detailed checks (:meth:`_row`)."""
        raw = self.pick_text(values)
        try:
            texts = list(map(str.strip, raw))
        except TypeError:  # a cell that is not text (XLSX, or an absent column)
            texts = [v.strip() if v.__class__ is str else _text(v) for v in raw]
        order_no, carrier_text, name, phone, address, sku, barcode, product_name, waybill_text, note = texts
        joined = "\ue000".join(texts)
        if (not order_no or not sku or _ANY_CONTROL.search(joined) or _ROW_FORMULA.search("\ue000" + joined)
                or any(map(operator.gt, map(len, texts), TEXT_LIMITS))):
            return None
        if carrier_text:
            carrier = self._carrier(carrier_text)
        else:
            draft = self.orders.get(order_no)
            if draft is not None:  # a later line of an order: the order's carrier
                carrier = self._carrier(draft.values["carrier_code"])
            elif self.default_carrier:
                carrier = self._carrier(self.default_carrier)
            else:
                return None
        if carrier is None:
            return None
        numbers = self._fast_numbers(values)
        if numbers is None:
            return None
        waybill = ""
        if waybill_text:
            check = self.catalogue.validate(carrier.code, waybill_text)
            if not check.ok:
                return None
            waybill = check.number
        quantity, weight, created_at = numbers
        return tuple.__new__(ImportRow, (line, order_no, carrier.code, name, phone, address, sku, barcode,
                                         product_name, quantity, weight, waybill, note, created_at))

    def _fast_numbers(self, values: list[Any]) -> tuple[int, int | None, datetime | None] | None:
        """(quantity, unit weight, created time) when each is plainly valid, else None.

        The same few texts repeat on every line: each valid one is parsed once (up to 100,000 each).
        """
        cell = values[self.i_quantity]
        if cell.__class__ is str:
            quantity = self.quantities.get(cell)
            if quantity is None:
                quantity = _whole(cell, 1, 9999)
                if quantity is not None and len(self.quantities) < 100_000:
                    self.quantities[cell] = quantity
        else:
            quantity = _whole(cell, 1, 9999)
        if quantity is None:
            return None
        weight = _cached_cell(self.weights, values[self.i_weight], _weight)
        if weight is _BAD:
            return None
        created_at = _cached_cell(self.fast_times, values[self.i_time], _parse_time)
        if created_at is _BAD:
            return None
        return quantity, weight, created_at

    def _fast_file_checks(self, row: ImportRow) -> bool:
        """Record a row that agrees with the file's earlier lines; False (nothing recorded) when it
        does not, and :meth:`_file_checks` says how."""
        line, order_no, sku, barcode, weight, waybill = row[0], row[1], row[6], row[7], row[10], row[11]
        key = _order_cells(row)
        draft = self.orders.get(order_no)
        if draft is not None and (sku in draft.lines or key != draft.key):
            return False
        if barcode:
            owner = self.barcode_sku.get(barcode)
            if owner is not None and owner[0] != sku:
                return False
        if waybill:
            owner = self.waybill_order.get(waybill)
            if owner is not None and owner[0] != order_no:
                return False
        if weight is not None:
            known = self.sku_weight.get(sku)
            if known is not None and known[0] != weight:
                return False
            if known is None:
                self.sku_weight[sku] = (weight, line)
        if draft is None:
            draft = self.orders[order_no] = _OrderDraft(line, dict(zip(ORDER_FIELDS, key, strict=True)), {}, key)
        if barcode and barcode not in self.barcode_sku:
            self.barcode_sku[barcode] = (sku, line)
        if waybill and waybill not in self.waybill_order:
            self.waybill_order[waybill] = (order_no, line)
        draft.lines[sku] = line
        self.parsed.rows.append(row)
        return True

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
        # The fast path's own caches, of valid cells only (see _fast_numbers).
        self.i_quantity, self.i_weight, self.i_time = (self.index[name] for name in ("quantity", "unit_weight_g",
                                                                                     "created_at"))
        self.quantities: dict[str, int] = {}
        self.weights: dict[str, int | None] = {}
        self.fast_times: dict[str, datetime | None] = {}

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
        text = self._row_texts(line, values)
        carrier = self._row_carrier(line, text, bad)
        quantity, weight, created_at = self._row_numbers(line, values)
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

    def _row_texts(self, line: int, values: list[Any]) -> dict[str, str]:
        """The row's text cells by field, trimmed; a formula, control character or too long a text is an error."""
        raw = self.pick_text(values)
        texts = [v.strip() if v.__class__ is str else _text(v) for v in raw]
        for name, value, limit in zip(TEXT_FIELDS, texts, TEXT_LIMITS, strict=True):
            if value and (_SUSPECT.search(value) or len(value) > limit):
                self._text_problem(line, name, value, limit)
        return dict(zip(TEXT_FIELDS, texts, strict=True))

    def _row_carrier(self, line: int, text: dict[str, str], bad: int) -> Any:
        """The row's carrier (a later line of an order takes the order's, a blank one the default), or
        None with the error said; also says which of order_no, carrier and sku is empty."""
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
        carrier = self._carrier(text["carrier"]) if text["carrier"] else None
        if text["carrier"] and carrier is None and len(self.parsed.errors) == bad:
            self.error(line, f'carrier "{_shown(text["carrier"])}" is not known: use a code such as SF, ZTO, YTO, '
                             "STO, YUNDA, JD, JT, EMS, DEPPON, UPS, FEDEX, USPS, DHL, OTHER or its Chinese name")
        return carrier

    def _row_numbers(self, line: int, values: list[Any]) -> tuple[int | None, int | None, datetime | None]:
        """(quantity, unit weight, created time), each None when blank or, with the error said, invalid."""
        index = self.index
        cell = values[index["quantity"]]
        quantity = self._number("quantity", cell, 1, 9999)
        if quantity is None:
            self.error(line, f'quantity "{_shown(_text(cell))}" must be a whole number from 1 to 9999')
        weight = None
        cell = values[index["unit_weight_g"]]
        if _text(cell):
            weight = self._number("unit_weight_g", cell, 0, 100_000)
            if weight is None:
                self.error(line, f'unit_weight_g "{_shown(_text(cell))}" must be whole grams from 0 to 100000')
        created_at = None
        cell = values[index["created_at"]]
        if _text(cell):
            created_at = self._time(cell)
            if created_at is None:
                self.error(line, f'created_at "{_shown(_text(cell))}" is not a date and time '
                                 "(e.g. 2026-11-25 10:30:00)")
        return quantity, weight, created_at

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
