"""The order lifecycle with plain values: every (state, event) pair, allowed or refused."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

from app.models.states import ORDER_STATES, OrderState
from app.packing import lifecycle
from app.packing.lifecycle import OrderEvent, TransitionRefused, transition

S = OrderState
# event -> {from state: to state}; every pair not listed is refused.
EXPECTED: dict[OrderEvent, dict[str, str]] = {
    OrderEvent.CLAIM: {S.READY: S.PACKING},
    OrderEvent.PUT_BACK: {S.PACKING: S.READY},
    OrderEvent.HOLD: {S.PACKING: S.ON_HOLD},
    OrderEvent.HOLD_REFUND: {S.READY: S.ON_HOLD, S.PACKING: S.ON_HOLD},
    OrderEvent.IMPORT_HOLD: {S.READY: S.ON_HOLD, S.PACKING: S.ON_HOLD},
    OrderEvent.PACK: {S.PACKING: S.PACKED},
    OrderEvent.HAND_OVER: {S.PACKED: S.HANDED_OVER},
    OrderEvent.RELEASE: {S.ON_HOLD: S.READY, S.PACKING: S.READY},
    OrderEvent.CANCEL: {S.READY: S.CANCELLED, S.ON_HOLD: S.CANCELLED, S.PACKING: S.CANCELLED},
    OrderEvent.UNLINK: {S.PACKED: S.PACKING},
    OrderEvent.REOPEN: {S.HANDED_OVER: S.PACKED},
}
# event -> (cleared columns with their value, supplied columns, scans reset, audit kind)
EFFECTS: dict[OrderEvent, tuple[dict, set, bool, str | None]] = {
    OrderEvent.CLAIM: ({}, {"station_id", "packer_id", "packing_started_at"}, False, None),
    OrderEvent.PUT_BACK: ({"station_id": None, "packer_id": None, "packing_started_at": None, "waybill": None},
                          set(), True, None),
    OrderEvent.HOLD: ({"station_id": None}, {"hold_reason"}, False, None),
    OrderEvent.HOLD_REFUND: ({"station_id": None}, {"hold_reason"}, False, None),
    OrderEvent.IMPORT_HOLD: ({"station_id": None}, {"hold_reason"}, False, "import_hold"),
    OrderEvent.PACK: ({}, {"packed_at", "waybill"}, False, None),
    OrderEvent.HAND_OVER: ({}, {"handed_over_at"}, False, None),
    OrderEvent.RELEASE: ({"station_id": None, "packer_id": None, "packing_started_at": None, "hold_reason": "",
                          "waybill": None}, set(), True, "release_hold"),
    OrderEvent.CANCEL: ({}, set(), False, "cancel"),
    OrderEvent.UNLINK: ({"packed_at": None, "waybill": None}, set(), False, "unlink"),
    OrderEvent.REOPEN: ({"handed_over_at": None}, set(), False, "reopen_manifest"),
}


def test_the_table_names_every_event():
    assert set(EXPECTED) == set(OrderEvent) == set(lifecycle.TRANSITIONS)


@pytest.mark.parametrize(("state", "event"), list(itertools.product(ORDER_STATES, OrderEvent)))
def test_every_state_and_event(state, event):
    to = EXPECTED[event].get(state)
    if to is None:
        with pytest.raises(TransitionRefused) as refused:
            transition(state, event)
        assert refused.value.state == state and refused.value.event == event.value
        assert f"an order that is {state} cannot {event.value}" in str(refused.value)
        assert not lifecycle.allowed(state, event)
        return
    t = transition(state, event)
    cleared, supplied, reset, audit = EFFECTS[event]
    assert (t.event, t.source, t.to) == (event, state, to)
    assert dict(t.clears) == cleared
    assert set(t.sets) == supplied
    assert t.reset_scans is reset
    assert t.audit == audit
    assert lifecycle.allowed(state, event.value)  # the plain name works as well


@pytest.mark.parametrize("event", list(OrderEvent))
def test_values_are_the_new_row(event):
    state = next(iter(EXPECTED[event]))
    t = transition(state, event)
    supplied = {name: f"given {name}" for name in t.sets}
    assert t.values(supplied) == {"state": EXPECTED[event][state], **dict(t.clears), **supplied}


def test_values_must_be_exactly_what_the_event_sets():
    t = transition(S.READY, OrderEvent.CLAIM)
    with pytest.raises(ValueError, match="claim sets"):
        t.values({"station_id": 1})
    with pytest.raises(ValueError, match="cancel sets"):
        transition(S.READY, OrderEvent.CANCEL).values({"waybill": "X"})


def test_an_unknown_event_is_refused():
    with pytest.raises(TransitionRefused, match="no order event 'ship'"):
        transition(S.READY, "ship")
    assert not lifecycle.allowed(S.READY, "ship")


def test_nothing_leaves_a_cancelled_order():
    assert not any(lifecycle.allowed(S.CANCELLED, e) for e in OrderEvent)


def test_the_lifecycle_and_the_states_import_no_sqlalchemy():
    code = ("import sys, app.packing.lifecycle, app.packing.rules; "
            "sys.exit(1 if any(m == 'sqlalchemy' or m.startswith('sqlalchemy.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
