"""The bench service: one scanned string in, one :class:`Outcome` out, one unit of work per scan.

load (the bench's open order or manifest, and what the scanned code is) -> decide
(:mod:`app.packing.rules`, pure) -> apply (:mod:`app.packing.repository`, conditional writes) ->
audit -> commit, then print. The print intent is written in the scan's transaction and returned as
a typed :mod:`print request <app.packing.print_request>` on the Outcome; the bench's printer
(:mod:`app.packing.bench_printer`) carries it out, and only a printer that fails writes once more
(the parcel goes back to the label step). Login and PIN live here too: a PIN check updates the
user's lockout counters under a row lock.

:class:`BenchWorkflow` is the in-process :class:`~app.packing.bench_port.BenchPort` of an embedded
bench; the PackGate server runs one per request (:meth:`BenchWorkflow.handle_in`) and sends the
print request to the bench, which prints it with the same bench printer.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import DatabaseUnavailable
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.audit_chain import add_events
from app.models.schema import BoxType, Manifest, Order, ProductBarcode, Role, Station, User
from app.packing import ewaybills, returns_repo, rules, site, views
from app.packing import repository as repo
from app.packing.auth import (
    MASKED,
    STATION_CLOSED,
    STATION_PIN_LIMIT,
    STATION_PIN_WINDOW_MIN,
    UNKNOWN_PIN_LIKE,
    could_be_pin,
    wrong_pins_at,
)
from app.packing.bench_printer import BenchPrinter
from app.packing.ewaybill_port import EwaybillTaker
from app.packing.model import BenchState, OrderSnap
from app.packing.outcome import BenchView, Level, Outcome, Step
from app.packing.ports import Services
from app.packing.print_request import EwaybillPrint, LabelPrint, ManifestPrint, PrintRequest
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
from app.packing.ship_by import due_soon_count
from app.security import check_pin

log = logging.getLogger(__name__)

T = QT_TRANSLATE_NOOP
DB_UNREACHABLE = Message(
    T("Outcome", "Database unreachable: this scan was NOT saved. Scan it again when the connection is back.")
)
EWAYBILL_PRINTED = T("Outcome", "Label printed: stick it on and scan it")
EWAYBILL_REFUSED = T("Outcome", "No label: the platform says: {error}. Scan CMD:REPRINT to try again, or set the order aside for a supervisor")
EWAYBILL_NOT_PRINTED = T("Outcome", "Label not printed: {error}. Fix the print component, then scan CMD:REPRINT")
WAIT_POLL_S = 0.25  # wait_for_change: one look at the shift's version (two indexed max()) this often


@dataclass
class _Scan:
    decision: Decision
    order: OrderSnap | None


@dataclass
class _Applied:
    decision: Decision
    scan: _Scan
    outcome: Outcome


def _is_goods(s: Session, text: str) -> bool:
    """``text`` names an order, a product barcode or a box of this site (three primary-key lookups)."""
    return (s.scalar(select(Order.id).where(Order.order_no == text)) is not None
            or s.scalar(select(ProductBarcode.barcode).where(ProductBarcode.barcode == text)) is not None
            or s.scalar(select(BoxType.code).where(BoxType.code == text)) is not None)


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
        # wait_for_change: the shift's version and the state last found quiet; set once the window closes
        self._looked: tuple[str, BenchState] | None = None
        self._closed = threading.Event()

    offline_notice = T("StationWindow", "Database unreachable \u2014 scans are refused, reconnecting\u2026")

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
        or reopened its manifest. Read-only; the window calls it every second, the server's clients
        through a long poll."""
        st = self.state
        if st.user_id is None:
            return None
        try:
            with self.services.read_uow() as uow:
                s = uow.session
                station_id = self._ensure_station(s)
                notice, state = self._changed(s, st, station_id)
                if notice is None:
                    return None
                view = self._view(s, state, None)
        except DatabaseUnavailable:
            return None
        self.state, self._last_view = state, view
        return Outcome(False, Level.WARNING, notice, "notice", view)

    def _changed(self, s: Session, st: BenchState, station_id: int) -> tuple[Message | None, BenchState]:
        if st.order_id is not None:
            order = repo.load_order(s, st.order_id)
            if order is not None and order.is_packing and order.station_id == station_id:
                return None, st
            gone = replace(st, order_id=None, last_line=None)
            return Message(T("Outcome", "Order {order_no} was taken off this bench ({state}): set it aside"),
                           {"order_no": order.order_no if order else "?", "state": order.state if order else "deleted"}), gone
        if st.manifest_id is not None or st.returns:
            return None, st
        back = repo.packing_order_id(s, station_id)
        if back is not None:  # a supervisor unlinked a waybill: the order is this bench's to finish
            return Message(T("Outcome", "Order {order_no} was sent back to this bench by a supervisor: finish it"),
                           {"order_no": back[1]}), replace(st, order_id=back[0], completed_order=None)
        return None, st

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

    def _with_applied(self, d: Decision, applied: repo.Applied, order: OrderSnap | None) -> tuple[Decision, OrderSnap | None]:
        """Fill in what only the database could choose: pool numbers, a new manifest."""
        if order is not None and applied.pool_numbers:
            for seq, number in applied.pool_numbers.items():
                parcel = order.parcel(seq)
                if parcel is not None:
                    order = order.with_parcel(replace(parcel, preassigned_waybill=number))
                if seq == 1:
                    order = replace(order, preassigned_waybill=number)
        if order is not None and applied.parcel_ids:
            for seq, parcel_id in applied.parcel_ids.items():
                parcel = order.parcel(seq)
                if parcel is not None:
                    order = order.with_parcel(replace(parcel, id=parcel_id))
        if applied.manifest is not None:
            manifest_id, number = applied.manifest
            d = replace(d, state=replace(d.state, manifest_id=manifest_id), manifest_id=manifest_id,
                        message=Message(d.message.template, {**d.message.params, "manifest_no": number}))
        return d, order

    def _lost_race(self, s: Session, bench: rules.Bench, st: BenchState, d: Decision, conflict: repo.Conflict,
                   order: OrderSnap | None, target: OrderSnap | None) -> _Scan:
        """Another bench or a supervisor was faster: refuse with the reason, keep nothing of it."""
        kind, reason = d.kind, conflict.reason

        def refused(template: str, state: BenchState = st, **params) -> Decision:
            return Decision(False, Level.REFUSED, Message(template, params), kind, state, d.order_id, st.manifest_id)

        if reason == "claim" and target is not None:
            fresh = repo.load_order_by_no(s, target.order_no) or target
            out = rules.why_not_openable(bench, st, fresh) or refused(
                T("Outcome", "Order {order_no} was just taken by another bench"), order_no=target.order_no)
            return _Scan(replace(out, order_id=target.id), None)
        if reason == "over_scan" and order is not None:
            effect = next(e for e in d.effects if isinstance(e, rules.AddUnit))
            line = next(x for x in order.lines if x.id == effect.line_id)
            return _Scan(refused(T("Outcome", "Over-scan: {name} already {scanned}/{quantity}"),
                                 name=line.name, scanned=line.quantity, quantity=line.quantity), None)
        if reason == "waybill_taken":
            number = conflict.details["number"]
            return _Scan(refused(T("Outcome", "Waybill {number} is already on order {other}"),
                                 number=number, other=repo.waybill_owner(s, number) or "?"), order)
        if reason == "manifest_taken":
            number = d.message.params.get("number", "")
            return _Scan(refused(T("Outcome", "{number} was just added to another manifest"), number=number), None)
        if reason == "manifest_closed":
            return _Scan(refused(T("Outcome", "This manifest was already closed"), replace(st, manifest_id=None)), None)
        # taken_away: the order is no longer this bench's
        state_now = repo.order_state(s, st.order_id) if st.order_id is not None else None
        gone = replace(st, order_id=None, last_line=None)
        if kind == "waybill":
            out = refused(T("Outcome", "Order {order_no} is no longer yours to pack ({state})"), gone,
                          order_no=order.order_no if order else "?", state=state_now or "deleted")
        else:
            out = refused(T("Outcome", "Order {order_no} was taken off this bench ({state}): set it aside"), gone,
                          order_no=order.order_no if order else "?", state=state_now or "deleted")
        return _Scan(replace(out, order_id=st.order_id), None)

    # ------------------------------------------------------------------ login

    def _login(self, s: Session, text: str) -> Decision:
        st = self.state
        command = rules.as_command(text)
        if st.pending_user_id is not None:
            if command in (CMD_LOGOUT, CMD_CANCEL):
                return Decision(True, Level.INFO, Message(T("Outcome", "Login cancelled")), "command", BenchState())
            return self._on_pin(s, text)
        if command:
            return Decision(False, Level.REFUSED, Message(T("Outcome", "Scan your badge first")), "command", st)
        return self._on_badge(s, text)

    def _on_badge(self, s: Session, text: str) -> Decision:
        user = s.scalar(select(User).where(User.badge == text))
        if user is None or not user.active:
            if could_be_pin(text):  # never store or show what may be a PIN typed at the badge prompt
                return _MaskedDecision(False, Level.REFUSED, Message(UNKNOWN_PIN_LIKE), "badge", self.state)
            if user is None and _is_goods(s, text):
                # An order, an item or a box scanned while logged out is a packer's slip, not someone
                # guessing badges: it does not count towards the bench's limit of wrong PINs.
                return Decision(False, Level.REFUSED, Message(T("Outcome", "Scan your badge first")), "command",
                                self.state)
            return Decision(False, Level.REFUSED, Message(T("Outcome", "Unknown badge {badge}"), {"badge": text}),
                            "badge", self.state)
        now = self.services.clock()
        if user.locked_until is not None and user.locked_until > now:
            return Decision(False, Level.REFUSED, Message(
                T("Outcome", "{name} is locked after too many wrong PINs until {until}"),
                {"name": user.name, "until": user.locked_until.astimezone().strftime("%H:%M")}), "badge", self.state)
        if user.pin_hash:
            return Decision(True, Level.INFO, Message(T("Outcome", "Hello {name}: type your PIN"), {"name": user.name}),
                            "badge", BenchState(pending_user_id=user.id))
        return self._logged_in(s, user, "badge")

    def _on_pin(self, s: Session, text: str) -> Decision:
        # Locked: parallel wrong PINs on several benches must all count towards the lockout.
        user = s.get(User, self.state.pending_user_id, with_for_update=True)
        if user is None:
            return Decision(False, Level.REFUSED, Message(T("Outcome", "Unknown badge {badge}"), {"badge": "?"}),
                            "pin", BenchState())
        # Per bench too: someone trying many badges' PINs at one bench is stopped for a while.
        if wrong_pins_at(s, self._station_id, self.services.clock()) >= STATION_PIN_LIMIT:
            return Decision(False, Level.REFUSED, Message(STATION_CLOSED, {"minutes": STATION_PIN_WINDOW_MIN}),
                            "pin", BenchState())
        reason = check_pin(user, text, self.services.clock())
        if reason is not None:
            return Decision(False, Level.REFUSED, reason, "pin", self.state if user.locked_until is None else BenchState())
        return self._logged_in(s, user, "pin")

    def _logged_in(self, s: Session, user: User, kind: str) -> Decision:
        assert self._station_id is not None
        state = BenchState(user_id=user.id, user_name=user.name, user_role=user.role, user_epoch=user.session_epoch,
                           station_epoch=bump_station_epoch(s, self._station_id))  # only this login's session lives
        # Back on this bench's unfinished order (a crash, a power cut, a logout), or its open manifest.
        order = repo.packing_order_id(s, self._station_id)
        if order is not None:
            return Decision(True, Level.ACCEPTED, Message(T("Outcome", "Welcome back {name}: order {order_no} resumed"),
                                                          {"name": user.name, "order_no": order[1]}),
                            kind, replace(state, order_id=order[0]), order[0])
        manifest = repo.open_manifest_id(s, self._station_id)
        if manifest is not None:
            return Decision(True, Level.ACCEPTED, Message(T("Outcome", "Welcome back {name}: handover {manifest_no} resumed"),
                                                          {"name": user.name, "manifest_no": manifest[1]}),
                            kind, replace(state, manifest_id=manifest[0]), None, manifest[0])
        ret = returns_repo.open_return_id(s, self._station_id)
        if ret is not None:  # the returns bench's open return
            return Decision(True, Level.ACCEPTED, Message(T("Outcome", "Welcome back {name}: return {name_of_return} resumed"),
                                                          {"name": user.name, "name_of_return": ret[1]}),
                            kind, replace(state, returns=True, return_id=ret[0]))
        return Decision(True, Level.ACCEPTED, Message(T("Outcome", "Hello {name}"), {"name": user.name}), kind, state)

    # ------------------------------------------------------------------ what the bench's printer reports

    def label_failed(self, order_id: int, seq: int, reprint: bool, error: str) -> Outcome:
        """A label that did not come out of the bench's printer, recorded once, in one transaction: the
        parcel counts one print fewer (back to the label step) and the trail says why. The embedded
        bench's printer reports here, a bench behind the server through ``/label-failed``.
        LookupError: not this bench's open order (nothing is written)."""
        message = Message(T("Outcome", "Printer error: {error}. Fix it, then scan CMD:REPRINT"), {"error": error})
        notice = Outcome(False, Level.WARNING, message, "print", self._last_view)
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
            return replace(notice, message=DB_UNREACHABLE)
        order = order.with_parcel(replace(parcel, label_prints=max(parcel.label_prints - 1, 0)))
        self._last_view = views.bench_view(self.station_name, self.state, order, self._last_view.manifest,
                                           self.services.catalogue, self._tolerance)
        return replace(notice, view=self._last_view)

    def ewaybill_printed(self, order_id: int, seq: int, waybill_code: str, detail: str) -> Outcome:
        """The component printed the e-waybill: the parcel moves to its waybill scan, in one transaction."""
        message = Message(EWAYBILL_PRINTED, {"waybill": waybill_code})
        try:
            with self.services.uow() as uow:
                s = uow.session
                ewaybills.mark_printed(s, order_id, seq, waybill_code, self.services.clock())
                add_events(s, [self._event(Outcome(True, Level.INFO, message, "print", self._last_view), raw="",
                                           kind="print", accepted=True, order_id=order_id,
                                           message=f"E-waybill {waybill_code} of parcel {seq} printed: {detail}")])
                order = repo.load_order(s, order_id)
        except DatabaseUnavailable:
            return Outcome(False, Level.WARNING, DB_UNREACHABLE, "print", self._last_view)
        self._refresh_view(order)
        self.state = replace(self.state, last_print=detail)
        return Outcome(True, Level.ACCEPTED, message, "print",
                       replace(self._last_view, last_print=detail))

    def ewaybill_failed(self, order_id: int, seq: int, error: str, *, refused: bool) -> Outcome:
        """The platform refused (its words, red) or the component failed; the parcel stays at its label step."""
        template = EWAYBILL_REFUSED if refused else EWAYBILL_NOT_PRINTED
        message = Message(template, {"error": error})
        try:
            with self.services.uow() as uow:
                s = uow.session
                if refused:
                    ewaybills.record_refusal(s, order_id, seq, error)
                add_events(s, [self._event(Outcome(False, Level.REFUSED, message, "print", self._last_view), raw="",
                                           kind="print", accepted=False, order_id=order_id,
                                           message=message.render())])
                order = repo.load_order(s, order_id)
        except DatabaseUnavailable:
            return Outcome(False, Level.REFUSED, message, "print", self._last_view)
        self._refresh_view(order)
        return Outcome(False, Level.REFUSED if refused else Level.WARNING, message, "print", self._last_view)

    def _refresh_view(self, order: OrderSnap | None) -> None:
        if order is not None and order.station_id == self._station_id and self.state.order_id == order.id:
            self._last_view = views.bench_view(self.station_name, self.state, order, self._last_view.manifest,
                                               self.services.catalogue, self._tolerance)

    def manifest_printed(self, manifest_id: int, ok: bool, detail: str) -> None:
        """Audit a manifest's print on the bench's printer (``detail``: where it went, or why not).
        LookupError when it is not one of this bench's (none, or another station's: nothing is written)."""
        if self.print_at_bench:  # a bench behind the server: the trail names the printer it reported
            where = self._printer_name()
            text = f"Manifest printed on {where}: {detail}" if ok else f"Manifest print failed on {where}: {detail}"
        else:
            text = f"Manifest printed: {detail}" if ok else f"Manifest print failed: {detail}"
        with self.services.uow() as uow:
            station_id = self._ensure_station(uow.session)
            if uow.session.scalar(select(Manifest.station_id).where(Manifest.id == manifest_id)) != station_id:
                raise LookupError(manifest_id)
            add_events(uow.session, [self._event(Outcome(ok, Level.INFO, Message(""), "print", self._last_view), raw="",
                                                 kind="print", accepted=ok, message=text, order_id=None,
                                                 manifest_id=manifest_id)])

    # ------------------------------------------------------------------ the window's listener

    def wait_for_change(self, timeout_s: float = 25) -> bool:
        """Block until something changed behind this bench's back (then :meth:`watch` says what), or
        ``timeout_s`` passed; False also when the database is unreachable or the bench was closed.

        For the window's listener thread: it writes nothing and never touches the scan's state. It
        reads the shift's version (every scan, action and import writes an event) a few times a
        second, and looks at what the bench holds only when the version or the bench's state moved."""
        deadline = time.monotonic() + timeout_s
        while not self._closed.wait(max(min(WAIT_POLL_S, deadline - time.monotonic()), 0)):
            try:
                if self._notice_waiting():
                    return True
            except DatabaseUnavailable:
                return False
            if time.monotonic() >= deadline:
                return False
        return False

    def _notice_waiting(self) -> bool:
        st = self.state  # read once: the scan worker replaces it, never changes it
        if st.user_id is None:
            return False
        with self.services.read_uow() as uow:
            s = uow.session
            version = repo.shift_version(s)
            if self._looked is not None and self._looked[0] == version and self._looked[1] is st:
                return False  # looked at this already: nothing (a notice found is said until watched)
            notice, _ = self._changed(s, st, self._ensure_station(s))
        if notice is None:
            self._looked = (version, st)
        return notice is not None

    def close(self) -> None:
        """End a :meth:`wait_for_change` now (the window closes); the services stay with their owner."""
        self._closed.set()

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
        if st.order_id is not None and (order is None or order.id != st.order_id):
            order = repo.load_order(s, st.order_id)
        manifest = views.manifest_view(s, st.manifest_id, self.services.catalogue) if st.manifest_id is not None else None
        view = views.bench_view(self.station_name, st, order, manifest, self.services.catalogue, self._tolerance)
        view = replace(view, require_video=self._site.require_video)
        if st.returns and st.return_id is not None:  # the returns bench: the open return as it stands
            snap = returns_repo.load(s, st.return_id)
            if snap is not None:
                view = replace(view, return_view=returns_repo.return_view(s, snap, st.damaged_next))
        if st.completed_order is not None:
            # The scan that packed it just wrote its job (pending); a refresh of the view (not the
            # scan path) reads how far the platform got.
            known = repo.platform_state(s, st.completed_order) if platform else (
                "pending" if self._site.platform_trigger == "packed" else None)
            view = replace(view, completed_platform=known)
        if platform and view.idle:  # a refresh, not a scan: the idle screen's count of orders due soon
            hours = int(self.services.settings.due_soon_hours)
            view = replace(view, due_soon=due_soon_count(s, self.services.clock(), hours), due_soon_hours=hours)
        return view


def bump_station_epoch(s: Session, station_id: int | None) -> int:
    """Move the station's session epoch on (a login or a logout there): every session signed for it
    before is dead. Returns the new epoch."""
    return s.execute(update(Station).where(Station.id == station_id)
                     .values(session_epoch=Station.session_epoch + 1).returning(Station.session_epoch)).scalar_one()


class _MaskedDecision(Decision):
    """A refusal whose scan is kept out of the audit trail (it may be a PIN)."""


def _masked(d: Decision) -> bool:
    return isinstance(d, _MaskedDecision)


def derive_order_step(s: Session, order_id: int) -> Step:
    """Where an open order stands, from what the database holds (crash-safe)."""
    return repo.order_step(s, order_id)


def manifest_data(s: Session, manifest_id: int, services: Services):
    """Plain data of a manifest for the printing layer (`packgate manifests print`)."""
    return views.manifest_data(s, manifest_id, services.catalogue)


def is_supervisor(role: str | None) -> bool:
    return role == Role.SUPERVISOR.value
