"""Migration 0012 (clips uploaded from benches behind the server), on SQLite and PostgreSQL: a clip
indexed before keeps its row; the database refuses a second row for one bench clip key and an
"uploaded" clip that is still recording or has no checksum; down and up again."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from app.models import db

ROW = ("INSERT INTO evidence_clips (order_no, station, packer, path, started_at, frames, fps, width, height, "
       "bytes, sha256, marks, state, end_reason, flagged, flag_reason{extra}) VALUES ('PDD-1', 'BENCH-A', 'p', "
       "'/bench/a.mp4', '2026-11-25 10:00:00.000000', 0, 15, 320, 240, 0, {sha}, '[]', {state}, '', false, ''{values})")


def row(sha="''", state="'complete'", **extra) -> str:
    cols = "".join(f", {k}" for k in extra)
    vals = "".join(f", {v}" for v in extra.values())
    return ROW.format(extra=cols, values=vals, sha=sha, state=state)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    return request.getfixturevalue("pg_url")


def test_0012_keeps_old_clips_and_the_database_guards_uploads(url):
    from alembic import command

    engine = db.make_engine(url)
    sha = "'" + "a" * 64 + "'"
    try:
        cfg = db._alembic_config(engine)
        command.upgrade(cfg, "0011")
        with engine.begin() as conn:
            conn.execute(text(row()))
        command.upgrade(cfg, "0012")
        cols = {c["name"] for c in inspect(engine).get_columns("evidence_clips")}
        assert {"bench_key", "bench_path", "uploaded_at"} <= cols
        with engine.begin() as conn:
            assert conn.execute(text("SELECT path, bench_key, uploaded_at FROM evidence_clips")).one() == (
                "/bench/a.mp4", None, None)
            conn.execute(text(row(sha=sha, bench_key="'k1'", uploaded_at="'2026-11-25 10:05:00.000000'")))
            conn.execute(text(row(bench_key="'k2'")))
            conn.execute(text(row()))  # rows of the embedded bench: no key, as many as there are
        for bad in (row(bench_key="'k1'"),  # a second row for one bench clip
                    row(sha=sha, state="'recording'", uploaded_at="'2026-11-25 10:05:00.000000'"),
                    row(sha="'short'", uploaded_at="'2026-11-25 10:05:00.000000'")):
            with engine.begin() as conn, pytest.raises(Exception):  # noqa: B017 - the error type differs per driver
                conn.execute(text(bad))
        with engine.begin() as conn:  # the state check of 0009 is still there
            with pytest.raises(Exception):  # noqa: B017
                conn.execute(text(row(state="'lost'")))
        command.downgrade(cfg, "0011")
        assert "uploaded_at" not in {c["name"] for c in inspect(engine).get_columns("evidence_clips")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM evidence_clips")).scalar() == 4
        command.upgrade(cfg, "head")
        assert db.current_revision(engine) == db.head_revision() == db.SCHEMA_HEAD
    finally:
        engine.dispose()
