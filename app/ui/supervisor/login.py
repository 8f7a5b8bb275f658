"""The supervisor's login: badge and PIN, checked and audited by the desk (in-process or at the server).

Non-modal and inline: a packer's badge or a wrong PIN is refused in red and the form stays.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.desk.port import Supervisor, SupervisorDesk
from app.ui.tasks import TaskRunner, error_text
from app.ui.text import show_as_text


class LoginForm(QWidget):
    """Emits ``logged_in(Supervisor, badge)`` or ``refused(text)``."""

    logged_in = Signal(object, str)
    refused = Signal(str)

    def __init__(self, desk: SupervisorDesk, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.runner = desk, runner
        self.setObjectName("supervisor_login")
        title = QLabel(self.tr("Supervisor's shipping summary: scan or type your badge, then your PIN"))
        title.setWordWrap(True)
        self.badge = QLineEdit()
        self.badge.setObjectName("login_badge")
        self.pin = QLineEdit()
        self.pin.setObjectName("login_pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.button = QPushButton(self.tr("Open the summary"))
        self.button.setObjectName("login_button")
        self.error = QLabel("")
        self.error.setObjectName("login_error")
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Badge"), self.badge)
        form.addRow(self.tr("PIN"), self.pin)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.button)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.badge.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)
        show_as_text(self)

    def submit(self) -> None:
        badge, pin = self.badge.text().strip(), self.pin.text()
        if not badge:
            self._refuse(self.tr("Scan or type your badge"))
            return
        self.button.setEnabled(False)
        self.error.setText(self.tr("Checking…"))
        desk = self.desk

        def check() -> Supervisor:
            return desk.login(badge, pin)

        self.runner.submit(check, lambda sup: self._accepted(sup, badge), lambda exc: self._refuse(error_text(exc)))

    def _accepted(self, supervisor: Supervisor, badge: str) -> None:
        self.button.setEnabled(True)
        self.pin.clear()
        self.error.clear()
        self.logged_in.emit(supervisor, badge)

    def _refuse(self, text: str) -> None:
        self.button.setEnabled(True)
        self.pin.clear()
        self.error.setText(text)
        self.pin.setFocus()
        self.refused.emit(text)
