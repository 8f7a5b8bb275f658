"""The supervisor's window: the login form first, then the dashboard.

Everything shared goes through the desk: in-process on the services (embedded), or through the
PackGate server (:class:`app.client.desk.RemoteDesk`). Once logged in, a listener thread waits for
the shift to change (the desk's long poll) and the dashboard refreshes itself at once; a slow
timer still refreshes the figures the clock moves.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from app.desk.port import Supervisor, SupervisorDesk
from app.packing.ports import Services
from app.ui.listener import ChangeListener
from app.ui.supervisor.dashboard import Dashboard
from app.ui.supervisor.login import LoginForm
from app.ui.tasks import TaskRunner
from app.ui.text import show_as_text

log = logging.getLogger(__name__)
WAIT_S = 25  # one long poll
RETRY_S = 5  # after a failed one (server unreachable): wait this long before the next


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
        # The desk's long poll: the dashboard refreshes when the shift moved on from the figures it shows.
        self.listener = ChangeListener(desk.wait_for_change, timeout_s=WAIT_S, retry_s=RETRY_S,
                                       name="packgate-supervisor-listener")
        self.listener.changed.connect(self.dashboard.changed)
        self.dashboard.refreshed.connect(self._shown)
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

    def _shown(self, figures: dict) -> None:
        self.listener.shown(figures.get("version"))  # read before the figures: the next change is after them

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
