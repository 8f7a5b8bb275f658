"""The PackGate server: station credentials, scan replies for idempotent retries, shared keys

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "station_keys",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("code_expires_at", UTCDateTime(), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("enrolled_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], name=op.f("fk_station_keys_station_id_stations"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_station_keys")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_station_keys_token_hash")),
    )
    op.create_table(
        "scan_replies",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("scan_id", sa.String(64), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], name=op.f("fk_scan_replies_station_id_stations"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id", "scan_id", name=op.f("pk_scan_replies")),
    )
    op.create_index(op.f("ix_scan_replies_at"), "scan_replies", ["at"])
    op.create_table(
        "server_keys",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_keys")),
    )


def downgrade() -> None:
    op.drop_table("server_keys")
    op.drop_index(op.f("ix_scan_replies_at"), table_name="scan_replies")
    op.drop_table("scan_replies")
    op.drop_table("station_keys")
