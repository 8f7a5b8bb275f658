"""Ship-by times, as SQL: one definition for the supervisor's figures (:mod:`app.reports.summary`)
and the bench's idle screen (how many orders are due soon).

An order's ship-by time is the platform's (``last_ship_time``), else 24 hours after its creation
(orders imported from files keep the 24-hour rule). Only bound values in the SQL: the same
statement serves SQLite and PostgreSQL and the ``(state, ship_by)`` index.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.models.schema import Order, OrderState

FILE_SHIP_HOURS = 24  # an order without the platform's ship-by time: 24 hours from its creation
# Not yet packed: a ship-by in these states is still the site's to meet.
NOT_PACKED = (OrderState.READY.value, OrderState.PACKING.value, OrderState.ON_HOLD.value)


def ship_by_before(at: datetime):
    """The order's ship-by time is before ``at``."""
    return or_(and_(Order.ship_by.is_not(None), Order.ship_by < at),
               and_(Order.ship_by.is_(None), Order.created_at < at - timedelta(hours=FILE_SHIP_HOURS)))


def due_soon_clause(now: datetime, hours: int):
    """Not yet packed, ship-by within ``hours`` from ``now`` and not yet passed. Written as two ranges,
    one per index (``(state, ship_by)``; ``(state, created_at)`` for orders without a ship-by): the
    same condition as ``ship_by_before(now + hours) and not ship_by_before(now)``, which read every
    not-yet-packed order without a ship-by (375 ms at 1 M orders on the bench's idle screen)."""
    soon = now + timedelta(hours=hours)
    file_hours = timedelta(hours=FILE_SHIP_HOURS)
    return or_(and_(Order.state.in_(NOT_PACKED), Order.ship_by >= now, Order.ship_by < soon),
               and_(Order.state.in_(NOT_PACKED), Order.ship_by.is_(None), Order.created_at >= now - file_hours,
                    Order.created_at < soon - file_hours))


def due_soon_count(s: Session, now: datetime, hours: int) -> int:
    """How many orders are due soon (the bench's idle screen; the supervisor's tile counts the same)."""
    return int(s.scalar(select(func.count()).select_from(Order).where(due_soon_clause(now, hours))) or 0)
