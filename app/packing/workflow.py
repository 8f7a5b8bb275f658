"""The bench service: one scanned string in, one :class:`Outcome` out, one unit of work per scan.

load (the bench's open order or manifest, and what the scanned code is) -> decide
(:mod:`app.packing.rules`, pure) -> apply (:mod:`app.packing.repository`, conditional writes) ->
audit -> commit, then print. The print intent is written in the scan's transaction; only a printer
that fails writes once more (the parcel goes back to the label step). Login and PIN live here too:
a PIN check updates the user's lockout counters under a row lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import DatabaseUnavailable, PrinterError
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.models.audit_chain import add_events
from app.models.schema import BoxType, Manifest, Order, ProductBarcode, Role, Station, User
from app.packing import repository as repo
from app.packing import rules, site, views
from app.packing.auth import (
    MASKED,
    STATION_CLOSED,
    STATION_PIN_LIMIT,
    STATION_PIN_WINDOW_MIN,
    UNKNOWN_PIN_LIKE,
    could_be_pin,
    wrong_pins_at,
)
from app.packing.model import BenchState, OrderSnap
from app.packing.outcome import BenchView, Level, Outcome, Step
from app.packing.ports import Services
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
from app.security import check_pin

log = logging.getLogger(__name__)

T = QT_TRANSLATE_NOOP
DB_UNREACHABLE = Message(
    T("Outcome", "Database unreachable: this scan was NOT saved. Scan it again when the connection is back.")
)
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
                 station_id: int | None = None, bench_printer: str | None = None) -> None:
        if not station_name.strip():
            raise ValueError("a station needs a name")
        self.services = services
        self.station_name = station_name.strip()
        # Behind the PackGate server the bench prints on its own printer: the Outcome then carries the
        # label or manifest data (``extra``) instead of this process printing it.
        self.print_at_bench = print_at_bench
        # The printer the bench prints on, as it reported it (behind the server): what the audit trail names.
        self.bench_printer = (bench_printer or "").strip() or None
        self.state = BenchState()
        self._station_id: int | None = station_id  # known already when the server checked the token
        # The site's settings that decide a scan (tolerance, platform trigger, video required): read
        # again in each scan's transaction, so a supervisor's change applies at the next scan.
        self._site = site.SiteSettings.defaults(services.settings)
        self._last_view = BenchView(station=self.station_name, step=Step.LOGIN)

    # ------------------------------------------------------------------ public API

    def handle(self, raw: str) -> Outcome:
        """Decide what ``raw`` means at the current step, apply it and audit it in one commit."""
        try:
            with self.services.uow() as uow:
                applied = self._apply(uow.session, raw)
        except DatabaseUnavailable:
            log.warning("database unreachable while handling a scan", exc_info=True)
            return Outcome(False, Level.REFUSED, DB_UNREACHABLE, "offline", self._last_view, raw=raw)
        d, scan, outcome = applied.decision, applied.scan, applied.outcome
        self.state, self._last_view = d.state, outcome.view
        if self.print_at_bench:
            return outcome
        if d.print_label is not None and scan.order is not None:
            return self._print_label(outcome, scan.order, d.print_label, reprint=d.reprint)
        if d.print_manifest and d.manifest_id is not None:
            return self._print_manifest(outcome, d.manifest_id)
        return outcome

    def handle_in(self, s: Session, raw: str) -> Outcome:
        """The same scan inside a unit of work the caller owns and commits: the server checks the
        station's token first and keeps its reply last in that one transaction. Prints nothing (the
        bench prints: ``print_at_bench``); the new state is :attr:`state` once the caller commits."""
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
        add_events(s, events)
        view = self._view(s, d.state, scan.order)
        outcome = Outcome(d.accepted, d.level, d.message, d.kind, view, raw=raw)
        if d.print_label is not None and scan.order is not None and self.print_at_bench:
            outcome = self._label_for_bench(outcome, scan.order, d.print_label, d.reprint)
        elif d.print_manifest and d.manifest_id is not None and self.print_at_bench:
            outcome = replace(outcome, extra={"manifest": views.manifest_data(s, d.manifest_id, self.services.catalogue),
                                              "manifest_id": d.manifest_id})
        return _Applied(d, scan, outcome)

    def _printer_name(self) -> str:
        """The printer a label goes to: this process's own, or the one the bench behind the server named."""
        if self.bench_printer:
            return self.bench_printer
        return "the bench's printer" if self.print_at_bench else self.services.settings.printer_spec()

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
        if st.manifest_id is not None:
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
        return Decision(True, Level.ACCEPTED, Message(T("Outcome", "Hello {name}"), {"name": user.name}), kind, state)

    # ------------------------------------------------------------------ printing (after commit)

    def _label(self, order: OrderSnap, seq: int, reprint: bool):
        return views.label_data(order, seq, catalogue=self.services.catalogue, settings=self.services.settings,
                                station=self.station_name, printed_at=self.services.clock(), reprint=reprint)

    def _label_for_bench(self, outcome: Outcome, order: OrderSnap, seq: int, reprint: bool) -> Outcome:
        return replace(outcome, extra={"label": self._label(order, seq, reprint), "order_id": order.id, "seq": seq,
                                       "reprint": reprint})

    def _print_label(self, outcome: Outcome, order: OrderSnap, seq: int, *, reprint: bool) -> Outcome:
        label = self._label(order, seq, reprint)
        try:
            job = self.services.printer().print_label(label)
        except (PrinterError, OSError) as exc:
            return self._label_failed(outcome, order, seq, reprint, getattr(exc, "message", None) or str(exc))
        where = str(job.path) if job.path else job.description
        self.state = replace(self.state, last_print=where)
        self._last_view = replace(outcome.view, last_print=where)
        return label_printed(outcome, label, where, reprint=reprint, view=self._last_view)

    def label_failed(self, order_id: int, seq: int, reprint: bool, error: str) -> Outcome:
        """A label the bench printed itself (behind the server) did not come out: record it once."""
        with self.services.uow() as uow:
            station_id = self._ensure_station(uow.session)
            order = repo.load_order(uow.session, order_id)
        if order is None or order.station_id != station_id or order.parcel(seq) is None:
            raise LookupError(order_id)  # only this bench's own open order
        base = Outcome(False, Level.WARNING, Message(""), "print", self._last_view)
        return self._label_failed(base, order, seq, reprint, error)

    def manifest_printed(self, manifest_id: int, ok: bool, detail: str) -> None:
        """Audit a manifest the bench printed itself (behind the server); LookupError when it is
        not one of this bench's (none, or another station's: nothing is written)."""
        with self.services.uow() as uow:
            station_id = self._ensure_station(uow.session)
            if uow.session.scalar(select(Manifest.station_id).where(Manifest.id == manifest_id)) != station_id:
                raise LookupError(manifest_id)
            where = self._printer_name()
            msg = f"Manifest printed on {where}: {detail}" if ok else f"Manifest print failed on {where}: {detail}"
            add_events(uow.session, [self._event(Outcome(ok, Level.INFO, Message(""), "print", self._last_view), raw="",
                                                 kind="print", accepted=ok, message=msg, order_id=None,
                                                 manifest_id=manifest_id)])

    def _label_failed(self, outcome: Outcome, order: OrderSnap, seq: int, reprint: bool, error: str) -> Outcome:
        """The print outcome, recorded once: the intent did not come true."""
        message = Message(T("Outcome", "Printer error: {error}. Fix it, then scan CMD:REPRINT"), {"error": error})
        parcel = order.parcel(seq)
        try:
            with self.services.uow() as uow:
                s = uow.session
                if parcel is not None and parcel.id is not None:
                    repo.label_failed(s, parcel.id)
                add_events(s, [self._event(outcome, raw="", kind="reprint" if reprint else "print", accepted=False,
                                           message=message.render(), order_id=order.id)])
        except DatabaseUnavailable:
            return replace(outcome, level=Level.WARNING, message=DB_UNREACHABLE)
        if parcel is not None:
            order = order.with_parcel(replace(parcel, label_prints=max(parcel.label_prints - 1, 0)))
        self._last_view = views.bench_view(self.station_name, self.state, order, outcome.view.manifest,
                                           self.services.catalogue, self._tolerance)
        return replace(outcome, level=Level.WARNING, message=message, view=self._last_view)

    def _print_manifest(self, outcome: Outcome, manifest_id: int) -> Outcome:
        try:
            with self.services.read_uow() as uow:
                data = views.manifest_data(uow.session, manifest_id, self.services.catalogue)
        except DatabaseUnavailable:
            return outcome
        try:
            job = self.services.printer().print_manifest(data)
            where, error = (str(job.path) if job.path else job.description), None
        except (PrinterError, OSError) as exc:
            where, error = None, getattr(exc, "message", str(exc))
        try:
            with self.services.uow() as uow:
                msg = (f"Manifest printed: {where}" if error is None else f"Manifest print failed: {error}")
                add_events(uow.session, [self._event(outcome, raw="", kind="print", accepted=error is None, message=msg,
                                                     order_id=None, manifest_id=manifest_id)])
        except DatabaseUnavailable:
            pass
        if error is not None:
            return replace(outcome, level=Level.WARNING, message=Message(
                T("Outcome", "Manifest {manifest_no} closed, but printing failed: {error}. Print it with: packgate manifests print {id}"),
                {"manifest_no": data.manifest_no, "error": error, "id": manifest_id}))
        self.state = replace(self.state, last_print=where)
        self._last_view = replace(self._last_view, last_print=where)
        return replace(outcome, view=self._last_view)

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
        if st.completed_order is not None:
            # The scan that packed it just wrote its job (pending); a refresh of the view (not the
            # scan path) reads how far the platform got.
            known = repo.platform_state(s, st.completed_order) if platform else (
                "pending" if self._site.platform_trigger == "packed" else None)
            view = replace(view, completed_platform=known)
        return view


def bump_station_epoch(s: Session, station_id: int | None) -> int:
    """Move the station's session epoch on (a login or a logout there): every session signed for it
    before is dead. Returns the new epoch."""
    return s.execute(update(Station).where(Station.id == station_id)
                     .values(session_epoch=Station.session_epoch + 1).returning(Station.session_epoch)).scalar_one()


def label_printed(outcome: Outcome, label, where: str, *, reprint: bool, view: BenchView | None = None) -> Outcome:
    """The Outcome once the label came out of the printer (the embedded bench and the client alike)."""
    if reprint:
        message = Message(T("Outcome", "Label reprinted: scan the carrier waybill"))
    elif label.parcel_text:
        message = Message(T("Outcome", "Weight {weight} OK. Label of parcel {parcel} printed: scan its waybill"),
                          {**outcome.message.params, "parcel": label.parcel_text})
    else:
        message = Message(T("Outcome", "Weight {weight} OK. Label printed: scan the carrier waybill"),
                          outcome.message.params)
    view = view or replace(outcome.view, last_print=where)
    return replace(outcome, message=message, view=view, extra={})


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
