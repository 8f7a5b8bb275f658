"""Migration 0025: the (state, created_at) index on orders becomes (state, created_at, shop_id), and a
SQLite database whose statistics were gathered gets the new index's too; on PostgreSQL the rollups'
primary keys carry their figures (INCLUDE) and their triggers still upsert on them. Up from 0024
with orders in it, down and up again, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from app.models import db
from tests.integration.test_migration_carrier_hold import url  # noqa: F401 - SQLite and PostgreSQL (fixture)


def _rollup_keys(engine) -> dict[str, str]:
    """PostgreSQL: each rollup's primary key as the database defines it."""
    with engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'p' "
            "AND conrelid IN ('scan_stats_hourly'::regclass, 'order_stats_hourly'::regclass)")).all())


WITH_FIGURES = {
    "scan_stats_hourly": "PRIMARY KEY (hour_utc, user_id, station_id) INCLUDE (scans, refused, items, first_at, last_at)",
    "order_stats_hourly": "PRIMARY KEY (hour_utc, packer_id, station_id, carrier_code) "
                          "INCLUDE (packed, timed, duration_us, handed_over)",
}
KEYS_ONLY = {"scan_stats_hourly": "PRIMARY KEY (hour_utc, user_id, station_id)",
             "order_stats_hourly": "PRIMARY KEY (hour_utc, packer_id, station_id, carrier_code)"}


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

        if not sqlite:
            assert _rollup_keys(engine) == KEYS_ONLY
        command.upgrade(cfg, "0025")
        assert _indexes(engine) == {"ix_orders_state_created_shop": ["state", "created_at", "shop_id"]}
        if not sqlite:
            assert _rollup_keys(engine) == WITH_FIGURES
            # The rollups' triggers still upsert on their key: an order packed, then handed over.
            with engine.begin() as conn:
                conn.execute(text("UPDATE orders SET state = 'packed', waybill = 'W1', station_id = NULL, "
                                  "packer_id = NULL, packed_at = '2026-03-01 09:00:00' WHERE id = 1"))
                conn.execute(text("UPDATE orders SET state = 'handed_over', handed_over_at = '2026-03-01 12:00:00' "
                                  "WHERE id = 1"))
                rows = conn.execute(text("SELECT hour_utc, packed, handed_over FROM order_stats_hourly "
                                         "WHERE packed + handed_over > 0 ORDER BY hour_utc")).all()
            assert [(r.packed, r.handed_over) for r in rows] == [(1, 0), (0, 1)]
        if sqlite:
            with engine.connect() as conn:
                stats = dict(conn.exec_driver_sql("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'orders'").all())
            assert stats.get("ix_orders_state_created_shop", "").startswith("30 "), stats
            assert "ix_orders_state_created" not in stats, stats

        command.downgrade(cfg, "0024")
        assert _indexes(engine) == {"ix_orders_state_created": ["state", "created_at"]}
        if not sqlite:
            assert _rollup_keys(engine) == KEYS_ONLY
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM orders")).scalar() == 30
        command.upgrade(cfg, "head")
        assert db.current_revision(engine) == db.SCHEMA_HEAD
        assert _indexes(engine) == {"ix_orders_state_created_shop": ["state", "created_at", "shop_id"]}
        if not sqlite:
            assert _rollup_keys(engine) == WITH_FIGURES
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
