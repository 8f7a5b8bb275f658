"""Translatable messages without Qt.

Domain code marks every operator-visible string with ``QT_TRANSLATE_NOOP("Outcome", "...")`` so
``pyside6-lupdate`` extracts it into ``resources/translations/*.ts``; the window translates the
English source with ``QCoreApplication.translate`` and then fills in the parameters. The CLI
prints the English text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CONTEXT = "Outcome"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Mark ``text`` for translation in ``context``; returns it unchanged."""
    return text


@dataclass(frozen=True)
class Message:
    """An English template (also the translation key) and its parameters."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, translate: Callable[[str, str], str] | None = None) -> str:
        template = translate(CONTEXT, self.template) if translate else self.template
        try:
            return template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            # A broken translation must never hide the message: fall back to English.
            return self.template.format(**self.params)

    def __str__(self) -> str:
        return self.render()
