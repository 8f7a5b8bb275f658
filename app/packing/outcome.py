"""What a scan produces: an Outcome (accepted or refused, a message, a sound, the next step, what to
print) and a plain-data BenchView the window renders. No ORM objects and no Qt cross this boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.i18n import QT_TRANSLATE_NOOP, Message
from app.packing.print_request import PrintRequest

# A scan (or a print's report) the database did not answer: nothing of it was saved.
DB_UNREACHABLE = Message(
    QT_TRANSLATE_NOOP("Outcome", "Database unreachable: this scan was NOT saved. Scan it again when the connection is back.")
)


class Step(StrEnum):
    LOGIN = "login"  # scan a badge
    PIN = "pin"  # type the PIN of the badge just scanned
    ORDER = "order"  # scan an order number
    VERIFY = "verify"  # scan every item, one unit per scan
    BOX = "box"  # scan a box code
    WEIGHT = "weight"  # type, scan or read the weight
    LABEL = "label"  # the label is printing, or printing failed: CMD:REPRINT
    WAYBILL = "waybill"  # scan the carrier waybill
    HANDOVER = "handover"  # scan parcels for the courier; CMD:CLOSE closes the manifest
    RETURNS = "returns"  # receive returned parcels (CMD:RETURNS); CMD:CLOSE closes the open return


# The step bar of the window: Order -> Verify -> Pack -> Label -> Waybill -> Done.
STEP_BAR: tuple[tuple[str, tuple[Step, ...]], ...] = (
    (QT_TRANSLATE_NOOP("Outcome", "Order"), (Step.ORDER,)),
    (QT_TRANSLATE_NOOP("Outcome", "Verify"), (Step.VERIFY,)),
    (QT_TRANSLATE_NOOP("Outcome", "Pack"), (Step.BOX, Step.WEIGHT)),
    (QT_TRANSLATE_NOOP("Outcome", "Label"), (Step.LABEL,)),
    (QT_TRANSLATE_NOOP("Outcome", "Waybill"), (Step.WAYBILL,)),
    (QT_TRANSLATE_NOOP("Outcome", "Done"), ()),
)

INSTRUCTIONS: dict[Step, str] = {
    Step.LOGIN: QT_TRANSLATE_NOOP("Outcome", "Scan your badge"),
    Step.PIN: QT_TRANSLATE_NOOP("Outcome", "Type your PIN and press Enter"),
    Step.ORDER: QT_TRANSLATE_NOOP("Outcome", "Scan an order number"),
    Step.VERIFY: QT_TRANSLATE_NOOP("Outcome", "Scan each item"),
    Step.BOX: QT_TRANSLATE_NOOP("Outcome", "Scan the box code"),
    Step.WEIGHT: QT_TRANSLATE_NOOP("Outcome", "Weigh the parcel: type or scan the weight"),
    Step.LABEL: QT_TRANSLATE_NOOP("Outcome", "Label not printed: fix the printer, then scan CMD:REPRINT"),
    Step.WAYBILL: QT_TRANSLATE_NOOP("Outcome", "Scan the carrier waybill"),
    Step.HANDOVER: QT_TRANSLATE_NOOP("Outcome", "Scan each parcel for the courier; CMD:CLOSE when done"),
    Step.RETURNS: QT_TRANSLATE_NOOP("Outcome", "Returns: scan the parcel, then each item; CMD:DAMAGED before a damaged one; CMD:CLOSE when done"),
}


class Level(StrEnum):
    """Colour of the banner and the sound that plays."""

    ACCEPTED = "accepted"  # green, accept sound
    REFUSED = "refused"  # red, refuse sound
    WARNING = "warning"  # amber, refuse sound (something needs attention but nothing was lost)
    COMPLETE = "complete"  # green, complete sound (order packed, manifest closed)
    INFO = "info"  # neutral, no sound (login screen, harmless repeats)


@dataclass(frozen=True)
class LineView:
    sku: str
    barcode: str
    name: str
    quantity: int
    scanned: int

    @property
    def complete(self) -> bool:
        return self.scanned >= self.quantity


@dataclass(frozen=True)
class ParcelView:
    seq: int
    units: int
    waybill: str | None = None
    box_code: str | None = None
    weight_g: int | None = None
    sealed: bool = False

    @property
    def state(self) -> str:
        """open (being filled), closed (contents done, box to waybill), linked (has its waybill)."""
        if self.waybill:
            return "linked"
        return "closed" if self.sealed else "open"


@dataclass(frozen=True)
class OrderView:
    order_no: str
    carrier_code: str
    carrier_name: str
    recipient_name: str
    recipient_phone: str
    recipient_address: str
    note: str
    state: str
    preassigned_waybill: str | None
    waybill: str | None
    lines: tuple[LineView, ...]
    box_code: str | None = None
    weight_g: int | None = None
    expected_weight_g: int | None = None
    tolerance_g: int | None = None
    label_prints: int = 0
    parcels: tuple[ParcelView, ...] = ()
    parcel_seq: int | None = None  # the parcel being filled or finished (box, weight, label, waybill)
    parcel_total: int | None = None  # known once every unit is in a parcel

    @property
    def items_scanned(self) -> int:
        return sum(line.scanned for line in self.lines)

    @property
    def items_total(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class ManifestView:
    manifest_no: str
    carrier_code: str | None
    carrier_name: str
    parcels: tuple[tuple[str, str], ...]  # (waybill, order_no), newest last

    @property
    def count(self) -> int:
        return len(self.parcels)


@dataclass(frozen=True)
class ReturnLineView:
    """One SKU the order shipped, in the return being received."""

    sku: str
    name: str
    shipped: int
    claimed: int | None  # the buyer's claim (None: the platform did not say)
    expected: int
    good: int
    damaged: int

    @property
    def missing(self) -> int:
        return max(self.expected - self.good - self.damaged, 0)


@dataclass(frozen=True)
class ShippedParcelView:
    """A parcel the order went out in: what the return is checked against."""

    seq: int
    waybill: str | None
    weight_g: int | None
    packer: str
    packed_at: str  # local time, as text
    lines: tuple[tuple[str, int], ...]  # (sku, units)


@dataclass(frozen=True)
class ReturnView:
    """The return open at the bench: matched to an order, or an unmatched parcel."""

    return_waybill: str | None
    order_no: str | None
    lines: tuple[ReturnLineView, ...] = ()
    foreign: tuple[tuple[str, int], ...] = ()
    unmatched: tuple[tuple[str, str, int], ...] = ()  # (sku or code, condition, units)
    parcels: tuple[ShippedParcelView, ...] = ()
    after_sales_id: str | None = None
    after_sales_type: int | None = None
    reason: str = ""
    damaged_next: bool = False


@dataclass(frozen=True)
class BenchView:
    station: str
    step: Step
    user_name: str | None = None
    user_role: str | None = None
    order: OrderView | None = None
    manifest: ManifestView | None = None
    last_line: int | None = None  # index in order.lines of the line the last scan hit
    last_print: str | None = None  # where the last document went (file path or printer)
    completed_order: str | None = None  # order number just completed (the Done step lights up)
    completed_platform: str | None = None  # its platform job's state (pending, sent, confirmed, failed...)
    require_video: bool | None = None  # the site's "video required" when this view was read; None: not read yet
    # The idle screen's "orders due to ship within due_soon_hours": read by a refresh of the view,
    # never by a scan (None: not read with this view; the window keeps the last figure it had).
    due_soon: int | None = None
    due_soon_hours: int | None = None
    return_view: ReturnView | None = None  # the returns bench's open return

    @property
    def idle(self) -> bool:
        """Logged in, waiting for the next order (the idle screen)."""
        return self.step == Step.ORDER and self.order is None

    @property
    def instruction(self) -> Message:
        return Message(INSTRUCTIONS[self.step])


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    level: Level
    message: Message
    kind: str  # what the scan was taken as: badge, pin, order, item, box, weight, waybill, command, ...
    view: BenchView
    raw: str = ""
    # Notes for the bench's own listeners, never for its printer (the video gate's refusal says
    # ``video_required``).
    extra: dict = field(default_factory=dict)
    # What the bench's printer is to print now (None: nothing); carried out at the bench, in both modes.
    print_request: PrintRequest | None = None

    @property
    def step(self) -> Step:
        return self.view.step

    @property
    def sound(self) -> str | None:
        return {
            Level.ACCEPTED: "accept",
            Level.REFUSED: "refuse",
            Level.WARNING: "refuse",
            Level.COMPLETE: "complete",
            Level.INFO: None,
        }[self.level]
