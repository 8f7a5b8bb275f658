"""The supervisor's window: the login form first, then the dashboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from app.packing.auth import Supervisor
from app.packing.ports import Services
from app.ui.supervisor.dashboard import Dashboard
from app.ui.supervisor.login import LoginForm
from app.ui.supervisor.tasks import TaskRunner
from app.ui.text import show_as_text


class SupervisorWindow(QWidget):
    def __init__(self, services: Services, station: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)  # its own window even with a parent
        self.setObjectName("supervisor_window")
        self.setWindowTitle(self.tr("PackGate: supervisor's shipping summary"))
        self.services, self.station = services, station
        self.runner = TaskRunner(self)
        self.login = LoginForm(services, station, self.runner)
        self.dashboard = Dashboard(services, station, self.runner)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.login)
        self.stack.addWidget(self.dashboard)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.login.logged_in.connect(self._logged_in)
        self.resize(1200, 800)
        show_as_text(self)

    @property
    def supervisor(self) -> Supervisor | None:
        return self.dashboard.supervisor

    def _logged_in(self, supervisor: Supervisor, badge: str) -> None:
        self.stack.setCurrentWidget(self.dashboard)
        self.dashboard.start(supervisor, badge)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.dashboard.stop()
        self.runner.shutdown()  # no result may arrive for a closed window
        super().closeEvent(event)
