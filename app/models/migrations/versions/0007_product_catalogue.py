"""Product catalogue: a default box per product, and audit kinds for catalogue changes and import holds

``products.default_box_code`` (optional, a box type) is what ``packgate import-products`` sets from
the catalogue's default-box column. Two audit kinds join NOT_SCANS: ``product_change`` (an import
changed a product's name, weight or default box) and ``import_hold`` (an order import put an order
on hold because the platform shows an after-sales case). They are not scans, so the scan rollup
trigger of migration 0003, which froze NOT_SCANS into its WHEN clause, is rebuilt with the longer
list on both databases (no such events exist yet, so the rollup needs no backfill).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copy of app.models.schema.NOT_SCANS at this revision (a test keeps them equal).
NOT_SCANS = ("print", "reprint", "auth", "release_hold", "cancel", "unlink", "reopen_manifest", "product_change",
             "import_hold")
FK = "fk_products_default_box_code_box_types"


def _migration_0003():
    path = next(Path(__file__).parent.glob("0003_*.py"))
    spec = importlib.util.spec_from_file_location("packgate_migration_0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _trigger_sql(dialect: str, kinds: tuple[str, ...]) -> list[str]:
    """0003's trigger statements, with ``kinds`` in place of the list 0003 froze."""
    m3 = _migration_0003()
    frozen = ", ".join(f"'{k}'" for k in kinds)
    return [sql.replace(m3._NOT_SCANS_SQL, frozen) for sql in m3.create_trigger_sql(dialect)]


def _rebuild_trigger(kinds: tuple[str, ...]) -> None:
    dialect = op.get_bind().dialect.name
    for sql in _migration_0003().drop_trigger_sql(dialect):
        op.execute(sql)
    for sql in _trigger_sql(dialect, kinds):
        op.execute(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN with a named REFERENCES clause: no table rebuild (products is referenced by
        # order lines and barcodes, and a rebuild under foreign keys would touch them).
        op.execute(f"ALTER TABLE products ADD COLUMN default_box_code VARCHAR(32) "
                   f"CONSTRAINT {FK} REFERENCES box_types (code)")
    else:
        op.add_column("products", sa.Column("default_box_code", sa.String(32), nullable=True))
        op.create_foreign_key(FK, "products", "box_types", ["default_box_code"], ["code"])
    _rebuild_trigger(NOT_SCANS)


def downgrade() -> None:
    _rebuild_trigger(_migration_0003().NOT_SCANS)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE products DROP COLUMN default_box_code")
    else:
        op.drop_constraint(FK, "products", type_="foreignkey")
        op.drop_column("products", "default_box_code")
