"""The bench's side of the PackGate server: enrolment, and a bench that scans through the server.

:class:`RemoteBench` is the bench's port (:class:`app.packing.bench_port.BenchPort`) through the
server, as :class:`~app.packing.workflow.BenchWorkflow` is in-process: the window does not know which
one it drives. Every scan gets an id; a lost reply is retried with the same id and the server answers
with the first outcome, so nothing is counted twice. Labels and manifests print here, on this bench's
printer, from the print request the server returned, with the embedded bench's own adapter
(:class:`app.packing.bench_printer.BenchPrinter`). An HTTPS server's certificate is pinned at enrolment: a changed one is refused
(:mod:`app.client.transport`, the one transport of the bench, the desk and the uploader).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from app.client.transport import (
    ErrorKind,
    ServerFailure,
    Transport,
    peer_fingerprint,
)
from app.client.transport import detail as _detail  # noqa: F401 - the server's refusal as one line (tests)
from app.config import config_dir
from app.errors import KnownError
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.packing.bench_printer import BenchPrinter
from app.packing.ewaybill_port import TakeAnswer
from app.packing.outcome import BenchView, Level, Outcome, Step
from app.packing.wire import from_plain
from app.printing.base import Printer

log = logging.getLogger(__name__)
T = QT_TRANSLATE_NOOP
LINK_FILE = "server.json"
SERVER_UNREACHABLE = Message(T("Outcome", "PackGate server unreachable: this scan was NOT saved. Scan it again when the connection is back."))


class ServerError(KnownError):
    """The server refused, could not be reached, or is not the one this bench enrolled with."""


@dataclass(frozen=True)
class ServerLink:
    """What enrolment stored in the bench's config folder (owner-only file)."""

    server: str
    station: str
    token: str
    fingerprint: str | None = None  # SHA-256 of the server certificate (HTTPS)

    @classmethod
    def load(cls, folder: Path | None = None) -> ServerLink | None:
        path = (folder or config_dir()) / LINK_FILE
        if not path.exists():
            return None
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            raise ServerError(f"Cannot read {path}: {exc}; enrol this bench again") from exc

    def save(self, folder: Path | None = None) -> Path:
        folder = folder or config_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LINK_FILE
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # the token is a secret
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(self.__dict__, out)
        os.replace(tmp, path)
        return path


def enrol(server: str, station: str, code: str, *, timeout: float = 10.0) -> ServerLink:
    """Trade the one-time code for the station's token; pin the server's certificate (HTTPS)."""
    if not server.startswith(("http://", "https://")):
        raise ServerError(f"--server {server!r}: give the URL, e.g. https://192.168.1.10:8650")
    try:
        with Transport(server, timeout=timeout) as transport:  # no pin yet: read off the connection
            r = transport.request("POST", "/api/v1/enrol", json={"station": station, "code": code})
            fingerprint = peer_fingerprint(r)
    except ServerFailure as failure:
        if failure.response is None:
            raise ServerError(f"Cannot reach the PackGate server at {server}: {failure.error}") from failure.error
        raise ServerError(f"The server refused the enrolment: {failure.detail}") from None
    return ServerLink(server.rstrip("/"), station, r.json()["token"], fingerprint)


def transport_for(link: ServerLink, timeout: float) -> Transport:
    """The transport of an enrolled bench: its server, its pinned certificate, its station token."""
    return Transport(link.server, fingerprint=link.fingerprint, token=link.token, timeout=timeout)


class RemoteBench:
    """One bench through the PackGate server. Not thread-safe: one scan at a time (the scan worker)."""

    offline_notice = T("StationWindow", "PackGate server unreachable \u2014 scans are refused, reconnecting\u2026")

    def __init__(self, link: ServerLink, printer: Printer, *, timeout: float = 10.0) -> None:
        self.link = link
        self.station_name = link.station
        self.printer = printer
        self.printing = BenchPrinter(lambda: self.printer, self)  # e-waybills: the server takes the number
        self.session: str | None = None
        self._transport = transport_for(link, timeout)  # every call, one keep-alive connection
        self._last_view = BenchView(station=link.station, step=Step.LOGIN)

    # ------------------------------------------------------------------ the bench interface

    def handle(self, raw: str) -> Outcome:
        scan_id = uuid.uuid4().hex
        try:
            data = self._post("/api/v1/scan", {"scan_id": scan_id, "raw": raw, "session": self.session,
                                               "printer": getattr(self.printer, "spec", None)})
        except _Refusal as refusal:
            return Outcome(False, Level.REFUSED, refusal.message, "offline", self._last_view, raw=raw)
        outcome = replace(self._accept(data), raw=raw)
        self._last_view = outcome.view
        if outcome.print_request is not None:
            outcome = self.printing.carry_out(outcome, self)
            self._last_view = outcome.view
        return outcome

    def report_progress(self, callback) -> None:
        """Shown while an e-waybill is taken and printed (see :class:`BenchPrinter`)."""
        self.printing.progress = callback

    def view(self) -> BenchView:
        try:
            data = self._post("/api/v1/view", {"session": self.session})
        except _Refusal:
            return self._last_view
        self.session = data["session"]
        self._last_view = from_plain(BenchView, data["view"])
        return self._last_view

    def watch(self) -> Outcome | None:
        """A notice of what changed behind this bench's back (a supervisor's take-back, an unlink)."""
        try:
            data = self._post("/api/v1/watch", {"session": self.session})
        except _Refusal:
            return None
        self.session = data["session"]
        if data.get("outcome") is None:
            return None
        outcome = from_plain(Outcome, data["outcome"])
        self._last_view = outcome.view
        return outcome

    def wait_for_change(self, timeout_s: float = 25) -> bool:
        """Block (on its own connection: call it from another thread) until the server says something
        changed behind this bench's back, or ``timeout_s`` passed; False also when unreachable."""
        with self._transport.another(timeout_s + 10) as transport:
            try:
                r = transport.request("POST", "/api/v1/wait", json={"session": self.session, "timeout_s": timeout_s})
            except ServerFailure:
                return False
        return r.status_code == 200 and bool(r.json().get("changed"))

    def reachable(self) -> bool:
        try:
            return self._transport.request("GET", "/api/v1/health").status_code == 200
        except ServerFailure:
            return False

    @property
    def last_view(self) -> BenchView:
        return self._last_view

    @property
    def logged_in(self) -> bool:
        return self._last_view.user_name is not None

    def close(self) -> None:
        self._transport.close()

    # ------------------------------------------------------------------ what the bench's printer reports

    def label_failed(self, order_id: int, seq: int, reprint: bool, error: str) -> Outcome:
        """Recorded by the server, in one transaction; unreachable, the Outcome says so instead."""
        try:
            data = self._post("/api/v1/label-failed", {"session": self.session, "order_id": order_id, "seq": seq,
                                                       "reprint": reprint, "error": error[:500]})
        except _Refusal as refusal:
            return Outcome(False, Level.WARNING, refusal.message, "print", self._last_view)
        return self._accept(data)

    def take(self, order_id: int, seq: int) -> TakeAnswer:
        """The parcel's e-waybill, taken by the server from the platform (the bench prints it)."""
        try:
            data = self._post("/api/v1/ewaybill/take", {"session": self.session, "order_id": order_id, "seq": seq})
        except _Refusal as refusal:
            return TakeAnswer(False, message=refusal.message.render(), kind="retry")
        return TakeAnswer(bool(data.get("ok")), str(data.get("waybill_code") or ""), str(data.get("print_data") or ""),
                          str(data.get("message") or ""), str(data.get("kind") or "ok"))

    def ewaybill_printed(self, order_id: int, seq: int, waybill_code: str, detail: str) -> Outcome:
        """Recorded by the server (the parcel moves to its waybill scan)."""
        try:
            data = self._post("/api/v1/ewaybill/printed", {"session": self.session, "order_id": order_id, "seq": seq,
                                                          "waybill_code": waybill_code, "detail": detail[:500]})
        except _Refusal as refusal:
            return Outcome(False, Level.WARNING, refusal.message, "print", self._last_view)
        return self._accept(data)

    def ewaybill_failed(self, order_id: int, seq: int, error: str, *, refused: bool) -> Outcome:
        try:
            data = self._post("/api/v1/ewaybill/failed", {"session": self.session, "order_id": order_id, "seq": seq,
                                                         "error": error[:2000], "refused": refused})
        except _Refusal as refusal:
            return Outcome(False, Level.REFUSED, refusal.message, "print", self._last_view)
        return self._accept(data)

    def manifest_printed(self, manifest_id: int, ok: bool, detail: str) -> None:
        """Audited by the server, naming this bench's printer; best effort (the manifest is closed)."""
        try:
            self._post("/api/v1/printed", {"session": self.session, "manifest_id": manifest_id, "ok": ok,
                                           "detail": detail[:500], "printer": (getattr(self.printer, "spec", None) or "")[:500] or None})
        except _Refusal:
            pass

    # ------------------------------------------------------------------ plumbing

    def _post(self, path: str, body: dict) -> dict:
        """POST with the station token; the same body again after a lost reply (idempotent)."""
        try:
            return self._transport.request("POST", path, json=body, idempotent=True).json()
        except ServerFailure as failure:
            if failure.kind in (ErrorKind.UNREACHABLE, ErrorKind.SERVER_ERROR, ErrorKind.DATABASE_UNREACHABLE):
                log.warning("server unreachable: %s", failure.error or failure)
                raise _Refusal(SERVER_UNREACHABLE) from None
            raise _Refusal(failure.message) from None  # a changed certificate, not enrolled, or refused

    def _accept(self, data: dict) -> Outcome:
        self.session = data["session"]
        return from_plain(Outcome, data["outcome"])


class _Refusal(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message.render())
        self.message = message
