"""What every supervisor action shares (:mod:`app.packing.supervisor`, :mod:`app.packing.return_actions`):
the refusal and the result, the reason asked first, the supervisor's badge and PIN at that moment,
the audit event's fields."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import KnownError
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.schema import Order
from app.packing.auth import Supervisor, authorize_supervisor, station_id
from app.packing.ports import Services

T = QT_TRANSLATE_NOOP


class ActionRefused(KnownError):
    """The action cannot be done (wrong state, no reason...); nothing was changed."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.render())
        self.msg = message


@dataclass(frozen=True)
class ActionDone:
    kind: str
    message: Message
    supervisor: str
    target: str  # the order number or the manifest number


def _refuse(template: str, **params) -> ActionRefused:
    return ActionRefused(Message(template, params))


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise _refuse(T("Outcome", "Give a reason: it goes into the audit trail"))
    return reason


def _order(s: Session, order_no: str) -> Order:
    order = s.scalar(select(Order).where(Order.order_no == order_no.strip()))
    if order is None:
        raise _refuse(T("Outcome", "Unknown order {order_no}"), order_no=order_no.strip())
    return order


def _audit(s: Session, services: Services, sup: Supervisor, station: str | None, *, raw: str, message: Message,
           reason: str) -> dict:
    """The audit event of an order's state change (:func:`repo.change_state` adds its kind and order)."""
    return {"at": services.clock(), "station_id": station_id(s, station), "user_id": sup.user_id, "raw": raw,
            "message": message.render(), "reason": reason}


def _authorize(services: Services, badge: str, pin: str, reason: str, action: str, station: str | None
               ) -> tuple[Supervisor, str]:
    reason = _check_reason(reason)  # before the PIN check: a missing reason costs no PIN attempt
    return authorize_supervisor(services, badge, pin, action=action, station=station), reason


def _state_changed(order: Order) -> ActionRefused:
    return _refuse(T("Outcome", "Order {order_no} changed meanwhile (now {state}): look again"),
                   order_no=order.order_no, state=order.state)
