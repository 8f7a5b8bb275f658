"""E-waybills from the platform: where each shop's carrier takes its waybills from (waybill_sources:
scan, pool or pdd with its branch and registered sender address) and the e-waybills asked for
parcels (ewaybills: requested, taken, printed, linked, cancelled), each number unique and at most
one live e-waybill per parcel

New tables only: no existing row or trigger is touched.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

LIVE = "state <> 'cancelled'"


def upgrade() -> None:
    op.create_table(
        "waybill_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("carrier_code", sa.String(16), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("branch_code", sa.String(64), nullable=False),
        sa.Column("branch_name", sa.String(120), nullable=False),
        sa.Column("sender_address", sa.Text(), nullable=False),
        sa.Column("template_url", sa.Text(), nullable=False),
        sa.Column("template_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("source IN ('scan', 'pool', 'pdd')", name=op.f("ck_waybill_sources_source_known")),
        sa.CheckConstraint("source <> 'pdd' OR (branch_code <> '' AND sender_address <> '')",
                           name=op.f("ck_waybill_sources_pdd_has_branch")),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_waybill_sources_shop_id_shops"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["carrier_code"], ["carriers.code"],
                                name=op.f("fk_waybill_sources_carrier_code_carriers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waybill_sources")),
        sa.UniqueConstraint("shop_id", "carrier_code", name="uq_waybill_sources_shop_carrier"),
    )
    op.create_table(
        "ewaybills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("parcel_seq", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("carrier_code", sa.String(16), nullable=False),
        sa.Column("branch_code", sa.String(64), nullable=False),
        sa.Column("waybill_code", sa.String(64), nullable=True),
        sa.Column("print_data", sa.Text(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("prints", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=True),
        sa.Column("printed_at", UTCDateTime(), nullable=True),
        sa.Column("linked_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("state IN ('requested', 'taken', 'printed', 'linked', 'cancelled')",
                           name=op.f("ck_ewaybills_state_known")),
        sa.CheckConstraint("state IN ('requested', 'cancelled') OR (waybill_code IS NOT NULL AND print_data <> '' "
                           "AND taken_at IS NOT NULL)", name=op.f("ck_ewaybills_taken_has_number")),
        sa.CheckConstraint("state <> 'requested' OR waybill_code IS NULL",
                           name=op.f("ck_ewaybills_requested_has_no_number")),
        sa.CheckConstraint("state <> 'linked' OR linked_at IS NOT NULL", name=op.f("ck_ewaybills_linked_has_time")),
        sa.CheckConstraint("state <> 'cancelled' OR cancelled_at IS NOT NULL",
                           name=op.f("ck_ewaybills_cancelled_has_time")),
        sa.CheckConstraint("parcel_seq >= 1", name=op.f("ck_ewaybills_seq_positive")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_ewaybills_order_id_orders"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_ewaybills_shop_id_shops")),
        sa.ForeignKeyConstraint(["carrier_code"], ["carriers.code"], name=op.f("fk_ewaybills_carrier_code_carriers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ewaybills")),
        sa.UniqueConstraint("waybill_code", name=op.f("uq_ewaybills_waybill_code")),
    )
    op.create_index("uq_ewaybills_live_parcel", "ewaybills", ["order_id", "parcel_seq"], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
    op.create_index("ix_ewaybills_state_taken", "ewaybills", ["state", "taken_at"])
    op.create_index("ix_ewaybills_carrier_taken", "ewaybills", ["carrier_code", "taken_at"])


def downgrade() -> None:
    op.drop_index("ix_ewaybills_carrier_taken", table_name="ewaybills")
    op.drop_index("ix_ewaybills_state_taken", table_name="ewaybills")
    op.drop_index("uq_ewaybills_live_parcel", table_name="ewaybills")
    op.drop_table("ewaybills")
    op.drop_table("waybill_sources")
