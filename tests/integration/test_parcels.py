"""Orders in several parcels, each with its own waybill, on SQLite and PostgreSQL: the bench flow,
labels, crash resume, cancel, unlink of one parcel, per-parcel handover, and what the CLI reports."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from app.cli import main
from app.demo import DEMO_PRODUCTS, DEMO_SPLIT_WAYBILLS, seed_demo
from app.models.schema import Order, Parcel
from app.packing.outcome import Level, Step
from app.packing.supervisor import unlink_waybill
from app.packing.workflow import BenchWorkflow
from tests.integration.test_workflow_rules import no, ok

W1, W2 = DEMO_SPLIT_WAYBILLS["PDD-2001"]
BARCODE = {sku: codes[0] for sku, _name, _g, codes in DEMO_PRODUCTS}
BOTTLE, NUTS, TEA = BARCODE["BOTTLE-500"], BARCODE["SNACK-NUT"], BARCODE["TEA-LJ-250"]


@pytest.fixture
def demo(services):
    seed_demo(services)
    return services


def weigh(flow: BenchWorkflow, step: Step = Step.WAYBILL):
    return ok(flow, str(flow.last_view.order.expected_weight_g), step)


def parcel_one(flow: BenchWorkflow) -> None:
    ok(flow, "PDD-2001", Step.VERIFY)
    ok(flow, BOTTLE, Step.VERIFY)
    ok(flow, BOTTLE, Step.VERIFY)
    out = ok(flow, "CMD:NEWPARCEL", Step.BOX)
    assert "Parcel 1 closed with 2 items" in out.message.render()
    ok(flow, "BOX-M", Step.WEIGHT)
    weigh(flow)


def pack_in_two_parcels(services) -> BenchWorkflow:
    """PDD-2001 packed as two parcels: two bottles, then the nuts and the tea."""
    flow = BenchWorkflow(services, "BENCH-SPLIT")
    ok(flow, "P-1001")
    parcel_one(flow)
    ok(flow, W1)
    for code in (NUTS, TEA, "BOX-S"):
        ok(flow, code)
    weigh(flow)
    ok(flow, W2, Step.ORDER)
    return flow


def details(services, order_no: str) -> dict:
    from app.reports.orders import order_details

    with services.read_uow() as uow:
        return order_details(uow.session, order_no)


def test_an_order_packed_as_two_parcels_with_two_waybills(demo):
    flow = BenchWorkflow(demo, "BENCH-SPLIT")
    ok(flow, "P-1001", Step.ORDER)
    parcel_one(flow)
    label = demo.test_printer.labels[-1]
    assert (label.parcel_seq, label.parcel_total, label.parcel_text) == (1, None, "1/2+")
    assert [(i.sku, i.quantity) for i in label.items] == [("BOTTLE-500", 2)] and label.item_count == 2
    no(flow, NUTS, "Parcel 1 is closed")  # the rest goes into parcel 2, after parcel 1's waybill
    out = ok(flow, W1, Step.VERIFY)
    assert "Parcel 1" in out.message.render() and "parcel 2" in out.message.render()
    row = details(demo, "PDD-2001")
    assert row["state"] == "packing" and row["waybill"] is None  # packed only when every parcel has its waybill
    ok(flow, NUTS, Step.VERIFY)
    out = ok(flow, TEA, Step.BOX)
    assert out.view.order.parcel_seq == 2 and out.view.order.parcel_total == 2
    ok(flow, "BOX-S", Step.WEIGHT)
    weigh(flow)
    label = demo.test_printer.labels[-1]
    assert label.parcel_text == "2/2" and sorted(i.sku for i in label.items) == ["SNACK-NUT", "TEA-LJ-250"]
    no(flow, W1, "already on another parcel of this order")
    out = ok(flow, W2, Step.ORDER)
    assert out.level == Level.COMPLETE and "2 parcels" in out.message.render()

    row = details(demo, "PDD-2001")
    assert row["state"] == "packed" and row["waybill"] == W1  # the order's waybill is parcel 1's
    assert [(p["seq"], p["waybill"], p["box"], p["lines"], p["state"]) for p in row["parcels"]] == [
        (1, W1, "BOX-M", {"BOTTLE-500": 2}, "packed"),
        (2, W2, "BOX-S", {"TEA-LJ-250": 1, "SNACK-NUT": 1}, "packed"),
    ]
    assert all(p["weight_g"] for p in row["parcels"])


def test_parcels_are_handed_over_one_by_one(demo, capsys):
    flow = pack_in_two_parcels(demo)

    ok(flow, "CMD:HANDOVER", Step.HANDOVER)
    out = ok(flow, W1)
    assert "parcel 1/2" in out.message.render()
    out = ok(flow, "CMD:CLOSE", Step.ORDER)  # the courier took one box: the other is named
    assert out.level == Level.WARNING and "PDD-2001 #2 " + W2 in out.message.render()
    assert details(demo, "PDD-2001")["state"] == "packed"
    assert [p["state"] for p in details(demo, "PDD-2001")["parcels"]] == ["handed_over", "packed"]
    assert main(["--db", demo.db_url, "summary", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["order_no"] for e in data["exceptions"]["parcels_left_behind"]] == ["PDD-2001"]

    ok(flow, "CMD:HANDOVER")
    no(flow, W1, "already on manifest")
    ok(flow, W2)
    out = ok(flow, "CMD:CLOSE")
    assert out.level == Level.COMPLETE
    row = details(demo, "PDD-2001")
    assert row["state"] == "handed_over" and [p["state"] for p in row["parcels"]] == ["handed_over"] * 2
    manifest = demo.test_printer.manifests[-1]
    assert [(p.waybill, p.parcel) for p in manifest.parcels] == [(W2, "2/2")]

    assert main(["--db", demo.db_url, "order", "PDD-2001", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["waybill"] for p in data["parcels"]] == [W1, W2] and data["waybill"] == W1
    assert main(["--db", demo.db_url, "summary", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["parcels_handed_over"] >= 2 and data["parcels_packed"] >= 2
    assert data["exceptions"]["parcels_left_behind"] == []
    assert main(["--db", demo.db_url, "export-shipments", "--parcels"]) == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("PDD-2001,")]
    assert [(x.split(",")[2], x.split(",")[-1]) for x in lines] == [(W1, "1"), (W2, "2")]
    assert main(["--db", demo.db_url, "export-shipments"]) == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("PDD-2001,")]
    assert len(lines) == 1 and lines[0].split(",")[2] == W1


def test_a_bench_that_died_mid_parcel_two_resumes_there(demo):
    flow = BenchWorkflow(demo, "BENCH-SPLIT")
    ok(flow, "P-1001")
    parcel_one(flow)
    ok(flow, W1)
    ok(flow, NUTS)
    again = BenchWorkflow(demo, "BENCH-SPLIT")  # power cut: a new process, the same bench
    out = ok(again, "P-1001", Step.VERIFY)
    assert "resumed" in out.message.render()
    order = out.view.order
    assert order.parcel_seq == 2 and [(p.seq, p.waybill, p.units) for p in order.parcels] == [(1, W1, 2), (2, None, 1)]
    ok(again, TEA, Step.BOX)


def test_newparcel_needs_a_unit_in_the_parcel_and_units_left(demo):
    flow = BenchWorkflow(demo, "BENCH-SPLIT")
    ok(flow, "P-1001")
    ok(flow, "PDD-2001")
    no(flow, "CMD:NEWPARCEL", "at least one item into parcel 1")
    ok(flow, BOTTLE)
    ok(flow, "CMD:NEWPARCEL", Step.BOX)
    no(flow, "CMD:NEWPARCEL", "while its items are scanned")
    ok(flow, "BOX-S")
    weigh(flow)
    ok(flow, W1, Step.VERIFY)
    no(flow, "CMD:NEWPARCEL", "at least one item into parcel 2")


def test_cancel_unpacks_every_parcel(demo):
    flow = BenchWorkflow(demo, "BENCH-SPLIT")
    ok(flow, "P-1001")
    parcel_one(flow)
    ok(flow, W1)
    out = ok(flow, "CMD:CANCEL", Step.ORDER)
    assert out.level == Level.WARNING
    row = details(demo, "PDD-2001")
    assert row["state"] == "ready" and row["parcels"] == [] and all(x["scanned"] == 0 for x in row["lines"])
    with demo.read_uow() as uow:  # the waybill is free again
        assert uow.session.scalar(select(Parcel.id).where(Parcel.waybill == W1)) is None


def test_unlinking_one_parcel_sends_only_that_parcel_back_to_its_waybill(demo):
    flow = pack_in_two_parcels(demo)
    from app.packing.supervisor import ActionRefused

    with pytest.raises(ActionRefused, match="2 parcels"):  # which one? the order number does not say
        unlink_waybill(demo, "S-9001", "123456", "PDD-2001", "wrong label")
    unlink_waybill(demo, "S-9001", "123456", W2, "label torn: new waybill")
    row = details(demo, "PDD-2001")
    assert row["state"] == "packing" and row["waybill"] is None
    assert [(p["seq"], p["waybill"]) for p in row["parcels"]] == [(1, W1), (2, None)]
    out = ok(flow, "PDD-2001", Step.WAYBILL)  # the bench resumes at parcel 2's waybill
    assert out.view.order.parcel_seq == 2 and out.view.order.box_code == "BOX-S"
    out = ok(flow, "SF1400000002003", Step.ORDER)
    assert out.level == Level.COMPLETE
    with demo.read_uow() as uow:
        order = uow.session.scalar(select(Order).where(Order.order_no == "PDD-2001"))
        assert (order.state, order.waybill) == ("packed", W1)


def test_a_one_parcel_order_needs_no_extra_scan(demo):
    flow = BenchWorkflow(demo, "BENCH-ONE")
    ok(flow, "P-1001")
    ok(flow, "PDD-1001", Step.VERIFY)
    for sku, qty in (("TEA-LJ-250", 1), ("MUG-CER-01", 2)):
        for _ in range(qty):
            ok(flow, BARCODE[sku])
    ok(flow, "BOX-M", Step.WEIGHT)
    weigh(flow)
    assert demo.test_printer.labels[-1].parcel_text == ""
    out = ok(flow, "SF1400000000000", Step.ORDER)
    assert out.level == Level.COMPLETE
    assert [p["seq"] for p in details(demo, "PDD-1001")["parcels"]] == [1]


def test_integrity_command_passes_after_a_split_order_and_names_what_a_script_broke(demo, capsys):
    pack_in_two_parcels(demo)
    assert main(["--db", demo.db_url, "integrity"]) == 0
    assert capsys.readouterr().out.strip() == "ok"
    assert main(["--db", demo.db_url, "audit", "verify", "--json"]) == 0  # the scan path's events are chained
    assert json.loads(capsys.readouterr().out)["ok"] is True
    with demo.uow() as uow:  # a script "fixes" a count behind PackGate's back
        uow.session.execute(text("UPDATE order_lines SET scanned = 0 WHERE order_id = "
                                 "(SELECT id FROM orders WHERE order_no = 'PDD-2001')"))
    assert main(["--db", demo.db_url, "integrity", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert not data["ok"] and any("units in parcels differ" in p for p in data["problems"])
    assert any("not fully scanned" in p for p in data["problems"])


def test_the_bench_hears_at_once_that_a_supervisor_unlinked_its_parcel(demo):
    flow = pack_in_two_parcels(demo)
    assert flow.watch() is None  # nothing changed
    unlink_waybill(demo, "S-9001", "123456", W2, "label torn")
    notice = flow.watch()
    assert notice is not None and notice.level == Level.WARNING and "sent back to this bench" in notice.message.render()
    assert notice.step == Step.WAYBILL and notice.view.order.parcel_seq == 2
    assert flow.watch() is None  # said once
    assert flow.handle("SF1400000002009").level == Level.COMPLETE


def test_the_bench_hears_at_once_that_its_open_order_was_taken_away(demo):
    from app.packing.supervisor import release_hold

    flow = BenchWorkflow(demo, "BENCH-SPLIT")
    ok(flow, "P-1001")
    ok(flow, "PDD-2001")
    ok(flow, BOTTLE)
    release_hold(demo, "S-9001", "123456", "PDD-2001", "the packer went home")
    notice = flow.watch()
    assert notice is not None and "taken off this bench" in notice.message.render() and notice.step == Step.ORDER


def test_a_parcel_cannot_be_unlinked_while_another_parcel_of_its_order_is_on_a_manifest(demo):
    from app.packing.supervisor import ActionRefused

    flow = pack_in_two_parcels(demo)
    ok(flow, "CMD:HANDOVER", Step.HANDOVER)
    ok(flow, W1)  # parcel 1 is on the courier's list
    with pytest.raises(ActionRefused, match="is on manifest"):
        unlink_waybill(demo, "S-9001", "123456", W2, "label torn")
    assert details(demo, "PDD-2001")["state"] == "packed"
