"""What came of a scan's writes (:func:`app.packing.repository.apply`), back into its decision.

Won: :func:`with_applied` fills in what only the database could choose (pool numbers, parcel ids, a
new manifest's number). Lost a race (:class:`app.packing.repository.Conflict`: another bench or a
supervisor changed the rows first, the rules decided on an out-of-date snapshot): :func:`lost_race`
refuses the scan with the reason, and nothing of it is kept (its unit of work writes only the
refusal's audit event).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from app.i18n import QT_TRANSLATE_NOOP, Message
from app.packing import repository as repo
from app.packing import rules
from app.packing.model import BenchState, OrderSnap
from app.packing.outcome import Level
from app.packing.rules import Decision

T = QT_TRANSLATE_NOOP


def with_applied(d: Decision, applied: repo.Applied, order: OrderSnap | None) -> tuple[Decision, OrderSnap | None]:
    """Fill in what only the database could choose: pool numbers, a new manifest."""
    if order is not None and applied.pool_numbers:
        for seq, number in applied.pool_numbers.items():
            parcel = order.parcel(seq)
            if parcel is not None:
                order = order.with_parcel(replace(parcel, preassigned_waybill=number))
            if seq == 1:
                order = replace(order, preassigned_waybill=number)
    if order is not None and applied.parcel_ids:
        for seq, parcel_id in applied.parcel_ids.items():
            parcel = order.parcel(seq)
            if parcel is not None:
                order = order.with_parcel(replace(parcel, id=parcel_id))
    if applied.manifest is not None:
        manifest_id, number = applied.manifest
        d = replace(d, state=replace(d.state, manifest_id=manifest_id), manifest_id=manifest_id,
                    message=Message(d.message.template, {**d.message.params, "manifest_no": number}))
    return d, order


def lost_race(s: Session, bench: rules.Bench, st: BenchState, d: Decision, conflict: repo.Conflict,
              order: OrderSnap | None, target: OrderSnap | None) -> tuple[Decision, OrderSnap | None]:
    """Another bench or a supervisor was faster: refuse with the reason, keep nothing of it. Returns
    the refusal and the order the bench shows with it (None: as it is loaded)."""
    kind, reason = d.kind, conflict.reason

    def refused(template: str, state: BenchState = st, **params) -> Decision:
        return Decision(False, Level.REFUSED, Message(template, params), kind, state, d.order_id, st.manifest_id)

    if reason == "claim" and target is not None:
        fresh = repo.load_order_by_no(s, target.order_no) or target
        out = rules.why_not_openable(bench, st, fresh) or refused(
            T("Outcome", "Order {order_no} was just taken by another bench"), order_no=target.order_no)
        return replace(out, order_id=target.id), None
    if reason == "over_scan" and order is not None:
        effect = next(e for e in d.effects if isinstance(e, rules.AddUnit))
        line = next(x for x in order.lines if x.id == effect.line_id)
        return refused(T("Outcome", "Over-scan: {name} already {scanned}/{quantity}"),
                       name=line.name, scanned=line.quantity, quantity=line.quantity), None
    if reason == "waybill_taken":
        number = conflict.details["number"]
        return refused(T("Outcome", "Waybill {number} is already on order {other}"),
                       number=number, other=repo.waybill_owner(s, number) or "?"), order
    if reason == "manifest_taken":
        number = d.message.params.get("number", "")
        return refused(T("Outcome", "{number} was just added to another manifest"), number=number), None
    if reason == "manifest_closed":
        return refused(T("Outcome", "This manifest was already closed"), replace(st, manifest_id=None)), None
    # taken_away: the order is no longer this bench's
    state_now = repo.order_state(s, st.order_id) if st.order_id is not None else None
    gone = replace(st, order_id=None, last_line=None)
    if kind == "waybill":
        out = refused(T("Outcome", "Order {order_no} is no longer yours to pack ({state})"), gone,
                      order_no=order.order_no if order else "?", state=state_now or "deleted")
    else:
        out = refused(T("Outcome", "Order {order_no} was taken off this bench ({state}): set it aside"), gone,
                      order_no=order.order_no if order else "?", state=state_now or "deleted")
    return replace(out, order_id=st.order_id), None
