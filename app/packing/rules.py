"""The bench rules: a snapshot and a scan in, a decision and its effects out.

Pure: no database, no clock, no printer. :mod:`app.packing.repository` loads the snapshot (the
bench state, the open order with its lines and parcels or the open manifest, and what the database
knows about the scanned code) and applies the effects with race-safe conditional updates;
:mod:`app.packing.workflow` runs one unit of work per scan around these functions.

Steps of an open order, per parcel: verify (one unit per scan into the open parcel; CMD:NEWPARCEL
closes its contents while units are still missing) -> box -> weight -> label -> waybill. The order
is packed when every unit is scanned and every parcel has its waybill. An order with one parcel
needs no extra scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from app.carriers import CarrierCatalogue, WaybillCheck
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.states import OrderState
from app.packing.model import BenchState, CodeFacts, ManifestSnap, OrderSnap, ParcelSnap
from app.packing.outcome import Level, Step
from app.packing.scan import format_grams, parse_weight_g

T = QT_TRANSLATE_NOOP
CMD_CANCEL = "CMD:CANCEL"
CMD_REPRINT = "CMD:REPRINT"
CMD_SHORT = "CMD:SHORT"
CMD_HANDOVER = "CMD:HANDOVER"
CMD_CLOSE = "CMD:CLOSE"
CMD_LOGOUT = "CMD:LOGOUT"
CMD_NEWPARCEL = "CMD:NEWPARCEL"
COMMANDS = (CMD_CANCEL, CMD_REPRINT, CMD_SHORT, CMD_HANDOVER, CMD_CLOSE, CMD_LOGOUT, CMD_NEWPARCEL)
ORDER_STEPS = (Step.VERIFY, Step.BOX, Step.WEIGHT, Step.LABEL, Step.WAYBILL)
MAX_WEIGHT_G = 100_000
EWAYBILL_PRINTING = T("Outcome", "Weight {weight} OK. Label printing\u2026")
EWAYBILL_PRINTING_AGAIN = T("Outcome", "Label printing\u2026")
EWAYBILL_NOT_PRINTED = T("Outcome", "The label has not printed yet: wait for it, or scan CMD:REPRINT")


# ---------------------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class ClaimOrder:
    order_id: int


@dataclass(frozen=True)
class AddUnit:
    order_id: int
    line_id: int
    parcel_seq: int
    parcel_id: int | None  # None: create parcel ``parcel_seq`` first
    line_in_parcel: bool  # the parcel already holds units of this line


@dataclass(frozen=True)
class SealParcel:
    parcel_id: int


@dataclass(frozen=True)
class SetBox:
    parcel_id: int
    box_code: str
    expected_weight_g: int


@dataclass(frozen=True)
class SetWeight:
    parcel_id: int
    weight_g: int


@dataclass(frozen=True)
class TakePoolWaybill:
    """Give the parcel its carrier's next free pool number (the order's own unused ones first)."""

    order_id: int
    parcel_id: int
    parcel_seq: int
    carrier_code: str


@dataclass(frozen=True)
class RequestLabel:
    """The print intent, in the scan's transaction: the label counts as printed unless the printer
    then fails, which is recorded once afterwards."""

    parcel_id: int
    parcel_seq: int
    reprint: bool = False


@dataclass(frozen=True)
class RequestEwaybill:
    """Ask the platform for the parcel's e-waybill: recorded in the weight scan's transaction, taken
    after its commit by the bench's worker (never inside a transaction)."""

    order_id: int
    parcel_seq: int


@dataclass(frozen=True)
class LinkWaybill:
    """The parcel's waybill; when it completes the order, the order is packed with parcel 1's
    waybill as its own (an order has a waybill exactly when it is packed or handed over)."""

    order_id: int
    parcel_id: int
    parcel_seq: int
    number: str
    completes_order: bool
    order_waybill: str | None = None
    # When it completes the order: what the platform job needs (order number, carrier, every
    # parcel's (seq, waybill)), so the repository writes the outbox rows without reading them back.
    order_no: str = ""
    carrier_code: str = ""
    parcels: tuple[tuple[int, str], ...] = ()
    ewaybill: bool = False  # the number is the parcel's e-waybill: it is linked too


@dataclass(frozen=True)
class ReleaseOrder:
    order_id: int


@dataclass(frozen=True)
class HoldOrder:
    order_id: int
    reason: str


@dataclass(frozen=True)
class HoldForRefund:
    """The buyer asked the platform for a refund: the order goes on hold (from ready, or from this
    bench's packing) for a supervisor, and is not packed."""

    order_id: int
    reason: str


@dataclass(frozen=True)
class OpenManifest:
    """Resume this bench's open manifest or start a new one."""


@dataclass(frozen=True)
class AddToManifest:
    manifest_id: int
    parcel_id: int
    order_id: int
    set_carrier: str | None = None


@dataclass(frozen=True)
class CloseManifest:
    manifest_id: int


Effect = (ClaimOrder | AddUnit | SealParcel | SetBox | SetWeight | TakePoolWaybill | RequestLabel | RequestEwaybill
          | LinkWaybill
          | ReleaseOrder | HoldOrder | HoldForRefund | OpenManifest | AddToManifest | CloseManifest)


@dataclass(frozen=True)
class Decision:
    accepted: bool
    level: Level
    message: Message
    kind: str
    state: BenchState
    order_id: int | None = None  # for the audit event
    manifest_id: int | None = None
    effects: tuple[Effect, ...] = ()
    order: OrderSnap | None = None  # the open order as it is after the effects
    print_label: int | None = None  # after commit: print this parcel's label
    reprint: bool = False
    print_manifest: bool = False
    print_ewaybill: int | None = None  # after commit: take (if need be) and print this parcel's e-waybill


@dataclass(frozen=True)
class Bench:
    """What the rules know about the bench itself."""

    station_id: int
    station_name: str
    catalogue: CarrierCatalogue
    tolerance_g: Callable[[int], int] = field(default=lambda expected: max(round(expected * 0.1), 50))
    platform_stale: bool = False  # the platform has not answered lately: its refund state may be old


def _refused(kind: str, state: BenchState, template: str, /, **params) -> Decision:
    return Decision(False, Level.REFUSED, Message(template, params), kind, state, state.order_id, state.manifest_id)


def _accepted(kind: str, state: BenchState, template: str, level: Level = Level.ACCEPTED, /, **params) -> Decision:
    return Decision(True, level, Message(template, params), kind, state, state.order_id, state.manifest_id)


# ------------------------------------------------------------------------------------------ steps


def order_step(order: OrderSnap) -> Step:
    """Where an open order stands, from its lines and parcels (what the database holds)."""
    parcel = order.open_parcel
    missing = order.units_missing
    if parcel is not None and parcel.unit_count > 0 and (parcel.sealed or missing == 0):
        if parcel.box_code is None:
            return Step.BOX
        if parcel.weight_g is None:
            return Step.WEIGHT
        if not order.label_printed(parcel):
            return Step.LABEL
        return Step.WAYBILL
    if missing:
        return Step.VERIFY
    return Step.WAYBILL  # every unit in parcels that all have waybills: only a waybill scan can end it


def bench_step(state: BenchState, order: OrderSnap | None) -> Step:
    if state.user_id is None:
        return Step.PIN if state.pending_user_id is not None else Step.LOGIN
    if state.returns:
        return Step.RETURNS
    if state.manifest_id is not None:
        return Step.HANDOVER
    if state.order_id is None or order is None:
        return Step.ORDER
    return order_step(order)


def parcel_total(order: OrderSnap, parcel: ParcelSnap) -> int | None:
    """How many parcels the order will have, once known (the label prints "2/3" or "2/3+")."""
    if order.units_missing == 0 and parcel.seq == max((p.seq for p in order.parcels), default=parcel.seq):
        return parcel.seq
    return None


def as_command(text: str) -> str | None:
    upper = text.upper()
    return upper if upper.startswith("CMD:") else None


def waybill_number(bench: Bench, order: OrderSnap | None, text: str) -> str:
    """The normalised number a waybill scan stands for (the repository looks it up)."""
    if order is None:
        return text.strip().upper()
    return bench.catalogue.validate(order.carrier_code, text).number


# --------------------------------------------------------------------------------------- decide


def decide(bench: Bench, state: BenchState, order: OrderSnap | None, manifest: ManifestSnap | None, text: str,
           facts: CodeFacts, target: OrderSnap | None = None) -> Decision:
    """Decide what ``text`` means for a logged-in packer. ``target`` is the order the scan names
    (order step); ``order`` the bench's open order; ``manifest`` its open handover."""
    command = as_command(text)
    if state.order_id is not None and command != CMD_LOGOUT:
        stopped = _order_stopped(bench, state, order)
        if stopped is not None:
            return stopped
    step = bench_step(state, order)
    if command:
        return _on_command(bench, state, order, manifest, step, command)
    if step == Step.HANDOVER:
        assert manifest is not None
        return _on_handover_scan(state, manifest, text, facts)
    if step == Step.ORDER:
        return _on_order(bench, state, text, facts, target)
    assert order is not None
    return _on_open_order(bench, state, order, step, text, facts)


def _on_open_order(bench: Bench, state: BenchState, order: OrderSnap, step: Step, text: str,
                   facts: CodeFacts) -> Decision:
    """A scan that is not a command while an order is open, at its ``step`` (verify to waybill)."""
    if step == Step.VERIFY and facts.product is not None:  # the hot path
        return _on_item(state, order, text, facts)
    if facts.is_badge:
        return _keep(_refused("badge", state, T("Outcome", "{name} is logged in: scan CMD:LOGOUT first"),
                              name=state.user_name), order)
    if text == order.order_no:
        return _keep(_accepted("order", state, T("Outcome", "Order {order_no} is already open"), Level.INFO,
                               order_no=text), order)
    if step == Step.VERIFY:
        return _on_verify_scan(state, order, text, facts)
    if step in (Step.BOX, Step.WEIGHT):
        return _on_pack_scan(bench, state, order, step, text, facts)
    if step == Step.LABEL:
        return _on_label_scan(state, order)
    return _on_waybill(bench, state, order, text, facts)


def _keep(decision: Decision, order: OrderSnap | None) -> Decision:
    return replace(decision, order=order)


def _order_stopped(bench: Bench, state: BenchState, order: OrderSnap | None) -> Decision | None:
    """The bench's open order was taken away, or its buyer asked for a refund: stop before the scan."""
    gone = _taken_away(bench, state, order)
    if gone is not None:
        return gone
    assert order is not None
    if order.refund_requested:
        return refund_stop(bench, state, order)
    return None


def _taken_away(bench: Bench, state: BenchState, order: OrderSnap | None) -> Decision | None:
    """A supervisor may cancel, release or hold the open order from elsewhere: stop at once."""
    if order is not None and order.is_packing and order.station_id == bench.station_id:
        return None
    d = _refused("order", replace(state, order_id=None, last_line=None),
                 T("Outcome", "Order {order_no} was taken off this bench ({state}): set it aside"),
                 order_no=order.order_no if order else "?", state=order.state if order else "deleted")
    return replace(d, order_id=state.order_id)


# ------------------------------------------------------------------------------------------ order

_NOT_OPENABLE = {
    OrderState.PACKED.value: T("Outcome", "Order {order_no} is already packed (waybill {waybill})"),
    OrderState.HANDED_OVER.value: T("Outcome", "Order {order_no} was already handed over (waybill {waybill})"),
    OrderState.ON_HOLD.value: T("Outcome", "Order {order_no} is on hold: a supervisor must release it"),
    OrderState.CANCELLED.value: T("Outcome", "Order {order_no} is cancelled: do not ship it"),
}


NO_CARRIER = T("Outcome", "Order {order_no} has no carrier yet (its shop has none chosen): set it aside for a supervisor")


def why_not_openable(bench: Bench, state: BenchState, target: OrderSnap) -> Decision | None:
    if target.carrier_code is None and target.state in (OrderState.READY.value, OrderState.ON_HOLD.value):
        # Held by the pull until its shop has a carrier (the database allows no ready order without one).
        return replace(_refused("order", state, NO_CARRIER, order_no=target.order_no), order_id=target.id)
    if target.state == OrderState.READY.value:
        return None
    if target.state == OrderState.PACKING.value:
        if target.station_id == bench.station_id:
            return None
        d = _refused("order", state, T("Outcome", "Order {order_no} is held by {station}"),
                     order_no=target.order_no, station=target.holder or "?")
    else:
        d = _refused("order", state, _NOT_OPENABLE[target.state], order_no=target.order_no,
                     waybill=target.waybill or "")
    return replace(d, order_id=target.id)


REFUND_REQUESTED = T("Outcome", "Order {order_no}: refund requested on the platform: do not pack. Set it aside for a supervisor")


def refund_stop(bench: Bench, state: BenchState, order: OrderSnap) -> Decision:
    """The platform says the buyer asked for a refund: refuse (loud), put the order on hold, and
    leave the bench free for the next order; whatever was scanned stays recorded for the supervisor."""
    d = _refused("order", replace(state, order_id=None, last_line=None), REFUND_REQUESTED, order_no=order.order_no)
    reason = f"refund requested on the platform (refund_status {order.platform_refund}), stopped at {bench.station_name}"
    return replace(d, order_id=order.id, effects=(HoldForRefund(order.id, reason),))


def _on_order(bench: Bench, state: BenchState, text: str, facts: CodeFacts, target: OrderSnap | None) -> Decision:
    if target is None:
        if facts.is_badge:
            return _refused("badge", state, T("Outcome", "{name} is logged in: scan CMD:LOGOUT first"), name=state.user_name)
        if facts.product is not None:
            return _refused("item", state, T("Outcome", "That is an item: scan the order number first"))
        return _refused("order", state, T("Outcome", "Unknown order {order_no}"), order_no=text)
    refusal = why_not_openable(bench, state, target)
    if refusal is not None:
        return refusal
    if target.refund_requested:
        return refund_stop(bench, state, target)
    opened = replace(state, order_id=target.id, last_line=None, completed_order=None)
    if target.state == OrderState.READY.value:
        claimed = replace(target, state=OrderState.PACKING.value, station_id=bench.station_id)
        if bench.platform_stale:
            d = _accepted("order", opened, T("Outcome", "Order {order_no}: scan each item. The shop platform cannot be reached: packing on what PackGate last knew"),
                          Level.WARNING, order_no=target.order_no)
        else:
            d = _accepted("order", opened, T("Outcome", "Order {order_no}: scan each item"), order_no=target.order_no)
        return replace(d, effects=(ClaimOrder(target.id),), order=claimed)
    return _keep(_accepted("order", opened, T("Outcome", "Order {order_no} resumed"), order_no=target.order_no), target)


# ----------------------------------------------------------------------------------------- verify


def _on_item(state: BenchState, order: OrderSnap, text: str, facts: CodeFacts) -> Decision:
    product = facts.product
    if product is None:
        return _keep(_refused("item", state, T("Outcome", "Unknown barcode {code}: not an item, box or command"), code=text), order)
    index = order.line_index(product.id)
    if index is None:
        return _keep(_refused("item", state, T("Outcome", "Wrong item: {name} ({sku}) is not in this order"),
                              name=product.name, sku=product.sku), order)
    line = order.lines[index]
    pointed = replace(state, last_line=index)
    if line.scanned >= line.quantity:
        return _keep(replace(_refused("item", state, T("Outcome", "Over-scan: {name} already {scanned}/{quantity}"),
                                      name=product.name, scanned=line.quantity, quantity=line.quantity),
                             state=pointed), order)
    parcel = order.open_parcel
    if parcel is None:
        parcel = ParcelSnap(seq=max((p.seq for p in order.parcels), default=0) + 1)
    effect = AddUnit(order.id, line.id, parcel.seq, parcel.id, parcel.quantity_of(line.id) > 0)
    lines = tuple(replace(x, scanned=x.scanned + 1) if x.id == line.id else x for x in order.lines)
    after = replace(order, lines=lines).with_parcel(parcel.with_unit(line.id))
    scanned = line.scanned + 1
    if after.units_missing == 0:
        template = T("Outcome", "{name} {scanned}/{quantity}. All items verified: scan the box")
    elif parcel.seq > 1:
        template = T("Outcome", "{name} {scanned}/{quantity} (parcel {seq})")
    else:
        template = T("Outcome", "{name} {scanned}/{quantity}")
    d = _accepted("item", pointed, template, name=product.name, scanned=scanned, quantity=line.quantity, seq=parcel.seq)
    return replace(d, effects=(effect,), order=after)


def _on_verify_scan(state: BenchState, order: OrderSnap, text: str, facts: CodeFacts) -> Decision:
    if facts.box is not None:
        return _keep(_refused("box", state, T("Outcome", "Scan every item of this parcel before the box ({missing} missing), or CMD:NEWPARCEL to box what is scanned"),
                              missing=order.units_missing), order)
    return _on_item(state, order, text, facts)


def _refuse_at_pack(state: BenchState, order: OrderSnap, text: str, facts: CodeFacts) -> Decision:
    if facts.product is not None:
        return _keep(_over_scan_or_sealed(state, order, facts), order)
    return _keep(_refused("box", state, T("Outcome", "Unknown box code {code}"), code=text), order)


def _over_scan_or_sealed(state: BenchState, order: OrderSnap, facts: CodeFacts) -> Decision:
    product = facts.product
    assert product is not None
    index = order.line_index(product.id)
    parcel = order.open_parcel
    if index is None:
        return _refused("item", state, T("Outcome", "Wrong item: {name} ({sku}) is not in this order"),
                        name=product.name, sku=product.sku)
    if order.lines[index].missing > 0 and parcel is not None:
        return _refused("item", state, T("Outcome", "Parcel {seq} is closed: finish it (box, weight, label, waybill), then scan {name} into parcel {next}"),
                        seq=parcel.seq, next=parcel.seq + 1, name=product.name)
    return _refused("item", state, T("Outcome", "Over-scan: every item is already verified ({name})"), name=product.name)


# ------------------------------------------------------------------------------------------- pack


def _on_pack_scan(bench: Bench, state: BenchState, order: OrderSnap, step: Step, text: str,
                  facts: CodeFacts) -> Decision:
    """The box step, or the weight step (where another box may still replace the first)."""
    if facts.box is not None and facts.box.active:
        return _on_box(state, order, facts)
    if step == Step.WEIGHT:
        return _on_weight(bench, state, order, text, facts)
    return _refuse_at_pack(state, order, text, facts)


def _on_label_scan(state: BenchState, order: OrderSnap) -> Decision:
    """Nothing but a command moves the label step on: the label (or e-waybill) has not printed."""
    if order.ewaybills:
        return _keep(_refused("scan", state, EWAYBILL_NOT_PRINTED), order)
    return _keep(_refused("scan", state, T("Outcome", "The label has not printed: fix the printer, then scan CMD:REPRINT")), order)


def _on_box(state: BenchState, order: OrderSnap, facts: CodeFacts) -> Decision:
    box = facts.box
    parcel = order.open_parcel
    assert box is not None and parcel is not None and parcel.id is not None
    expected = order.units_weight_g(parcel) + box.tare_g
    after = order.with_parcel(replace(parcel, box_code=box.code, expected_weight_g=expected, weight_g=None))
    if parcel.seq > 1 or (order.parcels and len(order.parcels) > 1):
        template = T("Outcome", "Parcel {seq}, box {box}: now weigh it (expected {expected})")
    else:
        template = T("Outcome", "Box {box}: now weigh the parcel (expected {expected})")
    d = _accepted("box", state, template, box=box.code, expected=format_grams(expected), seq=parcel.seq)
    return replace(d, effects=(SetBox(parcel.id, box.code, expected),), order=after)


def _on_weight(bench: Bench, state: BenchState, order: OrderSnap, text: str, facts: CodeFacts) -> Decision:
    grams = parse_weight_g(text)
    if grams is None:
        if facts.product is not None:
            return _keep(_over_scan_or_sealed(state, order, facts), order)
        return _keep(_refused("weight", state, T("Outcome", "{text} is not a weight: type grams (1250) or kg (1.25kg)"),
                              text=text), order)
    if not 0 < grams <= MAX_WEIGHT_G:
        return _keep(_refused("weight", state, T("Outcome", "Weight {weight} is not possible for a parcel"),
                              weight=format_grams(grams)), order)
    parcel = order.open_parcel
    assert parcel is not None and parcel.id is not None and parcel.expected_weight_g is not None
    expected = parcel.expected_weight_g
    tolerance = bench.tolerance_g(expected)
    if abs(grams - expected) > tolerance:
        return _keep(_refused("weight", state, T("Outcome", "Weight {weight}, expected {expected} ±{tolerance}: check the items"),
                              weight=format_grams(grams), expected=format_grams(expected),
                              tolerance=format_grams(tolerance)), order)
    effects: list[Effect] = [SetWeight(parcel.id, grams)]
    if order.ewaybills:
        # The e-waybill is the label: asked for in this transaction, taken and printed after its commit.
        if parcel.ewaybill_state is None:
            effects.append(RequestEwaybill(order.id, parcel.seq))
        after = order.with_parcel(replace(parcel, weight_g=grams, ewaybill_state=parcel.ewaybill_state or "requested"))
        d = _accepted("weight", state, EWAYBILL_PRINTING, weight=format_grams(grams))
        return replace(d, effects=tuple(effects), order=after, print_ewaybill=parcel.seq)
    preassigned = order.expected_waybill(parcel)
    if preassigned is None:
        effects.append(TakePoolWaybill(order.id, parcel.id, parcel.seq, order.carrier_code))
    effects.append(RequestLabel(parcel.id, parcel.seq))
    after = order.with_parcel(replace(parcel, weight_g=grams, preassigned_waybill=preassigned,
                                      label_prints=parcel.label_prints + 1))
    d = _accepted("weight", state, T("Outcome", "Weight {weight} OK: label printing"), weight=format_grams(grams))
    return replace(d, effects=tuple(effects), order=after, print_label=parcel.seq)


# ---------------------------------------------------------------------------------------- waybill


def _not_a_waybill(state: BenchState, text: str, facts: CodeFacts) -> Decision | None:
    """An item, order, box or badge code that happens to fit a carrier's pattern (EAN-13 fits EMS
    domestic, UPC-A fits SF legacy, anything fits OTHER) is refused, never linked."""
    if facts.product is not None:
        return _refused("waybill", state, T("Outcome", "{code} is an item barcode, not a waybill: scan the carrier's waybill"), code=text)
    if facts.is_order_no:
        return _refused("waybill", state, T("Outcome", "{code} is an order number, not a waybill: scan the carrier's waybill"), code=text)
    if facts.box is not None:
        return _refused("waybill", state, T("Outcome", "{code} is a box code, not a waybill: scan the carrier's waybill"), code=text)
    if facts.is_badge:
        return _refused("waybill", state, T("Outcome", "{code} is a badge, not a waybill: scan the carrier's waybill"), code=text)
    return None


@dataclass(frozen=True)
class _WaybillScan:
    """A waybill scan at the open parcel, with what its checks read."""

    state: BenchState
    order: OrderSnap
    parcel: ParcelSnap
    text: str
    facts: CodeFacts
    check: WaybillCheck  # the scan against the order's carrier
    expected: str | None  # the number it must match (pre-assigned, pool or e-waybill), if any

    @property
    def number(self) -> str:
        return self.check.number


def _on_waybill(bench: Bench, state: BenchState, order: OrderSnap, text: str, facts: CodeFacts) -> Decision:
    parcel = order.open_parcel
    if parcel is None or parcel.id is None:
        return _keep(_refused("waybill", state, T("Outcome", "Every parcel of order {order_no} has its waybill"),
                              order_no=order.order_no), order)
    scan = _WaybillScan(state, order, parcel, text, facts, bench.catalogue.validate(order.carrier_code, text),
                        order.expected_waybill(parcel))
    for guard in _WAYBILL_GUARDS:
        refusal = guard(scan)
        if refusal is not None:
            return _keep(refusal, order)
    return _link_waybill(bench, state, order, parcel, scan.number)


def _item_too_early(scan: _WaybillScan) -> Decision | None:
    """An item still missing from the order belongs in the next parcel, once this one is linked."""
    facts, order = scan.facts, scan.order
    if facts.product is not None and order.units_missing > 0:
        index = order.line_index(facts.product.id)
        if index is not None and order.lines[index].missing > 0:
            return _over_scan_or_sealed(scan.state, order, facts)
    return None


def _known_other_code(scan: _WaybillScan) -> Decision | None:
    if scan.number != scan.expected:
        return _not_a_waybill(scan.state, scan.text, scan.facts)
    return None


def _not_this_ewaybill(scan: _WaybillScan) -> Decision | None:
    """An e-waybill carrier's parcel takes exactly the e-waybill printed for it."""
    if not scan.order.ewaybills or scan.number == scan.expected:
        return None
    if scan.facts.ewaybill_of is not None:
        return _refused("waybill", scan.state, T("Outcome", "This label belongs to order {other} parcel {seq}: stick this parcel's own label on"),
                        other=scan.facts.ewaybill_of[0], seq=scan.facts.ewaybill_of[1])
    return _refused("waybill", scan.state, T("Outcome", "{number} is not this parcel's e-waybill {expected}: scan the label just printed"),
                    number=scan.number, expected=scan.expected or "?")


def _not_the_expected_or_invalid(scan: _WaybillScan) -> Decision | None:
    """The pre-assigned (or pool) number when the parcel has one, else any number the carrier accepts."""
    if scan.expected:
        if scan.number != scan.expected:
            return _refused("waybill", scan.state, T("Outcome", "{number} does not match the pre-assigned waybill {expected}: wrong label?"),
                            number=scan.number, expected=scan.expected)
        return None
    if not scan.check.ok:
        assert scan.check.message is not None
        return Decision(False, Level.REFUSED, scan.check.message, "waybill", scan.state, scan.state.order_id)
    return None


def _already_linked(scan: _WaybillScan) -> Decision | None:
    owner = scan.facts.waybill_owner
    if owner is None:
        return None
    if owner == scan.order.order_no:
        return _refused("waybill", scan.state, T("Outcome", "Waybill {number} is already on another parcel of this order"),
                        number=scan.number)
    return _refused("waybill", scan.state, T("Outcome", "Waybill {number} is already on order {other}"),
                    number=scan.number, other=owner)


# In this order: the first refusal wins.
_WAYBILL_GUARDS: tuple[Callable[[_WaybillScan], Decision | None], ...] = (
    _item_too_early, _known_other_code, _not_this_ewaybill, _not_the_expected_or_invalid, _already_linked)


def _link_waybill(bench: Bench, state: BenchState, order: OrderSnap, parcel: ParcelSnap, number: str) -> Decision:
    """Link the open parcel's waybill; the last one packs the order."""
    others_done = all(p.waybill is not None for p in order.parcels if p.seq != parcel.seq)
    completes = order.units_missing == 0 and others_done
    linked = order.with_parcel(replace(parcel, waybill=number))
    carrier = bench.catalogue.get(order.carrier_code)
    carrier_code = carrier.code if carrier else order.carrier_code
    first = linked.parcel(1)
    order_waybill = (first.waybill if first is not None else None) or number
    effect = LinkWaybill(order.id, parcel.id, parcel.seq, number, completes, order_waybill if completes else None,
                         order.order_no, order.carrier_code,
                         tuple((p.seq, p.waybill) for p in linked.parcels if p.waybill) if completes else (),
                         ewaybill=order.ewaybills)
    if completes:
        return _order_packed(state, order, linked, effect, carrier_code, order_waybill)
    d = _accepted("waybill", state, T("Outcome", "Parcel {seq}: {carrier} {number} linked. Scan the remaining items into parcel {next}"),
                  seq=parcel.seq, next=parcel.seq + 1, carrier=carrier_code, number=number)
    return replace(d, effects=(effect,), order=linked)


def _order_packed(state: BenchState, order: OrderSnap, linked: OrderSnap, effect: LinkWaybill, carrier_code: str | None,
                  order_waybill: str) -> Decision:
    """The waybill that completes the order: it is packed, and the bench is free for the next one."""
    number = effect.number
    after = replace(linked, state=OrderState.PACKED.value, waybill=order_waybill)
    done = replace(state, order_id=None, last_line=None, completed_order=order.order_no)
    if len(order.parcels) > 1:
        d = _accepted("waybill", done, T("Outcome", "Order {order_no} complete: {parcels} parcels, {carrier} {number} linked last"),
                      Level.COMPLETE, order_no=order.order_no, number=number, carrier=carrier_code,
                      parcels=len(order.parcels))
    else:
        d = _accepted("waybill", done, T("Outcome", "Order {order_no} complete: {carrier} {number} linked"),
                      Level.COMPLETE, order_no=order.order_no, number=number, carrier=carrier_code)
    return replace(d, order_id=order.id, effects=(effect,), order=after)


# --------------------------------------------------------------------------------------- commands

# A command's rule: what it means at this bench, with its open order or manifest and its step.
CommandRule = Callable[[Bench, BenchState, OrderSnap | None, ManifestSnap | None, Step], Decision]


def _on_command(bench: Bench, state: BenchState, order: OrderSnap | None, manifest: ManifestSnap | None, step: Step,
                command: str) -> Decision:
    rule = _COMMAND_RULES.get(command)
    if rule is None:
        return _keep(_refused("command", state, T("Outcome", "Unknown command {command}"), command=command), order)
    return rule(bench, state, order, manifest, step)


def _logout(bench: Bench, state: BenchState, order: OrderSnap | None, manifest: ManifestSnap | None,
            step: Step) -> Decision:
    note = T("Outcome", "{name} logged out")
    if state.order_id is not None:
        note = T("Outcome", "{name} logged out; order stays on this bench until you return")
    return _accepted("command", BenchState(), note, Level.INFO, name=state.user_name)


def _open_handover(bench: Bench, state: BenchState, order: OrderSnap | None, manifest: ManifestSnap | None,
                   step: Step) -> Decision:
    if step in ORDER_STEPS:
        return _keep(_refused("command", state, T("Outcome", "Finish or cancel the open order before handover")), order)
    if step == Step.HANDOVER:
        return _accepted("command", state, T("Outcome", "Handover is already open"), Level.INFO)
    d = _accepted("command", replace(state, completed_order=None), T("Outcome", "Handover {manifest_no}: scan each parcel"))
    return replace(d, effects=(OpenManifest(),))


def _close_handover(bench: Bench, state: BenchState, order: OrderSnap | None, manifest: ManifestSnap | None,
                    step: Step) -> Decision:
    if step != Step.HANDOVER:
        return _keep(_refused("command", state, T("Outcome", "CMD:CLOSE closes a handover: scan CMD:HANDOVER first")), order)
    assert manifest is not None
    return _close_manifest(state, manifest)


def _cancel(bench: Bench, state: BenchState, order: OrderSnap | None, manifest: ManifestSnap | None,
            step: Step) -> Decision:
    """Pause the open handover, or release the open order back to ready."""
    if step == Step.HANDOVER:
        return _accepted("command", replace(state, manifest_id=None), T("Outcome", "Handover paused: the manifest stays open"),
                         Level.INFO)
    if order is None:
        return _refused("command", state, T("Outcome", "No open order to cancel"))
    d = _accepted("command", replace(state, order_id=None, last_line=None),
                  T("Outcome", "Order {order_no} released: put the items back"), Level.WARNING, order_no=order.order_no)
    return replace(d, order_id=order.id, effects=(ReleaseOrder(order.id),))


def _report_short(bench: Bench, state: BenchState, order: OrderSnap | None, manifest: ManifestSnap | None,
                  step: Step) -> Decision:
    if order is None:
        return _refused("command", state, T("Outcome", "No open order to report short"))
    d = _accepted("command", replace(state, order_id=None, last_line=None),
                  T("Outcome", "Order {order_no} on hold for a supervisor: set it aside"), Level.WARNING,
                  order_no=order.order_no)
    reason = f"short or damaged, reported by {state.user_name} at {bench.station_name}"
    return replace(d, order_id=order.id, effects=(HoldOrder(order.id, reason),))


def _reprint(bench: Bench, state: BenchState, order: OrderSnap | None, manifest: ManifestSnap | None,
             step: Step) -> Decision:
    parcel = order.open_parcel if order is not None else None
    if order is None or parcel is None or parcel.id is None or step in (Step.VERIFY, Step.BOX, Step.WEIGHT):
        return _keep(_refused("command", state, T("Outcome", "Nothing to reprint yet: the label prints after weighing")), order)
    if order.ewaybills:  # the same e-waybill again (or, after a refusal or a cancel, a first one)
        effects = () if parcel.ewaybill_state is not None else (RequestEwaybill(order.id, parcel.seq),)
        after = order.with_parcel(replace(parcel, ewaybill_state=parcel.ewaybill_state or "requested"))
        d = _accepted("command", state, EWAYBILL_PRINTING_AGAIN)
        return replace(d, effects=effects, order=after, print_ewaybill=parcel.seq, reprint=True)
    after = order.with_parcel(replace(parcel, label_prints=parcel.label_prints + 1))
    d = _accepted("command", state, T("Outcome", "Reprinting the label"))
    return replace(d, effects=(RequestLabel(parcel.id, parcel.seq, reprint=True),), order=after,
                   print_label=parcel.seq, reprint=True)


def _new_parcel(bench: Bench, state: BenchState, order: OrderSnap | None, manifest: ManifestSnap | None,
                step: Step) -> Decision:
    if order is None or step != Step.VERIFY:
        return _keep(_refused("command", state, T("Outcome", "CMD:NEWPARCEL splits an order while its items are scanned")), order)
    parcel = order.open_parcel
    if parcel is None or parcel.id is None or parcel.unit_count == 0:
        seq = parcel.seq if parcel else max((p.seq for p in order.parcels), default=0) + 1
        return _keep(_refused("command", state, T("Outcome", "Scan at least one item into parcel {seq} first"), seq=seq), order)
    after = order.with_parcel(replace(parcel, sealed=True))
    d = _accepted("command", state, T("Outcome", "Parcel {seq} closed with {units} items: scan its box"),
                  seq=parcel.seq, units=parcel.unit_count)
    return replace(d, effects=(SealParcel(parcel.id),), order=after)


_COMMAND_RULES: dict[str, CommandRule] = {
    CMD_LOGOUT: _logout,
    CMD_HANDOVER: _open_handover,
    CMD_CLOSE: _close_handover,
    CMD_CANCEL: _cancel,
    CMD_SHORT: _report_short,
    CMD_REPRINT: _reprint,
    CMD_NEWPARCEL: _new_parcel,
}


# --------------------------------------------------------------------------------------- handover


def _on_handover_scan(state: BenchState, manifest: ManifestSnap, text: str, facts: CodeFacts) -> Decision:
    number = text.strip().upper()
    parcel = facts.parcel
    if parcel is None:
        if facts.preassigned_somewhere:
            return _refused("handover", state, T("Outcome", "Waybill {number} is not linked yet: finish packing that order"), number=number)
        return _refused("handover", state, T("Outcome", "Waybill {number} is not linked to any order"), number=number)
    if parcel.manifest_id is not None:
        if parcel.manifest_id == manifest.id:
            d = _accepted("handover", state, T("Outcome", "{number} already counted (parcels: {count})"), Level.INFO,
                          number=number, count=manifest.count)
        else:
            d = _refused("handover", state, T("Outcome", "{number} is already on manifest {manifest_no}"),
                         number=number, manifest_no=parcel.manifest_no or "?")
        return replace(d, order_id=parcel.order_id)
    if parcel.order_state != OrderState.PACKED.value:
        return replace(_refused("handover", state, T("Outcome", "Order {order_no} is {state}, not packed: keep it back"),
                                order_no=parcel.order_no, state=parcel.order_state), order_id=parcel.order_id)
    carrier = manifest.carrier_code or parcel.carrier_code
    if carrier != parcel.carrier_code:
        return replace(_refused("handover", state, T("Outcome", "{number} is {carrier}: this manifest is for {manifest_carrier}"),
                                number=number, carrier=parcel.carrier_code, manifest_carrier=manifest.carrier_code),
                       order_id=parcel.order_id)
    effect = AddToManifest(manifest.id, parcel.parcel_id, parcel.order_id,
                           set_carrier=parcel.carrier_code if manifest.carrier_code is None else None)
    if parcel.parcels_in_order > 1:
        d = _accepted("handover", state, T("Outcome", "{number} added (order {order_no}, parcel {seq}/{total}). Parcels for {carrier}: {count}"),
                      number=number, count=manifest.count + 1, carrier=carrier, order_no=parcel.order_no,
                      seq=parcel.seq, total=parcel.parcels_in_order)
    else:
        d = _accepted("handover", state, T("Outcome", "{number} added. Parcels for {carrier}: {count}"),
                      number=number, count=manifest.count + 1, carrier=carrier)
    return replace(d, order_id=parcel.order_id, effects=(effect,))


def _close_manifest(state: BenchState, manifest: ManifestSnap) -> Decision:
    if manifest.count == 0:
        return _refused("command", state, T("Outcome", "The manifest is empty: scan parcels, or CMD:CANCEL to leave"))
    left = replace(state, manifest_id=None)
    if manifest.missing:
        missing = ", ".join(f"{order_no} #{seq} {waybill}" for order_no, seq, waybill in manifest.missing)
        d = Decision(True, Level.WARNING, Message(
            T("Outcome", "Manifest {manifest_no} closed: {count} parcels to {carrier}. Not on it, keep back: {missing}"),
            {"manifest_no": manifest.manifest_no, "count": manifest.count, "carrier": manifest.carrier_code,
             "missing": missing}), "command", left)
    else:
        d = _accepted("command", left, T("Outcome", "Manifest {manifest_no} closed. Parcels handed over to {carrier}: {count}"),
                      Level.COMPLETE, manifest_no=manifest.manifest_no, count=manifest.count, carrier=manifest.carrier_code)
    return replace(d, manifest_id=manifest.id, effects=(CloseManifest(manifest.id),), print_manifest=True)
