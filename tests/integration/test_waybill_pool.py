"""Waybill pools: `packgate waybills import|list`, the number on the label, and no number given twice.

Runs on SQLite and PostgreSQL (the `services` fixture). The concurrency tests give every bench its
own Services (its own engine and connections), as separate bench PCs would have.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, insert, select

from app.bootstrap import bootstrap
from app.cli import main
from app.config import Settings
from app.models.schema import Order, OrderLine, Parcel, Product, ProductBarcode, User, WaybillPoolEntry
from app.packing import repository, rules
from app.packing.outcome import Level, Step
from app.packing.workflow import BenchWorkflow

POOL = [f"SF16000000000{i:02d}" for i in range(1, 21)]
ITEM = "POOL-ITEM-1"


def add_orders(services, count: int, carrier: str = "SF", prefix: str = "POOL") -> list[str]:
    """Orders without a pre-assigned waybill (one item of 100 g each), and a packer P-POOL."""
    numbers = [f"{prefix}-{i:03d}" for i in range(1, count + 1)]
    with services.uow() as uow:
        s = uow.session
        product = s.scalar(select(Product).where(Product.sku == ITEM))
        if product is None:
            product = Product(sku=ITEM, name="Pool test item", unit_weight_g=100)
            s.add(product)
            s.flush()
            s.add(ProductBarcode(barcode=ITEM, product_id=product.id))
            s.add(User(name="Pool Packer", role="packer", badge="P-POOL"))
        for order_no in numbers:
            order = Order(order_no=order_no, carrier_code=carrier, recipient_name="张三",
                          recipient_phone="13800138000", recipient_address="杭州市西湖区文三路 1 号")
            s.add(order)
            s.flush()
            s.add(OrderLine(order_id=order.id, product_id=product.id, quantity=1))
    return numbers


def import_file(services, tmp_path, text: str, carrier: str = "SF", name: str = "pool.txt", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return main(["--db", services.db_url, "waybills", "import", str(path), "--carrier", carrier])


def pool_rows(services) -> dict[str, int | None]:
    with services.read_uow() as uow:
        return dict(uow.session.execute(select(WaybillPoolEntry.number, WaybillPoolEntry.order_id)).all())


def to_weight_step(flow: BenchWorkflow, order_no: str) -> None:
    if not flow.logged_in:
        assert flow.handle("P-POOL").accepted
    assert flow.handle(order_no).accepted
    assert flow.handle(ITEM).accepted
    out = flow.handle("BOX-S")
    assert out.step == Step.WEIGHT, out.message.render()


def weight_of(flow: BenchWorkflow) -> str:
    return f"{flow.last_view.order.expected_weight_g}g"


# ---------------------------------------------------------------- import and list


def test_import_adds_every_number_and_a_second_import_adds_none(services, tmp_path, capsys):
    assert import_file(services, tmp_path, "\n".join(POOL[:5]) + "\n\n# a comment\n sf1600000000006 \n") == 0
    assert "Added 6 SF waybill numbers" in capsys.readouterr().out
    assert set(pool_rows(services)) == set(POOL[:6])  # normalised: upper case, no spaces
    assert import_file(services, tmp_path, "\n".join(POOL[:5]) + "\n\n# a comment\n sf1600000000006 \n") == 0
    assert "Added 0 SF waybill numbers to the pool (6 already in the pool)" in capsys.readouterr().out
    assert len(pool_rows(services)) == 6

    assert main(["--db", services.db_url, "waybills", "list"]) == 0
    out = capsys.readouterr().out
    assert "SF" in out and " 6 " in out and POOL[0] in out  # 6 free, the next free is the first one
    assert main(["--db", services.db_url, "waybills", "list", "--carrier", "ZTO"]) == 0
    assert "ZTO" in capsys.readouterr().out


def test_csv_with_a_waybill_column_in_gb18030(services, tmp_path, capsys):
    text = "序号,运单号,备注\n1,SF1600000000001,第一批\n2,SF1600000000002,\n"
    assert import_file(services, tmp_path, text, carrier="顺丰", name="pool.csv", encoding="gb18030") == 0
    assert "Added 2 SF" in capsys.readouterr().out
    assert set(pool_rows(services)) == {"SF1600000000001", "SF1600000000002"}


def test_one_bad_line_imports_nothing_and_every_bad_line_is_listed(services, tmp_path, capsys):
    from app.demo import seed_demo

    seed_demo(services)  # PDD-1001 has the pre-assigned waybill SF1400000000000
    assert import_file(services, tmp_path, "75310000000099\n", carrier="ZTO") == 0
    capsys.readouterr()
    lines = [
        "SF1600000000001",  # 1 good
        "SF16000000000",  # 2 too short
        "SF1600000000002",  # 3 good
        "SF1600000000001",  # 4 repeated (line 1)
        "SF1400000000000",  # 5 already on order PDD-1001
        "75310000000099",  # 6 not an SF number (and in the ZTO pool)
    ]
    rc = import_file(services, tmp_path, "\n".join(lines) + "\n")
    err = capsys.readouterr().err
    assert rc != 0
    assert "line 2: SF16000000000" in err
    assert "line 4: SF1600000000001: repeated: already on line 1" in err
    assert "line 5: SF1400000000000: already the waybill of order PDD-1001" in err
    assert "line 6: 75310000000099" in err
    assert "line 1:" not in err and "line 3:" not in err
    assert "4 bad lines" in err and "nothing was imported" in err
    assert set(pool_rows(services)) == {"75310000000099"}


def test_a_number_in_another_carriers_pool_is_refused(services, tmp_path, capsys):
    assert import_file(services, tmp_path, "123456789012\n", carrier="SF") == 0  # SF also has 12-digit numbers
    capsys.readouterr()
    assert import_file(services, tmp_path, "\n123456789012\n", carrier="OTHER") != 0  # OTHER takes any form
    err = capsys.readouterr().err
    assert "line 2: 123456789012: already in the SF pool" in err
    assert pool_rows(services) == {"123456789012": None}


def test_import_problems_are_one_line_errors(services, tmp_path, capsys):
    assert main(["--db", services.db_url, "waybills", "import", str(tmp_path / "missing.txt"), "--carrier", "SF"]) != 0
    assert "No such file" in capsys.readouterr().err
    assert import_file(services, tmp_path, "\n\n", name="empty.txt") != 0
    assert "no waybill numbers" in capsys.readouterr().err
    assert import_file(services, tmp_path, "a,b\n1,2\n", name="cols.csv") != 0
    assert "none named waybill" in capsys.readouterr().err
    assert import_file(services, tmp_path, POOL[0] + "\n", carrier="NOPE") != 0
    assert "Unknown carrier" in capsys.readouterr().err


# ---------------------------------------------------------------- the pool number at the bench


def test_pool_number_is_printed_and_must_be_the_one_scanned(services, tmp_path):
    add_orders(services, 2)
    assert import_file(services, tmp_path, "\n".join(POOL[:1]) + "\n") == 0
    flow = BenchWorkflow(services, "BENCH-1")
    to_weight_step(flow, "POOL-001")
    out = flow.handle(weight_of(flow))
    assert out.accepted and out.step == Step.WAYBILL, out.message.render()
    label = services.test_printer.labels[-1]
    assert (label.order_no, label.waybill) == ("POOL-001", POOL[0])
    assert out.view.order.preassigned_waybill == POOL[0]

    out = flow.handle("SF1999999999999")  # a valid SF number, but not this parcel's
    assert not out.accepted and out.level == Level.REFUSED
    assert "does not match the pre-assigned waybill" in out.message.render()
    out = flow.handle(POOL[0])
    assert out.accepted and out.level == Level.COMPLETE

    # The pool is empty now: the next order gets a parcel label and the carrier's own waybill.
    to_weight_step(flow, "POOL-002")
    out = flow.handle(weight_of(flow))
    assert out.step == Step.WAYBILL and services.test_printer.labels[-1].waybill is None
    assert flow.handle("SF1777777777777").level == Level.COMPLETE
    with services.read_uow() as uow:
        s = uow.session
        entry = s.scalar(select(WaybillPoolEntry).where(WaybillPoolEntry.number == POOL[0]))
        order = s.scalar(select(Order).where(Order.order_no == "POOL-001"))
        assert entry.order_id == order.id and entry.taken_at is not None and order.waybill == POOL[0]


def _bench_services(services, clock):
    svc = bootstrap(services.db_url, Settings(station="TEST-BENCH"), migrate=False, clock=clock)
    svc.set_printer(services.test_printer)
    return svc


@pytest.mark.parametrize("benches,numbers", [(8, 5)])
def test_two_benches_weighing_at_the_same_moment_never_share_a_number(services, clock, tmp_path, benches, numbers):
    orders = add_orders(services, benches)
    assert import_file(services, tmp_path, "\n".join(POOL[:numbers]) + "\n") == 0
    bench_services = [_bench_services(services, clock) for _ in range(benches)]
    try:
        flows = [BenchWorkflow(svc, f"BENCH-{i}") for i, svc in enumerate(bench_services)]
        for flow, order_no in zip(flows, orders, strict=True):
            to_weight_step(flow, order_no)
        weights = [weight_of(flow) for flow in flows]
        barrier = threading.Barrier(benches)
        outcomes: dict[int, object] = {}
        errors: list[BaseException] = []

        def weigh(i: int) -> None:
            try:
                barrier.wait(timeout=30)
                outcomes[i] = flows[i].handle(weights[i])
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=weigh, args=(i,)) for i in range(benches)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        assert all(outcomes[i].accepted and outcomes[i].step == Step.WAYBILL for i in range(benches)), [
            outcomes[i].message.render() for i in range(benches)]
    finally:
        for svc in bench_services:
            svc.close()

    given = [o.view.order.preassigned_waybill for o in outcomes.values() if o.view.order.preassigned_waybill]
    assert len(given) == numbers and len(set(given)) == numbers and set(given) == set(POOL[:numbers])
    printed = [label.waybill for label in services.test_printer.labels if label.waybill]
    assert sorted(printed) == sorted(given)
    with services.read_uow() as uow:
        s = uow.session
        per_order = Counter(s.scalars(select(WaybillPoolEntry.order_id).where(WaybillPoolEntry.order_id.is_not(None))))
        assert per_order and max(per_order.values()) == 1
        assert s.scalar(select(func.count()).select_from(WaybillPoolEntry).where(WaybillPoolEntry.order_id.is_(None))) == 0
        linked = dict(s.execute(select(WaybillPoolEntry.number, Order.preassigned_waybill)
                                .join(Order, Order.id == WaybillPoolEntry.order_id)).all())
        assert all(number == preassigned for number, preassigned in linked.items())


def test_many_takers_hammering_the_pool_path(services, clock, tmp_path):
    """The pool-taking path itself, 10 threads x 4 orders at once, more orders than numbers."""
    threads_n, per_thread, numbers = 10, 4, 20
    orders = add_orders(services, threads_n * per_thread, prefix="HAM")
    assert import_file(services, tmp_path, "\n".join(POOL[:numbers]) + "\n") == 0
    with services.read_uow() as uow:
        ids = dict(uow.session.execute(select(Order.order_no, Order.id).where(Order.order_no.in_(orders))).all())
    bench_services = [_bench_services(services, clock) for _ in range(threads_n)]
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    with services.uow() as uow:  # parcel 1 of every order, as the bench makes at the first item
        parcel_ids = {order_no: uow.session.execute(insert(Parcel).values(order_id=ids[order_no], seq=1)
                                                    .returning(Parcel.id)).scalar_one() for order_no in orders}

    def take(i: int) -> None:
        actor = repository.Actor(station_id=0, user_id=None, clock=clock)
        try:
            barrier.wait(timeout=30)
            for order_no in orders[i * per_thread:(i + 1) * per_thread]:
                with bench_services[i].uow() as uow:
                    effect = rules.TakePoolWaybill(ids[order_no], parcel_ids[order_no], 1, "SF")
                    repository.apply(uow.session, [effect], actor)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(threads_n)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        for svc in bench_services:
            svc.close()
    assert not errors, errors
    with services.read_uow() as uow:
        s = uow.session
        taken = s.execute(select(WaybillPoolEntry.number, WaybillPoolEntry.order_id)
                          .where(WaybillPoolEntry.order_id.is_not(None))).all()
        preassigned = [w for w in s.scalars(select(Order.preassigned_waybill).where(Order.order_no.in_(orders))) if w]
    assert len(taken) == numbers  # every number went out (more orders than numbers) ...
    assert len({order_id for _, order_id in taken}) == numbers  # ... each to a different order ...
    assert sorted(preassigned) == sorted(POOL[:numbers])  # ... and no number is on two orders
    with services.read_uow() as uow:  # each number is on its parcel too
        on_parcels = [w for w in uow.session.scalars(select(Parcel.preassigned_waybill)) if w]
    assert sorted(on_parcels) == sorted(POOL[:numbers])
