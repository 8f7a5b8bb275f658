"""The order lifecycle applied to the database (:func:`app.packing.repository.change_state`): one
conditional UPDATE with its audit event in the caller's unit of work, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.demo import seed_demo
from app.models.audit_chain import verify
from app.models.schema import Order, OrderState, ScanEvent
from app.packing.lifecycle import OrderEvent, TransitionRefused
from app.packing.repository import change_state


def _ready_order(services) -> tuple[int, str]:
    seed_demo(services)
    with services.read_uow() as uow:
        row = uow.session.execute(select(Order.id, Order.order_no).where(Order.state == OrderState.READY.value)
                                  .order_by(Order.id).limit(1)).one()
    return row.id, row.order_no


def _state_and_events(services, order_id: int):
    with services.read_uow() as uow:
        s = uow.session
        state = s.scalar(select(Order.state).where(Order.id == order_id))
        events = s.execute(select(ScanEvent.kind, ScanEvent.raw, ScanEvent.message, ScanEvent.reason)
                           .where(ScanEvent.order_id == order_id).order_by(ScanEvent.id)).all()
        chain_ok = verify(s).ok
    return state, events, chain_ok


def test_a_change_and_its_audit_event_commit_together(services, clock):
    order_id, order_no = _ready_order(services)
    audit = {"at": clock(), "station_id": None, "user_id": None, "raw": order_no, "message": "gone", "reason": "why"}
    with services.uow() as uow:
        assert change_state(uow.session, OrderEvent.CANCEL, order_id=order_id, source=OrderState.READY.value,
                            audit=audit) == 1
    state, events, chain_ok = _state_and_events(services, order_id)
    assert state == OrderState.CANCELLED.value
    assert events == [("cancel", order_no, "gone", "why")]
    assert chain_ok
    # The same change again finds the order moved on: nothing is written, no second event.
    with services.uow() as uow:
        assert change_state(uow.session, OrderEvent.CANCEL, order_id=order_id, source=OrderState.READY.value,
                            audit=audit) == 0
    assert _state_and_events(services, order_id) == (OrderState.CANCELLED.value, events, True)


def test_a_rolled_back_unit_of_work_keeps_neither(services, clock):
    order_id, order_no = _ready_order(services)
    with pytest.raises(RuntimeError), services.uow() as uow:
        change_state(uow.session, OrderEvent.IMPORT_HOLD, order_id=order_id, values={"hold_reason": "changed"},
                     audit={"at": clock(), "raw": order_no, "message": "held", "reason": "changed"})
        raise RuntimeError("the caller failed after the change")
    assert _state_and_events(services, order_id) == (OrderState.READY.value, [], True)


def test_a_disallowed_transition_is_refused_before_any_write(services):
    order_id, _ = _ready_order(services)
    with pytest.raises(TransitionRefused, match="an order that is packed cannot cancel"), services.uow() as uow:
        change_state(uow.session, OrderEvent.CANCEL, order_id=order_id, source=OrderState.PACKED.value)
    with pytest.raises(ValueError, match="hold sets"), services.uow() as uow:
        change_state(uow.session, OrderEvent.HOLD, order_id=order_id, source=OrderState.PACKING.value)
    assert _state_and_events(services, order_id)[:2] == (OrderState.READY.value, [])
