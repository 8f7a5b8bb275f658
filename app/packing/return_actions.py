"""The supervisor's action on returns: attach an unmatched return (a parcel that named no order at
the returns bench) to its order, once someone has found which order it is.

Like :mod:`app.packing.supervisor`'s actions: the supervisor's badge and PIN at that moment, a
reason, and the change with its audit event (kind ``attach_return``) in one transaction. Items of
products the order never held become foreign; what the order shipped and did not come back is
listed as missing. The database refuses an attachment that would return more of a SKU than the
order shipped across all its returns (migration 0021's trigger): the action says so.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.audit_chain import add_event
from app.models.returns import LineKind, Return, ReturnLine, ReturnState
from app.models.schema import OrderLine
from app.packing import returns_repo
from app.packing.actions import ActionDone, _audit, _authorize, _order, _refuse
from app.packing.ports import Services
from app.packing.return_rules import SHIPPED_STATES

T = QT_TRANSLATE_NOOP


def find_return(s, target: str) -> Return | None:
    """A return by its return waybill, or by its number (``#12`` or ``12``)."""
    text = target.strip()
    ret = s.scalar(select(Return).where(Return.return_waybill.in_({text, text.upper()})))
    if ret is None and text.lstrip("#").isdigit():
        ret = s.get(Return, int(text.lstrip("#")))
    return ret


def _return_to_attach(s: Session, target: str) -> Return:
    """The closed return ``target`` names, not attached to an order yet; else refused."""
    ret = find_return(s, target)
    if ret is None:
        raise _refuse(T("Outcome", "Unknown return {target}"), target=target.strip())
    if ret.order_id is not None:
        raise _refuse(T("Outcome", "Return {target} already belongs to an order"), target=target.strip())
    if ret.state != ReturnState.CLOSED.value:
        raise _refuse(T("Outcome", "Return {target} is still being received at its bench"), target=target.strip())
    return ret


def attach_return(services: Services, badge: str, pin: str, target: str, order_no: str, reason: str, *,
                  station: str | None = None) -> ActionDone:
    sup, reason = _authorize(services, badge, pin, reason, "attach_return", station)
    with services.uow() as uow:
        s = uow.session
        ret = _return_to_attach(s, target)
        order = _order(s, order_no)
        if order.state not in SHIPPED_STATES:
            raise _refuse(T("Outcome", "Order {order_no} was never shipped ({state}): nothing to return"),
                          order_no=order.order_no, state=order.state)
        held = select(OrderLine.product_id).where(OrderLine.order_id == order.id)
        s.execute(update(ReturnLine).where(ReturnLine.return_id == ret.id, ReturnLine.kind == LineKind.RETURNED.value,
                                           ReturnLine.product_id.not_in(held))
                  .values(kind=LineKind.FOREIGN.value).execution_options(synchronize_session=False))
        s.execute(delete(ReturnLine).where(ReturnLine.return_id == ret.id, ReturnLine.kind == LineKind.MISSING.value)
                  .execution_options(synchronize_session=False))
        try:
            with s.begin_nested():
                done = s.execute(update(Return).where(Return.id == ret.id, Return.order_id.is_(None))
                                 .values(order_id=order.id, attached_by=sup.user_id, attached_at=services.clock())
                                 .execution_options(synchronize_session=False)).rowcount
        except IntegrityError as exc:
            raise _refuse(T("Outcome", "Return {target} holds more than order {order_no} shipped (with its other returns)"),
                          target=target.strip(), order_no=order.order_no) from exc
        if done != 1:
            raise _refuse(T("Outcome", "Return {target} changed meanwhile: look again"), target=target.strip())
        snap = returns_repo.load(s, ret.id)
        assert snap is not None
        for product_id, sku, qty in snap.missing:
            s.add(ReturnLine(return_id=ret.id, kind=LineKind.MISSING.value, product_id=product_id, sku=sku, qty=qty,
                             condition="good"))
        msg = Message(T("Outcome", "Return {target} attached to order {order_no}"),
                      {"target": ret.return_waybill or f"#{ret.id}", "order_no": order.order_no})
        add_event(s, kind="attach_return", order_id=order.id,
                  **_audit(s, services, sup, station, raw=target.strip(), message=msg, reason=reason))
    return ActionDone("attach_return", msg, sup.name, order.order_no)
