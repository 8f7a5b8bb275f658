"""Migration 0021 (returns): up from 0018 with orders and a packing clip in it, everything is kept
and the clip is a packing clip; down and up again, on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text

from app.models import db

ORDER = ("INSERT INTO orders (order_no, platform, carrier_code, recipient_name, recipient_phone, recipient_address, "
         "note, created_at, imported_at, state, hold_reason) VALUES ('O-1', '', 'ZTO', '', '', '', '', "
         "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 'ready', '')")
CLIP = ("INSERT INTO evidence_clips (order_no, station, packer, path, started_at, frames, fps, width, height, bytes,"
        " sha256, marks, state, end_reason, flagged, flag_reason) VALUES ('O-1', 'B1', '', '/c.mp4',"
        " '2026-01-01 00:00:00', 0, 15, 0, 0, 0, '', '[]', 'complete', '', FALSE, '')")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    return request.getfixturevalue("pg_url")


def test_0021_adds_returns_and_keeps_the_data(url):
    engine = db.make_engine(url)
    try:
        cfg = db._alembic_config(engine)
        command.upgrade(cfg, "0018")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO carriers (code, name_en, name_zh) VALUES ('ZTO', 'ZTO', 'ZTO') "
                              "ON CONFLICT DO NOTHING"))
            conn.execute(text(ORDER))
            conn.execute(text(CLIP))
        command.upgrade(cfg, "0021")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT order_no FROM orders")).scalars().all() == ["O-1"]
            assert conn.execute(text("SELECT kind FROM evidence_clips")).scalars().all() == ["packing"]
            assert {"returns", "return_lines"} <= set(inspect(conn).get_table_names())
        command.downgrade(cfg, "0018")
        with engine.begin() as conn:
            assert "returns" not in inspect(conn).get_table_names()
            assert conn.execute(text("SELECT count(*) FROM evidence_clips")).scalar() == 1
        command.upgrade(cfg, "head")
        assert db.current_revision(engine) == db.SCHEMA_HEAD  # 0021 or a later one
    finally:
        engine.dispose()
