"""A demo order packed through the bench with real printers: the label a scanner reads back is the one
the bench then accepts, and a dead printer costs the order nothing (SQLite)."""

from __future__ import annotations

import socket

from sqlalchemy import select

from app.demo import seed_demo
from app.models.schema import Order, ScanEvent
from app.packing.outcome import Level, Step
from app.packing.workflow import BenchWorkflow
from app.printing.printers import make_printer
from tests.barcodes import decode_pdf
from tests.unit.packing.factories import at_weight


def pack_to_weight(flow: BenchWorkflow, order_no: str):
    at_weight(flow, order_no)
    return flow.handle(f"{flow.last_view.order.expected_weight_g}g")


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens here once the socket is closed


def print_events(services, order_no: str) -> list[tuple[str, bool, str]]:
    with services.read_uow() as uow:
        s = uow.session
        order_id = s.scalar(select(Order.id).where(Order.order_no == order_no))
        return [(e.kind, e.accepted, e.message) for e in s.scalars(
            select(ScanEvent).where(ScanEvent.order_id == order_id, ScanEvent.kind.in_(("print", "reprint")))
            .order_by(ScanEvent.id))]


def order_state(services, order_no: str) -> tuple[str, str | None]:
    with services.read_uow() as uow:
        order = uow.session.scalar(select(Order).where(Order.order_no == order_no))
        return order.state, order.waybill


def test_label_pdf_reads_back_as_the_waybill_and_the_order(sqlite_services, tmp_path):
    services = sqlite_services
    seed_demo(services)
    folder = tmp_path / "labels"
    services.set_printer(make_printer(f"pdf:{folder}", default_pdf_dir=tmp_path))
    flow = BenchWorkflow(services, "BENCH-PDF")
    out = pack_to_weight(flow, "PDD-1001")  # SF, pre-assigned SF1400000000000
    assert out.accepted and out.step == Step.WAYBILL, out.message.render()
    waybill = out.view.order.preassigned_waybill
    assert waybill == "SF1400000000000"

    files = list(folder.glob("*.pdf"))
    assert len(files) == 1 and "PDD-1001" in files[0].name and waybill in files[0].name
    assert out.view.last_print == str(files[0])
    decoded = decode_pdf(files[0])
    assert {waybill, "PDD-1001"} <= decoded

    scanned = next(code for code in decoded if code != "PDD-1001")  # what a scanner reads off the label
    out = flow.handle(scanned)
    assert out.accepted and out.level == Level.COMPLETE, out.message.render()
    assert order_state(services, "PDD-1001") == ("packed", waybill)
    assert [(k, a) for k, a, _ in print_events(services, "PDD-1001")] == [("print", True)]


def test_pool_number_label_round_trip(sqlite_services, tmp_path, capsys):
    """A ZTO order without a waybill gets the pool's number on a real label, which then links."""
    from app.cli import main

    services = sqlite_services
    seed_demo(services)
    pool = tmp_path / "zto.txt"
    pool.write_text("75319999000001\n75319999000002\n")
    assert main(["--db", services.db_url, "waybills", "import", str(pool), "--carrier", "ZTO"]) == 0
    folder = tmp_path / "labels"
    services.set_printer(make_printer(f"pdf:{folder}", default_pdf_dir=tmp_path))
    flow = BenchWorkflow(services, "BENCH-POOL")
    out = pack_to_weight(flow, "PDD-1002")  # ZTO, no pre-assigned waybill
    assert out.step == Step.WAYBILL and out.view.order.preassigned_waybill == "75319999000001"
    (label,) = folder.glob("*.pdf")
    assert {"75319999000001", "PDD-1002"} <= decode_pdf(label)
    assert not flow.handle("75319999000002").accepted  # the other pool number is not this parcel's
    assert flow.handle("75319999000001").level == Level.COMPLETE


def test_dead_printer_keeps_the_order_and_reprint_recovers(sqlite_services, tmp_path):
    services = sqlite_services
    seed_demo(services)
    port = closed_port()
    services.set_printer(make_printer(f"zpl:127.0.0.1:{port}", default_pdf_dir=tmp_path, timeout=2))
    flow = BenchWorkflow(services, "BENCH-DEAD")
    out = pack_to_weight(flow, "PDD-1001")
    text = out.message.render()
    assert out.level == Level.WARNING, text
    assert f"zpl:127.0.0.1:{port}" in text and "unreachable" in text and "CMD:REPRINT" in text
    assert out.step == Step.LABEL
    assert order_state(services, "PDD-1001") == ("packing", None)

    out = flow.handle("SF1400000000000")  # no label yet: the waybill scan waits for the reprint
    assert not out.accepted and "CMD:REPRINT" in out.message.render()
    out = flow.handle("CMD:REPRINT")  # still dead
    assert out.level == Level.WARNING and out.step == Step.LABEL

    folder = tmp_path / "labels"
    services.set_printer(make_printer(f"pdf:{folder}", default_pdf_dir=tmp_path))
    out = flow.handle("CMD:REPRINT")
    assert out.accepted and out.step == Step.WAYBILL, out.message.render()
    (label,) = folder.glob("*.pdf")
    assert "PDD-1001" in label.name and "SF1400000000000" in decode_pdf(label)
    assert flow.handle("SF1400000000000").level == Level.COMPLETE
    assert order_state(services, "PDD-1001") == ("packed", "SF1400000000000")

    events = print_events(services, "PDD-1001")
    # Each print intent is written with its scan; a printer that failed is recorded once after it.
    assert [(k, a) for k, a, _ in events] == [("print", True), ("print", False), ("reprint", True), ("reprint", False),
                                              ("reprint", True)]
    assert "CMD:REPRINT" in events[1][2] and "CMD:REPRINT" in events[3][2]
