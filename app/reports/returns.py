"""Returns as plain data: each return with its lines (claimed, returned good or damaged, foreign,
missing), its clips, and a ``restock`` count per SKU of the good units; the summary's three figures.

Read-only, Qt-free: ``packgate returns``, ``order --json``'s ``returns``, ``summary --json`` and the
supervisor's Returns tab read these.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from app.models.evidence import EvidenceClip
from app.models.returns import LineKind, Return, ReturnLine, ReturnState
from app.models.schema import Order, Station, User


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def _when():
    """The time a return counts at: its close, else its open, else the platform's case."""
    return func.coalesce(Return.closed_at, Return.opened_at, Return.expected_at, Return.created_at)


def discrepancy_clause():
    """A closed return with something missing, foreign or damaged."""
    return exists(select(1).where(ReturnLine.return_id == Return.id,
                                  or_(ReturnLine.kind.in_((LineKind.MISSING.value, LineKind.FOREIGN.value)),
                                      and_(ReturnLine.kind == LineKind.RETURNED.value, ReturnLine.condition == "damaged"))))


def returns_list(s: Session, start: datetime | None = None, end: datetime | None = None, *,
                 order_id: int | None = None, state: str | None = None, with_clips: bool = True) -> list[dict[str, Any]]:
    """Each return in [start, end) (or of one order), newest first."""
    q = (select(Return, Order.order_no, Station.name, User.name)
         .outerjoin(Order, Order.id == Return.order_id).outerjoin(Station, Station.id == Return.station_id)
         .outerjoin(User, User.id == Return.packer_id))
    if start is not None:
        q = q.where(_when() >= start)
    if end is not None:
        q = q.where(_when() < end)
    if order_id is not None:
        q = q.where(Return.order_id == order_id)
    if state is not None:
        q = q.where(Return.state == state)
    rows = s.execute(q.order_by(_when().desc(), Return.id.desc())).all()
    ids = [r[0].id for r in rows]
    lines: dict[int, list] = {i: [] for i in ids}
    if ids:
        for line in s.scalars(select(ReturnLine).where(ReturnLine.return_id.in_(ids)).order_by(ReturnLine.id)):
            lines[line.return_id].append(line)
    out = []
    for ret, order_no, station, packer in rows:
        mine = lines[ret.id]

        def of(kind: str, rows=mine) -> list[dict[str, Any]]:
            return [{"sku": x.sku, "qty": x.qty} for x in rows if x.kind == kind]

        returned = [{"sku": x.sku, "qty": x.qty, "condition": x.condition} for x in mine if x.kind == LineKind.RETURNED.value]
        missing, foreign = of(LineKind.MISSING.value), of(LineKind.FOREIGN.value)
        damaged = sum(x["qty"] for x in returned if x["condition"] == "damaged")
        out.append({
            "id": ret.id,
            "order_no": order_no,
            "matched": ret.order_id is not None,
            "state": ret.state,
            "return_waybill": ret.return_waybill,
            "after_sales_id": ret.after_sales_id,
            "after_sales_type": ret.after_sales_type,
            "after_sales_status": ret.after_sales_status,
            "reason": ret.reason,
            "station": station,
            "packer": packer,
            "expected_at": _iso(ret.expected_at),
            "opened_at": _iso(ret.opened_at),
            "closed_at": _iso(ret.closed_at),
            "claimed": of(LineKind.CLAIMED.value),
            "lines": returned,
            "missing": missing,
            "foreign": foreign,
            "damaged": damaged,
            "discrepancy": ret.state == ReturnState.CLOSED.value and bool(missing or foreign or damaged),
            "clips": return_clips(s, ret, order_no) if with_clips else [],
        })
    return out


def return_clips(s: Session, ret: Return, order_no: str | None) -> list[dict[str, Any]]:
    """The clips of kind ``return`` that show this return: recorded under its order's number (an
    unmatched parcel's: its waybill); with several returns of one order, each clip goes to the
    return opened nearest to its start."""
    name = order_no or ret.return_waybill
    if name is None or ret.opened_at is None:
        return []
    clips = s.scalars(select(EvidenceClip).where(EvidenceClip.kind == "return", EvidenceClip.order_no == name)
                      .order_by(EvidenceClip.started_at)).all()
    if not clips:
        return []
    siblings = select(Return.id, Return.opened_at).where(Return.opened_at.is_not(None))
    siblings = siblings.where(Return.order_id == ret.order_id) if ret.order_id is not None else \
        siblings.where(Return.id == ret.id)
    opened = s.execute(siblings).all()

    def nearest(clip: EvidenceClip) -> int:
        return min(opened, key=lambda r: abs((clip.started_at - r.opened_at).total_seconds())).id

    return [{"path": c.path, "sha256": c.sha256, "state": c.state, "started_at": _iso(c.started_at),
             "ended_at": _iso(c.ended_at), "station": c.station} for c in clips if nearest(c) == ret.id]


def restock(returns: list[dict[str, Any]]) -> dict[str, int]:
    """Good units back per SKU (what can go back on the shelf), over closed matched returns."""
    counts: dict[str, int] = {}
    for ret in returns:
        if ret["state"] != ReturnState.CLOSED.value:
            continue
        for line in ret["lines"]:
            if line["condition"] == "good":
                counts[line["sku"]] = counts.get(line["sku"], 0) + line["qty"]
    return dict(sorted(counts.items()))


def returns_board(s: Session, limit: int = 200) -> dict[str, list[dict[str, Any]]]:
    """The supervisor's Returns tab: closed returns with a discrepancy (missing, foreign, damaged),
    newest first; returns expected and not yet received; unmatched returns to attach to an order."""
    closed = returns_list(s, state=ReturnState.CLOSED.value, with_clips=False)
    return {"discrepancies": [r for r in closed if r["discrepancy"] and r["matched"]][:limit],
            "expected": returns_list(s, state=ReturnState.EXPECTED.value, with_clips=False)[:limit],
            "unmatched": [r for r in closed if not r["matched"]][:limit]}


def return_figures(s: Session, start: datetime | None = None, end: datetime | None = None) -> dict[str, int]:
    """``returns_expected``: expected now (the platform said, not yet received); ``returns_received``
    and ``returns_with_discrepancy``: closed in the period. One statement."""
    counts = figure_counts(start, end)
    row = s.execute(select(*(q.scalar_subquery() for q in counts.values()))).one()
    return {name: int(n or 0) for name, n in zip(counts, row, strict=True)}


FIGURE_COUNTS = ("returns_expected", "returns_received", "returns_with_discrepancy")


def figure_counts(start: datetime | None = None, end: datetime | None = None) -> dict[str, Any]:
    """``return_figures``' counts as SELECTs, by name (the summary reads them with its other counts)."""
    closed = [Return.state == ReturnState.CLOSED.value]
    if start is not None:
        closed.append(Return.closed_at >= start)
    if end is not None:
        closed.append(Return.closed_at < end)
    return {"returns_expected": select(func.count()).select_from(Return).where(Return.state == ReturnState.EXPECTED.value),
            "returns_received": select(func.count()).select_from(Return).where(*closed),
            "returns_with_discrepancy": select(func.count()).select_from(Return).where(*closed, discrepancy_clause())}
