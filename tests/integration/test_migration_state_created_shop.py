"""Migration 0025: the (state, created_at) index on orders becomes (state, created_at, shop_id), and a
SQLite database whose statistics were gathered gets the new index's too. Up from 0024 with orders
in it, down and up again, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from app.models import db
from tests.integration.test_migration_carrier_hold import url  # noqa: F401 - SQLite and PostgreSQL (fixture)


def _indexes(engine) -> dict[str, list[str]]:
    return {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("orders")
            if i["name"].startswith("ix_orders_state_created")}


def test_0025_widens_the_state_created_index_by_the_shop_and_goes_down_and_up(url):  # noqa: F811
    engine = db.make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    try:
        cfg = db._alembic_config(engine)
        command.upgrade(cfg, "0024")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO carriers (code, name_en, name_zh) VALUES ('ZTO', 'ZTO', 'ZTO') "
                              "ON CONFLICT DO NOTHING"))
            for i in range(1, 31):
                conn.execute(text(
                    "INSERT INTO orders (id, order_no, platform, carrier_code, recipient_name, recipient_phone, "
                    "recipient_address, note, created_at, imported_at, state, hold_reason) "
                    f"VALUES ({i}, 'O-{i}', '', 'ZTO', '', '', '', '', '2026-03-01 08:00:00', "
                    "'2026-03-01 08:00:00', 'ready', '')"))
            if sqlite:
                conn.exec_driver_sql("ANALYZE")  # a database whose statistics were gathered
        assert _indexes(engine) == {"ix_orders_state_created": ["state", "created_at"]}

        command.upgrade(cfg, "0025")
        assert _indexes(engine) == {"ix_orders_state_created_shop": ["state", "created_at", "shop_id"]}
        if sqlite:
            with engine.connect() as conn:
                stats = dict(conn.exec_driver_sql("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'orders'").all())
            assert stats.get("ix_orders_state_created_shop", "").startswith("30 "), stats
            assert "ix_orders_state_created" not in stats, stats

        command.downgrade(cfg, "0024")
        assert _indexes(engine) == {"ix_orders_state_created": ["state", "created_at"]}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM orders")).scalar() == 30
        command.upgrade(cfg, "head")
        assert db.current_revision(engine) == db.SCHEMA_HEAD
        assert _indexes(engine) == {"ix_orders_state_created_shop": ["state", "created_at", "shop_id"]}
    finally:
        engine.dispose()


def test_0025_leaves_a_database_never_analyzed_without_statistics(tmp_path):
    """On a SQLite database never analyzed every index stays on the planner's defaults: statistics
    for one index alone would tilt its choices."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'never.db'}")
    try:
        command.upgrade(db._alembic_config(engine), "0025")
        with engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").scalar() == 0
    finally:
        engine.dispose()
