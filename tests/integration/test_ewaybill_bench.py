"""The embedded bench with an e-waybill carrier, against the stand-in gateway and the stand-in print
component (SQLite and PostgreSQL): the weight scan asks for the number, the worker takes it after the
commit and prints it; the gate stays (the printed label, and only it); refusals in the platform's
words; CMD:REPRINT prints the same number; a restart after the platform's answer prints it again."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.demo import seed_demo
from app.models.schema import Ewaybill, Order, PlatformJob
from app.packing.outcome import Level, Step
from app.packing.workflow import BenchWorkflow
from app.platform import ewaybill_sources
from app.platform import shops as shop_store
from app.platform.ewaybill import PddWaybills
from app.platform.ewaybill_bench import PlatformEwaybills
from app.platform.pdd import PddClient
from app.platform.standin import StandIn
from app.printing.component import ComponentPrinter, parse_component_spec
from app.printing.component_standin import StandInComponent
from tests.barcodes import decode_pdf
from tests.ui.conftest import demo_db_template  # noqa: F401 - the seeded demo, once per run

ORDER = "PDD-1002"  # ZTO in the demo data


@pytest.fixture
def sqlite_url(demo_db_template, tmp_path):  # noqa: F811 - the UI tests' seeded demo, copied
    """Overrides the shared fixture: a fresh copy of the seeded demo (seeding is most of a test's time)."""
    import shutil

    path = tmp_path / "packgate-test.db"
    shutil.copyfile(demo_db_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def gateway():  # per test: the platform gives the same number for the same order and parcel again
    with StandIn() as gw:
        gw.add_shop("north", "token-north")
        yield gw


@pytest.fixture(scope="module")
def component(tmp_path_factory):
    with StandInComponent(tmp_path_factory.mktemp("labels")) as comp:
        yield comp


@pytest.fixture
def bench(sqlite_services, gateway, component, tmp_path):
    """SQLite for most tests (time); the first test runs on both databases."""
    return sqlite_services, make_bench(sqlite_services, gateway, component, tmp_path)


@pytest.fixture
def bench_both(services, gateway, component, tmp_path):
    return services, make_bench(services, gateway, component, tmp_path)


def make_bench(services, gateway, component, tmp_path):
    seed_demo(services)
    options = gateway.shop_options(tmp_path, "token-north")
    account, address, template = ewaybill_sources.from_platform(PddWaybills(PddClient.from_options(options)), "ZTO")
    with services.uow() as uow:
        shop = shop_store.save(uow.session, "north", options, services.clock(), default_carrier="ZTO")
        uow.session.execute(update(Order).where(Order.carrier_code == "ZTO").values(shop_id=shop.id))
        ewaybill_sources.use(uow.session, shop.id, "ZTO", "pdd", services.clock(), account=account, address=address,
                             template_url=template)
    gateway.ewaybills.set_quantity("north", "ZTO", 1000)
    spec = f"pddprint:StandIn-76x130@{component.url}"
    services.settings.printer = spec
    services.set_printer(ComponentPrinter(spec, parse_component_spec(spec), fallback=getattr(services, "test_printer", None), timeout=5))
    return lambda: BenchWorkflow(services, "BENCH-1", ewaybills=PlatformEwaybills(
        services.uow, services.read_uow, services.settings, services.clock))


def to_weight(flow, order_no=ORDER):
    flow.handle("P-1001")
    out = flow.handle(order_no)
    assert out.accepted, out.message.render()
    for line in out.view.order.lines:
        for _ in range(line.quantity):
            assert flow.handle(line.barcode).accepted
    assert flow.handle("BOX-S").view.step == Step.WEIGHT
    return flow.last_view.order.expected_weight_g


def live(services, order_no=ORDER):
    with services.read_uow() as uow:
        return uow.session.execute(select(Ewaybill).join(Order, Order.id == Ewaybill.order_id)
                                   .where(Order.order_no == order_no, Ewaybill.state != "cancelled")).scalar()


def test_packed_with_the_printed_e_waybill_and_no_number_typed(bench_both, component, gateway):
    services, bench = bench_both
    flow = bench()
    grams = to_weight(flow)
    before = len(component.documents)
    out = flow.handle(f"{grams}g")
    assert out.accepted and out.step == Step.WAYBILL, out.message.render()
    assert out.message.render() == "Label printed: stick it on and scan it"
    doc = component.documents[before]
    number = live(services).waybill_code
    assert doc["waybill_code"] == number and live(services).state == "printed"
    (scanned,) = decode_pdf(open(doc["pdf"], "rb").read())
    assert scanned == number
    out = flow.handle("70000000000000")  # a courier's label of the same carrier: not this parcel's
    assert not out.accepted and out.level == Level.REFUSED
    out = flow.handle("CMD:REPRINT")
    assert out.accepted and out.step == Step.WAYBILL
    assert component.documents[-1]["waybill_code"] == number  # the same number again
    out = flow.handle(scanned)
    assert out.level == Level.COMPLETE, out.message.render()
    with services.read_uow() as uow:
        job = uow.session.execute(select(PlatformJob).where(PlatformJob.order_no == ORDER)).scalar()
        assert job.tracking_number == number
    assert live(services).state == "linked"
    assert gateway.ewaybills.branch("north", "ZTO").allocated == 1


def test_a_label_of_another_parcel_is_refused_with_its_order(bench, component):
    services, bench = bench
    first = bench()
    grams = to_weight(first)
    first.handle(f"{grams}g")
    theirs = live(services).waybill_code
    first.handle("CMD:CANCEL")  # put back: its number stays its own until a supervisor cancels it
    second = bench()
    with services.read_uow() as uow:
        other = uow.session.execute(select(Order.order_no).where(Order.carrier_code == "ZTO",
                                                                 Order.order_no != ORDER, Order.state == "ready")).scalar()
    grams = to_weight(second, other)
    assert second.handle(f"{grams}g").step == Step.WAYBILL
    out = second.handle(theirs)
    assert not out.accepted
    assert out.message.render() == f"This label belongs to order {ORDER} parcel 1: stick this parcel's own label on"


def test_no_balance_is_refused_in_the_platforms_words_and_reprint_tries_again(bench, gateway):
    services, bench = bench
    gateway.ewaybills.set_quantity("north", "ZTO", 0)
    flow = bench()
    grams = to_weight(flow)
    out = flow.handle(f"{grams}g")
    assert not out.accepted and out.level == Level.REFUSED
    assert "电子面单余额不足" in out.message.render() and out.step == Step.LABEL
    assert "余额不足" in live(services).error and live(services).waybill_code is None
    assert not flow.handle("73100000000001").accepted  # the label step: nothing to scan yet
    gateway.ewaybills.set_quantity("north", "ZTO", 5)
    out = flow.handle("CMD:REPRINT")
    assert out.accepted and out.step == Step.WAYBILL, out.message.render()


def test_a_restart_between_the_platforms_answer_and_the_print_prints_the_same_number(bench, gateway, component):
    services, bench = bench
    flow = bench()
    grams = to_weight(flow)
    flow.printing._ewaybills = None  # the worker "dies" before taking: the request is committed with the weight
    assert flow.handle(f"{grams}g").step == Step.LABEL
    taker = PlatformEwaybills(services.uow, services.read_uow, services.settings, services.clock)
    with services.read_uow() as uow:
        order_id = uow.session.scalar(select(Order.id).where(Order.order_no == ORDER))
    answer = taker.take(order_id, 1)  # the platform answered and the number was stored: then kill -9
    assert answer.ok
    allocated = gateway.ewaybills.branch("north", "ZTO").allocated
    restarted = bench()
    restarted.handle("P-1001")
    assert restarted.last_view.step == Step.LABEL
    out = restarted.handle("CMD:REPRINT")
    assert out.step == Step.WAYBILL, out.message.render()
    assert component.documents[-1]["waybill_code"] == answer.waybill_code
    assert gateway.ewaybills.branch("north", "ZTO").allocated == allocated  # no second number
    assert restarted.handle(answer.waybill_code).level == Level.COMPLETE


SUP, PIN = "S-9001", "123456"  # the demo's supervisor


def test_unlink_and_cancel_send_the_unused_numbers_back_through_the_outbox(bench, gateway):
    from app.models.schema import ScanEvent
    from app.packing.supervisor import cancel_order, unlink_waybill
    from app.platform.sender import Sender

    services, bench = bench
    flow = bench()
    grams = to_weight(flow)
    flow.handle(f"{grams}g")
    first = live(services).waybill_code
    assert flow.handle(first).level == Level.COMPLETE
    unlink_waybill(services, SUP, PIN, ORDER, "label torn")
    with services.read_uow() as uow:
        row = uow.session.execute(select(Ewaybill).where(Ewaybill.waybill_code == first)).scalar()
        assert row.state == "cancelled" and row.cancelled_at is not None
        audited = uow.session.scalars(select(ScanEvent.message).where(ScanEvent.kind == "unlink",
                                                                      ScanEvent.raw == first)).all()
        assert any("pdd.waybill.cancel" in m for m in audited)
    sender = Sender(services.uow, services.catalogue, services.clock, read_uow=services.read_uow, rate_per_s=5000)
    sender.run_once()
    assert gateway.ewaybills.state_of(first) == "cancelled"
    with services.read_uow() as uow:
        job = uow.session.execute(select(PlatformJob).where(PlatformJob.kind == "ewaybill_cancel")).scalar()
        assert job.state == "confirmed" and job.tracking_number == first
    # back at the bench: the parcel is at its label step; a new number, never the cancelled one
    assert flow.handle(ORDER).step == Step.LABEL
    out = flow.handle("CMD:REPRINT")
    assert out.step == Step.WAYBILL, out.message.render()
    second = live(services).waybill_code
    assert second != first
    cancel_order(services, SUP, PIN, ORDER, "buyer cancelled")
    sender.run_once()
    assert gateway.ewaybills.state_of(second) == "cancelled"
    sender.shutdown()


def test_supervisor_figures(bench, gateway, capsys):
    import json

    from app.cli import main

    services, bench = bench
    flow = bench()
    grams = to_weight(flow)
    flow.handle(f"{grams}g")
    gateway.ewaybills.set_quantity("north", "ZTO", 150)
    assert main(["--db", services.db_url, "ewaybill", "figures", "--shop", "north", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    zto = next(b for b in out["balances"] if b["wp_code"] == "ZTO")
    assert zto["quantity"] == 150 and zto["low"] and out["ewaybill_low"] == 200
    (unlinked,) = out["unlinked"]
    from datetime import timedelta

    from app.reports.ewaybills import figures

    day = services.clock().replace(hour=0, minute=0, second=0, microsecond=0)
    with services.read_uow() as uow:
        today = figures(uow.session, day, day + timedelta(days=1))
    assert today["carriers"] == [{"carrier": "ZTO", "taken": 1, "cancelled": 0, "taken_not_linked": 1}]
    # the supervisor view's tile: a label printed and not used, once its order is no longer being packed
    from app.desk.local import LocalDesk
    from app.reports.summary import Period

    assert LocalDesk(services, None).figures(Period())["ewaybills"]["unused"] == 0
    flow.handle("CMD:CANCEL")
    assert LocalDesk(services, None).figures(Period())["ewaybills"]["unused"] == 1
    assert unlinked["order_no"] == ORDER and unlinked["open"] and unlinked["state"] == "printed"
