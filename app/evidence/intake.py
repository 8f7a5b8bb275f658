"""The server's intake of a bench's clips: each call one unit of work over :mod:`app.evidence.store`.

The routes (:mod:`app.server.evidence_api`) only translate; the station is the one of the token,
never a field of the body. The store's refusals (``NotTheBenchs``, ``NoSuchClip``, ``NotReady``,
``NoRoom``, ``OffsetMismatch``, ``ChecksumMismatch``) pass through to them unchanged.
"""

from __future__ import annotations

from typing import Any

from app.evidence.store import EvidenceStore, put_clip
from app.packing.ports import Services


class ClipIntake:
    """A bench's clip index rows and resumable uploads into the server's evidence ``store``."""

    def __init__(self, services: Services, store: EvidenceStore) -> None:
        self.services, self.store = services, store

    def deliver(self, station: str, key: str, row: dict[str, Any]) -> dict[str, Any]:
        """The clip's index row (idempotent; an older state never wins)."""
        with self.services.uow() as uow:
            return put_clip(uow.session, station, key, row)

    def offset(self, station: str, key: str) -> dict[str, Any]:
        """``{"offset", "uploaded", "path"}``: the bytes the server has of the clip."""
        with self.services.read_uow() as uow:
            return self.store.offset(uow.session, station, key)

    def append(self, station: str, key: str, offset: int, data: bytes) -> int:
        """The next chunk at exactly the server's ``offset``; the new offset."""
        with self.services.read_uow() as uow:
            return self.store.append(uow.session, station, key, offset, data)

    def discard(self, station: str, key: str) -> None:
        """Forget a partial upload (the bench starts again from 0)."""
        self.store.discard(station, key)

    def verify(self, station: str, key: str, sha256: str) -> str:
        """The clip's path in the store once the whole file matches the bench's ``sha256``."""
        return self.store.verify(self.services.uow, station, key, sha256, self.services.clock())
