"""What the bench's printer reports about a scan's print request, recorded (the bench's
:class:`~app.packing.bench_port.PrintReports`).

The intent was audited with the scan; only what comes of it is written afterwards, each in one
transaction with its audit event: a label that did not come out (the parcel goes back to the label
step), an e-waybill printed (the parcel moves to its waybill scan) or not, a manifest's print. The
embedded bench's printer reports here after the scan's commit, a bench behind the server through
the server's routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import DatabaseUnavailable
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.audit_chain import add_events
from app.models.schema import Manifest
from app.packing import ewaybills
from app.packing import repository as repo
from app.packing.model import BenchState, OrderSnap
from app.packing.outcome import DB_UNREACHABLE, BenchView, Level, Outcome
from app.packing.ports import Services
from app.packing.view_builder import ViewBuilder

T = QT_TRANSLATE_NOOP
EWAYBILL_PRINTED = T("Outcome", "Label printed: stick it on and scan it")
EWAYBILL_REFUSED = T("Outcome", "No label: the platform says: {error}. Scan CMD:REPRINT to try again, or set the order aside for a supervisor")
EWAYBILL_NOT_PRINTED = T("Outcome", "Label not printed: {error}. Fix the print component, then scan CMD:REPRINT")


@dataclass(frozen=True)
class Shown:
    """A bench between scans: its state and the view it shows (``station_id``: its station, if known)."""

    state: BenchState
    view: BenchView
    station_id: int | None


class PrintResults:
    """Records the print reports of one bench. Each takes the bench as it is shown and returns the
    Outcome to show and the bench as it is shown since. ``station_id`` registers the bench's station
    on first use; ``event`` is one of the bench's audit events (its user, its order)."""

    def __init__(self, services: Services, views: ViewBuilder, station_id: Callable[[Session], int],
                 event: Callable[..., dict]) -> None:
        self.services = services
        self._views = views
        self._ensure_station = station_id
        self._event = event

    def label_failed(self, shown: Shown, order_id: int, seq: int, reprint: bool, error: str) -> tuple[Outcome, Shown]:
        """A label that did not come out of the bench's printer, recorded once, in one transaction: the
        parcel counts one print fewer (back to the label step) and the trail says why. The embedded
        bench's printer reports here, a bench behind the server through ``/label-failed``.
        LookupError: not this bench's open order (nothing is written)."""
        message = Message(T("Outcome", "Printer error: {error}. Fix it, then scan CMD:REPRINT"), {"error": error})
        notice = Outcome(False, Level.WARNING, message, "print", shown.view)
        try:
            with self.services.uow() as uow:
                s = uow.session
                station_id = self._ensure_station(s)
                order = repo.load_order(s, order_id)
                parcel = order.parcel(seq) if order is not None else None
                if order is None or parcel is None or order.station_id != station_id:
                    raise LookupError(order_id)  # only this bench's own open order
                if parcel.id is not None:
                    repo.label_failed(s, parcel.id)
                add_events(s, [self._event(notice, raw="", kind="reprint" if reprint else "print", accepted=False,
                                           message=message.render(), order_id=order.id)])
        except DatabaseUnavailable:
            return replace(notice, message=DB_UNREACHABLE), shown
        order = order.with_parcel(replace(parcel, label_prints=max(parcel.label_prints - 1, 0)))
        view = self._views.with_order(shown.state, order, shown.view)
        return replace(notice, view=view), replace(shown, view=view)

    def ewaybill_printed(self, shown: Shown, order_id: int, seq: int, waybill_code: str,
                         detail: str) -> tuple[Outcome, Shown]:
        """The component printed the e-waybill: the parcel moves to its waybill scan, in one transaction."""
        message = Message(EWAYBILL_PRINTED, {"waybill": waybill_code})
        try:
            with self.services.uow() as uow:
                s = uow.session
                ewaybills.mark_printed(s, order_id, seq, waybill_code, self.services.clock())
                add_events(s, [self._event(Outcome(True, Level.INFO, message, "print", shown.view), raw="",
                                           kind="print", accepted=True, order_id=order_id,
                                           message=f"E-waybill {waybill_code} of parcel {seq} printed: {detail}")])
                order = repo.load_order(s, order_id)
        except DatabaseUnavailable:
            return Outcome(False, Level.WARNING, DB_UNREACHABLE, "print", shown.view), shown
        shown = self._refreshed(shown, order)
        shown = replace(shown, state=replace(shown.state, last_print=detail))
        return Outcome(True, Level.ACCEPTED, message, "print", replace(shown.view, last_print=detail)), shown

    def ewaybill_failed(self, shown: Shown, order_id: int, seq: int, error: str, *,
                        refused: bool) -> tuple[Outcome, Shown]:
        """The platform refused (its words, red) or the component failed; the parcel stays at its label step."""
        template = EWAYBILL_REFUSED if refused else EWAYBILL_NOT_PRINTED
        message = Message(template, {"error": error})
        try:
            with self.services.uow() as uow:
                s = uow.session
                if refused:
                    ewaybills.record_refusal(s, order_id, seq, error)
                add_events(s, [self._event(Outcome(False, Level.REFUSED, message, "print", shown.view), raw="",
                                           kind="print", accepted=False, order_id=order_id,
                                           message=message.render())])
                order = repo.load_order(s, order_id)
        except DatabaseUnavailable:
            return Outcome(False, Level.REFUSED, message, "print", shown.view), shown
        shown = self._refreshed(shown, order)
        return Outcome(False, Level.REFUSED if refused else Level.WARNING, message, "print", shown.view), shown

    def _refreshed(self, shown: Shown, order: OrderSnap | None) -> Shown:
        """``shown`` with ``order`` as it stands now, when it is the bench's open order."""
        if order is not None and order.station_id == shown.station_id and shown.state.order_id == order.id:
            return replace(shown, view=self._views.with_order(shown.state, order, shown.view))
        return shown

    def manifest_printed(self, shown: Shown, manifest_id: int, ok: bool, detail: str, *, printer: str | None) -> None:
        """Audit a manifest's print on the bench's printer (``detail``: where it went, or why not;
        ``printer``: the one a bench behind the server reported, None on the embedded bench).
        LookupError when it is not one of this bench's (none, or another station's: nothing is written)."""
        if printer is not None:  # a bench behind the server: the trail names the printer it reported
            where = printer
            text = f"Manifest printed on {where}: {detail}" if ok else f"Manifest print failed on {where}: {detail}"
        else:
            text = f"Manifest printed: {detail}" if ok else f"Manifest print failed: {detail}"
        with self.services.uow() as uow:
            station_id = self._ensure_station(uow.session)
            if uow.session.scalar(select(Manifest.station_id).where(Manifest.id == manifest_id)) != station_id:
                raise LookupError(manifest_id)
            add_events(uow.session, [self._event(Outcome(ok, Level.INFO, Message(""), "print", shown.view), raw="",
                                                 kind="print", accepted=ok, message=text, order_id=None,
                                                 manifest_id=manifest_id)])
