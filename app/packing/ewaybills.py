"""A parcel's e-waybill after its request: taken from the platform (off the scan's transaction), stored,
printed, or refused in the platform's words; and the narrow port the bench's printer takes numbers
through (:class:`EwaybillTaker`, implemented over the platform in :mod:`app.platform.ewaybill_bench`).

Every write is a conditional UPDATE of the parcel's live row: a number is stored only on a row still
``requested`` (never a second number for a parcel), printed only while ``taken`` or ``printed``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from app.models.audit_chain import add_event
from app.models.schema import Ewaybill, Order, OrderLine, Parcel, ParcelLine, PlatformJob, Product
from app.printing.ewaybill import EwaybillData

LIVE = Ewaybill.state != "cancelled"


def live(s: Session, order_id: int, seq: int):
    return s.execute(select(Ewaybill).where(Ewaybill.order_id == order_id, Ewaybill.parcel_seq == seq, LIVE)).scalar()


_DOCUMENT = (select(Order.order_no, Order.carrier_code, Ewaybill.waybill_code, Ewaybill.print_data)
             .join(Ewaybill, Ewaybill.order_id == Order.id)
             .where(Order.id == bindparam("order_id"), Ewaybill.parcel_seq == bindparam("seq"), LIVE))
_DOCUMENT_ITEMS = (select(Product.name, ParcelLine.quantity)
                   .join(OrderLine, OrderLine.id == ParcelLine.order_line_id)
                   .join(Product, Product.id == OrderLine.product_id)
                   .join(Parcel, Parcel.id == ParcelLine.parcel_id)
                   .where(Parcel.order_id == bindparam("order_id"), Parcel.seq == bindparam("seq"))
                   .order_by(OrderLine.id))


def document(s: Session, order_id: int, seq: int) -> EwaybillData | None:
    """The parcel's e-waybill as the component takes it (number and data empty until taken); on the
    weight scan's path: its statements are built once."""
    conn, keys = s.connection(), {"order_id": order_id, "seq": seq}
    row = conn.execute(_DOCUMENT, keys).first()
    if row is None:
        return None
    items = conn.execute(_DOCUMENT_ITEMS, keys).all()
    return EwaybillData(row.order_no, seq, row.carrier_code or "", row.waybill_code or "", row.print_data or "",
                        tuple((str(n), int(q)) for n, q in items))


def store_taken(s: Session, order_id: int, seq: int, code: str, print_data: str, now: datetime) -> bool:
    """The platform's answer, on the row still waiting for it. False: the row moved on (cancelled)."""
    return s.execute(update(Ewaybill).where(Ewaybill.order_id == order_id, Ewaybill.parcel_seq == seq,
                                            Ewaybill.state == "requested")
                     .values(waybill_code=code, print_data=print_data, state="taken", taken_at=now, error="")
                     ).rowcount == 1


def record_refusal(s: Session, order_id: int, seq: int, message: str) -> None:
    s.execute(update(Ewaybill).where(Ewaybill.order_id == order_id, Ewaybill.parcel_seq == seq,
                                     Ewaybill.state == "requested").values(error=message[:2000]))


def mark_printed(s: Session, order_id: int, seq: int, code: str, now: datetime) -> bool:
    return s.execute(update(Ewaybill).where(Ewaybill.order_id == order_id, Ewaybill.parcel_seq == seq,
                                            Ewaybill.waybill_code == code,
                                            Ewaybill.state.in_(("taken", "printed")))
                     .values(state="printed", printed_at=now, prints=Ewaybill.prints + 1)).rowcount == 1


def cancel_unused(s: Session, order_id: int, now: datetime, *, seq: int | None = None,
                  audit: dict[str, Any] | None = None, kind: str = "cancel") -> list[str]:
    """A supervisor's unlink (``seq``: that parcel) or an order's cancel (every parcel): its live
    e-waybills are cancelled in the caller's transaction, never to be used again, and each number
    goes to the platform through the outbox (``pdd.waybill.cancel``), audited (``audit``: the
    action's event fields, under the action's ``kind``). Returns the numbers."""
    where = [Ewaybill.order_id == order_id, LIVE]
    if seq is not None:
        where.append(Ewaybill.parcel_seq == seq)
    rows = s.execute(select(Ewaybill.id, Ewaybill.parcel_seq, Ewaybill.waybill_code, Ewaybill.carrier_code)
                     .where(*where).order_by(Ewaybill.parcel_seq)).all()
    if not rows:
        return []
    order_no = s.scalar(select(Order.order_no).where(Order.id == order_id)) or ""
    s.execute(update(Ewaybill).where(Ewaybill.id.in_([r.id for r in rows]))
              .values(state="cancelled", cancelled_at=now).execution_options(synchronize_session=False))
    numbers = [r for r in rows if r.waybill_code]
    for r in numbers:
        s.execute(insert(PlatformJob).values(order_id=order_id, order_no=order_no, kind="ewaybill_cancel",
                                             parcel_seq=r.parcel_seq, carrier_code=r.carrier_code,
                                             tracking_number=r.waybill_code, state="pending", attempts=0,
                                             next_attempt_at=now, error="", created_at=now))
        if audit is not None:
            add_event(s, **{**audit, "kind": kind, "order_id": order_id, "accepted": True, "raw": r.waybill_code,
                            "message": f"E-waybill {r.waybill_code} of parcel {r.parcel_seq} of {order_no} cancelled: "
                                       f"pdd.waybill.cancel queued in the outbox"})
    return [r.waybill_code for r in numbers]
