"""Product catalogue import against the database (SQLite and PostgreSQL): atomic, idempotent, audited."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import func, select

from app.cli import main
from app.imports.products import import_products
from app.models.schema import Product, ProductBarcode, ScanEvent

ZH = ("商品编码", "商品名称", "商品条码", "单件重量(克)", "默认箱型")
EN = ("sku", "name", "barcode", "unit_weight_g", "default_box")
CATALOGUE = [
    ["TEA-1", "西湖龙井 250g", "6901234567892", "280", "BOX-S"],
    ["MUG-1", "陶瓷马克杯", "6902345678905;MUG1-ALT", "350", ""],
    ["SOCK-1", "棉袜 三双装", "SOCK1", "60", ""],
    ["SOCK-1", "", "SOCK1-B", "", ""],  # a second row adds a barcode
]


def write(path: Path, rows, header=ZH, encoding="utf-8-sig") -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def products(services) -> dict[str, tuple]:
    with services.read_uow() as uow:
        s = uow.session
        codes: dict[str, list[str]] = {}
        for code, sku in s.execute(select(ProductBarcode.barcode, Product.sku).join(ProductBarcode.product)):
            codes.setdefault(sku, []).append(code)
        return {p.sku: (p.name, p.unit_weight_g, p.default_box_code, sorted(codes.get(p.sku, [])))
                for p in s.scalars(select(Product))}


def audit(services) -> list[tuple[str, str]]:
    with services.read_uow() as uow:
        return [(e.raw, e.message) for e in uow.session.scalars(
            select(ScanEvent).where(ScanEvent.kind == "product_change").order_by(ScanEvent.id))]


def test_a_catalogue_in_chinese_gbk_adds_products_with_several_barcodes(services, tmp_path):
    report = import_products(services, write(tmp_path / "商品.csv", CATALOGUE, encoding="gb18030"))
    assert report.errors == []
    assert (report.products_added, report.barcodes_added) == (3, 5)
    assert products(services) == {
        "TEA-1": ("西湖龙井 250g", 280, "BOX-S", ["6901234567892"]),
        "MUG-1": ("陶瓷马克杯", 350, None, ["6902345678905", "MUG1-ALT"]),
        "SOCK-1": ("棉袜 三双装", 60, None, ["SOCK1", "SOCK1-B"]),
    }


def test_the_same_file_twice_changes_nothing(services, tmp_path):
    path = write(tmp_path / "p.csv", CATALOGUE)
    import_products(services, path)
    again = import_products(services, path)
    assert (again.products_added, again.products_updated, again.products_unchanged, again.barcodes_added) == (0, 0, 3, 0)
    assert audit(services) == []


def test_a_changed_weight_or_name_updates_the_product_and_is_audited(services, tmp_path):
    import_products(services, write(tmp_path / "p.csv", CATALOGUE))
    changed = [["TEA-1", "西湖龙井 250g 礼盒", "6901234567892", "300", ""], ["MUG-1", "", "", "350", "BOX-M"]]
    report = import_products(services, write(tmp_path / "p2.xlsx.csv", changed, header=EN))
    assert report.errors == [] and report.products_updated == 2
    got = products(services)
    assert got["TEA-1"] == ("西湖龙井 250g 礼盒", 300, "BOX-S", ["6901234567892"])  # a blank box keeps BOX-S
    assert got["MUG-1"][:3] == ("陶瓷马克杯", 350, "BOX-M")
    assert audit(services) == [
        ("TEA-1", "TEA-1: name '西湖龙井 250g' -> '西湖龙井 250g 礼盒'; unit_weight_g 280 -> 300"),
        ("MUG-1", "MUG-1: default_box None -> 'BOX-M'"),
    ]
    with services.read_uow() as uow:  # not scans: the bench figures do not count them
        assert uow.session.scalar(select(func.count()).select_from(ScanEvent)
                                  .where(ScanEvent.kind == "product_change")) == 2


def test_a_barcode_on_another_sku_is_a_bad_row_and_nothing_changes(services, tmp_path):
    import_products(services, write(tmp_path / "p.csv", CATALOGUE))
    before = products(services)
    rows = [["TEA-1", "", "", "999", ""], ["NEW-1", "新品", "6902345678905", "100", ""]]
    report = import_products(services, write(tmp_path / "bad.csv", rows))
    assert report.errors == [(3, "barcode 6902345678905 already belongs to SKU MUG-1")]
    assert report.products_updated == report.products_added == 0
    assert products(services) == before and audit(services) == []


def test_every_bad_row_is_listed(services, tmp_path):
    rows = [
        ["NEW-1", "新品", "", "100", ""],             # new without barcode
        ["NEW-2", "新品", "NEW2", "", ""],            # new without weight
        ["NEW-3", "=HYPERLINK(\"x\")", "NEW3", "1", ""],
        ["NEW-4", "四", "NEW4", "1.5", ""],
        ["NEW-5", "五", "NEW2", "10", ""],            # barcode of NEW-2 in the file
        ["NEW-6", "六", "NEW6", "10", "BOX-XXL"],
        ["NEW-7", "七", "NEW7", "10", ""],
        ["NEW-7", "七", "NEW7", "11", ""],            # two weights
        ["", "无编码", "X1", "10", ""],
    ]
    report = import_products(services, write(tmp_path / "bad.csv", rows))
    assert report.errors == [
        (2, "SKU NEW-1 is new and has no barcode (the bench verifies items by barcode)"),
        (3, "SKU NEW-2 is new and has no unit_weight_g (the bench checks parcel weights)"),
        (4, 'name "=HYPERLINK("x")" looks like a spreadsheet formula'),
        (5, 'unit_weight_g "1.5" must be whole grams from 0 to 100000'),
        (6, "barcode NEW2 is given for SKU NEW-2 at line 3 and for SKU NEW-5 here"),
        (6, "SKU NEW-5 is new and has no barcode (the bench verifies items by barcode)"),
        (7, "default_box 'BOX-XXL' for SKU NEW-6 is not a box type PackGate knows (BOX-L, BOX-M, BOX-S)"),
        (9, "SKU NEW-7 has unit_weight_g 10 at line 8 but 11 here"),
        (10, "sku is empty"),
    ]
    assert products(services) == {}


def test_cli_import_products_then_orders_need_no_barcode_or_weight(services, tmp_path, capsys):
    path = write(tmp_path / "p.csv", CATALOGUE)
    assert main(["--db", services.db_url, "import-products", str(path)]) == 0
    assert "3 products added" in capsys.readouterr().out
    orders = tmp_path / "o.csv"
    orders.write_text("订单号,快递公司,收件人,联系电话,收货地址,商品编码,数量\n"
                      "PDD-9,中通,王**,138****8000,浙江省杭州市西湖区,TEA-1,2\n", encoding="utf-8")
    assert main(["--db", services.db_url, "import-orders", str(orders)]) == 0
    bad = write(tmp_path / "bad.csv", [["X-1", "x", "", "", ""]])
    assert main(["--db", services.db_url, "import-products", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 2: SKU X-1 is new and has no unit_weight_g" in err and "Nothing was imported" in err


def test_an_xlsx_catalogue_with_english_headers(services, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(EN))
    ws.append(["HONEY-500", "土蜂蜜 500g", 6920123450015, 720, "box-m"])  # a numeric barcode cell, lower-case box
    wb.save(tmp_path / "catalogue.xlsx")
    report = import_products(services, tmp_path / "catalogue.xlsx")
    assert report.ok and report.products_added == 1
    assert products(services) == {"HONEY-500": ("土蜂蜜 500g", 720, "BOX-M", ["6920123450015"])}
