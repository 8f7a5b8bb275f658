"""Small, fast fixture data for the bench workflow tests (no argon2 unless a PIN is asked for).

Products: ``111`` ITEM-A 300 g, ``222`` ITEM-B 150 g, ``999`` ITEM-X 100 g (in no order unless
asked). Packers: ``B-1`` Ann and ``B-2`` Bob, no PIN. Orders are added per test with
:func:`add_order`, so each test states exactly the data its rule needs.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.models.schema import Order, OrderLine, OrderState, Product, ProductBarcode, ScanEvent, User
from app.packing.outcome import Step
from app.security import hash_pin

PRODUCTS = (("ITEM-A", "Item A", 300, "111"), ("ITEM-B", "Item B", 150, "222"), ("ITEM-X", "Item X", 100, "999"))
WEIGHT = {sku: grams for sku, _, grams, _ in PRODUCTS}
BARCODE = {sku: code for sku, _, _, code in PRODUCTS}


def seed_bench(services, *, pin_user: str | None = None) -> None:
    """Products and two packers; with ``pin_user`` also packer ``B-PIN`` whose PIN is that."""
    now = services.clock()
    with services.uow() as uow:
        s = uow.session
        for sku, name, grams, code in PRODUCTS:
            product = Product(sku=sku, name=name, unit_weight_g=grams)
            s.add(product)
            s.flush()
            s.add(ProductBarcode(barcode=code, product_id=product.id))
        s.add(User(name="Ann", role="packer", badge="B-1", created_at=now))
        s.add(User(name="Bob", role="packer", badge="B-2", created_at=now))
        if pin_user:
            s.add(User(name="Pia", role="packer", badge="B-PIN", pin_hash=hash_pin(pin_user), created_at=now))


def add_order(services, order_no: str, *, carrier: str = "ZTO", lines=(("ITEM-A", 2), ("ITEM-B", 1)),
              state: str = OrderState.READY.value, preassigned: str | None = None,
              waybill: str | None = None) -> int:
    with services.uow() as uow:
        s = uow.session
        order = Order(order_no=order_no, carrier_code=carrier, state=state, preassigned_waybill=preassigned,
                      waybill=waybill, created_at=services.clock(), imported_at=services.clock())
        s.add(order)
        s.flush()
        for sku, qty in lines:
            product_id = s.scalar(select(Product.id).where(Product.sku == sku))
            s.add(OrderLine(order_id=order.id, product_id=product_id, quantity=qty))
        return order.id


def scans_for(lines=(("ITEM-A", 2), ("ITEM-B", 1))) -> list[str]:
    return [BARCODE[sku] for sku, qty in lines for _ in range(qty)]


def expected_weight(lines=(("ITEM-A", 2), ("ITEM-B", 1)), tare: int = 100) -> int:
    return sum(WEIGHT[sku] * qty for sku, qty in lines) + tare


def scanned(services, order_no: str) -> dict[str, int]:
    """Scanned units per SKU of an order, read straight from the database."""
    with services.read_uow() as uow:
        rows = uow.session.execute(
            select(Product.sku, OrderLine.scanned).join(OrderLine.product).join(Order, Order.id == OrderLine.order_id)
            .where(Order.order_no == order_no)
        ).all()
    return dict(rows)


def order_row(services, order_no: str) -> Order:
    with services.read_uow() as uow:
        order = uow.session.scalar(select(Order).where(Order.order_no == order_no))
        assert order is not None
        uow.session.expunge(order)
        return order


def events(services, **where) -> list[ScanEvent]:
    with services.read_uow() as uow:
        query = select(ScanEvent).order_by(ScanEvent.id)
        for key, value in where.items():
            query = query.where(getattr(ScanEvent, key) == value)
        rows = list(uow.session.scalars(query))
        uow.session.expunge_all()
        return rows


def event_count(services) -> int:
    with services.read_uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(ScanEvent)) or 0


def at_weight(flow, order_no: str = "PDD-1001") -> int:
    """Log in the demo packer, open ``order_no``, scan its items and a box: its expected weight.
    ``flow``: a BenchWorkflow or a RemoteBench."""
    assert flow.handle("P-1001").accepted
    out = flow.handle(order_no)
    assert out.accepted, out.message.render()
    for line in out.view.order.lines:
        for _ in range(line.quantity):
            assert flow.handle(line.barcode).accepted
    out = flow.handle("BOX-M")
    assert out.step == Step.WEIGHT, out.message.render()
    return out.view.order.expected_weight_g
