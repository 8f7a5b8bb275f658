"""The bench service: one scanned string in, one :class:`Outcome` out, one unit of work per scan.

The scan's spine: load (the bench's open order or manifest, and what the scanned code is) -> decide
(:mod:`app.packing.rules`, pure) -> apply (:mod:`app.packing.repository`, conditional writes) ->
audit -> commit, then print. The print intent is written in the scan's transaction and returned as
a typed :mod:`print request <app.packing.print_request>` on the Outcome; the bench's printer
(:mod:`app.packing.bench_printer`) carries it out.

Around the spine, each in its own module: the badge and PIN (:mod:`app.packing.login`), a scan that
lost a race (:mod:`app.packing.applied`), what the printer reports (:mod:`app.packing.print_results`),
what changed behind the bench's back (:mod:`app.packing.watch`) and the view it shows
(:mod:`app.packing.view_builder`).

:class:`BenchWorkflow` is the in-process :class:`~app.packing.bench_port.BenchPort` of an embedded
bench; the PackGate server runs one per request (:meth:`BenchWorkflow.handle_in`) and sends the
print request to the bench, which prints it with the same bench printer.
"""

from __future__ import annotations

import functools
import logging
import weakref
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import DatabaseUnavailable
from app.i18n import QT_TRANSLATE_NOOP
from app.models.audit_chain import add_events
from app.models.schema import Station
from app.packing import ewaybills, returns_repo, rules, site, views
from app.packing import repository as repo
from app.packing.applied import lost_race, with_applied
from app.packing.auth import MASKED, STATION_PIN_LIMIT, STATION_PIN_WINDOW_MIN  # noqa: F401 - the limits re-exported
from app.packing.bench_printer import BenchPrinter
from app.packing.ewaybill_port import EwaybillTaker
from app.packing.login import Login, bump_station_epoch, is_supervisor  # noqa: F401 - is_supervisor re-exported
from app.packing.login import masked as _masked
from app.packing.model import BenchState, OrderSnap
from app.packing.outcome import DB_UNREACHABLE, BenchView, Level, Outcome, Step
from app.packing.ports import Services
from app.packing.print_request import EwaybillPrint, LabelPrint, ManifestPrint, PrintRequest
from app.packing.print_results import PrintResults, Shown
from app.packing.rules import (  # noqa: F401 - the command names are part of this module's interface
    CMD_CANCEL,
    CMD_CLOSE,
    CMD_HANDOVER,
    CMD_LOGOUT,
    CMD_NEWPARCEL,
    CMD_REPRINT,
    CMD_SHORT,
    COMMANDS,
    Decision,
)
from app.packing.scan import audit_raw, clean_scan
from app.packing.view_builder import ViewBuilder, derive_order_step, manifest_data  # noqa: F401 - two re-exported
from app.packing.watch import ChangeWatch

log = logging.getLogger(__name__)


@dataclass
class _Scan:
    decision: Decision
    order: OrderSnap | None


@dataclass
class _Applied:
    decision: Decision
    scan: _Scan
    outcome: Outcome


class BenchWorkflow:
    """The workflow of one bench (station). Not thread-safe: feed it one scan at a time."""

    def __init__(self, services: Services, station_name: str, *, print_at_bench: bool = False,
                 station_id: int | None = None, bench_printer: str | None = None,
                 ewaybills: EwaybillTaker | None = None) -> None:
        if not station_name.strip():
            raise ValueError("a station needs a name")
        self.services = services
        self.station_name = station_name.strip()
        # Behind the PackGate server (the server's workflow of a bench) the bench prints on its own
        # printer, from the Outcome's print request: this process never prints, it names that printer.
        self.print_at_bench = print_at_bench
        # the embedded bench's printer (settings.printer_spec()) and its way to the platform's e-waybills
        self.printing = BenchPrinter(services.printer, ewaybills)
        # The printer the bench prints on, as it reported it (behind the server): what the audit trail names.
        self.bench_printer = (bench_printer or "").strip() or None
        self.state = BenchState()
        self._station_id: int | None = station_id  # known already when the server checked the token
        # The site's settings that decide a scan (tolerance, platform trigger, video required): read
        # again in each scan's transaction, so a supervisor's change applies at the next scan.
        self._site = site.SiteSettings.defaults(services.settings)
        self._last_view = BenchView(station=self.station_name, step=Step.LOGIN)
        # The view builder reads the site's settings through a weak reference: the server builds a
        # workflow per request, and one without a reference cycle is freed at the request's end, not
        # by a later garbage collection in some other request's time. The printer's reports and
        # the change watch (never on a server's scan) are built when first asked for.
        me = weakref.ref(self)
        self._views = ViewBuilder(self.station_name, services, lambda: me()._site)

    @functools.cached_property
    def _prints(self) -> PrintResults:
        return PrintResults(self.services, self._views, self._ensure_station, self._event)

    @functools.cached_property
    def _watch(self) -> ChangeWatch:
        return ChangeWatch(self.services.read_uow, lambda: self.state, self._ensure_station, self._view)

    offline_notice = QT_TRANSLATE_NOOP("StationWindow", "Database unreachable \u2014 scans are refused, reconnecting\u2026")

    # ------------------------------------------------------------------ public API

    def handle(self, raw: str) -> Outcome:
        """Decide what ``raw`` means at the current step, apply it and audit it in one commit; then
        print what it asks for on this bench's printer."""
        try:
            with self.services.uow() as uow:
                applied = self._apply(uow.session, raw)
        except DatabaseUnavailable:
            log.warning("database unreachable while handling a scan", exc_info=True)
            return Outcome(False, Level.REFUSED, DB_UNREACHABLE, "offline", self._last_view, raw=raw)
        outcome = applied.outcome
        self.state, self._last_view = applied.decision.state, outcome.view
        if outcome.print_request is None:
            return outcome
        shown = self.printing.carry_out(outcome, self)
        self.state, self._last_view = replace(self.state, last_print=shown.view.last_print), shown.view
        return shown

    def handle_in(self, s: Session, raw: str) -> Outcome:
        """The same scan inside a unit of work the caller owns and commits: the server checks the
        station's token first and keeps its reply last in that one transaction. Prints nothing: the
        bench prints the Outcome's print request on its own printer (``print_at_bench``); the new
        state is :attr:`state` once the caller commits."""
        assert self.print_at_bench, "handle_in is for a bench that prints on its own printer"
        applied = self._apply(s, raw)
        self.state, self._last_view = applied.decision.state, applied.outcome.view
        return applied.outcome

    def _apply(self, s: Session, raw: str) -> _Applied:
        """Load, decide, apply and audit one scan in the session ``s`` (its unit of work commits)."""
        text, problem = clean_scan(raw)  # the scanner prefix was stripped by the input layer
        self._ensure_station(s)
        self._site = site.load(s, self.services.settings)
        if problem is not None:
            d = Decision(False, Level.REFUSED, problem, "garbage", self.state, self.state.order_id,
                         self.state.manifest_id)
            scan = _Scan(d, None)
        elif self.state.user_id is None:
            scan = _Scan(self._login(s, text), None)
        else:
            scan = self._scan(s, text)
        d = scan.decision
        if self.state.user_id is not None and d.state.user_id is None:
            bump_station_epoch(s, self._station_id)  # logged out: a copy of the session is dead now
        masked = d.kind == "pin" or self.state.pending_user_id is not None or _masked(d)
        events = [self._event(d, raw=MASKED if masked else audit_raw(raw))]
        if d.print_label is not None and scan.order is not None:
            events.append(self._event(d, raw="", kind="reprint" if d.reprint else "print", accepted=True,
                                      message=f"Label of parcel {d.print_label} of {scan.order.order_no} "
                                              f"sent to {self._printer_name()}"))
        if d.print_ewaybill is not None and scan.order is not None:
            events.append(self._event(d, raw="", kind="reprint" if d.reprint else "print", accepted=True,
                                      message=f"E-waybill of parcel {d.print_ewaybill} of {scan.order.order_no} "
                                              f"{'printed again' if d.reprint else 'asked for'}: to {self._printer_name()}"))
        add_events(s, events)
        view = self._view(s, d.state, scan.order)
        outcome = Outcome(d.accepted, d.level, d.message, d.kind, view, raw=raw,
                          print_request=self._print_request(s, d, scan.order))
        return _Applied(d, scan, outcome)

    def _print_request(self, s: Session, d: Decision, order: OrderSnap | None) -> PrintRequest | None:
        """What the scan asks the bench to print, built in its transaction (the label's intent is audited)."""
        if d.print_label is not None and order is not None:
            label = views.label_data(order, d.print_label, catalogue=self.services.catalogue,
                                     settings=self.services.settings, station=self.station_name,
                                     printed_at=self.services.clock(), reprint=d.reprint)
            return LabelPrint(label, order.id, d.print_label, d.reprint)
        if d.print_ewaybill is not None and order is not None:
            doc = ewaybills.document(s, order.id, d.print_ewaybill)
            if doc is not None:
                return EwaybillPrint(doc, order.id, d.print_ewaybill, d.reprint)
        if d.print_manifest and d.manifest_id is not None:
            return ManifestPrint(views.manifest_data(s, d.manifest_id, self.services.catalogue), d.manifest_id)
        return None

    def _printer_name(self) -> str:
        """The printer a label goes to: this process's own, or the one the bench behind the server named."""
        if self.bench_printer:
            return self.bench_printer
        return "the bench's printer" if self.print_at_bench else self.services.settings.printer_spec()

    def report_progress(self, callback) -> None:
        """Shown while an e-waybill is taken and printed (see :class:`BenchPrinter`)."""
        self.printing.progress = callback

    def view(self) -> BenchView:
        """The current view, read fresh from the database (the last one if it is unreachable)."""
        try:
            with self.services.read_uow() as uow:
                self._site = site.load(uow.session, self.services.settings)
                self._last_view = self._view(uow.session, self.state, None, platform=True)
        except DatabaseUnavailable:
            pass
        return self._last_view

    def watch(self) -> Outcome | None:
        """What changed behind this bench's back since its last scan, as a notice (None: nothing):
        a supervisor took its open order away, sent a packed order back to it (a waybill unlinked),
        or reopened its manifest (:mod:`app.packing.watch`)."""
        seen = self._watch.look()
        if seen is None:
            return None
        notice, self.state = seen
        self._last_view = notice.view
        return notice

    def reachable(self) -> bool:
        """Whether the database answers (the window leaves its offline state when it does)."""
        try:
            with self.services.read_uow() as uow:
                uow.session.execute(select(1))
        except DatabaseUnavailable:
            return False
        return True

    @property
    def _tolerance(self):
        return self._site.tolerance_g()

    @property
    def last_view(self) -> BenchView:
        return self._last_view

    @property
    def logged_in(self) -> bool:
        return self.state.user_id is not None

    # ------------------------------------------------------------------ one scan of a logged-in packer

    def _bench(self) -> rules.Bench:
        assert self._station_id is not None
        return rules.Bench(self._station_id, self.station_name, self.services.catalogue, self._tolerance)

    def _scan(self, s: Session, text: str) -> _Scan:
        st, bench = self.state, self._bench()
        command = rules.as_command(text)
        if (st.returns or command == returns_repo.rr.CMD_RETURNS) and command != CMD_LOGOUT:  # the returns bench
            actor = returns_repo.Actor(bench.station_id, st.user_id, self.services.clock)
            return _Scan(returns_repo.scan(s, st, text, actor, busy=st.order_id is not None or st.manifest_id is not None),
                         None)
        order = repo.load_order(s, st.order_id) if st.order_id is not None else None
        command = rules.as_command(text)
        manifest = None
        if st.manifest_id is not None:
            manifest = repo.load_manifest(s, st.manifest_id, with_missing=command == CMD_CLOSE)
            if manifest is None or manifest.closed:  # a supervisor closed or removed it meanwhile
                st = replace(st, manifest_id=None)
                manifest = None
        step = rules.bench_step(st, order)
        number = rules.waybill_number(bench, order, text) if step == Step.WAYBILL and not command else text
        facts = repo.facts(s, step, text, number, command=command is not None)
        target = repo.load_order_by_no(s, text) if step == Step.ORDER and not command else None
        if target is not None and target.state == "ready":  # opening an order: is the platform's word current?
            bench = replace(bench, platform_stale=repo.platform_stale(s, self.services.clock()))
        d = rules.decide(bench, st, order, manifest, text, facts, target)
        try:
            applied = repo.apply(s, d.effects, repo.Actor(bench.station_id, st.user_id, self.services.clock,
                                                           self._site.platform_trigger))
        except repo.Conflict as conflict:
            return self._lost_race(s, bench, st, d, conflict, order, target)
        return _Scan(*self._with_applied(d, applied, order if d.order is None else d.order))

    _with_applied = staticmethod(with_applied)  # what only the database could choose (app.packing.applied)

    def _lost_race(self, s: Session, bench: rules.Bench, st: BenchState, d: Decision, conflict: repo.Conflict,
                   order: OrderSnap | None, target: OrderSnap | None) -> _Scan:
        """Another bench or a supervisor was faster (:mod:`app.packing.applied`)."""
        return _Scan(*lost_race(s, bench, st, d, conflict, order, target))

    def _login(self, s: Session, text: str) -> Decision:
        """A badge, or the PIN it asked for (:mod:`app.packing.login`)."""
        return Login(self._station_id, self.services.clock).decide(s, self.state, text)

    # ------------------------------------------------------------------ what the bench's printer reports
    # Recorded by :mod:`app.packing.print_results`; the bench shows what it returns.

    def label_failed(self, order_id: int, seq: int, reprint: bool, error: str) -> Outcome:
        return self._shows(*self._prints.label_failed(self._shown(), order_id, seq, reprint, error))

    def ewaybill_printed(self, order_id: int, seq: int, waybill_code: str, detail: str) -> Outcome:
        return self._shows(*self._prints.ewaybill_printed(self._shown(), order_id, seq, waybill_code, detail))

    def ewaybill_failed(self, order_id: int, seq: int, error: str, *, refused: bool) -> Outcome:
        return self._shows(*self._prints.ewaybill_failed(self._shown(), order_id, seq, error, refused=refused))

    def manifest_printed(self, manifest_id: int, ok: bool, detail: str) -> None:
        printer = self._printer_name() if self.print_at_bench else None  # behind the server: the one it reported
        self._prints.manifest_printed(self._shown(), manifest_id, ok, detail, printer=printer)

    def _shown(self) -> Shown:
        return Shown(self.state, self._last_view, self._station_id)

    def _shows(self, outcome: Outcome, shown: Shown) -> Outcome:
        self.state, self._last_view = shown.state, shown.view
        return outcome

    # ------------------------------------------------------------------ the window's listener

    def wait_for_change(self, timeout_s: float = 25) -> bool:
        """Block until something changed behind this bench's back (then :meth:`watch` says what), or
        ``timeout_s`` passed; False also when the database is unreachable or the bench was closed.
        For the window's listener thread: it writes nothing (:mod:`app.packing.watch`)."""
        return self._watch.wait(timeout_s)

    def close(self) -> None:
        """End a :meth:`wait_for_change` now (the window closes); the services stay with their owner."""
        self._watch.close()

    # ------------------------------------------------------------------ plumbing

    def _event(self, d, *, raw: str, kind: str | None = None, accepted: bool | None = None, message: str | None = None,
               order_id: int | None = -1, manifest_id: int | None = -1) -> dict:
        is_decision = isinstance(d, Decision)
        return {
            "at": self.services.clock(),
            "station_id": self._station_id,
            "user_id": self.state.user_id or self.state.pending_user_id,
            "order_id": (d.order_id if is_decision else self.state.order_id) if order_id == -1 else order_id,
            "manifest_id": (d.manifest_id if is_decision else None) if manifest_id == -1 else manifest_id,
            "raw": raw,
            "kind": kind or d.kind,
            "accepted": d.accepted if accepted is None else accepted,
            "message": message if message is not None else d.message.render(),
            "reason": "",
        }

    def _ensure_station(self, s: Session) -> int:
        if self._station_id is None:
            station = s.scalar(select(Station).where(Station.name == self.station_name))
            if station is None:
                try:
                    with s.begin_nested():
                        station = Station(name=self.station_name, created_at=self.services.clock())
                        s.add(station)
                except IntegrityError:  # another process registered the same name just now
                    station = s.scalar(select(Station).where(Station.name == self.station_name))
            assert station is not None
            self._station_id = station.id
        return self._station_id

    def _view(self, s: Session, st: BenchState, order: OrderSnap | None, *, platform: bool = False) -> BenchView:
        return self._views.build(s, st, order, platform=platform)

