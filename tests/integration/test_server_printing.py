"""A bench behind the server prints with the embedded bench's own printer adapter: a dead printer
shows the same outcomes through the server as embedded, and the trail records each print once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.bootstrap import bootstrap
from app.client.remote import RemoteBench, enrol
from app.config import Settings
from app.demo import seed_demo
from app.errors import PrinterError
from app.models.schema import ScanEvent, Station
from app.packing.outcome import Level, Step
from app.packing.workflow import BenchWorkflow
from tests.integration.test_server import Paper, Server, code_for, start_server, summary

TO_WEIGHT = ["P-1001", "PDD-1001", "6901234567892", "6901234567892", "6902345678905", "6902345678905", "BOX-M"]
TO_CLOSE = ["SF1400000000000", "CMD:HANDOVER", "SF1400000000000"]


class DeadPaper(Paper):
    """The bench's printer, out of paper on demand."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_with: str | None = None

    def print_label(self, label):
        if self.fail_with:
            raise PrinterError(self.fail_with)
        return super().print_label(label)

    def print_manifest(self, manifest):
        if self.fail_with:
            raise PrinterError(self.fail_with)
        return super().print_manifest(manifest)


@pytest.fixture
def server(db_url, tmp_path) -> Iterator[Server]:
    seeding = bootstrap(db_url, Settings(station="SEED"))
    seed_demo(seeding)
    seeding.close()
    srv = start_server(db_url, tmp_path / "server-home")
    yield srv
    srv.stop()


def prints(db_url: str, station: str) -> list[tuple]:
    svc = bootstrap(db_url, Settings(station="READER"))
    try:
        with svc.read_uow() as uow:
            bench = uow.session.scalar(select(Station.id).where(Station.name == station))
            return [tuple(row) for row in uow.session.execute(
                select(ScanEvent.kind, ScanEvent.accepted, ScanEvent.message)
                .where(ScanEvent.station_id == bench, ScanEvent.kind.in_(("print", "reprint")))
                .order_by(ScanEvent.id))]
    finally:
        svc.close()


def test_a_dead_printer_shows_the_same_through_the_server_as_embedded(server, tmp_path, capsys):
    remote = RemoteBench(enrol(server.url, "BENCH-D", code_for(server.db_url, "BENCH-D", capsys)), DeadPaper(), timeout=10)
    embedded_db = f"sqlite:///{tmp_path / 'embedded.db'}"
    svc = bootstrap(embedded_db, Settings(station="BENCH-D"))
    seed_demo(svc)
    paper = DeadPaper()
    svc.set_printer(paper)
    local = BenchWorkflow(svc, "BENCH-D")

    def both(scan: str, *, numbered: bool = False):
        mine, theirs = local.handle(scan), remote.handle(scan)
        a, b = summary(mine), summary(theirs)
        if numbered:  # the manifest numbers come from each database's own ids
            a, b = a[:4], b[:4]
        assert a == b, scan
        assert mine.view.order == theirs.view.order, scan
        return theirs

    try:
        for scan in TO_WEIGHT:
            both(scan)
        paper.fail_with = remote.printer.fail_with = "paper out"
        out = both("1180")
        assert out.level == Level.WARNING and out.step == Step.LABEL and out.view.order.label_prints == 0
        assert out.message.render() == "Printer error: paper out. Fix it, then scan CMD:REPRINT"
        paper.fail_with = remote.printer.fail_with = None
        assert both("CMD:REPRINT").step == Step.WAYBILL
        for scan in TO_CLOSE:
            both(scan)
        paper.fail_with = remote.printer.fail_with = "offline"
        out = both("CMD:CLOSE", numbered=True)
        assert out.level == Level.WARNING and "closed, but printing failed: offline" in out.message.render()
    finally:
        svc.close()
        remote.close()
    assert len(remote.printer.labels) == 1 and remote.printer.manifests == []
    assert prints(server.db_url, "BENCH-D") == [
        ("print", True, "Label of parcel 1 of PDD-1001 sent to paper:"),
        ("print", False, "Printer error: paper out. Fix it, then scan CMD:REPRINT"),
        ("reprint", True, "Label of parcel 1 of PDD-1001 sent to paper:"),
        ("print", False, "Manifest print failed on paper:: offline"),
    ]
    embedded = [(kind, accepted) for kind, accepted, _ in prints(embedded_db, "BENCH-D")]
    assert embedded == [("print", True), ("print", False), ("reprint", True), ("print", False)]
