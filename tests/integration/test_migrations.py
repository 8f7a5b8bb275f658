"""Migrations: a fresh database reaches head, a second run changes nothing, a newer one is refused;
SQLite connections are set up for a bench (WAL, foreign keys, synchronous=FULL, busy timeout)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import inspect, text

from app.bootstrap import bootstrap
from app.config import Settings
from app.errors import DatabaseError
from app.models import db
from app.models.schema import Base


def _schema(engine) -> dict:
    insp = inspect(engine)
    return {
        table: (
            sorted(c["name"] for c in insp.get_columns(table)),
            sorted(i["name"] for i in insp.get_indexes(table)),
            sorted(str(u["name"]) for u in insp.get_unique_constraints(table)),
        )
        for table in insp.get_table_names()
    }


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    return request.getfixturevalue("pg_url")


def test_fresh_database_migrates_to_head_and_twice_is_a_no_op(url):
    engine = db.make_engine(url)
    try:
        assert db.current_revision(engine) is None
        db.migrate(engine)
        head = db.head_revision()
        assert head and db.current_revision(engine) == head
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        before = _schema(engine)
        with engine.connect() as conn:
            boxes = conn.execute(text("SELECT code, tare_g FROM box_types ORDER BY code")).all()
        assert [tuple(b) for b in boxes] == [("BOX-L", 400), ("BOX-M", 200), ("BOX-S", 100)]

        db.migrate(engine)

        assert db.current_revision(engine) == head
        assert _schema(engine) == before
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM box_types")).scalar() == 3
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        engine.dispose()


def test_database_from_a_newer_packgate_is_refused(url):
    engine = db.make_engine(url)
    try:
        db.migrate(engine)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'fffffffff999'"))
        with pytest.raises(DatabaseError) as info:
            db.migrate(engine)
        message = info.value.message
        assert "newer PackGate" in message and "fffffffff999" in message and db.head_revision() in message
        # Nothing was touched: the stamp is still the newer one.
        assert db.current_revision(engine) == "fffffffff999"
    finally:
        engine.dispose()
    with pytest.raises(DatabaseError, match="newer PackGate"):
        bootstrap(url, Settings(station="X"))


def test_sqlite_connections_are_set_up_for_a_bench(sqlite_url):
    engine = db.make_engine(sqlite_url)
    try:
        db.migrate(engine)
        for _ in range(2):  # every pooled connection, not only the first
            with engine.connect() as conn:
                pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                          for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")}
                assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2,
                                  "busy_timeout": db.SQLITE_BUSY_TIMEOUT_MS}
                assert db.SQLITE_BUSY_TIMEOUT_MS >= 1000
    finally:
        engine.dispose()


def test_sqlite_writers_take_the_lock_up_front(sqlite_url):
    """BEGIN IMMEDIATE: a second writer queues (busy timeout) instead of failing half-way through."""
    engine = db.make_engine(sqlite_url)
    try:
        db.migrate(engine)
        with engine.connect() as conn:
            conn.begin()  # no statement yet: only BEGIN IMMEDIATE already holds the write lock
            other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
    finally:
        engine.dispose()


def test_schema_head_constant_is_the_newest_migration():
    """The fast start-up path trusts SCHEMA_HEAD: it must name the newest migration shipped."""
    from app.models.db import SCHEMA_HEAD, head_revision

    assert SCHEMA_HEAD == head_revision()


def test_0007_adds_the_default_box_and_keeps_catalogue_audit_out_of_the_scan_rollup(url):
    """From 0005 (the schema before the catalogue) up to 0007, down again and up: on both databases."""
    from alembic import command

    engine = db.make_engine(url)
    try:
        cfg = db._alembic_config(engine)
        command.upgrade(cfg, "0005")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO products (sku, name, unit_weight_g) VALUES ('TEA-1', 'Tea', 280)"))
            conn.execute(text("INSERT INTO scan_events (at, raw, kind, accepted, message, reason) VALUES "
                              "('2026-11-25 10:00:00.000000', 'x', 'product_change', true, '', '')"))
        with engine.connect() as conn:  # 0003's trigger did not know the kind: it counted it as a scan
            assert conn.execute(text("SELECT sum(scans) FROM scan_stats_hourly")).scalar() == 1
        command.upgrade(cfg, "0007")
        with engine.begin() as conn:
            conn.execute(text("UPDATE products SET default_box_code = 'BOX-M' WHERE sku = 'TEA-1'"))
            for kind in ("product_change", "import_hold", "item"):
                conn.execute(text("INSERT INTO scan_events (at, raw, kind, accepted, message, reason) VALUES "
                                  f"('2026-11-25 11:00:00.000000', 'x', '{kind}', true, '', '')"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT default_box_code FROM products")).scalar() == "BOX-M"
            hour = conn.execute(text("SELECT scans, items FROM scan_stats_hourly WHERE hour_utc > "
                                     "'2026-11-25 10:30:00'")).one()
            assert tuple(hour) == (1, 1)  # only the item scan
        with engine.begin() as conn, pytest.raises(Exception):  # noqa: B017 - FK error type differs per driver
            conn.execute(text("UPDATE products SET default_box_code = 'NO-SUCH-BOX'"))
        command.downgrade(cfg, "0005")
        assert "default_box_code" not in {c["name"] for c in inspect(engine).get_columns("products")}
        command.upgrade(cfg, "head")
        assert db.current_revision(engine) == db.head_revision()
    finally:
        engine.dispose()
