"""An order may lack a carrier while it is held: orders.carrier_code nullable, with a CHECK that only
an order on hold (or cancelled) has none

A pulled order of a shop with no default carrier (and no ``default_carrier`` setting) is stored on
hold ("no carrier chosen for shop X") instead of being left on the platform; the next pull after
the shop gets a carrier releases it with that carrier. The database refuses a carrier-less order in
any other state (ready, packing, packed, handed over) on both databases.

SQLite cannot drop a NOT NULL or add a CHECK in place, and a rebuild of ``orders`` would lose its
seven triggers (rollups, parcels, platform tiles) and, with foreign keys on, cascade the DROP into
its lines and parcels. The table's definition is edited instead, the way SQLite documents it for
removing a NOT NULL ("Making Other Kinds Of Table Schema Changes", https://sqlite.org/lang_altertable.html):
no row is rewritten and every trigger, index and foreign key stays. The new CHECK holds for every
existing row (the column was NOT NULL), which the upgrade verifies before it edits.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

NAME = "ck_orders_carrier_unless_held"
GUARD = "carrier_code IS NOT NULL OR state IN ('on_hold', 'cancelled')"
_NOT_NULL = "carrier_code VARCHAR(16) NOT NULL,"
_NULLABLE = "carrier_code VARCHAR(16),"
_ANCHOR = "CONSTRAINT pk_orders PRIMARY KEY (id),"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_edit(lambda sql: sql.replace(_NOT_NULL, _NULLABLE, 1)
                     .replace(_ANCHOR, f"{_ANCHOR} \n\tCONSTRAINT {NAME} CHECK ({GUARD}),", 1))
    else:
        op.alter_column("orders", "carrier_code", existing_type=sa.String(16), nullable=True)
        op.create_check_constraint(NAME, "orders", GUARD)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT count(*) FROM orders WHERE carrier_code IS NULL")).scalar():
        raise RuntimeError("orders without a carrier are held: choose their shops' carriers and pull before "
                           "downgrading below 0018")
    if conn.dialect.name == "sqlite":
        _sqlite_edit(lambda sql: sql.replace(f"{_ANCHOR} \n\tCONSTRAINT {NAME} CHECK ({GUARD}),", _ANCHOR, 1)
                     .replace(_NULLABLE, _NOT_NULL, 1))
    else:
        op.drop_constraint(NAME, "orders", type_="check")
        op.alter_column("orders", "carrier_code", existing_type=sa.String(16), nullable=False)


def _sqlite_edit(change) -> None:
    """Rewrite orders' CREATE TABLE text in sqlite_master (writable_schema), bump the schema version
    so every connection reloads it, and check the table's rows against the new definition."""
    conn = op.get_bind()
    if conn.execute(sa.text(f"SELECT count(*) FROM orders WHERE NOT ({GUARD})")).scalar():
        raise RuntimeError("an order that is not held has no carrier")  # impossible while the column was NOT NULL
    sql = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'orders'")).scalar()
    new = change(sql)
    if new == sql or (_NULLABLE in new) == (_NULLABLE in sql):
        raise RuntimeError("orders' definition is not the one migration 0018 expects")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        conn.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'orders'"),
                     {"sql": new})
        conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check(orders)")]
    if problems != ["ok"]:
        raise RuntimeError(f"orders after migration 0018: {'; '.join(problems[:5])}")
