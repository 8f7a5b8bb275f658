"""Realistic demo data: products, orders (Chinese and English addresses, several carriers, some with
pre-assigned waybills), users and boxes. Safe to run twice: what exists is left alone.

A few orders are packed and handed over by driving the real bench workflow with scans, so the
supervisor view and ``packgate summary`` show a shift with history and a real audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app.errors import ConfigError
from app.models.schema import Order, OrderLine, Product, ProductBarcode, User
from app.packing.ports import Services
from app.printing.base import LabelData, ManifestData, PrintJob
from app.security import hash_pin

DEMO_USERS = (
    # name, role, badge, pin
    ("李娜 Li Na", "packer", "P-1001", None),
    ("Zhang Wei 张伟", "packer", "P-1002", None),
    ("王芳 Wang Fang", "packer", "P-1003", "2468"),
    ("陈主管 Chen (supervisor)", "supervisor", "S-9001", "123456"),  # supervisors' PINs have 6+ digits
)

DEMO_PRODUCTS = (
    # sku, name, unit weight g, barcodes
    ("TEA-LJ-250", "西湖龙井茶 250g Longjing tea", 280, ("6901234567892",)),
    ("MUG-CER-01", "陶瓷马克杯 Ceramic mug", 350, ("6902345678905",)),
    ("SOCK-BLK-L", "Black socks L 黑色袜子", 60, ("6903456789018", "SOCKBLKL")),
    ("CABLE-USBC", "USB-C 数据线 1m cable", 45, ("6904567890121",)),
    ("PHONE-CASE", "手机壳 Phone case", 40, ("6905678901234",)),
    ("TOWEL-COT", "纯棉毛巾 Cotton towel", 120, ("6906789012347",)),
    ("NOTE-A5", "A5 笔记本 Notebook", 210, ("6907890123450",)),
    ("PEN-GEL-3", "Gel pens x3 中性笔", 30, ("6908901234563",)),
    ("BOTTLE-500", "保温杯 500ml Thermos", 390, ("6909012345676",)),
    ("SNACK-NUT", "每日坚果 Mixed nuts 30 bags", 750, ("6910123456789",)),
)

ADDRESSES = (
    ("张三", "13800138000", "浙江省杭州市西湖区文三路 138 号 5 幢 1201 室"),
    ("李四", "13912345678", "广东省深圳市南山区科技园南区 深南大道 9988 号"),
    ("王小明", "15088886666", "上海市浦东新区张江路 88 弄 3 号 402"),
    ("Emily Carter", "+1 415 555 0134", "1200 Market St Apt 5, San Francisco, CA 94102, USA"),
    ("赵六", "18611112222", "北京市朝阳区建国路 93 号万达广场 B 座 1808"),
    ("James O'Neil", "+44 20 7946 0958", "221B Baker Street, London NW1 6XE, United Kingdom"),
    ("孙七", "13700001111", "四川省成都市武侯区天府大道中段 666 号"),
    ("周八", "13655557777", "江苏省南京市鼓楼区中山北路 30 号"),
)

NOTES = ("", "", "请用纸箱包装，不要用袋子", "Gift: no invoice in the box", "", "易碎品 轻拿轻放 Fragile", "")


@dataclass(frozen=True)
class DemoOrder:
    order_no: str
    carrier: str
    lines: tuple[tuple[str, int], ...]
    waybill: str | None = None  # pre-assigned electronic waybill
    age_hours: float = 2


def _orders() -> list[DemoOrder]:
    carriers = ("SF", "ZTO", "YTO", "STO", "YUNDA", "JD", "JT", "EMS", "SF", "ZTO")
    skus = [p[0] for p in DEMO_PRODUCTS]
    orders = []
    for i in range(30):
        carrier = carriers[i % len(carriers)]
        lines = ((skus[i % 10], 1 + i % 2), (skus[(i * 3 + 1) % 10], 1 + (i % 3 == 0)))
        if i % 4 == 3:
            lines = lines[:1]
        waybill = f"SF{1400000000000 + i:013d}" if carrier == "SF" and i % 2 == 0 else None
        orders.append(DemoOrder(f"PDD-{1001 + i}", carrier, lines, waybill, age_hours=30 if i in (5, 17) else 1 + i % 6))
    return orders


DEMO_ORDERS = _orders()
# Orders too big for one box: packed as several parcels (CMD:NEWPARCEL), each with its own waybill.
DEMO_SPLIT_ORDERS = (
    DemoOrder("PDD-2001", "SF", (("BOTTLE-500", 2), ("SNACK-NUT", 1), ("TEA-LJ-250", 1)), age_hours=3),
)
DEMO_SPLIT_WAYBILLS = {"PDD-2001": ("SF1400000002001", "SF1400000002002")}


class DemoPrinter:
    """The demo's own history is 'printed' nowhere."""

    spec = "demo:"

    def print_label(self, label: LabelData) -> PrintJob:
        return PrintJob("demo history: not printed")

    def print_manifest(self, manifest: ManifestData) -> PrintJob:
        return PrintJob("demo history: not printed")


class DemoRefused(ConfigError):
    """The database holds real data: the demo's well-known badges and PINs must not be added to it."""


def refuse_real_data(s) -> None:
    """Raise DemoRefused when the database has orders or users that are not demo data."""
    badges = [b for _n, _r, b, _p in DEMO_USERS]
    demo_orders = [o.order_no for o in (*DEMO_ORDERS, *DEMO_SPLIT_ORDERS)]
    users = s.scalars(select(User.badge).where(User.badge.not_in(badges)).limit(3)).all()
    orders = s.scalars(select(Order.order_no).where(Order.order_no.not_in(demo_orders)).limit(3)).all()
    if users or orders:
        found = ", ".join([*(f"user {b}" for b in users), *(f"order {o}" for o in orders)])
        raise DemoRefused(f"Demo data is loaded only into an empty database or one holding only demo data; this "
                          f"one has real data ({found}, ...): use another --db; nothing was added")


def seed_demo(services: Services) -> dict[str, int]:
    """Create the demo data; returns how many of each thing were added (0s on a second run).

    Refused (DemoRefused, nothing added) on a database with orders or users that are not demo data:
    the demo supervisor's PIN is printed in the README.
    """
    added = {"users": 0, "products": 0, "orders": 0, "lines": 0, "packed": 0, "handed_over": 0}
    now = services.clock()
    with services.uow() as uow:
        s = uow.session
        refuse_real_data(s)
        for name, role, badge, pin in DEMO_USERS:
            if s.scalar(select(User.id).where(User.badge == badge)) is None:
                s.add(User(name=name, role=role, badge=badge, pin_hash=hash_pin(pin, role) if pin else None,
                           created_at=now))
                added["users"] += 1
        products = {p.sku: p for p in s.scalars(select(Product))}
        for sku, name, weight, barcodes in DEMO_PRODUCTS:
            if sku not in products:
                product = Product(sku=sku, name=name, unit_weight_g=weight)
                s.add(product)
                s.flush()
                products[sku] = product
                added["products"] += 1
                for code in barcodes:
                    if s.get(ProductBarcode, code) is None:
                        s.add(ProductBarcode(barcode=code, product_id=product.id))
        existing = set(s.scalars(select(Order.order_no).where(Order.order_no.like("PDD-%"))))
        for i, demo in enumerate(DEMO_ORDERS + list(DEMO_SPLIT_ORDERS)):
            if demo.order_no in existing:
                continue
            name, phone, address = ADDRESSES[i % len(ADDRESSES)]
            order = Order(order_no=demo.order_no, platform="pinduoduo", carrier_code=demo.carrier,
                          recipient_name=name, recipient_phone=phone, recipient_address=address,
                          note=NOTES[i % len(NOTES)], created_at=now - timedelta(hours=demo.age_hours),
                          imported_at=now, preassigned_waybill=demo.waybill)
            s.add(order)
            s.flush()
            for sku, qty in demo.lines:
                s.add(OrderLine(order_id=order.id, product_id=products[sku].id, quantity=qty))
                added["lines"] += 1
            added["orders"] += 1
    if added["orders"]:
        added.update(_pack_history(services))
        added["returns"] = _expected_return(services)
    return added


# One return to receive at the returns bench: the buyer of PDD-1022 (two mugs, two phone cases;
# packed and handed over by the demo history) sends one mug back, as the platform's after-sales case says.
DEMO_RETURN = {"order_no": "PDD-1022", "after_sales_id": "AS-DEMO-0001", "return_waybill": "YT9000000000001",
               "reason": "7天无理由退货 No reason within 7 days", "sku": "MUG-CER-01", "qty": 1}


def _expected_return(services: Services) -> int:
    from app.models.returns import Return, ReturnLine

    with services.uow() as uow:
        s = uow.session
        order = s.scalar(select(Order).where(Order.order_no == DEMO_RETURN["order_no"], Order.waybill.is_not(None)))
        product = s.scalar(select(Product).where(Product.sku == DEMO_RETURN["sku"]))
        if order is None or product is None or s.scalar(select(Return.id).where(
                Return.after_sales_id == DEMO_RETURN["after_sales_id"])) is not None:
            return 0
        ret = Return(order_id=order.id, after_sales_id=DEMO_RETURN["after_sales_id"], after_sales_type=3,
                     after_sales_status=7, reason=DEMO_RETURN["reason"], return_waybill=DEMO_RETURN["return_waybill"],
                     state="expected", expected_at=services.clock(), created_at=services.clock())
        s.add(ret)
        s.flush()
        s.add(ReturnLine(return_id=ret.id, kind="claimed", product_id=product.id, sku=product.sku,
                         qty=DEMO_RETURN["qty"], condition="good"))
    return 1


def _pack_history(services: Services) -> dict[str, int]:
    """Pack PDD-1021..1030 and hand a few over by scanning, as a bench would."""
    from app.packing.workflow import BenchWorkflow

    packed = handed = 0
    saved = services._printers.copy()
    services.set_printer(DemoPrinter())
    try:
        flow = BenchWorkflow(services, "DEMO-HISTORY")
        flow.handle("P-1002")
        numbers = {"ZTO": "7531{:010d}", "YTO": "YT{:013d}", "STO": "77{:013d}", "YUNDA": "43{:013d}",
                   "JD": "JDVA{:011d}", "JT": "JT{:013d}", "SF": "SF{:013d}"}
        for i, demo in enumerate(DEMO_ORDERS[20:], start=20):
            if demo.carrier == "EMS":
                continue
            flow.handle(demo.order_no)
            for sku, qty in demo.lines:
                barcode = next(p[3][0] for p in DEMO_PRODUCTS if p[0] == sku)
                for _ in range(qty):
                    flow.handle(barcode)
            flow.handle("BOX-M")
            expected = flow.last_view.order.expected_weight_g if flow.last_view.order else 0
            flow.handle(str(expected))
            waybill = demo.waybill or numbers[demo.carrier].format(2000000 + i)
            if flow.handle(waybill).accepted:
                packed += 1
        flow.handle("CMD:HANDOVER")
        for demo in DEMO_ORDERS[20:]:
            if demo.carrier == "ZTO":
                view = flow.handle(numbers["ZTO"].format(2000000 + DEMO_ORDERS.index(demo)))
                handed += int(view.accepted)
        flow.handle("CMD:CLOSE")
        flow.handle("CMD:LOGOUT")
    finally:
        services._printers.clear()
        services._printers.update(saved)
    return {"packed": packed, "handed_over": handed}
