"""What the database itself enforces about returns (migration 0021), proven with raw SQL on SQLite
and PostgreSQL: a return line never exceeds what the order shipped of that SKU across all returns of
the order (also when an unmatched return is attached), a return waybill and an after-sales case
belong to one return, a bench has one open return. Each case first runs a legal variant of the same
statement, then shows the refusal, and rolls back."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from tests.integration.test_constraints import migrated_engines

AT = "'2026-01-01 00:00:00'"
BASE_DATA = (
    "INSERT INTO carriers (code, name_en, name_zh) VALUES ('ZTO', 'ZTO', 'ZTO')",
    f"INSERT INTO stations (id, name, created_at) VALUES (1, 'BENCH-1', {AT})",
    f"INSERT INTO stations (id, name, created_at) VALUES (2, 'BENCH-2', {AT})",
    "INSERT INTO products (id, sku, name, unit_weight_g) VALUES (1, 'SKU-1', 'Kettle', 100)",
    "INSERT INTO products (id, sku, name, unit_weight_g) VALUES (2, 'SKU-2', 'Sock', 10)",
    *(
        "INSERT INTO orders (id, order_no, platform, carrier_code, recipient_name, recipient_phone,"
        " recipient_address, note, created_at, imported_at, state, hold_reason, waybill)"
        f" VALUES ({i}, 'O-{i}', '', 'ZTO', '', '', '', '', {AT}, {AT}, 'packed', '', '7531000000000{i}')"
        for i in (1, 2)
    ),
    # order 1 shipped 2 kettles (over two parcels), order 2 one kettle
    "INSERT INTO order_lines (id, order_id, product_id, quantity, scanned) VALUES (1, 1, 1, 2, 2)",
    "INSERT INTO order_lines (id, order_id, product_id, quantity, scanned) VALUES (2, 2, 1, 1, 1)",
    "INSERT INTO parcels (id, order_id, seq, label_prints, sealed, waybill) VALUES (1, 1, 1, 1, FALSE, '75310000000001')",
    "INSERT INTO parcels (id, order_id, seq, label_prints, sealed, waybill) VALUES (2, 1, 2, 1, FALSE, '75310000000011')",
    "INSERT INTO parcels (id, order_id, seq, label_prints, sealed, waybill) VALUES (3, 2, 1, 1, FALSE, '75310000000002')",
    "INSERT INTO parcel_lines (parcel_id, order_line_id, quantity) VALUES (1, 1, 1)",
    "INSERT INTO parcel_lines (parcel_id, order_line_id, quantity) VALUES (2, 1, 1)",
    "INSERT INTO parcel_lines (parcel_id, order_line_id, quantity) VALUES (3, 2, 1)",
    # returns 1 (closed) and 2 (open at bench 1) of order 1; 3 unmatched
    f"INSERT INTO returns (id, order_id, reason, return_waybill, state, station_id, opened_at, closed_at, created_at)"
    f" VALUES (1, 1, '', 'YT1', 'closed', 1, {AT}, {AT}, {AT})",
    f"INSERT INTO returns (id, order_id, reason, return_waybill, state, station_id, opened_at, created_at)"
    f" VALUES (2, 1, '', NULL, 'open', 1, {AT}, {AT})",
    f"INSERT INTO returns (id, order_id, reason, return_waybill, state, station_id, opened_at, closed_at, created_at)"
    f" VALUES (3, NULL, '', 'YT-UNKNOWN', 'closed', 2, {AT}, {AT}, {AT})",
)


def line(rid: int, product: int | None, qty: int, kind: str = "returned", condition: str = "good", sku: str = "") -> str:
    sku = sku or (f"SKU-{product}" if product else "X-1")
    return ("INSERT INTO return_lines (return_id, kind, product_id, sku, qty, condition)"
            f" VALUES ({rid}, '{kind}', {'NULL' if product is None else product}, '{sku}', {qty}, '{condition}')")


def new_return(rid: int, *, waybill: str = "NULL", case: str = "NULL", state: str = "expected", station: str = "NULL",
               order: str = "1") -> str:
    return ("INSERT INTO returns (id, order_id, after_sales_id, reason, return_waybill, state, station_id, opened_at,"
            f" created_at) VALUES ({rid}, {order}, {case}, '', {waybill}, '{state}', {station}, {AT}, {AT})")


OVER = r"exceeds what the order shipped"
CASES = [
    ("more_than_shipped_in_one_return", [line(1, 1, 2)], line(2, 1, 1), OVER),
    ("more_than_shipped_across_returns", [line(1, 1, 1), line(2, 1, 1, condition="damaged")], line(2, 1, 1), OVER),
    ("raising_a_line_beyond_shipped", [line(2, 1, 1), "UPDATE return_lines SET qty = 2 WHERE return_id = 2"],
     "UPDATE return_lines SET qty = 3 WHERE return_id = 2", OVER),
    ("a_sku_the_order_never_shipped", [line(2, 2, 1, kind="foreign"), line(2, 1, 1, kind="missing")], line(2, 2, 1), OVER),
    ("moving_a_line_to_another_order", [line(2, 1, 1), "UPDATE return_lines SET return_id = 1 WHERE return_id = 2"],
     "UPDATE returns SET order_id = 2 WHERE id = 1; UPDATE return_lines SET qty = 2 WHERE return_id = 1", OVER),
    ("attaching_an_unmatched_return_beyond_shipped", [line(3, 1, 2), "UPDATE returns SET order_id = 1 WHERE id = 3",
                                                      "UPDATE returns SET order_id = NULL WHERE id = 3"],
     "UPDATE returns SET order_id = 2 WHERE id = 3", OVER),
    ("attaching_on_top_of_an_earlier_return", [line(3, 1, 1), line(1, 1, 1)],
     "UPDATE returns SET order_id = 2 WHERE id = 3; UPDATE return_lines SET qty = 1 WHERE return_id = 3; "
     "UPDATE returns SET order_id = 1 WHERE id = 3; UPDATE return_lines SET qty = 2 WHERE return_id = 3", OVER),
    ("return_waybill_of_two_returns", [new_return(4, waybill="'YT4'")], new_return(5, waybill="'YT4'"),
     r"unique|UNIQUE|duplicate"),
    ("after_sales_case_of_two_returns", [new_return(4, case="'AS-1'")], new_return(5, case="'AS-1'"),
     r"unique|UNIQUE|duplicate"),
    ("two_open_returns_at_one_bench", [new_return(4, state="open", station="2", order="2")],
     new_return(5, state="open", station="1", order="2"), r"unique|UNIQUE|duplicate"),
    ("open_without_a_bench", [new_return(4, state="open", station="2")], new_return(5, state="open"), r"open_at_bench"),
    ("a_return_naming_nothing", [new_return(4, waybill="'YT4'", order="NULL")], new_return(5, order="NULL"),
     r"names_something"),
    ("unknown_item_not_foreign", [line(2, None, 1, kind="foreign")], line(2, None, 1, kind="missing"),
     r"known_unless_foreign"),
    ("condition_unknown", [line(2, 1, 1, condition="damaged")], line(2, 1, 1, condition="wet"), r"condition_known"),
    ("qty_zero", [line(2, 1, 1)], line(1, 1, 0), r"qty_positive"),
]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path_factory) -> Iterator[Engine]:
    yield from migrated_engines(request.param, tmp_path_factory, BASE_DATA,
                                ("stations", "products", "orders", "order_lines", "parcels", "returns"))


def _run(conn, statements: list[str]) -> None:
    for statement in statements:
        for part in statement.split("; "):
            conn.execute(text(part))


@pytest.mark.parametrize(("legal", "statement", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_database_refuses(engine, legal, statement, names):
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            _run(conn, legal)
            with pytest.raises(DBAPIError) as info:
                _run(conn, [statement])
        finally:
            tx.rollback()
    assert re.search(names, str(info.value.orig)), str(info.value.orig)


def test_every_unit_shipped_may_come_back(engine):
    """The limit is what was shipped, no less: both kettles of order 1 back over two returns, then the
    unmatched return (a sock, foreign) attached to order 2."""
    with engine.connect() as conn:
        tx = conn.begin()
        _run(conn, [line(1, 1, 1), line(2, 1, 1, condition="damaged"), line(3, 2, 1, kind="foreign", sku="SKU-2"),
                    line(3, 1, 1), "UPDATE returns SET order_id = 2 WHERE id = 3"])
        assert conn.execute(text("SELECT sum(qty) FROM return_lines WHERE kind = 'returned'")).scalar() == 3
        tx.rollback()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM return_lines")).scalar() == 0
