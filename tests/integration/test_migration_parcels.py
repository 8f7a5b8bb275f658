"""Migration 0006 on a database made by the previous schema head (0005), with data, on SQLite and
PostgreSQL: every order becomes parcel 1 with its units, box, weight, prints, waybill, pool number
and manifest item; nothing is lost, and a bench carries on where it stood."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.bootstrap import bootstrap
from app.config import Settings
from app.models import db
from app.packing.outcome import Step
from app.packing.workflow import BenchWorkflow

T0 = "'2026-11-20 08:00:00'"
OLD_DATA = (
    "INSERT INTO carriers (code, name_en, name_zh) VALUES ('ZTO', 'ZTO Express', '中通快递')",
    "INSERT INTO stations (id, name, created_at) VALUES (1, 'BENCH-OLD', " + T0 + ")",
    "INSERT INTO users (id, name, role, badge, failed_pins, active, created_at) VALUES (1, 'Old Packer', 'packer', 'P-OLD', 0, TRUE, " + T0 + ")",
    "INSERT INTO products (id, sku, name, unit_weight_g) VALUES (1, 'SKU-1', 'Item one', 100), (2, 'SKU-2', 'Item two', 50)",
    "INSERT INTO product_barcodes (barcode, product_id) VALUES ('1111', 1), ('2222', 2)",
    *(
        "INSERT INTO orders (id, order_no, platform, carrier_code, recipient_name, recipient_phone, recipient_address,"
        f" note, created_at, imported_at, state, waybill, station_id, packer_id, packed_at, handed_over_at, hold_reason)"
        f" VALUES ({i}, '{no}', '', 'ZTO', 'R', '1', 'A', '', {T0}, {T0}, '{state}', {wb}, {st}, {st}, {pa}, {ho}, '')"
        for i, no, state, wb, st, pa, ho in (
            (1, 'OLD-HANDED', 'handed_over', "'75310000000101'", 1, T0, T0),
            (2, 'OLD-PACKED', 'packed', "'75310000000102'", 1, T0, 'NULL'),
            (3, 'OLD-VERIFY', 'packing', 'NULL', 1, 'NULL', 'NULL'),
            (4, 'OLD-READY', 'ready', 'NULL', 'NULL', 'NULL', 'NULL'),
        )
    ),
    "INSERT INTO order_lines (id, order_id, product_id, quantity, scanned) VALUES"
    " (1, 1, 1, 2, 2), (2, 1, 2, 1, 1), (3, 2, 1, 1, 1), (4, 3, 1, 2, 1), (5, 3, 2, 1, 0), (6, 4, 1, 1, 0)",
    "INSERT INTO parcels (id, order_id, box_code, weight_g, expected_weight_g, label_prints, label_printed_at, packed_at,"
    " packer_id, station_id) VALUES (1, 1, 'BOX-M', 400, 400, 2, " + T0 + ", " + T0 + ", 1, 1),"
    " (2, 2, 'BOX-M', 250, 250, 1, " + T0 + ", " + T0 + ", 1, 1)",
    "INSERT INTO manifests (id, manifest_no, carrier_code, station_id, opened_by_id, opened_at, closed_by_id, closed_at)"
    " VALUES (1, 'M-OLD', 'ZTO', 1, 1, " + T0 + ", 1, " + T0 + ")",
    "INSERT INTO manifest_items (id, manifest_id, order_id, scanned_at) VALUES (1, 1, 1, " + T0 + ")",
    "INSERT INTO waybill_pool (id, carrier_code, number, order_id, imported_at, taken_at)"
    " VALUES (1, 'ZTO', '75310000000102', 2, " + T0 + ", " + T0 + "), (2, 'ZTO', '75310000000109', NULL, " + T0 + ", NULL)",
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_db(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    from alembic import command

    engine = db.make_engine(url)
    try:
        command.upgrade(db._alembic_config(engine), "0005")  # the previous schema head
        with engine.begin() as conn:
            for statement in OLD_DATA:
                conn.execute(text(statement))
            if engine.dialect.name == "postgresql":  # explicit ids above do not move the sequences
                for table in ("stations", "users", "products", "orders", "order_lines", "parcels", "manifests",
                              "manifest_items", "waybill_pool"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    finally:
        engine.dispose()
    return url


def rows(conn, sql: str) -> list[tuple]:
    return [tuple(r) for r in conn.execute(text(sql))]


def test_every_order_becomes_parcel_one_and_nothing_is_lost(old_db):
    engine = db.make_engine(old_db)
    try:
        db.migrate(engine)
        assert db.current_revision(engine) == db.head_revision()
        with engine.connect() as conn:
            assert rows(conn, "SELECT o.order_no, p.seq, p.waybill, p.box_code, p.weight_g, p.label_prints"
                              " FROM parcels p JOIN orders o ON o.id = p.order_id ORDER BY o.id") == [
                ("OLD-HANDED", 1, "75310000000101", "BOX-M", 400, 2),
                ("OLD-PACKED", 1, "75310000000102", "BOX-M", 250, 1),
                ("OLD-VERIFY", 1, None, None, None, 0),  # units were scanned before the box: a parcel now
            ]
            assert rows(conn, "SELECT o.order_no, l.order_line_id, l.quantity FROM parcel_lines l"
                              " JOIN parcels p ON p.id = l.parcel_id JOIN orders o ON o.id = p.order_id"
                              " ORDER BY o.id, l.order_line_id") == [
                ("OLD-HANDED", 1, 2), ("OLD-HANDED", 2, 1), ("OLD-PACKED", 3, 1), ("OLD-VERIFY", 4, 1)]
            assert rows(conn, "SELECT m.order_id, p.order_id FROM manifest_items m JOIN parcels p ON p.id = m.parcel_id") \
                == [(1, 1)]
            assert rows(conn, "SELECT w.number, p.order_id FROM waybill_pool w LEFT JOIN parcels p ON p.id = w.parcel_id"
                              " ORDER BY w.id") == [("75310000000102", 2), ("75310000000109", None)]
            assert rows(conn, "SELECT order_no, state, waybill FROM orders ORDER BY id") == [
                ("OLD-HANDED", "handed_over", "75310000000101"), ("OLD-PACKED", "packed", "75310000000102"),
                ("OLD-VERIFY", "packing", None), ("OLD-READY", "ready", None)]
    finally:
        engine.dispose()


def test_a_bench_carries_on_after_the_migration(old_db):
    services = bootstrap(old_db, Settings(station="BENCH-OLD"))
    try:
        flow = BenchWorkflow(services, "BENCH-OLD")
        out = flow.handle("P-OLD")
        assert out.accepted and out.step == Step.VERIFY and "OLD-VERIFY" in out.message.render()
        assert flow.handle("1111").accepted and flow.handle("2222").accepted
        assert flow.last_view.step == Step.BOX
        order = flow.last_view.order
        assert [(p.seq, p.units) for p in order.parcels] == [(1, 3)]
        assert flow.handle("CMD:HANDOVER").accepted is False  # the open order first
    finally:
        services.close()
