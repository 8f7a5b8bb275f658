"""E-waybills from the platform: where each shop's carrier takes its waybills from (waybill_sources:
scan, pool or pdd with its branch and registered sender address) and the e-waybills asked for
parcels (ewaybills: requested, taken, printed, linked, cancelled), each number unique and at most
one live e-waybill per parcel

The outbox learns one more job kind, ``ewaybill_cancel`` (``pdd.waybill.cancel`` of an unused number
after an unlink or an order's cancel): platform_jobs' kind CHECK is replaced (PostgreSQL: drop and
add; SQLite: its CREATE TABLE text is edited in place as 0018 does, so no row is rewritten and no
trigger is lost). No other existing row or trigger is touched.

Revision ID: 0019
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.models.types import UTCDateTime

revision = "0019"
down_revision = "0021"
branch_labels = None
depends_on = None

LIVE = "state <> 'cancelled'"
KIND_CHECK = "ck_platform_jobs_kind_known"
OLD_KINDS = "kind IN ('ship', 'extra', 'unlink', 'cancel')"
NEW_KINDS = "kind IN ('ship', 'extra', 'unlink', 'cancel', 'ewaybill_cancel')"


def _job_kinds(old: str, new: str) -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        op.drop_constraint(op.f(KIND_CHECK), "platform_jobs", type_="check")
        op.create_check_constraint(op.f(KIND_CHECK), "platform_jobs", new)
        return
    sql = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'platform_jobs'")).scalar()
    if old not in sql:
        raise RuntimeError("platform_jobs' definition is not the one migration 0019 expects")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        conn.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'platform_jobs'"),
                     {"sql": sql.replace(old, new, 1)})
        conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check(platform_jobs)")]
    if problems != ["ok"]:
        raise RuntimeError(f"platform_jobs after migration 0019: {'; '.join(problems[:5])}")


def upgrade() -> None:
    op.create_table(
        "waybill_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("carrier_code", sa.String(16), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("branch_code", sa.String(64), nullable=False),
        sa.Column("branch_name", sa.String(120), nullable=False),
        sa.Column("sender_address", sa.Text(), nullable=False),
        sa.Column("template_url", sa.Text(), nullable=False),
        sa.Column("template_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("source IN ('scan', 'pool', 'pdd')", name=op.f("ck_waybill_sources_source_known")),
        sa.CheckConstraint("source <> 'pdd' OR (branch_code <> '' AND sender_address <> '')",
                           name=op.f("ck_waybill_sources_pdd_has_branch")),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_waybill_sources_shop_id_shops"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["carrier_code"], ["carriers.code"],
                                name=op.f("fk_waybill_sources_carrier_code_carriers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waybill_sources")),
        sa.UniqueConstraint("shop_id", "carrier_code", name="uq_waybill_sources_shop_carrier"),
    )
    op.create_table(
        "ewaybills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("parcel_seq", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("carrier_code", sa.String(16), nullable=False),
        sa.Column("branch_code", sa.String(64), nullable=False),
        sa.Column("waybill_code", sa.String(64), nullable=True),
        sa.Column("print_data", sa.Text(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("prints", sa.Integer(), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("taken_at", UTCDateTime(), nullable=True),
        sa.Column("printed_at", UTCDateTime(), nullable=True),
        sa.Column("linked_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("state IN ('requested', 'taken', 'printed', 'linked', 'cancelled')",
                           name=op.f("ck_ewaybills_state_known")),
        sa.CheckConstraint("state IN ('requested', 'cancelled') OR (waybill_code IS NOT NULL AND print_data <> '' "
                           "AND taken_at IS NOT NULL)", name=op.f("ck_ewaybills_taken_has_number")),
        sa.CheckConstraint("state <> 'requested' OR waybill_code IS NULL",
                           name=op.f("ck_ewaybills_requested_has_no_number")),
        sa.CheckConstraint("state <> 'linked' OR linked_at IS NOT NULL", name=op.f("ck_ewaybills_linked_has_time")),
        sa.CheckConstraint("state <> 'cancelled' OR cancelled_at IS NOT NULL",
                           name=op.f("ck_ewaybills_cancelled_has_time")),
        sa.CheckConstraint("parcel_seq >= 1", name=op.f("ck_ewaybills_seq_positive")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_ewaybills_order_id_orders"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_ewaybills_shop_id_shops")),
        sa.ForeignKeyConstraint(["carrier_code"], ["carriers.code"], name=op.f("fk_ewaybills_carrier_code_carriers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ewaybills")),
        sa.UniqueConstraint("waybill_code", name=op.f("uq_ewaybills_waybill_code")),
    )
    op.create_index("uq_ewaybills_live_parcel", "ewaybills", ["order_id", "parcel_seq"], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
    op.create_index("ix_ewaybills_state_taken", "ewaybills", ["state", "taken_at"])
    op.create_index("ix_ewaybills_carrier_taken", "ewaybills", ["carrier_code", "taken_at"])
    _job_kinds(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT count(*) FROM platform_jobs WHERE kind = 'ewaybill_cancel'")).scalar():
        op.execute("DELETE FROM platform_jobs WHERE kind = 'ewaybill_cancel'")  # their table goes too
    _job_kinds(NEW_KINDS, OLD_KINDS)
    op.drop_index("ix_ewaybills_carrier_taken", table_name="ewaybills")
    op.drop_index("ix_ewaybills_state_taken", table_name="ewaybills")
    op.drop_index("uq_ewaybills_live_parcel", table_name="ewaybills")
    op.drop_table("ewaybills")
    op.drop_table("waybill_sources")
