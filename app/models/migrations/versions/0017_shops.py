"""Several shops: the shops table (credentials as paths of owner-only files, default carrier, the
order pull's cursor and state), every order's shop (a foreign key; NULL for orders imported from
files, which keep going out through the site's channel) and ship-by time, and what the pull last
applied of each order (platform_orders.updated_at, pull_hold, payload)

Existing orders were all imported from files: they stay with no shop (shop_id NULL) and no ship-by
(the 24-hour rule from their creation holds). A site whose channel is pdd gets the shop ``default``
with the channel's credentials, so the pull can start from it at once.

The receiver's name and phone become text on PostgreSQL (the platform's encrypted values are long;
SQLite never limited them). Columns are added with ALTER TABLE ADD COLUMN (no table rebuild): the triggers on orders stay.

Revision ID: 0017
Revises: 0013p
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0017"
down_revision = "0013p"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("default_carrier", sa.String(16), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("stopped_reason", sa.Text(), nullable=False),
        sa.Column("stopped_at", UTCDateTime(), nullable=True),
        sa.Column("pull_cursor", UTCDateTime(), nullable=True),
        sa.Column("last_pull_at", UTCDateTime(), nullable=True),
        sa.Column("last_pull_error", sa.Text(), nullable=False),
        sa.Column("pull_failures", sa.Integer(), nullable=False),
        sa.Column("next_pull_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("platform IN ('pdd')", name=op.f("ck_shops_platform_known")),
        sa.CheckConstraint("name <> ''", name=op.f("ck_shops_name_not_empty")),
        sa.CheckConstraint("pull_failures >= 0", name=op.f("ck_shops_failures_not_negative")),
        sa.ForeignKeyConstraint(["default_carrier"], ["carriers.code"], name=op.f("fk_shops_default_carrier_carriers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shops")),
        sa.UniqueConstraint("name", name=op.f("uq_shops_name")),
    )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its REFERENCES clause in place (no rebuild: the triggers on orders stay).
        op.execute("ALTER TABLE orders ADD COLUMN shop_id INTEGER CONSTRAINT fk_orders_shop_id_shops REFERENCES shops (id)")
    else:
        op.add_column("orders", sa.Column("shop_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_orders_shop_id_shops"), "orders", "shops", ["shop_id"], ["id"])
    op.add_column("orders", sa.Column("ship_by", UTCDateTime(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # The platform gives the receiver masked or encrypted (stored as given): an encrypted phone or
        # name is longer than the 40 / 120 characters a typed one needs. varchar -> text: no rewrite.
        op.alter_column("orders", "recipient_phone", type_=sa.Text(), existing_type=sa.String(40))
        op.alter_column("orders", "recipient_name", type_=sa.Text(), existing_type=sa.String(120))
    op.create_index("ix_orders_shop_state", "orders", ["shop_id", "state"])
    op.create_index("ix_orders_state_ship_by", "orders", ["state", "ship_by"])
    op.add_column("platform_orders", sa.Column("updated_at", UTCDateTime(), nullable=True))
    op.add_column("platform_orders", sa.Column("pull_hold", sa.String(16), nullable=True))
    op.add_column("platform_orders", sa.Column("payload", sa.Text(), nullable=True))
    _default_shop_from_channel()


def _default_shop_from_channel() -> None:
    conn = op.get_bind()
    row = conn.execute(sa.text("SELECT channel, options, updated_at FROM platform_config WHERE id = 1")).first()
    if row is None or row.channel != "pdd":
        return
    options = {k: v for k, v in json.loads(row.options or "{}").items()
               if k in ("client_id", "client_secret_file", "access_token_file", "endpoint")}
    conn.execute(sa.text("INSERT INTO shops (name, platform, options, enabled, stopped_reason, last_pull_error, "
                         "pull_failures, created_at, updated_at) VALUES ('default', 'pdd', :options, :yes, '', '', 0, "
                         ":at, :at)"), {"options": json.dumps(options, sort_keys=True), "yes": True,
                                        "at": row.updated_at})


def downgrade() -> None:
    op.drop_column("platform_orders", "payload")
    op.drop_column("platform_orders", "pull_hold")
    op.drop_column("platform_orders", "updated_at")
    op.drop_index("ix_orders_state_ship_by", table_name="orders")
    op.drop_index("ix_orders_shop_state", table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("ship_by")
        batch.drop_column("shop_id")
    op.drop_table("shops")
