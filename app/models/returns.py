"""Returns: one row per returned parcel (expected from the platform's after-sales case, open at a
bench, or closed), and its lines.

A return's lines are of four kinds: ``claimed`` (what the buyer says is in it, from the platform),
``returned`` (an item the bench received back, good or damaged), ``foreign`` (an item the order never
held: refused at the bench and recorded as the evidence of a swap) and ``missing`` (what was expected
and did not come back, written at the close). ``order_id`` is NULL for an unmatched parcel until a
supervisor attaches it.

What the database enforces (migration 0021; triggers on SQLite and PostgreSQL): the units of a SKU
returned across all returns of an order never exceed what the order shipped of it (its units in the
order's parcels), also when a supervisor attaches an unmatched return; a return waybill and an
after-sales case belong to one return; a bench has at most one open return.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.schema import Base
from app.models.types import UTCDateTime, utcnow


class ReturnState(StrEnum):
    EXPECTED = "expected"  # the platform's after-sales case says it is coming
    OPEN = "open"  # being received at a bench
    CLOSED = "closed"  # received: its lines and what is missing are final


class LineKind(StrEnum):
    CLAIMED = "claimed"
    RETURNED = "returned"
    FOREIGN = "foreign"
    MISSING = "missing"


RETURN_STATES = tuple(s.value for s in ReturnState)
LINE_KINDS = tuple(k.value for k in LineKind)
CONDITIONS = ("good", "damaged")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Return(Base):
    __tablename__ = "returns"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    # The platform's after-sales case (pdd.refund.list.increment.get): id, type (3: return and
    # refund), status and the buyer's reason, as the platform said them.
    after_sales_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    after_sales_type: Mapped[int | None] = mapped_column(Integer)
    after_sales_status: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    return_waybill: Mapped[str | None] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16), default=ReturnState.EXPECTED.value)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    packer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the case's creation on the platform
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attached_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the supervisor who matched it
    attached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lines: Mapped[list[ReturnLine]] = relationship(back_populates="ret", order_by="ReturnLine.id",
                                                   cascade="all, delete-orphan")
    __table_args__ = (
        CheckConstraint(_in("state", RETURN_STATES), name="state_known"),
        CheckConstraint("state <> 'open' OR (station_id IS NOT NULL AND opened_at IS NOT NULL)", name="open_at_bench"),
        CheckConstraint("state <> 'closed' OR closed_at IS NOT NULL", name="closed_has_time"),
        CheckConstraint("order_id IS NOT NULL OR return_waybill IS NOT NULL OR after_sales_id IS NOT NULL",
                        name="names_something"),
        Index("ix_returns_order_id", "order_id"),
        Index("ix_returns_state_closed", "state", "closed_at"),
        # One open return per bench: what a login resumes.
        Index("ix_returns_open_station", "station_id", unique=True,
              sqlite_where=text("state = 'open'"), postgresql_where=text("state = 'open'")),
    )


class ReturnPullCursor(Base):
    """How far the pull of a shop's after-sales cases (``pdd.refund.list.increment.get``) has read:
    its own cursor, beside the orders' (``shops.pull_cursor``)."""

    __tablename__ = "return_pull_cursors"
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True)
    pull_cursor: Mapped[datetime] = mapped_column(UTCDateTime)


class ReturnLine(Base):
    __tablename__ = "return_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str] = mapped_column(String(64))  # the product's SKU, or the scanned code of an unknown item
    qty: Mapped[int] = mapped_column(Integer)
    condition: Mapped[str] = mapped_column(String(16), default="good")
    ret: Mapped[Return] = relationship(back_populates="lines")
    __table_args__ = (
        UniqueConstraint("return_id", "kind", "sku", "condition", name="uq_return_lines_line"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint(_in("kind", LINE_KINDS), name="kind_known"),
        CheckConstraint(_in("condition", CONDITIONS), name="condition_known"),
        CheckConstraint("kind = 'foreign' OR product_id IS NOT NULL", name="known_unless_foreign"),
        Index("ix_return_lines_product", "product_id", "kind"),
    )
