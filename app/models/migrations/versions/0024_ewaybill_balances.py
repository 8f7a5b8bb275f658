"""E-waybill balances as the platform last reported them (issue 21): ewaybill_balances, one row per
shop and branch account (remaining, used, cancelled, read_at), and one per shop whose last
``pdd.waybill.search`` failed (its error), so the supervisor's figures never call the platform

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ewaybill_balances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("wp_code", sa.String(16), nullable=False),
        sa.Column("branch_code", sa.String(64), nullable=False),
        sa.Column("branch_name", sa.String(120), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("(wp_code = '') = (error <> '')", name=op.f("ck_ewaybill_balances_error_or_branch")),
        sa.CheckConstraint("used >= 0 AND cancelled >= 0", name=op.f("ck_ewaybill_balances_counts_not_negative")),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_ewaybill_balances_shop_id_shops"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ewaybill_balances")),
        sa.UniqueConstraint("shop_id", "wp_code", "branch_code", name="uq_ewaybill_balances_shop_branch"),
    )


def downgrade() -> None:
    op.drop_table("ewaybill_balances")
