"""The site's settings that decide a scan (weight tolerance, video required, platform trigger): one
row per setting changed by a supervisor; none at first, so every bench keeps its settings.json values

Revision ID: 0013s
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0013s"
down_revision = "0013e"
branch_labels = None
depends_on = None

KEYS = ("weight_tolerance_pct", "weight_tolerance_min_g", "require_video", "platform_trigger")


def upgrade() -> None:
    op.create_table(
        "site_settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"key IN ({', '.join(repr(k) for k in KEYS)})", name=op.f("ck_site_settings_key_known")),
        sa.ForeignKeyConstraint(["changed_by"], ["users.id"], name=op.f("fk_site_settings_changed_by_users")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_site_settings")),
    )


def downgrade() -> None:
    op.drop_table("site_settings")
