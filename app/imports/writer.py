"""Writing checked orders to the database: one unit of work, everything or nothing (Qt-free).

The checks that need the database come first (orders already present, barcodes of other SKUs,
waybills taken or in the pool, new products without a weight or barcode); with any bad row nothing
is written. Then products, barcodes, holds, orders and lines are inserted in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from app.imports.checker import ImportRow, _order_cells
from app.imports.report import HeldOrder, ImportReport
from app.models.audit_chain import add_events
from app.models.bulk import insert_many as _insert_many
from app.models.bulk import insert_numbered
from app.models.schema import (
    Order,
    OrderLine,
    OrderState,
    Product,
    ProductBarcode,
    WaybillPoolEntry,
)
from app.packing.lifecycle import OrderEvent
from app.packing.repository import change_state

_IN_CHUNK = 500  # values per IN (...) lookup: well under SQLite's variable limit


def _chunks(values: Iterable[Any], size: int = _IN_CHUNK) -> Iterator[list[Any]]:
    items = list(values)
    for i in range(0, len(items), size):
        yield items[i : i + size]


ORDER_COLUMNS = ("order_no", "platform", "carrier_code", "recipient_name", "recipient_phone", "recipient_address",
                 "note", "created_at", "imported_at", "state", "preassigned_waybill", "hold_reason")


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
_READY = OrderState.READY.value
_OPEN = (OrderState.READY.value, OrderState.PACKING.value)  # states an import may still put on hold


@dataclass(slots=True)
class _Known:
    """What the database already has of the file's SKUs, barcodes, orders and waybills."""

    products: dict[str, int] = field(default_factory=dict)  # sku -> product id
    barcode_owner: dict[str, str] = field(default_factory=dict)  # barcode -> sku
    orders: dict[str, Any] = field(default_factory=dict)  # order_no -> row (id, order_no, state, carrier_code, ...)
    waybill_owner: dict[str, str] = field(default_factory=dict)  # waybill -> order_no
    pool: set[str] = field(default_factory=set)  # the file's waybills that are in a waybill pool
    lines: dict[int, dict[str, int]] = field(default_factory=dict)  # ready order id -> {sku: quantity}


@dataclass(slots=True)
class _Plan:
    """What the import will write, once no row is bad."""

    new_orders: list[tuple[_FileOrder, tuple[Any, ...]]] = field(default_factory=list)
    hold_reasons: dict[str, str] = field(default_factory=dict)  # new orders imported on hold -> reason
    to_hold: list[tuple[int, str, str]] = field(default_factory=list)  # existing orders: (id, order_no, reason)
    new_products: dict[str, ImportRow] = field(default_factory=dict)  # sku -> its first row
    new_barcodes: dict[str, str] = field(default_factory=dict)  # barcode -> sku


def group_orders(rows: list[ImportRow]) -> dict[str, _FileOrder]:
    """The checked lines by order number, in file order."""
    orders: dict[str, _FileOrder] = {}
    for row in rows:
        order_no = row.order_no
        if order_no in orders:
            orders[order_no].rows.append(row)
        else:
            orders[order_no] = _FileOrder(order_no, row.line, [row])
    return orders


def write_orders(s: Session, services: Any, orders: dict[str, _FileOrder], rows: list[ImportRow],
                 report: ImportReport, after_sales: dict[str, tuple[int, str]] | None = None, *,
                 mapped: bool = False, no_longer: dict[str, tuple[int, str, str]] | None = None) -> None:
    """Check the file's orders against the database and, with no bad row, write them in ``s``.

    Bad rows go to ``report.errors`` (unknown products of a mapped file to ``report.unknown_products``)
    and then nothing is written; the caller rolls the unit of work back.
    """
    plan = _Plan()
    conn = s.connection()  # Core results: no ORM row processing for 100,000s of looked-up rows
    _hold_no_longer_to_ship(conn, no_longer or {}, report, plan)
    known = _load_known(conn, orders, rows)
    after_sales = after_sales or {}
    for order in orders.values():
        _plan_order(order, known, after_sales.get(order.order_no), report, plan)
    _plan_products(rows, known, report, plan)
    _check_new_products(plan, report, mapped=mapped)
    if report.errors or report.unknown_products:
        return
    _insert_products(s, known.products, plan, report)
    now = services.clock()
    for order_id, order_no, reason in plan.to_hold:
        _put_existing_order_on_hold(s, order_id, order_no, reason, now)
    if not plan.new_orders:
        s.flush()
        return
    _insert_orders(s, now, known.products, plan, report)


# ------------------------------------------------------------------------------ what the database has


def _hold_no_longer_to_ship(conn: Any, no_longer: dict[str, tuple[int, str, str]], report: ImportReport,
                            plan: _Plan) -> None:
    """Orders the file shows as shipped or cancelled (e.g. refunded before shipping) that PackGate
    still has ready or at a bench: packing them would ship a refunded or duplicate parcel."""
    for chunk in _chunks(no_longer):
        for order_id, order_no, state in conn.execute(
                select(Order.id, Order.order_no, Order.state).where(
                    Order.order_no.in_(chunk), Order.state.in_(_OPEN))):
            line, text, why = no_longer[order_no]
            reason = f"the platform shows it as {text} ({why}), reported by the import of {report.file_name}"
            plan.to_hold.append((order_id, order_no, reason))
            report.held.append(HeldOrder(line, order_no, text, f"put on hold: the platform shows it {why}"
                                         + (" (a bench had it open)" if state != _READY else "")))


def _load_known(conn: Any, orders: dict[str, _FileOrder], rows: list[ImportRow]) -> _Known:
    known = _Known()
    for chunk in _chunks({row.sku for row in rows}):
        known.products.update(conn.execute(select(Product.sku, Product.id).where(Product.sku.in_(chunk))).all())
    for chunk in _chunks({row.barcode for row in rows if row.barcode}):
        known.barcode_owner.update(conn.execute(select(ProductBarcode.barcode, Product.sku)
                                                .join(ProductBarcode.product)
                                                .where(ProductBarcode.barcode.in_(chunk))).all())
    for chunk in _chunks(orders):
        for order in conn.execute(select(Order.id, Order.order_no, Order.state, Order.carrier_code,
                                      Order.recipient_name, Order.recipient_phone, Order.recipient_address,
                                      Order.note, Order.preassigned_waybill).where(Order.order_no.in_(chunk))).all():
            known.orders[order.order_no] = order
    _load_waybills(conn, {row.waybill for row in rows if row.waybill}, known)
    known.lines = _ready_lines(conn, [o.id for o in known.orders.values() if o.state == _READY])
    return known


def _load_waybills(conn: Any, waybills: set[str], known: _Known) -> None:
    """Which order has each of the file's waybills (as its waybill or pre-assigned), which are in a pool."""
    for chunk in _chunks(waybills):
        for number, pre, order_no in conn.execute(
            select(Order.waybill, Order.preassigned_waybill, Order.order_no)
            .where(or_(Order.waybill.in_(chunk), Order.preassigned_waybill.in_(chunk)))
        ).all():
            for value in (number, pre):
                if value in waybills:
                    known.waybill_owner[value] = order_no
        known.pool.update(conn.scalars(select(WaybillPoolEntry.number).where(WaybillPoolEntry.number.in_(chunk))))


def _ready_lines(conn: Any, ready_ids: list[int]) -> dict[int, dict[str, int]]:
    """The lines of the ready orders the file names again: order id -> {sku: quantity}."""
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
    return existing_lines


# ------------------------------------------------------------------------------ deciding, per order


def _plan_order(order: _FileOrder, known: _Known, case: tuple[int, str] | None, report: ImportReport,
                plan: _Plan) -> None:
    """New, unchanged, left alone, held, or a bad row: one order of the file against the database."""
    present = known.orders.get(order.order_no)
    if case is not None and _after_sales_case(order, present, case, report, plan):
        return
    values = order.values() if present is None or present.state == _READY else ()
    if present is None:
        _plan_new_order(order, values, known, report, plan)
    elif present.state != _READY:
        report.orders_in_progress += 1
    else:
        _compare_ready_order(order, values, present, known.lines.get(present.id, {}), report)


def _after_sales_case(order: _FileOrder, present: Any, case: tuple[int, str], report: ImportReport,
                      plan: _Plan) -> bool:
    """A new order with an after-sales case is imported on hold (False: import it); an existing one is
    put on hold, or only reported when it is past packing (True: nothing more to do with it)."""
    line, status = case
    reason = f"after-sales case on the platform ({status or '?'}), reported by the import of {report.file_name}"
    if present is None:
        plan.hold_reasons[order.order_no] = reason
        report.held.append(HeldOrder(line, order.order_no, status, "held"))
        return False
    if present.state in _OPEN:
        plan.to_hold.append((present.id, order.order_no, reason))
        outcome = "put on hold" + (" (a bench had it open)" if present.state != _READY else "")
    else:
        outcome = _HOLD_OUTCOME.get(present.state, present.state)
    report.held.append(HeldOrder(line, order.order_no, status, outcome))
    return True


def _plan_new_order(order: _FileOrder, values: tuple[Any, ...], known: _Known, report: ImportReport,
                    plan: _Plan) -> None:
    plan.new_orders.append((order, values))
    waybill = values[4]
    owner = known.waybill_owner.get(waybill) if waybill else None
    if owner is not None:
        report.errors.append((order.first_line, f"waybill {waybill} already belongs to order {owner}"))
    elif waybill and waybill in known.pool:
        report.errors.append((order.first_line, f"waybill {waybill} is in the waybill pool; it cannot also be "
                                                "pre-assigned by an import"))


def _compare_ready_order(order: _FileOrder, values: tuple[Any, ...], present: Any, present_lines: dict[str, int],
                         report: ImportReport) -> None:
    """A ready order the file names again: unchanged, or a bad row saying what differs."""
    carrier, name, phone, address, waybill, note, _created_at = values
    lines = {row.sku: row.quantity for row in order.rows}
    # A file without a waybill says nothing about it: the order may have taken a pool number
    # at a bench since (then been released), and re-importing the same file must not fail.
    known_waybill = present.preassigned_waybill if waybill else None
    if (carrier, name, phone, address, note, waybill or None) == (*tuple(present[3:8]), known_waybill) and \
            lines == present_lines:
        report.orders_unchanged += 1
        return
    differs = [
        label for label, mine, theirs in (
            ("carrier", carrier, present.carrier_code),
            ("recipient_name", name, present.recipient_name),
            ("recipient_phone", phone, present.recipient_phone),
            ("recipient_address", address, present.recipient_address),
            ("note", note, present.note),
            ("waybill", waybill or None, known_waybill),
        ) if mine != theirs
    ]
    if lines != present_lines:
        differs.insert(0, "lines")
    if differs:
        report.errors.append((order.first_line, f"order {order.order_no} already exists (ready) with different "
                                                f"{', '.join(differs)}: cancel it in PackGate or use a new order "
                                                "number"))
    else:
        report.orders_unchanged += 1


# ------------------------------------------------------------------------------ deciding, per product


def _plan_products(rows: list[ImportRow], known: _Known, report: ImportReport, plan: _Plan) -> None:
    """New products and barcodes, from every valid row (for unchanged orders they already exist)."""
    new_products, new_barcodes = plan.new_products, plan.new_barcodes
    for row in rows:
        sku = row.sku
        if sku not in known.products:
            first = new_products.get(sku)
            if first is None:
                new_products[sku] = row
            elif first.unit_weight_g is None and row.unit_weight_g is not None:
                new_products[sku] = _with_weight(first, row)
        barcode = row.barcode
        if barcode:
            owner = known.barcode_owner.get(barcode)
            if owner is None:
                if barcode not in new_barcodes:
                    new_barcodes[barcode] = sku
            elif owner != sku:
                report.errors.append((row.line, f"barcode {barcode} already belongs to SKU {owner}"))


def _check_new_products(plan: _Plan, report: ImportReport, *, mapped: bool) -> None:
    """A new SKU needs a weight and a barcode; a mapped file's new SKU is an unknown product."""
    skus_with_barcode = set(plan.new_barcodes.values())
    for sku, row in plan.new_products.items():
        if mapped and (row.unit_weight_g is None or sku not in skus_with_barcode):
            report.unknown_products.append((row.line, sku, row.product_name))
            continue
        if row.unit_weight_g is None:
            report.errors.append((row.line, f"SKU {sku} is new and has no unit_weight_g (the bench checks parcel "
                                            "weights)"))
        if sku not in skus_with_barcode:
            report.errors.append((row.line, f"SKU {sku} is new and has no barcode (the bench verifies items by "
                                            "barcode)"))


# ------------------------------------------------------------------------------ writing


def _insert_products(s: Session, products: dict[str, int], plan: _Plan, report: ImportReport) -> None:
    """Insert the new products and barcodes; ``products`` gains the new ids."""
    if plan.new_products:
        result = s.execute(
            insert(Product.__table__).returning(Product.sku, Product.id),
            [{"sku": sku, "name": row.product_name or sku, "unit_weight_g": row.unit_weight_g}
             for sku, row in plan.new_products.items()],
        )
        products.update(result.all())
        report.products_added = len(plan.new_products)
    if plan.new_barcodes:
        s.execute(insert(ProductBarcode.__table__),
                  [{"barcode": code, "product_id": products[sku]} for code, sku in plan.new_barcodes.items()])
        report.barcodes_added = len(plan.new_barcodes)


def _put_existing_order_on_hold(s: Session, order_id: int, order_no: str, reason: str, now: Any) -> None:
    """The importer's one state change of an existing order: ready or packing -> on hold, audited.

    Conditional: a bench may have packed it meanwhile, and then nothing changes.
    """
    change_state(s, OrderEvent.IMPORT_HOLD, order_id=order_id, values={"hold_reason": reason},
                 audit={"at": now, "raw": order_no, "message": f"Order {order_no} on hold: {reason}", "reason": reason})


def _insert_orders(s: Session, now: Any, products: dict[str, int], plan: _Plan, report: ImportReport) -> None:
    """Insert the new orders, their lines and, for those imported on hold, their audit events."""
    hold_reasons = plan.hold_reasons
    order_ids = _insert_order_rows(s, now, plan)
    lines = [
        (order_id, products[row.sku], row.quantity, 0)
        for order, _values in plan.new_orders
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
        add_events(s, events)  # into the audit trail's hash chain, like every event
    report.orders_added = len(plan.new_orders)
    report.lines_added = len(lines)


def _insert_order_rows(s: Session, now: Any, plan: _Plan) -> dict[str, int]:
    """Insert the new orders; returns order number -> id."""
    hold_reasons = plan.hold_reasons
    on_hold = OrderState.ON_HOLD.value
    return insert_numbered(s, Order.__table__, ORDER_COLUMNS, [
        (order.order_no, "", carrier, name, phone, address, note, created_at or now, now,
         on_hold if order.order_no in hold_reasons else _READY, waybill or None, hold_reasons.get(order.order_no, ""))
        for order, (carrier, name, phone, address, waybill, note, created_at) in plan.new_orders
    ], "order_no", _IN_CHUNK)


def _with_weight(first: ImportRow, later: ImportRow) -> ImportRow:
    """The first row of a new SKU, with the weight a later row gives (the first left it blank)."""
    return first._replace(unit_weight_g=later.unit_weight_g, product_name=first.product_name or later.product_name)
