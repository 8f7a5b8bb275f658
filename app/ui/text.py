"""Shop data and scans are shown as text, never as markup.

A ``QLabel`` (and a ``QMessageBox``) guesses rich text from its content: a buyer's note
``<span style='font-size:40pt'>VERIFIED</span>`` or a scanned ``<table bgcolor=green>`` would be
drawn as markup. Every screen calls :func:`show_as_text` on itself once its labels exist; line
breaks (an address's) are kept, because plain text keeps ``\\n``. :func:`render` is the one way a
message (an Outcome's, an error's) becomes that text, in the operator's language.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def show_as_text(widget: QWidget) -> QWidget:
    """Make ``widget`` (if it is a label or message box) and every label inside it plain text."""
    if isinstance(widget, QLabel | QMessageBox):
        widget.setTextFormat(Qt.TextFormat.PlainText)
    for label in widget.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def render(message) -> str:
    """``message`` (an :class:`app.i18n.Message`) as text, translated."""
    return message.render(lambda ctx, s: QCoreApplication.translate(ctx, s))
