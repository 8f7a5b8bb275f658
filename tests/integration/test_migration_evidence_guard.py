"""Migration 0013e (a bench's clip names no file at the server), on SQLite and PostgreSQL: a bench's
row not yet uploaded keeps the bench's path as ``bench_path`` only; uploaded rows and the embedded
bench's rows keep theirs; the database then refuses a bench's row naming a file; down and up again."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.models import db
from tests.integration.test_migration_evidence_upload import row, url  # noqa: F401 - fixture

SHA = "'" + "a" * 64 + "'"
UPLOADED = "'2026-11-25 10:05:00.000000'"


def test_0013e_moves_bench_paths_aside_and_the_database_refuses_them(url):  # noqa: F811
    from alembic import command

    engine = db.make_engine(url)
    try:
        cfg = db._alembic_config(engine)
        command.upgrade(cfg, "0012")
        with engine.begin() as conn:
            conn.execute(text(row(bench_key="'k1'", bench_path="'/bench/a.mp4'")))  # at its bench
            conn.execute(text(row(sha=SHA, bench_key="'k2'", uploaded_at=UPLOADED)))  # verified: the store's path
            conn.execute(text(row()))  # the embedded bench's own clip
        command.upgrade(cfg, "0013e")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT bench_key, path, bench_path FROM evidence_clips ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("k1", "", "/bench/a.mp4"), ("k2", "/bench/a.mp4", None),
                                            (None, "/bench/a.mp4", None)]
        for bad in ("UPDATE evidence_clips SET path = '/etc/passwd' WHERE bench_key = 'k1'",
                    row(bench_key="'k3'")):  # a bench's row naming a file the server did not store
            with engine.begin() as conn, pytest.raises(Exception):  # noqa: B017 - the error type differs per driver
                conn.execute(text(bad))
        command.downgrade(cfg, "0012")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT path FROM evidence_clips WHERE bench_key = 'k1'")).scalar() == "/bench/a.mp4"
        command.upgrade(cfg, "head")
        assert db.current_revision(engine) == db.head_revision() == db.SCHEMA_HEAD
    finally:
        engine.dispose()
