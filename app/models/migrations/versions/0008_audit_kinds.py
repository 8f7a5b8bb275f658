"""Audit trail: a hash chain per bench; settings and user changes audited; growing lockouts

``scan_events`` gets ``chain_seq``, ``prev_hash`` and ``hash`` (app/models/audit_chain.py) and
``audit_chain_heads`` the newest link of each bench's chain; events already there stay unchained
(``packgate audit verify`` counts them). ``users.lockouts`` counts lockouts since the last right PIN.

The scan rollup trigger of 0003 counts every event whose kind is not in its frozen NOT_SCANS list;
the new kinds ``settings`` (a supervisor changed a bench's settings) and ``users`` (a user was
added, disabled, enabled or given a new PIN) must not count as scans, so the trigger is rebuilt
with the longer list. No backfill: no event of these kinds exists before this revision.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Frozen copy of app.models.schema.NOT_SCANS at this revision (a test keeps them equal).
NOT_SCANS = ("print", "reprint", "auth", "release_hold", "cancel", "unlink", "reopen_manifest", "product_change",
             "import_hold", "settings", "users")
BEFORE = ("print", "reprint", "auth", "release_hold", "cancel", "unlink", "reopen_manifest", "product_change",
          "import_hold")  # 0007's list


def _scan_rollup(not_scans: tuple[str, ...]):
    """Migration 0003's trigger and backfill statements, for another list of kinds (a private copy
    of that module, so its own frozen list stays as it was)."""
    path = next(Path(__file__).parent.glob("0003_*.py"))
    spec = importlib.util.spec_from_file_location("packgate_migration_0003_for_0008", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.NOT_SCANS = not_scans
    module._NOT_SCANS_SQL = ", ".join(f"'{k}'" for k in not_scans)
    return module


def create_trigger_sql(dialect: str) -> list[str]:
    return _scan_rollup(NOT_SCANS).create_trigger_sql(dialect)


def drop_trigger_sql(dialect: str) -> list[str]:
    return _scan_rollup(NOT_SCANS).drop_trigger_sql(dialect)


def backfill_sql(dialect: str) -> str:
    return _scan_rollup(NOT_SCANS).backfill_sql(dialect)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for sql in [*drop_trigger_sql(dialect), *create_trigger_sql(dialect)]:
        op.execute(sql)
    op.add_column("users", sa.Column("lockouts", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("scan_events", sa.Column("chain_seq", sa.Integer(), nullable=True))
    op.add_column("scan_events", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("scan_events", sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_chain_heads",
        sa.Column("bench_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("bench_key", name=op.f("pk_audit_chain_heads")),
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_table("audit_chain_heads")
    op.execute("ALTER TABLE users DROP COLUMN lockouts")  # SQLite >= 3.35 and PostgreSQL alike
    # scan_events keeps its chain columns on the way down: dropping a column rebuilds the table on
    # SQLite, which its append-only triggers (and the audit trail's purpose) forbid.
    before = _scan_rollup(BEFORE)
    for sql in [*before.drop_trigger_sql(dialect), *before.create_trigger_sql(dialect)]:
        op.execute(sql)
