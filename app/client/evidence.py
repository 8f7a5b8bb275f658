"""The bench's uploader: clip index rows and clips from the journal to the server's evidence store.

Runs on its own thread in the recorder process (never on the scan path, never on the UI thread).
For each clip in the journal (:mod:`app.evidence.journal`), oldest first: its index row is
delivered (again after every change), and once the clip is finished (``complete`` or
``interrupted``) the file is uploaded in chunks from the offset the server says it has, then its
SHA-256 is sent; only when the server answers that it verified the file and holds it in its store
does the bench delete its copy, its journal entry and its marks. A server that cannot be reached is
tried again with a growing pause (``retry_s`` doubling up to ``retry_max_s``); a bench restarted in
the middle finds its pending clips by scanning its evidence folder, and an upload cut half-way goes
on from the server's offset. A refused upload (checksum mismatch) keeps the bench's copy: it is
sent again if the copy still matches its own checksum, else it is kept and reported, never deleted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from app.client.remote import ServerLink, transport_for
from app.client.transport import ErrorKind, ServerFailure
from app.evidence import clipfile
from app.evidence.commands import ClipUploaded, RecorderProblem
from app.evidence.journal import RECORDING, ROW_KEYS, ClipJournal
from app.i18n import QT_TRANSLATE_NOOP, Message

log = logging.getLogger(__name__)
CHUNK = 4 * 1024 * 1024
INDEX_REFUSED = QT_TRANSLATE_NOOP("Outcome", "Clip {name} refused by the server ({detail}): kept on this bench")
DAMAGED_HERE = QT_TRANSLATE_NOOP(
    "Outcome", "Clip {name} is damaged on this bench (its SHA-256 changed): kept here, not uploaded")
UPLOAD_REFUSED = QT_TRANSLATE_NOOP("Outcome", "Upload of {name} refused by the server ({detail}): kept here, sent again")
IDLE_S = 60.0  # a look at the journal now and then even when nothing woke the uploader


class Unreachable(Exception):
    """No answer, a 5xx, or not the server enrolled with: try again later."""


class Refused(Exception):
    def __init__(self, status: int, detail: str, offset: int | None = None) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status, self.detail, self.offset = status, detail, offset


class EvidenceLink:
    """HTTP calls of the evidence routes, with the station token and the pinned certificate."""

    def __init__(self, link: ServerLink, timeout: float = 30.0) -> None:
        self.link = link
        self._transport = transport_for(link, timeout)  # the pin is checked at the TLS handshake

    def close(self) -> None:
        self._transport.close()

    def _call(self, method: str, path: str, **kw) -> dict:
        try:
            return self._transport.request(method, f"/api/v1/clips/{path}", **kw).json()
        except ServerFailure as failure:
            if failure.response is None:  # no answer, or another certificate: nothing was sent
                error = failure.error
                raise Unreachable(str(error or failure) or type(error).__name__) from error
            if failure.kind == ErrorKind.CERT_CHANGED:
                raise Unreachable("the server's certificate is not the one pinned at enrolment") from None
            if failure.status is not None and (failure.status >= 500 or failure.kind == ErrorKind.NOT_ENROLLED):
                # 401: revoked; keep every clip until IT sorts it out
                raise Unreachable(f"HTTP {failure.status}: {failure.detail}") from None
            body = failure.body
            offset = body.get("offset") if isinstance(body, dict) else None
            raise Refused(failure.status or 0, failure.detail, offset) from None

    def deliver(self, entry: dict) -> dict:
        return self._call("PUT", entry["key"], json={k: entry.get(k) for k in ROW_KEYS})

    def status(self, key: str) -> dict:
        return self._call("GET", f"{key}/upload")

    def send(self, key: str, offset: int, data: bytes) -> int:
        return int(self._call("PUT", f"{key}/upload", params={"offset": offset}, content=data,
                              headers={"Content-Type": "application/octet-stream"})["offset"])

    def discard(self, key: str) -> None:
        self._call("DELETE", f"{key}/upload")

    def done(self, key: str, sha256: str) -> str:
        return self._call("POST", f"{key}/upload/done", json={"sha256": sha256})["path"]


class Uploader(threading.Thread):
    """``on_event`` gets :class:`ClipUploaded` and :class:`RecorderProblem`; ``on_progress(key, offset,
    size)`` after every chunk the server took (tests and figures)."""

    def __init__(self, link: ServerLink, journal: ClipJournal, *, chunk: int = CHUNK, retry_s: float = 2.0,
                 retry_max_s: float = 300.0, on_event: Callable[[object], None] = lambda e: None,
                 on_progress: Callable[[str, int, int], None] = lambda k, o, s: None,
                 timeout: float = 30.0) -> None:
        super().__init__(name="evidence-upload", daemon=True)
        self.http = EvidenceLink(link, timeout)
        self.journal, self.chunk = journal, max(1024, int(chunk))
        self.retry_s, self.retry_max_s = retry_s, retry_max_s
        self.on_event, self.on_progress = on_event, on_progress
        self._wake = threading.Event()
        self._halt = threading.Event()
        self._delivered: dict[str, int] = {}  # key -> the journal revision the server has
        self._reported: set[str] = set()
        self.failures = 0  # passes in a row that could not reach the server

    # ------------------------------------------------------------------ control

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._halt.set()
        self._wake.set()
        if self.is_alive():
            self.join(timeout)
        self.http.close()

    @property
    def stopping(self) -> bool:
        return self._halt.is_set()

    def run(self) -> None:
        pause = self.retry_s
        while not self._halt.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Unreachable as exc:
                self.failures += 1
                log.info("evidence upload: server unreachable (%s); again in %.1f s", exc, pause)
                self._halt.wait(pause)  # a growing pause; a new clip does not cut it short
                pause = min(pause * 2, self.retry_max_s)
                continue
            except Exception:  # noqa: BLE001 - the uploader must outlive any one bad clip
                log.exception("evidence upload failed")
                self._halt.wait(pause)
                pause = min(pause * 2, self.retry_max_s)
                continue
            self.failures, pause = 0, self.retry_s
            self._wake.wait(IDLE_S)

    # ------------------------------------------------------------------ one pass

    def run_once(self) -> None:
        """Deliver every changed row, then upload every finished clip (raises Unreachable)."""
        self.deliver_rows()
        for entry in self.journal.entries():
            if self._halt.is_set():
                return
            if entry["state"] == RECORDING or entry.get("upload_refused"):
                continue
            self._upload(entry)

    def deliver_rows(self) -> None:
        for entry in self.journal.entries():
            if self._halt.is_set():
                return
            if self._delivered.get(entry["key"], -1) >= entry.get("rev", 0) or entry.get("upload_refused"):
                continue
            try:
                reply = self.http.deliver(entry)
            except Refused as exc:
                if exc.status != 403:
                    raise
                # not this bench's order (or waybill) at the server: kept here for a person, the other clips go on
                self.journal.set(entry, upload_refused=f"the server refused its index row: {exc.detail}")
                message = Message(INDEX_REFUSED, {"name": Path(entry["path"]).name, "detail": exc.detail})
                log.warning("%s", message.render())
                self.on_event(RecorderProblem(message.render(), message))
                continue
            self._delivered[entry["key"]] = entry.get("rev", 0)
            if reply.get("uploaded") and entry["state"] != RECORDING:
                self._confirmed(entry, reply.get("path") or "")  # verified before a restart: delete now

    def _upload(self, entry: dict) -> None:
        key, path = entry["key"], Path(entry["path"])
        if not path.exists():
            if entry["state"] != RECORDING:  # indexed "file missing": nothing to upload, the row is delivered
                self.journal.forget(entry)
            return
        status = self.http.status(key)
        if status["uploaded"]:
            self._confirmed(entry, status.get("path") or "")
            return
        size = path.stat().st_size
        offset = int(status["offset"])
        if offset > size:  # not this file's beginning: start again
            self.http.discard(key)
            offset = 0
        with open(path, "rb") as fh:
            while offset < size:
                if self._halt.is_set():
                    return
                if self._wake.is_set():  # a clip changed meanwhile: its row first (a few bytes)
                    self._wake.clear()
                    self.deliver_rows()
                fh.seek(offset)
                data = fh.read(self.chunk)
                try:
                    offset = self.http.send(key, offset, data)
                except Refused as exc:
                    if exc.status == 409 and exc.offset is not None and exc.offset <= size:
                        offset = int(exc.offset)  # the server has another amount: go on from there
                        continue
                    raise Unreachable(str(exc)) from exc
                self.on_progress(key, offset, size)
        try:
            server_path = self.http.done(key, entry["sha256"])
        except Refused as exc:
            self._refused(entry, exc)
            return
        self._confirmed(entry, server_path)

    def _confirmed(self, entry: dict, server_path: str) -> None:
        """The server verified the clip: now, and only now, the bench's copy goes."""
        self.journal.remove(entry)
        self._delivered.pop(entry["key"], None)
        log.info("clip of order %s is in the server's evidence store: %s", entry["order_no"], server_path)
        self.on_event(ClipUploaded(entry["key"], entry["order_no"], entry["path"], server_path, entry["sha256"]))

    def _refused(self, entry: dict, exc: Refused) -> None:
        path = Path(entry["path"])
        damaged = path.exists() and clipfile.sha256_file(path) != entry["sha256"]
        if damaged:  # the bench's own copy changed since it was recorded: keep it for a person to look at
            self.journal.set(entry, upload_refused=f"the bench's copy no longer matches its SHA-256: {exc.detail}")
            message = Message(DAMAGED_HERE, {"name": path.name})
        else:
            message = Message(UPLOAD_REFUSED, {"name": path.name, "detail": exc.detail})
        log.warning("%s", message.render())
        if entry["key"] not in self._reported or damaged:
            self._reported.add(entry["key"])
            self.on_event(RecorderProblem(message.render(), message))
        if not damaged:
            raise Unreachable(message.render())  # try again after a pause
