"""The returns bench's repository: loads what :mod:`app.packing.return_rules` decides on and applies
its effects with conditional writes, inside the scan's unit of work (it never commits).

Also the view of the open return (what was shipped per parcel, what the buyer claims, what came
back) for the window, and the returns bench's one scan (:func:`scan`), which the bench workflow
calls for a packer in returns mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.returns import LineKind, Return, ReturnLine, ReturnState
from app.models.schema import (
    BoxType,
    Order,
    OrderLine,
    Parcel,
    ParcelLine,
    Product,
    ProductBarcode,
    Station,
    User,
)
from app.packing import return_rules as rr
from app.packing.model import BenchState, ProductFact
from app.packing.outcome import Level, ReturnLineView, ReturnView, ShippedParcelView
from app.packing.rules import Decision

T = QT_TRANSLATE_NOOP


class Conflict(Exception):
    """The return changed under the scan (another bench opened it, a supervisor closed it)."""


def open_return_id(s: Session, station_id: int) -> tuple[int, str] | None:
    """This bench's open return (what a login resumes): its id and what names it."""
    row = s.execute(select(Return.id, Return.return_waybill, Order.order_no).outerjoin(Order, Order.id == Return.order_id)
                    .where(Return.station_id == station_id, Return.state == ReturnState.OPEN.value)).first()
    return (row.id, row.order_no or row.return_waybill or "?") if row else None


def product_fact(s: Session, text: str) -> ProductFact | None:
    row = s.execute(select(Product.id, Product.sku, Product.name).join(ProductBarcode)
                    .where(ProductBarcode.barcode == text)).first()
    return ProductFact(row.id, row.sku, row.name) if row else None


def target(s: Session, text: str) -> rr.ReturnTarget:
    """What ``text`` names when no return is open: a return waybill, an order number, an outgoing
    waybill; else an item, a box or a badge (refused), or nothing (an unmatched parcel)."""
    number = text.strip().upper()
    row = s.execute(select(Return.id, Return.state, Return.order_id, Station.name)
                    .outerjoin(Station, Station.id == Return.station_id)
                    .where(Return.return_waybill.in_({text, number}))).first()
    if row is not None:
        order = s.execute(select(Order.order_no, Order.state).where(Order.id == row.order_id)).first() if row.order_id else None
        return rr.ReturnTarget(row.id, row.state, row.name, row.order_id, order.order_no if order else None,
                               order.state if order else None)
    order_row = s.execute(select(Order.id, Order.order_no, Order.state).where(Order.order_no == text)).first()
    if order_row is None:
        order_row = s.execute(select(Order.id, Order.order_no, Order.state).join(Parcel, Parcel.order_id == Order.id)
                              .where(Parcel.waybill == number)).first()
    if order_row is not None:
        expected = s.scalar(select(Return.id).where(Return.order_id == order_row.id,
                                                    Return.state == ReturnState.EXPECTED.value)
                            .order_by(Return.id).limit(1))
        return rr.ReturnTarget(expected, ReturnState.EXPECTED.value if expected else None, None, order_row.id,
                               order_row.order_no, order_row.state)
    return rr.ReturnTarget(
        is_product=s.scalar(select(ProductBarcode.barcode).where(ProductBarcode.barcode == text)) is not None,
        is_box=s.scalar(select(BoxType.code).where(BoxType.code == text)) is not None,
        is_badge=s.scalar(select(User.id).where(User.badge == text)) is not None,
    )


def shipped_by_product(s: Session, order_id: int) -> list:
    """(product id, sku, name, units in the order's parcels), in line order."""
    return s.execute(select(Product.id, Product.sku, Product.name, func.coalesce(func.sum(ParcelLine.quantity), 0))
                     .select_from(OrderLine).join(Product, Product.id == OrderLine.product_id)
                     .outerjoin(ParcelLine, ParcelLine.order_line_id == OrderLine.id)
                     .where(OrderLine.order_id == order_id)
                     .group_by(Product.id, Product.sku, Product.name, OrderLine.id).order_by(OrderLine.id)).all()


def load(s: Session, return_id: int) -> rr.ReturnSnap | None:
    ret = s.execute(select(Return.id, Return.order_id, Return.return_waybill, Return.state)
                    .where(Return.id == return_id)).first()
    if ret is None:
        return None
    lines = s.execute(select(ReturnLine.kind, ReturnLine.product_id, ReturnLine.sku, ReturnLine.condition, ReturnLine.qty)
                      .where(ReturnLine.return_id == return_id).order_by(ReturnLine.id)).all()
    foreign = tuple((x.sku, x.qty) for x in lines if x.kind == LineKind.FOREIGN.value)
    if ret.order_id is None:
        unmatched = tuple((x.sku, x.condition, x.qty) for x in lines
                          if x.kind in (LineKind.RETURNED.value, LineKind.FOREIGN.value))
        return rr.ReturnSnap(ret.id, ret.return_waybill, unmatched=unmatched)
    order_no = s.scalar(select(Order.order_no).where(Order.id == ret.order_id))
    before = dict(s.execute(select(ReturnLine.product_id, func.sum(ReturnLine.qty)).join(Return)
                            .where(Return.order_id == ret.order_id, Return.id != return_id,
                                   ReturnLine.kind == LineKind.RETURNED.value)
                            .group_by(ReturnLine.product_id)).all())
    claims = [x for x in lines if x.kind == LineKind.CLAIMED.value]
    claimed: dict[int, int] = {}
    for x in claims:
        claimed[x.product_id] = claimed.get(x.product_id, 0) + x.qty
    items = []
    for product_id, sku, name, shipped in shipped_by_product(s, ret.order_id):
        got = [x for x in lines if x.kind == LineKind.RETURNED.value and x.product_id == product_id]
        items.append(rr.ReturnItem(product_id, sku, name, int(shipped), int(before.get(product_id, 0)),
                                   claimed.get(product_id, 0) if claims else None,
                                   sum(x.qty for x in got if x.condition == rr.GOOD),
                                   sum(x.qty for x in got if x.condition == rr.DAMAGED)))
    return rr.ReturnSnap(ret.id, ret.return_waybill, ret.order_id, order_no, tuple(items), foreign)


@dataclass(frozen=True)
class Actor:
    station_id: int
    user_id: int | None
    clock: Callable[[], datetime]


def apply(s: Session, effects, actor: Actor) -> int | None:
    """Write the effects; returns the id of a return opened by them (None: none opened)."""
    opened = None
    for effect in effects:
        if isinstance(effect, rr.OpenReturn):
            opened = _open(s, effect, actor)
        elif isinstance(effect, rr.AddReturnUnit):
            _add_unit(s, effect)
        elif isinstance(effect, rr.CloseReturn):
            for product_id, sku, qty in effect.missing:
                s.add(ReturnLine(return_id=effect.return_id, kind=LineKind.MISSING.value, product_id=product_id,
                                 sku=sku, qty=qty, condition=rr.GOOD))
            done = s.execute(update(Return).where(Return.id == effect.return_id, Return.state == ReturnState.OPEN.value,
                                                  Return.station_id == actor.station_id)
                             .values(state=ReturnState.CLOSED.value, closed_at=actor.clock()))
            if done.rowcount != 1:
                raise Conflict(effect.return_id)
    s.flush()
    return opened


def _open(s: Session, effect: rr.OpenReturn, actor: Actor) -> int:
    now = actor.clock()
    if effect.return_id is not None:
        done = s.execute(update(Return).where(Return.id == effect.return_id, Return.state == ReturnState.EXPECTED.value)
                         .values(state=ReturnState.OPEN.value, station_id=actor.station_id, packer_id=actor.user_id,
                                 opened_at=now))
        if done.rowcount != 1:
            raise Conflict(effect.return_id)
        return effect.return_id
    ret = Return(order_id=effect.order_id, return_waybill=effect.return_waybill, state=ReturnState.OPEN.value,
                 station_id=actor.station_id, packer_id=actor.user_id, opened_at=now, created_at=now, reason="")
    try:
        with s.begin_nested():
            s.add(ret)
            s.flush()
    except IntegrityError as exc:  # the waybill was just taken by another bench's parcel
        raise Conflict(effect.return_waybill) from exc
    return ret.id


def _add_unit(s: Session, effect: rr.AddReturnUnit) -> None:
    kind = LineKind.FOREIGN.value if effect.foreign or effect.product_id is None else LineKind.RETURNED.value
    row = s.execute(select(ReturnLine.id).where(ReturnLine.return_id == effect.return_id, ReturnLine.kind == kind,
                                                ReturnLine.sku == effect.sku, ReturnLine.condition == effect.condition)).first()
    with s.begin_nested():  # the database refuses a unit beyond what was shipped: the scan says so
        if row is None:
            s.add(ReturnLine(return_id=effect.return_id, kind=kind, product_id=effect.product_id, sku=effect.sku,
                             qty=1, condition=effect.condition))
        else:
            s.execute(update(ReturnLine).where(ReturnLine.id == row.id).values(qty=ReturnLine.qty + 1))
        s.flush()


# ------------------------------------------------------------------------------------------ view


def return_view(s: Session, snap: rr.ReturnSnap, damaged_next: bool) -> ReturnView:
    ret = s.execute(select(Return.after_sales_id, Return.after_sales_type, Return.reason).where(Return.id == snap.id)).one()
    parcels: tuple[ShippedParcelView, ...] = ()
    if snap.order_id is not None:
        rows = s.execute(select(Parcel.id, Parcel.seq, Parcel.waybill, Parcel.weight_g, Parcel.packed_at, User.name)
                         .outerjoin(User, User.id == Parcel.packer_id).where(Parcel.order_id == snap.order_id)
                         .order_by(Parcel.seq)).all()
        contents = s.execute(select(ParcelLine.parcel_id, Product.sku, ParcelLine.quantity)
                             .join(OrderLine, OrderLine.id == ParcelLine.order_line_id)
                             .join(Product, Product.id == OrderLine.product_id)
                             .where(OrderLine.order_id == snap.order_id).order_by(OrderLine.id)).all()
        parcels = tuple(ShippedParcelView(p.seq, p.waybill, p.weight_g, p.name or "",
                                          p.packed_at.astimezone().strftime("%Y-%m-%d %H:%M") if p.packed_at else "",
                                          tuple((c.sku, c.quantity) for c in contents if c.parcel_id == p.id))
                        for p in rows)
    return ReturnView(
        return_waybill=snap.return_waybill, order_no=snap.order_no,
        lines=tuple(ReturnLineView(i.sku, i.name, i.shipped, i.claimed, i.expected, i.good, i.damaged) for i in snap.items),
        foreign=snap.foreign, unmatched=snap.unmatched, parcels=parcels, after_sales_id=ret.after_sales_id,
        after_sales_type=ret.after_sales_type, reason=ret.reason or "", damaged_next=damaged_next)


# ------------------------------------------------------------------------------------------ scan


def scan(s: Session, state: BenchState, text: str, actor: Actor, busy: bool) -> Decision:
    """One scan of a packer in returns mode (or CMD:RETURNS): decide and apply. The bench's view
    shows the open return (:func:`return_view`)."""
    if rr.as_command(text) == rr.CMD_RETURNS:
        return rr.toggle(state, busy)
    snap = load(s, state.return_id) if state.return_id is not None else None
    if state.return_id is not None and snap is None:
        state = replace(state, return_id=None)
    if snap is None:
        d = rr.decide_open(state, text, target(s, text))
        try:
            opened = apply(s, d.effects, actor)
        except Conflict:
            return Decision(False, Level.REFUSED, Message(T("Outcome", "Return {waybill} was just opened elsewhere"),
                                                          {"waybill": text}), "return", state)
        return d if opened is None else replace(d, state=replace(d.state, return_id=opened))
    product = product_fact(s, text) if rr.as_command(text) is None else None
    d, _ = rr.decide_in_return(state, snap, text, product)
    try:
        apply(s, d.effects, actor)
    except IntegrityError:  # another bench took the last unit back meanwhile: the database said no
        return Decision(False, Level.REFUSED, Message(T("Outcome", "Over-return: every unit of {sku} is back already"),
                                                      {"sku": product.sku if product else text}), "return_item", state,
                        snap.order_id)
    except Conflict:
        return Decision(False, Level.REFUSED, Message(T("Outcome", "This return was closed elsewhere")), "return",
                        replace(state, return_id=None, damaged_next=False))
    return d
