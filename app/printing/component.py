"""The platforms' print components: small programs on the bench PC that take print jobs over a local
WebSocket and render the platform's (encrypted) e-waybill data. PDD's listens on ``ws://127.0.0.1:5000``
(``wss://127.0.0.1:18653``), Cainiao's on ``ws://localhost:13528``.

Both speak one protocol family (as gavin-hao/ec-print ``src/providers/pinduoduo.ts`` and
``cainiao.ts`` use it): every message ``{cmd, requestID, version: "1.0", ...}``; ``getPrinters`` ->
``{printers: [{name}], defaultPrinter}``; ``print`` with ``task`` {``taskID``, ``printer``,
``preview``, ``documents`` [{``documentID``, ``contents`` [...]}]} -> ``{taskID, status}``; then the
asynchronous result of the task: PDD's ``PrintResultNotify``, Cainiao's ``notifyPrintResult``
(``taskStatus`` printed / failed / rendered, ``printStatus`` [{``documentID``, ``status``, ``msg``}]).
Cainiao also answers ``getTaskStatus`` {``taskID`` [ids]} -> ``printStatus`` [{``taskID``,
``printed``}], asked when no notification came.

:class:`PrintComponent` keeps one connection and reconnects once per call when the component was
restarted; its errors are :class:`~app.errors.PrinterError` (the operator's to fix).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import ConfigError, PrinterError
from app.printing.ewaybill import EwaybillData

KINDS = {"pddprint": "pdd", "cainiao": "cainiao"}
DEFAULT_URLS = {"pdd": "ws://127.0.0.1:5000", "cainiao": "ws://127.0.0.1:13528"}
NOTIFY_CMDS = {"pdd": "PrintResultNotify", "cainiao": "notifyPrintResult"}
VERSION = "1.0"


@dataclass(frozen=True)
class ComponentSpec:
    kind: str  # pdd or cainiao
    printer: str
    url: str

    @property
    def spec(self) -> str:
        prefix = next(k for k, v in KINDS.items() if v == self.kind)
        return f"{prefix}:{self.printer}@{self.url}"


def parse_component_spec(spec: str) -> ComponentSpec | None:
    """``pddprint:PRINTER[@ws://HOST:PORT]`` or ``cainiao:PRINTER[@ws://...]``; None for other printers."""
    prefix, sep, rest = spec.strip().partition(":")
    kind = KINDS.get(prefix)
    if kind is None or not sep:
        return None
    printer, at, url = rest.partition("@")
    if at and not url.startswith(("ws://", "wss://")):
        raise ConfigError(f"Printer {spec!r}: the component's address must be ws://HOST:PORT or wss://HOST:PORT")
    return ComponentSpec(kind, printer.strip(), url.strip() or DEFAULT_URLS[kind])


def component_for(kind: str, url: str | None = None) -> ComponentSpec:
    if kind not in DEFAULT_URLS:
        raise ConfigError(f"unknown print component {kind!r}: pdd or cainiao")
    return ComponentSpec(kind, "", url or DEFAULT_URLS[kind])


@dataclass(frozen=True)
class TaskResult:
    task_id: str
    printed: bool
    message: str = ""


class PrintComponent:
    """A client of one print component. Thread-safe: one request at a time."""

    def __init__(self, spec: ComponentSpec, *, timeout: float = 10.0,
                 connect: Callable[..., Any] | None = None, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.spec = spec
        self.timeout = timeout
        self._connect = connect
        self._monotonic = monotonic
        self._ws: Any = None
        self._lock = threading.Lock()
        self._results: dict[str, TaskResult] = {}  # notifications that came while waiting for something else
        self.reconnects = 0

    # ------------------------------------------------------------------ the connection

    def _open(self) -> Any:
        if self._ws is None:
            connect = self._connect
            if connect is None:
                from websockets.sync.client import connect
            try:
                # a long-lived connection (the context-manager form; closed by close()/_drop())
                self._ws = connect(self.spec.url, open_timeout=self.timeout, max_size=None).__enter__()
            except (OSError, TimeoutError) as exc:
                raise PrinterError(f"the {self.spec.kind} print component at {self.spec.url} does not answer "
                                   f"({exc}): is it running?") from None
            except Exception as exc:  # websockets' handshake errors: the port is not a print component
                raise PrinterError(f"{self.spec.url} is not a print component: {exc}") from None
        return self._ws

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._ws is not None:
            try:
                self._ws.close()
            except Exception:  # noqa: BLE001 - closing a dead connection
                pass
            self._ws = None

    def _exchange(self, message: dict[str, Any], until: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Send ``message`` and read until ``until`` accepts an answer; reconnect once if the
        component went away (restarted) before it answered."""
        for attempt in (1, 2):
            ws = self._open()
            try:
                ws.send(json.dumps(message, ensure_ascii=False))
                return self._read(ws, until)
            except PrinterError:
                raise
            except Exception as exc:  # noqa: BLE001 - websockets' ConnectionClosed, OSError: reconnect
                self._drop()
                if attempt == 2:
                    raise PrinterError(f"the {self.spec.kind} print component at {self.spec.url} closed the "
                                       f"connection: {exc}") from None
                self.reconnects += 1
        raise AssertionError("unreachable")

    def _read(self, ws: Any, until: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = self._monotonic() + self.timeout
        while True:
            left = deadline - self._monotonic()
            if left <= 0:
                raise PrinterError(f"the {self.spec.kind} print component did not answer within {self.timeout:g} s")
            try:
                raw = ws.recv(timeout=left)
            except TimeoutError:
                continue
            try:
                answer = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(answer, dict):
                continue
            if answer.get("cmd") in ("PrintResultNotify", "notifyPrintResult"):
                result = _task_result(answer)
                if result is not None:
                    self._results[result.task_id] = result
            if until(answer):
                return answer

    def request(self, cmd: str, **fields: Any) -> dict[str, Any]:
        message = {"cmd": cmd, "requestID": uuid.uuid4().hex, "version": VERSION, **fields}
        with self._lock:
            return self._exchange(message, lambda a: a.get("requestID") == message["requestID"]
                                  and a.get("cmd") == cmd)

    # ------------------------------------------------------------------ the commands

    def printers(self) -> tuple[list[str], str]:
        """The component's printers and its default one."""
        answer = self.request("getPrinters")
        names = [str(p.get("name")) for p in answer.get("printers") or [] if isinstance(p, dict) and p.get("name")]
        return names, str(answer.get("defaultPrinter") or "")

    def print_ewaybill(self, doc: EwaybillData, *, printer: str | None = None, preview: bool = False) -> TaskResult:
        """Send the e-waybill and wait for the component to say the task printed (or failed)."""
        task_id = uuid.uuid4().hex[:16]
        task = {"taskID": task_id, "printer": printer if printer is not None else self.spec.printer,
                "preview": preview, "documents": [{"documentID": doc.document_id, "contents": doc.contents()}]}
        message = {"cmd": "print", "requestID": uuid.uuid4().hex, "version": VERSION, "task": task}
        with self._lock:
            self._results.pop(task_id, None)
            answer = self._exchange(message, lambda a: a.get("requestID") == message["requestID"]
                                    and a.get("cmd") == "print")
            if str(answer.get("status", "success")) != "success":
                raise PrinterError(f"the print component refused the job: {answer.get('msg') or answer.get('status')}")
            if task_id not in self._results:
                try:
                    self._read(self._open(), lambda a: task_id in self._results)
                except PrinterError:
                    if self.spec.kind != "cainiao":
                        raise
            result = self._results.pop(task_id, None)
        if result is None:  # Cainiao: ask for the task's state instead
            result = self.task_status(task_id)
        if not result.printed:
            raise PrinterError(f"the print component did not print the label: {result.message or 'failed'}")
        return result

    def task_status(self, task_id: str) -> TaskResult:
        answer = self.request("getTaskStatus", taskID=[task_id])
        for row in answer.get("printStatus") or []:
            if isinstance(row, dict) and str(row.get("taskID")) == task_id:
                return TaskResult(task_id, bool(row.get("printed")), str(row.get("msg") or ""))
        return TaskResult(task_id, False, "the component does not know the task")


def _task_result(answer: dict[str, Any]) -> TaskResult | None:
    task_id = answer.get("taskID")
    status = str(answer.get("taskStatus") or "")
    if not task_id or status not in ("printed", "failed"):
        return None  # "rendered": the paper has not come out yet
    docs = [d for d in answer.get("printStatus") or [] if isinstance(d, dict)]
    failed = [d for d in docs if str(d.get("status", "success")) != "success"]
    message = "; ".join(str(d.get("msg") or d.get("detail") or "") for d in failed)
    return TaskResult(str(task_id), status == "printed" and not failed, message)


class ComponentPrinter:
    """The bench's printer when it is a print component (``pddprint:PRINTER``, ``cainiao:PRINTER``):
    e-waybills go to the component; PackGate's own documents (labels of a scanned-waybill carrier,
    manifests, sheets) to the PDF fallback beside it."""

    def __init__(self, spec: str, component: ComponentSpec, *, fallback: Any, timeout: float = 10.0) -> None:
        self.spec = spec
        self.component = PrintComponent(component, timeout=timeout)
        self.fallback = fallback

    def print_ewaybill(self, doc: EwaybillData) -> Any:
        from app.printing.base import PrintJob

        result = self.component.print_ewaybill(doc)
        where = self.component.spec
        return PrintJob(f"{where.kind} print component {where.printer or '(default printer)'} at {where.url}, "
                        f"task {result.task_id}")

    def print_label(self, label):
        return self.fallback.print_label(label)

    def print_manifest(self, manifest):
        return self.fallback.print_manifest(manifest)

    def print_document(self, name: str, pdf: bytes):
        return self.fallback.print_document(name, pdf)
