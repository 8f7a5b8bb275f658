"""Clips uploaded from benches behind the server: the bench's clip key and path, the upload time

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_clips") as batch:
        batch.add_column(sa.Column("bench_key", sa.String(32), nullable=True))
        batch.add_column(sa.Column("bench_path", sa.Text(), nullable=True))
        batch.add_column(sa.Column("uploaded_at", UTCDateTime(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_evidence_clips_uploaded_is_verified"),
            "uploaded_at IS NULL OR (state <> 'recording' AND length(sha256) = 64)")
        batch.create_index("ix_evidence_clips_station_bench_key", ["station", "bench_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("evidence_clips") as batch:
        batch.drop_index("ix_evidence_clips_station_bench_key")
        batch.drop_constraint(op.f("ck_evidence_clips_uploaded_is_verified"), type_="check")
        batch.drop_column("uploaded_at")
        batch.drop_column("bench_path")
        batch.drop_column("bench_key")
