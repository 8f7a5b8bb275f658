"""The rules the database itself enforces, proven with raw SQL (no ORM, no PackGate code in the way).

Each case runs in its own transaction on a database migrated by PackGate's Alembic migration, first
proves a legal variant of the same statement works (so the refusal is about the rule, not the test
data), then shows the database refuses the breaking statement, and rolls back.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

from app.models import db
from tests.conftest import PG_ADMIN_URL, require_postgres

CHAIN = f"'{'0' * 64}', '{'1' * 64}'"  # prev_hash, hash: placeholders, these tests are not about the chain

BASE_DATA = (
    "INSERT INTO carriers (code, name_en, name_zh) VALUES ('ZTO', 'ZTO', 'ZTO')",
    "INSERT INTO stations (id, name, created_at) VALUES (1, 'BENCH-1', '2026-01-01 00:00:00')",
    "INSERT INTO products (id, sku, name, unit_weight_g) VALUES (1, 'SKU-1', 'Item', 100)",
    *(
        "INSERT INTO orders (id, order_no, platform, carrier_code, recipient_name, recipient_phone,"
        " recipient_address, note, created_at, imported_at, state, hold_reason)"
        f" VALUES ({i}, 'O-{i}', '', 'ZTO', '', '', '', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00',"
        " 'ready', '')"
        for i in (1, 2, 3, 4)  # orders 3 and 4 have no parcels
    ),
    "INSERT INTO order_lines (id, order_id, product_id, quantity, scanned) VALUES (1, 1, 1, 2, 0)",
    "INSERT INTO order_lines (id, order_id, product_id, quantity, scanned) VALUES (2, 2, 1, 1, 0)",
    # order 1: parcels 1 and 4; order 2: parcels 2 and 3
    *(f"INSERT INTO parcels (id, order_id, seq, label_prints, sealed) VALUES ({pid}, {oid}, {seq}, 0, FALSE)"
      for pid, oid, seq in ((1, 1, 1), (2, 2, 1), (3, 2, 2), (4, 1, 2))),
    *(
        f"INSERT INTO manifests (id, manifest_no, carrier_code, opened_at) VALUES ({i}, 'M-{i}', 'ZTO',"
        " '2026-01-01 00:00:00')"
        for i in (1, 2)
    ),
    "INSERT INTO manifest_items (id, manifest_id, order_id, parcel_id, scanned_at)"
    " VALUES (1, 1, 1, 1, '2026-01-01 00:00:00')",
    "INSERT INTO waybill_pool (id, carrier_code, number, order_id, parcel_id, imported_at)"
    " VALUES (1, 'ZTO', '75310000000099', 1, 1, '2026-01-01 00:00:00')",
    # Every event carries its chain link (the database refuses one without: migration 0013a).
    "INSERT INTO scan_events (id, at, raw, kind, accepted, message, reason, chain_seq, prev_hash, hash)"
    f" VALUES (1, '2026-01-01 00:00:00', 'O-1', 'order', TRUE, 'ok', '', 1, {CHAIN})",
)

BOTH_PARCELS_LINKED = ["UPDATE parcels SET waybill = '75310000000012' WHERE id = 2",
                       "UPDATE parcels SET waybill = '75310000000013' WHERE id = 3"]
NO_PARCEL_WITHOUT_WAYBILL = r"no parcel without a waybill|has no waybill|needs a waybill"

# id, legal statements first (must succeed), the statement the database must refuse, what the error names
CASES = [
    ("waybill_on_two_orders",
     ["UPDATE orders SET waybill = '75310000000001' WHERE id = 1"],
     "UPDATE orders SET waybill = '75310000000001' WHERE id = 2",
     r"uq_orders_waybill|orders\.waybill"),
    ("packed_without_waybill",
     ["UPDATE orders SET state = 'packed', waybill = '75310000000002' WHERE id = 3"],
     "UPDATE orders SET state = 'packed' WHERE id = 4",
     "shipped_has_waybill"),
    ("handed_over_without_waybill",
     ["UPDATE orders SET state = 'handed_over', waybill = '75310000000003' WHERE id = 3"],
     "UPDATE orders SET state = 'handed_over' WHERE id = 4",
     "shipped_has_waybill"),
    ("waybill_removed_from_packed_order",
     ["UPDATE orders SET state = 'packed', waybill = '75310000000004' WHERE id = 3"],
     "UPDATE orders SET waybill = NULL WHERE id = 3",
     "shipped_has_waybill"),
    ("scan_event_update",
     ["INSERT INTO scan_events (at, raw, kind, accepted, message, reason, chain_seq, prev_hash, hash)"
      f" VALUES ('2026-01-01 00:00:01', 'x', 'item', FALSE, 'refused', '', 2, {CHAIN})"],
     "UPDATE scan_events SET accepted = TRUE WHERE id = 1",
     "append-only"),
    ("scan_event_delete",
     ["INSERT INTO scan_events (at, raw, kind, accepted, message, reason, chain_seq, prev_hash, hash)"
      f" VALUES ('2026-01-01 00:00:01', 'x', 'item', FALSE, 'refused', '', 2, {CHAIN})"],
     "DELETE FROM scan_events WHERE id = 1",
     "append-only"),
    ("scan_event_delete_all", [], "DELETE FROM scan_events", "append-only"),
    ("scanned_over_quantity",
     ["UPDATE order_lines SET scanned = 2 WHERE id = 1"],
     "UPDATE order_lines SET scanned = 3 WHERE id = 1",
     "scanned_within_quantity"),
    ("scanned_negative", [], "UPDATE order_lines SET scanned = -1 WHERE id = 1", "scanned_within_quantity"),
    ("unknown_state",
     ["UPDATE orders SET state = 'on_hold' WHERE id = 2"],
     "UPDATE orders SET state = 'shipped' WHERE id = 2",
     "state_known"),
    ("ready_order_without_a_carrier",
     ["UPDATE orders SET state = 'on_hold', carrier_code = NULL WHERE id = 3",
      "UPDATE orders SET state = 'cancelled' WHERE id = 3"],
     "UPDATE orders SET state = 'ready' WHERE id = 3",
     "carrier_unless_held"),
    ("new_ready_order_without_a_carrier",
     ["INSERT INTO orders (order_no, platform, carrier_code, recipient_name, recipient_phone, recipient_address, note,"
      " created_at, imported_at, state, hold_reason) VALUES ('O-HELD', '', NULL, '', '', '', '',"
      " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'on_hold', 'no carrier')"],
     "INSERT INTO orders (order_no, platform, carrier_code, recipient_name, recipient_phone, recipient_address, note,"
     " created_at, imported_at, state, hold_reason) VALUES ('O-NONE', '', NULL, '', '', '', '',"
     " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'ready', '')",
     "carrier_unless_held"),
    ("carrier_taken_from_a_packing_order",
     ["UPDATE orders SET state = 'packing', station_id = 1 WHERE id = 3"],
     "UPDATE orders SET carrier_code = NULL WHERE id = 3",
     "carrier_unless_held"),
    ("parcel_on_two_manifests",
     ["INSERT INTO manifest_items (manifest_id, order_id, parcel_id, scanned_at) VALUES (2, 2, 2, '2026-01-01 00:00:00')"],
     "INSERT INTO manifest_items (manifest_id, order_id, parcel_id, scanned_at) VALUES (2, 1, 1, '2026-01-01 00:00:00')",
     r"uq_manifest_items_parcel_id|manifest_items\.parcel_id"),
    ("pool_number_to_two_orders",
     ["INSERT INTO waybill_pool (carrier_code, number, order_id, imported_at)"
      " VALUES ('ZTO', '75310000000098', 2, '2026-01-01 00:00:00')"],
     "INSERT INTO waybill_pool (carrier_code, number, order_id, imported_at)"
     " VALUES ('ZTO', '75310000000099', 3, '2026-01-01 00:00:00')",
     r"uq_waybill_pool_number|waybill_pool\.number"),
    ("two_pool_numbers_to_one_parcel",
     ["INSERT INTO waybill_pool (carrier_code, number, order_id, parcel_id, imported_at)"
      " VALUES ('ZTO', '75310000000096', 1, 4, '2026-01-01 00:00:00')"],
     "INSERT INTO waybill_pool (carrier_code, number, order_id, parcel_id, imported_at)"
     " VALUES ('ZTO', '75310000000097', 1, 1, '2026-01-01 00:00:00')",
     r"uq_waybill_pool_parcel_id|waybill_pool\.parcel_id"),
    ("waybill_on_two_parcels",
     ["UPDATE parcels SET waybill = '75310000000011' WHERE id = 2"],
     "UPDATE parcels SET waybill = '75310000000011' WHERE id = 3",
     r"uq_parcels_waybill|parcels\.waybill"),
    ("two_parcels_with_one_seq", [],
     "INSERT INTO parcels (order_id, seq, label_prints, sealed) VALUES (1, 2, 0, FALSE)",
     r"uq_parcels_order_seq|parcels\.order_id, parcels\.seq"),
    ("packed_with_a_parcel_without_waybill",
     [*BOTH_PARCELS_LINKED, "UPDATE orders SET state = 'packed', waybill = '75310000000012' WHERE id = 2",
      "UPDATE orders SET state = 'ready' WHERE id = 2", "UPDATE parcels SET waybill = NULL WHERE id = 3"],
     "UPDATE orders SET state = 'packed' WHERE id = 2",
     NO_PARCEL_WITHOUT_WAYBILL),
    ("handed_over_with_a_parcel_without_waybill",
     [*BOTH_PARCELS_LINKED, "UPDATE orders SET state = 'handed_over', waybill = '75310000000012' WHERE id = 2",
      "UPDATE orders SET state = 'ready' WHERE id = 2", "UPDATE parcels SET waybill = NULL WHERE id = 3"],
     "UPDATE orders SET state = 'handed_over' WHERE id = 2",
     NO_PARCEL_WITHOUT_WAYBILL),
    ("parcel_waybill_removed_from_packed_order",
     [*BOTH_PARCELS_LINKED, "UPDATE orders SET state = 'packed', waybill = '75310000000012' WHERE id = 2"],
     "UPDATE parcels SET waybill = NULL WHERE id = 3",
     NO_PARCEL_WITHOUT_WAYBILL),
    ("parcel_without_waybill_added_to_packed_order",
     [*BOTH_PARCELS_LINKED, "UPDATE orders SET state = 'packed', waybill = '75310000000012' WHERE id = 2"],
     "INSERT INTO parcels (order_id, seq, label_prints, sealed) VALUES (2, 3, 0, FALSE)",
     NO_PARCEL_WITHOUT_WAYBILL),
    ("parcel_units_over_the_ordered_quantity",
     ["INSERT INTO parcel_lines (parcel_id, order_line_id, quantity) VALUES (1, 1, 1)",
      "INSERT INTO parcel_lines (parcel_id, order_line_id, quantity) VALUES (4, 1, 1)",
      "DELETE FROM parcel_lines WHERE parcel_id = 4"],
     "INSERT INTO parcel_lines (parcel_id, order_line_id, quantity) VALUES (4, 1, 2)",
     "parcel units exceed"),
    ("parcel_units_raised_over_the_ordered_quantity",
     ["INSERT INTO parcel_lines (parcel_id, order_line_id, quantity) VALUES (1, 1, 1)",
      "UPDATE parcel_lines SET quantity = 2 WHERE parcel_id = 1"],
     "UPDATE parcel_lines SET quantity = 3 WHERE parcel_id = 1",
     "parcel units exceed"),
    ("parcel_holds_a_line_of_another_order",
     ["INSERT INTO parcel_lines (parcel_id, order_line_id, quantity) VALUES (2, 2, 1)"],
     "INSERT INTO parcel_lines (parcel_id, order_line_id, quantity) VALUES (3, 1, 1)",
     "another order"),
    ("packing_without_station",
     ["UPDATE orders SET state = 'packing', station_id = 1 WHERE id = 2"],
     "UPDATE orders SET state = 'packing' WHERE id = 3",
     "packing_has_station"),
    ("order_line_for_unknown_order", [],
     "INSERT INTO order_lines (order_id, product_id, quantity, scanned) VALUES (999, 1, 1, 0)",
     "foreign key|FOREIGN KEY"),
]


SEQUENCES = ("stations", "products", "orders", "order_lines", "parcels", "manifests", "manifest_items", "waybill_pool",
             "scan_events")


def _migrated(url: str, base_data: tuple[str, ...] = BASE_DATA, sequences: tuple[str, ...] = SEQUENCES) -> Engine:
    engine = db.make_engine(url)
    db.migrate(engine)
    with engine.begin() as conn:
        for statement in base_data:
            conn.execute(text(statement))
        if engine.dialect.name == "postgresql":  # explicit ids above do not move the sequences
            for table in sequences:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    return engine


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path_factory) -> Iterator[Engine]:
    yield from migrated_engines(request.param, tmp_path_factory, BASE_DATA, SEQUENCES)


def migrated_engines(kind: str, tmp_path_factory, base_data: tuple[str, ...], sequences: tuple[str, ...]
                     ) -> Iterator[Engine]:
    """A database migrated by PackGate holding ``base_data``: a SQLite file, or a PostgreSQL database of its own."""
    if kind == "sqlite":
        engine = _migrated(f"sqlite:///{tmp_path_factory.mktemp('constraints') / 'constraints.db'}", base_data, sequences)
        yield engine
        engine.dispose()
        return
    require_postgres()
    name = f"packgate_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = _migrated(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False), base_data,
                       sequences)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _refused(engine: Engine, legal: list[str], statement: str) -> DBAPIError:
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            for ok in legal:
                conn.execute(text(ok))
            with pytest.raises(DBAPIError) as info:
                for part in statement.split("; "):
                    conn.execute(text(part))
            return info.value
        finally:
            tx.rollback()


@pytest.mark.parametrize(("legal", "statement", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_database_refuses(engine, legal, statement, names):
    error = _refused(engine, legal, statement)
    assert error.orig is not None
    assert re.search(names, str(error.orig)), str(error.orig)


def test_rollbacks_left_base_data_intact(engine):
    """The cases above really ran against the base data and left nothing behind."""
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM scan_events")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM orders WHERE state = 'ready' AND waybill IS NULL")).scalar() == 4


def test_scan_events_truncate_refused_on_postgres(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    error = _refused(engine, [], "TRUNCATE scan_events")
    assert "append-only" in str(error.orig)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM scan_events")).scalar() == 1


def test_scan_events_accept_inserts(engine):
    """Append-only, not read-only: the audit trail still takes new events."""
    with engine.connect() as conn:
        tx = conn.begin()
        conn.execute(text("INSERT INTO scan_events (at, raw, kind, accepted, message, reason, chain_seq, prev_hash, hash)"
                          f" VALUES ('2026-01-01 00:00:02', 'y', 'item', TRUE, 'ok', '', 3, {CHAIN})"))
        assert conn.execute(text("SELECT count(*) FROM scan_events")).scalar() == 2
        tx.rollback()
