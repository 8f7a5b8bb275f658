"""Partial index on orders without a waybill: the summary's "packed without waybill" count is instant

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_orders_no_waybill",
        "orders",
        ["state"],
        sqlite_where=sa.text("waybill IS NULL"),
        postgresql_where=sa.text("waybill IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_orders_no_waybill", table_name="orders")
