"""One order's details and timeline, as plain data (CLI ``order`` and the supervisor's timeline)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.models.schema import (
    Manifest,
    ManifestItem,
    Order,
    OrderLine,
    Parcel,
    ParcelLine,
    Product,
    ProductBarcode,
    ScanEvent,
    Shop,
    Station,
    User,
)


def order_platform_status(s: Session, order_id: int) -> dict[str, Any] | None:
    """``state`` (pending, sent, exported, confirmed or failed), ``attempts``, ``error``,
    ``confirmed_at``; None before the order has a platform job."""
    from app.platform.outbox import order_platform_status as status

    return status(s, order_id)


def _iso(dt) -> str | None:
    return dt.astimezone().isoformat(timespec="seconds") if dt else None


FILE_SHIP_HOURS = 24  # an order without the platform's ship-by time: the 24-hour rule from its creation


def ship_by(order: Order) -> datetime | None:
    """The order's ship-by time: the platform's (``last_ship_time``), else 24 hours after creation."""
    if order.ship_by is not None:
        return order.ship_by
    return order.created_at + timedelta(hours=FILE_SHIP_HOURS) if order.created_at else None


def order_details(s: Session, order_no: str) -> dict[str, Any] | None:
    order = s.scalar(select(Order).where(Order.order_no == order_no))
    if order is None:
        return None
    barcode = (select(func.min(ProductBarcode.barcode)).where(ProductBarcode.product_id == Product.id)
               .correlate(Product).scalar_subquery())
    lines = s.execute(select(Product.sku, barcode, Product.name, OrderLine.quantity, OrderLine.scanned)
                      .join(OrderLine.product).where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    station = s.get(Station, order.station_id) if order.station_id else None
    packer = s.get(User, order.packer_id) if order.packer_id else None
    shop = s.get(Shop, order.shop_id) if order.shop_id else None
    due = ship_by(order)
    return {
        "order_no": order.order_no,
        "platform": order.platform,
        "state": order.state,
        "carrier": order.carrier_code,
        "waybill": order.waybill,
        "preassigned_waybill": order.preassigned_waybill,
        "station": station.name if station else None,
        "packer": packer.name if packer else None,
        "recipient_name": order.recipient_name,
        "recipient_phone": order.recipient_phone,
        "recipient_address": order.recipient_address,
        "note": order.note,
        "hold_reason": order.hold_reason,
        "created_at": _iso(order.created_at),
        "packed_at": _iso(order.packed_at),
        "handed_over_at": _iso(order.handed_over_at),
        "shop": shop.name if shop else None,
        "ship_by": due.astimezone(UTC).isoformat(timespec="seconds") if due else None,
        "lines": [{"sku": sku, "barcode": code or "", "name": name, "qty": qty, "scanned": scanned}
                  for sku, code, name, qty, scanned in lines],
        "parcels": order_parcels(s, order.id),
        "platform_status": order_platform_status(s, order.id),
        "events": order_events(s, order.id),
        "returns": order_returns(s, order.id),
    }


def order_returns(s: Session, order_id: int) -> list[dict[str, Any]]:
    """The order's returns (the returns bench), newest first: see :func:`app.reports.returns.returns_list`."""
    from app.reports.returns import returns_list

    return returns_list(s, order_id=order_id)


def order_parcels(s: Session, order_id: int) -> list[dict[str, Any]]:
    """Each parcel: ``seq``, ``waybill``, ``box``, ``weight_g``, ``lines`` ({sku: qty}), ``manifest``
    (its manifest number), ``state``: packing (no waybill yet), packed, on_manifest (an open
    manifest) or handed_over (a closed one), ``picked_up_at`` (the courier's pickup scan's own time)
    and ``trace_last`` ({action, time, desc}: the carrier trace's last line)."""
    parcels = s.execute(select(Parcel.id, Parcel.seq, Parcel.waybill, Parcel.box_code, Parcel.weight_g,
                               Manifest.manifest_no, Manifest.closed_at)
                        .outerjoin(ManifestItem, ManifestItem.parcel_id == Parcel.id)
                        .outerjoin(Manifest, Manifest.id == ManifestItem.manifest_id)
                        .where(Parcel.order_id == order_id).order_by(Parcel.seq)).all()
    units: dict[int, dict[str, int]] = {}
    for parcel_id, sku, qty in s.execute(select(ParcelLine.parcel_id, Product.sku, ParcelLine.quantity)
                                         .join(OrderLine, OrderLine.id == ParcelLine.order_line_id)
                                         .join(Product, Product.id == OrderLine.product_id)
                                         .join(Parcel, Parcel.id == ParcelLine.parcel_id)
                                         .where(Parcel.order_id == order_id).order_by(OrderLine.id)):
        units.setdefault(parcel_id, {})[sku] = qty
    from app.reports.pickup import order_pickups

    pickups = order_pickups(s, order_id)  # the pickup watch (issue 22): empty before the handover
    out = []
    for pid, seq, waybill, box, weight, manifest_no, closed_at in parcels:
        if manifest_no is not None:
            state = "handed_over" if closed_at is not None else "on_manifest"
        else:
            state = "packed" if waybill else "packing"
        out.append({"seq": seq, "waybill": waybill, "box": box, "weight_g": weight, "lines": units.get(pid, {}),
                    "manifest": manifest_no, "state": state,
                    **pickups.get(seq, {"picked_up_at": None, "trace_last": None})})
    return out


def order_events(s: Session, order_id: int) -> list[dict[str, Any]]:
    user, station = aliased(User), aliased(Station)
    rows = s.execute(
        select(ScanEvent.at, ScanEvent.kind, ScanEvent.raw, ScanEvent.accepted, ScanEvent.message, ScanEvent.reason,
               user.name, station.name)
        .outerjoin(user, user.id == ScanEvent.user_id)
        .outerjoin(station, station.id == ScanEvent.station_id)
        .where(ScanEvent.order_id == order_id)
        .order_by(ScanEvent.at, ScanEvent.id)
    ).all()
    return [
        {"at": _iso(at), "kind": kind, "code": raw, "accepted": bool(accepted), "message": message,
         "reason": reason, "user": uname, "station": sname}
        for at, kind, raw, accepted, message, reason, uname, sname in rows
    ]
