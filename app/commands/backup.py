"""``packgate backup DEST [--force]``: a consistent copy of the SQLite database while benches work.

Uses SQLite's online backup API: the copy is one read snapshot of the database (WAL lets the
benches keep committing meanwhile), written to a temporary file next to DEST, checked with
``PRAGMA integrity_check`` and only then renamed to DEST. PostgreSQL is backed up with pg_dump.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.errors import ConfigError, DatabaseError
from app.fileutil import create_owner_only

PG_DUMP_HINT = (
    "PostgreSQL is backed up with pg_dump, not packgate backup: "
    "pg_dump -Fc -h HOST -U OWNER -f packgate.dump DBNAME (restore with pg_restore -d DBNAME packgate.dump; "
    "see docs/deployment.md)"
)


def register(sub) -> None:
    p = sub.add_parser(
        "backup",
        help="copy the SQLite database to DEST while benches keep working (PostgreSQL: use pg_dump)",
        description="Make a consistent copy of the SQLite database with SQLite's online backup API. "
        "Benches may keep scanning meanwhile. For PostgreSQL use pg_dump -Fc.",
    )
    p.add_argument("dest", metavar="DEST", help="the backup file to write")
    p.add_argument("--force", action="store_true", help="replace DEST if it exists")
    p.set_defaults(func=run)


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL; a clear error for anything else."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError("Not a database URL (expected sqlite:///FILE)") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        raise ConfigError(PG_DUMP_HINT)
    if backend != "sqlite":
        raise ConfigError(f"packgate backup copies SQLite databases only, not {backend!r}")
    if not parsed.database or parsed.database == ":memory:":
        raise ConfigError("An in-memory database cannot be backed up")
    return Path(parsed.database).expanduser()


def backup_sqlite(source: Path, dest: Path, *, force: bool = False) -> int:
    """Copy ``source`` to ``dest`` consistently; returns the number of pages copied."""
    try:  # a name the file system cannot hold (too long, bad bytes) is the operator's error, not a bug
        if not source.is_file():
            raise ConfigError(f"No database file at {source}")
        if dest.exists() and not force:
            raise ConfigError(f"{dest} exists: choose another name or add --force to replace it")
        if dest.resolve() == source.resolve():
            raise ConfigError("DEST is the database itself: choose another file")
        if not dest.parent.is_dir():
            raise ConfigError(f"The folder {dest.parent} does not exist")
    except OSError as exc:
        raise ConfigError(f"Cannot use {str(dest)[:80]} as the backup file: {exc.strerror or exc}") from exc
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        create_owner_only(tmp)  # a backup holds PIN hashes: owner-only from its first byte
        src = sqlite3.connect(source, timeout=30)  # the file exists: checked above
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)  # all pages in one step: one consistent read snapshot
                pages = dst.execute("PRAGMA page_count").fetchone()[0]
                status = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if status != "ok":
            raise DatabaseError(f"The copy failed its integrity check ({status}); {dest} was not written")
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise DatabaseError(f"Backup of {source} failed: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"Cannot write {dest}: {exc.strerror or exc}") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
    return pages


def run(args, ctx) -> int:
    from app.config import resolve_db_url

    source = sqlite_path(resolve_db_url(ctx.db_url))
    dest = Path(args.dest).expanduser()
    pages = backup_sqlite(source, dest, force=args.force)
    print(f"Backed up {source} to {dest} ({pages} pages, integrity ok)")
    return 0
