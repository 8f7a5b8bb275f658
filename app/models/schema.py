"""The PackGate schema as SQLAlchemy 2 typed models.

Constraints that matter are stated here so the database enforces them for every bench, script
and bug alike: a waybill belongs to at most one parcel of one order (unique), a packed or
handed-over order has a waybill (check) and no parcel without one (trigger), scanned never exceeds
quantity (check) nor do a line's units in parcels (trigger), a parcel is on at most one manifest
(unique), a pool number goes to at most one parcel (unique). Scan events are append-only: triggers
in the migration refuse UPDATE and DELETE on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.models.states import ORDER_STATES, OrderState  # noqa: F401 - re-exported: the states live SQLAlchemy-free
from app.models.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Role(StrEnum):
    PACKER = "packer"
    SUPERVISOR = "supervisor"


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Carrier(Base):
    __tablename__ = "carriers"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_zh: Mapped[str] = mapped_column(String(80))


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_weight_g: Mapped[int] = mapped_column(Integer, default=0)
    # The box the packer usually takes for it (product catalogue import); kept as data, not yet used by the bench.
    default_box_code: Mapped[str | None] = mapped_column(ForeignKey("box_types.code"))
    barcodes: Mapped[list[ProductBarcode]] = relationship(back_populates="product")
    __table_args__ = (CheckConstraint("unit_weight_g >= 0", name="weight_not_negative"),)


class ProductBarcode(Base):
    __tablename__ = "product_barcodes"
    barcode: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    product: Mapped[Product] = relationship(back_populates="barcodes")


class BoxType(Base):
    __tablename__ = "box_types"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    tare_g: Mapped[int] = mapped_column(Integer)
    length_mm: Mapped[int] = mapped_column(Integer, default=0)
    width_mm: Mapped[int] = mapped_column(Integer, default=0)
    height_mm: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    __table_args__ = (CheckConstraint("tare_g >= 0", name="tare_not_negative"),)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    badge: Mapped[str] = mapped_column(String(64), unique=True)
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    failed_pins: Mapped[int] = mapped_column(Integer, default=0)
    lockouts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # since the last right PIN
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moved on by disable, set-pin, unlock and a lockout: every session signed before is dead.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    __table_args__ = (CheckConstraint(_in("role", tuple(r.value for r in Role)), name="role_known"),)


class Station(Base):
    __tablename__ = "stations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moved on by every login and logout at this bench: a bench session signed before is dead.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Shop(Base):
    """A shop on the platform (``packgate shops add``): its credentials (secrets only as paths of
    owner-only files, in ``options`` as JSON), its default carrier, and its order pull's state: the
    cursor (the end of the last ``updated_at`` window read whole), the last pull and its error, and a
    stopped channel (``stopped_reason``: an expired token stops this shop's pull and jobs only)."""

    __tablename__ = "shops"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[str] = mapped_column(String(16), default="pdd")
    options: Mapped[str] = mapped_column(Text, default="{}")
    default_carrier: Mapped[str | None] = mapped_column(ForeignKey("carriers.code"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    stopped_reason: Mapped[str] = mapped_column(Text, default="")
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pull_cursor: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_pull_error: Mapped[str] = mapped_column(Text, default="")
    pull_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (CheckConstraint("platform IN ('pdd')", name="platform_known"),
                      CheckConstraint("name <> ''", name="name_not_empty"),
                      CheckConstraint("pull_failures >= 0", name="failures_not_negative"))


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[str] = mapped_column(String(32), default="")
    # None only while the order is held (or cancelled): a pulled order of a shop with no carrier (0018).
    carrier_code: Mapped[str | None] = mapped_column(ForeignKey("carriers.code"))
    # Text: a pulled order's receiver may be the platform's encrypted value, stored as given (migration 0017).
    recipient_name: Mapped[str] = mapped_column(Text, default="")
    recipient_phone: Mapped[str] = mapped_column(Text, default="")
    recipient_address: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default=OrderState.READY.value)
    # A pre-assigned electronic waybill (from the import or a waybill pool): the scan must match it.
    preassigned_waybill: Mapped[str | None] = mapped_column(String(64))
    # The linked waybill: set only by a valid waybill scan, in the same transaction as `packed`.
    waybill: Mapped[str | None] = mapped_column(String(64), unique=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    packer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    packing_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_reason: Mapped[str] = mapped_column(Text, default="")
    # The shop it was pulled from (None: imported from a file, sent through the site's channel).
    shop_id: Mapped[int | None] = mapped_column(ForeignKey("shops.id"))
    # The platform's promised shipping time (last_ship_time); None: created_at + late_hours (the 24-hour rule).
    ship_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.id")
    station: Mapped[Station | None] = relationship()
    packer: Mapped[User | None] = relationship()
    parcels: Mapped[list[Parcel]] = relationship(back_populates="order", order_by="Parcel.seq")
    __table_args__ = (
        CheckConstraint(_in("state", ORDER_STATES), name="state_known"),
        CheckConstraint(
            "state NOT IN ('packed', 'handed_over') OR waybill IS NOT NULL", name="shipped_has_waybill"
        ),
        CheckConstraint("state <> 'packing' OR station_id IS NOT NULL", name="packing_has_station"),
        CheckConstraint("carrier_code IS NOT NULL OR state IN ('on_hold', 'cancelled')", name="carrier_unless_held"),
        # shop_id too: the summary's orders of a period by state and shop read the index alone (0025).
        Index("ix_orders_state_created_shop", "state", "created_at", "shop_id"),
        # Covering indexes for the supervisor's per-period figures (bench/bench_summary.py).
        Index("ix_orders_packed_cover", "packed_at", "packer_id", "station_id", "carrier_code", "packing_started_at"),
        Index("ix_orders_handed_carrier", "handed_over_at", "carrier_code"),
        Index("ix_orders_station_state", "station_id", "state"),
        Index("ix_orders_carrier_state", "carrier_code", "state"),
        Index("ix_orders_shop_state", "shop_id", "state"),
        Index("ix_orders_state_ship_by", "state", "ship_by"),
        # Always empty (a CHECK forbids such rows): makes the summary's tripwire count instant.
        Index("ix_orders_no_waybill", "state", sqlite_where=text("waybill IS NULL"),
              postgresql_where=text("waybill IS NULL")),
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    scanned: Mapped[int] = mapped_column(Integer, default=0)
    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()
    __table_args__ = (
        UniqueConstraint("order_id", "product_id", name="uq_order_lines_order_product"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("scanned >= 0 AND scanned <= quantity", name="scanned_within_quantity"),
        Index("ix_order_lines_order_id", "order_id"),
    )


class Parcel(Base):
    """One box of an order (seq 1, 2, ...): its units, box, weight, label prints and waybill.

    A waybill is unique across all parcels of all orders. The order's ``waybill`` is parcel 1's, so
    everything that reads the order keeps working. ``sealed`` marks contents closed by CMD:NEWPARCEL
    (the last parcel is closed by its last unit). Migration 0006's triggers make the database refuse
    a packed or handed-over order with a parcel that has no waybill, and parcel units beyond the
    order's quantity.
    """

    __tablename__ = "parcels"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer, default=1)
    box_code: Mapped[str | None] = mapped_column(ForeignKey("box_types.code"))
    weight_g: Mapped[int | None] = mapped_column(Integer)
    expected_weight_g: Mapped[int | None] = mapped_column(Integer)
    label_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    label_prints: Mapped[int] = mapped_column(Integer, default=0)
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    packer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    waybill: Mapped[str | None] = mapped_column(String(64), unique=True)
    preassigned_waybill: Mapped[str | None] = mapped_column(String(64))
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    order: Mapped[Order] = relationship(back_populates="parcels")
    __table_args__ = (
        UniqueConstraint("order_id", "seq", name="uq_parcels_order_seq"),
        Index("ix_parcels_packed_at", "packed_at"),
        CheckConstraint("weight_g IS NULL OR weight_g > 0", name="weight_positive"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )


class ParcelLine(Base):
    """How many units of an order line went into a parcel."""

    __tablename__ = "parcel_lines"
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"), primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_parcel_lines_order_line", "order_line_id"),
    )


class WaybillPoolEntry(Base):
    """A number a carrier allocated to the shop; given to one parcel at its label step. The order
    keeps it even when the parcel is unpacked again (its label may already be on a box)."""

    __tablename__ = "waybill_pool"
    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_code: Mapped[str] = mapped_column(ForeignKey("carriers.code"))
    number: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    parcel_id: Mapped[int | None] = mapped_column(ForeignKey("parcels.id", ondelete="SET NULL"), unique=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_waybill_pool_free", "carrier_code", "order_id", "id"),)


WAYBILL_SOURCES = ("scan", "pool", "pdd")
EWAYBILL_STATES = ("requested", "taken", "printed", "linked", "cancelled")


class WaybillSource(Base):
    """Where a carrier's waybills come from for one shop: ``scan`` (a courier's label, scanned),
    ``pool`` (numbers imported beforehand) or ``pdd`` (an e-waybill from the shop's platform account
    at ``branch_code``, sent with the sender address exactly as the branch registered it, as JSON)."""

    __tablename__ = "waybill_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    carrier_code: Mapped[str] = mapped_column(ForeignKey("carriers.code"))
    source: Mapped[str] = mapped_column(String(8), default="scan")
    branch_code: Mapped[str] = mapped_column(String(64), default="")
    branch_name: Mapped[str] = mapped_column(String(120), default="")
    sender_address: Mapped[str] = mapped_column(Text, default="")
    template_url: Mapped[str] = mapped_column(Text, default="")
    template_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("shop_id", "carrier_code", name="uq_waybill_sources_shop_carrier"),
        CheckConstraint(_in("source", WAYBILL_SOURCES), name="source_known"),
        CheckConstraint("source <> 'pdd' OR (branch_code <> '' AND sender_address <> '')", name="pdd_has_branch"),
    )


class EwaybillBalance(Base):
    """The balance of one e-waybill branch account as the platform last reported it
    (``pdd.waybill.search``, read by the sender's loop or ``packgate ewaybill figures``), kept so the
    supervisor's figures never call the platform. A shop whose last call failed has one row with
    ``wp_code`` '' and the platform's words in ``error`` (its balances last read stay beside it)."""

    __tablename__ = "ewaybill_balances"
    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    wp_code: Mapped[str] = mapped_column(String(16), default="")
    branch_code: Mapped[str] = mapped_column(String(64), default="")
    branch_name: Mapped[str] = mapped_column(String(120), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (
        UniqueConstraint("shop_id", "wp_code", "branch_code", name="uq_ewaybill_balances_shop_branch"),
        CheckConstraint("(wp_code = '') = (error <> '')", name="error_or_branch"),
        CheckConstraint("used >= 0 AND cancelled >= 0", name="counts_not_negative"),
    )


class Ewaybill(Base):
    """An e-waybill asked for one parcel (order, seq): requested in the weight scan's transaction,
    taken from the platform off it (number and print data), printed, linked by the parcel's waybill
    scan, or cancelled (never used again). One live (not cancelled) e-waybill per parcel; a number
    is unique across all of them, as every waybill. The row outlives the parcel (an unpacked order's
    parcels are deleted; its number still has to be cancelled)."""

    __tablename__ = "ewaybills"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    parcel_seq: Mapped[int] = mapped_column(Integer)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    carrier_code: Mapped[str] = mapped_column(ForeignKey("carriers.code"))
    branch_code: Mapped[str] = mapped_column(String(64), default="")
    waybill_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    print_data: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="requested")
    error: Mapped[str] = mapped_column(Text, default="")  # the platform's last refusal, in its words
    prints: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint(_in("state", EWAYBILL_STATES), name="state_known"),
        CheckConstraint("state IN ('requested', 'cancelled') OR (waybill_code IS NOT NULL AND print_data <> '' "
                        "AND taken_at IS NOT NULL)", name="taken_has_number"),
        CheckConstraint("state <> 'requested' OR waybill_code IS NULL", name="requested_has_no_number"),
        CheckConstraint("state <> 'linked' OR linked_at IS NOT NULL", name="linked_has_time"),
        CheckConstraint("state <> 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_has_time"),
        CheckConstraint("parcel_seq >= 1", name="seq_positive"),
        Index("uq_ewaybills_live_parcel", "order_id", "parcel_seq", unique=True,
              sqlite_where=text("state <> 'cancelled'"), postgresql_where=text("state <> 'cancelled'")),
        Index("ix_ewaybills_state_taken", "state", "taken_at"),
        Index("ix_ewaybills_carrier_taken", "carrier_code", "taken_at"),
    )


class Manifest(Base):
    """A handover list (交接单) of parcels given to one carrier's courier."""

    __tablename__ = "manifests"
    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_no: Mapped[str] = mapped_column(String(40), unique=True)
    carrier_code: Mapped[str | None] = mapped_column(ForeignKey("carriers.code"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # courier signed: no reopening
    # A courier-signed paper manifest recorded as picked up by hand (`packgate manifests picked-up`): issue 22.
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    picked_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    items: Mapped[list[ManifestItem]] = relationship(back_populates="manifest", order_by="ManifestItem.id")
    station: Mapped[Station | None] = relationship()
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    __table_args__ = (
        CheckConstraint("closed_at IS NULL OR carrier_code IS NOT NULL", name="closed_has_carrier"),
        Index("ix_manifests_station_closed", "station_id", "closed_at"),
    )


class ManifestItem(Base):
    """One parcel handed to the courier on a manifest (at most one manifest per parcel)."""

    __tablename__ = "manifest_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), unique=True)  # one manifest per parcel
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    manifest: Mapped[Manifest] = relationship(back_populates="items")
    order: Mapped[Order] = relationship()


class ParcelTracking(Base):
    """A handed-over parcel's carrier trace, followed until the courier's pickup scan (揽收): issue 22.

    A row appears with the order's handover (a trigger on ``orders.handed_over_at``, migration 0020:
    every writer enrols its parcels) due at once; :mod:`app.platform.tracker` looks at the trace when
    ``next_check_at`` comes (NULL: not followed any more: picked up, given up as lost, or no shop to
    ask). ``picked_up_at`` is the pickup event's own time (``picked_up_by`` 'trace'), or the time a
    supervisor recorded a courier-signed paper manifest ('hand'). A reopened manifest takes its
    orders' rows away (they are enrolled again at the next handover)."""

    __tablename__ = "parcel_tracking"
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    handed_over_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    picked_up_by: Mapped[str | None] = mapped_column(String(8))  # 'trace' or 'hand'
    trace_action: Mapped[str | None] = mapped_column(String(32))  # the last trace line
    trace_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trace_desc: Mapped[str] = mapped_column(Text, default="", server_default="")
    exception_action: Mapped[str | None] = mapped_column(String(32))  # the newest FAIL, REJECTION or RETURN
    exception_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exception_desc: Mapped[str] = mapped_column(Text, default="", server_default="")
    lost: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))  # lost_in_transit?
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    __table_args__ = (
        CheckConstraint("checks >= 0", name="checks_not_negative"),
        CheckConstraint("(picked_up_at IS NULL) = (picked_up_by IS NULL)", name="pickup_has_source"),
        CheckConstraint("picked_up_by IS NULL OR picked_up_by IN ('trace', 'hand')", name="pickup_source_known"),
        CheckConstraint("picked_up_at IS NULL OR (next_check_at IS NULL AND NOT lost)", name="picked_up_not_followed"),
        CheckConstraint("NOT lost OR next_check_at IS NULL", name="lost_not_followed"),
        CheckConstraint("(exception_action IS NULL) = (exception_time IS NULL)", name="exception_has_time"),
        # A pass with nothing due is one seek into this (only the followed parcels are in it).
        Index("ix_parcel_tracking_due", "next_check_at", sqlite_where=text("next_check_at IS NOT NULL"),
              postgresql_where=text("next_check_at IS NOT NULL")),
        # The tiles: parcels handed over without a pickup, by handover time.
        Index("ix_parcel_tracking_waiting", "handed_over_at", sqlite_where=text("picked_up_at IS NULL"),
              postgresql_where=text("picked_up_at IS NULL")),
        Index("ix_parcel_tracking_handed", "handed_over_at"),  # the per-courier table of a period
        Index("ix_parcel_tracking_exception", "exception_time", sqlite_where=text("exception_action IS NOT NULL"),
              postgresql_where=text("exception_action IS NOT NULL")),
    )


class ScanEvent(Base):
    """The audit trail: every scan, print and supervisor action. Append-only (triggers)."""

    __tablename__ = "scan_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("manifests.id"))
    raw: Mapped[str] = mapped_column(Text, default="")  # exactly what was scanned (secrets masked)
    kind: Mapped[str] = mapped_column(String(32))
    accepted: Mapped[bool] = mapped_column(Boolean)
    message: Mapped[str] = mapped_column(Text, default="")  # English text of the outcome
    reason: Mapped[str] = mapped_column(Text, default="")  # why, for supervisor actions
    # The bench's hash chain (app/models/audit_chain.py): position, predecessor's hash, own hash.
    chain_seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    station: Mapped[Station | None] = relationship()
    user: Mapped[User | None] = relationship()
    order: Mapped[Order | None] = relationship()
    __table_args__ = (
        Index("ix_scan_events_at_cover", "at", "user_id", "station_id", "kind", "accepted"),
        Index("ix_scan_events_kind_at", "kind", "at"),
        Index("ix_scan_events_order_at", "order_id", "at"),
        Index("ix_scan_events_user_at", "user_id", "at"),
    )


APPEND_ONLY_TABLES = ("scan_events",)


class AuditChainHead(Base):
    """The newest link of each bench's hash chain (``bench_key`` = station id, NO_ID for none).

    Its row lock orders the writers of one bench's chain; benches never wait on each other."""

    __tablename__ = "audit_chain_heads"
    bench_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    # The chain's events written before the chain began (migration 0008), counted by migration 0013a:
    # any other event without a hash was inserted around the chain.
    legacy_events: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    legacy_first_id: Mapped[int | None] = mapped_column(Integer)
    legacy_last_id: Mapped[int | None] = mapped_column(Integer)

# Audit events that are not scans at a bench (prints, logins, supervisor actions, catalogue changes
# and holds made by an import, settings and user changes): they count neither in scan totals nor in
# refusal rates. Migration 0003 froze this list into the rollup trigger, 0007, 0008 and 0023 rebuilt it
# with the longer list; a test keeps the newest frozen copy equal to this one (changing it needs a
# migration that rebuilds the trigger).
NOT_SCANS = ("print", "reprint", "auth", "release_hold", "cancel", "unlink", "reopen_manifest", "product_change",
             "import_hold", "settings", "users", "attach_return", "share", "manifest_picked_up")
NO_ID = 0  # scan_stats_hourly's user_id / station_id for "none" (a unique key never matches NULLs)


class ScanStatsHourly(Base):
    """Scans per UTC hour, packer and bench: kept by the database itself (AFTER INSERT trigger on
    scan_events, migration 0003), so every writer (PackGate, a script, psql) keeps it exact. Only
    scans count (kinds not in NOT_SCANS); ``user_id``/``station_id`` are NO_ID when the event had none.
    The summary reads it for the whole hours of a period and scan_events for the partial ones."""

    __tablename__ = "scan_stats_hourly"
    hour_utc: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scans: Mapped[int] = mapped_column(Integer)
    refused: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)  # accepted item scans
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # PostgreSQL: the figures ride in the key's index (INCLUDE), so a period's hours are read from the
    # index alone (0025); SQLite keeps the rows in the key's b-tree already (WITHOUT ROWID).
    __table_args__ = (PrimaryKeyConstraint("hour_utc", "user_id", "station_id",
                                           postgresql_include=["scans", "refused", "items", "first_at", "last_at"]),
                      {"sqlite_with_rowid": False})


class OrderStatsHourly(Base):
    """Orders per UTC hour, packer, bench and carrier: kept by the database itself (triggers on
    INSERT, UPDATE and DELETE of orders, migration 0004), so every writer keeps it exact, an unlinked
    waybill or a reopened manifest included. ``packed``/``timed``/``duration_us`` count the orders
    whose ``packed_at`` falls in the hour (``duration_us``: packed_at - packing_started_at summed in
    whole microseconds over the ``timed`` ones); ``handed_over`` counts those whose ``handed_over_at``
    falls in it, on rows whose packer and bench are NO_ID. Groups may fall back to all zeros.
    The summary reads it for the whole hours of a period and orders for the partial ones."""

    __tablename__ = "order_stats_hourly"
    hour_utc: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    packer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carrier_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    packed: Mapped[int] = mapped_column(Integer)
    timed: Mapped[int] = mapped_column(Integer)
    duration_us: Mapped[int] = mapped_column(BigInteger)
    handed_over: Mapped[int] = mapped_column(Integer)
    # As scan_stats_hourly: on PostgreSQL the key's index carries the figures (0025).
    __table_args__ = (PrimaryKeyConstraint("hour_utc", "packer_id", "station_id", "carrier_code",
                                           postgresql_include=["packed", "timed", "duration_us", "handed_over"]),
                      {"sqlite_with_rowid": False})


class NotOnPlatformHourly(Base):
    """Packed and handed-over orders the platform has not confirmed (no confirmed ``ship`` job), per
    bench, kept by the database (triggers on orders and platform_jobs, migration 0013p): each such
    order counts once in its bench's total (``hour_of`` 'total', on the hour 1970-01-01 00:00), once
    on the UTC hour of its ``created_at`` ('created_at') and once on that of its ``packed_at``
    ('packed_at'; without one, on 9999-12-31 23:00). Rows may fall back to zero. The platform tiles read the totals
    minus the recent hours, plus the partial hour at the edge from orders."""

    __tablename__ = "not_on_platform_hourly"
    hour_of: Mapped[str] = mapped_column(String(16), primary_key=True)
    hour_utc: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    station_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    __table_args__ = (CheckConstraint("hour_of IN ('total', 'created_at', 'packed_at')", name="hour_of_known"),
                      {"sqlite_with_rowid": False})


class StationKey(Base):
    """A bench's credentials at the PackGate server: a one-time enrolment code, then a token (both kept
    only as SHA-256 hashes). Revoked: the bench is refused at its next call."""

    __tablename__ = "station_keys"
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScanReply(Base):
    """The server's answer to a bench's scan, by the id the bench gave it: a retry after a lost reply
    gets this answer back and counts nothing twice. Written in the scan's own transaction."""

    __tablename__ = "scan_replies"
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    scan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reply: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ServerKey(Base):
    """Secrets every server process shares through the database (the session signing key)."""

    __tablename__ = "server_keys"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
# ----------------------------------------------------------------------------- the shop platform


class JobState(StrEnum):
    """A platform job: ``pending`` (not tried yet or due again), ``sent`` (tried, the answer was lost
    or the platform was unreachable: due again), ``exported`` (in a bulk-shipping file not yet
    marked uploaded), ``confirmed`` (the platform holds this number), ``failed`` (the platform
    refused: a supervisor acts), ``void`` (overtaken by a correction before it was sent)."""

    PENDING = "pending"
    SENT = "sent"
    EXPORTED = "exported"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    VOID = "void"


JOB_STATES = tuple(s.value for s in JobState)
# ship: parcel 1 (pdd.logistics.online.send); extra: parcels 2+ (pdd.order.upload.extra.logistics);
# unlink / cancel: corrections written by the supervisor's actions after a ship job went out.
JOB_KINDS = ("ship", "extra", "unlink", "cancel", "ewaybill_cancel")  # ewaybill_cancel: pdd.waybill.cancel (0019)


class PlatformJob(Base):
    """The transactional outbox: one row per parcel waybill (or correction) the platform must learn,
    written in the transaction that packs (or hands over) the order; the sender delivers it under a
    lease (``lease_owner``/``lease_until``) so only one sender works on a job at a time."""

    __tablename__ = "platform_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    order_no: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    parcel_seq: Mapped[int] = mapped_column(Integer, default=1)
    carrier_code: Mapped[str] = mapped_column(String(16))
    tracking_number: Mapped[str] = mapped_column(String(64))
    logistics_id: Mapped[int | None] = mapped_column(Integer)  # as sent
    state: Mapped[str] = mapped_column(String(16), default=JobState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(Text, default="")
    platform_number: Mapped[str | None] = mapped_column(String(64))  # what the platform holds, read back
    export_file: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        CheckConstraint(_in("state", JOB_STATES), name="state_known"),
        CheckConstraint(_in("kind", JOB_KINDS), name="kind_known"),
        CheckConstraint("state <> 'confirmed' OR confirmed_at IS NOT NULL", name="confirmed_has_time"),
        Index("ix_platform_jobs_due", "state", "next_attempt_at"),
        Index("ix_platform_jobs_order", "order_id", "kind"),
        # Only exported jobs have a file: the waybill scan's insert does not touch this index.
        Index("ix_platform_jobs_export", "export_file", sqlite_where=text("export_file IS NOT NULL"),
              postgresql_where=text("export_file IS NOT NULL")),
    )


class PlatformOrder(Base):
    """What the platform last said about an order (``pdd.order.status.get``): the bench refuses to
    open an order whose buyer asked for a refund, and stops one being packed at its next scan."""

    __tablename__ = "platform_orders"
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    order_status: Mapped[int | None] = mapped_column(Integer)  # 1 awaiting, 2 shipped, 3 signed, 0 abnormal
    refund_status: Mapped[int | None] = mapped_column(Integer)  # 1 none, 2 in progress, 3 refunding, 4 refunded
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The pull (app/platform/puller.py): the platform's updated_at last applied (the same again: no
    # write), why the pull holds the order (None: it does not), and for a hold a later pull may
    # release without the platform changing the order (unknown SKU) the order as the platform gave it.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pull_hold: Mapped[str | None] = mapped_column(String(16))
    payload: Mapped[str | None] = mapped_column(Text)


class PlatformConfig(Base):
    """The site's one platform channel (``packgate platform set``): settings as JSON, secrets only as
    paths of owner-only files. ``stopped_reason`` set: the sender waits (e.g. an expired token)."""

    __tablename__ = "platform_config"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    options: Mapped[str] = mapped_column(Text, default="{}")
    stopped_reason: Mapped[str] = mapped_column(Text, default="")
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_export_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the platform last answered a state refresh
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),
                      CheckConstraint(_in("channel", ("pdd", "file", "webhook")), name="channel_known"))


SITE_SETTING_KEYS = ("weight_tolerance_pct", "weight_tolerance_min_g", "require_video", "platform_trigger")


class SiteSetting(Base):
    """A setting that decides a scan, the site's (one value for every bench, embedded or behind the
    server): ``value`` is its JSON, checked by :mod:`app.packing.site`. No row: the bench's settings.json
    (or the default in :mod:`app.config`) holds."""

    __tablename__ = "site_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (CheckConstraint(_in("key", SITE_SETTING_KEYS), name="key_known"),)
