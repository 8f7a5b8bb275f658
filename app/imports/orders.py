"""Order import: the shop's CSV or XLSX export, one row per order line (Qt-free).

Reading (:func:`read_order_file`) turns a file into validated rows plus a list of bad rows, without
touching the database. Importing (:func:`import_orders`) adds the checks that need the database and
then writes everything in one transaction, or nothing at all.

This module is the entry; the work is done in three steps, each its own module:

* :mod:`app.imports.reader`: a file -> raw records (sniffing CSV or XLSX, encoding, delimiter, the
  size and XLSX limits);
* :mod:`app.imports.checker`: records -> checked order lines (:class:`ImportRow`) or bad rows;
  another system's export is first translated by :mod:`app.imports.columnmap`;
* :mod:`app.imports.writer`: checked lines -> the database in one unit of work, with the checks
  that need it; :mod:`app.imports.report` words the outcome.

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

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from app.carriers import CarrierCatalogue, load_catalogue
from app.errors import ImportFileError, KnownError
from app.imports.cells import _blank, _shown, _text
from app.imports.checker import (
    _CONTROL_NO_NEWLINE,
    _FORMULA,
    COLUMNS,
    MAX_ROWS,
    ImportRow,
    ParsedImport,
    _Checker,
    _header_key,
    _whole,
)
from app.imports.columnmap import ColumnMap, MappedReader
from app.imports.reader import DEFAULT_MAX_BYTES, MAX_BLANK_ROWS, MAX_COLUMNS, _xlsx_records, open_records
from app.imports.report import HeldOrder, ImportReport, _plural
from app.imports.writer import _chunks, group_orders, write_orders

__all__ = [  # the public names, and the helpers the product import and the tests take from here
    "COLUMNS",
    "DEFAULT_MAX_BYTES",
    "MAX_BLANK_ROWS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "HeldOrder",
    "ImportReport",
    "ImportRow",
    "ParsedImport",
    "import_orders",
    "open_records",
    "read_order_file",
    "_CONTROL_NO_NEWLINE",
    "_FORMULA",
    "_blank",
    "_chunks",
    "_header_key",
    "_plural",
    "_shown",
    "_text",
    "_whole",
    "_xlsx_records",
]


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
    orders = group_orders(parsed.rows)
    try:
        with services.uow() as uow:
            write_orders(uow.session, services, orders, parsed.rows, report, after_sales,
                         mapped=facts is not None, no_longer=no_longer)
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
