"""The one place that receives the scanner (qutebrowser's app-wide event filter, for a wedge scanner).

:class:`ScanFilter` is installed on the QApplication. While a key goes to a widget of the station
window, the filter takes every typed character, whatever has the focus, and emits ``scanned(str)``
once per scan when the suffix (Enter/Tab) arrives. ``typed(str)`` mirrors the keys collected so far
so the window can show them in its scan field. Keys going to other windows (settings dialog,
supervisor view) are left alone, so their text fields stay typeable.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.hardware.burst import BACKSPACE, ENTER, ESCAPE, TAB, ScanBurst

_SPECIAL = {
    Qt.Key.Key_Return: ENTER,
    Qt.Key.Key_Enter: ENTER,
    Qt.Key.Key_Tab: TAB,
    Qt.Key.Key_Backspace: BACKSPACE,
    Qt.Key.Key_Escape: ESCAPE,
}
_NOT_TYPING = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier


class ScanFilter(QObject):
    """Collect keystrokes sent to ``window`` into scans. Install with :meth:`install`."""

    scanned = Signal(str)
    typed = Signal(str)

    def __init__(self, window: QWidget, suffix: str = "enter", prefix: str = "") -> None:
        super().__init__(window)
        self._window = window
        self.burst = ScanBurst(suffix=suffix, prefix=prefix)
        self.enabled = True

    def install(self) -> None:
        QApplication.instance().installEventFilter(self)

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def configure(self, suffix: str, prefix: str) -> None:
        self.burst.suffix, self.burst.prefix = suffix, prefix

    def clear(self) -> None:
        self.burst.buffer = ""
        self.typed.emit("")

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        etype = event.type()
        if etype not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        # Only widgets of the station window; the QWindow sees the same key first: leave it be.
        if not self.enabled or not isinstance(obj, QWidget) or obj.window() is not self._window:
            return False
        assert isinstance(event, QKeyEvent)
        key = _SPECIAL.get(Qt.Key(event.key()))
        if key is None:
            text = event.text()
            if not text or not text.isprintable() or event.modifiers() & _NOT_TYPING:
                return False
        elif not self.burst.wants(key):
            return False
        if etype == QEvent.Type.ShortcutOverride:
            event.accept()  # keep the key from triggering a shortcut: it is ours
            return True
        if key is None:
            self.burst.feed_text(event.text())
            self.typed.emit(self.burst.buffer)
            return True
        scan = self.burst.feed_key(key)
        self.typed.emit(self.burst.buffer)
        if scan:
            self.scanned.emit(scan)
        return True
