"""The shop platform: the transactional outbox (platform_jobs), the platform's order state
(platform_orders) and the site's channel (platform_config)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JOB_STATES = "('pending', 'sent', 'exported', 'confirmed', 'failed', 'void')"
JOB_KINDS = "('ship', 'extra', 'unlink', 'cancel')"


def upgrade() -> None:
    op.create_table(
        "platform_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_no", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parcel_seq", sa.Integer(), nullable=False),
        sa.Column("carrier_code", sa.String(16), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        sa.Column("logistics_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(80), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("platform_number", sa.String(64), nullable=True),
        sa.Column("export_file", sa.String(255), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(f"state IN {JOB_STATES}", name=op.f("ck_platform_jobs_state_known")),
        sa.CheckConstraint(f"kind IN {JOB_KINDS}", name=op.f("ck_platform_jobs_kind_known")),
        sa.CheckConstraint("state <> 'confirmed' OR confirmed_at IS NOT NULL",
                           name=op.f("ck_platform_jobs_confirmed_has_time")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_platform_jobs_order_id_orders"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_jobs")),
    )
    op.create_index("ix_platform_jobs_due", "platform_jobs", ["state", "next_attempt_at"])
    op.create_index("ix_platform_jobs_order", "platform_jobs", ["order_id", "kind"])
    op.create_index("ix_platform_jobs_export", "platform_jobs", ["export_file"],
                    sqlite_where=sa.text("export_file IS NOT NULL"), postgresql_where=sa.text("export_file IS NOT NULL"))
    op.create_table(
        "platform_orders",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_status", sa.Integer(), nullable=True),
        sa.Column("refund_status", sa.Integer(), nullable=True),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_platform_orders_order_id_orders"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_platform_orders")),
    )
    op.create_table(
        "platform_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("stopped_reason", sa.Text(), nullable=False),
        sa.Column("stopped_at", UTCDateTime(), nullable=True),
        sa.Column("last_export_at", UTCDateTime(), nullable=True),
        sa.Column("refreshed_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_platform_config_one_row")),
        sa.CheckConstraint("channel IN ('pdd', 'file', 'webhook')", name=op.f("ck_platform_config_channel_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_config")),
    )


def downgrade() -> None:
    op.drop_table("platform_config")
    op.drop_table("platform_orders")
    op.drop_index("ix_platform_jobs_export", table_name="platform_jobs")
    op.drop_index("ix_platform_jobs_order", table_name="platform_jobs")
    op.drop_index("ix_platform_jobs_due", table_name="platform_jobs")
    op.drop_table("platform_jobs")
