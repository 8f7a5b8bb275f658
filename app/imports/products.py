"""Product catalogue import: the seller's product list, so order files need no barcodes or weights.

``packgate import-products FILE`` reads a CSV (UTF-8 or GB18030) or XLSX file, one row per product
(or several rows for one SKU, each adding barcodes), headers in English or Chinese. Like the order
import it is atomic (one bad row and nothing changes) and idempotent (the same file twice changes
nothing). Decisions:

* A **new SKU** needs a unit weight (the bench checks parcel weights) and at least one barcode
  (the bench verifies items by barcode); its name defaults to the SKU.
* An **existing SKU** takes the file's name, weight and default box where the file gives them
  (blank cells keep what PackGate has); each change is one ``product_change`` audit event with the
  old and new values. Barcodes are only ever added: a barcode missing from the file stays (old stock
  still carries it).
* A **barcode** already on another SKU (in the database or earlier in the file) is a bad row.
  A cell may hold several barcodes separated by ``;`` ``,`` ``、`` ``|`` or spaces.
* The **default box** must be a box type PackGate knows (``BOX-S``, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from app.errors import ImportFileError, KnownError
from app.imports.orders import (
    _CONTROL_NO_NEWLINE,
    _FORMULA,
    DEFAULT_MAX_BYTES,
    MAX_ROWS,
    _blank,
    _chunks,
    _header_key,
    _plural,
    _shown,
    _text,
    _whole,
    open_records,
)
from app.models.audit_chain import add_event
from app.models.schema import BoxType, Product, ProductBarcode

# field, header spellings (English first), required column
COLUMNS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("sku", ("sku", "商品编码", "商家编码"), True),
    ("name", ("name", "商品名称"), False),
    ("barcode", ("barcode", "商品条码", "条码", "条形码"), False),
    ("unit_weight_g", ("unit_weight_g", "单件重量(克)", "重量(克)"), False),
    ("default_box", ("default_box", "默认箱型", "箱型"), False),
)
HEADERS = {_header_key(spelling): name for name, spellings, _req in COLUMNS for spelling in spellings}
MAX_LENGTH = {"sku": 64, "name": 200, "barcode": 64, "default_box": 32}
_SEPARATORS = re.compile(r"[;,，；、|\s]+")
_BARCODE = re.compile(r"[!-~]{1,64}")  # printable ASCII, no spaces: what a scanner types


@dataclass
class ProductReport:
    """The outcome of one catalogue import. ``errors`` non-empty means nothing changed."""

    file_name: str
    products_added: int = 0
    products_updated: int = 0
    products_unchanged: int = 0
    barcodes_added: int = 0
    changes: list[str] = field(default_factory=list)  # "SKU: name 'a' -> 'b'", one per updated product
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        text = (f"Imported {self.file_name}: {_plural(self.products_added, 'product')} added, "
                f"{self.products_updated} updated, {self.products_unchanged} unchanged, "
                f"{_plural(self.barcodes_added, 'barcode')} added")
        return "\n".join([text, *(f"  changed {change}" for change in self.changes)])


@dataclass
class _Entry:
    """One SKU as the file describes it (its rows merged)."""

    line: int
    name: str = ""
    weight: int | None = None
    box: str = ""
    barcodes: dict[str, int] = field(default_factory=dict)  # barcode -> line


def read_product_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES
                      ) -> tuple[dict[str, _Entry], list[tuple[int, str]]]:
    """The file's products by SKU and its bad rows, without the database."""
    path = Path(path)
    _kind, _encoding, records = open_records(path, max_bytes, "product file")
    errors: list[tuple[int, str]] = []
    entries: dict[str, _Entry] = {}
    barcode_owner: dict[str, tuple[str, int]] = {}
    columns: dict[str, int] | None = None
    rows = 0
    for line, values in records:
        if _blank(values):
            continue
        if columns is None:
            columns = _header(path.name, values)
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise ImportFileError(f"{path.name} has more than {MAX_ROWS:,} rows: split it")
        checked = _check_row(line, values, columns, errors)
        if checked is not None:
            _add_row(entries, barcode_owner, line, *checked, errors)
    if columns is None:
        raise ImportFileError(f"{path.name} is empty")
    if rows == 0:
        raise ImportFileError(f"{path.name} has a header but no products")
    return entries, errors


def _check_row(line: int, values: list[Any], columns: dict[str, int], errors: list[tuple[int, str]]
               ) -> tuple[str, dict[str, str], int | None, list[str]] | None:
    """(sku, texts, weight, barcodes) of a row, or None with its errors said."""
    cell = {name: values[i] if i < len(values) else None for name, i in columns.items()}
    text = {name: _text(cell.get(name)) for name in ("sku", "name", "barcode", "default_box")}
    bad = len(errors)
    for name, value in text.items():
        if not value:
            continue
        if _FORMULA.match(value):
            errors.append((line, f'{name} "{_shown(value)}" looks like a spreadsheet formula'))
        elif _CONTROL_NO_NEWLINE.search(value):
            errors.append((line, f'{name} "{_shown(value)}" contains control characters (tab, line break, ...)'))
        elif name != "barcode" and len(value) > MAX_LENGTH[name]:
            errors.append((line, f"{name} is {len(value)} characters long; at most {MAX_LENGTH[name]} are allowed"))
    sku = text["sku"]
    if not sku:
        errors.append((line, "sku is empty"))
    barcodes = [code for code in _SEPARATORS.split(text["barcode"]) if code]
    for code in barcodes:
        if not _BARCODE.fullmatch(code) or _FORMULA.match(code):
            errors.append((line, f'barcode "{_shown(code)}" must be 1-64 printable characters without spaces'))
    weight = None
    raw_weight = cell.get("unit_weight_g")
    if _text(raw_weight):
        weight = _whole(raw_weight, 0, 100_000)
        if weight is None:
            errors.append((line, f'unit_weight_g "{_shown(_text(raw_weight))}" must be whole grams from 0 to 100000'))
    return None if len(errors) != bad else (sku, text, weight, barcodes)


def _add_row(entries: dict[str, _Entry], barcode_owner: dict[str, tuple[str, int]], line: int, sku: str,
             text: dict[str, str], weight: int | None, barcodes: list[str], errors: list[tuple[int, str]]) -> None:
    """A checked row into its SKU's entry: values must agree with the SKU's earlier rows, a barcode
    names one SKU."""
    entry = entries.get(sku)
    if entry is None:
        entry = entries[sku] = _Entry(line)
    for label, attr, value in (("name", "name", text["name"]), ("unit_weight_g", "weight", weight),
                               ("default_box", "box", text["default_box"].upper())):
        if value in ("", None):
            continue
        known = getattr(entry, attr)
        if known in ("", None):
            setattr(entry, attr, value)
        elif known != value:
            errors.append((line, f"SKU {sku} has {label} {known!r} at line {entry.line} but {value!r} here"))
    for code in barcodes:
        owner = barcode_owner.setdefault(code, (sku, line))
        if owner[0] != sku:
            errors.append((line, f"barcode {code} is given for SKU {owner[0]} at line {owner[1]} and for SKU "
                                 f"{sku} here"))
        else:
            entry.barcodes.setdefault(code, line)


def _header(name: str, values: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, value in enumerate(values):
        field_name = HEADERS.get(_header_key(_text(value)))
        if field_name is None:
            continue
        if field_name in columns:
            raise ImportFileError(f"{name}: column {field_name} appears twice in the header")
        columns[field_name] = i
    if "sku" not in columns:
        if not columns:
            raise ImportFileError(f"{name} does not look like a product file: no known column headers in line 1 "
                                  "(expected sku/商品编码, name/商品名称, barcode/商品条码, unit_weight_g/单件重量(克))")
        raise ImportFileError(f"{name} is missing the required column sku/商品编码")
    return columns


def import_products(services: Any, path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ProductReport:
    """Import a product catalogue as a whole: everything, or (with ``errors``) nothing."""
    path = Path(path)
    entries, errors = read_product_file(path, max_bytes=max_bytes)
    report = ProductReport(file_name=path.name, errors=errors)
    try:
        with services.uow() as uow:
            _apply(uow.session, services, path.name, entries, report)
            if report.errors:
                uow.rollback()
    except IntegrityError as exc:
        raise KnownError(f"{path.name}: another import changed the same products or barcodes at the same moment; "
                         "nothing was imported. Run the import again.") from exc
    report.errors.sort(key=lambda e: e[0])
    if report.errors:
        report.products_added = report.products_updated = report.products_unchanged = report.barcodes_added = 0
        report.changes = []
    return report


def _apply(s: Any, services: Any, file_name: str, entries: dict[str, _Entry], report: ProductReport) -> None:
    errors = report.errors
    conn = s.connection()
    known: dict[str, Any] = {}
    for chunk in _chunks(entries):
        for row in conn.execute(select(Product.id, Product.sku, Product.name, Product.unit_weight_g,
                                       Product.default_box_code).where(Product.sku.in_(chunk))).all():
            known[row.sku] = row
    barcodes = {code for entry in entries.values() for code in entry.barcodes}
    owner: dict[str, str] = {}
    for chunk in _chunks(barcodes):
        owner.update(conn.execute(select(ProductBarcode.barcode, Product.sku).join(ProductBarcode.product)
                                  .where(ProductBarcode.barcode.in_(chunk))).all())
    boxes = set(conn.scalars(select(BoxType.code)))
    for sku, entry in entries.items():
        if entry.box and entry.box not in boxes:
            errors.append((entry.line, f"default_box {entry.box!r} for SKU {sku} is not a box type PackGate knows "
                                       f"({', '.join(sorted(boxes)) or 'none yet'})"))
        for code, line in entry.barcodes.items():
            if owner.get(code, sku) != sku:
                errors.append((line, f"barcode {code} already belongs to SKU {owner[code]}"))
        if sku not in known:
            if entry.weight is None:
                errors.append((entry.line, f"SKU {sku} is new and has no unit_weight_g (the bench checks parcel "
                                           "weights)"))
            if not entry.barcodes:
                errors.append((entry.line, f"SKU {sku} is new and has no barcode (the bench verifies items by "
                                           "barcode)"))
    if errors:
        return
    new = [sku for sku in entries if sku not in known]
    ids = {row.sku: row.id for row in known.values()}
    if new:
        result = s.execute(insert(Product.__table__).returning(Product.sku, Product.id), [
            {"sku": sku, "name": entries[sku].name or sku, "unit_weight_g": entries[sku].weight,
             "default_box_code": entries[sku].box or None} for sku in new])
        ids.update(result.all())
        report.products_added = len(new)
    now = services.clock()
    for sku, entry in entries.items():  # in file order, so the audit trail reads like the file
        row = known.get(sku)
        if row is not None:
            _update_product(s, now, file_name, sku, entry, row, report)
    new_codes = [{"barcode": code, "product_id": ids[sku]} for sku, entry in entries.items()
                 for code in entry.barcodes if code not in owner]
    if new_codes:
        s.execute(insert(ProductBarcode.__table__), new_codes)
        report.barcodes_added = len(new_codes)
    s.flush()


def _update_product(s: Any, now: Any, file_name: str, sku: str, entry: _Entry, row: Any,
                    report: ProductReport) -> None:
    """A known product takes the file's name, weight and default box where given; each change is audited."""
    changed: dict[str, Any] = {}
    words = []
    for column, label, old, value in (("name", "name", row.name, entry.name),
                                      ("unit_weight_g", "unit_weight_g", row.unit_weight_g, entry.weight),
                                      ("default_box_code", "default_box", row.default_box_code, entry.box)):
        if value not in ("", None) and value != old:
            changed[column] = value
            words.append(f"{label} {old!r} -> {value!r}")
    if not changed:
        report.products_unchanged += 1
        return
    s.execute(update(Product).where(Product.id == row.id).values(**changed))
    change = f"{sku}: {'; '.join(words)}"
    add_event(s, at=now, raw=sku, kind="product_change", message=change, reason=f"import-products {file_name}")
    report.changes.append(change)
    report.products_updated += 1
