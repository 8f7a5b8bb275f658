"""Covering indexes for the supervisor's summary (one day < 100 ms on 1,000,000 orders)

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_orders_packed_at", table_name="orders")
    op.drop_index("ix_orders_handed_over_at", table_name="orders")
    op.drop_index("ix_scan_events_at", table_name="scan_events")
    op.create_index(
        "ix_orders_packed_cover",
        "orders",
        ["packed_at", "packer_id", "station_id", "carrier_code", "packing_started_at"],
    )
    op.create_index("ix_orders_handed_carrier", "orders", ["handed_over_at", "carrier_code"])
    op.create_index("ix_scan_events_at_cover", "scan_events", ["at", "user_id", "station_id", "kind", "accepted"])
    op.create_index("ix_scan_events_kind_at", "scan_events", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_scan_events_kind_at", table_name="scan_events")
    op.drop_index("ix_scan_events_at_cover", table_name="scan_events")
    op.drop_index("ix_orders_handed_carrier", table_name="orders")
    op.drop_index("ix_orders_packed_cover", table_name="orders")
    op.create_index("ix_scan_events_at", "scan_events", ["at"])
    op.create_index("ix_orders_handed_over_at", "orders", ["handed_over_at"])
    op.create_index("ix_orders_packed_at", "orders", ["packed_at"])
