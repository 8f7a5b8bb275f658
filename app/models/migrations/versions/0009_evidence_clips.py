"""Evidence clip index: packing videos by order, waybill, bench and packer

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0009"
down_revision = "0008"  # re-chained after 0006-0008 when the branches merge
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_clips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_no", sa.String(64), nullable=False),
        sa.Column("station", sa.String(64), nullable=False),
        sa.Column("packer", sa.String(80), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("fps", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("marks", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("end_reason", sa.String(40), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("flag_reason", sa.Text(), nullable=False),
        sa.CheckConstraint("state IN ('recording', 'complete', 'interrupted')",
                           name="ck_evidence_clips_state_known"),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_clips"),
    )
    op.create_index("ix_evidence_clips_order_no", "evidence_clips", ["order_no"])
    op.create_index("ix_evidence_clips_station_started", "evidence_clips", ["station", "started_at"])
    op.create_index("ix_evidence_clips_state", "evidence_clips", ["state"])
    op.create_table(
        "clip_waybills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clip_id", sa.Integer(), nullable=False),
        sa.Column("waybill", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["clip_id"], ["evidence_clips.id"], ondelete="CASCADE",
                                name="fk_clip_waybills_clip_id_evidence_clips"),
        sa.PrimaryKeyConstraint("id", name="pk_clip_waybills"),
    )
    op.create_index("ix_clip_waybills_waybill", "clip_waybills", ["waybill"])
    op.create_index("ix_clip_waybills_clip", "clip_waybills", ["clip_id", "waybill"], unique=True)


def downgrade() -> None:
    op.drop_table("clip_waybills")
    op.drop_table("evidence_clips")
