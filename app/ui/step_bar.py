"""Order -> Verify -> Pack -> Label -> Waybill -> Done; Done stays locked until the waybill is linked."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.packing.outcome import STEP_BAR, BenchView, Step

LOCK = "\U0001f512"
CHECK = "\u2714"
_BASE = "border-radius: 6px; padding: 6px 14px; font-size: 18pt;"
STYLES = {
    "done": _BASE + "background: #c8e6c9; color: #1b5e20;",
    "current": _BASE + "background: #1565c0; color: white; font-weight: bold;",
    "todo": _BASE + "background: #eeeeee; color: #616161;",
    "locked": _BASE + "background: #e0e0e0; color: #9e9e9e;",
    "complete": _BASE + "background: #2e7d32; color: white; font-weight: bold;",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Outcome", text)


class StepBar(QWidget):
    """One label per step; each label's ``state`` property says how it is drawn (tests read it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.labels: list[QLabel] = []
        for i, (_name, _steps) in enumerate(STEP_BAR):
            if i:
                arrow = QLabel("\u2192")
                arrow.setStyleSheet("font-size: 18pt; color: #9e9e9e;")
                layout.addWidget(arrow)
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label, 1)
            self.labels.append(label)
        self.set_view(None)

    @property
    def done_label(self) -> QLabel:
        return self.labels[-1]

    def states(self) -> list[str]:
        return [label.property("state") for label in self.labels]

    def set_view(self, view: BenchView | None) -> None:
        step = view.step if view else Step.LOGIN
        complete = bool(view and view.completed_order and step == Step.ORDER)
        current = next((i for i, (_, steps) in enumerate(STEP_BAR) if step in steps), None)
        in_order = current is not None and step != Step.ORDER
        for i, (name, _steps) in enumerate(STEP_BAR):
            last = i == len(STEP_BAR) - 1
            if last:
                state = "complete" if complete else "locked"
                text = f"{CHECK} {_tr(name)}" if complete else f"{LOCK} {_tr(name)}"
            else:
                if complete:
                    state = "done"
                elif current is None:
                    state = "todo"
                elif i < current:
                    state = "done"
                elif i == current:
                    state = "current" if (in_order or step == Step.ORDER) else "todo"
                else:
                    state = "todo"
                text = (f"{CHECK} " if state == "done" else "") + _tr(name)
            label = self.labels[i]
            label.setProperty("state", state)
            label.setText(text)
            label.setStyleSheet(STYLES[state])
