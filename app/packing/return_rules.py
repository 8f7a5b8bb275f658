"""The returns bench's rules: a returned parcel's snapshot and a scan in, a decision and its effects out.

Pure like :mod:`app.packing.rules`: no database, no clock. :mod:`app.packing.returns_repo` loads the
snapshot (what the order shipped of each SKU, what earlier returns of the order brought back, what
the buyer claims, what this return holds so far) and applies the effects; the bench workflow runs
one unit of work per scan around them.

The bench enters returns mode with CMD:RETURNS (again, or CMD:LOGOUT, leaves it). A scan names the
parcel: the buyer's return waybill, the order number or the waybill the order went out with; the
order's return opens. A parcel that names nothing opens an *unmatched* return under the scanned
code. Each item scanned counts against what was shipped: an item the order never held is refused
and still recorded as foreign, a unit beyond what was shipped is refused as over-return, and
CMD:DAMAGED marks the next item as damaged. CMD:CLOSE lists what is missing and closes the return.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.states import OrderState
from app.packing.model import BenchState, ProductFact
from app.packing.outcome import Level
from app.packing.rules import CMD_CLOSE, Decision, as_command

T = QT_TRANSLATE_NOOP
CMD_RETURNS = "CMD:RETURNS"
CMD_DAMAGED = "CMD:DAMAGED"
RETURN_COMMANDS = (CMD_RETURNS, CMD_DAMAGED)
GOOD = "good"
DAMAGED = "damaged"
SHIPPED_STATES = (OrderState.PACKED.value, OrderState.HANDED_OVER.value)


# ------------------------------------------------------------------------------------- snapshots


@dataclass(frozen=True)
class ReturnItem:
    """One SKU the order shipped, and where its return stands."""

    product_id: int
    sku: str
    name: str
    shipped: int  # units of it in the order's parcels
    returned_before: int = 0  # units brought back by the order's earlier returns
    claimed: int | None = None  # units the buyer says are in this return (None: the platform did not say)
    good: int = 0  # units received in this return
    damaged: int = 0

    @property
    def received(self) -> int:
        return self.good + self.damaged

    @property
    def room(self) -> int:
        """Units of it that may still come back (the database refuses more)."""
        return self.shipped - self.returned_before - self.received

    @property
    def expected(self) -> int:
        """Units this return should hold: the buyer's claim, else everything not yet back."""
        left = self.shipped - self.returned_before
        return min(self.claimed, left) if self.claimed is not None else left

    @property
    def missing(self) -> int:
        return max(self.expected - self.received, 0)


@dataclass(frozen=True)
class ReturnSnap:
    """The bench's open return: matched to an order (``order_id``) or unmatched (None)."""

    id: int
    return_waybill: str | None
    order_id: int | None = None
    order_no: str | None = None
    items: tuple[ReturnItem, ...] = ()
    foreign: tuple[tuple[str, int], ...] = ()  # (sku or scanned code, units) the order never held
    unmatched: tuple[tuple[str, str, int], ...] = ()  # unmatched return: (sku or code, condition, units)

    @property
    def matched(self) -> bool:
        return self.order_id is not None

    def item(self, product_id: int) -> ReturnItem | None:
        return next((i for i in self.items if i.product_id == product_id), None)

    def with_item(self, item: ReturnItem) -> ReturnSnap:
        return replace(self, items=tuple(item if i.product_id == item.product_id else i for i in self.items))

    @property
    def missing(self) -> tuple[tuple[int, str, int], ...]:
        """(product id, sku, units) expected and not received."""
        return tuple((i.product_id, i.sku, i.missing) for i in self.items if i.missing > 0)

    @property
    def units(self) -> int:
        return (sum(i.received for i in self.items) + sum(q for _, q in self.foreign)
                + sum(q for _, _, q in self.unmatched))


@dataclass(frozen=True)
class ReturnTarget:
    """What a scan names when no return is open at the bench (the repository looks it up)."""

    return_id: int | None = None  # a return with this return waybill, or the order's expected one
    return_state: str | None = None  # expected, open, closed
    return_station: str | None = None  # the bench holding it open
    order_id: int | None = None
    order_no: str | None = None
    order_state: str | None = None
    is_product: bool = False  # the code is an item's barcode: not a parcel
    is_badge: bool = False
    is_box: bool = False


# ---------------------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class OpenReturn:
    """Open the expected return ``return_id`` at this bench, or (None) a new one: for ``order_id``, or
    unmatched (None) under ``return_waybill``."""

    return_id: int | None
    order_id: int | None
    return_waybill: str | None


@dataclass(frozen=True)
class AddReturnUnit:
    return_id: int
    product_id: int | None
    sku: str  # the product's SKU, or the scanned code of an unknown item
    condition: str  # good, damaged
    foreign: bool


@dataclass(frozen=True)
class CloseReturn:
    return_id: int
    missing: tuple[tuple[int, str, int], ...]  # (product id, sku, units)


ReturnEffect = OpenReturn | AddReturnUnit | CloseReturn


def _refused(state: BenchState, template: str, /, **params) -> Decision:
    return Decision(False, Level.REFUSED, Message(template, params), "return", state)


def _accepted(state: BenchState, template: str, level: Level = Level.ACCEPTED, /, **params) -> Decision:
    return Decision(True, level, Message(template, params), "return", state)


# ---------------------------------------------------------------------------------------- decide


def toggle(state: BenchState, busy: bool) -> Decision:
    """CMD:RETURNS: into returns mode (``busy``: an order or a handover is open), or back out of it."""
    if not state.returns:
        if busy:
            return replace(_refused(state, T("Outcome", "Finish the open order or handover before receiving returns")),
                           kind="command")
        d = _accepted(replace(state, returns=True, completed_order=None),
                      T("Outcome", "Returns: scan the returned parcel's waybill or its order number"), Level.INFO)
        return replace(d, kind="command")
    if state.return_id is not None:
        return replace(_refused(state, T("Outcome", "Close the open return first: CMD:CLOSE")), kind="command")
    return replace(_accepted(replace(state, returns=False, damaged_next=False), T("Outcome", "Back to packing"),
                             Level.INFO), kind="command")


def decide_open(state: BenchState, text: str, target: ReturnTarget) -> Decision:
    """Returns mode, no return open: ``text`` names the returned parcel."""
    command = as_command(text)
    if command == CMD_CLOSE:
        return replace(_refused(state, T("Outcome", "No return is open: scan the returned parcel first")), kind="command")
    if command == CMD_DAMAGED:
        return replace(_refused(state, T("Outcome", "Open the return first, then CMD:DAMAGED before the damaged item")),
                       kind="command")
    if command is not None:  # CMD:LOGOUT never reaches here: it logs out
        return replace(_refused(state, T("Outcome", "Unknown command {command}"), command=command), kind="command")
    if target.is_badge:
        return _refused(state, T("Outcome", "{name} is logged in: scan CMD:LOGOUT first"), name=state.user_name)
    if target.is_product or target.is_box:
        return _refused(state, T("Outcome", "Scan the returned parcel's waybill or order number before its items"))
    if target.return_id is not None and target.return_state == "closed":
        return replace(_refused(state, T("Outcome", "Return {waybill} was already received"), waybill=text),
                       order_id=target.order_id)
    if target.return_id is not None and target.return_state == "open":
        return replace(_refused(state, T("Outcome", "Return {waybill} is open at {bench}"), waybill=text,
                                bench=target.return_station or "?"), order_id=target.order_id)
    if target.order_id is not None and target.order_state not in SHIPPED_STATES:
        return replace(_refused(state, T("Outcome", "Order {order_no} was never shipped ({state}): nothing to return"),
                                order_no=target.order_no or "?", state=target.order_state or "?"),
                       order_id=target.order_id)
    if target.order_id is not None or target.return_id is not None:
        d = _accepted(replace(state, damaged_next=False),
                      T("Outcome", "Return of order {order_no}: scan each item"), order_no=target.order_no or "?")
        # An expected return keeps the waybill the platform gave it; one opened by the order number or
        # the outgoing waybill has no return waybill of its own.
        return replace(d, order_id=target.order_id, effects=(OpenReturn(target.return_id, target.order_id, None),))
    d = _accepted(replace(state, damaged_next=False),
                  T("Outcome", "{waybill} matches no order: scan its items, then CMD:CLOSE records it unmatched"),
                  Level.WARNING, waybill=text)
    return replace(d, effects=(OpenReturn(None, None, text),))


def decide_in_return(state: BenchState, snap: ReturnSnap, text: str, product: ProductFact | None
                     ) -> tuple[Decision, ReturnSnap]:
    """Returns mode with ``snap`` open: an item, CMD:DAMAGED or CMD:CLOSE."""
    command = as_command(text)
    if command is not None:
        return _on_return_command(state, snap, command), snap
    return _on_return_item(state, snap, text, product)


def _on_return_command(state: BenchState, snap: ReturnSnap, command: str) -> Decision:
    if command == CMD_DAMAGED:
        d = _accepted(replace(state, damaged_next=True), T("Outcome", "The next item is recorded as damaged"),
                      Level.WARNING)
        return replace(d, kind="command", order_id=snap.order_id)
    if command == CMD_CLOSE:
        return close(state, snap)
    return replace(_refused(state, T("Outcome", "Unknown command {command}"), command=command), kind="command",
                   order_id=snap.order_id)


def _on_return_item(state: BenchState, snap: ReturnSnap, text: str, product: ProductFact | None
                    ) -> tuple[Decision, ReturnSnap]:
    """An item into the open return: unmatched (no order yet), foreign to its order, over-returned, or counted."""
    condition = DAMAGED if state.damaged_next else GOOD
    after_state = replace(state, damaged_next=False)
    sku = product.sku if product is not None else text
    if not snap.matched:
        after = replace(snap, unmatched=_bump(snap.unmatched, (sku, condition)))
        d = _accepted(after_state, T("Outcome", "{sku} recorded ({condition}); units in this parcel: {units}"),
                      sku=sku, condition=condition, units=after.units)
        return replace(d, kind="return_item", effects=(AddReturnUnit(snap.id, product.id if product else None, sku,
                                                              condition, False),)), after
    item = snap.item(product.id) if product is not None else None
    if item is None:  # the evidence of a swap: refused, and recorded
        after = replace(snap, foreign=_bump(snap.foreign, sku))
        d = replace(_refused(after_state, T("Outcome", "{sku} was never in order {order_no}: set it aside (recorded as foreign)"),
                             sku=sku, order_no=snap.order_no or "?"), kind="return_item", order_id=snap.order_id,
                    effects=(AddReturnUnit(snap.id, product.id if product else None, sku, condition, True),))
        return d, after
    if item.room <= 0:
        return replace(_refused(state, T("Outcome", "Over-return: order {order_no} shipped {shipped} of {sku}, all back already"),
                                order_no=snap.order_no or "?", shipped=item.shipped, sku=item.sku),
                       kind="return_item", order_id=snap.order_id), snap
    bumped = replace(item, good=item.good + 1) if condition == GOOD else replace(item, damaged=item.damaged + 1)
    after = snap.with_item(bumped)
    if condition == DAMAGED:
        d = _accepted(after_state, T("Outcome", "{name}: damaged ({received} of {expected} back)"), Level.WARNING,
                      name=item.name, received=bumped.received, expected=bumped.expected)
    else:
        d = _accepted(after_state, T("Outcome", "{name}: {received} of {expected} back"),
                      name=item.name, received=bumped.received, expected=bumped.expected)
    return replace(d, kind="return_item", order_id=snap.order_id,
                   effects=(AddReturnUnit(snap.id, product.id, item.sku, condition, False),)), after


def close(state: BenchState, snap: ReturnSnap) -> Decision:
    """CMD:CLOSE: what was expected and did not come back is listed as missing; the bench is ready."""
    left = replace(state, return_id=None, damaged_next=False)
    effect = CloseReturn(snap.id, snap.missing)
    if not snap.matched:
        d = Decision(True, Level.WARNING, Message(T("Outcome", "Unmatched return {waybill} recorded ({units} units): a supervisor attaches it to its order"),
                                                  {"waybill": snap.return_waybill or "?", "units": snap.units}),
                     "command", left)
        return replace(d, effects=(effect,))
    damaged = sum(i.damaged for i in snap.items)
    if snap.missing or snap.foreign or damaged:
        missing = ", ".join(f"{sku} \u00d7{qty}" for _, sku, qty in snap.missing) or "-"
        foreign = ", ".join(f"{sku} \u00d7{qty}" for sku, qty in snap.foreign) or "-"
        d = Decision(True, Level.WARNING, Message(
            T("Outcome", "Return of {order_no} closed with discrepancies. Missing: {missing}. Foreign: {foreign}. Damaged: {damaged}"),
            {"order_no": snap.order_no or "?", "missing": missing, "foreign": foreign, "damaged": damaged}),
            "command", left, snap.order_id)
    else:
        d = Decision(True, Level.COMPLETE, Message(T("Outcome", "Return of {order_no} closed: everything expected came back"),
                                                   {"order_no": snap.order_no or "?"}), "command", left, snap.order_id)
    return replace(d, effects=(effect,))


def _bump(counts: tuple, key) -> tuple:
    """Add one unit to ``key`` in a tuple of (*key, units) rows, keeping the order of first appearance."""
    rows = [list(r) for r in counts]
    k = key if isinstance(key, tuple) else (key,)
    for r in rows:
        if tuple(r[:-1]) == k:
            r[-1] += 1
            return tuple(tuple(r) for r in rows)
    return (*counts, (*k, 1))
