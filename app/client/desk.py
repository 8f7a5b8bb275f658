"""The supervisor's desk through the PackGate server (:class:`app.desk.port.SupervisorDesk`).

The station's token from enrolment, the same pinned certificate and transport as the bench
(:mod:`app.client.transport`: reads are tried again after no answer, changes never), and a desk
session the server signs at the supervisor's login and renews with every reply. Refusals come back as the same exceptions the in-process desk raises,
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

from app.client.remote import ServerLink, transport_for
from app.client.transport import NOT_ENROLLED, REFUSED, UNREACHABLE, ErrorKind, ServerFailure, Transport
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
        self._transport = transport_for(link, timeout)

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
        return self._json("POST", "/site-settings", {}, idempotent=True)["settings"]

    def change_site_setting(self, key: str, value: Any) -> list:
        return self._json("POST", "/site-settings/set", {"key": key, "value": value})["change"]

    # ------------------------------------------------------------------ figures and orders

    def figures(self, period: Period, auto: bool = False) -> dict[str, Any]:
        return self._json("POST", "/figures", {**_period(period), "auto": auto}, idempotent=True)

    def order_details(self, order_no: str) -> dict[str, Any] | None:
        return self._json("POST", "/order", {"order_no": order_no}, idempotent=True)["details"]

    def run_action(self, kind: str, badge: str, pin: str, target: str, reason: str) -> ActionDone:
        data = self._json("POST", "/action", {"kind": kind, "badge": badge, "pin": pin, "target": target,
                                              "reason": reason})
        return from_plain(ActionDone, data)

    def retry_platform_job(self, job_id: int) -> bool:
        return bool(self._json("POST", "/platform-retry", {"job_id": job_id})["ok"])

    def shipments(self, period: Period) -> list[ShipmentRow]:
        return from_plain(list[ShipmentRow], self._json("POST", "/shipments", _period(period), idempotent=True)["rows"])

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
        return self._json("POST", "/clips", {"text": text}, idempotent=True)["clips"]

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
        return str(self._json("POST", "/version", {}, idempotent=True)["version"])

    def wait_for_change(self, since: str, timeout_s: float = 25, stop: threading.Event | None = None) -> str:
        """The server's long poll, on a connection of its own (the worker pool keeps the other)."""
        with self._transport.another(timeout_s + 10) as transport:
            data = self._json("POST", "/wait", {"since": since, "timeout_s": timeout_s}, transport=transport)
        return str(data["version"])

    def close(self) -> None:
        self._transport.close()

    # ------------------------------------------------------------------ plumbing

    def _headers(self) -> dict[str, str]:
        return {SESSION_HEADER: self.session} if self.session else {}

    def _json(self, method: str, path: str, body: dict | None = None, *, content: bytes | None = None,
              params: dict | None = None, transport: Transport | None = None, idempotent: bool = False) -> Any:
        try:
            r = (transport or self._transport).request(
                method, API + path, json=body if content is None else None, content=content, params=params,
                headers=self._headers(), idempotent=idempotent)
        except ServerFailure as failure:
            raise self._refusal(failure) from None
        self._renewed(r)
        return r.json()

    @contextmanager
    def _stream(self, method: str, path: str, body: dict | None = None):
        try:
            with self._transport.stream(method, API + path, json=body, headers=self._headers()) as r:
                self._renewed(r)
                yield r
        except ServerFailure as failure:
            raise self._refusal(failure) from None

    def _renewed(self, r: httpx.Response) -> None:
        renewed = r.headers.get(SESSION_HEADER)
        if renewed:
            self.session = renewed

    def _refusal(self, failure: ServerFailure) -> Exception:
        """The server's refusal as the domain's exception (the desk's own kinds first, then the table's)."""
        if failure.kind == ErrorKind.CERT_CHANGED or failure.response is None:  # another certificate, no answer
            return ServerUnreachable(failure.message)
        self._renewed(failure.response)
        detail = (failure.body or {}).get("detail") if isinstance(failure.body, dict) else None
        info = detail if isinstance(detail, dict) else {"text": failure.detail}  # a sentence, or a 422's issues
        kind, text = info.get("kind"), str(info.get("text") or f"HTTP {failure.status}")
        if failure.kind == ErrorKind.NOT_ENROLLED:
            return ServerUnreachable(Message(NOT_ENROLLED, {"detail": text}))
        message = from_plain(Message, info["message"]) if isinstance(info.get("message"), dict) else Message(text)
        if kind == "not_authorized":
            return NotAuthorized(message)
        if kind == "no_session":
            self.session = None
            return DeskSessionEnded(message)
        if kind == "refused":
            return ActionRefused(message)
        if kind == "not_here":
            return ClipNotHere(message)
        if kind == "desk":
            return DeskError(message)
        if failure.status is not None and failure.status >= 500:
            return _unreachable(f"HTTP {failure.status}")
        if kind:  # the server's own KnownError (an import file it cannot read, ...): its text as it is
            return KnownError(text)
        return DeskError(Message(REFUSED, {"detail": text}))
