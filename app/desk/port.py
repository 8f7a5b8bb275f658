"""The supervisor desk's port: what the supervisor window and the settings unlock need, as a
Protocol both doors implement (in-process and through the PackGate server).

Everything crosses as the domain's own plain data: figures and timelines are the dicts of
:mod:`app.reports`, actions return :class:`ActionDone`, refusals raise :class:`NotAuthorized`
(badge or PIN) or :class:`ActionRefused` (the action cannot be done), with translatable messages.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol

from app.errors import KnownError
from app.i18n import Message
from app.imports.orders import ImportReport
from app.imports.products import ProductReport
from app.packing.auth import NotAuthorized, Supervisor
from app.packing.supervisor import ActionDone, ActionRefused
from app.reports.export import ShipmentRow
from app.reports.summary import Period

__all__ = ["ActionDone", "ActionRefused", "ClipNotHere", "DeskError", "DeskSessionEnded", "NotAuthorized",
           "SupervisorDesk", "Supervisor"]


class DeskError(KnownError):
    """The desk cannot do it: ``msg`` is the translatable message (the window shows it in the
    operator's language), ``message`` its English text."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.render())
        self.msg = message


class ClipNotHere(DeskError):
    """The clip's file is not where the desk can read it (still at its bench, or deleted)."""


class DeskSessionEnded(DeskError):
    """The supervisor's desk session is missing, expired or no longer a supervisor's: log in again."""


class SupervisorDesk(Protocol):
    """One supervisor window's (or settings dialog's) way to the shared data."""

    station: str | None

    def login(self, badge: str, pin: str) -> Supervisor:
        """Badge and PIN of an active supervisor (audited, lockouts as at the bench); starts the
        desk session the other calls need."""
        ...

    def figures(self, period: Period, auto: bool = False) -> dict[str, Any]:
        """The shift's figures; ``auto``: a refresh the view made by itself, not the supervisor (through
        the server it does not restart the desk session's idle time)."""
        ...

    def order_details(self, order_no: str) -> dict[str, Any] | None: ...

    def run_action(self, kind: str, badge: str, pin: str, target: str, reason: str) -> ActionDone: ...

    def retry_platform_job(self, job_id: int) -> bool: ...

    def shipments(self, period: Period) -> list[ShipmentRow]: ...

    def import_file(self, kind: str, path: Path, profile: str = "") -> ProductReport | ImportReport:
        """``kind`` products or orders; the file is read where the desk runs the importer."""
        ...

    def find_clips(self, text: str) -> list[dict[str, Any]]: ...

    def local_clip(self, clip: dict[str, Any]) -> Path | None:
        """The clip's file on this PC, if it can be played without fetching it first."""
        ...

    def fetch_clip(self, clip: dict[str, Any]) -> Path:
        """The clip's file on this PC, downloaded if need be (slow: call it on a worker)."""
        ...

    def export_evidence(self, text: str, out_dir: Path) -> dict[str, Any]:
        """The clips of ``text`` and their evidence sheet written into ``out_dir`` on this PC:
        ``{"order_no", "sheet", "clips"}`` with local paths."""
        ...

    def flag_clips(self, text: str, badge: str, pin: str, reason: str, flagged: bool = True) -> int:
        """Keep (or stop keeping) an order's clips for a dispute; the PIN at that moment and a reason."""
        ...

    def unlock_settings(self, badge: str, pin: str) -> Supervisor: ...

    def audit_settings(self, what: str, message: str) -> None:
        """The audit event of a settings change by the supervisor who unlocked them."""
        ...

    def site_settings(self) -> dict[str, Any]:
        """The site's settings that decide a scan (:mod:`app.packing.site`), as every bench uses them."""
        ...

    def change_site_setting(self, key: str, value: Any) -> list:
        """Set one site setting as the supervisor who unlocked the settings (audited): ``[old, new]``;
        KnownError for a value that is not one."""
        ...

    def version(self) -> str:
        """A cheap fingerprint of the shift: changes whenever a scan, an action or an import does."""
        ...

    def wait_for_change(self, since: str, timeout_s: float = 25, stop: threading.Event | None = None) -> str:
        """Block until :meth:`version` differs from ``since`` (return the new one) or ``timeout_s``
        passed (return ``since``). Call it from a thread of its own."""
        ...

    def close(self) -> None: ...
