"""Order -> Verify -> Pack -> Label -> Waybill -> Done; Done stays locked until the waybill is linked."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.packing.outcome import STEP_BAR, BenchView, Step

CHECK = "\u2714"
LOCK_ROOM = "\u2003"  # an em space at the start of a locked step's text, where the padlock is painted
LOCK_COLOUR = QColor("#616161")
_BASE = "border-radius: 6px; padding: 6px 14px; font-size: 18pt;"
STYLES = {
    "done": _BASE + "background: #c8e6c9; color: #1b5e20;",
    "current": _BASE + "background: #1565c0; color: white; font-weight: bold;",
    "todo": _BASE + "background: #eeeeee; color: #616161;",
    "locked": _BASE + "background: #e0e0e0; color: #757575;",
    "complete": _BASE + "background: #2e7d32; color: white; font-weight: bold;",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Outcome", text)


def paint_lock(painter: QPainter, rect: QRectF, colour: QColor) -> None:
    """A padlock drawn with lines, so it shows on any machine (no font has to carry U+1F512)."""
    w, h = rect.width(), rect.height()
    body = QRectF(rect.left(), rect.top() + h * 0.45, w, h * 0.55)
    shackle = QRectF(rect.left() + w * 0.2, rect.top(), w * 0.6, h * 0.75)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour, max(2.0, w * 0.16))
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath()
    path.moveTo(shackle.left(), body.top())
    path.lineTo(shackle.left(), shackle.top() + shackle.width() / 2)
    path.arcTo(QRectF(shackle.left(), shackle.top(), shackle.width(), shackle.width()), 180, -180)
    path.lineTo(shackle.right(), body.top())
    painter.drawPath(path)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(body, w * 0.12, w * 0.12)
    painter.restore()


class StepLabel(QLabel):
    """One step of the bar; a locked step draws a padlock to the left of its name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.locked = False
        self._widest = self._widest_min = 0

    # A step's width only grows: its check mark or bold text coming and going after a scan moves no
    # other step (the bar is not laid out and painted again at every scan).
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        self._widest = max(self._widest, hint.width())
        return QSize(self._widest, hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        self._widest_min = max(self._widest_min, hint.width())
        return QSize(self._widest_min, hint.height())

    def lock_rect(self) -> QRectF:
        """Where the padlock goes: in the em space that starts the centred text, cap-height tall."""
        metrics = self.fontMetrics()
        size = metrics.capHeight() * 1.3
        width = min(size * 0.8, metrics.horizontalAdvance(LOCK_ROOM))
        centre = QRectF(self.rect()).center()  # the stylesheet's padding is the same on both sides
        left = centre.x() - metrics.horizontalAdvance(self.text()) / 2
        return QRectF(left, centre.y() - size / 2, width, size)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if self.locked:
            painter = QPainter(self)
            paint_lock(painter, self.lock_rect(), LOCK_COLOUR)
            painter.end()


class StepBar(QWidget):
    """One label per step; each label's ``state`` property says how it is drawn (tests read it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.labels: list[StepLabel] = []
        for i, (_name, _steps) in enumerate(STEP_BAR):
            if i:
                arrow = QLabel("\u2192")
                arrow.setStyleSheet("font-size: 18pt; color: #9e9e9e;")
                layout.addWidget(arrow)
            label = StepLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label, 1)
            self.labels.append(label)
        self.set_view(None)

    @property
    def done_label(self) -> StepLabel:
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
                text = f"{CHECK} {_tr(name)}" if complete else f"{LOCK_ROOM} {_tr(name)}"
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
            label.locked = state == "locked"
            # After each scan most steps stay as they were: a label is only touched (re-polished,
            # relaid, repainted) when its state or text changed.
            if label.property("state") != state:
                label.setProperty("state", state)
                label.setStyleSheet(STYLES[state])
            if label.text() != text:
                label.setText(text)
