"""PySide6 6.12 on Python 3.11 drops references to None/True on Qt calls: a shift must not crash."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

import app.ui  # noqa: F401 - applies the guard


class _Source(QObject):
    value = Signal(object)


def test_a_shift_of_qt_calls_does_not_kill_the_interpreter(qtbot):
    # More void calls and emits than None/True have references on a bare Python 3.11.
    label = QLabel()
    qtbot.addWidget(label)
    source = _Source()
    got = []
    source.value.connect(got.append)
    for i in range(200_000):
        label.setText("x")
        source.value.emit(i)
    assert len(got) == 200_000
