"""The clip journal of a bench behind the PackGate server: each clip's index row in a JSON file beside it.

A bench behind the server has no database. Its recorder writes every change of a clip's index row
(created, a waybill linked, finished) into ``CLIP.mp4.json`` beside the clip, at once and atomically,
and the uploader (:mod:`app.client.evidence`) delivers the rows to the server and then the clip
itself. So a server that cannot be reached while a clip is recorded loses nothing: the journal
holds the row until it is delivered, and after a restart the pending clips are found again by
scanning the bench's evidence folder. A journal entry and its clip are removed only after the server
verified the clip's SHA-256.

:class:`JournalIndex` has the interface of :class:`app.evidence.index.ClipIndex` (``create``,
``add_waybill``, ``finish``, ``recover``), so the recorder does not know which one it writes to.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from app.evidence import clipfile
from app.fileutil import OWNER_ONLY, write_atomic

log = logging.getLogger(__name__)
SUFFIX = ".json"
RECORDING, COMPLETE, INTERRUPTED = "recording", "complete", "interrupted"
ROW_KEYS = ("order_no", "packer", "path", "started_at", "ended_at", "fps", "width", "height", "frames", "bytes",
            "sha256", "marks", "state", "end_reason", "waybills", "kind")


def sidecar(path: Path | str) -> Path:
    path = Path(path)
    return path.with_name(path.name + SUFFIX)


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


class ClipJournal:
    """The journal entries of one bench's clips under ``folder/BENCH/``. Thread-safe within a process
    (the recorder writes, the uploader reads and removes)."""

    def __init__(self, folder: Path | str, station: str) -> None:
        self.root = Path(folder) / clipfile.safe_part(station)
        self.station = station
        self.lock = threading.RLock()

    # ------------------------------------------------------------------ entries

    def write(self, entry: dict, *, previous_path: str | None = None) -> None:
        """Save ``entry`` beside its clip (its ``rev`` goes up); a renamed clip's old entry goes."""
        with self.lock:
            entry["rev"] = int(entry.get("rev", 0)) + 1
            data = json.dumps(entry, ensure_ascii=False, indent=1).encode()
            write_atomic(sidecar(entry["path"]), data, mode=OWNER_ONLY)
            if previous_path and previous_path != entry["path"]:
                _unlink(sidecar(previous_path))

    def entries(self) -> list[dict]:
        """Every entry on disk, the newest revision of each clip, oldest clip first."""
        found: dict[str, dict] = {}
        with self.lock:
            files = sorted(self.root.rglob("*.mp4" + SUFFIX)) if self.root.exists() else []
            for file in files:
                try:
                    entry = json.loads(file.read_text(encoding="utf-8"))
                    key = entry["key"]
                except (OSError, ValueError, KeyError, TypeError):
                    log.warning("unreadable clip journal %s: left as it is", file)
                    continue
                if key not in found or entry.get("rev", 0) > found[key].get("rev", 0):
                    found[key] = entry
        return sorted(found.values(), key=lambda e: (e.get("started_at") or "", e["key"]))

    def set(self, entry: dict, **values) -> dict:
        """Change a few fields of an entry on disk (the uploader's notes) and return it."""
        with self.lock:
            entry = {**entry, **values}
            self.write(entry)
            return entry

    def remove(self, entry: dict) -> None:
        """The server holds the clip (verified): the bench's copy, its journal and its marks go."""
        from app.evidence.index import drop_marks_file

        with self.lock:
            path = Path(entry["path"])
            _unlink(path)
            drop_marks_file(path)
            _unlink(sidecar(path))

    def forget(self, entry: dict) -> None:
        """Only the journal entry goes (its row is delivered and there is no file to upload)."""
        with self.lock:
            _unlink(sidecar(entry["path"]))

    def recover(self, now: datetime) -> list[dict]:
        """Clips left ``recording`` by a crash: repaired, measured and noted ``interrupted``."""
        from app.evidence.index import drop_marks_file, measure_interrupted

        recovered = []
        with self.lock:
            for entry in self.entries():
                if entry["state"] != RECORDING:
                    continue
                path = Path(entry["path"])
                values = measure_interrupted(path, datetime.fromisoformat(entry["started_at"]), entry["fps"])
                values["ended_at"] = _iso(values["ended_at"])
                entry.update(values)
                self.write(entry)
                drop_marks_file(path)
                recovered.append(entry)
                log.warning("clip of order %s was interrupted: noted as such (%s)", entry["order_no"], path)
        return recovered


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


class JournalIndex:
    """The recorder's clip index at a bench behind the server: the journal, then a nudge to the
    uploader (which never runs on the recorder's frame loop). Ids are this process's handles."""

    def __init__(self, journal: ClipJournal, wake: Callable[[], None] = lambda: None) -> None:
        self.journal, self.wake = journal, wake
        self.station = journal.station
        self._clips: dict[int, dict] = {}
        self._handles = itertools.count(1)

    def create(self, *, order_no: str, packer: str, path: Path, started_at: datetime, fps: int,
               width: int, height: int, waybills: tuple[str, ...] = (), kind: str = "packing") -> int:
        entry = {"kind": kind, "key": uuid.uuid4().hex, "station": self.station, "order_no": order_no, "packer": packer,
                 "path": str(path), "started_at": _iso(started_at), "ended_at": None, "fps": fps, "width": width,
                 "height": height, "frames": 0, "bytes": 0, "sha256": "", "marks": [], "state": RECORDING,
                 "end_reason": "", "waybills": list(dict.fromkeys(waybills)), "rev": 0}
        self.journal.write(entry)
        handle = next(self._handles)
        self._clips[handle] = entry
        self.wake()
        return handle

    def add_waybill(self, clip_id: int, waybill: str) -> None:
        entry = self._clips[clip_id]
        if waybill not in entry["waybills"]:
            entry["waybills"].append(waybill)
            self.journal.write(entry)
            self.wake()

    def finish(self, clip_id: int, **values) -> None:
        entry = self._clips.pop(clip_id)
        previous = entry["path"]
        entry.update({k: _iso(v) for k, v in values.items()})
        entry["path"] = str(entry["path"])
        self.journal.write(entry, previous_path=previous)
        self.wake()

    def recover(self, now: datetime) -> list[dict]:
        return self.journal.recover(now)

    def pending(self) -> tuple[int, int]:
        """Clips not yet verified by the server, and their bytes (the bench keeps every one)."""
        entries = self.journal.entries()
        return len(entries), sum(int(e.get("bytes") or 0) for e in entries)
