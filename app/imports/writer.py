"""Writing checked orders to the database: one unit of work, everything or nothing (Qt-free).

The checks that need the database come first (orders already present, barcodes of other SKUs,
waybills taken or in the pool, new products without a weight or barcode); with any bad row nothing
is written. Then products, barcodes, holds, orders and lines are inserted in bulk.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.imports.checker import ORDER_FIELDS, ImportRow
from app.imports.report import HeldOrder, ImportReport
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

_IN_CHUNK = 500  # values per IN (...) lookup: well under SQLite's variable limit


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
