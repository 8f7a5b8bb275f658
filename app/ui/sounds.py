"""The three bench sounds: accepted, refused, order complete (WAVs in resources/sounds/).

The window is handed a sound player; tests hand it :class:`RecordingSounds` and assert which
sound played. :class:`QtSounds` loads QSoundEffects lazily, so a machine with sounds off (or a test
run) never opens an audio device, and a machine without one just stays quiet.

Sound is best effort: a sound that cannot play (Qt Multimedia's audio back end missing, e.g. no
``libpulse.so.0``; a broken sound stack) is logged once, reported once by ``unavailable(str)`` for a
quiet note on the bench, and never raised into the scan path.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QObject, QUrl, Signal

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
    """QSoundEffect per sound, created on first use. ``unavailable(reason)`` once if sound cannot play."""

    unavailable = Signal(str)

    def __init__(self, muted: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.muted = muted
        self._effects: dict = {}
        self.broken: str | None = None  # why sound cannot play on this PC; then it stays quiet

    def play(self, name: str | None) -> None:
        if not name or self.muted or name not in SOUND_NAMES or self.broken is not None:
            return
        try:
            self._play(name)
        except Exception as exc:  # noqa: BLE001 - any failure of the sound stack: best effort, said once
            self.broken = f"{type(exc).__name__}: {exc}"
            log.warning("sound cannot play, the bench stays quiet: %s", self.broken, exc_info=True)
            self.unavailable.emit(self.broken)

    def _play(self, name: str) -> None:
        effect = self._effects.get(name)
        if effect is None:
            from PySide6.QtMultimedia import QSoundEffect  # imported late: only benches with sound load it

            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(sound_path(name))))
            effect.setVolume(1.0)
            self._effects[name] = effect
        effect.play()
