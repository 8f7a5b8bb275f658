"""The bench's port: what the station window and its scan worker use from a bench, as one Protocol
both doors implement.

In-process, :class:`app.packing.workflow.BenchWorkflow` on the services' database; through the
PackGate server, :class:`app.client.remote.RemoteBench`. The window drives either the same way and
never asks which one it has. Everything crosses as the domain's plain data (:class:`Outcome`,
:class:`BenchView`). Not thread-safe, except :meth:`BenchPort.wait_for_change` (the window's
listener thread) and :meth:`BenchPort.close`: one scan at a time, from the scan worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.packing.outcome import BenchView, Outcome


class PrintReports(Protocol):
    """Where the bench's printer reports what came of a print request (:mod:`app.packing.bench_printer`).
    Both are this bench's own order or manifest; the trail says which printer did it."""

    def label_failed(self, order_id: int, seq: int, reprint: bool, error: str) -> Outcome:
        """The label did not come out: record it once (the parcel goes back to the label step). The
        Outcome's level, message and view are what the bench shows; when it could not be recorded,
        they say so and the view is the last one."""
        ...

    def ewaybill_printed(self, order_id: int, seq: int, waybill_code: str, detail: str) -> Outcome:
        """The component printed the parcel's e-waybill: record it (the parcel moves to its waybill
        scan) and say "Label printed: stick it on and scan it"."""
        ...

    def ewaybill_failed(self, order_id: int, seq: int, error: str, *, refused: bool) -> Outcome:
        """No e-waybill came out: the platform refused (``refused``: its words, red, the refused sound)
        or the component failed; the parcel stays at its label step (CMD:REPRINT tries again)."""
        ...

    def manifest_printed(self, manifest_id: int, ok: bool, detail: str) -> None:
        """Audit the manifest's print (``detail``: where it went, or the printer's error). May raise
        :class:`app.errors.DatabaseUnavailable` or LookupError (not this bench's): nothing written."""
        ...


class BenchPort(PrintReports, Protocol):
    """One bench (station): scans in, Outcomes out; what changed behind its back; its view."""

    station_name: str
    # What the status bar says while the bench's store cannot be reached: the database, or the
    # server (an English source in the window's translation context, ``StationWindow``).
    offline_notice: str

    def handle(self, raw: str) -> Outcome:
        """One scan (badge, PIN, order, item, box, weight, waybill, command): decided, saved and
        audited, then printed at the bench when it asks for a print."""
        ...

    def watch(self) -> Outcome | None:
        """A notice of what changed behind this bench's back since its last scan (a supervisor's
        take-back, an unlink, a reopened manifest); None: nothing."""
        ...

    def report_progress(self, callback: Callable[[Outcome], None]) -> None:
        """Call ``callback`` (on the scan worker's thread) with an Outcome to show while a scan's slow
        print is under way (an e-waybill taken from the platform, then printed)."""
        ...

    def view(self) -> BenchView:
        """The current view, read fresh (the last one when the store is unreachable)."""
        ...

    def reachable(self) -> bool:
        """Whether the database or the server answers (the window leaves its offline state)."""
        ...

    def wait_for_change(self, timeout_s: float = 25) -> bool:
        """Block (another thread than the scan worker's) until something changed behind this bench's
        back (then :meth:`watch` says what), or ``timeout_s`` passed; False also when unreachable
        or closed."""
        ...

    @property
    def last_view(self) -> BenchView: ...

    @property
    def logged_in(self) -> bool: ...

    def close(self) -> None:
        """Stop waiting and let go of the connection; the window calls it when it closes."""
        ...
