"""The newcomer's path in the README: the demo catalogue and Pinduoduo export in docs/, imported, one
order packed at the bench, the after-sales order reported and held."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.config import REPO_ROOT
from app.demo import seed_demo
from app.demo_files import CATALOGUE_FILE, ORDERS_FILE, write_demo_files
from app.imports.columnmap import load_profile
from app.imports.orders import import_orders
from app.imports.products import import_products
from app.models.schema import Order, Product
from app.packing.workflow import BenchWorkflow

DOCS = REPO_ROOT / "docs"


def test_the_files_in_docs_are_the_ones_the_code_makes(tmp_path):
    for path in write_demo_files(tmp_path):
        assert (DOCS / path.name).read_bytes() == path.read_bytes(), "run: packgate demo --write-files docs"


def test_import_the_demo_files_pack_an_order_and_see_the_after_sales_one_held(services):
    seed_demo(services)
    products = import_products(services, DOCS / CATALOGUE_FILE)
    assert products.ok and (products.products_added, products.products_unchanged) == (3, 10)
    report = import_orders(services, DOCS / ORDERS_FILE, column_map=load_profile("pdd"), default_carrier="ZTO")
    assert report.ok, (report.errors, report.unknown_products)
    assert report.skipped == {"shipped": 1, "cancelled": 1}
    assert [(h.order_no, h.status, h.outcome) for h in report.held] == [
        ("261201-387465902318767", "退款中", "held")]
    with services.read_uow() as uow:
        s = uow.session
        assert s.scalar(select(Product.default_box_code).where(Product.sku == "RICE-2KG")) == "BOX-L"
        states = dict(s.execute(select(Order.order_no, Order.state).where(Order.order_no.like("26120%"))).all())
        carriers = dict(s.execute(select(Order.order_no, Order.carrier_code).where(Order.order_no.like("26120%"))).all())
    assert states == {"261201-387465902318764": "ready", "261201-387465902318765": "ready",
                      "261201-387465902318766": "ready", "261201-387465902318767": "on_hold",
                      "261201-387465902318768": "ready"}
    assert carriers["261201-387465902318768"] == "ZTO"  # blank 快递公司: the default carrier

    # At the bench, as the README walks it: order 765 (pre-assigned SF waybill).
    flow = BenchWorkflow(services, "BENCH-DEMO")
    assert flow.handle("P-1001").accepted
    assert flow.handle("261201-387465902318765").accepted
    for barcode in ("6920123450022", "6901234567892"):  # the rice (from the catalogue), the tea
        assert flow.handle(barcode).accepted
    assert flow.handle("BOX-L").accepted
    assert flow.last_view.order.expected_weight_g == 2050 + 280 + 400
    assert flow.handle("2730").accepted
    assert flow.handle("SF1461234567890").accepted
    held = flow.handle("261201-387465902318767")
    assert not held.accepted
    with services.read_uow() as uow:
        s = uow.session
        assert s.scalar(select(Order.state).where(Order.order_no == "261201-387465902318765")) == "packed"
        assert s.scalar(select(Order.state).where(Order.order_no == "261201-387465902318767")) == "on_hold"


def test_demo_write_files_command(tmp_path, capsys):
    from app.cli import main

    assert main(["demo", "--write-files", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in Path(tmp_path / "out").iterdir()) == sorted([CATALOGUE_FILE, ORDERS_FILE])
