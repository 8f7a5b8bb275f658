"""Order import against the database (SQLite and PostgreSQL): atomic, idempotent, never overwrites."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.cli import main
from app.errors import ImportFileError
from app.imports.orders import import_orders
from app.models.schema import Order, OrderLine, Product, ProductBarcode, Station

HEADER = ("order_no", "carrier", "recipient_name", "recipient_phone", "recipient_address", "sku", "barcode",
          "product_name", "quantity", "unit_weight_g", "waybill", "note", "created_at")


def row(order_no="PDD-1", carrier="SF", sku="TEA-1", barcode=None, quantity="1", weight="280",
        waybill="", name="张三", note="", address="浙江省杭州市西湖区文三路 138 号") -> list[str]:
    if barcode is None:
        barcode = "6901234567892" if sku == "TEA-1" else f"BC-{sku}"
    return [order_no, carrier, name, "13800138000", address, sku, barcode, f"{sku} 商品", quantity, weight,
            waybill, note, "2026-11-25 10:30:00"]


def write(path: Path, rows, encoding="utf-8-sig") -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


BASIC = [
    row("PDD-1", "SF", "TEA-1", "6901234567892", "2", waybill="SF1400000000000"),
    row("PDD-1", "顺丰", "MUG-1", "6902345678905", "1", "350"),
    row("PDD-2", "中通", "TEA-1", "6901234567892", "1"),
    row("PDD-3", "JD", "SOCK-1", "SOCK1", "3", "60"),
    row("PDD-3", "JD", "MUG-1", "MUG1-ALT", "1", "350"),  # a second barcode for MUG-1
]


def counts(services) -> dict[str, int]:
    with services.read_uow() as uow:
        return {t.__name__: uow.session.scalar(select(func.count()).select_from(t))
                for t in (Order, OrderLine, Product, ProductBarcode)}


def test_import_adds_orders_lines_products_and_barcodes(services, tmp_path):
    report = import_orders(services, write(tmp_path / "o.csv", BASIC))
    assert report.errors == []
    assert (report.orders_added, report.lines_added, report.products_added, report.barcodes_added) == (3, 5, 3, 4)
    assert counts(services) == {"Order": 3, "OrderLine": 5, "Product": 3, "ProductBarcode": 4}
    with services.read_uow() as uow:
        order = uow.session.scalar(select(Order).where(Order.order_no == "PDD-1"))
        assert (order.carrier_code, order.state, order.preassigned_waybill, order.waybill) == (
            "SF", "ready", "SF1400000000000", None)
        assert order.recipient_name == "张三"
        assert sorted((line.product.sku, line.quantity, line.scanned) for line in order.lines) == [
            ("MUG-1", 1, 0), ("TEA-1", 2, 0)]
        mug = uow.session.scalar(select(Product).where(Product.sku == "MUG-1"))
        assert sorted(b.barcode for b in mug.barcodes) == ["6902345678905", "MUG1-ALT"]
        assert mug.unit_weight_g == 350


def test_same_file_twice_changes_nothing(services, tmp_path):
    path = write(tmp_path / "o.csv", BASIC)
    import_orders(services, path)
    before = counts(services)
    again = import_orders(services, path)
    assert again.errors == []
    assert (again.orders_added, again.lines_added, again.products_added, again.barcodes_added) == (0, 0, 0, 0)
    assert again.orders_unchanged == 3
    assert counts(services) == before


def test_one_bad_row_imports_nothing_and_every_bad_row_is_listed(services, tmp_path):
    rows = [*BASIC, row("PDD-9", quantity="-2"), row("PDD-10", carrier="NOPE"),
            row("PDD-11", sku="NEW", barcode="6902345678905")]  # barcode of MUG-1 (in the file)
    report = import_orders(services, write(tmp_path / "o.csv", rows))
    assert [n for n, _ in report.errors] == [7, 8, 9]
    assert 'quantity "-2"' in report.errors[0][1]
    assert "NOPE" in report.errors[1][1]
    assert "6902345678905" in report.errors[2][1]
    assert report.orders_added == 0
    assert counts(services) == {"Order": 0, "OrderLine": 0, "Product": 0, "ProductBarcode": 0}


def test_database_checks_are_listed_too(services, tmp_path):
    import_orders(services, write(tmp_path / "first.csv", BASIC))
    rows = [
        row("N-1", sku="OTHER-SKU", barcode="6901234567892"),          # 2 barcode of TEA-1 in the database
        row("N-2", barcode="", waybill="SF1400000000000"),                      # 3 pre-assigned to PDD-1
        row("N-3", sku="NEW-NO-WEIGHT", barcode="NEWCODE", weight=""),  # 4 new product without weight
        row("N-4", sku="NEW-NO-CODE", barcode=""),                     # 5 new product without barcode
        row("PDD-2", carrier="ZTO", barcode="", quantity="5"),                   # 6 existing ready order, lines differ
    ]
    before = counts(services)
    report = import_orders(services, write(tmp_path / "second.csv", rows))
    got: dict[int, str] = {}
    for n, reason in report.errors:
        got[n] = got.get(n, "") + reason + "|"
    assert sorted(got) == [2, 3, 4, 5, 6], report.errors
    assert "already belongs to SKU TEA-1" in got[2]
    assert "already belongs to order PDD-1" in got[3]
    assert "no unit_weight_g" in got[4]
    assert "no barcode" in got[5]
    assert "order PDD-2 already exists (ready) with different lines" in got[6]
    assert counts(services) == before


def test_existing_product_keeps_its_weight_and_gets_a_new_barcode(services, tmp_path):
    import_orders(services, write(tmp_path / "first.csv", BASIC))
    report = import_orders(services, write(tmp_path / "second.csv", [row("PDD-20", sku="TEA-1", barcode="TEA-NEW",
                                                                         weight="999")]))
    assert report.errors == [] and report.products_added == 0 and report.barcodes_added == 1
    with services.read_uow() as uow:
        tea = uow.session.scalar(select(Product).where(Product.sku == "TEA-1"))
        assert tea.unit_weight_g == 280
        assert sorted(b.barcode for b in tea.barcodes) == ["6901234567892", "TEA-NEW"]


def test_an_order_in_packing_is_never_overwritten(services, tmp_path):
    import_orders(services, write(tmp_path / "first.csv", BASIC))
    with services.uow() as uow:
        station = Station(name="BENCH-1")
        uow.session.add(station)
        uow.session.flush()
        order = uow.session.scalar(select(Order).where(Order.order_no == "PDD-2"))
        order.state, order.station_id = "packing", station.id
    changed = [row("PDD-2", carrier="YTO", sku="TEA-1", quantity="7", name="Someone else"),
               row("PDD-2", carrier="YTO", sku="MUG-1", quantity="1", name="Someone else")]
    report = import_orders(services, write(tmp_path / "second.csv", changed))
    assert report.errors == [] and report.orders_in_progress == 1 and report.orders_added == 0
    with services.read_uow() as uow:
        order = uow.session.scalar(select(Order).where(Order.order_no == "PDD-2"))
        assert (order.state, order.carrier_code, order.recipient_name) == ("packing", "ZTO", "张三")
        assert [(line.product.sku, line.quantity) for line in order.lines] == [("TEA-1", 1)]


def test_many_orders_cross_the_lookup_chunks(sqlite_services, tmp_path):
    rows = [row(f"O-{i}", sku=f"SKU-{i % 700}", barcode=f"BC-{i % 700}") for i in range(1500)]
    report = import_orders(sqlite_services, write(tmp_path / "o.csv", rows))
    assert (report.orders_added, report.products_added) == (1500, 700)
    again = import_orders(sqlite_services, write(tmp_path / "o.csv", rows))
    assert (again.orders_added, again.orders_unchanged) == (0, 1500)


def test_gb18030_file_into_the_database(services, tmp_path):
    report = import_orders(services, write(tmp_path / "o.csv", BASIC, encoding="gb18030"))
    assert report.errors == [] and report.orders_added == 3
    with services.read_uow() as uow:
        assert uow.session.scalar(select(Order.recipient_address).where(Order.order_no == "PDD-2")).startswith("浙江省")


# ------------------------------------------------------------------ the command


def run_cli(db: str, *args: str) -> int:
    return main(["--db", db, *args])


def test_cli_import_prints_counts_then_unchanged(sqlite_url, tmp_path, capsys):
    path = write(tmp_path / "orders.csv", BASIC)
    assert run_cli(sqlite_url, "import-orders", str(path)) == 0
    assert capsys.readouterr().out.strip() == "Imported orders.csv: 3 orders, 5 lines, 3 products added"
    assert run_cli(sqlite_url, "import-orders", str(path)) == 0
    assert capsys.readouterr().out.strip() == (
        "Imported orders.csv: 0 orders, 0 lines, 0 products added (3 orders already present, unchanged)")


def test_cli_bad_rows_go_to_stderr_and_exit_1(sqlite_url, tmp_path, capsys):
    path = write(tmp_path / "orders.csv", [*BASIC, row("X", quantity="-2"), row("Y", name="=cmd|' /C calc'!A0")])
    assert run_cli(sqlite_url, "import-orders", str(path)) == 1
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.strip().splitlines()
    assert lines[0] == 'line 7: quantity "-2" must be a whole number from 1 to 9999'
    assert lines[1].startswith("line 8: recipient_name ") and "formula" in lines[1]
    assert lines[-1] == "packgate: orders.csv: 2 bad rows. Nothing was imported."
    assert "Traceback" not in out.err


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"order_no,sku\nA,B\n", "missing required columns"),
        (b"%PDF-1.4 whatever", "is a PDF"),
    ],
)
def test_cli_unreadable_file_is_one_line(sqlite_url, tmp_path, capsys, content, message):
    path = tmp_path / "orders.csv"
    path.write_bytes(content)
    assert run_cli(sqlite_url, "import-orders", str(path)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("packgate: ") and message in err and len(err.splitlines()) == 1


def test_cli_missing_file_and_size_limit(sqlite_url, tmp_path, capsys):
    assert run_cli(sqlite_url, "import-orders", str(tmp_path / "nope.csv")) == 2
    assert "Cannot read" in capsys.readouterr().err
    big = write(tmp_path / "big.csv", [row(f"O-{i}", address="地址" * 200) for i in range(1000)])
    assert big.stat().st_size > 1024 * 1024
    assert run_cli(sqlite_url, "import-orders", "--max-size", "1", str(big)) == 2
    assert "split the file" in capsys.readouterr().err


# ------------------------------------------------------------------ fuzz

cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "-2", "0", "10000", "1.5", "1e3", "=1+1", "+SUM(A1)", "@x", "\t1", "SF", "顺丰",
                     "SF1400000000000", "2026-13-45", "2026/11/25 10:30", "x" * 600, "6901234567892"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(cell, min_size=len(HEADER), max_size=len(HEADER)))
def test_fuzz_one_row_never_crashes_and_a_failed_import_changes_nothing(sqlite_services, tmp_path_factory, values):
    folder = tmp_path_factory.mktemp("fuzz")
    import_orders(sqlite_services, write(folder / "base.csv", BASIC))
    before = counts(sqlite_services)
    try:
        report = import_orders(sqlite_services, write(folder / "o.csv", [row("FUZZ-BASE"), values]))
    except ImportFileError as exc:
        assert exc.message and "\n" not in exc.message
        assert counts(sqlite_services) == before
        return
    after = counts(sqlite_services)
    if report.errors:
        assert report.orders_added == 0
        assert after == before
        assert all(n in (2, 3) for n, _ in report.errors)
    else:
        assert after["Order"] - before["Order"] == report.orders_added
        assert after["OrderLine"] - before["OrderLine"] == report.lines_added
