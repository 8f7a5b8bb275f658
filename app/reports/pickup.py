"""The pickup watch's figures (issue 22), as plain data: the summary's tiles, the list of parcels
handed over without a pickup scan, the per-courier table, each manifest's "picked up N of M" and an
order's parcels' pickups. Read-only over ``parcel_tracking`` (kept by :mod:`app.platform.tracker`).

* ``not_picked_up``: handed over more than ``pickup_alert_hours`` ago, no pickup (lost ones too);
* ``pickup_overdue``: no pickup more than 24 hours after the platform confirmed the shipment (the
  platform's fine line; a parcel whose shipment the platform never confirmed, as on the ``file``
  channel, from its handover);
* ``trace_exceptions``: parcels whose trace shows a FAIL, a REJECTION or a RETURN in the last
  ``WATCH_DAYS`` days.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.schema import Manifest, ManifestItem, Order, Parcel, ParcelTracking, PlatformJob

T = ParcelTracking
FINE_HOURS = 24  # the platform's rule: a pickup scan within 24 hours of the upload
WATCH_DAYS = 7
LIST_LIMIT = 200


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone().isoformat(timespec="seconds") if dt else None


def pickup_figures(s: Session, now: datetime, alert_hours: int = 12) -> dict[str, Any]:
    counts = figure_counts(now, alert_hours)
    row = s.execute(select(*(q.scalar_subquery() for q in counts.values()))).one()  # one round trip
    return {**{name: int(n or 0) for name, n in zip(counts, row, strict=True)}, "pickup_alert_hours": alert_hours}


FIGURE_COUNTS = ("not_picked_up", "pickup_overdue", "trace_exceptions")


def figure_counts(now: datetime, alert_hours: int = 12) -> dict[str, Any]:
    """``pickup_figures``' counts as SELECTs, by name (the summary reads them with its other counts)."""
    return figure_counts_at(**figure_count_times(now, alert_hours))


def figure_count_times(now: datetime, alert_hours: int = 12) -> dict[str, datetime]:
    """The times ``figure_counts_at`` compares with, by name."""
    return {"alert": now - timedelta(hours=alert_hours), "fine": now - timedelta(hours=FINE_HOURS),
            "watch_since": now - timedelta(days=WATCH_DAYS)}


def figure_counts_at(alert, fine, watch_since) -> dict[str, Any]:
    """The same from its times (datetimes, or bind parameters: the summary builds its statement once)."""
    waiting = T.picked_up_at.is_(None)
    not_picked = select(func.count()).select_from(T).where(waiting, T.handed_over_at < alert)
    # Only the waiting parcels older than the fine line can be overdue: a range of the partial index.
    confirmed = (select(func.min(PlatformJob.confirmed_at))
                 .where(PlatformJob.order_id == T.order_id, PlatformJob.kind.in_(("ship", "extra")),
                        PlatformJob.state == "confirmed").correlate(T).scalar_subquery())
    overdue = (select(func.count()).select_from(T)
               .where(waiting, T.handed_over_at < fine, func.coalesce(confirmed, T.handed_over_at) < fine))
    exceptions = select(func.count()).select_from(T).where(T.exception_action.is_not(None),
                                                           T.exception_time >= watch_since)
    return {"not_picked_up": not_picked, "pickup_overdue": overdue, "trace_exceptions": exceptions}


def trace_last(row: Any) -> dict[str, Any] | None:
    if row.trace_action is None:
        return None
    return {"action": row.trace_action, "time": _iso(row.trace_time), "desc": row.trace_desc}


def not_picked_up(s: Session, now: datetime, limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """The parcels handed over without a pickup scan, oldest handover first: each with its order,
    waybill, courier, manifest, last trace line, newest exception, lost flag and why it is not
    followed (if so)."""
    return _parcels(s, now, T.picked_up_at.is_(None), (T.handed_over_at, T.parcel_id), limit)


def trace_exceptions(s: Session, now: datetime, limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """The parcels whose trace shows a FAIL, REJECTION or RETURN in the last ``WATCH_DAYS`` days
    (picked up or not), newest exception first, in the carrier's words."""
    return _parcels(s, now, T.exception_time >= now - timedelta(days=WATCH_DAYS),
                    (T.exception_time.desc(), T.parcel_id), limit)


def _parcels(s: Session, now: datetime, where: Any, order: tuple, limit: int) -> list[dict[str, Any]]:
    rows = s.execute(
        select(T, Order.order_no, Order.carrier_code, Parcel.waybill, Parcel.seq, Manifest.manifest_no)
        .join(Order, Order.id == T.order_id).join(Parcel, Parcel.id == T.parcel_id)
        .outerjoin(ManifestItem, ManifestItem.parcel_id == T.parcel_id)
        .outerjoin(Manifest, Manifest.id == ManifestItem.manifest_id)
        .where(where).order_by(*order).limit(limit)).all()
    out = []
    for t, order_no, carrier, waybill, seq, manifest_no in rows:
        out.append({"order_no": order_no, "parcel": seq, "waybill": waybill, "carrier": carrier,
                    "manifest": manifest_no, "handed_over_at": _iso(t.handed_over_at),
                    "hours": round((now - t.handed_over_at).total_seconds() / 3600, 1),
                    "trace_last": trace_last(t),
                    "exception": ({"action": t.exception_action, "time": _iso(t.exception_time),
                                   "desc": t.exception_desc} if t.exception_action else None),
                    "picked_up_at": _iso(t.picked_up_at), "lost": bool(t.lost), "error": t.last_error or None})
    return out


COURIER_DAYS = 30  # an open period's per-courier table: the handovers of the last 30 days


def by_courier(s: Session, since: datetime | None = None, until: datetime | None = None,
               now: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Per carrier, parcels handed over in the period (an open start: the last ``COURIER_DAYS``
    before ``now``): ``handed_over``, ``picked_up`` and the median time from handover to pickup
    (``median_pickup_minutes``; picked up by the trace only)."""
    query = (select(Order.carrier_code, T.handed_over_at, T.picked_up_at, T.picked_up_by)
             .join(Order, Order.id == T.order_id))  # handed_over_at: a range of ix_parcel_tracking_handed
    if since is None and now is not None:
        since = now - timedelta(days=COURIER_DAYS)
    if since is not None:
        query = query.where(T.handed_over_at >= since)
    if until is not None:
        query = query.where(T.handed_over_at < until)
    out: dict[str, dict[str, Any]] = {}
    waits: dict[str, list[float]] = {}
    for carrier, handed, picked, by in s.execute(query):
        row = out.setdefault(carrier or "-", {"handed_over": 0, "picked_up": 0, "median_pickup_minutes": None})
        row["handed_over"] += 1
        if picked is not None:
            row["picked_up"] += 1
            if by == "trace":
                waits.setdefault(carrier or "-", []).append((picked - handed).total_seconds() / 60)
    for carrier, values in waits.items():
        out[carrier]["median_pickup_minutes"] = round(statistics.median(values), 1)
    return dict(sorted(out.items()))


def manifest_pickups(s: Session, manifest_ids: list[int] | None = None) -> dict[str, tuple[int, int]]:
    """``{manifest_no: (parcels, picked up)}``: a manifest picked up by hand counts all its parcels."""
    query = (select(Manifest.manifest_no, Manifest.picked_up_at, func.count(ManifestItem.id), func.count(T.picked_up_at))
             .join(ManifestItem, ManifestItem.manifest_id == Manifest.id)
             .outerjoin(T, T.parcel_id == ManifestItem.parcel_id)
             .group_by(Manifest.id, Manifest.manifest_no, Manifest.picked_up_at))
    if manifest_ids is not None:
        query = query.where(Manifest.id.in_(manifest_ids))
    return {no: (n, n if by_hand is not None else int(p or 0)) for no, by_hand, n, p in s.execute(query)}


def order_pickups(s: Session, order_id: int) -> dict[int, dict[str, Any]]:
    """``{parcel seq: {"picked_up_at", "trace_last"}}`` of an order's handed-over parcels."""
    rows = s.execute(select(Parcel.seq, T).join(T, T.parcel_id == Parcel.id).where(Parcel.order_id == order_id)).all()
    return {seq: {"picked_up_at": _iso(t.picked_up_at), "trace_last": trace_last(t)} for seq, t in rows}


def recent_manifests(s: Session, now: datetime, days: int = WATCH_DAYS, limit: int = 50) -> list[dict[str, Any]]:
    """The manifests closed in the last ``days``, newest first, with "picked up N of M"."""
    rows = s.execute(select(Manifest.id, Manifest.manifest_no, Manifest.carrier_code, Manifest.closed_at)
                     .where(Manifest.closed_at >= now - timedelta(days=days))
                     .order_by(Manifest.closed_at.desc()).limit(limit)).all()
    counts = manifest_pickups(s, [r.id for r in rows]) if rows else {}
    return [{"manifest": r.manifest_no, "carrier": r.carrier_code, "closed_at": _iso(r.closed_at),
             "parcels": counts.get(r.manifest_no, (0, 0))[0], "picked_up": counts.get(r.manifest_no, (0, 0))[1]}
            for r in rows]
