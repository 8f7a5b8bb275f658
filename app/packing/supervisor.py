"""Supervisor actions: release a hold, cancel an order, unlink a wrong waybill, reopen a manifest.

Each action needs the supervisor's badge and PIN at that moment (:func:`authorize_supervisor`,
which audits the attempt) and a non-empty reason. The change and its audit event (kind
``release_hold``, ``cancel``, ``unlink`` or ``reopen_manifest``; ``reason`` filled; user = the
supervisor) commit in one transaction. Changes are conditional UPDATEs (``WHERE state = expected``)
so a bench that moved the order a moment earlier makes the action refuse instead of overwrite.
A refusal raises :class:`ActionRefused` and changes nothing.
"""

from __future__ import annotations

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.audit_chain import add_event
from app.models.schema import Manifest, ManifestItem, Order, OrderState, Parcel
from app.packing import ewaybills, lifecycle
from app.packing import repository as repo
from app.packing.actions import (
    ActionDone,
    ActionRefused,
    _audit,
    _authorize,
    _order,
    _refuse,
    _state_changed,
)
from app.packing.auth import NotAuthorized
from app.packing.lifecycle import OrderEvent
from app.packing.ports import Services
from app.packing.return_actions import attach_return

T = QT_TRANSLATE_NOOP

__all__ = ["ACTIONS", "ActionDone", "ActionRefused", "NotAuthorized", "cancel_order", "release_hold",
           "reopen_manifest", "run_action", "unlink_waybill"]


RELEASABLE = lifecycle.rule(OrderEvent.RELEASE).sources  # on_hold, packing


def release_hold(services: Services, badge: str, pin: str, order_no: str, reason: str, *,
                 station: str | None = None, only_from: str | None = None) -> ActionDone:
    """on_hold -> ready, or packing -> ready (a bench that died or was left with the order):
    scanned counts back to 0, the parcel row removed, the bench forgotten. ``only_from`` narrows it
    to one of the two (``packgate orders release`` is on_hold only, ``orders take-back`` packing only)."""
    sup, reason = _authorize(services, badge, pin, reason, "release_hold", station)
    with services.uow() as uow:
        s = uow.session
        order = _order(s, order_no)
        before = order.state
        if only_from == OrderState.ON_HOLD.value and before != only_from:
            raise _refuse(T("Outcome", "Order {order_no} is {state}, not on hold"),
                          order_no=order.order_no, state=order.state)
        if only_from == OrderState.PACKING.value and before != only_from:
            raise _refuse(T("Outcome", "Order {order_no} is {state}, not held by a bench"),
                          order_no=order.order_no, state=order.state)
        if before not in RELEASABLE:
            raise _refuse(T("Outcome", "Order {order_no} is {state}, not on hold nor held by a bench"),
                          order_no=order.order_no, state=order.state)
        if order.carrier_code is None:  # the database refuses a ready order without one: say why first
            raise _refuse(T("Outcome", "Order {order_no} has no carrier: choose its shop's carrier (packgate shops "
                                       "add SHOP ... --default-carrier CODE); the next pull releases it"),
                          order_no=order.order_no)
        if before == OrderState.ON_HOLD.value:
            msg = Message(T("Outcome", "Order {order_no} released from hold: ready to pack again"),
                          {"order_no": order.order_no})
        else:
            msg = Message(T("Outcome", "Order {order_no} taken back from its bench: ready to pack again"),
                          {"order_no": order.order_no})
        # every unit back on the shelf, every parcel unpacked, in the same change
        if repo.change_state(s, OrderEvent.RELEASE, order_id=order.id, source=before,
                             audit=_audit(s, services, sup, station, raw=order.order_no, message=msg,
                                          reason=reason)) != 1:
            s.refresh(order)
            raise _state_changed(order)
    return ActionDone("release_hold", msg, sup.name, order.order_no)


CANCELLABLE = lifecycle.rule(OrderEvent.CANCEL).sources  # ready, on_hold, packing


def cancel_order(services: Services, badge: str, pin: str, order_no: str, reason: str, *,
                 station: str | None = None) -> ActionDone:
    """ready, on_hold or packing -> cancelled. Packed and handed-over orders are refused."""
    sup, reason = _authorize(services, badge, pin, reason, "cancel", station)
    with services.uow() as uow:
        s = uow.session
        order = _order(s, order_no)
        if order.state == OrderState.PACKED.value:
            raise _refuse(T("Outcome", "Order {order_no} is already packed (waybill {waybill}): unlink the waybill first"),
                          order_no=order.order_no, waybill=order.waybill or "")
        if order.state == OrderState.HANDED_OVER.value:
            raise _refuse(T("Outcome", "Order {order_no} was handed over to the courier (waybill {waybill}): it cannot be cancelled here"),
                          order_no=order.order_no, waybill=order.waybill or "")
        if order.state == OrderState.CANCELLED.value:
            raise _refuse(T("Outcome", "Order {order_no} is already cancelled"), order_no=order.order_no)
        before = order.state
        msg = Message(T("Outcome", "Order {order_no} cancelled (was {state}): do not ship it"),
                      {"order_no": order.order_no, "state": before})
        if repo.change_state(s, OrderEvent.CANCEL, order_id=order.id, source=before,
                             audit=_audit(s, services, sup, station, raw=order.order_no, message=msg,
                                          reason=reason)) != 1:
            s.refresh(order)
            raise _state_changed(order)
        repo.correct_platform_jobs(s, order.id, "cancel", services.clock())
        ewaybills.cancel_unused(s, order.id, services.clock(), kind="cancel",
                                audit=_audit(s, services, sup, station, raw="", message=msg, reason=reason))
    return ActionDone("cancel", msg, sup.name, order.order_no)


def _parcel_to_unlink(s: Session, target: str) -> tuple[Order, Parcel]:
    """The parcel ``target`` names: its waybill, or the order number of a one-parcel order."""
    target = target.strip()
    parcel = s.scalar(select(Parcel).where(Parcel.waybill == target.upper()))
    if parcel is not None:
        order = s.get(Order, parcel.order_id)
        assert order is not None
        return order, parcel
    order = _order(s, target)
    linked = list(s.scalars(select(Parcel).where(Parcel.order_id == order.id, Parcel.waybill.is_not(None))
                            .order_by(Parcel.seq)))
    if len(linked) > 1:
        raise _refuse(T("Outcome", "Order {order_no} ships in {count} parcels: give the waybill of the one to unlink ({waybills})"),
                      order_no=order.order_no, count=len(linked), waybills=", ".join(p.waybill or "" for p in linked))
    if not linked:
        raise _refuse(T("Outcome", "Order {order_no} is {state}: it has no linked waybill to unlink"),
                      order_no=order.order_no, state=order.state)
    return order, linked[0]


def _refuse_unless_unlinkable(s: Session, order: Order, parcel: Parcel) -> None:
    """Only a packed order's linked parcel, on no manifest, with a bench to go back to, is unlinked."""
    if order.state == OrderState.HANDED_OVER.value:
        raise _refuse(T("Outcome", "Order {order_no} was handed over (waybill {waybill}): it cannot be unlinked"),
                      order_no=order.order_no, waybill=parcel.waybill or "")
    if order.state != OrderState.PACKED.value or not parcel.waybill:
        raise _refuse(T("Outcome", "Order {order_no} is {state}: it has no linked waybill to unlink"),
                      order_no=order.order_no, state=order.state)
    # Any parcel of the order on a manifest refuses: the order goes back to packing, and a parcel
    # already handed to a courier's list cannot be unpacked at the bench.
    manifest_no = s.scalar(select(Manifest.manifest_no).join(ManifestItem, ManifestItem.manifest_id == Manifest.id)
                           .where(ManifestItem.order_id == order.id).limit(1))
    if manifest_no is not None:
        raise _refuse(T("Outcome", "Order {order_no} is on manifest {manifest_no}: take it off the handover first"),
                      order_no=order.order_no, manifest_no=manifest_no)
    if order.station_id is None:  # a packed order always has its bench; a script may have cleared it
        raise _refuse(T("Outcome", "Order {order_no} has no bench to go back to"), order_no=order.order_no)


def unlink_waybill(services: Services, badge: str, pin: str, order_no: str, reason: str, *,
                   station: str | None = None) -> ActionDone:
    """One parcel's waybill off a packed order (the target: the waybill, or the order number of a
    one-parcel order): packed -> packing at the same bench, that parcel's waybill NULL and the
    number free again. The parcel keeps its box, weight and printed label, so that bench resumes it
    at the waybill step; the other parcels keep theirs. Refused once handed over or on a manifest.
    """
    sup, reason = _authorize(services, badge, pin, reason, "unlink", station)
    with services.uow() as uow:
        s = uow.session
        order, parcel = _parcel_to_unlink(s, order_no)
        # Lock the order row first (PostgreSQL): a bench adding a parcel to a manifest right now holds
        # the same lock, so the manifest check below sees its committed row instead of racing it.
        s.execute(select(Order.id).where(Order.id == order.id).with_for_update())
        s.refresh(order)
        s.refresh(parcel)
        _refuse_unless_unlinkable(s, order, parcel)
        on_manifest = exists().where(ManifestItem.order_id == order.id)  # checked again by the UPDATE below
        number = parcel.waybill
        # An order has a waybill exactly when it is packed: it gets parcel 1's back when it is packed again.
        msg = Message(T("Outcome", "Waybill {number} unlinked from order {order_no}: the order is back to packing"),
                      {"number": number, "order_no": order.order_no})
        done = repo.change_state(s, OrderEvent.UNLINK, order_id=order.id, source=OrderState.PACKED.value,
                                 where=(~on_manifest,),
                                 audit=_audit(s, services, sup, station, raw=number, message=msg, reason=reason))
        if done == 1:
            done = s.execute(update(Parcel).where(Parcel.id == parcel.id, Parcel.waybill == number)
                             .values(waybill=None, packed_at=None).execution_options(synchronize_session=False)).rowcount
        if done != 1:
            s.refresh(order)
            raise _state_changed(order)
        repo.correct_platform_jobs(s, order.id, "unlink", services.clock(), number)
        ewaybills.cancel_unused(s, order.id, services.clock(), seq=parcel.seq, kind="unlink",
                                audit=_audit(s, services, sup, station, raw="", message=msg, reason=reason))
    return ActionDone("unlink", msg, sup.name, order.order_no)


def reopen_manifest(services: Services, badge: str, pin: str, manifest_no: str, reason: str, *,
                    station: str | None = None) -> ActionDone:
    """A closed manifest the courier has not signed: open again, its orders back to packed."""
    sup, reason = _authorize(services, badge, pin, reason, "reopen_manifest", station)
    with services.uow() as uow:
        s = uow.session
        manifest = s.scalar(select(Manifest).where(Manifest.manifest_no == manifest_no.strip()))
        if manifest is None:
            raise _refuse(T("Outcome", "Unknown manifest {manifest_no}"), manifest_no=manifest_no.strip())
        if manifest.closed_at is None:
            raise _refuse(T("Outcome", "Manifest {manifest_no} is still open"), manifest_no=manifest.manifest_no)
        if manifest.signed_at is not None:
            raise _refuse(T("Outcome", "Manifest {manifest_no} was signed by the courier: it cannot be reopened"),
                          manifest_no=manifest.manifest_no)
        if manifest.station_id is not None:
            other = s.scalar(select(Manifest.manifest_no).where(Manifest.station_id == manifest.station_id,
                                                                Manifest.closed_at.is_(None), Manifest.id != manifest.id))
            if other is not None:  # a bench resumes one open manifest: never two
                raise _refuse(T("Outcome", "Its bench has manifest {other} open: close that one first"), other=other)
        done = s.execute(update(Manifest)
                         .where(Manifest.id == manifest.id, Manifest.closed_at.is_not(None), Manifest.signed_at.is_(None))
                         .values(closed_at=None, closed_by_id=None)
                         .execution_options(synchronize_session=False)).rowcount
        if done != 1:
            raise _refuse(T("Outcome", "Manifest {manifest_no} changed meanwhile: look again"),
                          manifest_no=manifest.manifest_no)
        order_ids = select(ManifestItem.order_id).where(ManifestItem.manifest_id == manifest.id)
        count = repo.change_state(s, OrderEvent.REOPEN, source=OrderState.HANDED_OVER.value,
                                  where=(Order.id.in_(order_ids),))
        msg = Message(T("Outcome", "Manifest {manifest_no} reopened: {count} parcels back to packed"),
                      {"manifest_no": manifest.manifest_no, "count": count})
        # one event for the manifest (its kind is the lifecycle's), not one per order
        add_event(s, kind=lifecycle.rule(OrderEvent.REOPEN).audit or "", manifest_id=manifest.id,
                  **_audit(s, services, sup, station, raw=manifest.manifest_no, message=msg, reason=reason))
    return ActionDone("reopen_manifest", msg, sup.name, manifest.manifest_no)


# name -> (function, what the target is)
ACTIONS = {
    "release_hold": (release_hold, "order"),
    "cancel": (cancel_order, "order"),
    "unlink": (unlink_waybill, "order"),
    "reopen_manifest": (reopen_manifest, "manifest"),
    "attach_return": (lambda *a, **k: _attach_return(*a, **k), "return"),  # target: "RETURN ORDER"
}


def _attach_return(services: Services, badge: str, pin: str, target: str, reason: str, *,
                   station: str | None = None) -> ActionDone:
    """The returns bench's unmatched return attached to its order (:mod:`app.packing.return_actions`)."""
    parts = target.split()
    if len(parts) != 2:
        raise _refuse(T("Outcome", "Give the return's waybill and the order number"))
    return attach_return(services, badge, pin, parts[0], parts[1], reason, station=station)


def run_action(services: Services, kind: str, badge: str, pin: str, target: str, reason: str, *,
               station: str | None = None) -> ActionDone:
    """Run the action called ``kind`` (a key of ACTIONS); raises NotAuthorized or ActionRefused."""
    try:
        fn, _ = ACTIONS[kind]
    except KeyError:
        raise ValueError(f"unknown supervisor action {kind!r}") from None
    if not (target or "").strip():
        raise _refuse(T("Outcome", "Scan or type the order or manifest number"))
    return fn(services, badge, pin, target, reason, station=station)
