"""The bench's printer, one adapter for both doors: it prints the label or the manifest an Outcome asks
for and reports a dead printer through the bench's port; the Outcome says what happened."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.errors import DatabaseUnavailable
from app.i18n import Message
from app.packing.bench_printer import BenchPrinter
from app.packing.outcome import BenchView, Level, Outcome, Step
from app.packing.print_request import LabelPrint, ManifestPrint
from app.printing.base import LabelData, ManifestData, ManifestParcel
from tests.conftest import RecordingPrinter

LABEL = LabelData(order_no="O-1", carrier_code="ZTO", carrier_name="中通快递 ZTO", recipient_name="张三",
                  recipient_phone="13800138000", recipient_address="杭州市西湖区文三路 478 号", waybill=None,
                  item_count=3, weight_g=1180, station="BENCH-1", printed_at=datetime(2026, 5, 1, 10, 30, tzinfo=UTC))
MANIFEST = ManifestData(manifest_no="M-1", carrier_code="ZTO", carrier_name="中通快递 ZTO", station="BENCH-1",
                        packer="Ann", opened_at=datetime(2026, 5, 1, 8, 0, tzinfo=UTC),
                        closed_at=datetime(2026, 5, 1, 17, 30, tzinfo=UTC),
                        parcels=(ManifestParcel("75310000000001", "O-1", 1180),))
VIEW = BenchView(station="BENCH-1", step=Step.WAYBILL, user_name="Ann", last_print="an earlier label")
FAILED_VIEW = replace(VIEW, step=Step.LABEL)


class Reports:
    """The port's side: what the printer reported, as the embedded bench or the server records it."""

    def __init__(self) -> None:
        self.labels_failed: list[tuple] = []
        self.manifests: list[tuple] = []
        self.audit_down = False

    def label_failed(self, order_id: int, seq: int, reprint: bool, error: str) -> Outcome:
        self.labels_failed.append((order_id, seq, reprint, error))
        return Outcome(False, Level.WARNING, Message("Printer error: {error}. Fix it, then scan CMD:REPRINT",
                                                     {"error": error}), "print", FAILED_VIEW)

    def manifest_printed(self, manifest_id: int, ok: bool, detail: str) -> None:
        if self.audit_down:
            raise DatabaseUnavailable("gone")
        self.manifests.append((manifest_id, ok, detail))


@pytest.fixture
def printer() -> RecordingPrinter:
    return RecordingPrinter()


@pytest.fixture
def reports() -> Reports:
    return Reports()


def weighed(request) -> Outcome:
    return Outcome(True, Level.ACCEPTED, Message("Weight {weight} OK", {"weight": "1180 g"}), "weight", VIEW,
                   raw="1180", print_request=request)


def closed(request) -> Outcome:
    return Outcome(True, Level.COMPLETE, Message("Manifest {manifest_no} closed", {"manifest_no": "M-1"}), "command",
                   replace(VIEW, step=Step.ORDER), raw="CMD:CLOSE", print_request=request)


def test_a_label_is_printed_and_the_outcome_says_so(printer, reports):
    out = BenchPrinter(lambda: printer).carry_out(weighed(LabelPrint(LABEL, order_id=7, seq=1)), reports)
    assert printer.labels == [LABEL]
    assert out.message.render() == "Weight 1180 g OK. Label printed: scan the carrier waybill"
    assert out.level == Level.ACCEPTED and out.accepted and out.kind == "weight" and out.raw == "1180"
    assert out.view.last_print == "test label O-1" and out.print_request is None  # carried out once
    assert reports.labels_failed == [] and reports.manifests == []  # the intent was audited with the scan


def test_a_parcels_label_and_a_reprint_say_which(printer, reports):
    second = replace(LABEL, parcel_seq=2, parcel_total=3)
    out = BenchPrinter(lambda: printer).carry_out(weighed(LabelPrint(second, order_id=7, seq=2)), reports)
    assert out.message.render() == "Weight 1180 g OK. Label of parcel 2/3 printed: scan its waybill"
    again = BenchPrinter(lambda: printer).carry_out(weighed(LabelPrint(LABEL, 7, 1, reprint=True)), reports)
    assert again.message.render() == "Label reprinted: scan the carrier waybill"
    assert printer.labels == [second, LABEL]


def test_a_dead_printer_is_reported_through_the_port_and_shown(printer, reports):
    printer.fail_with = "paper out"
    out = BenchPrinter(lambda: printer).carry_out(weighed(LabelPrint(LABEL, order_id=7, seq=2, reprint=True)), reports)
    assert reports.labels_failed == [(7, 2, True, "paper out")]
    assert out.level == Level.WARNING and out.view == FAILED_VIEW
    assert out.message.render() == "Printer error: paper out. Fix it, then scan CMD:REPRINT"
    assert out.accepted and out.kind == "weight" and out.raw == "1180"  # the scan itself was saved
    assert out.print_request is None and printer.labels == []


def test_a_printer_the_system_cannot_reach_is_a_dead_printer(reports):
    class Unplugged(RecordingPrinter):
        def print_label(self, label):
            raise OSError(5, "Input/output error")

    out = BenchPrinter(Unplugged).carry_out(weighed(LabelPrint(LABEL, order_id=7, seq=1)), reports)
    assert out.level == Level.WARNING and reports.labels_failed == [(7, 1, False, "[Errno 5] Input/output error")]


def test_a_manifest_is_printed_and_audited_through_the_port(printer, reports):
    out = BenchPrinter(lambda: printer).carry_out(closed(ManifestPrint(MANIFEST, manifest_id=9)), reports)
    assert printer.manifests == [MANIFEST] and reports.manifests == [(9, True, "test manifest M-1")]
    assert out.level == Level.COMPLETE and out.message.render() == "Manifest M-1 closed"
    assert out.view.last_print == "test manifest M-1" and out.print_request is None


def test_a_manifest_on_a_dead_printer_says_how_to_print_it_later(printer, reports):
    printer.fail_with = "offline"
    out = BenchPrinter(lambda: printer).carry_out(closed(ManifestPrint(MANIFEST, manifest_id=9)), reports)
    assert reports.manifests == [(9, False, "offline")]
    assert out.level == Level.WARNING and out.view.last_print == "an earlier label"
    assert out.message.render() == ("Manifest M-1 closed, but printing failed: offline. "
                                    "Print it with: packgate manifests print 9")


def test_a_manifests_print_that_cannot_be_audited_is_still_shown(printer, reports):
    reports.audit_down = True
    out = BenchPrinter(lambda: printer).carry_out(closed(ManifestPrint(MANIFEST, manifest_id=9)), reports)
    assert printer.manifests == [MANIFEST] and out.level == Level.COMPLETE
    assert out.view.last_print == "test manifest M-1"


def test_an_outcome_with_nothing_to_print_passes_as_it_is(printer, reports):
    outcome = weighed(None)
    assert BenchPrinter(lambda: printer).carry_out(outcome, reports) is outcome
    assert printer.labels == [] and printer.manifests == []
