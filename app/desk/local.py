"""The supervisor desk in-process: the same domain functions the supervisor view always called,
over the services' units of work. The embedded bench's supervisor window uses it, and so does the
PackGate server behind its desk routes (the server exposes it; it does not reimplement it)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from app.desk.port import ClipNotHere, DeskSessionEnded
from app.errors import KnownError
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.imports.orders import ImportReport
from app.imports.products import ProductReport
from app.models.evidence import EvidenceClip
from app.packing import repository as repo
from app.packing.auth import Supervisor, audit_change, authorize_supervisor
from app.packing.ports import Services
from app.packing.supervisor import ActionDone, ActionRefused, run_action
from app.reports.export import ShipmentRow
from app.reports.summary import Period

T = QT_TRANSLATE_NOOP
WAIT_POLL_S = 0.25  # one indexed max() per look: a change is heard within this
IMPORT_KINDS = ("products", "orders")


class LocalDesk:
    """``serving``: this desk answers for the server, whose clip files are the uploaded ones."""

    def __init__(self, services: Services, station: str | None, *, supervisor: Supervisor | None = None,
                 serving: bool = False, clip_roots: tuple[Path, ...] = ()) -> None:
        self.services, self.station, self.supervisor, self.serving = services, station, supervisor, serving
        self.clip_roots = tuple(Path(r).resolve() for r in clip_roots)  # serving: the only folders it reads

    # ------------------------------------------------------------------ who

    def login(self, badge: str, pin: str) -> Supervisor:
        self.supervisor = authorize_supervisor(self.services, badge, pin, action="supervisor view", station=self.station)
        return self.supervisor

    def unlock_settings(self, badge: str, pin: str) -> Supervisor:
        self.supervisor = authorize_supervisor(self.services, badge, pin, action="settings", station=self.station)
        return self.supervisor

    def audit_settings(self, what: str, message: str) -> None:
        if self.supervisor is None:
            raise DeskSessionEnded(Message(T("Outcome", "A supervisor must unlock the settings first")))
        audit_change(self.services, self.supervisor, kind="settings", what=what, message=message, station=self.station)

    def site_settings(self) -> dict[str, Any]:
        from app.packing import site

        return site.read(self.services).as_dict()

    def change_site_setting(self, key: str, value: Any) -> list:
        if self.supervisor is None:
            raise DeskSessionEnded(Message(T("Outcome", "A supervisor must unlock the settings first")))
        from app.packing import site

        return list(site.change(self.services, self.supervisor, key, value, station=self.station))

    # ------------------------------------------------------------------ figures and orders

    def figures(self, period: Period, auto: bool = False) -> dict[str, Any]:
        from app.platform.ewaybill_balances import stored as stored_balances
        from app.platform.outbox import failed_jobs
        from app.platform.shops import all_shops
        from app.reports.ewaybills import figures as ewaybill_figures
        from app.reports.ewaybills import today as _today
        from app.reports.returns import returns_board
        from app.reports.summary import ready_list, ready_lists_by_shop, summary

        settings = self.services.settings
        version = self.version()  # read before the figures: a change in between refreshes once more, never a lost one
        with self.services.read_uow() as uow:
            figures = summary(uow.session, self.services.clock(), period, settings.late_hours,
                              settings.pickup_warn_hours, platform_grace_minutes=settings.platform_grace_minutes,
                              due_soon_hours=settings.due_soon_hours,
                              pickup_alert_hours=settings.pickup_alert_hours)
            figures["platform_failed_jobs"] = failed_jobs(uow.session)
            figures["ready_orders"] = ready_list(uow.session)  # the earliest ship-by first
            figures["ready_orders_by_shop"] = ready_lists_by_shop(uow.session)  # the view's shop filter
            figures["shops"] = [shop.channel() for shop in all_shops(uow.session)]  # stopped ones named
            figures["returns_board"] = returns_board(uow.session)  # the Returns tab
            figures["ewaybills"] = ewaybill_figures(uow.session, *_today(self.services.clock()))  # issue 21
            figures["ewaybills"]["balances"] = stored_balances(uow.session, settings.ewaybill_low)  # as last read
            figures["ewaybills"]["ewaybill_low"] = int(settings.ewaybill_low)
        figures["version"] = version  # what the supervisor view's change listener waits to move on from
        return figures

    def order_details(self, order_no: str) -> dict[str, Any] | None:
        from app.reports.orders import order_details

        with self.services.read_uow() as uow:
            return order_details(uow.session, order_no)

    def run_action(self, kind: str, badge: str, pin: str, target: str, reason: str) -> ActionDone:
        return run_action(self.services, kind, badge, pin, target, reason, station=self.station)

    def retry_platform_job(self, job_id: int) -> bool:
        from app.platform.outbox import retry

        with self.services.uow() as uow:
            return retry(uow.session, job_id, self.services.clock())

    def shipments(self, period: Period) -> list[ShipmentRow]:
        """Every linked waybill packed in the period (the CSV/XLSX export's rows)."""
        from app.reports.export import shipment_rows

        with self.services.read_uow() as uow:
            rows = shipment_rows(uow.session, period.start)
        if period.end is not None:
            rows = [r for r in rows if r.packed_at is None or r.packed_at < period.end]
        return rows

    def import_file(self, kind: str, path: Path, profile: str = "") -> ProductReport | ImportReport:
        if kind == "products":
            from app.imports.products import import_products

            return import_products(self.services, path)
        if kind != "orders":
            raise KnownError(f"Unknown import {kind!r}: products or orders")
        from app.imports.columnmap import load_profile
        from app.imports.orders import import_orders

        return import_orders(self.services, path, column_map=load_profile(profile) if profile else None)

    # ------------------------------------------------------------------ evidence

    def find_clips(self, text: str) -> list[dict[str, Any]]:
        from app.evidence.index import find_clips

        with self.services.read_uow() as uow:
            return find_clips(uow.session, text)

    def local_clip(self, clip: dict[str, Any]) -> Path | None:
        """The clip's file if this desk may read it: a row's path is set only by the process that
        wrote the file (the server: once it verified the upload); serving, only in its clip folders."""
        if not clip["path"]:  # at its bench: the server has no file of it yet
            return None
        path = Path(clip["path"])
        if self.serving and not any(path.resolve().is_relative_to(r) for r in self.clip_roots):
            return None
        return path if path.is_file() else None

    def fetch_clip(self, clip: dict[str, Any]) -> Path:
        path = self.local_clip(clip)
        if path is None:
            raise self._not_here(clip)
        return path

    def clip_file(self, clip_id: int) -> Path:
        """The file of clip ``clip_id`` where this desk can read it (the server: once uploaded, and
        only a video file in its clip folders, never whatever else a row might name)."""
        with self.services.read_uow() as uow:
            clip = uow.session.get(EvidenceClip, clip_id)
            row = {"path": clip.path, "station": clip.station, "order_no": clip.order_no} if clip else None
        if row is None:
            raise KnownError(f"No clip {clip_id}")
        path = self.fetch_clip(row)
        if self.serving and (path.suffix.lower() != ".mp4"
                             or not any(path.resolve().is_relative_to(r) for r in self.clip_roots)):
            raise ClipNotHere(Message(T("Outcome", "Clip {id} is not a video file in the server's evidence folders"),
                                      {"id": clip_id}))
        return path

    def export_evidence(self, text: str, out_dir: Path) -> dict[str, Any]:
        from app.evidence.export import export_evidence

        with self.services.read_uow() as uow:
            return export_evidence(uow.session, text, out_dir, font_path=self.services.settings.label_font or None,
                                   source=self.fetch_clip, verified_only=self.serving)

    def flag_clips(self, text: str, badge: str, pin: str, reason: str, flagged: bool = True) -> int:
        from app.evidence.index import set_flag

        reason = (reason or "").strip()
        if not reason:  # before the PIN: a missing reason costs no PIN attempt
            raise ActionRefused(Message(T("Outcome", "Give a reason: it goes into the audit trail")))
        authorize_supervisor(self.services, badge, pin, action="evidence flag" if flagged else "evidence unflag",
                             station=self.station)
        with self.services.uow() as uow:
            n = set_flag(uow.session, text, reason, flagged=flagged)
        if not n:
            raise ActionRefused(Message(T("Outcome", "No video evidence for {text}"), {"text": text.strip()}))
        return n

    def _not_here(self, clip: dict[str, Any]) -> ClipNotHere:
        path = clip["path"] or clip.get("bench_path") or ""
        params = {"name": Path(path).name, "path": path, "station": clip.get("station") or "?"}
        if self.serving and clip["path"] and Path(clip["path"]).is_file():  # a file, but none of the store's
            return ClipNotHere(Message(T("Outcome", "Clip {name} is not a video file in the server's evidence folders"),
                                       params))
        if self.serving:
            return ClipNotHere(Message(T("Outcome", "The clip {name} is still at bench {station}: not uploaded yet"),
                                       params))
        return ClipNotHere(Message(T("Outcome", "The clip {path} is not on this PC (deleted, moved, or still at "
                                                "bench {station})"), params))

    # ------------------------------------------------------------------ push

    def version(self) -> str:
        # Two indexed max(): cheap enough to ask four times a second (the bench's listener asks the same).
        with self.services.read_uow() as uow:
            return repo.shift_version(uow.session)

    def wait_for_change(self, since: str, timeout_s: float = 25, stop: threading.Event | None = None) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            now = self.version()
            if now != since or time.monotonic() >= deadline or (stop is not None and stop.is_set()):
                return now
            # The database has no change feed that SQLite and PostgreSQL share: look again shortly.
            if stop is not None:
                stop.wait(WAIT_POLL_S)
            else:
                time.sleep(WAIT_POLL_S)

    def close(self) -> None:
        pass
