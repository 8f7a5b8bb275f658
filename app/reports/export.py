"""Shipment export: every order with a linked waybill, for the platform's bulk shipping upload.

Two shapes: the full PackGate columns (``order_no, carrier, waybill, state, packed_at,
handed_over_at, packer, station``) and ``pdd``, the three columns Pinduoduo's bulk shipping upload
takes (订单号, 快递公司 as the carrier's Chinese name, 快递单号). CSV is UTF-8 with a BOM so Excel
opens it as UTF-8; XLSX cells are all written as text. Either way a cell that a spreadsheet would
run as a formula is neutralised (OWASP's CSV injection advice): a CSV value starting with
``= + - @``, tab or CR gets a leading apostrophe; XLSX cells are typed as strings explicitly.
Times are local time in ISO format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import literal, select
from sqlalchemy.orm import Session, aliased

from app.models.schema import Carrier, Order, Parcel, Station, User

COLUMNS = ("order_no", "carrier", "waybill", "state", "packed_at", "handed_over_at", "packer", "station")
PDD_COLUMNS = ("订单号", "快递公司", "快递单号")
PROFILES = ("pdd",)
FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ShipmentRow:
    order_no: str
    carrier: str  # carrier code
    carrier_name_zh: str
    waybill: str
    state: str
    packed_at: datetime | None
    handed_over_at: datetime | None
    packer: str
    station: str
    parcel_seq: int | None = None  # with --parcels: one row per parcel


def shipment_rows(session: Session, since: datetime | None = None, *, parcels: bool = False) -> list[ShipmentRow]:
    """Every order with a linked waybill (packed or handed over), oldest packed first; ``since``
    (aware) filters on packed_at. With ``parcels``, one row per parcel with its own waybill."""
    packer, station = aliased(User), aliased(Station)
    waybill = Parcel.waybill if parcels else Order.waybill
    seq = Parcel.seq if parcels else literal(None)
    query = (
        select(Order.order_no, Order.carrier_code, Carrier.name_zh, waybill, Order.state, Order.packed_at,
               Order.handed_over_at, packer.name, station.name, seq)
        .join(Carrier, Carrier.code == Order.carrier_code)
        .outerjoin(packer, packer.id == Order.packer_id)
        .outerjoin(station, station.id == Order.station_id)
        .where(Order.waybill.is_not(None))
        .order_by(Order.packed_at, Order.order_no)
    )
    if parcels:
        query = query.join(Parcel, Parcel.order_id == Order.id).where(Parcel.waybill.is_not(None)).order_by(Parcel.seq)
    if since is not None:
        query = query.where(Order.packed_at >= since)
    return [
        ShipmentRow(no, code, name_zh or code, wb, state, packed_at, handed_over_at, pname or "", sname or "", n)
        for no, code, name_zh, wb, state, packed_at, handed_over_at, pname, sname, n in session.execute(query)
    ]


def _local_iso(moment: datetime | None) -> str:
    return moment.astimezone().isoformat(timespec="seconds") if moment else ""


def table(rows: Iterable[ShipmentRow], profile: str | None = None, *,
          parcels: bool = False) -> tuple[Sequence[str], list[list[str]]]:
    """The header and the cells (all text) of an export; ``parcels`` adds the ``parcel_seq`` column."""
    extra = ["parcel_seq"] if parcels else []

    def seq(r: ShipmentRow) -> list[str]:
        return [str(r.parcel_seq)] if parcels else []

    if profile == "pdd":
        return (*PDD_COLUMNS, *extra), [[r.order_no, r.carrier_name_zh, r.waybill, *seq(r)] for r in rows]
    if profile is not None:
        raise ValueError(f"unknown export profile {profile!r}")
    return (*COLUMNS, *extra), [
        [r.order_no, r.carrier, r.waybill, r.state, _local_iso(r.packed_at), _local_iso(r.handed_over_at),
         r.packer, r.station, *seq(r)]
        for r in rows
    ]


def safe_csv_cell(value: str) -> str:
    """A value a spreadsheet will show as text, never run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_csv(out: IO[bytes], header: Sequence[str], cells: Iterable[Sequence[str]]) -> None:
    """UTF-8 with BOM, CRLF line ends (what Excel writes), formula-safe cells."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([safe_csv_cell(v) for v in row] for row in cells)
        text.flush()
    finally:
        text.detach()


def write_xlsx(path: Path, header: Sequence[str], cells: Iterable[Sequence[str]], title: str = "shipments") -> None:
    """Every cell typed as a string: openpyxl would otherwise store ``=...`` as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)

    def text_cells(values: Sequence[str]) -> list[WriteOnlyCell]:
        row = []
        for value in values:
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            row.append(cell)
        return row

    ws.append(text_cells(header))
    for values in cells:
        ws.append(text_cells(values))
    wb.save(path)
