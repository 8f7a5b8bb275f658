"""Database files, backups and exports are owner-only (0600) where the OS has file modes: they hold
PIN hashes (a four-digit PIN falls to an offline guesser in minutes) and buyers' addresses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli import main
from app.demo import seed_demo

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_database_backup_and_export_are_owner_only(sqlite_url, sqlite_services, tmp_path, capsys):
    db = Path(sqlite_url.removeprefix("sqlite:///"))
    seed_demo(sqlite_services)
    assert mode(db) == 0o600
    assert mode(Path(f"{db}-wal")) == 0o600
    assert main(["--db", sqlite_url, "backup", str(tmp_path / "copy.db")]) == 0
    assert mode(tmp_path / "copy.db") == 0o600
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"shipments.{fmt}"
        assert main(["--db", sqlite_url, "export-shipments", "--format", fmt, "--out", str(out)]) == 0
        assert mode(out) == 0o600


def test_an_existing_database_file_is_tightened(tmp_path):
    from app.models.db import make_engine

    db = tmp_path / "old.db"
    db.touch(mode=0o644)
    os.chmod(db, 0o644)
    make_engine(f"sqlite:///{db}").dispose()
    assert mode(db) == 0o600
