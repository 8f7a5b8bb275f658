"""One background thread for the bench's database and printing work (Anki's operations pattern).

The UI thread calls :meth:`ScanWorker.submit`; the scan is queued to the worker thread through a
queued signal, so scans are handled one at a time, in the order they arrived, and none is lost
while another is in flight. The Outcome comes back by the ``handled`` signal on the UI thread.
Never touch a widget from :class:`_Job`: it only calls the workflow and emits plain data.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.packing.bench_port import BenchPort

log = logging.getLogger(__name__)


class _Job(QObject):
    """Lives on the worker thread; the only caller of the (not thread-safe) bench port's scan path."""

    handled = Signal(object)  # Outcome
    watched = Signal(object)  # Outcome: a notice of what changed behind the bench's back
    viewed = Signal(object, bool)  # BenchView, database reachable
    failed = Signal(str, str)  # scan, error text (a bug: logged, shown, never silent)
    progressed = Signal(object)  # Outcome: shown while a scan's slow print is under way ("Label printing…")

    def __init__(self, workflow: BenchPort) -> None:
        super().__init__()
        self.workflow = workflow
        report = getattr(workflow, "report_progress", None)
        if report is not None:
            report(self.progressed.emit)

    @Slot(str)
    def handle(self, raw: str) -> None:
        try:
            outcome = self.workflow.handle(raw)
        except Exception as exc:  # a bug: keep the window alive and say so
            log.exception("scan %r failed", raw)
            self.failed.emit(raw, f"{type(exc).__name__}: {exc}")
            return
        self.handled.emit(outcome)

    @Slot()
    def watch(self) -> None:
        try:
            notice = self.workflow.watch()
        except Exception:  # noqa: BLE001 - a failed look is retried at the next tick
            log.warning("watch failed", exc_info=True)
            return
        if notice is not None:
            self.watched.emit(notice)

    @Slot()
    def finish(self) -> None:
        QThread.currentThread().quit()

    @Slot()
    def refresh(self) -> None:
        """Read the view again; also tells whether the database answers (used to leave offline)."""
        try:
            reachable = self.workflow.reachable()
        except Exception:  # noqa: BLE001 - any failure to reach the database or server counts as offline
            log.warning("reachability check failed", exc_info=True)
            reachable = False
        view = self.workflow.view() if reachable else self.workflow.last_view
        self.viewed.emit(view, reachable)


class ScanWorker(QObject):
    """Owns the worker thread. ``handled(Outcome)``, ``viewed(BenchView, bool)`` arrive on the UI thread."""

    handled = Signal(object)
    watched = Signal(object)
    viewed = Signal(object, bool)
    failed = Signal(str, str)
    progressed = Signal(object)  # Outcome, before the scan's own (``handled``) arrives
    _submit = Signal(str)
    _refresh = Signal()
    _watch = Signal()
    _finish = Signal()

    def __init__(self, workflow: BenchPort, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workflow = workflow
        self.pending = 0
        self._thread = QThread()
        self._thread.setObjectName("packgate-bench-worker")
        self._job = _Job(workflow)
        self._job.moveToThread(self._thread)
        self._submit.connect(self._job.handle)
        self._refresh.connect(self._job.refresh)
        self._watch.connect(self._job.watch)
        self._job.watched.connect(self.watched)
        self._job.progressed.connect(self.progressed)
        self._job.handled.connect(self._on_handled)
        self._job.failed.connect(self._on_failed)
        self._job.viewed.connect(self.viewed)
        self._finish.connect(self._job.finish)
        self._thread.finished.connect(self._job.deleteLater)
        self._thread.start()

    def submit(self, raw: str) -> None:
        self.pending += 1
        self._submit.emit(raw)

    def refresh(self) -> None:
        self._refresh.emit()

    def watch(self) -> None:
        """Ask, on the worker thread, whether anything changed behind the bench's back."""
        self._watch.emit()

    @property
    def busy(self) -> bool:
        return self.pending > 0

    def _on_handled(self, outcome) -> None:
        self.pending -= 1
        self.handled.emit(outcome)

    def _on_failed(self, raw: str, error: str) -> None:
        self.pending -= 1
        self.failed.emit(raw, error)

    def stop(self) -> None:
        """Finish the queued scans, then stop the thread (called when the window closes)."""
        if self._thread.isRunning():
            self._finish.emit()  # queued behind every pending scan
            if not self._thread.wait(30_000):
                log.error("bench worker did not stop within 30 s")
