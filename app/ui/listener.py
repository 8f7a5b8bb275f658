"""One client change listener: a thread long-polls "has the shift changed?", a Qt bridge says so on the UI thread.

The bench behind the server and the supervisor's window both want to hear at once when something
changed elsewhere (a scan at another bench, a supervisor's take-back). :class:`ChangeListener` runs
one long poll after another on a thread of its own, ``wait(since, timeout_s, stop)`` (a desk's
``wait_for_change``, or a bench's through :func:`bench_changes`), and emits ``changed`` when the
version it returns moved on. ``changed`` is always emitted on the UI thread (a queued hop through the
listener itself), so a slot connected to it may touch widgets whatever its connection type; the
thread itself never touches a widget.

A poll that fails, or comes back at once with nothing new (a server that cannot be reached answers
"no" straight away), is followed by a pause of ``retry_s`` that :meth:`ChangeListener.stop` cuts
short: the thread never spins. :meth:`~ChangeListener.stop` joins the thread; an HTTP long poll in
flight cannot be interrupted, so the join is bounded and the thread, a daemon, ends with that poll
and emits nothing more.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)

# wait(since, timeout_s, stop) -> the version now: ``since`` when nothing changed within ``timeout_s``
WaitForChange = Callable[[str, float, threading.Event], str]
WAIT_S = 25.0  # one long poll
RETRY_S = 5.0  # after a failed or refused one: wait this long before the next
QUICK_S = 1.0  # a poll back sooner than this with nothing new did not wait: treated as a failure


def bench_changes(wait_for_change: Callable[[float], bool]) -> WaitForChange:
    """A bench's long poll (``wait_for_change(timeout_s) -> changed``) as a versioned one: each change
    it hears makes a new version. Its poll cannot be stopped (``stop`` is not passed on)."""

    def wait(since: str, timeout_s: float, stop: threading.Event) -> str:
        return str(int(since) + 1) if wait_for_change(timeout_s) else since

    return wait


class ChangeListener(QObject):
    """Long polls on its own thread; ``changed`` on the UI thread when the version moved on.

    ``since`` is the version of what is on screen; None: the thread waits for the first
    :meth:`shown`. Create it on the UI thread, without a parent: the thread keeps it alive, so a
    window deleted while a long poll is still in flight never has a signal emitted on a deleted object
    (its connections went with it).
    """

    changed = Signal()
    _heard = Signal()  # from the thread, queued to the UI thread

    def __init__(self, wait: WaitForChange, *, since: str | None = None, timeout_s: float = WAIT_S,
                 retry_s: float = RETRY_S, quick_s: float = QUICK_S, name: str = "packgate-change-listener",
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._wait, self.timeout_s, self.retry_s, self.quick_s = wait, timeout_s, retry_s, quick_s
        self.name, self._clock = name, clock
        self._lock = threading.Lock()
        self._since = since
        self._known = threading.Event()  # the version on screen is known: polls may begin
        if since is not None:
            self._known.set()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self._heard.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def since(self) -> str | None:
        with self._lock:
            return self._since

    def shown(self, version: object) -> None:
        """What is on screen is of this version (read before it): wait for the next one."""
        if version is None:
            return
        with self._lock:
            self._since = str(version)
        self._known.set()

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self.thread.start()

    def stop(self, wait_s: float = 1.0) -> None:
        """Stop and join the thread. A poll that takes ``stop`` ends at once; an HTTP long poll ends on
        its own after ``wait_s`` (its reply is dropped)."""
        self.stopping.set()
        self._known.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(wait_s)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def _run(self) -> None:
        self._known.wait()
        while not self.stopping.is_set():
            since = self.since
            assert since is not None
            started = self._clock()
            try:
                now = self._wait(since, self.timeout_s, self.stopping)
            except Exception as exc:  # noqa: BLE001 - unreachable, session ended: try again later
                log.info("%s: %s", self.name, exc)
                self.stopping.wait(self.retry_s)
                continue
            if self.stopping.is_set():
                break
            if now == since:
                if self._clock() - started < self.quick_s:  # refused at once: do not spin
                    self.stopping.wait(self.retry_s)
                continue
            with self._lock:
                if self._since == since:  # until what is shown next says which version it is
                    self._since = now
            self._heard.emit()

    def _deliver(self) -> None:
        """On the UI thread."""
        if not self.stopping.is_set():
            self.changed.emit()
