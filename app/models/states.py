"""The states an order goes through, as plain values (no SQLAlchemy): the schema's ``orders.state``
column and its check constraint use them, and the pure rules and the order lifecycle
(:mod:`app.packing.lifecycle`) decide on them without importing the ORM."""

from __future__ import annotations

from enum import StrEnum


class OrderState(StrEnum):
    READY = "ready"
    PACKING = "packing"
    PACKED = "packed"
    HANDED_OVER = "handed_over"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"


ORDER_STATES = tuple(s.value for s in OrderState)
