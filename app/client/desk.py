"""The supervisor's desk through the PackGate server (:class:`app.desk.port.SupervisorDesk`).

The station's token from enrolment, the same pinned certificate and HTTP client as the bench
(:mod:`app.client.remote`), and a desk session the server signs at the supervisor's login and
renews with every reply. Refusals come back as the same exceptions the in-process desk raises,
with the same translatable messages. Clips are played from a local cache they are downloaded into
(checked against their SHA-256); exports are written on this PC from the data the server returns.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from app.client.remote import (
    CERT_CHANGED,
    ServerLink,
    _client,
    _detail,
    cert_changed,
    peer_fingerprint,
    pin_mismatch,
)
from app.config import data_dir
from app.desk.port import ClipNotHere, DeskError, DeskSessionEnded
from app.errors import KnownError
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.imports.orders import ImportReport
from app.imports.products import ProductReport
from app.packing.auth import NotAuthorized, Supervisor
from app.packing.supervisor import ActionDone, ActionRefused
from app.packing.wire import from_plain
from app.reports.export import ShipmentRow
from app.reports.summary import Period

log = logging.getLogger(__name__)
API = "/api/v1/desk"
SESSION_HEADER = "X-Desk-Session"
T = QT_TRANSLATE_NOOP
UNREACHABLE = T("Outcome", "PackGate server unreachable ({error}): nothing was changed; try again when the connection is back")
NOT_ENROLLED = T("Outcome", "This bench is not enrolled at the server, or was revoked: {detail}")
MISMATCH = T("Outcome", "The clip {name} from the server does not match its SHA-256")
BAD_EXPORT = T("Outcome", "The server's evidence export could not be read: {error}")


class ServerUnreachable(DeskError):
    """The server did not answer, or not as the one this PC enrolled with: nothing was changed."""


def _unreachable(error: str) -> ServerUnreachable:
    return ServerUnreachable(Message(UNREACHABLE, {"error": error}))


def _period(period: Period) -> dict[str, str | None]:
    return {"start": period.start.isoformat() if period.start else None,
            "end": period.end.isoformat() if period.end else None}


class RemoteDesk:
    """Shared by the window's worker threads (httpx's connection pool is thread-safe); the long poll
    has a connection of its own."""

    def __init__(self, link: ServerLink, *, timeout: float = 20.0, cache_dir: Path | None = None) -> None:
        self.link = link
        self.station: str | None = link.station
        self.session: str | None = None
        self.cache_dir = cache_dir or data_dir() / "clip-cache"
        self._http = _client(link.server, link.fingerprint, timeout)

    # ------------------------------------------------------------------ who

    def login(self, badge: str, pin: str) -> Supervisor:
        return self._start("/login", badge, pin)

    def unlock_settings(self, badge: str, pin: str) -> Supervisor:
        return self._start("/settings-unlock", badge, pin)

    def _start(self, path: str, badge: str, pin: str) -> Supervisor:
        data = self._json("POST", path, {"badge": badge.strip(), "pin": pin})
        self.session = data["session"]
        return from_plain(Supervisor, data["supervisor"])

    def audit_settings(self, what: str, message: str) -> None:
        self._json("POST", "/settings-audit", {"what": what[:500], "message": message[:4000]})

    def site_settings(self) -> dict[str, Any]:
        return self._json("POST", "/site-settings", {})["settings"]

    def change_site_setting(self, key: str, value: Any) -> list:
        return self._json("POST", "/site-settings/set", {"key": key, "value": value})["change"]

    # ------------------------------------------------------------------ figures and orders

    def figures(self, period: Period, auto: bool = False) -> dict[str, Any]:
        return self._json("POST", "/figures", {**_period(period), "auto": auto})

    def order_details(self, order_no: str) -> dict[str, Any] | None:
        return self._json("POST", "/order", {"order_no": order_no})["details"]

    def run_action(self, kind: str, badge: str, pin: str, target: str, reason: str) -> ActionDone:
        data = self._json("POST", "/action", {"kind": kind, "badge": badge, "pin": pin, "target": target,
                                              "reason": reason})
        return from_plain(ActionDone, data)

    def retry_platform_job(self, job_id: int) -> bool:
        return bool(self._json("POST", "/platform-retry", {"job_id": job_id})["ok"])

    def shipments(self, period: Period) -> list[ShipmentRow]:
        return from_plain(list[ShipmentRow], self._json("POST", "/shipments", _period(period))["rows"])

    def import_file(self, kind: str, path: Path, profile: str = "") -> ProductReport | ImportReport:
        """Upload the file's bytes; the server runs the importer and answers its report."""
        path = Path(path)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise DeskError(Message(T("Outcome", "Cannot read {path}: {error}"),
                                    {"path": str(path), "error": exc.strerror or str(exc)})) from exc
        data = self._json("POST", "/import", content=content, params={"kind": kind, "name": path.name,
                                                                      "profile": profile or ""})
        return from_plain(ProductReport if kind == "products" else ImportReport, data["report"])

    # ------------------------------------------------------------------ evidence

    def find_clips(self, text: str) -> list[dict[str, Any]]:
        return self._json("POST", "/clips", {"text": text})["clips"]

    def _cached(self, clip: dict[str, Any]) -> Path:
        return self.cache_dir / f"{clip['id']}-{(clip.get('sha256') or 'nosha')[:16]}-{Path(clip['path']).name}"

    def local_clip(self, clip: dict[str, Any]) -> Path | None:
        path = self._cached(clip)
        return path if path.is_file() else None

    def fetch_clip(self, clip: dict[str, Any]) -> Path:
        target = self._cached(clip)
        if target.is_file():
            return target
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}.part")  # two downloads never share one
        digest = hashlib.sha256()
        with self._stream("GET", f"/clips/{clip['id']}/file") as r, open(part, "wb") as out:
            for chunk in r.iter_bytes(1 << 16):
                out.write(chunk)
                digest.update(chunk)
        if clip.get("sha256") and digest.hexdigest() != clip["sha256"]:
            part.unlink(missing_ok=True)
            raise ClipNotHere(Message(MISMATCH, {"name": Path(clip["path"]).name}))
        os.replace(part, target)
        return target

    def export_evidence(self, text: str, out_dir: Path) -> dict[str, Any]:
        """The server renders the sheet from its own copy of the clips; both are written here."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        archive = out_dir / ".evidence-download.zip"
        try:
            with self._stream("POST", "/evidence", {"text": text}) as r, open(archive, "wb") as out:
                for chunk in r.iter_bytes(1 << 16):
                    out.write(chunk)
            with zipfile.ZipFile(archive) as z:
                index = json.loads(z.read("export.json"))
                written = {}
                for name in [index["sheet"], *index["clips"]]:
                    safe = Path(name).name  # never outside the chosen folder
                    (out_dir / safe).write_bytes(z.read(name))
                    written[name] = str(out_dir / safe)
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise DeskError(Message(BAD_EXPORT, {"error": str(exc)})) from exc
        finally:
            archive.unlink(missing_ok=True)
        return {"order_no": index["order_no"], "sheet": written[index["sheet"]],
                "clips": [written[n] for n in index["clips"]], "not_uploaded": index.get("not_uploaded", [])}

    def flag_clips(self, text: str, badge: str, pin: str, reason: str, flagged: bool = True) -> int:
        return int(self._json("POST", "/flag", {"text": text, "badge": badge, "pin": pin, "reason": reason,
                                                "flagged": flagged})["clips"])

    # ------------------------------------------------------------------ push

    def version(self) -> str:
        return str(self._json("POST", "/version", {})["version"])

    def wait_for_change(self, since: str, timeout_s: float = 25, stop: threading.Event | None = None) -> str:
        """The server's long poll, on a connection of its own (the worker pool keeps the other)."""
        with _client(self.link.server, self.link.fingerprint, timeout_s + 10) as http:
            data = self._json("POST", "/wait", {"since": since, "timeout_s": timeout_s}, http=http)
        return str(data["version"])

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ plumbing

    def _headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.link.token}"}
        if self.session:
            headers[SESSION_HEADER] = self.session
        return headers

    def _json(self, method: str, path: str, body: dict | None = None, *, content: bytes | None = None,
              params: dict | None = None, http: httpx.Client | None = None) -> Any:
        http = http or self._http
        try:
            r = http.request(method, API + path, json=body if content is None else None, content=content,
                             params=params, headers=self._headers())
        except httpx.HTTPError as exc:
            mismatch = pin_mismatch(exc)
            if mismatch is not None:
                raise ServerUnreachable(cert_changed(mismatch)) from None
            raise _unreachable(type(exc).__name__) from exc
        self._check(r)
        return r.json()

    @contextmanager
    def _stream(self, method: str, path: str, body: dict | None = None):
        try:
            with self._http.stream(method, API + path, json=body, headers=self._headers()) as r:
                if r.status_code != 200:
                    r.read()
                self._check(r)
                yield r
        except httpx.HTTPError as exc:
            mismatch = pin_mismatch(exc)
            if mismatch is not None:
                raise ServerUnreachable(cert_changed(mismatch)) from None
            raise _unreachable(type(exc).__name__) from exc

    def _check(self, r: httpx.Response) -> None:
        """The pinned certificate, the renewed session, and the server's refusal as the domain's."""
        got = peer_fingerprint(r)
        if self.link.fingerprint and got != self.link.fingerprint:
            raise ServerUnreachable(Message(CERT_CHANGED.template, {"pinned": self.link.fingerprint[:16],
                                                                    "got": (got or "?")[:16]}))
        renewed = r.headers.get(SESSION_HEADER)
        if renewed:
            self.session = renewed
        if r.status_code == 200:
            return
        detail: Any
        try:
            detail = r.json().get("detail")
        except ValueError:
            detail = None
        info = detail if isinstance(detail, dict) else {"text": _detail(r)}  # a sentence, or a 422's issues
        kind, text = info.get("kind"), str(info.get("text") or f"HTTP {r.status_code}")
        if r.status_code == 401:
            raise ServerUnreachable(Message(NOT_ENROLLED, {"detail": text}))
        message = from_plain(Message, info["message"]) if isinstance(info.get("message"), dict) else Message(text)
        if kind == "not_authorized":
            raise NotAuthorized(message)
        if kind == "no_session":
            self.session = None
            raise DeskSessionEnded(message)
        if kind == "refused":
            raise ActionRefused(message)
        if kind == "not_here":
            raise ClipNotHere(message)
        if kind == "desk":
            raise DeskError(message)
        if r.status_code >= 500:
            raise _unreachable(f"HTTP {r.status_code}")
        if kind:  # the server's own KnownError (an import file it cannot read, ...): its text as it is
            raise KnownError(text)
        raise DeskError(Message(T("Outcome", "The server refused: {detail}"), {"detail": text}))
