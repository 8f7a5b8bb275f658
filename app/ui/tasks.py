"""The one way work leaves the UI thread: run a plain function on a pool, get its result back on the UI thread.

Anki's ``CollectionOp`` is the model: database, export, import and PDF work runs on a worker thread,
and what it returned (plain data) or the exception it raised comes back on the UI thread, where the
callbacks may touch widgets. The worker itself never touches a widget: it only calls the function and
hands the outcome to a relay that lives on the UI thread (a queued hop), so ``on_done`` and
``on_failed`` run on the UI thread whatever they are (a bound method, a lambda).

``lane``: tasks of one lane run one at a time, in the order they were submitted (a library that is
not thread-safe, pdfium for the label preview); tasks without a lane share the runner's pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal

from app.errors import KnownError

log = logging.getLogger(__name__)


class _Relay(QObject):
    """One task's way back: created on the UI thread, without a parent (the task keeps it alive, so a
    window deleted while its task runs is never emitted on); ``done``/``failed`` on the UI thread."""

    done = Signal(object)
    failed = Signal(object)  # the exception
    _finished = Signal(bool, object)  # from the worker, queued to the UI thread

    def __init__(self, owner: QObject | None = None) -> None:
        super().__init__()
        self.owner = owner  # the runner: once it is gone (its window deleted), nothing is delivered
        self.cancelled = False
        self.settled: Callable[[], None] | None = None  # after the callbacks: the runner lets go of the task
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def _deliver(self, ok: bool, value: object) -> None:
        try:
            if not self.cancelled and (self.owner is None or shiboken6.isValid(self.owner)):
                (self.done if ok else self.failed).emit(value)
        finally:
            if self.settled is not None:
                self.settled()


class Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], owner: QObject | None = None) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Relay(owner)

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # noqa: BLE001 - reported to the UI thread, which decides
            if not isinstance(exc, KnownError) and not hasattr(exc, "message"):
                log.exception("task failed")
            self.signals._finished.emit(False, exc)
            return
        self.signals._finished.emit(True, result)


class TaskRunner(QObject):
    """The pool (and serial lanes) of one window; keeps each task alive until its result is delivered."""

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._lanes: dict[str, QThreadPool] = {}
        self._running: set[Task] = set()
        self._closed = False

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
               on_failed: Callable[[BaseException], None], *, lane: str | None = None) -> Task:
        """Run ``fn()`` off the UI thread; ``on_done(result)`` or ``on_failed(exception)`` on the UI thread."""
        task = Task(fn, self)
        task.setAutoDelete(False)
        self._running.add(task)
        task.signals.done.connect(on_done)
        task.signals.failed.connect(on_failed)
        task.signals.settled = lambda: self._running.discard(task)
        if self._closed:
            task.signals.cancelled = True
        self._pool(lane).start(task)
        return task

    def _pool(self, lane: str | None) -> QThreadPool:
        if lane is None:
            return self.pool
        pool = self._lanes.get(lane)
        if pool is None:
            pool = self._lanes[lane] = QThreadPool(self)
            pool.setMaxThreadCount(1)  # one at a time, in order
        return pool

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def wait(self, ms: int = -1) -> bool:
        """Wait for the tasks started so far to finish (their results are delivered later, on the UI thread)."""
        return all([pool.waitForDone(ms) for pool in (self.pool, *self._lanes.values())])

    def shutdown(self) -> None:
        """The window closes: wait for the running tasks; no result is delivered after this."""
        self._closed = True
        for task in self._running:
            task.signals.cancelled = True
        self.wait()


def error_text(exc: BaseException) -> str:
    """One line for the operator: a translated Message, a KnownError's text, or a bug's type."""
    message = getattr(exc, "msg", None) or getattr(exc, "message", None)
    if message is not None and hasattr(message, "render"):
        return message.render(QCoreApplication.translate)
    if isinstance(exc, KnownError):
        return exc.message
    return QCoreApplication.translate("Supervisor", "Error: {error}").format(error=f"{type(exc).__name__}: {exc}")
