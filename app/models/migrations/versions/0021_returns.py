"""Returns: returned parcels (expected from the platform's after-sales cases, received at a bench,
unmatched until a supervisor attaches them) and their lines; a clip's kind (packing or return)

New tables only, plus one column with a default on ``evidence_clips`` (ALTER TABLE ADD COLUMN: no
table is rebuilt, every trigger stays): every existing row and clip is kept, every existing clip is
a packing clip.

The database enforces (triggers on SQLite and PostgreSQL) that the units of a SKU returned across
all returns of an order never exceed what the order shipped of it (its units in the order's
parcels), when a line is written and when an unmatched return is attached to an order. On
PostgreSQL the check first locks the order's row, so two benches receiving returns of one order at
once are checked one after the other.

Revision ID: 0021
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0021"
down_revision = "0022"
branch_labels = None
depends_on = None

MESSAGE = "a return line exceeds what the order shipped of that SKU"


def _returned(order: str, product: str, *, other_than: str = "") -> str:
    """Units of ``product`` returned across all returns of ``order`` (SQL, both databases)."""
    return (f"(SELECT COALESCE(SUM(rl.qty), 0) FROM return_lines rl JOIN returns r ON r.id = rl.return_id"
            f" WHERE r.order_id = {order} AND rl.kind = 'returned' AND rl.product_id = {product}{other_than})")


def _shipped(order: str, product: str) -> str:
    return (f"(SELECT COALESCE(SUM(pl.quantity), 0) FROM parcel_lines pl"
            f" JOIN order_lines ol ON ol.id = pl.order_line_id WHERE ol.order_id = {order} AND ol.product_id = {product})")


def upgrade() -> None:
    op.create_table(
        "returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("after_sales_id", sa.String(64), nullable=True),
        sa.Column("after_sales_type", sa.Integer(), nullable=True),
        sa.Column("after_sales_status", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("return_waybill", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("packer_id", sa.Integer(), nullable=True),
        sa.Column("expected_at", UTCDateTime(), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("attached_by", sa.Integer(), nullable=True),
        sa.Column("attached_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("state IN ('expected', 'open', 'closed')", name=op.f("ck_returns_state_known")),
        sa.CheckConstraint("state <> 'open' OR (station_id IS NOT NULL AND opened_at IS NOT NULL)",
                           name=op.f("ck_returns_open_at_bench")),
        sa.CheckConstraint("state <> 'closed' OR closed_at IS NOT NULL", name=op.f("ck_returns_closed_has_time")),
        sa.CheckConstraint("order_id IS NOT NULL OR return_waybill IS NOT NULL OR after_sales_id IS NOT NULL",
                           name=op.f("ck_returns_names_something")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_returns_order_id_orders")),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], name=op.f("fk_returns_station_id_stations")),
        sa.ForeignKeyConstraint(["packer_id"], ["users.id"], name=op.f("fk_returns_packer_id_users")),
        sa.ForeignKeyConstraint(["attached_by"], ["users.id"], name=op.f("fk_returns_attached_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
        sa.UniqueConstraint("after_sales_id", name=op.f("uq_returns_after_sales_id")),
        sa.UniqueConstraint("return_waybill", name=op.f("uq_returns_return_waybill")),
    )
    op.create_index("ix_returns_order_id", "returns", ["order_id"])
    op.create_index("ix_returns_state_closed", "returns", ["state", "closed_at"])
    op.create_index("ix_returns_open_station", "returns", ["station_id"], unique=True,
                    sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))
    op.create_table(
        "return_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(16), nullable=False),
        sa.CheckConstraint("qty > 0", name=op.f("ck_return_lines_qty_positive")),
        sa.CheckConstraint("kind IN ('claimed', 'returned', 'foreign', 'missing')", name=op.f("ck_return_lines_kind_known")),
        sa.CheckConstraint("condition IN ('good', 'damaged')", name=op.f("ck_return_lines_condition_known")),
        sa.CheckConstraint("kind = 'foreign' OR product_id IS NOT NULL", name=op.f("ck_return_lines_known_unless_foreign")),
        sa.ForeignKeyConstraint(["return_id"], ["returns.id"], name=op.f("fk_return_lines_return_id_returns"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name=op.f("fk_return_lines_product_id_products")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_lines")),
        sa.UniqueConstraint("return_id", "kind", "sku", "condition", name="uq_return_lines_line"),
    )
    op.create_index("ix_return_lines_product", "return_lines", ["product_id", "kind"])
    op.create_table(
        "return_pull_cursors",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("pull_cursor", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_return_pull_cursors_shop_id_shops"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_return_pull_cursors")),
    )
    op.add_column("evidence_clips", sa.Column("kind", sa.String(16), nullable=False, server_default="packing"))
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers()
    else:
        _postgresql_triggers()


def _sqlite_triggers() -> None:
    order = "(SELECT order_id FROM returns WHERE id = NEW.return_id)"
    for suffix, event, other in (("ins", "INSERT", ""), ("upd", "UPDATE", " AND rl.id <> NEW.id")):
        op.execute(
            f"""
            CREATE TRIGGER return_lines_within_shipped_{suffix} BEFORE {event} ON return_lines
            WHEN NEW.kind = 'returned' AND {order} IS NOT NULL
             AND {_returned(order, 'NEW.product_id', other_than=other)} + NEW.qty > {_shipped(order, 'NEW.product_id')}
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
            """
        )
    op.execute(
        f"""
        CREATE TRIGGER returns_attach_within_shipped BEFORE UPDATE OF order_id ON returns
        WHEN NEW.order_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM return_lines x WHERE x.return_id = NEW.id AND x.kind = 'returned'
              AND {_returned('NEW.order_id', 'x.product_id', other_than=' AND r.id <> NEW.id')}
                  + (SELECT SUM(y.qty) FROM return_lines y WHERE y.return_id = NEW.id AND y.kind = 'returned'
                     AND y.product_id = x.product_id)
                  > {_shipped('NEW.order_id', 'x.product_id')})
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """
    )


def _postgresql_triggers() -> None:
    op.execute(
        f"""
        CREATE FUNCTION packgate_return_within_shipped() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            o integer;
        BEGIN
            IF TG_TABLE_NAME = 'return_lines' THEN
                IF NEW.kind <> 'returned' THEN RETURN NEW; END IF;
                SELECT order_id INTO o FROM returns WHERE id = NEW.return_id;
                IF o IS NULL THEN RETURN NEW; END IF;
                PERFORM 1 FROM orders WHERE id = o FOR UPDATE;  -- one return of an order checked at a time
                IF {_returned('o', 'NEW.product_id', other_than=' AND rl.id <> NEW.id')} + NEW.qty
                   > {_shipped('o', 'NEW.product_id')} THEN
                    RAISE EXCEPTION '{MESSAGE} (%)', NEW.sku;
                END IF;
            ELSIF NEW.order_id IS NOT NULL THEN
                PERFORM 1 FROM orders WHERE id = NEW.order_id FOR UPDATE;
                IF EXISTS (SELECT 1 FROM return_lines x WHERE x.return_id = NEW.id AND x.kind = 'returned'
                           AND {_returned('NEW.order_id', 'x.product_id', other_than=' AND r.id <> NEW.id')}
                               + (SELECT SUM(y.qty) FROM return_lines y WHERE y.return_id = NEW.id
                                  AND y.kind = 'returned' AND y.product_id = x.product_id)
                               > {_shipped('NEW.order_id', 'x.product_id')}) THEN
                    RAISE EXCEPTION '{MESSAGE} (attaching return %)', NEW.id;
                END IF;
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute("CREATE TRIGGER return_lines_within_shipped BEFORE INSERT OR UPDATE ON return_lines "
               "FOR EACH ROW EXECUTE FUNCTION packgate_return_within_shipped()")
    op.execute("CREATE TRIGGER returns_attach_within_shipped BEFORE UPDATE OF order_id ON returns "
               "FOR EACH ROW EXECUTE FUNCTION packgate_return_within_shipped()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("return_lines_within_shipped_ins", "return_lines_within_shipped_upd", "returns_attach_within_shipped"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS returns_attach_within_shipped ON returns")
        op.execute("DROP TRIGGER IF EXISTS return_lines_within_shipped ON return_lines")
        op.execute("DROP FUNCTION IF EXISTS packgate_return_within_shipped()")
    with op.batch_alter_table("evidence_clips") as batch:
        batch.drop_column("kind")
    op.drop_table("return_pull_cursors")
    op.drop_table("return_lines")
    op.drop_table("returns")
