"""A parcel's e-waybill after its request: taken from the platform (off the scan's transaction), stored,
printed, or refused in the platform's words; and the narrow port the bench's printer takes numbers
through (:class:`EwaybillTaker`, implemented over the platform in :mod:`app.platform.ewaybill_bench`).

Every write is a conditional UPDATE of the parcel's live row: a number is stored only on a row still
``requested`` (never a second number for a parcel), printed only while ``taken`` or ``printed``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models.schema import Ewaybill, Order, OrderLine, Parcel, ParcelLine, Product
from app.printing.ewaybill import EwaybillData

LIVE = Ewaybill.state != "cancelled"


def live(s: Session, order_id: int, seq: int):
    return s.execute(select(Ewaybill).where(Ewaybill.order_id == order_id, Ewaybill.parcel_seq == seq, LIVE)).scalar()


def document(s: Session, order_id: int, seq: int) -> EwaybillData | None:
    """The parcel's e-waybill as the component takes it (number and data empty until taken)."""
    row = s.execute(select(Order.order_no, Order.carrier_code, Ewaybill.waybill_code, Ewaybill.print_data)
                    .join(Ewaybill, Ewaybill.order_id == Order.id)
                    .where(Order.id == order_id, Ewaybill.parcel_seq == seq, LIVE)).first()
    if row is None:
        return None
    items = s.execute(select(Product.name, ParcelLine.quantity)
                      .join(OrderLine, OrderLine.id == ParcelLine.order_line_id)
                      .join(Product, Product.id == OrderLine.product_id)
                      .join(Parcel, Parcel.id == ParcelLine.parcel_id)
                      .where(Parcel.order_id == order_id, Parcel.seq == seq).order_by(OrderLine.id)).all()
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
