"""What a scan asks the bench to print, as typed data on its :class:`~app.packing.outcome.Outcome`.

The workflow decides and records the print intent in the scan's transaction; the bench's own printer
carries the request out afterwards (:mod:`app.packing.bench_printer`), embedded and behind the
server alike. Each request carries its document and the ids its result is reported against.

On the wire a request is the ``extra`` dict benches have always read: its fields by name, the
document under its ``key`` (:mod:`app.packing.wire`). A new document (an e-waybill) is one more
frozen dataclass with its own ``key``, added to :data:`PrintRequest` and :data:`PRINT_REQUESTS`,
and one more case in the bench printer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.printing.base import LabelData, ManifestData
from app.printing.ewaybill import EwaybillData


@dataclass(frozen=True)
class LabelPrint:
    """The label of parcel ``seq`` of order ``order_id`` (``reprint``: asked for with CMD:REPRINT)."""

    key: ClassVar[str] = "label"
    label: LabelData
    order_id: int
    seq: int
    reprint: bool = False


@dataclass(frozen=True)
class ManifestPrint:
    """The courier's manifest, just closed at this bench."""

    key: ClassVar[str] = "manifest"
    manifest: ManifestData
    manifest_id: int


@dataclass(frozen=True)
class EwaybillPrint:
    """Parcel ``seq``'s e-waybill, printed through the platform's print component. The document's
    number and print data are empty until taken from the platform (the bench's worker, or the
    server, takes them after the scan's commit); a reprint carries the same ones again."""

    key: ClassVar[str] = "ewaybill"
    ewaybill: EwaybillData
    order_id: int
    seq: int
    reprint: bool = False


PrintRequest = LabelPrint | ManifestPrint | EwaybillPrint
PRINT_REQUESTS: tuple[type[LabelPrint] | type[ManifestPrint] | type[EwaybillPrint], ...] = (
    LabelPrint, ManifestPrint, EwaybillPrint)
