"""E-waybill figures for the supervisor (read-only): numbers taken and cancelled in a period, and
those taken but never linked (a label printed and not used: the parcel still open, or a number to
cancel). The balances come from the platform (``pdd.waybill.search``), beside these."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.schema import Ewaybill, Order


def figures(s: Session, since: datetime, until: datetime) -> dict[str, Any]:
    """``taken`` / ``cancelled`` in [since, until) per carrier, and every number ``unlinked`` (taken or
    printed, not linked, not cancelled) with its order and whether that order is still being packed."""
    taken = dict(s.execute(select(Ewaybill.carrier_code, func.count()).where(Ewaybill.taken_at >= since,
                                                                             Ewaybill.taken_at < until)
                           .group_by(Ewaybill.carrier_code)).all())
    cancelled = dict(s.execute(select(Ewaybill.carrier_code, func.count())
                               .where(Ewaybill.cancelled_at >= since, Ewaybill.cancelled_at < until,
                                      Ewaybill.waybill_code.is_not(None))
                               .group_by(Ewaybill.carrier_code)).all())
    rows = s.execute(select(Order.order_no, Order.state, Ewaybill.parcel_seq, Ewaybill.carrier_code,
                            Ewaybill.branch_code, Ewaybill.waybill_code, Ewaybill.state.label("e_state"),
                            Ewaybill.taken_at)
                     .join(Order, Order.id == Ewaybill.order_id)
                     .where(Ewaybill.state.in_(("taken", "printed"))).order_by(Ewaybill.taken_at)).all()
    unlinked = [{"order_no": r.order_no, "order_state": r.state, "parcel": r.parcel_seq, "carrier": r.carrier_code,
                 "branch": r.branch_code, "waybill_code": r.waybill_code, "state": r.e_state,
                 "taken_at": r.taken_at.isoformat() if r.taken_at else None,
                 "open": r.state == "packing"} for r in rows]
    carriers = sorted(set(taken) | set(cancelled) | {u["carrier"] for u in unlinked})
    return {"since": since.isoformat(), "until": until.isoformat(),
            "carriers": [{"carrier": c, "taken": int(taken.get(c, 0)), "cancelled": int(cancelled.get(c, 0)),
                          "taken_not_linked": sum(1 for u in unlinked if u["carrier"] == c)} for c in carriers],
            "unlinked": unlinked,
            "unused": sum(1 for u in unlinked if not u["open"])}  # a label printed, its order not being packed


def today(now: datetime) -> tuple[datetime, datetime]:
    """The UTC day of ``now``: [midnight, next midnight)."""
    since = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return since, since + timedelta(days=1)
