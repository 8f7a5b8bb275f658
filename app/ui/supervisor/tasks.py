"""Run database, export and PDF work on a thread pool; results come back by signal (Anki's pattern).

A :class:`Task` only calls a plain function and emits what it returns (plain data) or the exception
it raised. It never touches a widget: the slots connected to ``done``/``failed`` run on the UI
thread because the signals object lives there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal

from app.errors import KnownError

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)  # the exception


class Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # noqa: BLE001 - reported to the UI thread, which decides
            if not isinstance(exc, KnownError) and not hasattr(exc, "message"):
                log.exception("supervisor task failed")
            self.signals.failed.emit(exc)
            return
        self.signals.done.emit(result)


class TaskRunner(QObject):
    """A small pool owned by one window; keeps each task alive until its result is delivered."""

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._running: set[Task] = set()

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
               on_failed: Callable[[BaseException], None]) -> Task:
        task = Task(fn)
        task.setAutoDelete(False)
        self._running.add(task)
        task.signals.done.connect(on_done)
        task.signals.failed.connect(on_failed)
        task.signals.done.connect(lambda _r, t=task: self._running.discard(t))
        task.signals.failed.connect(lambda _e, t=task: self._running.discard(t))
        self.pool.start(task)
        return task

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def shutdown(self) -> None:
        self.pool.waitForDone()


def error_text(exc: BaseException) -> str:
    """One line for the operator: a translated Message, a KnownError's text, or a bug's type."""
    message = getattr(exc, "msg", None) or getattr(exc, "message", None)
    if message is not None and hasattr(message, "render"):
        return message.render(QCoreApplication.translate)
    if isinstance(exc, KnownError):
        return exc.message
    return QCoreApplication.translate("Supervisor", "Error: {error}").format(error=f"{type(exc).__name__}: {exc}")
