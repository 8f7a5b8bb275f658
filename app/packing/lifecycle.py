"""The order's lifecycle: which event moves an order from which state to which, and what that
implies. Pure (no SQLAlchemy, no Qt, no clock).

Every change of ``orders.state`` (the bench, the supervisor actions, the importer, the platform's
refund hold) is one of the events of :data:`TRANSITIONS`; :func:`transition` answers what it does
from a given state or refuses it, and :func:`app.packing.repository.change_state` applies the answer
as a conditional UPDATE (``WHERE state = from``) with its audit event, in the caller's unit of work.

A :class:`Transition` names its effects on the order row: ``clears`` (columns put back to a fixed
value), ``sets`` (columns whose value the caller supplies: a bench, a time, a reason), whether every
scanned unit goes back on the shelf (``reset_scans``: scanned 0, parcels removed), and ``audit``, the
kind of the audit event written with it. ``audit`` is None for the bench's own events: the scan that
causes them is audited by the bench, one event per scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.models.states import OrderState

READY, PACKING, PACKED = OrderState.READY.value, OrderState.PACKING.value, OrderState.PACKED.value
HANDED_OVER, ON_HOLD, CANCELLED = OrderState.HANDED_OVER.value, OrderState.ON_HOLD.value, OrderState.CANCELLED.value


class OrderEvent(StrEnum):
    CLAIM = "claim"  # a bench scans a ready order
    PUT_BACK = "put_back"  # the bench gives it up (CMD:CANCEL): back to ready, units back on the shelf
    HOLD = "hold"  # the bench reports it short (CMD:SHORT)
    HOLD_REFUND = "hold_refund"  # the platform says the buyer asked for a refund (the bench holds it)
    IMPORT_HOLD = "import_hold"  # an import changed the order under the bench: on hold with the reason
    PACK = "pack"  # the bench links the last parcel's waybill
    HAND_OVER = "hand_over"  # every parcel is on a closed manifest
    RELEASE = "release"  # a supervisor releases a hold or takes the order back from its bench
    CANCEL = "cancel"  # a supervisor cancels it
    UNLINK = "unlink"  # a supervisor unlinks a waybill of a packed order: back to packing at its bench
    REOPEN = "reopen"  # a supervisor reopens the closed manifest it is on


@dataclass(frozen=True)
class Rule:
    """One row of the table: from which states ``event`` goes to ``to``, and what it implies."""

    sources: tuple[str, ...]
    to: str
    clears: tuple[tuple[str, object], ...] = ()
    sets: tuple[str, ...] = ()
    reset_scans: bool = False
    audit: str | None = None


TRANSITIONS: dict[OrderEvent, Rule] = {
    OrderEvent.CLAIM: Rule((READY,), PACKING, sets=("station_id", "packer_id", "packing_started_at")),
    OrderEvent.PUT_BACK: Rule((PACKING,), READY, clears=(("station_id", None), ("packer_id", None),
                                                         ("packing_started_at", None), ("waybill", None)),
                              reset_scans=True),
    OrderEvent.HOLD: Rule((PACKING,), ON_HOLD, clears=(("station_id", None),), sets=("hold_reason",)),
    OrderEvent.HOLD_REFUND: Rule((READY, PACKING), ON_HOLD, clears=(("station_id", None),), sets=("hold_reason",)),
    OrderEvent.IMPORT_HOLD: Rule((READY, PACKING), ON_HOLD, clears=(("station_id", None),), sets=("hold_reason",),
                                 audit="import_hold"),
    OrderEvent.PACK: Rule((PACKING,), PACKED, sets=("packed_at", "waybill")),
    OrderEvent.HAND_OVER: Rule((PACKED,), HANDED_OVER, sets=("handed_over_at",)),
    OrderEvent.RELEASE: Rule((ON_HOLD, PACKING), READY,
                             clears=(("station_id", None), ("packer_id", None), ("packing_started_at", None),
                                     ("hold_reason", ""), ("waybill", None)),
                             reset_scans=True, audit="release_hold"),
    OrderEvent.CANCEL: Rule((READY, ON_HOLD, PACKING), CANCELLED, audit="cancel"),
    OrderEvent.UNLINK: Rule((PACKED,), PACKING, clears=(("packed_at", None), ("waybill", None)), audit="unlink"),
    OrderEvent.REOPEN: Rule((HANDED_OVER,), PACKED, clears=(("handed_over_at", None),), audit="reopen_manifest"),
}


@dataclass(frozen=True)
class Transition:
    """What ``event`` does to an order in state ``source``: its new state and the effects implied."""

    event: OrderEvent
    source: str
    to: str
    clears: tuple[tuple[str, object], ...]
    sets: tuple[str, ...]
    reset_scans: bool
    audit: str | None

    def values(self, supplied: dict[str, object] | None = None) -> dict[str, object]:
        """The order row's new values: the state, the cleared columns and the ``supplied`` ones
        (exactly the columns of ``sets``)."""
        supplied = dict(supplied or {})
        if set(supplied) != set(self.sets):
            raise ValueError(f"{self.event.value} sets {sorted(self.sets)}, given {sorted(supplied)}")
        return {"state": self.to, **dict(self.clears), **supplied}


class TransitionRefused(ValueError):
    """The event is not allowed from the order's state (or is no event at all)."""

    def __init__(self, state: str, event: str) -> None:
        allowed = TRANSITIONS.get(event)  # type: ignore[call-overload]
        if allowed is None:
            text = f"no order event {event!r}"
        else:
            text = f"an order that is {state} cannot {event} (only from {', '.join(allowed.sources)})"
        super().__init__(text)
        self.state = state
        self.event = event


def rule(event: OrderEvent | str) -> Rule:
    try:
        return TRANSITIONS[OrderEvent(event)]
    except ValueError:
        raise TransitionRefused("", str(event)) from None


def transition(state: str, event: OrderEvent | str) -> Transition:
    """The transition ``event`` makes from ``state``; :class:`TransitionRefused` when not allowed."""
    r = rule(event)
    state = str(state)
    if state not in r.sources:
        raise TransitionRefused(state, OrderEvent(event).value)
    return Transition(OrderEvent(event), state, r.to, r.clears, r.sets, r.reset_scans, r.audit)


def allowed(state: str, event: OrderEvent | str) -> bool:
    try:
        transition(state, event)
    except TransitionRefused:
        return False
    return True
