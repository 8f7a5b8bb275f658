"""Migration 0018: orders.carrier_code may be NULL while the order is held (or cancelled), refused
otherwise by the database; on SQLite the table is edited in place, so every trigger on orders and
every row stays. Up from 0017 with orders in it, down and up again, on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.models import db

ORDER = ("INSERT INTO orders (order_no, platform, carrier_code, recipient_name, recipient_phone, recipient_address, "
         "note, created_at, imported_at, state, hold_reason) VALUES (:no, '', :carrier, '', '', '', '', "
         "'2026-01-01 00:00:00', '2026-01-01 00:00:00', :state, '')")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    return request.getfixturevalue("pg_url")


def _triggers(conn) -> list[str]:
    if conn.dialect.name == "sqlite":
        q = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'orders' ORDER BY name"
    else:
        q = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'orders'::regclass AND NOT tgisinternal ORDER BY tgname"
    return list(conn.execute(text(q)).scalars())


def test_0018_lets_only_a_held_order_lack_a_carrier_and_keeps_the_triggers(url):
    engine = db.make_engine(url)
    try:
        cfg = db._alembic_config(engine)
        command.upgrade(cfg, "0017")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO carriers (code, name_en, name_zh) VALUES ('ZTO', 'ZTO', 'ZTO') "
                              "ON CONFLICT DO NOTHING"))
            conn.execute(text(ORDER), {"no": "O-1", "carrier": "ZTO", "state": "ready"})
            before = _triggers(conn)
        assert len(before) >= 5
        command.upgrade(cfg, "0018")
        with engine.begin() as conn:
            assert _triggers(conn) == before
            assert conn.execute(text("SELECT carrier_code FROM orders WHERE order_no = 'O-1'")).scalar() == "ZTO"
            conn.execute(text(ORDER), {"no": "O-2", "carrier": None, "state": "on_hold"})
        for state in ("ready", "packing", "packed"):
            with pytest.raises(IntegrityError, match="carrier_unless_held"), engine.begin() as conn:
                conn.execute(text(ORDER), {"no": f"O-{state}", "carrier": None, "state": state})
        with pytest.raises(IntegrityError, match="carrier_unless_held"), engine.begin() as conn:
            conn.execute(text("UPDATE orders SET state = 'ready' WHERE order_no = 'O-2'"))
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"

        with pytest.raises(RuntimeError, match="held"):  # a held order without a carrier blocks the way down
            command.downgrade(cfg, "0017")
        with engine.begin() as conn:
            conn.execute(text("UPDATE orders SET carrier_code = 'ZTO' WHERE order_no = 'O-2'"))
        command.downgrade(cfg, "0017")
        with engine.begin() as conn:
            assert _triggers(conn) == before
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(ORDER), {"no": "O-3", "carrier": None, "state": "on_hold"})
        command.upgrade(cfg, "head")
        assert db.current_revision(engine) == db.SCHEMA_HEAD  # the newest migration (0018 or a later one)
    finally:
        engine.dispose()
