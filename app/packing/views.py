"""Plain data for the window and the printers, built from the snapshots the rules decided on.

The order view and the label need no query of their own: they are made from the order snapshot as
it stands after the scan. The manifest views read the manifest's parcels.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.carriers import CarrierCatalogue
from app.config import Settings
from app.models.schema import Manifest, ManifestItem, Order, Parcel, Station, User
from app.packing import rules
from app.packing.model import BenchState, OrderSnap
from app.packing.outcome import BenchView, LineView, ManifestView, OrderView, ParcelView
from app.printing.base import LabelData, LabelItem, ManifestData, ManifestParcel, Sender


def carrier_name(catalogue: CarrierCatalogue, code: str | None) -> str:
    carrier = catalogue.get(code) if code else None
    return carrier.display_name if carrier else (code or "")


def order_view(order: OrderSnap, catalogue: CarrierCatalogue, tolerance: Callable[[int], int] | None = None) -> OrderView:
    current = order.open_parcel or (order.parcels[-1] if order.parcels else None)
    expected = current.expected_weight_g if current else None
    return OrderView(
        order_no=order.order_no,
        carrier_code=order.carrier_code,
        carrier_name=carrier_name(catalogue, order.carrier_code),
        recipient_name=order.recipient_name,
        recipient_phone=order.recipient_phone,
        recipient_address=order.recipient_address,
        note=order.note,
        state=order.state,
        preassigned_waybill=order.expected_waybill(current) if current else order.preassigned_waybill,
        waybill=order.waybill,
        lines=tuple(LineView(x.sku, x.barcode or "", x.name, x.quantity, x.scanned) for x in order.lines),
        box_code=current.box_code if current else None,
        weight_g=current.weight_g if current else None,
        expected_weight_g=expected,
        tolerance_g=tolerance(expected) if (tolerance and expected is not None) else None,
        label_prints=current.label_prints if current else 0,
        parcels=tuple(ParcelView(p.seq, p.unit_count, p.waybill, p.box_code, p.weight_g, p.sealed) for p in order.parcels),
        parcel_seq=(order.open_parcel.seq if order.open_parcel else
                    (max((p.seq for p in order.parcels), default=0) + 1 if order.units_missing else None)),
        parcel_total=(len(order.parcels) if order.units_missing == 0 else None),
    )


def bench_view(station: str, state: BenchState, order: OrderSnap | None, manifest: ManifestView | None,
               catalogue: CarrierCatalogue, tolerance: Callable[[int], int] | None) -> BenchView:
    shown = order if (order is not None and state.order_id == order.id) else None
    return BenchView(
        station=station,
        step=rules.bench_step(state, shown),
        user_name=state.user_name,
        user_role=state.user_role,
        order=order_view(shown, catalogue, tolerance) if shown is not None else None,
        manifest=manifest,
        last_line=state.last_line,
        last_print=state.last_print,
        completed_order=state.completed_order,
    )


def label_data(order: OrderSnap, seq: int, *, catalogue: CarrierCatalogue, settings: Settings, station: str,
               printed_at: datetime, reprint: bool = False) -> LabelData:
    parcel = order.parcel(seq)
    assert parcel is not None
    names = {x.id: (x.sku, x.name) for x in order.lines}
    items = tuple(LabelItem(names[line_id][0], names[line_id][1], qty) for line_id, qty in parcel.units if line_id in names)
    return LabelData(
        order_no=order.order_no,
        carrier_code=order.carrier_code,
        carrier_name=carrier_name(catalogue, order.carrier_code),
        recipient_name=order.recipient_name,
        recipient_phone=order.recipient_phone,
        recipient_address=order.recipient_address,
        waybill=order.expected_waybill(parcel),
        items=items,
        item_count=parcel.unit_count,
        weight_g=parcel.weight_g,
        box_code=parcel.box_code,
        station=station,
        printed_at=printed_at,
        sender=Sender(settings.sender_name, settings.sender_phone, settings.sender_address),
        note=order.note,
        size=settings.label_size,
        reprint=reprint,
        parcel_seq=seq,
        parcel_total=rules.parcel_total(order, parcel),
    )


def _parcels_per_order():
    return (select(Parcel.order_id, func.count().label("n")).group_by(Parcel.order_id).subquery())


def manifest_view(s: Session, manifest_id: int, catalogue: CarrierCatalogue) -> ManifestView | None:
    manifest = s.get(Manifest, manifest_id)
    if manifest is None:
        return None
    rows = s.execute(select(Parcel.waybill, Order.order_no)
                     .join(ManifestItem, ManifestItem.parcel_id == Parcel.id)
                     .join(Order, Order.id == Parcel.order_id)
                     .where(ManifestItem.manifest_id == manifest_id).order_by(ManifestItem.id)).all()
    return ManifestView(manifest.manifest_no, manifest.carrier_code, carrier_name(catalogue, manifest.carrier_code),
                        tuple((w or "", o) for w, o in rows))


def manifest_data(s: Session, manifest_id: int, catalogue: CarrierCatalogue) -> ManifestData:
    """Plain data of a manifest for the printing layer (also used by `packgate manifests print`)."""
    manifest = s.get(Manifest, manifest_id)
    if manifest is None:
        raise LookupError(manifest_id)
    counts = _parcels_per_order()
    rows = s.execute(select(Parcel.waybill, Order.order_no, Parcel.weight_g, Parcel.seq, counts.c.n)
                     .join(ManifestItem, ManifestItem.parcel_id == Parcel.id)
                     .join(Order, Order.id == Parcel.order_id)
                     .join(counts, counts.c.order_id == Parcel.order_id)
                     .where(ManifestItem.manifest_id == manifest_id).order_by(ManifestItem.id)).all()
    station = s.get(Station, manifest.station_id) if manifest.station_id else None
    packer = s.get(User, manifest.opened_by_id) if manifest.opened_by_id else None
    return ManifestData(
        manifest_no=manifest.manifest_no,
        carrier_code=manifest.carrier_code or "",
        carrier_name=carrier_name(catalogue, manifest.carrier_code) or (manifest.carrier_code or ""),
        station=station.name if station else "",
        packer=packer.name if packer else "",
        opened_at=manifest.opened_at,
        closed_at=manifest.closed_at,
        parcels=tuple(ManifestParcel(w or "", o, g, f"{seq}/{n}" if n > 1 else "") for w, o, g, seq, n in rows),
    )
