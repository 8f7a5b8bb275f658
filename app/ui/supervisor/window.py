"""The supervisor's window: the login form first, then the dashboard.

Everything shared goes through the desk: in-process on the services (embedded), or through the
PackGate server (:class:`app.client.desk.RemoteDesk`). Once logged in, a listener thread waits for
the shift to change (the desk's long poll) and the dashboard refreshes itself at once; a slow
timer still refreshes the figures the clock moves.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from app.desk.port import Supervisor, SupervisorDesk
from app.packing.ports import Services
from app.ui.supervisor.dashboard import Dashboard
from app.ui.supervisor.login import LoginForm
from app.ui.supervisor.tasks import TaskRunner
from app.ui.text import show_as_text

log = logging.getLogger(__name__)
WAIT_S = 25  # one long poll
RETRY_S = 5  # after a failed one (server unreachable): wait this long before the next


class _Bridge(QObject):
    changed = Signal()


class ChangeListener:
    """On its own thread: the desk's long poll; ``changed`` (queued to the UI thread) when the
    shift's version moved on from that of the figures last shown (:meth:`shown`).

    The signal lives on a parentless bridge the thread keeps alive, so a window deleted while the
    thread is still in a long poll never has a signal emitted on a deleted object (its connections
    went with it)."""

    def __init__(self, desk: SupervisorDesk) -> None:
        self.desk = desk
        self.bridge = _Bridge()
        self.changed = self.bridge.changed
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.since: str | None = None
        self._have_since = threading.Event()

    def shown(self, figures: dict) -> None:
        """The figures on screen are of this version (read before them): wait for the next one."""
        version = figures.get("version")
        if version is not None:
            self.since = str(version)
            self._have_since.set()

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, args=(self.bridge,), name="packgate-supervisor-listener",
                                       daemon=True)
        self.thread.start()

    def stop(self, wait_s: float = 1.0) -> None:
        """Stop; wait a moment for an in-process poll (it stops within 0.25 s). A long poll at the
        server ends on its own (its reply is dropped)."""
        self.stop_event.set()
        self._have_since.set()
        if self.thread is not None:
            self.thread.join(wait_s)

    def _run(self, bridge: _Bridge) -> None:
        self._have_since.wait()
        while not self.stop_event.is_set():
            since = self.since
            assert since is not None
            try:
                now = self.desk.wait_for_change(since, WAIT_S, self.stop_event)
            except Exception as exc:  # noqa: BLE001 - unreachable, session ended: the slow timer goes on
                log.info("supervisor change listener: %s", exc)
                self.stop_event.wait(RETRY_S)
                continue
            if now != since and not self.stop_event.is_set():
                if self.since == since:  # until the refreshed figures say which version they show
                    self.since = now
                bridge.changed.emit()


class SupervisorWindow(QWidget):
    def __init__(self, services: Services, station: str | None, parent: QWidget | None = None, *,
                 desk: SupervisorDesk | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)  # its own window even with a parent
        self.setObjectName("supervisor_window")
        self.setWindowTitle(self.tr("PackGate: supervisor's shipping summary"))
        if desk is None:
            from app.desk.local import LocalDesk

            desk = LocalDesk(services, station)
        self.services, self.station, self.desk = services, station, desk
        self.runner = TaskRunner(self)
        self.login = LoginForm(desk, self.runner)
        self.dashboard = Dashboard(services, desk, self.runner)
        self.listener = ChangeListener(desk)
        self.listener.changed.connect(self.dashboard.changed)
        self.dashboard.refreshed.connect(self.listener.shown)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.login)
        self.stack.addWidget(self.dashboard)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.login.logged_in.connect(self._logged_in)
        self.dashboard.session_ended.connect(self._session_ended)
        self.resize(1200, 800)
        show_as_text(self)

    @property
    def supervisor(self) -> Supervisor | None:
        return self.dashboard.supervisor

    def _logged_in(self, supervisor: Supervisor, badge: str) -> None:
        self.stack.setCurrentWidget(self.dashboard)
        self.dashboard.start(supervisor, badge)
        if self.listener.thread is None:
            self.listener.start()

    def _session_ended(self, text: str) -> None:
        """Back to the login form (the figures on screen would go stale without saying so)."""
        self.stack.setCurrentWidget(self.login)
        self.login.error.setText(text)
        self.login.badge.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.listener.stop()
        self.dashboard.stop()
        self.runner.shutdown()  # no result may arrive for a closed window
        self.desk.close()
        super().closeEvent(event)
