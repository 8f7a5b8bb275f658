"""Parcels: an order ships in one or more parcels, each with its own waybill

Every existing order that has anything of a parcel (a scanned unit, a box, a waybill, a manifest
item) becomes parcel 1 with its units, box, weight, label prints, waybill, pool number and manifest
item; nothing is lost. New rules the database enforces from here on (triggers on SQLite and
PostgreSQL): a packed or handed-over order has no parcel without a waybill; a line's units in
parcels never exceed the ordered quantity, and a parcel holds lines of its own order only.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SHIPPED = "('packed', 'handed_over')"


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("parcels") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("waybill", sa.String(64), nullable=True))
        batch.add_column(sa.Column("preassigned_waybill", sa.String(64), nullable=True))
        batch.add_column(sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.drop_constraint("uq_parcels_order_id", type_="unique")
        batch.create_unique_constraint("uq_parcels_order_seq", ["order_id", "seq"])
        batch.create_unique_constraint("uq_parcels_waybill", ["waybill"])
        batch.create_check_constraint("seq_positive", "seq >= 1")

    op.create_index("ix_parcels_packed_at", "parcels", ["packed_at"])
    op.create_table(
        "parcel_lines",
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_parcel_lines_quantity_positive")),
        sa.ForeignKeyConstraint(["parcel_id"], ["parcels.id"], name=op.f("fk_parcel_lines_parcel_id_parcels"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["order_line_id"], ["order_lines.id"],
                                name=op.f("fk_parcel_lines_order_line_id_order_lines"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("parcel_id", "order_line_id", name=op.f("pk_parcel_lines")),
    )
    op.create_index("ix_parcel_lines_order_line", "parcel_lines", ["order_line_id"])

    # Parcel 1 of every order that has begun to be one: first the orders whose parcel row did not
    # exist yet (units scanned before the box step, or a waybill / manifest item without a parcel).
    op.execute(
        """
        INSERT INTO parcels (order_id, seq, label_prints, sealed)
        SELECT o.id, 1, 0, false FROM orders o
        WHERE NOT EXISTS (SELECT 1 FROM parcels p WHERE p.order_id = o.id)
          AND (o.waybill IS NOT NULL
               OR EXISTS (SELECT 1 FROM manifest_items m WHERE m.order_id = o.id)
               OR EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.scanned > 0))
        """
    )
    op.execute(
        """
        UPDATE parcels SET
            waybill = (SELECT o.waybill FROM orders o WHERE o.id = parcels.order_id),
            preassigned_waybill = (SELECT o.preassigned_waybill FROM orders o WHERE o.id = parcels.order_id),
            packed_at = COALESCE(packed_at, (SELECT o.packed_at FROM orders o WHERE o.id = parcels.order_id))
        """
    )
    op.execute(
        """
        INSERT INTO parcel_lines (parcel_id, order_line_id, quantity)
        SELECT p.id, l.id, l.scanned FROM parcels p JOIN order_lines l ON l.order_id = p.order_id
        WHERE l.scanned > 0
        """
    )

    with op.batch_alter_table("manifest_items") as batch:
        batch.add_column(sa.Column("parcel_id", sa.Integer(), nullable=True))
    op.execute("UPDATE manifest_items SET parcel_id = (SELECT p.id FROM parcels p "
               "WHERE p.order_id = manifest_items.order_id AND p.seq = 1)")
    with op.batch_alter_table("manifest_items") as batch:
        batch.alter_column("parcel_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint("uq_manifest_items_order_id", type_="unique")
        batch.create_unique_constraint("uq_manifest_items_parcel_id", ["parcel_id"])
        batch.create_foreign_key("fk_manifest_items_parcel_id_parcels", "parcels", ["parcel_id"], ["id"])
        batch.create_index("ix_manifest_items_order_id", ["order_id"])

    with op.batch_alter_table("waybill_pool") as batch:
        batch.add_column(sa.Column("parcel_id", sa.Integer(), nullable=True))
    op.execute("UPDATE waybill_pool SET parcel_id = (SELECT p.id FROM parcels p "
               "WHERE p.order_id = waybill_pool.order_id AND p.seq = 1) WHERE order_id IS NOT NULL")
    with op.batch_alter_table("waybill_pool") as batch:
        batch.drop_constraint("uq_waybill_pool_order_id", type_="unique")
        batch.create_unique_constraint("uq_waybill_pool_parcel_id", ["parcel_id"])
        batch.create_foreign_key("fk_waybill_pool_parcel_id_parcels", "parcels", ["parcel_id"], ["id"],
                                 ondelete="SET NULL")

    if bind.dialect.name == "sqlite":
        _sqlite_triggers()
    else:
        _postgresql_triggers()


def _sqlite_triggers() -> None:
    op.execute(
        f"""
        CREATE TRIGGER orders_shipped_parcels BEFORE UPDATE OF state ON orders
        WHEN NEW.state IN {SHIPPED} AND EXISTS (SELECT 1 FROM parcels WHERE order_id = NEW.id AND waybill IS NULL)
        BEGIN SELECT RAISE(ABORT, 'a packed or handed-over order has no parcel without a waybill'); END
        """
    )
    for name, event in (("parcels_shipped_waybill_ins", "INSERT"), ("parcels_shipped_waybill_upd", "UPDATE OF waybill, order_id")):
        op.execute(
            f"""
            CREATE TRIGGER {name} BEFORE {event} ON parcels
            WHEN NEW.waybill IS NULL AND (SELECT state FROM orders WHERE id = NEW.order_id) IN {SHIPPED}
            BEGIN SELECT RAISE(ABORT, 'a packed or handed-over order has no parcel without a waybill'); END
            """
        )
    others = {"ins": "", "upd": " AND NOT (parcel_id = OLD.parcel_id AND order_line_id = OLD.order_line_id)"}
    for suffix, event in (("ins", "INSERT"), ("upd", "UPDATE")):
        op.execute(
            f"""
            CREATE TRIGGER parcel_lines_within_order_{suffix} BEFORE {event} ON parcel_lines
            WHEN (SELECT order_id FROM parcels WHERE id = NEW.parcel_id)
                     IS NOT (SELECT order_id FROM order_lines WHERE id = NEW.order_line_id)
              OR (SELECT COALESCE(SUM(quantity), 0) FROM parcel_lines
                  WHERE order_line_id = NEW.order_line_id{others[suffix]}) + NEW.quantity
                     > (SELECT quantity FROM order_lines WHERE id = NEW.order_line_id)
            BEGIN SELECT RAISE(ABORT, 'parcel units exceed the order line, or the line is of another order'); END
            """
        )


def _postgresql_triggers() -> None:
    op.execute(
        f"""
        CREATE FUNCTION packgate_shipped_parcels() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'orders' THEN
                IF EXISTS (SELECT 1 FROM parcels WHERE order_id = NEW.id AND waybill IS NULL) THEN
                    RAISE EXCEPTION 'order % is %, but a parcel of it has no waybill', NEW.order_no, NEW.state;
                END IF;
            ELSIF NEW.waybill IS NULL AND (SELECT state FROM orders WHERE id = NEW.order_id) IN {SHIPPED} THEN
                RAISE EXCEPTION 'parcel % of a packed or handed-over order needs a waybill', NEW.seq;
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER orders_shipped_parcels BEFORE UPDATE OF state ON orders FOR EACH ROW
        WHEN (NEW.state IN {SHIPPED}) EXECUTE FUNCTION packgate_shipped_parcels()
        """
    )
    op.execute(
        """
        CREATE TRIGGER parcels_shipped_waybill BEFORE INSERT OR UPDATE OF waybill, order_id ON parcels FOR EACH ROW
        WHEN (NEW.waybill IS NULL) EXECUTE FUNCTION packgate_shipped_parcels()
        """
    )
    op.execute(
        """
        CREATE FUNCTION packgate_parcel_units() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            ordered integer;
            line_order integer;
            parcel_order integer;
            total integer;
        BEGIN
            -- The line's row lock serialises two writers filling parcels from the same line.
            SELECT quantity, order_id INTO ordered, line_order FROM order_lines WHERE id = NEW.order_line_id FOR UPDATE;
            SELECT order_id INTO parcel_order FROM parcels WHERE id = NEW.parcel_id;
            IF parcel_order IS DISTINCT FROM line_order THEN
                RAISE EXCEPTION 'parcel % cannot hold a line of another order', NEW.parcel_id;
            END IF;
            SELECT COALESCE(SUM(quantity), 0) INTO total FROM parcel_lines
            WHERE order_line_id = NEW.order_line_id
              AND NOT (TG_OP = 'UPDATE' AND parcel_id = OLD.parcel_id AND order_line_id = OLD.order_line_id);
            IF total + NEW.quantity > ordered THEN
                RAISE EXCEPTION 'parcel units exceed order line % (% > %)', NEW.order_line_id, total + NEW.quantity, ordered;
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER parcel_lines_within_order BEFORE INSERT OR UPDATE ON parcel_lines FOR EACH ROW "
        "EXECUTE FUNCTION packgate_parcel_units()"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("orders_shipped_parcels", "parcels_shipped_waybill_ins", "parcels_shipped_waybill_upd",
                     "parcel_lines_within_order_ins", "parcel_lines_within_order_upd"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS parcel_lines_within_order ON parcel_lines")
        op.execute("DROP TRIGGER IF EXISTS parcels_shipped_waybill ON parcels")
        op.execute("DROP TRIGGER IF EXISTS orders_shipped_parcels ON orders")
        op.execute("DROP FUNCTION IF EXISTS packgate_parcel_units()")
        op.execute("DROP FUNCTION IF EXISTS packgate_shipped_parcels()")
    # Going back to one parcel per order keeps parcel 1 only.
    op.execute("DELETE FROM manifest_items WHERE parcel_id IN (SELECT id FROM parcels WHERE seq > 1)")
    op.execute("UPDATE waybill_pool SET parcel_id = NULL WHERE parcel_id IN (SELECT id FROM parcels WHERE seq > 1)")
    with op.batch_alter_table("waybill_pool") as batch:
        batch.drop_constraint("fk_waybill_pool_parcel_id_parcels", type_="foreignkey")
        batch.drop_constraint("uq_waybill_pool_parcel_id", type_="unique")
        batch.drop_column("parcel_id")
        batch.create_unique_constraint("uq_waybill_pool_order_id", ["order_id"])
    with op.batch_alter_table("manifest_items") as batch:
        batch.drop_index("ix_manifest_items_order_id")
        batch.drop_constraint("fk_manifest_items_parcel_id_parcels", type_="foreignkey")
        batch.drop_constraint("uq_manifest_items_parcel_id", type_="unique")
        batch.drop_column("parcel_id")
        batch.create_unique_constraint("uq_manifest_items_order_id", ["order_id"])
    op.drop_index("ix_parcel_lines_order_line", table_name="parcel_lines")
    op.drop_table("parcel_lines")
    op.execute("DELETE FROM parcels WHERE seq > 1")
    op.drop_index("ix_parcels_packed_at", table_name="parcels")
    with op.batch_alter_table("parcels") as batch:
        batch.drop_constraint(op.f("ck_parcels_seq_positive"), type_="check")
        batch.drop_constraint("uq_parcels_waybill", type_="unique")
        batch.drop_constraint("uq_parcels_order_seq", type_="unique")
        batch.create_unique_constraint("uq_parcels_order_id", ["order_id"])
        batch.drop_column("sealed")
        batch.drop_column("preassigned_waybill")
        batch.drop_column("waybill")
        batch.drop_column("seq")
