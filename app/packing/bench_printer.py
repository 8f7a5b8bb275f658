"""The bench's printer at work: it carries out the :mod:`print request <app.packing.print_request>` a
scan returned, on the bench's own printer, and reports how it went through the bench's port.

One adapter for both doors: the embedded bench prints with it after its scan's commit, a bench
behind the server after the server's reply (the server never prints a bench's label). The intent
was recorded with the scan; only a failure, and a manifest's print, are recorded afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from app.errors import DatabaseUnavailable, PrinterError
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.packing.bench_port import PrintReports
from app.packing.ewaybill_port import EwaybillTaker
from app.packing.outcome import Level, Outcome
from app.packing.print_request import EwaybillPrint, LabelPrint, ManifestPrint
from app.printing.base import LabelData, Printer, PrintJob

log = logging.getLogger(__name__)
T = QT_TRANSLATE_NOOP
NO_EWAYBILL_SERVICE = "this bench has no e-waybill service: it takes numbers from the platform (embedded) or the server"
NOT_A_COMPONENT = ("the bench's printer {spec} is not a print component: set the printer to pddprint:PRINTER "
                   "or cainiao:PRINTER (`packgate printers --component pdd` lists them)")
MANIFEST_NOT_PRINTED = T("Outcome", "Manifest {manifest_no} closed, but printing failed: {error}. "
                                    "Print it with: packgate manifests print {id}")


class BenchPrinter:
    """Prints what an Outcome asks for on ``printer()`` (asked at each print: the settings may have
    changed it) and returns the Outcome the bench shows."""

    def __init__(self, printer: Callable[[], Printer], ewaybills: EwaybillTaker | None = None) -> None:
        self._printer = printer
        self._ewaybills = ewaybills  # takes a parcel's e-waybill from the platform (or through the server)
        # Shown while an e-waybill is taken and printed ("Label printing…"), before the final Outcome:
        # the bench's worker sets it (the window renders it as it renders any Outcome).
        self.progress: Callable[[Outcome], None] | None = None

    def carry_out(self, outcome: Outcome, reports: PrintReports) -> Outcome:
        request = outcome.print_request
        if request is None:
            return outcome
        outcome = replace(outcome, print_request=None)  # carried out here, once
        if isinstance(request, LabelPrint):
            return self._label(outcome, request, reports)
        if isinstance(request, ManifestPrint):
            return self._manifest(outcome, request, reports)
        if isinstance(request, EwaybillPrint):
            return self._ewaybill(outcome, request, reports)
        raise TypeError(f"the bench cannot print a {type(request).__name__}")

    def _label(self, outcome: Outcome, request: LabelPrint, reports: PrintReports) -> Outcome:
        try:
            job = self._printer().print_label(request.label)
        except (PrinterError, OSError) as exc:
            failed = reports.label_failed(request.order_id, request.seq, request.reprint, error_text(exc))
            return replace(outcome, level=failed.level, message=failed.message, view=failed.view)
        return label_printed(outcome, request.label, where(job), reprint=request.reprint)

    def _ewaybill(self, outcome: Outcome, request: EwaybillPrint, reports: PrintReports) -> Outcome:
        """Take the parcel's number from the platform when it has none yet (after the scan's commit),
        then print it through the print component; a refusal keeps the parcel at its label step."""
        doc = request.ewaybill
        if self.progress is not None:
            self.progress(outcome)
        if not doc.taken:
            if self._ewaybills is None:
                return reports.ewaybill_failed(request.order_id, request.seq, NO_EWAYBILL_SERVICE, refused=True)
            answer = self._ewaybills.take(request.order_id, request.seq)
            if not answer.ok:
                return reports.ewaybill_failed(request.order_id, request.seq, answer.message, refused=True)
            doc = replace(doc, waybill_code=answer.waybill_code, print_data=answer.print_data)
        try:
            printer = self._printer()
            send = getattr(printer, "print_ewaybill", None)
            if send is None:
                raise PrinterError(NOT_A_COMPONENT.format(spec=printer.spec))
            job = send(doc)
        except (PrinterError, OSError) as exc:
            return reports.ewaybill_failed(request.order_id, request.seq, error_text(exc), refused=False)
        return reports.ewaybill_printed(request.order_id, request.seq, doc.waybill_code, where(job))

    def _manifest(self, outcome: Outcome, request: ManifestPrint, reports: PrintReports) -> Outcome:
        try:
            ok, detail = True, where(self._printer().print_manifest(request.manifest))
        except (PrinterError, OSError) as exc:
            ok, detail = False, error_text(exc)
        try:
            reports.manifest_printed(request.manifest_id, ok, detail)
        except (DatabaseUnavailable, LookupError):  # the manifest is closed either way; the trail misses a line
            log.warning("the print of manifest %s was not audited", request.manifest_id, exc_info=True)
        if not ok:
            return replace(outcome, level=Level.WARNING, message=Message(
                MANIFEST_NOT_PRINTED,
                {"manifest_no": request.manifest.manifest_no, "error": detail, "id": request.manifest_id}))
        return replace(outcome, view=replace(outcome.view, last_print=detail))


def label_printed(outcome: Outcome, label: LabelData, printed_to: str, *, reprint: bool) -> Outcome:
    """The Outcome once the label came out of the printer."""
    if reprint:
        message = Message(T("Outcome", "Label reprinted: scan the carrier waybill"))
    elif label.parcel_text:
        message = Message(T("Outcome", "Weight {weight} OK. Label of parcel {parcel} printed: scan its waybill"),
                          {**outcome.message.params, "parcel": label.parcel_text})
    else:
        message = Message(T("Outcome", "Weight {weight} OK. Label printed: scan the carrier waybill"),
                          outcome.message.params)
    return replace(outcome, message=message, view=replace(outcome.view, last_print=printed_to))


def where(job: PrintJob) -> str:
    """Where a document went: its file, or the printer's description."""
    return str(job.path) if job.path else job.description


def error_text(exc: Exception) -> str:
    return getattr(exc, "message", None) or str(exc)
