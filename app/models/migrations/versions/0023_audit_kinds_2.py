"""Audit kinds that are not scans: a return attached by a supervisor, a share link made or revoked, a
paper manifest recorded as picked up

The scan rollup trigger of 0003 (rebuilt by 0007 and 0008) counts every event whose kind is not in
its frozen NOT_SCANS list. The returns bench's ``attach_return`` (a supervisor attaches an unmatched
return to its order), ``share`` (an evidence link made or revoked) and ``manifest_picked_up`` (a
courier-signed manifest recorded by hand) are a supervisor's actions, not scans: the trigger is
rebuilt with the longer list. The kinds came in with this release: where an event of them was
already written (and counted as a scan), the hourly rows are rebuilt from the events; elsewhere (one
index lookup says so) nothing else is done.

Revision ID: 0023
Revises: 0019
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import op

revision = "0023"
down_revision = "0019"
branch_labels = None
depends_on = None

# Frozen copy of app.models.schema.NOT_SCANS at this revision (a test keeps them equal).
NOT_SCANS = ("print", "reprint", "auth", "release_hold", "cancel", "unlink", "reopen_manifest", "product_change",
             "import_hold", "settings", "users", "attach_return", "share", "manifest_picked_up")
BEFORE = ("print", "reprint", "auth", "release_hold", "cancel", "unlink", "reopen_manifest", "product_change",
          "import_hold", "settings", "users")  # 0008's list


def _scan_rollup(not_scans: tuple[str, ...]):
    """Migration 0003's trigger and backfill statements for another list of kinds (a private copy of
    that module, so its own frozen list stays as it was)."""
    path = next(Path(__file__).parent.glob("0003_*.py"))
    spec = importlib.util.spec_from_file_location("packgate_migration_0003_for_0023", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.NOT_SCANS = not_scans
    module._NOT_SCANS_SQL = ", ".join(f"'{k}'" for k in not_scans)
    return module


def _rebuild(not_scans: tuple[str, ...]) -> None:
    rollup = _scan_rollup(not_scans)
    bind = op.get_bind()
    for sql in [*rollup.drop_trigger_sql(bind.dialect.name), *rollup.create_trigger_sql(bind.dialect.name)]:
        op.execute(sql)
    changed = ", ".join(f"'{k}'" for k in set(NOT_SCANS) - set(BEFORE))
    if bind.exec_driver_sql(f"SELECT 1 FROM scan_events WHERE kind IN ({changed}) LIMIT 1").first() is not None:
        op.execute(f"DELETE FROM {rollup.TABLE}")
        op.execute(rollup.backfill_sql(bind.dialect.name))


def upgrade() -> None:
    _rebuild(NOT_SCANS)


def downgrade() -> None:
    _rebuild(BEFORE)
