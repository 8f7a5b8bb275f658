"""The bench workflow: one scanned string in, one :class:`Outcome` out.

Steps: login (badge, PIN) -> order -> verify (one unit per scan) -> box -> weight -> label ->
waybill -> ready for the next order; handover mode beside it. The step of an open order is
derived from the database (lines scanned, parcel box and weight, label printed), so a bench that
crashed or lost power resumes exactly where its last committed scan left it.

Every scan is one unit of work: its effect and its audit event commit together. Races between
benches are settled by conditional UPDATEs and the database's unique constraints; the losing bench
gets a refusal with the reason, never an exception.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.bootstrap import Services
from app.errors import DatabaseUnavailable, PrinterError
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.schema import (
    BoxType,
    Manifest,
    ManifestItem,
    Order,
    OrderLine,
    OrderState,
    Parcel,
    Product,
    ProductBarcode,
    Role,
    ScanEvent,
    Station,
    User,
    WaybillPoolEntry,
)
from app.packing.outcome import BenchView, Level, LineView, ManifestView, OrderView, Outcome, Step
from app.packing.scan import audit_raw, clean_scan, format_grams, parse_weight_g
from app.printing.base import LabelData, LabelItem, ManifestData, ManifestParcel, Sender
from app.security import check_pin

log = logging.getLogger(__name__)

T = QT_TRANSLATE_NOOP
CMD_CANCEL = "CMD:CANCEL"
CMD_REPRINT = "CMD:REPRINT"
CMD_SHORT = "CMD:SHORT"
CMD_HANDOVER = "CMD:HANDOVER"
CMD_CLOSE = "CMD:CLOSE"
CMD_LOGOUT = "CMD:LOGOUT"
COMMANDS = (CMD_CANCEL, CMD_REPRINT, CMD_SHORT, CMD_HANDOVER, CMD_CLOSE, CMD_LOGOUT)
ORDER_STEPS = (Step.VERIFY, Step.BOX, Step.WEIGHT, Step.LABEL, Step.WAYBILL)
MAX_WEIGHT_G = 100_000
CLAIM_RETRIES = 5

DB_UNREACHABLE = Message(
    T("Outcome", "Database unreachable: this scan was NOT saved. Scan it again when the connection is back.")
)


@dataclass(frozen=True)
class _State:
    """What a bench keeps in memory; everything else is read back from the database."""

    user_id: int | None = None
    user_name: str | None = None
    user_role: str | None = None
    pending_user_id: int | None = None  # badge scanned, PIN awaited
    order_id: int | None = None
    manifest_id: int | None = None
    last_line: int | None = None
    last_print: str | None = None
    completed_order: str | None = None


@dataclass
class _Decision:
    accepted: bool
    level: Level
    message: Message
    kind: str
    state: _State
    order_id: int | None = None
    manifest_id: int | None = None
    print_label: bool = False  # after commit: print the label of state.order_id
    reprint: bool = False
    print_manifest: int | None = None  # after commit: print this manifest


def _refused(kind: str, state: _State, template: str, /, **params) -> _Decision:
    return _Decision(False, Level.REFUSED, Message(template, params), kind, state, state.order_id, state.manifest_id)


def _accepted(kind: str, state: _State, template: str, level: Level = Level.ACCEPTED, /, **params) -> _Decision:
    return _Decision(True, level, Message(template, params), kind, state, state.order_id, state.manifest_id)


class BenchWorkflow:
    """The workflow of one bench (station). Not thread-safe: feed it one scan at a time."""

    def __init__(self, services: Services, station_name: str) -> None:
        if not station_name.strip():
            raise ValueError("a station needs a name")
        self.services = services
        self.station_name = station_name.strip()
        self.state = _State()
        self._station_id: int | None = None
        self._last_view = BenchView(station=self.station_name, step=Step.LOGIN)

    # ------------------------------------------------------------------ public API

    def handle(self, raw: str) -> Outcome:
        """Decide what ``raw`` means at the current step, apply it and audit it in one commit."""
        text, problem = clean_scan(raw)  # the scanner prefix was stripped by the input layer
        try:
            with self.services.uow() as uow:
                session = uow.session
                station_id = self._ensure_station(session)
                if problem is not None:
                    decision = _Decision(False, Level.REFUSED, problem, "garbage", self.state,
                                         self.state.order_id, self.state.manifest_id)
                else:
                    decision = self._dispatch(session, text)
                session.add(
                    ScanEvent(
                        at=self.services.clock(),
                        station_id=station_id,
                        user_id=self.state.user_id or self.state.pending_user_id,
                        order_id=decision.order_id,
                        manifest_id=decision.manifest_id,
                        raw="****" if (decision.kind == "pin" or self.state.pending_user_id) else audit_raw(raw),
                        kind=decision.kind,
                        accepted=decision.accepted,
                        message=decision.message.render(),
                    )
                )
                session.flush()
                view = self._view(session, decision.state)
        except DatabaseUnavailable:
            log.warning("database unreachable while handling a scan", exc_info=True)
            return Outcome(False, Level.REFUSED, DB_UNREACHABLE, "offline", self._last_view, raw=raw)
        self.state = decision.state
        self._last_view = view
        outcome = Outcome(decision.accepted, decision.level, decision.message, decision.kind, view, raw=raw)
        if decision.print_label:
            outcome = self._print_label(outcome, reprint=decision.reprint)
        elif decision.print_manifest is not None:
            outcome = self._print_manifest(outcome, decision.print_manifest)
        return outcome

    def view(self) -> BenchView:
        """The current view, read fresh from the database (the last one if it is unreachable)."""
        try:
            with self.services.read_uow() as uow:
                self._last_view = self._view(uow.session, self.state)
        except DatabaseUnavailable:
            pass
        return self._last_view

    @property
    def last_view(self) -> BenchView:
        return self._last_view

    @property
    def logged_in(self) -> bool:
        return self.state.user_id is not None

    # ------------------------------------------------------------------ dispatch

    def _dispatch(self, s: Session, text: str) -> _Decision:
        st = self.state
        command = text.upper() if text.upper().startswith("CMD:") else None
        if st.user_id is None:
            if st.pending_user_id is not None:
                if command in (CMD_LOGOUT, CMD_CANCEL):
                    return _accepted("command", _State(), T("Outcome", "Login cancelled"), Level.INFO)
                return self._on_pin(s, text)
            if command:
                return _refused("command", st, T("Outcome", "Scan your badge first"))
            return self._on_badge(s, text)
        if st.order_id is not None and command != CMD_LOGOUT:
            gone = self._order_taken_away(s, st)
            if gone is not None:
                return gone
        if command:
            return self._on_command(s, command)
        lines: list[OrderLine] | None = None
        if st.order_id is not None and st.manifest_id is None:
            step, lines = self._order_step(s, st.order_id)  # the lines are read once per scan
        else:
            step = self._step(s, st)
        if step == Step.HANDOVER:
            return self._on_handover_scan(s, text)
        if step == Step.ORDER:
            return self._on_order(s, text)
        if step == Step.VERIFY:  # the hot path: an item barcode is the usual scan, try it first
            product = self._product(s, text)
            if product is not None:
                return self._on_item(s, text, product, lines)
        if self._is_badge(s, text):
            return _refused("badge", st, T("Outcome", "{name} is logged in: scan CMD:LOGOUT first"), name=st.user_name)
        if self._is_open_order(s, text, st):
            return _accepted("order", st, T("Outcome", "Order {order_no} is already open"), Level.INFO, order_no=text)
        if step == Step.VERIFY:
            return self._on_item(s, text)
        if step in (Step.BOX, Step.WEIGHT):
            box = s.get(BoxType, text.upper())
            if box is not None and box.active:
                return self._on_box(s, box)
            if step == Step.WEIGHT:
                return self._on_weight(s, text)
            return self._refuse_at_pack(s, text)
        if step == Step.LABEL:
            return _refused("scan", st, T("Outcome", "The label has not printed: fix the printer, then scan CMD:REPRINT"))
        return self._on_waybill(s, text)

    # ------------------------------------------------------------------ login

    def _on_badge(self, s: Session, text: str) -> _Decision:
        user = s.scalar(select(User).where(User.badge == text))
        if user is None or not user.active:
            return _refused("badge", self.state, T("Outcome", "Unknown badge {badge}"), badge=text)
        now = self.services.clock()
        if user.locked_until is not None and user.locked_until > now:
            return _refused(
                "badge", self.state, T("Outcome", "{name} is locked after too many wrong PINs until {until}"),
                name=user.name, until=user.locked_until.astimezone().strftime("%H:%M"),
            )
        if user.pin_hash:
            return _accepted("badge", _State(pending_user_id=user.id), T("Outcome", "Hello {name}: type your PIN"),
                             Level.INFO, name=user.name)
        return self._logged_in(s, user)

    def _on_pin(self, s: Session, text: str) -> _Decision:
        # Locked: parallel wrong PINs on several benches must all count towards the lockout.
        user = s.get(User, self.state.pending_user_id, with_for_update=True)
        if user is None:
            return _refused("pin", _State(), T("Outcome", "Unknown badge {badge}"), badge="?")
        reason = check_pin(user, text, self.services.clock())
        if reason is not None:
            state = self.state if user.locked_until is None else _State()
            return _Decision(False, Level.REFUSED, reason, "pin", state)
        decision = self._logged_in(s, user)
        decision.kind = "pin"
        return decision

    def _logged_in(self, s: Session, user: User) -> _Decision:
        state = _State(user_id=user.id, user_name=user.name, user_role=user.role)
        # Back on this bench's unfinished order (a crash, a power cut, a logout), or its open manifest.
        order = s.scalar(
            select(Order).where(Order.station_id == self._station_id, Order.state == OrderState.PACKING.value)
        )
        if order is not None:
            state = replace(state, order_id=order.id)
            return _accepted("badge", state, T("Outcome", "Welcome back {name}: order {order_no} resumed"),
                             name=user.name, order_no=order.order_no)
        manifest = self._open_manifest(s)
        if manifest is not None:
            state = replace(state, manifest_id=manifest.id)
            return _accepted("badge", state, T("Outcome", "Welcome back {name}: handover {manifest_no} resumed"),
                             name=user.name, manifest_no=manifest.manifest_no)
        return _accepted("badge", state, T("Outcome", "Hello {name}"), name=user.name)

    # ------------------------------------------------------------------ order

    def _on_order(self, s: Session, text: str) -> _Decision:
        st = self.state
        order = s.scalar(select(Order).where(Order.order_no == text))
        if order is None:
            if self._is_badge(s, text):
                return _refused("badge", st, T("Outcome", "{name} is logged in: scan CMD:LOGOUT first"), name=st.user_name)
            if s.get(ProductBarcode, text) is not None:
                return _refused("item", st, T("Outcome", "That is an item: scan the order number first"))
            return _refused("order", st, T("Outcome", "Unknown order {order_no}"), order_no=text)
        refusal = self._why_not_openable(s, order)
        if refusal is not None:
            refusal.order_id = order.id
            return refusal
        if order.state == OrderState.READY.value:
            claimed = s.execute(
                update(Order)
                .where(Order.id == order.id, Order.state == OrderState.READY.value)
                .values(state=OrderState.PACKING.value, station_id=self._station_id, packer_id=st.user_id,
                        packing_started_at=self.services.clock())
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:  # another bench was faster
                s.expire(order)
                refusal = self._why_not_openable(s, order) or _refused(
                    "order", st, T("Outcome", "Order {order_no} was just taken by another bench"), order_no=order.order_no)
                refusal.order_id = order.id
                return refusal
            s.expire(order)
            state = replace(st, order_id=order.id, last_line=None, completed_order=None)
            return _accepted("order", state, T("Outcome", "Order {order_no}: scan each item"), order_no=order.order_no)
        # Our own unfinished order: resume it with every accepted scan intact.
        state = replace(st, order_id=order.id, last_line=None, completed_order=None)
        return _accepted("order", state, T("Outcome", "Order {order_no} resumed"), order_no=order.order_no)

    def _order_taken_away(self, s: Session, st: _State) -> _Decision | None:
        """A supervisor may cancel, unlink or release the open order from elsewhere: stop at once."""
        order = s.get(Order, st.order_id)
        if order is not None and order.state == OrderState.PACKING.value and order.station_id == self._station_id:
            return None
        state = replace(st, order_id=None, last_line=None)
        d = _refused("order", state, T("Outcome", "Order {order_no} was taken off this bench ({state}): set it aside"),
                     order_no=order.order_no if order else "?", state=order.state if order else "deleted")
        d.order_id = st.order_id
        return d

    def _why_not_openable(self, s: Session, order: Order) -> _Decision | None:
        st = self.state
        state = order.state
        if state == OrderState.READY.value:
            return None
        if state == OrderState.PACKING.value:
            if order.station_id == self._station_id:
                return None
            holder = s.get(Station, order.station_id) if order.station_id else None
            return _refused("order", st, T("Outcome", "Order {order_no} is held by {station}"),
                            order_no=order.order_no, station=holder.name if holder else "?")
        reasons = {
            OrderState.PACKED.value: T("Outcome", "Order {order_no} is already packed (waybill {waybill})"),
            OrderState.HANDED_OVER.value: T("Outcome", "Order {order_no} was already handed over (waybill {waybill})"),
            OrderState.ON_HOLD.value: T("Outcome", "Order {order_no} is on hold: a supervisor must release it"),
            OrderState.CANCELLED.value: T("Outcome", "Order {order_no} is cancelled: do not ship it"),
        }
        return _refused("order", st, reasons[state], order_no=order.order_no, waybill=order.waybill or "")

    def _is_open_order(self, s: Session, text: str, st: _State) -> bool:
        if st.order_id is None:
            return False
        order = s.get(Order, st.order_id)
        return order is not None and order.order_no == text

    def _is_badge(self, s: Session, text: str) -> bool:
        return s.scalar(select(User.id).where(User.badge == text)) is not None

    # ------------------------------------------------------------------ verify

    def _product(self, s: Session, code: str) -> Product | None:
        return s.scalar(select(Product).join(ProductBarcode).where(ProductBarcode.barcode == code))

    def _on_item(self, s: Session, text: str, product: Product | None = None,
                 lines: list[OrderLine] | None = None) -> _Decision:
        st = self.state
        product = product or self._product(s, text)
        if product is None:
            return _refused("item", st, T("Outcome", "Unknown barcode {code}: not an item, box or command"), code=text)
        if lines is None:
            lines = self._lines(s, st.order_id)
        index = next((i for i, line in enumerate(lines) if line.product_id == product.id), None)
        if index is None:
            return _refused("item", st, T("Outcome", "Wrong item: {name} ({sku}) is not in this order"),
                            name=product.name, sku=product.sku)
        line = lines[index]
        # Conditional: only this bench holds the order, but the database has the last word on quantity.
        bumped = s.execute(
            update(OrderLine)
            .where(OrderLine.id == line.id, OrderLine.scanned < OrderLine.quantity)
            .values(scanned=OrderLine.scanned + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        state = replace(st, last_line=index)
        if bumped != 1:
            return replace(
                _refused("item", st, T("Outcome", "Over-scan: {name} already {scanned}/{quantity}"),
                         name=product.name, scanned=line.quantity, quantity=line.quantity),
                state=state,
            )
        scanned = line.scanned + 1  # the rows were read in this transaction, under the write lock
        remaining = sum(1 for other in lines if other is not line and other.scanned < other.quantity)
        remaining += scanned < line.quantity
        if remaining == 0:
            return _accepted("item", state, T("Outcome", "{name} {scanned}/{quantity}. All items verified: scan the box"),
                             name=product.name, scanned=scanned, quantity=line.quantity)
        return _accepted("item", state, T("Outcome", "{name} {scanned}/{quantity}"),
                         name=product.name, scanned=scanned, quantity=line.quantity)

    def _refuse_at_pack(self, s: Session, text: str) -> _Decision:
        st = self.state
        product = s.scalar(select(Product).join(ProductBarcode).where(ProductBarcode.barcode == text))
        if product is not None:
            return _refused("item", st, T("Outcome", "Over-scan: every item is already verified ({name})"),
                            name=product.name)
        return _refused("box", st, T("Outcome", "Unknown box code {code}"), code=text)

    # ------------------------------------------------------------------ pack

    def _on_box(self, s: Session, box: BoxType) -> _Decision:
        st = self.state
        parcel = s.scalar(select(Parcel).where(Parcel.order_id == st.order_id))
        expected = self._items_weight(s, st.order_id) + box.tare_g
        if parcel is None:
            s.add(Parcel(order_id=st.order_id, box_code=box.code, expected_weight_g=expected,
                         station_id=self._station_id, packer_id=st.user_id))
        else:
            parcel.box_code, parcel.expected_weight_g, parcel.weight_g = box.code, expected, None
        return _accepted("box", st, T("Outcome", "Box {box}: now weigh the parcel (expected {expected})"),
                         box=box.code, expected=format_grams(expected))

    def _on_weight(self, s: Session, text: str) -> _Decision:
        st = self.state
        grams = parse_weight_g(text)
        if grams is None:
            product = s.scalar(select(Product.id).join(ProductBarcode).where(ProductBarcode.barcode == text))
            if product is not None:
                return _refused("item", st, T("Outcome", "Over-scan: every item is already verified"))
            return _refused("weight", st, T("Outcome", "{text} is not a weight: type grams (1250) or kg (1.25kg)"),
                            text=text)
        if not 0 < grams <= MAX_WEIGHT_G:
            return _refused("weight", st, T("Outcome", "Weight {weight} is not possible for a parcel"),
                            weight=format_grams(grams))
        parcel = s.scalar(select(Parcel).where(Parcel.order_id == st.order_id))
        assert parcel is not None and parcel.expected_weight_g is not None
        expected = parcel.expected_weight_g
        tolerance = self._tolerance(expected)
        if abs(grams - expected) > tolerance:
            return _refused("weight", st, T("Outcome", "Weight {weight}, expected {expected} ±{tolerance}: check the items"),
                            weight=format_grams(grams), expected=format_grams(expected),
                            tolerance=format_grams(tolerance))
        parcel.weight_g = grams
        self._take_pool_waybill(s, st.order_id)
        decision = _accepted("weight", st, T("Outcome", "Weight {weight} OK: label printing"), weight=format_grams(grams))
        decision.print_label = True
        return decision

    def _tolerance(self, expected: int) -> int:
        settings = self.services.settings
        return max(round(expected * float(settings.weight_tolerance_pct) / 100), int(settings.weight_tolerance_min_g))

    def _take_pool_waybill(self, s: Session, order_id: int) -> None:
        """Give the order the next free number of its carrier's pool, if the shop imported one."""
        order = s.get(Order, order_id)
        if order is None or order.preassigned_waybill:
            return
        for _ in range(CLAIM_RETRIES):
            candidate = (
                select(WaybillPoolEntry.id)
                .where(WaybillPoolEntry.carrier_code == order.carrier_code, WaybillPoolEntry.order_id.is_(None))
                .order_by(WaybillPoolEntry.id)
                .limit(1)
            )
            if s.bind.dialect.name == "postgresql":
                candidate = candidate.with_for_update(skip_locked=True)
            entry_id = s.scalar(candidate)
            if entry_id is None:
                return
            taken = s.execute(
                update(WaybillPoolEntry)
                .where(WaybillPoolEntry.id == entry_id, WaybillPoolEntry.order_id.is_(None))
                .values(order_id=order_id, taken_at=self.services.clock())
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken == 1:
                order.preassigned_waybill = s.scalar(select(WaybillPoolEntry.number).where(WaybillPoolEntry.id == entry_id))
                return

    # ------------------------------------------------------------------ waybill

    def _on_waybill(self, s: Session, text: str) -> _Decision:
        st = self.state
        order = s.get(Order, st.order_id)
        assert order is not None
        carriers = self.services.catalogue
        carrier = carriers.get(order.carrier_code)
        carrier_label = order.carrier_code
        check = carriers.validate(order.carrier_code, text)
        number = check.number
        if number != order.preassigned_waybill:
            known = self._not_a_waybill(s, text, number)
            if known is not None:
                return known
        if order.preassigned_waybill:
            if number != order.preassigned_waybill:
                return _refused("waybill", st, T("Outcome", "{number} does not match the pre-assigned waybill {expected}: wrong label?"),
                                number=number, expected=order.preassigned_waybill)
        elif not check.ok:
            assert check.message is not None
            return _Decision(False, Level.REFUSED, check.message, "waybill", st, st.order_id)
        other = s.scalar(select(Order.order_no).where(Order.waybill == number, Order.id != order.id))
        if other is not None:
            return _refused("waybill", st, T("Outcome", "Waybill {number} is already on order {other}"),
                            number=number, other=other)
        now = self.services.clock()
        try:
            with s.begin_nested():
                linked = s.execute(
                    update(Order)
                    .where(Order.id == order.id, Order.state == OrderState.PACKING.value,
                           Order.station_id == self._station_id)
                    .values(waybill=number, state=OrderState.PACKED.value, packed_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
        except IntegrityError:
            other = s.scalar(select(Order.order_no).where(Order.waybill == number))
            return _refused("waybill", st, T("Outcome", "Waybill {number} is already on order {other}"),
                            number=number, other=other or "?")
        if linked != 1:
            s.expire(order)
            return _refused("waybill", replace(st, order_id=None),
                            T("Outcome", "Order {order_no} is no longer yours to pack ({state})"),
                            order_no=order.order_no, state=order.state)
        s.execute(
            update(Parcel).where(Parcel.order_id == order.id)
            .values(packed_at=now, packer_id=st.user_id, station_id=self._station_id)
            .execution_options(synchronize_session=False)
        )
        s.expire(order)
        state = replace(st, order_id=None, last_line=None, completed_order=order.order_no)
        decision = _accepted("waybill", state, T("Outcome", "Order {order_no} complete: {carrier} {number} linked"),
                             Level.COMPLETE, order_no=order.order_no, number=number,
                             carrier=carrier.code if carrier else carrier_label)
        decision.order_id = order.id
        return decision

    def _not_a_waybill(self, s: Session, text: str, number: str) -> _Decision | None:
        """An item, order, box or badge code that happens to fit a carrier's pattern (EAN-13 fits
        EMS domestic, UPC-A fits SF legacy, anything fits OTHER) is refused, never linked."""
        st = self.state
        if s.get(ProductBarcode, text) is not None or s.get(ProductBarcode, number) is not None:
            return _refused("waybill", st, T("Outcome", "{code} is an item barcode, not a waybill: scan the carrier's waybill"),
                            code=text)
        if s.scalar(select(Order.id).where(Order.order_no.in_((text, number)))) is not None:
            return _refused("waybill", st, T("Outcome", "{code} is an order number, not a waybill: scan the carrier's waybill"),
                            code=text)
        if s.get(BoxType, number) is not None:
            return _refused("waybill", st, T("Outcome", "{code} is a box code, not a waybill: scan the carrier's waybill"),
                            code=text)
        if s.scalar(select(User.id).where(User.badge.in_((text, number)))) is not None:
            return _refused("waybill", st, T("Outcome", "{code} is a badge, not a waybill: scan the carrier's waybill"),
                            code=text)
        return None

    # ------------------------------------------------------------------ commands

    def _on_command(self, s: Session, command: str) -> _Decision:
        st = self.state
        step = self._step(s, st)
        if command == CMD_LOGOUT:
            note = T("Outcome", "{name} logged out")
            if st.order_id is not None:
                note = T("Outcome", "{name} logged out; order stays on this bench until you return")
            return _accepted("command", _State(), note, Level.INFO, name=st.user_name)
        if command == CMD_HANDOVER:
            if step in ORDER_STEPS:
                return _refused("command", st, T("Outcome", "Finish or cancel the open order before handover"))
            if step == Step.HANDOVER:
                return _accepted("command", st, T("Outcome", "Handover is already open"), Level.INFO)
            manifest = self._open_manifest(s) or self._new_manifest(s)
            state = replace(st, manifest_id=manifest.id, completed_order=None)
            d = _accepted("command", state, T("Outcome", "Handover {manifest_no}: scan each parcel"),
                          manifest_no=manifest.manifest_no)
            d.manifest_id = manifest.id
            return d
        if command == CMD_CLOSE:
            if step != Step.HANDOVER:
                return _refused("command", st, T("Outcome", "CMD:CLOSE closes a handover: scan CMD:HANDOVER first"))
            return self._close_manifest(s)
        if command == CMD_CANCEL:
            if step == Step.HANDOVER:
                return _accepted("command", replace(st, manifest_id=None), T("Outcome", "Handover paused: the manifest stays open"),
                                 Level.INFO)
            if st.order_id is None:
                return _refused("command", st, T("Outcome", "No open order to cancel"))
            return self._release_order(s, st.order_id)
        if command == CMD_SHORT:
            if st.order_id is None:
                return _refused("command", st, T("Outcome", "No open order to report short"))
            return self._hold_order(s, st.order_id)
        if command == CMD_REPRINT:
            order_id = st.order_id
            if order_id is None or step in (Step.VERIFY, Step.BOX, Step.WEIGHT):
                return _refused("command", st, T("Outcome", "Nothing to reprint yet: the label prints after weighing"))
            d = _accepted("command", st, T("Outcome", "Reprinting the label"))
            d.print_label, d.reprint = True, True
            return d
        return _refused("command", st, T("Outcome", "Unknown command {command}"), command=command)

    def _still_mine(self, order_id: int):
        return (Order.id == order_id, Order.state == OrderState.PACKING.value, Order.station_id == self._station_id)

    def _changed_meanwhile(self, s: Session, order: Order) -> _Decision:
        s.expire(order)
        d = _refused("command", replace(self.state, order_id=None, last_line=None),
                     T("Outcome", "Order {order_no} was taken off this bench ({state}): set it aside"),
                     order_no=order.order_no, state=order.state)
        d.order_id = order.id
        return d

    def _release_order(self, s: Session, order_id: int) -> _Decision:
        order = s.get(Order, order_id)
        assert order is not None
        released = s.execute(
            update(Order).where(*self._still_mine(order_id))
            .values(state=OrderState.READY.value, station_id=None, packer_id=None, packing_started_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if released != 1:
            return self._changed_meanwhile(s, order)
        s.expire(order)
        s.execute(update(OrderLine).where(OrderLine.order_id == order_id).values(scanned=0)
                  .execution_options(synchronize_session=False))
        parcel = s.scalar(select(Parcel).where(Parcel.order_id == order_id))
        if parcel is not None:
            s.delete(parcel)
        d = _accepted("command", replace(self.state, order_id=None, last_line=None),
                      T("Outcome", "Order {order_no} released: put the items back"), Level.WARNING, order_no=order.order_no)
        d.order_id = order_id
        return d

    def _hold_order(self, s: Session, order_id: int) -> _Decision:
        order = s.get(Order, order_id)
        assert order is not None
        held = s.execute(
            update(Order).where(*self._still_mine(order_id))
            .values(state=OrderState.ON_HOLD.value, station_id=None,
                    hold_reason=f"short or damaged, reported by {self.state.user_name} at {self.station_name}")
            .execution_options(synchronize_session=False)
        ).rowcount
        if held != 1:
            return self._changed_meanwhile(s, order)
        s.expire(order)
        d = _accepted("command", replace(self.state, order_id=None, last_line=None),
                      T("Outcome", "Order {order_no} on hold for a supervisor: set it aside"), Level.WARNING,
                      order_no=order.order_no)
        d.order_id = order_id
        return d

    # ------------------------------------------------------------------ handover

    def _open_manifest(self, s: Session) -> Manifest | None:
        return s.scalar(
            select(Manifest).where(Manifest.station_id == self._station_id, Manifest.closed_at.is_(None))
            .order_by(Manifest.id.desc()).limit(1)
        )

    def _new_manifest(self, s: Session) -> Manifest:
        now = self.services.clock()
        manifest = Manifest(manifest_no="pending", station_id=self._station_id, opened_by_id=self.state.user_id,
                            opened_at=now)
        s.add(manifest)
        s.flush()
        manifest.manifest_no = f"M{now.astimezone():%Y%m%d}-{manifest.id:06d}"
        return manifest

    def _on_handover_scan(self, s: Session, text: str) -> _Decision:
        st = self.state
        manifest = s.get(Manifest, st.manifest_id)
        assert manifest is not None
        number = text.strip().upper()
        # The order row is locked (PostgreSQL) so a supervisor's unlink cannot slip in between.
        order = s.scalar(select(Order).where(Order.waybill == number).with_for_update())
        if order is None:
            if s.scalar(select(Order.id).where(Order.preassigned_waybill == number)) is not None:
                return _refused("handover", st, T("Outcome", "Waybill {number} is not linked yet: finish packing that order"), number=number)
            return _refused("handover", st, T("Outcome", "Waybill {number} is not linked to any order"), number=number)
        existing = s.scalar(select(ManifestItem).where(ManifestItem.order_id == order.id))
        if existing is not None:
            if existing.manifest_id == manifest.id:
                d = _accepted("handover", st, T("Outcome", "{number} already counted (parcels: {count})"), Level.INFO,
                              number=number, count=self._manifest_count(s, manifest.id))
                d.order_id = order.id
                return d
            other = s.get(Manifest, existing.manifest_id)
            return replace(_refused("handover", st, T("Outcome", "{number} is already on manifest {manifest_no}"),
                                    number=number, manifest_no=other.manifest_no if other else "?"), order_id=order.id)
        if order.state != OrderState.PACKED.value:
            return replace(_refused("handover", st, T("Outcome", "Order {order_no} is {state}, not packed: keep it back"),
                                    order_no=order.order_no, state=order.state), order_id=order.id)
        if manifest.carrier_code is None:
            s.execute(update(Manifest).where(Manifest.id == manifest.id, Manifest.carrier_code.is_(None))
                      .values(carrier_code=order.carrier_code).execution_options(synchronize_session=False))
            s.expire(manifest)
        if manifest.carrier_code != order.carrier_code:
            return replace(_refused("handover", st, T("Outcome", "{number} is {carrier}: this manifest is for {manifest_carrier}"),
                                    number=number, carrier=order.carrier_code, manifest_carrier=manifest.carrier_code),
                           order_id=order.id)
        try:
            with s.begin_nested():
                s.add(ManifestItem(manifest_id=manifest.id, order_id=order.id, scanned_at=self.services.clock()))
        except IntegrityError:
            return replace(_refused("handover", st, T("Outcome", "{number} was just added to another manifest"), number=number),
                           order_id=order.id)
        d = _accepted("handover", st, T("Outcome", "{number} added. Parcels for {carrier}: {count}"),
                      number=number, count=self._manifest_count(s, manifest.id), carrier=manifest.carrier_code)
        d.order_id = order.id
        return d

    def _manifest_count(self, s: Session, manifest_id: int) -> int:
        return s.scalar(select(func.count()).select_from(ManifestItem).where(ManifestItem.manifest_id == manifest_id)) or 0

    def _close_manifest(self, s: Session) -> _Decision:
        st = self.state
        manifest = s.get(Manifest, st.manifest_id)
        assert manifest is not None
        count = self._manifest_count(s, manifest.id)
        if count == 0:
            return _refused("command", st, T("Outcome", "The manifest is empty: scan parcels, or CMD:CANCEL to leave"))
        now = self.services.clock()
        closed = s.execute(update(Manifest).where(Manifest.id == manifest.id, Manifest.closed_at.is_(None))
                           .values(closed_at=now, closed_by_id=st.user_id)
                           .execution_options(synchronize_session=False)).rowcount
        if closed != 1:
            return _refused("command", replace(st, manifest_id=None), T("Outcome", "This manifest was already closed"))
        order_ids = select(ManifestItem.order_id).where(ManifestItem.manifest_id == manifest.id)
        s.execute(update(Order).where(Order.id.in_(order_ids), Order.state == OrderState.PACKED.value)
                  .values(state=OrderState.HANDED_OVER.value, handed_over_at=now)
                  .execution_options(synchronize_session=False))
        d = _accepted("command", replace(st, manifest_id=None),
                      T("Outcome", "Manifest {manifest_no} closed. Parcels handed over to {carrier}: {count}"),
                      Level.COMPLETE, manifest_no=manifest.manifest_no, count=count, carrier=manifest.carrier_code)
        d.manifest_id = manifest.id
        d.print_manifest = manifest.id
        return d

    # ------------------------------------------------------------------ printing (after commit)

    def _print_label(self, outcome: Outcome, *, reprint: bool) -> Outcome:
        order_id = self.state.order_id
        try:
            with self.services.read_uow() as uow:
                label = self._label_data(uow.session, order_id, reprint)
        except DatabaseUnavailable:
            return replace(outcome, level=Level.WARNING, message=DB_UNREACHABLE)
        error: Message | None = None
        where = None
        try:
            job = self.services.printer().print_label(label)
            where = str(job.path) if job.path else job.description
        except PrinterError as exc:
            error = Message(T("Outcome", "Printer error: {error}. Fix it, then scan CMD:REPRINT"), {"error": exc.message})
        except OSError as exc:
            error = Message(T("Outcome", "Printer error: {error}. Fix it, then scan CMD:REPRINT"), {"error": str(exc)})
        kind = "reprint" if reprint else "print"
        try:
            with self.services.uow() as uow:
                s = uow.session
                if error is None:
                    s.execute(update(Parcel).where(Parcel.order_id == order_id)
                              .values(label_prints=Parcel.label_prints + 1, label_printed_at=self.services.clock())
                              .execution_options(synchronize_session=False))
                    text = Message(T("Outcome", "Label printed: {where}"), {"where": where})
                else:
                    text = error
                s.add(ScanEvent(at=self.services.clock(), station_id=self._station_id, user_id=self.state.user_id,
                                order_id=order_id, raw="", kind=kind, accepted=error is None, message=text.render()))
                s.flush()
                state = replace(self.state, last_print=where or self.state.last_print)
                view = self._view(s, state)
        except DatabaseUnavailable:
            return replace(outcome, level=Level.WARNING, message=DB_UNREACHABLE)
        self.state, self._last_view = state, view
        if error is not None:
            return replace(outcome, accepted=outcome.accepted, level=Level.WARNING, message=error, view=view)
        if reprint:
            return replace(outcome, message=Message(T("Outcome", "Label reprinted: scan the carrier waybill")), view=view)
        return replace(
            outcome,
            message=Message(T("Outcome", "Weight {weight} OK. Label printed: scan the carrier waybill"),
                            outcome.message.params),
            view=view,
        )

    def _print_manifest(self, outcome: Outcome, manifest_id: int) -> Outcome:
        try:
            with self.services.read_uow() as uow:
                data = manifest_data(uow.session, manifest_id, self.services)
        except DatabaseUnavailable:
            return outcome
        try:
            job = self.services.printer().print_manifest(data)
            where, error = (str(job.path) if job.path else job.description), None
        except (PrinterError, OSError) as exc:
            where, error = None, getattr(exc, "message", str(exc))
        try:
            with self.services.uow() as uow:
                msg = (f"Manifest printed: {where}" if error is None else f"Manifest print failed: {error}")
                uow.session.add(ScanEvent(at=self.services.clock(), station_id=self._station_id, user_id=self.state.user_id,
                                          manifest_id=manifest_id, raw="", kind="print", accepted=error is None, message=msg))
        except DatabaseUnavailable:
            pass
        if error is not None:
            return replace(outcome, level=Level.WARNING, message=Message(
                T("Outcome", "Manifest {manifest_no} closed, but printing failed: {error}. Print it with: packgate manifests print {id}"),
                {"manifest_no": data.manifest_no, "error": error, "id": manifest_id}))
        self.state = replace(self.state, last_print=where)
        self._last_view = replace(self._last_view, last_print=where)
        return replace(outcome, view=self._last_view)

    def _label_data(self, s: Session, order_id: int, reprint: bool) -> LabelData:
        order = s.get(Order, order_id)
        assert order is not None
        parcel = s.scalar(select(Parcel).where(Parcel.order_id == order_id))
        carrier = self.services.catalogue.get(order.carrier_code)
        rows = s.execute(select(Product.sku, Product.name, OrderLine.quantity).join(OrderLine.product)
                         .where(OrderLine.order_id == order_id).order_by(OrderLine.id)).all()
        settings = self.services.settings
        return LabelData(
            order_no=order.order_no,
            carrier_code=order.carrier_code,
            carrier_name=carrier.display_name if carrier else order.carrier_code,
            recipient_name=order.recipient_name,
            recipient_phone=order.recipient_phone,
            recipient_address=order.recipient_address,
            waybill=order.preassigned_waybill,
            items=tuple(LabelItem(sku, name, qty) for sku, name, qty in rows),
            item_count=sum(qty for _, _, qty in rows),
            weight_g=parcel.weight_g if parcel else None,
            box_code=parcel.box_code if parcel else None,
            station=self.station_name,
            printed_at=self.services.clock(),
            sender=Sender(settings.sender_name, settings.sender_phone, settings.sender_address),
            note=order.note,
            size=settings.label_size,
            reprint=reprint,
        )

    # ------------------------------------------------------------------ reading the state back

    def _ensure_station(self, s: Session) -> int:
        if self._station_id is None:
            station = s.scalar(select(Station).where(Station.name == self.station_name))
            if station is None:
                try:
                    with s.begin_nested():
                        station = Station(name=self.station_name, created_at=self.services.clock())
                        s.add(station)
                except IntegrityError:  # another process registered the same name just now
                    station = s.scalar(select(Station).where(Station.name == self.station_name))
            assert station is not None
            self._station_id = station.id
        return self._station_id

    def _lines(self, s: Session, order_id: int | None) -> list[OrderLine]:
        return list(s.scalars(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)))

    def _items_weight(self, s: Session, order_id: int | None) -> int:
        return s.scalar(
            select(func.coalesce(func.sum(OrderLine.quantity * Product.unit_weight_g), 0))
            .join(OrderLine.product).where(OrderLine.order_id == order_id)
        ) or 0

    def _order_step(self, s: Session, order_id: int) -> tuple[Step, list[OrderLine]]:
        """The open order's step and its lines, in one query while items are being verified."""
        lines = self._lines(s, order_id)
        if any(line.scanned < line.quantity for line in lines):
            return Step.VERIFY, lines
        return derive_order_step(s, order_id), lines

    def _step(self, s: Session, st: _State) -> Step:
        if st.user_id is None:
            return Step.PIN if st.pending_user_id is not None else Step.LOGIN
        if st.manifest_id is not None:
            return Step.HANDOVER
        if st.order_id is None:
            return Step.ORDER
        return derive_order_step(s, st.order_id)

    def _view(self, s: Session, st: _State) -> BenchView:
        order_view = order_view_of(s, st.order_id, self.services, self._tolerance) if st.order_id else None
        if order_view is not None and st.user_id is not None and st.manifest_id is None:
            step = order_step_of(order_view)  # the rows just read say it: no second round of queries
        else:
            step = self._step(s, st)
        manifest_view = None
        if st.manifest_id is not None:
            manifest = s.get(Manifest, st.manifest_id)
            if manifest is not None:
                rows = s.execute(select(Order.waybill, Order.order_no).join(ManifestItem, ManifestItem.order_id == Order.id)
                                 .where(ManifestItem.manifest_id == manifest.id).order_by(ManifestItem.id)).all()
                carrier = self.services.catalogue.get(manifest.carrier_code) if manifest.carrier_code else None
                manifest_view = ManifestView(manifest.manifest_no, manifest.carrier_code,
                                             carrier.display_name if carrier else "",
                                             tuple((w or "", o) for w, o in rows))
        return BenchView(
            station=self.station_name,
            step=step,
            user_name=st.user_name,
            user_role=st.user_role,
            order=order_view,
            manifest=manifest_view,
            last_line=st.last_line,
            last_print=st.last_print,
            completed_order=st.completed_order,
        )


def order_step_of(view: OrderView) -> Step:
    """The same verdict as :func:`derive_order_step`, from an OrderView already read."""
    if any(line.scanned < line.quantity for line in view.lines):
        return Step.VERIFY
    if view.box_code is None:
        return Step.BOX
    if view.weight_g is None:
        return Step.WEIGHT
    if view.label_prints == 0:
        return Step.LABEL
    return Step.WAYBILL


def derive_order_step(s: Session, order_id: int) -> Step:
    """Where an open order stands, from what the database holds (crash-safe)."""
    remaining = s.scalar(select(func.count()).select_from(OrderLine)
                         .where(OrderLine.order_id == order_id, OrderLine.scanned < OrderLine.quantity))
    if remaining:
        return Step.VERIFY
    parcel = s.scalar(select(Parcel).where(Parcel.order_id == order_id))
    if parcel is None or parcel.box_code is None:
        return Step.BOX
    if parcel.weight_g is None:
        return Step.WEIGHT
    if parcel.label_prints == 0:
        return Step.LABEL
    return Step.WAYBILL


def order_view_of(s: Session, order_id: int, services: Services, tolerance=None) -> OrderView | None:
    order = s.get(Order, order_id)
    if order is None:
        return None
    barcode = (select(func.min(ProductBarcode.barcode)).where(ProductBarcode.product_id == Product.id)
               .correlate(Product).scalar_subquery())
    rows = s.execute(select(Product.sku, barcode, Product.name, OrderLine.quantity, OrderLine.scanned)
                     .join(OrderLine.product).where(OrderLine.order_id == order_id).order_by(OrderLine.id)).all()
    parcel = s.scalar(select(Parcel).where(Parcel.order_id == order_id))
    carrier = services.catalogue.get(order.carrier_code)
    expected = parcel.expected_weight_g if parcel else None
    return OrderView(
        order_no=order.order_no,
        carrier_code=order.carrier_code,
        carrier_name=carrier.display_name if carrier else order.carrier_code,
        recipient_name=order.recipient_name,
        recipient_phone=order.recipient_phone,
        recipient_address=order.recipient_address,
        note=order.note,
        state=order.state,
        preassigned_waybill=order.preassigned_waybill,
        waybill=order.waybill,
        lines=tuple(LineView(sku, code or "", name, qty, scanned) for sku, code, name, qty, scanned in rows),
        box_code=parcel.box_code if parcel else None,
        weight_g=parcel.weight_g if parcel else None,
        expected_weight_g=expected,
        tolerance_g=tolerance(expected) if (tolerance and expected is not None) else None,
        label_prints=parcel.label_prints if parcel else 0,
    )


def manifest_data(s: Session, manifest_id: int, services: Services) -> ManifestData:
    """Plain data of a manifest for the printing layer (also used by `packgate manifests print`)."""
    manifest = s.get(Manifest, manifest_id)
    if manifest is None:
        raise LookupError(manifest_id)
    rows = s.execute(select(Order.waybill, Order.order_no, Parcel.weight_g)
                     .join(ManifestItem, ManifestItem.order_id == Order.id)
                     .outerjoin(Parcel, Parcel.order_id == Order.id)
                     .where(ManifestItem.manifest_id == manifest_id).order_by(ManifestItem.id)).all()
    carrier = services.catalogue.get(manifest.carrier_code) if manifest.carrier_code else None
    station = s.get(Station, manifest.station_id) if manifest.station_id else None
    packer = s.get(User, manifest.opened_by_id) if manifest.opened_by_id else None
    return ManifestData(
        manifest_no=manifest.manifest_no,
        carrier_code=manifest.carrier_code or "",
        carrier_name=carrier.display_name if carrier else (manifest.carrier_code or ""),
        station=station.name if station else "",
        packer=packer.name if packer else "",
        opened_at=manifest.opened_at,
        closed_at=manifest.closed_at,
        parcels=tuple(ManifestParcel(w or "", o, g) for w, o, g in rows),
    )


def is_supervisor(role: str | None) -> bool:
    return role == Role.SUPERVISOR.value


def now_local(dt: datetime) -> datetime:
    return dt.astimezone()
