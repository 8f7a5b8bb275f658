"""The pickup watch (issue 22): parcel_tracking (one row per handed-over parcel: its carrier trace
followed until the courier's pickup scan), enrolled by the database at the handover, and a manifest
recorded as picked up by hand (manifests.picked_up_at, picked_up_by_id)

A trigger on ``orders.handed_over_at`` enrols the order's parcels as it is set (every writer: a
bench, the server, a script), due at once (the tracker moves the first look to
``pickup_first_check_minutes`` after the handover without a call), and takes them away again when
it is cleared (a reopened manifest). Parcels handed over before this migration are enrolled too,
those of the last ``BACKFILL_DAYS`` days (older ones are past any watch).

Columns are added to manifests with ALTER TABLE ADD COLUMN (no rebuild).

Revision ID: 0020
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None

BACKFILL_DAYS = 7
TRIGGER = "trg_orders_pickup_watch"
_ENROL = ("INSERT INTO parcel_tracking (parcel_id, order_id, handed_over_at, next_check_at, checks, trace_desc, "
          "exception_desc, lost, last_error) SELECT p.id, p.order_id, o.handed_over_at, o.handed_over_at, 0, '', '', "
          "false, '' FROM parcels p JOIN orders o ON o.id = p.order_id WHERE p.waybill IS NOT NULL AND {where}")


def upgrade() -> None:
    op.create_table(
        "parcel_tracking",
        sa.Column("parcel_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("handed_over_at", UTCDateTime(), nullable=False),
        sa.Column("next_check_at", UTCDateTime(), nullable=True),
        sa.Column("checks", sa.Integer(), server_default="0", nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=True),
        sa.Column("picked_up_at", UTCDateTime(), nullable=True),
        sa.Column("picked_up_by", sa.String(8), nullable=True),
        sa.Column("trace_action", sa.String(32), nullable=True),
        sa.Column("trace_time", UTCDateTime(), nullable=True),
        sa.Column("trace_desc", sa.Text(), server_default="", nullable=False),
        sa.Column("exception_action", sa.String(32), nullable=True),
        sa.Column("exception_time", UTCDateTime(), nullable=True),
        sa.Column("exception_desc", sa.Text(), server_default="", nullable=False),
        sa.Column("lost", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("last_error", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("checks >= 0", name=op.f("ck_parcel_tracking_checks_not_negative")),
        sa.CheckConstraint("(picked_up_at IS NULL) = (picked_up_by IS NULL)",
                           name=op.f("ck_parcel_tracking_pickup_has_source")),
        sa.CheckConstraint("picked_up_by IS NULL OR picked_up_by IN ('trace', 'hand')",
                           name=op.f("ck_parcel_tracking_pickup_source_known")),
        sa.CheckConstraint("picked_up_at IS NULL OR (next_check_at IS NULL AND NOT lost)",
                           name=op.f("ck_parcel_tracking_picked_up_not_followed")),
        sa.CheckConstraint("NOT lost OR next_check_at IS NULL", name=op.f("ck_parcel_tracking_lost_not_followed")),
        sa.CheckConstraint("(exception_action IS NULL) = (exception_time IS NULL)",
                           name=op.f("ck_parcel_tracking_exception_has_time")),
        sa.ForeignKeyConstraint(["parcel_id"], ["parcels.id"], name=op.f("fk_parcel_tracking_parcel_id_parcels"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_parcel_tracking_order_id_orders"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("parcel_id", name=op.f("pk_parcel_tracking")),
    )
    op.create_index("ix_parcel_tracking_order_id", "parcel_tracking", ["order_id"])
    op.create_index("ix_parcel_tracking_handed", "parcel_tracking", ["handed_over_at"])
    for name, column, where in (("ix_parcel_tracking_due", "next_check_at", "next_check_at IS NOT NULL"),
                                ("ix_parcel_tracking_waiting", "handed_over_at", "picked_up_at IS NULL"),
                                ("ix_parcel_tracking_exception", "exception_time", "exception_action IS NOT NULL")):
        op.create_index(name, "parcel_tracking", [column], sqlite_where=sa.text(where), postgresql_where=sa.text(where))
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute("ALTER TABLE manifests ADD COLUMN picked_up_at DATETIME")
        op.execute("ALTER TABLE manifests ADD COLUMN picked_up_by_id INTEGER "
                   "CONSTRAINT fk_manifests_picked_up_by_id_users REFERENCES users (id)")
        op.execute(f"""
            CREATE TRIGGER {TRIGGER}_in AFTER UPDATE OF handed_over_at ON orders
            WHEN NEW.handed_over_at IS NOT NULL AND OLD.handed_over_at IS NULL
            BEGIN
              INSERT OR IGNORE INTO parcel_tracking (parcel_id, order_id, handed_over_at, next_check_at, checks,
                  trace_desc, exception_desc, lost, last_error)
                SELECT id, NEW.id, NEW.handed_over_at, NEW.handed_over_at, 0, '', '', 0, ''
                FROM parcels WHERE order_id = NEW.id AND waybill IS NOT NULL;
            END""")
        op.execute(f"""
            CREATE TRIGGER {TRIGGER}_out AFTER UPDATE OF handed_over_at ON orders
            WHEN NEW.handed_over_at IS NULL AND OLD.handed_over_at IS NOT NULL
            BEGIN
              DELETE FROM parcel_tracking WHERE order_id = NEW.id;
            END""")
        since = "datetime('now', '-%d days')" % BACKFILL_DAYS
    else:
        op.add_column("manifests", sa.Column("picked_up_at", UTCDateTime(), nullable=True))
        op.add_column("manifests", sa.Column("picked_up_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_manifests_picked_up_by_id_users"), "manifests", "users",
                              ["picked_up_by_id"], ["id"])
        op.execute(f"""
            CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.handed_over_at IS NOT NULL AND OLD.handed_over_at IS NULL THEN
                INSERT INTO parcel_tracking (parcel_id, order_id, handed_over_at, next_check_at, checks,
                    trace_desc, exception_desc, lost, last_error)
                  SELECT id, NEW.id, NEW.handed_over_at, NEW.handed_over_at, 0, '', '', false, ''
                  FROM parcels WHERE order_id = NEW.id AND waybill IS NOT NULL
                  ON CONFLICT (parcel_id) DO NOTHING;
              ELSIF NEW.handed_over_at IS NULL AND OLD.handed_over_at IS NOT NULL THEN
                DELETE FROM parcel_tracking WHERE order_id = NEW.id;
              END IF;
              RETURN NULL;
            END $$""")
        op.execute(f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF handed_over_at ON orders "
                   f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()")
        since = f"(now() AT TIME ZONE 'UTC') - interval '{BACKFILL_DAYS} days'"
    op.execute(_ENROL.format(where=f"o.handed_over_at IS NOT NULL AND o.handed_over_at >= {since}")
               .replace("false", "0" if conn.dialect.name == "sqlite" else "false"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_in")
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_out")
        op.execute("ALTER TABLE manifests DROP COLUMN picked_up_by_id")
        op.execute("ALTER TABLE manifests DROP COLUMN picked_up_at")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON orders")
        op.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
        op.drop_constraint(op.f("fk_manifests_picked_up_by_id_users"), "manifests", type_="foreignkey")
        op.drop_column("manifests", "picked_up_by_id")
        op.drop_column("manifests", "picked_up_at")
    op.drop_table("parcel_tracking")
