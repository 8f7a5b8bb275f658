"""Plain data the bench rules decide on: what the bench holds in memory, a snapshot of its open
order (lines and parcels) or manifest, and what the database knows about a scanned code.

No ORM objects, no session, no clock: :mod:`app.packing.repository` builds these and
:mod:`app.packing.rules` reads them, so the rules can be tested by the hundred with plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.models.states import OrderState

# pdd.order.status.get refund_status: 1 none or closed, 2 after-sale in progress, 3 refunding, 4 refunded
REFUND_REQUESTED = (2, 3, 4)


@dataclass(frozen=True)
class BenchState:
    """What a bench keeps in memory; everything else is read back from the database."""

    user_id: int | None = None
    user_name: str | None = None
    user_role: str | None = None
    pending_user_id: int | None = None  # badge scanned, PIN awaited
    order_id: int | None = None
    manifest_id: int | None = None
    last_line: int | None = None
    last_print: str | None = None
    completed_order: str | None = None
    # The epochs a logged-in session was signed under (the user's, the station's): behind the server a
    # session whose user or station moved on since (a logout, a disable, a new PIN, a lockout) is dead.
    user_epoch: int | None = None
    station_epoch: int | None = None
    # The returns bench (CMD:RETURNS): receiving returned parcels; the open return; CMD:DAMAGED
    # marks the next item scanned into it as damaged.
    returns: bool = False
    return_id: int | None = None
    damaged_next: bool = False


@dataclass(frozen=True)
class LineSnap:
    id: int
    product_id: int
    sku: str
    name: str
    barcode: str
    quantity: int
    scanned: int
    unit_weight_g: int

    @property
    def missing(self) -> int:
        return self.quantity - self.scanned


@dataclass(frozen=True)
class ParcelSnap:
    seq: int
    id: int | None = None  # None: the rules ask for it to be created
    units: tuple[tuple[int, int], ...] = ()  # (order line id, quantity), in line order
    box_code: str | None = None
    expected_weight_g: int | None = None
    weight_g: int | None = None
    label_prints: int = 0
    waybill: str | None = None
    preassigned_waybill: str | None = None
    sealed: bool = False
    manifest_no: str | None = None
    # Its live e-waybill (an e-waybill carrier): the number (None until taken) and its state
    # (requested, taken, printed, linked); None: none asked for yet.
    ewaybill: str | None = None
    ewaybill_state: str | None = None

    @property
    def unit_count(self) -> int:
        return sum(q for _, q in self.units)

    def quantity_of(self, line_id: int) -> int:
        return next((q for lid, q in self.units if lid == line_id), 0)

    def with_unit(self, line_id: int) -> ParcelSnap:
        units = dict(self.units)
        units[line_id] = units.get(line_id, 0) + 1
        return replace(self, units=tuple(units.items()))


@dataclass(frozen=True)
class OrderSnap:
    id: int
    order_no: str
    state: str
    station_id: int | None
    carrier_code: str | None  # None only on hold: pulled for a shop with no carrier chosen
    preassigned_waybill: str | None
    waybill: str | None
    lines: tuple[LineSnap, ...]
    parcels: tuple[ParcelSnap, ...] = ()
    recipient_name: str = ""
    recipient_phone: str = ""
    recipient_address: str = ""
    note: str = ""
    holder: str | None = None  # the name of the bench holding it (when packing elsewhere)
    platform_refund: int | None = None  # the platform's refund_status as last read (2, 3, 4: refund asked)
    ewaybills: bool = False  # its shop takes this carrier's waybills from the platform (source pdd)

    @property
    def refund_requested(self) -> bool:
        """The buyer asked for a refund on the platform (in progress, refunding or refunded)."""
        return self.platform_refund in REFUND_REQUESTED

    @property
    def units_missing(self) -> int:
        return sum(line.missing for line in self.lines)

    @property
    def open_parcel(self) -> ParcelSnap | None:
        """The parcel being filled or finished: the first one without a waybill."""
        return next((p for p in self.parcels if p.waybill is None), None)

    def line_index(self, product_id: int) -> int | None:
        return next((i for i, line in enumerate(self.lines) if line.product_id == product_id), None)

    def parcel(self, seq: int) -> ParcelSnap | None:
        return next((p for p in self.parcels if p.seq == seq), None)

    def with_parcel(self, parcel: ParcelSnap) -> OrderSnap:
        others = tuple(p for p in self.parcels if p.seq != parcel.seq)
        return replace(self, parcels=tuple(sorted((*others, parcel), key=lambda p: p.seq)))

    def expected_waybill(self, parcel: ParcelSnap) -> str | None:
        """The number this parcel's waybill scan must match: its own pool number, or for parcel 1
        the order's pre-assigned waybill."""
        if self.ewaybills:
            return parcel.ewaybill
        return parcel.preassigned_waybill or (self.preassigned_waybill if parcel.seq == 1 else None)

    def label_printed(self, parcel: ParcelSnap) -> bool:
        """The parcel's label is out: PackGate's (a print intent recorded), or its e-waybill printed."""
        if self.ewaybills:
            return parcel.ewaybill_state in ("printed", "linked")
        return parcel.label_prints > 0

    def units_weight_g(self, parcel: ParcelSnap) -> int:
        weights = {line.id: line.unit_weight_g for line in self.lines}
        return sum(weights.get(line_id, 0) * qty for line_id, qty in parcel.units)

    @property
    def is_packing(self) -> bool:
        return self.state == OrderState.PACKING.value


@dataclass(frozen=True)
class ProductFact:
    id: int
    sku: str
    name: str


@dataclass(frozen=True)
class BoxFact:
    code: str
    tare_g: int
    active: bool = True


@dataclass(frozen=True)
class ParcelFact:
    """The parcel a handover scan names, with its order and where it already is."""

    parcel_id: int
    seq: int
    parcels_in_order: int
    order_id: int
    order_no: str
    order_state: str
    carrier_code: str
    manifest_id: int | None = None
    manifest_no: str | None = None


@dataclass(frozen=True)
class CodeFacts:
    """What the database knows about a scanned code (only what the current step needs is read)."""

    product: ProductFact | None = None
    box: BoxFact | None = None
    is_badge: bool = False
    is_order_no: bool = False
    waybill_owner: str | None = None  # order number of another parcel holding this waybill
    ewaybill_of: tuple[str, int] | None = None  # (order number, parcel seq) whose e-waybill this number is
    parcel: ParcelFact | None = None  # handover: the parcel with this waybill
    preassigned_somewhere: bool = False  # handover: a pre-assigned number not linked yet


@dataclass(frozen=True)
class ManifestSnap:
    id: int
    manifest_no: str
    carrier_code: str | None
    closed: bool
    count: int
    # Closing: parcels of this manifest's orders that are on no closed manifest nor on this one.
    missing: tuple[tuple[str, int, str], ...] = field(default=())  # (order_no, seq, waybill)
