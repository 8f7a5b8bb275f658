"""Migration 0020: up from 0018 with a parcel handed over yesterday and one a month ago (the recent
one enrolled in the pickup watch, due at once; the old one past any watch), down and up again, on
both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import text

from app.models import db
from tests.integration.test_migration_carrier_hold import url  # noqa: F401 - SQLite and PostgreSQL (fixture)


def test_0020_enrols_the_recent_handovers_and_goes_down_and_up(url):  # noqa: F811
    engine = db.make_engine(url)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    try:
        cfg = db._alembic_config(engine)
        command.upgrade(cfg, "0018")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO carriers (code, name_en, name_zh) VALUES ('ZTO', 'ZTO', 'ZTO') "
                              "ON CONFLICT DO NOTHING"))
            for i, handed in ((1, now - timedelta(days=1)), (2, now - timedelta(days=30))):
                conn.execute(text(
                    "INSERT INTO orders (id, order_no, platform, carrier_code, recipient_name, recipient_phone, "
                    "recipient_address, note, created_at, imported_at, state, hold_reason, waybill, handed_over_at) "
                    f"VALUES ({i}, 'O-{i}', '', 'ZTO', '', '', '', '', :at, :at, 'handed_over', '', 'W{i}', :at)"),
                    {"at": handed})
                conn.execute(text(f"INSERT INTO parcels (id, order_id, seq, label_prints, sealed, waybill) "
                                  f"VALUES ({i}, {i}, 1, 1, TRUE, 'W{i}')"))
        command.upgrade(cfg, "0020")
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT parcel_id, checks, picked_up_at FROM parcel_tracking")).all()
            assert [tuple(r) for r in rows] == [(1, 0, None)]
        command.downgrade(cfg, "0018")
        with engine.begin() as conn:
            names = conn.execute(text("SELECT * FROM manifests")).keys()
            assert "picked_up_at" not in names
        command.upgrade(cfg, "head")
        assert db.current_revision(engine) == db.SCHEMA_HEAD
    finally:
        engine.dispose()
