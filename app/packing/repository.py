"""Loads what the bench rules decide on, and applies their effects, inside the caller's unit of work.

Reads are a few Core statements (the open order, its lines and parcels; what a scanned code is).
Writes are conditional UPDATEs and inserts backed by the schema's unique constraints and triggers:
when another bench or a supervisor got there first, :class:`Conflict` says so and this scan's
effects are not written. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.audit_chain import add_event
from app.models.schema import (
    BoxType,
    Ewaybill,
    Manifest,
    ManifestItem,
    Order,
    OrderLine,
    OrderState,
    Parcel,
    ParcelLine,
    PlatformConfig,
    PlatformJob,
    PlatformOrder,
    Product,
    ProductBarcode,
    ScanEvent,
    Station,
    User,
    WaybillPoolEntry,
    WaybillSource,
)
from app.packing import lifecycle, rules
from app.packing.lifecycle import OrderEvent
from app.packing.model import (
    BoxFact,
    CodeFacts,
    LineSnap,
    ManifestSnap,
    OrderSnap,
    ParcelFact,
    ParcelSnap,
    ProductFact,
)
from app.packing.outcome import Step

CLAIM_RETRIES = 5
PACKING = OrderState.PACKING.value
PACKED = OrderState.PACKED.value


class Conflict(Exception):
    """Another writer changed what the decision relied on; nothing of this scan's effects stays."""

    def __init__(self, reason: str, **details) -> None:
        super().__init__(reason)
        self.reason = reason  # claim, over_scan, taken_away, waybill_taken, manifest_taken, manifest_closed
        self.details = details


@dataclass
class Applied:
    """What the database chose while applying (ids and numbers the rules could not know)."""

    pool_numbers: dict[int, str] = field(default_factory=dict)  # parcel seq -> number
    parcel_ids: dict[int, int] = field(default_factory=dict)  # parcel seq -> new id
    manifest: tuple[int, str] | None = None  # opened or resumed (id, number)


# ------------------------------------------------------------------------------------------ reads

_BARCODE = (select(func.min(ProductBarcode.barcode)).where(ProductBarcode.product_id == Product.id)
            .correlate(Product).scalar_subquery())
_ORDER_COLUMNS = (Order.id, Order.order_no, Order.state, Order.station_id, Order.carrier_code,
                Order.preassigned_waybill, Order.waybill, Order.recipient_name, Order.recipient_phone,
                  Order.recipient_address, Order.note, PlatformOrder.refund_status,
                  (WaybillSource.source == "pdd").label("ewaybills"))
# The platform's refund state and the carrier's waybill source ride along in the order's one select
# (no extra query per scan; both joins on a unique key).
_ORDER_SELECT = (select(*_ORDER_COLUMNS).outerjoin(PlatformOrder, PlatformOrder.order_id == Order.id)
                 .outerjoin(WaybillSource, (WaybillSource.shop_id == Order.shop_id)
                            & (WaybillSource.carrier_code == Order.carrier_code)))
_LINE_COLUMNS = (OrderLine.id, OrderLine.product_id, Product.sku, Product.name, _BARCODE, OrderLine.quantity,
                 OrderLine.scanned, Product.unit_weight_g)
_PARCEL_COLUMNS = (Parcel.id, Parcel.seq, Parcel.box_code, Parcel.expected_weight_g, Parcel.weight_g,
                   Parcel.label_prints, Parcel.waybill, Parcel.preassigned_waybill, Parcel.sealed,
                   ParcelLine.order_line_id, ParcelLine.quantity, Ewaybill.waybill_code, Ewaybill.state)
_PRODUCT = (select(Product.id, Product.sku, Product.name).join(ProductBarcode, ProductBarcode.product_id == Product.id)
            .where(ProductBarcode.barcode == bindparam("code")))
# SQLite (in-process: no round trips to save) reads the order, its lines and its parcels with three
# plain statements, cheaper there than the JSON of one; PostgreSQL reads them in one (below).
_ORDER_BY_ID = _ORDER_SELECT.where(Order.id == bindparam("order_id"))
_ORDER_BY_NO = _ORDER_SELECT.where(Order.order_no == bindparam("order_no"))
_LINES = (select(*_LINE_COLUMNS).join(Product, Product.id == OrderLine.product_id)
          .where(OrderLine.order_id == bindparam("order_id")).order_by(OrderLine.id))
_PARCELS = (select(*_PARCEL_COLUMNS).outerjoin(ParcelLine, ParcelLine.parcel_id == Parcel.id)
            .outerjoin(Ewaybill, (Ewaybill.order_id == Parcel.order_id) & (Ewaybill.parcel_seq == Parcel.seq)
                       & (Ewaybill.state != "cancelled"))
            .where(Parcel.order_id == bindparam("order_id")).order_by(Parcel.seq, ParcelLine.order_line_id))


def _rows_as_json(columns, from_where):
    """PostgreSQL: a correlated scalar subquery, the rows of ``from_where`` (a select's FROM and
    WHERE) as one JSON array of arrays, so the order, its lines and its parcels come back in one
    statement (one round trip instead of three), decoded by the driver's JSON loader. No rows give
    NULL; the rows' order is restored in Python."""
    return from_where(select(type_coerce(func.json_agg(func.json_build_array(*columns)), JSON()))).scalar_subquery()


def _order_select(where):
    lines = _rows_as_json(_LINE_COLUMNS, lambda q: (
        q.select_from(OrderLine).join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == Order.id).correlate(Order)))
    parcels = _rows_as_json(_PARCEL_COLUMNS, lambda q: (
        q.select_from(Parcel).outerjoin(ParcelLine, ParcelLine.parcel_id == Parcel.id)
        # the parcel's live e-waybill (at most one: a partial unique index)
        .outerjoin(Ewaybill, (Ewaybill.order_id == Parcel.order_id) & (Ewaybill.parcel_seq == Parcel.seq)
                   & (Ewaybill.state != "cancelled"))
        .where(Parcel.order_id == Order.id).correlate(Order)))
    return _ORDER_SELECT.add_columns(lines.label("lines"), parcels.label("parcels")).where(where)


_ORDER_AT_ONCE_BY_ID = _order_select(Order.id == bindparam("order_id"))
_ORDER_AT_ONCE_BY_NO = _order_select(Order.order_no == bindparam("order_no"))


def _read_order(s: Session, key: str, value) -> OrderSnap | None:
    """The order by id (``key`` "id") or number ("no") with its lines and parcels."""
    conn = s.connection()
    if conn.dialect.name == "postgresql":
        row = conn.execute(_ORDER_AT_ONCE_BY_ID if key == "id" else _ORDER_AT_ONCE_BY_NO, {f"order_{key}": value}).first()
        if row is None:
            return None
        lines = sorted(row.lines or (), key=lambda r: r[0])
        parcels = sorted(row.parcels or (), key=lambda r: (r[1], r[9] is not None, r[9] or 0))
        return _snapshot(row, lines, parcels)
    row = conn.execute(_ORDER_BY_ID if key == "id" else _ORDER_BY_NO, {f"order_{key}": value}).first()
    if row is None:
        return None
    return _snapshot(row, conn.execute(_LINES, {"order_id": row.id}), conn.execute(_PARCELS, {"order_id": row.id}))


def _snapshot(row, line_rows, parcel_rows) -> OrderSnap:
    """The order's snapshot from its row, its lines in line order and its parcels' rows in parcel
    then line order (one per unit line, or one with no line)."""
    lines = tuple(LineSnap(*r) for r in line_rows)
    parcels: list[ParcelSnap] = []
    current: dict | None = None
    units: list[tuple[int, int]] = []
    for r in parcel_rows:
        (pid, seq, box_code, expected, weight, prints, waybill, preassigned, sealed, line_id, quantity,
         ewaybill, e_state) = r
        if current is None or current["id"] != pid:
            if current is not None:
                parcels.append(ParcelSnap(units=tuple(units), **current))
            current = {"id": pid, "seq": seq, "box_code": box_code, "expected_weight_g": expected,
                       "weight_g": weight, "label_prints": prints, "waybill": waybill,
                       "preassigned_waybill": preassigned, "sealed": bool(sealed),
                       "ewaybill": ewaybill, "ewaybill_state": e_state}
            units = []
        if line_id is not None:
            units.append((line_id, quantity))
    if current is not None:
        parcels.append(ParcelSnap(units=tuple(units), **current))
    return OrderSnap(id=row.id, order_no=row.order_no, state=row.state, station_id=row.station_id,
                     carrier_code=row.carrier_code, preassigned_waybill=row.preassigned_waybill, waybill=row.waybill,
                     lines=lines, parcels=tuple(parcels), recipient_name=row.recipient_name,
                     recipient_phone=row.recipient_phone, recipient_address=row.recipient_address, note=row.note,
                     platform_refund=row.refund_status, ewaybills=bool(row.ewaybills))


def load_order(s: Session, order_id: int) -> OrderSnap | None:
    return _read_order(s, "id", order_id)


def load_order_by_no(s: Session, order_no: str) -> OrderSnap | None:
    snap = _read_order(s, "no", order_no)
    if snap is None:
        return None
    if snap.state == PACKING and snap.station_id is not None:
        snap = replace(snap, holder=s.scalar(select(Station.name).where(Station.id == snap.station_id)))
    return snap


def order_step(s: Session, order_id: int) -> Step:
    """Where an open order stands, from what the database holds (crash-safe)."""
    snap = load_order(s, order_id)
    assert snap is not None
    return rules.order_step(snap)


def open_manifest_id(s: Session, station_id: int) -> tuple[int, str] | None:
    row = s.execute(select(Manifest.id, Manifest.manifest_no)
                    .where(Manifest.station_id == station_id, Manifest.closed_at.is_(None))
                    .order_by(Manifest.id.desc()).limit(1)).first()
    return (row.id, row.manifest_no) if row else None


def packing_order_id(s: Session, station_id: int) -> tuple[int, str] | None:
    row = s.execute(select(Order.id, Order.order_no)
                    .where(Order.station_id == station_id, Order.state == PACKING)).first()
    return (row.id, row.order_no) if row else None


def load_manifest(s: Session, manifest_id: int, *, with_missing: bool = False) -> ManifestSnap | None:
    row = s.execute(select(Manifest.id, Manifest.manifest_no, Manifest.carrier_code, Manifest.closed_at)
                    .where(Manifest.id == manifest_id)).first()
    if row is None:
        return None
    count = s.scalar(select(func.count()).select_from(ManifestItem).where(ManifestItem.manifest_id == manifest_id)) or 0
    missing: tuple[tuple[str, int, str], ...] = ()
    if with_missing:
        missing = tuple(tuple(r) for r in s.execute(missing_parcels(manifest_id)))
    return ManifestSnap(row.id, row.manifest_no, row.carrier_code, row.closed_at is not None, count, missing)


def _on_closed_manifest(parcel_id_column, *, or_manifest: int | None = None):
    closed = Manifest.closed_at.is_not(None)
    if or_manifest is not None:
        closed = or_(closed, Manifest.id == or_manifest)
    return (exists().where(ManifestItem.parcel_id == parcel_id_column, ManifestItem.manifest_id == Manifest.id, closed))


def missing_parcels(manifest_id: int):
    """Parcels of the orders on ``manifest_id`` that are neither on it nor on a closed manifest."""
    orders_here = select(ManifestItem.order_id).where(ManifestItem.manifest_id == manifest_id)
    return (select(Order.order_no, Parcel.seq, func.coalesce(Parcel.waybill, ""))
            .join(Order, Order.id == Parcel.order_id)
            .where(Parcel.order_id.in_(orders_here), ~_on_closed_manifest(Parcel.id, or_manifest=manifest_id))
            .order_by(Order.order_no, Parcel.seq))


def _product(s: Session, code: str) -> ProductFact | None:
    row = s.connection().execute(_PRODUCT, {"code": code}).first()
    return ProductFact(*row) if row else None


_BOX = select(BoxType.code, BoxType.tare_g, BoxType.active).where(BoxType.code == bindparam("code"))
_BADGE_1 = select(User.id).where(User.badge == bindparam("code")).limit(1)
_BADGE_2 = select(User.id).where(User.badge.in_([bindparam("code"), bindparam("code2")])).limit(1)


def _box(s: Session, code: str) -> BoxFact | None:
    row = s.connection().execute(_BOX, {"code": code.upper()}).first()
    return BoxFact(row.code, row.tare_g, bool(row.active)) if row else None


def _badge(s: Session, *codes: str) -> bool:
    if len(codes) == 1:
        return s.connection().execute(_BADGE_1, {"code": codes[0]}).first() is not None
    if len(codes) == 2:
        return s.connection().execute(_BADGE_2, {"code": codes[0], "code2": codes[1]}).first() is not None
    return s.scalar(select(User.id).where(User.badge.in_(codes)).limit(1)) is not None


def _looked_up(column, where):
    return select(column).where(where).scalar_subquery()


_BY_BARCODE = ProductBarcode.barcode == bindparam("code")
# A box, a product and a badge by one code, in one statement (one row of single-row lookups on
# primary keys and unique indexes): what the box and weight steps ask about every scan.
_WHAT_IS = select(
    _looked_up(BoxType.code, BoxType.code == bindparam("box")).label("box_code"),
    _looked_up(BoxType.tare_g, BoxType.code == bindparam("box")).label("box_tare"),
    _looked_up(BoxType.active, BoxType.code == bindparam("box")).label("box_active"),
    *(select(column).join(ProductBarcode, ProductBarcode.product_id == Product.id).where(_BY_BARCODE)
      .scalar_subquery().label(f"product_{column.key}") for column in (Product.id, Product.sku, Product.name)),
    exists(select(User.id).where(User.badge == bindparam("code"))).label("badge"),
)


def _what_is(s: Session, text: str) -> CodeFacts:
    """``text`` as a box, a product and a badge (see ``_WHAT_IS``)."""
    row = s.connection().execute(_WHAT_IS, {"box": text.upper(), "code": text}).one()
    box = BoxFact(row.box_code, row.box_tare, bool(row.box_active)) if row.box_code is not None else None
    product = ProductFact(row.product_id, row.product_sku, row.product_name) if row.product_id is not None else None
    return CodeFacts(box=box, product=product, is_badge=bool(row.badge))


def facts(s: Session, step: Step, text: str, number: str, *, command: bool = False) -> CodeFacts:
    """What the database knows about ``text`` (and ``number``, its waybill form): only what the
    rules of ``step`` look at, cheapest first."""
    if command:
        return CodeFacts()
    if step == Step.VERIFY:
        product = _product(s, text)
        if product is not None:
            return CodeFacts(product=product)
        return replace(_what_is(s, text), product=None)
    if step in (Step.BOX, Step.WEIGHT):
        return _what_is(s, text)
    if step == Step.LABEL:
        return CodeFacts(is_badge=_badge(s, text))
    if step == Step.ORDER:
        return replace(_what_is(s, text), box=None)
    if step == Step.WAYBILL:
        product = _product(s, text) or (_product(s, number) if number != text else None)
        is_order = s.scalar(select(Order.id).where(Order.order_no.in_((text, number))).limit(1)) is not None
        owner = s.scalar(select(Order.order_no).join(Parcel, Parcel.order_id == Order.id).where(Parcel.waybill == number))
        return CodeFacts(product=product, is_order_no=is_order, box=_box(s, number), is_badge=_badge(s, text, number),
                         waybill_owner=owner, ewaybill_of=ewaybill_of(s, number))
    if step == Step.HANDOVER:
        return _handover_facts(s, text.strip().upper())
    return CodeFacts()


def _handover_facts(s: Session, number: str) -> CodeFacts:
    # The order row is locked (PostgreSQL) so a supervisor's unlink cannot slip in between.
    row = s.execute(select(Parcel.id, Parcel.seq, Order.id.label("order_id"), Order.order_no, Order.state,
                           Order.carrier_code)
                    .join(Order, Order.id == Parcel.order_id).where(Parcel.waybill == number)
                    .with_for_update(of=Order)).first()
    if row is None:
        pre = s.scalar(select(Order.id).where(Order.preassigned_waybill == number).limit(1)) or s.scalar(
            select(Parcel.id).where(Parcel.preassigned_waybill == number).limit(1))
        return CodeFacts(preassigned_somewhere=pre is not None)
    count = s.scalar(select(func.count()).select_from(Parcel).where(Parcel.order_id == row.order_id)) or 1
    item = s.execute(select(ManifestItem.manifest_id, Manifest.manifest_no)
                     .join(Manifest, Manifest.id == ManifestItem.manifest_id)
                     .where(ManifestItem.parcel_id == row.id)).first()
    return CodeFacts(parcel=ParcelFact(row.id, row.seq, count, row.order_id, row.order_no, row.state, row.carrier_code,
                                       item.manifest_id if item else None, item.manifest_no if item else None))


def ewaybill_of(s: Session, number: str) -> tuple[str, int] | None:
    """(order number, parcel seq) whose e-waybill ``number`` is (live or cancelled), by its unique index."""
    row = s.execute(select(Order.order_no, Ewaybill.parcel_seq).join(Order, Order.id == Ewaybill.order_id)
                    .where(Ewaybill.waybill_code == number)).first()
    return (row.order_no, row.parcel_seq) if row else None


def waybill_owner(s: Session, number: str) -> str | None:
    return s.scalar(select(Order.order_no).join(Parcel, Parcel.order_id == Order.id).where(Parcel.waybill == number))


PLATFORM_STALE_MINUTES = 10


def platform_stale(s: Session, now: datetime) -> bool:
    """With the pdd channel: True when the platform has not answered a state refresh for
    PLATFORM_STALE_MINUTES (or the channel is stopped): the bench packs on what it last knew, and
    says so. One row by primary key, read only when an order is opened."""
    row = s.execute(select(PlatformConfig.channel, PlatformConfig.stopped_reason, PlatformConfig.refreshed_at)
                    .where(PlatformConfig.id == 1)).first()
    if row is None or row.channel != "pdd":
        return False
    return bool(row.stopped_reason) or row.refreshed_at is None or \
        row.refreshed_at < now - timedelta(minutes=PLATFORM_STALE_MINUTES)


def platform_state(s: Session, order_no: str) -> str | None:
    """The state of the order's latest platform job (not voided), for the bench's done screen."""
    return s.scalar(select(PlatformJob.state).where(PlatformJob.order_no == order_no, PlatformJob.state != "void")
                    .order_by(PlatformJob.id.desc()).limit(1))


def order_state(s: Session, order_id: int) -> str | None:
    return s.scalar(select(Order.state).where(Order.id == order_id))


def shift_version(s: Session) -> str:
    """Moves on with every change of the shift: every scan, action, login and import hold writes a scan
    event; a new order raises orders.id. Two primary keys' max(): one index lookup each."""
    events = s.scalar(select(func.max(ScanEvent.id))) or 0
    orders = s.scalar(select(func.max(Order.id))) or 0
    return f"{events}.{orders}"


# ----------------------------------------------------------------------------------------- writes


@dataclass(frozen=True)
class Actor:
    station_id: int
    user_id: int | None
    clock: Callable[[], datetime]
    platform_trigger: str = "packed"  # when the platform job is written: packed or handed_over


def _mine(order_id: int, actor: Actor):
    return (Order.id == order_id, Order.state == PACKING, Order.station_id == actor.station_id)


def _run(s: Session, stmt, params: dict | None = None) -> int:
    return s.connection().execute(stmt, params).rowcount


def change_state(s: Session, event: lifecycle.OrderEvent, *, order_id: int | None = None, source: str | None = None,
                 where: Sequence = (), values: dict | None = None, audit: dict | None = None) -> int:
    """Apply the lifecycle's ``event`` as one conditional UPDATE of ``orders``, in ``s``'s unit of work.

    The rows: ``order_id`` (or every order ``where`` selects) that is still in ``source`` (the state
    the caller decided on; None: any state the event leaves from), and that matches the caller's own
    guards in ``where`` (this bench holds it, not on a manifest...). The new values are the
    transition's (:meth:`lifecycle.Transition.values`, ``values`` supplying the columns it sets).
    When the order changed: its units go back on the shelf if the transition says so, and ``audit``
    (``at``, ``station_id``, ``user_id``, ``raw``, ``message``, ``reason``) becomes its audit event,
    of the transition's kind. Returns how many orders changed (0: another writer got there first).
    """
    step = lifecycle.transition(source or lifecycle.rule(event).sources[0], event)
    sources = (source,) if source is not None else lifecycle.rule(event).sources
    state = Order.state == sources[0] if len(sources) == 1 else Order.state.in_(sources)
    rows = (Order.id == order_id,) if order_id is not None else ()
    count = _run(s, update(Order).where(*rows, state, *where).values(**step.values(values)))
    if count and order_id is not None:
        if step.reset_scans:
            reset(s, order_id)
        if audit is not None:
            assert step.audit is not None, f"{event} is audited by the scan that causes it"
            add_event(s, kind=step.audit, order_id=order_id, accepted=True, **audit)
    return count


# The hot path's statements, built once (a scan then only binds its values).
_BUMP_LINE = (update(OrderLine).where(OrderLine.id == bindparam("b_line"), OrderLine.scanned < OrderLine.quantity)
              .values(scanned=OrderLine.scanned + 1))
_BUMP_PARCEL_LINE = (update(ParcelLine).where(ParcelLine.parcel_id == bindparam("b_parcel"),
                                              ParcelLine.order_line_id == bindparam("b_line"))
                     .values(quantity=ParcelLine.quantity + 1))
_NEW_PARCEL_LINE = insert(ParcelLine).values(parcel_id=bindparam("b_parcel"), order_line_id=bindparam("b_line"),
                                             quantity=1)


def apply(s: Session, effects: Sequence[rules.Effect], actor: Actor) -> Applied:
    """Write ``effects`` in order. Each guarded write comes first in its effect (or sits in a
    savepoint), so a :class:`Conflict` leaves nothing of the decision behind."""
    done = Applied()
    for effect in effects:
        handler = _HANDLERS[type(effect)]
        handler(s, effect, actor, done)
    return done


def _do_claim(s: Session, e: rules.ClaimOrder, actor: Actor, done: Applied) -> None:
    claimed = change_state(s, OrderEvent.CLAIM, order_id=e.order_id, source=OrderState.READY.value,
                           values={"station_id": actor.station_id, "packer_id": actor.user_id,
                                   "packing_started_at": actor.clock()})
    if claimed != 1:
        raise Conflict("claim")


def _unit_into_parcel(line_in_parcel: bool):
    """PostgreSQL: the line's count and its parcel's in one statement (one round trip instead of
    two). Its one row: (order lines counted, parcel lines written); the parcel's line is written only
    if the order's line was counted, so an over-scan writes nothing."""
    counted = _BUMP_LINE.returning(OrderLine.id).cte("counted")
    if line_in_parcel:
        into = (update(ParcelLine).where(ParcelLine.parcel_id == bindparam("b_parcel"),
                                         ParcelLine.order_line_id.in_(select(counted.c.id)))
                .values(quantity=ParcelLine.quantity + 1))
    else:
        into = insert(ParcelLine).from_select(
            ["parcel_id", "order_line_id", "quantity"],
            select(bindparam("b_parcel", type_=ParcelLine.parcel_id.type), counted.c.id, literal(1)))
    into = into.returning(ParcelLine.parcel_id).cte("into_parcel")
    return (select(select(func.count()).select_from(counted).scalar_subquery(),
                   select(func.count()).select_from(into).scalar_subquery())
            .add_cte(counted).add_cte(into))


_UNIT_INTO_PARCEL = {True: _unit_into_parcel(True), False: _unit_into_parcel(False)}


def _do_add_unit(s: Session, e: rules.AddUnit, actor: Actor, done: Applied) -> None:
    # Conditional: only this bench holds the order, but the database has the last word on quantity.
    parcel_id = e.parcel_id or done.parcel_ids.get(e.parcel_seq)
    conn = s.connection()
    if parcel_id is not None and conn.dialect.name == "postgresql":
        counted, _ = conn.execute(_UNIT_INTO_PARCEL[e.line_in_parcel], {"b_line": e.line_id, "b_parcel": parcel_id}).one()
        if counted != 1:
            raise Conflict("over_scan")
        return
    if _run(s, _BUMP_LINE, {"b_line": e.line_id}) != 1:
        raise Conflict("over_scan")
    if parcel_id is None:
        parcel_id = s.execute(insert(Parcel).values(order_id=e.order_id, seq=e.parcel_seq, label_prints=0, sealed=False,
                                                    station_id=actor.station_id, packer_id=actor.user_id)
                              .returning(Parcel.id)).scalar_one()
        done.parcel_ids[e.parcel_seq] = parcel_id
    _run(s, _BUMP_PARCEL_LINE if e.line_in_parcel else _NEW_PARCEL_LINE, {"b_parcel": parcel_id, "b_line": e.line_id})


def _do_seal(s: Session, e: rules.SealParcel, actor: Actor, done: Applied) -> None:
    _run(s, update(Parcel).where(Parcel.id == e.parcel_id).values(sealed=True))


def _do_box(s: Session, e: rules.SetBox, actor: Actor, done: Applied) -> None:
    _run(s, update(Parcel).where(Parcel.id == e.parcel_id)
         .values(box_code=e.box_code, expected_weight_g=e.expected_weight_g, weight_g=None,
                 station_id=actor.station_id, packer_id=actor.user_id))


_SET_WEIGHT = update(Parcel).where(Parcel.id == bindparam("b_parcel")).values(weight_g=bindparam("b_weight"))


def _do_weight(s: Session, e: rules.SetWeight, actor: Actor, done: Applied) -> None:
    _run(s, _SET_WEIGHT, {"b_parcel": e.parcel_id, "b_weight": e.weight_g})


_OWN_POOL_NUMBER = (select(WaybillPoolEntry.id, WaybillPoolEntry.number)
                    .where(WaybillPoolEntry.order_id == bindparam("b_order"), WaybillPoolEntry.parcel_id.is_(None))
                    .order_by(WaybillPoolEntry.id).limit(1))
_NEXT_POOL_NUMBER = (select(WaybillPoolEntry.id)
                     .where(WaybillPoolEntry.carrier_code == bindparam("b_carrier"), WaybillPoolEntry.order_id.is_(None))
                     .order_by(WaybillPoolEntry.id).limit(1))
_NEXT_POOL_NUMBER_PG = _NEXT_POOL_NUMBER.with_for_update(skip_locked=True)


def _do_take_pool(s: Session, e: rules.TakePoolWaybill, actor: Actor, done: Applied) -> None:
    """The order's own unused pool numbers first (a parcel unpacked again), else the carrier's next."""
    now = actor.clock()
    number = None
    own = s.connection().execute(_OWN_POOL_NUMBER, {"b_order": e.order_id}).first()
    if own is not None and _run(s, update(WaybillPoolEntry).where(WaybillPoolEntry.id == own.id,
                                                                  WaybillPoolEntry.parcel_id.is_(None))
                                .values(parcel_id=e.parcel_id)) == 1:
        number = own.number
    for _ in range(CLAIM_RETRIES if number is None else 0):
        candidate = _NEXT_POOL_NUMBER_PG if s.bind.dialect.name == "postgresql" else _NEXT_POOL_NUMBER
        entry_id = s.connection().execute(candidate, {"b_carrier": e.carrier_code}).scalar()
        if entry_id is None:
            return
        if _run(s, update(WaybillPoolEntry).where(WaybillPoolEntry.id == entry_id, WaybillPoolEntry.order_id.is_(None))
                .values(order_id=e.order_id, parcel_id=e.parcel_id, taken_at=now)) == 1:
            number = s.scalar(select(WaybillPoolEntry.number).where(WaybillPoolEntry.id == entry_id))
            break
    if number is None:
        return
    _run(s, update(Parcel).where(Parcel.id == e.parcel_id).values(preassigned_waybill=number))
    if e.parcel_seq == 1:
        _run(s, update(Order).where(Order.id == e.order_id).values(preassigned_waybill=number))
    done.pool_numbers[e.parcel_seq] = number


_REQUEST_LABEL = (update(Parcel).where(Parcel.id == bindparam("b_parcel"))
                  .values(label_prints=Parcel.label_prints + 1, label_printed_at=bindparam("b_at")))


def _do_request_label(s: Session, e: rules.RequestLabel, actor: Actor, done: Applied) -> None:
    _run(s, _REQUEST_LABEL, {"b_parcel": e.parcel_id, "b_at": actor.clock()})


_EWAYBILL_SOURCE = (select(Order.shop_id, Order.carrier_code, WaybillSource.branch_code)
                    .join(WaybillSource, (WaybillSource.shop_id == Order.shop_id)
                          & (WaybillSource.carrier_code == Order.carrier_code))
                    .where(Order.id == bindparam("b_order")))
_EWAYBILL_REQUESTS: dict[str, Any] = {}  # per dialect, built once: the scan path only binds its values


def _ewaybill_request(dialect: str):
    """INSERT of a parcel's request that does nothing where a live one is already there (the partial
    unique index; a savepoint around a plain INSERT cost two more round trips on every such scan)."""
    if dialect not in _EWAYBILL_REQUESTS:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        _EWAYBILL_REQUESTS[dialect] = (
            dialect_insert(Ewaybill).values(order_id=bindparam("e_order"), parcel_seq=bindparam("e_seq"),
                                            shop_id=bindparam("e_shop"), carrier_code=bindparam("e_carrier"),
                                            branch_code=bindparam("e_branch"), print_data="", state="requested",
                                            error="", prints=0, requested_at=bindparam("e_at"))
            .on_conflict_do_nothing())
    return _EWAYBILL_REQUESTS[dialect]


def _do_request_ewaybill(s: Session, e: rules.RequestEwaybill, actor: Actor, done: Applied) -> None:
    """The parcel's e-waybill request, from the shop's source for the order's carrier (the unique
    index keeps one live request: another writer's, asked first, stays and is the one printed)."""
    conn = s.connection()
    source = conn.execute(_EWAYBILL_SOURCE, {"b_order": e.order_id}).first()
    if source is None:
        raise Conflict("taken_away")  # the source changed under the scan: decide again
    conn.execute(_ewaybill_request(conn.dialect.name),
                 {"e_order": e.order_id, "e_seq": e.parcel_seq, "e_shop": source.shop_id,
                  "e_carrier": source.carrier_code, "e_branch": source.branch_code, "e_at": actor.clock()})


def label_failed(s: Session, parcel_id: int) -> None:
    """The print intent did not come true: the parcel counts one print fewer (0: back to the label step)."""
    _run(s, update(Parcel).where(Parcel.id == parcel_id, Parcel.label_prints > 0)
         .values(label_prints=Parcel.label_prints - 1))


def _do_link(s: Session, e: rules.LinkWaybill, actor: Actor, done: Applied) -> None:
    now = actor.clock()
    try:
        with s.begin_nested():
            linked = _run(s, update(Parcel).where(Parcel.id == e.parcel_id, Parcel.waybill.is_(None))
                          .values(waybill=e.number, packed_at=now, packer_id=actor.user_id, station_id=actor.station_id))
            if e.completes_order:
                ours = change_state(s, OrderEvent.PACK, order_id=e.order_id, source=PACKING,
                                    where=(Order.station_id == actor.station_id,),
                                    values={"packed_at": now, "waybill": e.order_waybill})
            else:  # more to pack: the order must still be ours
                guard = select(Order.id).where(*_mine(e.order_id, actor))
                if s.bind.dialect.name == "postgresql":
                    guard = guard.with_for_update()
                ours = 1 if s.scalar(guard) is not None else 0
            if e.ewaybill and _run(s, update(Ewaybill).where(
                    Ewaybill.order_id == e.order_id, Ewaybill.parcel_seq == e.parcel_seq,
                    Ewaybill.waybill_code == e.number, Ewaybill.state.in_(("taken", "printed")))
                    .values(state="linked", linked_at=now)) != 1:
                raise Conflict("taken_away")  # cancelled meanwhile (a supervisor's unlink or cancel)
            if linked != 1 or ours != 1:
                raise Conflict("taken_away")
    except IntegrityError:
        raise Conflict("waybill_taken", number=e.number) from None
    if e.completes_order and actor.platform_trigger == "packed":
        if e.parcels:
            _run(s, _NEW_JOB, [{"j_order": e.order_id, "j_no": e.order_no, "j_kind": "ship" if seq == 1 else "extra",
                                "j_seq": seq, "j_carrier": e.carrier_code, "j_number": number, "j_now": now}
                               for seq, number in e.parcels])
        else:
            write_platform_jobs(s, (e.order_id,), now)


_NEW_JOB = insert(PlatformJob).values(order_id=bindparam("j_order"), order_no=bindparam("j_no"), kind=bindparam("j_kind"),
                                      parcel_seq=bindparam("j_seq"), carrier_code=bindparam("j_carrier"),
                                      tracking_number=bindparam("j_number"), state="pending", attempts=0,
                                      next_attempt_at=bindparam("j_now"), error="", created_at=bindparam("j_now"))


# The outbox (GUIDE rule 14): one job per parcel, written in the transaction that packs (or hands
# over) the order, so a crash can never lose it; parcel 1 ships the order, the others are extras.
_JOBS_FROM_PARCELS = insert(PlatformJob).from_select(
    ["order_id", "order_no", "kind", "parcel_seq", "carrier_code", "tracking_number", "state", "attempts",
     "next_attempt_at", "error", "created_at"],
    select(Order.id, Order.order_no, case((Parcel.seq == 1, "ship"), else_="extra"), Parcel.seq, Order.carrier_code,
           Parcel.waybill, literal("pending"), literal(0), bindparam("j_now"), literal(""), bindparam("j_now"))
    .join(Order, Order.id == Parcel.order_id)
    .where(Parcel.order_id.in_(bindparam("j_orders", expanding=True)), Parcel.waybill.is_not(None))
    .order_by(Parcel.order_id, Parcel.seq))


def write_platform_jobs(s: Session, order_ids: Sequence[int], now: datetime) -> None:
    if order_ids:
        _run(s, _JOBS_FROM_PARCELS, {"j_orders": list(order_ids), "j_now": now})


def correct_platform_jobs(s: Session, order_id: int, kind: str, now: datetime, number: str | None = None) -> int:
    """A supervisor unlinked ``number`` (kind ``unlink``) or cancelled the order (``cancel``), in the
    caller's transaction. Jobs that have not gone out yet (pending or failed, and no sender holds
    their lease) are voided: the platform never hears of them. For each that did go out (sent,
    exported, confirmed, or leased right now) a correction job is written. Returns how many."""
    ship = (PlatformJob.order_id == order_id, PlatformJob.kind.in_(("ship", "extra")))
    free = or_(PlatformJob.lease_until.is_(None), PlatformJob.lease_until < now)
    _run(s, update(PlatformJob).where(*ship, PlatformJob.state.in_(("pending", "failed")), free)
         .values(state="void", error=f"voided by {kind} before it was sent", lease_owner=None, lease_until=None))
    gone_out = select(PlatformJob.order_no, PlatformJob.parcel_seq, PlatformJob.carrier_code,
                      PlatformJob.tracking_number).where(*ship, PlatformJob.state != "void")
    if number is not None:
        gone_out = gone_out.where(PlatformJob.tracking_number == number)
    rows = s.execute(gone_out.distinct()).all()
    for r in rows:
        s.execute(insert(PlatformJob).values(order_id=order_id, order_no=r.order_no, kind=kind, parcel_seq=r.parcel_seq,
                                             carrier_code=r.carrier_code, tracking_number=r.tracking_number,
                                             state="pending", attempts=0, next_attempt_at=now, error="",
                                             created_at=now))
    return len(rows)


def _do_release(s: Session, e: rules.ReleaseOrder, actor: Actor, done: Applied) -> None:
    if change_state(s, OrderEvent.PUT_BACK, order_id=e.order_id, source=PACKING,
                    where=(Order.station_id == actor.station_id,)) != 1:
        raise Conflict("taken_away")  # (put back: every unit back on the shelf)


def reset(s: Session, order_id: int) -> None:
    """Every unit back on the shelf: scanned 0, parcels gone (pool numbers stay with the order)."""
    _run(s, update(OrderLine).where(OrderLine.order_id == order_id).values(scanned=0))
    _run(s, delete(Parcel).where(Parcel.order_id == order_id))


def _do_hold(s: Session, e: rules.HoldOrder, actor: Actor, done: Applied) -> None:
    if change_state(s, OrderEvent.HOLD, order_id=e.order_id, source=PACKING,
                    where=(Order.station_id == actor.station_id,), values={"hold_reason": e.reason}) != 1:
        raise Conflict("taken_away")


def _do_hold_refunded(s: Session, e: rules.HoldForRefund, actor: Actor, done: Applied) -> None:
    """A ready order (or this bench's own) whose buyer asked for a refund goes on hold; if another
    writer moved it first there is nothing to hold here."""
    change_state(s, OrderEvent.HOLD_REFUND, order_id=e.order_id,  # ready or packing, and then at this bench
                 where=(or_(Order.state == OrderState.READY.value, Order.station_id == actor.station_id),),
                 values={"hold_reason": e.reason})


def _do_open_manifest(s: Session, e: rules.OpenManifest, actor: Actor, done: Applied) -> None:
    existing = open_manifest_id(s, actor.station_id)
    if existing is not None:
        done.manifest = existing
        return
    now = actor.clock()
    manifest_id = s.execute(insert(Manifest).values(manifest_no=f"pending-{actor.station_id}", station_id=actor.station_id,
                                                    opened_by_id=actor.user_id, opened_at=now)
                            .returning(Manifest.id)).scalar_one()
    number = f"M{now.astimezone():%Y%m%d}-{manifest_id:06d}"
    _run(s, update(Manifest).where(Manifest.id == manifest_id).values(manifest_no=number))
    done.manifest = (manifest_id, number)


def _do_add_to_manifest(s: Session, e: rules.AddToManifest, actor: Actor, done: Applied) -> None:
    try:
        with s.begin_nested():
            if e.set_carrier is not None:
                _run(s, update(Manifest).where(Manifest.id == e.manifest_id, Manifest.carrier_code.is_(None))
                     .values(carrier_code=e.set_carrier))
            s.execute(insert(ManifestItem).values(manifest_id=e.manifest_id, order_id=e.order_id, parcel_id=e.parcel_id,
                                                  scanned_at=actor.clock()))
    except IntegrityError:
        raise Conflict("manifest_taken") from None


def _do_close_manifest(s: Session, e: rules.CloseManifest, actor: Actor, done: Applied) -> None:
    now = actor.clock()
    if _run(s, update(Manifest).where(Manifest.id == e.manifest_id, Manifest.closed_at.is_(None))
            .values(closed_at=now, closed_by_id=actor.user_id)) != 1:
        raise Conflict("manifest_closed")
    hand_over_complete_orders(s, e.manifest_id, now, write_jobs=actor.platform_trigger == "handed_over")


def hand_over_complete_orders(s: Session, manifest_id: int, now: datetime, *, write_jobs: bool = False) -> int:
    """Orders on ``manifest_id`` whose every parcel is on a closed manifest are handed over (and,
    with ``write_jobs``, get their platform jobs in the same transaction)."""
    orders_here = select(ManifestItem.order_id).where(ManifestItem.manifest_id == manifest_id)
    parcel_left = exists().where(Parcel.order_id == Order.id, ~_on_closed_manifest(Parcel.id))
    complete = (Order.id.in_(orders_here), ~parcel_left)
    if not write_jobs:
        return change_state(s, OrderEvent.HAND_OVER, source=PACKED, where=complete, values={"handed_over_at": now})
    ids = list(s.scalars(select(Order.id).where(Order.state == PACKED, *complete).with_for_update()))
    if not ids:
        return 0
    count = change_state(s, OrderEvent.HAND_OVER, source=PACKED, where=(Order.id.in_(ids),),
                         values={"handed_over_at": now})
    write_platform_jobs(s, ids, now)
    return count


_HANDLERS: dict[type, Callable] = {
    rules.ClaimOrder: _do_claim,
    rules.AddUnit: _do_add_unit,
    rules.SealParcel: _do_seal,
    rules.SetBox: _do_box,
    rules.SetWeight: _do_weight,
    rules.TakePoolWaybill: _do_take_pool,
    rules.RequestEwaybill: _do_request_ewaybill,
    rules.RequestLabel: _do_request_label,
    rules.LinkWaybill: _do_link,
    rules.ReleaseOrder: _do_release,
    rules.HoldOrder: _do_hold,
    rules.HoldForRefund: _do_hold_refunded,
    rules.OpenManifest: _do_open_manifest,
    rules.AddToManifest: _do_add_to_manifest,
    rules.CloseManifest: _do_close_manifest,
}

