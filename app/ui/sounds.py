"""The three bench sounds: accepted, refused, order complete (WAVs in resources/sounds/).

The window is handed a sound player; tests hand it :class:`RecordingSounds` and assert which
sound played. :class:`QtSounds` loads QSoundEffects lazily, so a machine with sounds off (or a test
run) never opens an audio device, and a machine without one just stays quiet.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QObject, QUrl

from app.config import resource_file

log = logging.getLogger(__name__)
SOUND_NAMES = ("accept", "refuse", "complete")


def sound_path(name: str):
    return resource_file("sounds", f"{name}.wav")


class Sounds(Protocol):
    muted: bool

    def play(self, name: str | None) -> None: ...


class RecordingSounds:
    """A stand-in that records what would have played (tests, benchmarks)."""

    def __init__(self, muted: bool = False) -> None:
        self.muted = muted
        self.played: list[str] = []

    def play(self, name: str | None) -> None:
        if name and not self.muted:
            self.played.append(name)


class QtSounds(QObject):
    """QSoundEffect per sound, created on first use."""

    def __init__(self, muted: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.muted = muted
        self._effects: dict = {}

    def play(self, name: str | None) -> None:
        if not name or self.muted or name not in SOUND_NAMES:
            return
        effect = self._effects.get(name)
        if effect is None:
            from PySide6.QtMultimedia import QSoundEffect  # imported late: only benches with sound load it

            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(sound_path(name))))
            effect.setVolume(1.0)
            self._effects[name] = effect
        effect.play()
