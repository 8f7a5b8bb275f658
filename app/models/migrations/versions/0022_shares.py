"""Share links for disputes: evidence_shares (one order's evidence behind an opaque token, kept as
its SHA-256; optional cut; expiry; who made it and why; revocation) and evidence_share_openings
(every opening logged)

Revision ID: 0022
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("order_no", sa.String(64), nullable=False),
        sa.Column("from_s", sa.Float(), nullable=True),
        sa.Column("to_s", sa.Float(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("length(token_hash) = 64", name=op.f("ck_evidence_shares_token_is_a_hash")),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_evidence_shares_has_reason")),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_evidence_shares_expires_after_made")),
        sa.CheckConstraint("(from_s IS NULL AND to_s IS NULL) OR (from_s IS NOT NULL AND to_s IS NOT NULL AND from_s >= 0 AND to_s > from_s)",
                           name=op.f("ck_evidence_shares_range_valid")),
        sa.CheckConstraint("(revoked_at IS NULL AND revoked_by IS NULL) OR "
                           "(revoked_at IS NOT NULL AND revoked_by IS NOT NULL)",
                           name=op.f("ck_evidence_shares_revoked_by_someone")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_evidence_shares_created_by_users")),
        sa.ForeignKeyConstraint(["revoked_by"], ["users.id"], name=op.f("fk_evidence_shares_revoked_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_shares")),
    )
    op.create_index("ix_evidence_shares_token_hash", "evidence_shares", ["token_hash"], unique=True)
    op.create_index("ix_evidence_shares_order_no", "evidence_shares", ["order_no"])
    op.create_table(
        "evidence_share_openings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("what", sa.String(16), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.CheckConstraint("what IN ('page', 'clip', 'sheet')", name=op.f("ck_evidence_share_openings_what_known")),
        sa.ForeignKeyConstraint(["share_id"], ["evidence_shares.id"],
                                name=op.f("fk_evidence_share_openings_share_id_evidence_shares")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_share_openings")),
    )
    op.create_index("ix_evidence_share_openings_share", "evidence_share_openings", ["share_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_evidence_share_openings_share", table_name="evidence_share_openings")
    op.drop_table("evidence_share_openings")
    op.drop_index("ix_evidence_shares_order_no", table_name="evidence_shares")
    op.drop_index("ix_evidence_shares_token_hash", table_name="evidence_shares")
    op.drop_table("evidence_shares")
