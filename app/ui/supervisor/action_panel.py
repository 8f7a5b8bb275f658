"""The panel of one supervisor action: target, reason and the PIN typed again. Non-modal.

The action runs on the window's worker pool; a refusal (wrong PIN, no reason, wrong state) shows
inline in red and the panel stays open; success emits ``done(ActionDone)``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.desk.port import SupervisorDesk
from app.i18n import QT_TRANSLATE_NOOP
from app.packing.supervisor import ACTIONS, ActionDone
from app.ui.tasks import TaskRunner, error_text
from app.ui.text import show_as_text

TITLES = {
    "release_hold": QT_TRANSLATE_NOOP("Supervisor", "Release the hold of an order"),
    "cancel": QT_TRANSLATE_NOOP("Supervisor", "Cancel an order"),
    "unlink": QT_TRANSLATE_NOOP("Supervisor", "Unlink a wrong waybill (the order goes back to packing)"),
    "reopen_manifest": QT_TRANSLATE_NOOP("Supervisor", "Reopen a manifest the courier has not signed"),
    "attach_return": QT_TRANSLATE_NOOP("Supervisor", "Attach an unmatched return to its order (return waybill, order)"),
}


class ActionPanel(QWidget):
    done = Signal(object)  # ActionDone
    refused = Signal(str)

    def __init__(self, desk: SupervisorDesk, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.runner = desk, runner
        self.setObjectName("action_panel")
        self.kind: str | None = None
        self.badge = ""
        self.title = QLabel("")
        self.title.setStyleSheet("font-weight: bold;")
        self.target = QLineEdit()
        self.target.setObjectName("action_target")
        self.reason = QLineEdit()
        self.reason.setObjectName("action_reason")
        self.reason.setPlaceholderText(self.tr("Why? (kept in the audit trail)"))
        self.pin = QLineEdit()
        self.pin.setObjectName("action_pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("Your PIN, again"))
        self.confirm = QPushButton(self.tr("Confirm"))
        self.confirm.setObjectName("action_confirm")
        self.cancel = QPushButton(self.tr("Close"))
        self.result = QLabel("")
        self.result.setObjectName("action_result")
        self.result.setWordWrap(True)
        self.target_label = QLabel(self.tr("Order"))
        form = QFormLayout()
        form.addRow(self.target_label, self.target)
        form.addRow(self.tr("Reason"), self.reason)
        form.addRow(self.tr("PIN"), self.pin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm)
        buttons.addWidget(self.cancel)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        self.confirm.clicked.connect(self.submit)
        self.pin.returnPressed.connect(self.submit)
        self.cancel.clicked.connect(self.hide)
        self.hide()
        show_as_text(self)

    def ask(self, kind: str, badge: str, target: str = "") -> None:
        """Show the panel for action ``kind``; the PIN is always typed again."""
        self.kind, self.badge = kind, badge
        self.title.setText(QCoreApplication.translate("Supervisor", TITLES[kind]))
        self.target_label.setText(self.tr("Manifest") if ACTIONS[kind][1] == "manifest" else self.tr("Order"))
        self.target.setText(target)
        self.reason.clear()
        self.pin.clear()
        self.result.clear()
        self.confirm.setEnabled(True)
        self.show()
        (self.reason if target else self.target).setFocus()

    def submit(self) -> None:
        if self.kind is None:
            return
        kind, badge, pin = self.kind, self.badge, self.pin.text()
        target, reason = self.target.text().strip(), self.reason.text()
        desk = self.desk
        self.confirm.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText(self.tr("Working…"))
        self.runner.submit(lambda: desk.run_action(kind, badge, pin, target, reason),
                           self._done, self._refused)

    def _done(self, outcome: ActionDone) -> None:
        self.pin.clear()
        self.confirm.setEnabled(True)
        self.result.setStyleSheet("color: #2e7d32; font-weight: bold;")
        self.result.setText(outcome.message.render(self._translate))
        self.done.emit(outcome)

    def _refused(self, exc: BaseException) -> None:
        self.pin.clear()
        self.confirm.setEnabled(True)
        text = error_text(exc)
        self.result.setStyleSheet("color: #c62828; font-weight: bold;")
        self.result.setText(text)
        self.refused.emit(text)

    @staticmethod
    def _translate(context: str, text: str) -> str:
        from PySide6.QtCore import QCoreApplication

        return QCoreApplication.translate(context, text)
