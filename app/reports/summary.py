"""Supervisor figures: one set of functions for ``packgate summary`` and the supervisor view.

A period is a half-open range of aware datetimes ``[start, end)``; without one, state counts cover
the whole database. Everything is computed with aggregate SQL (no rows pulled into Python) on the
indexes on orders(state, created_at), orders(packed_at) and scan_events(at).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.models.schema import ORDER_STATES, Order, OrderState, Station, User


@dataclass(frozen=True)
class Period:
    start: datetime | None = None
    end: datetime | None = None

    def clause(self, column):
        parts = []
        if self.start is not None:
            parts.append(column >= self.start)
        if self.end is not None:
            parts.append(column < self.end)
        return and_(*parts) if parts else None


def orders_by_state(s: Session) -> dict[str, int]:
    counts = dict(s.execute(select(Order.state, func.count()).group_by(Order.state)).all())
    return {state: int(counts.get(state, 0)) for state in ORDER_STATES}


def packed_without_waybill(s: Session) -> int:
    return int(s.scalar(
        select(func.count()).select_from(Order)
        .where(Order.state.in_((OrderState.PACKED.value, OrderState.HANDED_OVER.value)),
               or_(Order.waybill.is_(None), Order.waybill == ""))
    ) or 0)


def late_orders(s: Session, now: datetime, late_hours: int = 24) -> int:
    cutoff = now - timedelta(hours=late_hours)
    return int(s.scalar(
        select(func.count()).select_from(Order)
        .where(Order.state.in_((OrderState.READY.value, OrderState.PACKING.value)), Order.created_at < cutoff)
    ) or 0)


def by_carrier(s: Session, period: Period) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    packed_clause = period.clause(Order.packed_at)
    q = select(Order.carrier_code, Order.state, func.count()).where(Order.packed_at.is_not(None))
    if packed_clause is not None:
        q = q.where(packed_clause)
    for carrier, state, count in s.execute(q.group_by(Order.carrier_code, Order.state)):
        row = result.setdefault(carrier, {"packed": 0, "handed_over": 0, "awaiting_pickup": 0})
        row["packed"] += count
        if state == OrderState.HANDED_OVER.value:
            row["handed_over"] += count
        elif state == OrderState.PACKED.value:
            row["awaiting_pickup"] += count
    return dict(sorted(result.items()))


def by_packer(s: Session, period: Period) -> dict[str, dict[str, int]]:
    q = (select(User.name, func.count()).join(Order, Order.packer_id == User.id)
         .where(Order.packed_at.is_not(None)))
    clause = period.clause(Order.packed_at)
    if clause is not None:
        q = q.where(clause)
    return {name: {"orders": int(n)} for name, n in s.execute(q.group_by(User.name).order_by(User.name))}


def by_station(s: Session, period: Period) -> dict[str, dict[str, int]]:
    q = (select(Station.name, func.count()).join(Order, Order.station_id == Station.id)
         .where(Order.packed_at.is_not(None)))
    clause = period.clause(Order.packed_at)
    if clause is not None:
        q = q.where(clause)
    return {name: {"orders": int(n)} for name, n in s.execute(q.group_by(Station.name).order_by(Station.name))}


def summary(s: Session, now: datetime, period: Period | None = None, late_hours: int = 24) -> dict[str, Any]:
    period = period or Period()
    return {
        "orders_by_state": orders_by_state(s),
        "packed_without_waybill": packed_without_waybill(s),
        "late": late_orders(s, now, late_hours),
        "by_carrier": by_carrier(s, period),
        "by_packer": by_packer(s, period),
        "by_station": by_station(s, period),
    }
