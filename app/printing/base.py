"""Plain data handed to the printing layer, and the Printer interface.

The workflow (app/packing) builds these from the database and hands them to a Printer; the
printing layer never touches the database or Qt widgets. Everything here is Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from app.errors import PrinterError

__all__ = [
    "LabelData",
    "LabelItem",
    "ManifestData",
    "ManifestParcel",
    "PrintJob",
    "Printer",
    "PrinterError",
    "Sender",
]

LABEL_SIZES: dict[str, tuple[int, int]] = {
    "100x150": (100, 150),  # default
    "76x130": (76, 130),  # one-part e-waybill
    "100x180": (100, 180),  # two-part e-waybill
}
DEFAULT_LABEL_SIZE = "100x150"


@dataclass(frozen=True)
class Sender:
    name: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class LabelItem:
    sku: str
    name: str
    quantity: int


@dataclass(frozen=True)
class LabelData:
    """Everything a shipping label (or a parcel label without waybill) shows."""

    order_no: str
    carrier_code: str
    carrier_name: str  # display name, e.g. "顺丰速运 SF Express"
    recipient_name: str
    recipient_phone: str  # unmasked; the renderer masks the middle digits
    recipient_address: str
    waybill: str | None  # None: a parcel label, the carrier's own waybill is applied by hand
    items: tuple[LabelItem, ...] = ()
    item_count: int = 0
    weight_g: int | None = None
    box_code: str | None = None
    station: str = ""
    printed_at: datetime | None = None
    sender: Sender = field(default_factory=Sender)
    note: str = ""
    size: str = DEFAULT_LABEL_SIZE
    reprint: bool = False
    parcel_seq: int = 1
    parcel_total: int | None = 1  # None: more parcels follow, their number not known yet

    @property
    def parcel_text(self) -> str:
        """"2/3" on the label of a split order ("1/2+" while more may follow); "" for one parcel."""
        if self.parcel_seq == 1 and self.parcel_total == 1:
            return ""
        if self.parcel_total is None:
            return f"{self.parcel_seq}/{self.parcel_seq + 1}+"
        return f"{self.parcel_seq}/{self.parcel_total}"


@dataclass(frozen=True)
class ManifestParcel:
    waybill: str
    order_no: str
    weight_g: int | None
    parcel: str = ""  # "2/3" for an order in several parcels


@dataclass(frozen=True)
class ManifestData:
    manifest_no: str
    carrier_code: str
    carrier_name: str
    station: str
    packer: str
    opened_at: datetime
    closed_at: datetime | None
    parcels: tuple[ManifestParcel, ...]


@dataclass(frozen=True)
class PrintJob:
    """What a printer did: a description for the audit trail, and the file when there is one."""

    description: str
    path: Path | None = None


class Printer(Protocol):
    """A printer back end. Raises PrinterError (an expected error) when it cannot print."""

    spec: str

    def print_label(self, label: LabelData) -> PrintJob: ...

    def print_manifest(self, manifest: ManifestData) -> PrintJob: ...

    def print_document(self, name: str, pdf: bytes) -> PrintJob:
        """A ready-made PDF (command sheet, summary); label printers save it as a PDF file."""
        ...
