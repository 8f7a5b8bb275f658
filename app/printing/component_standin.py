"""A stand-in print component for the demo and the tests (``packgate printcomponent standin``): a real
WebSocket server on loopback speaking the PDD (or Cainiao) component protocol of
:mod:`app.printing.component`.

Each document it is asked to print is written into its folder as JSON (the document as received)
and as a PDF label whose Code 128 barcode is the waybill number, read from the stand-in gateway's
unencrypted test ``print_data`` (``data.waybillCode``), so a person can look at the label and a
test can decode it. It answers ``getPrinters``, ``print`` (then the task's notification:
``PrintResultNotify`` or ``notifyPrintResult``) and ``getTaskStatus``.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.printing.component import DEFAULT_URLS, NOTIFY_CMDS
from app.printing.pdfdraw import draw_code128_centered
from app.printing.printers import safe_file_part

PRINTERS = ("StandIn-76x130", "StandIn-100x150")
DEFAULT_PORTS = {"pdd": int(DEFAULT_URLS["pdd"].rsplit(":", 1)[1]),
                 "cainiao": int(DEFAULT_URLS["cainiao"].rsplit(":", 1)[1])}


@dataclass
class StandInComponent:
    """``with StandInComponent(out_dir) as comp:`` serves on a thread; ``comp.url`` is its address."""

    out_dir: Path
    kind: str = "pdd"
    host: str = "127.0.0.1"
    port: int = 0
    notify: bool = True  # False: no notification (a Cainiao client then asks getTaskStatus)
    fail: str = ""  # non-empty: every print fails with this message (paper out)
    hold: bool = False  # True: print jobs are taken and never answered (a component that hangs)
    documents: list[dict[str, Any]] = field(default_factory=list)
    tasks: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from websockets.sync.server import serve

        self.out_dir = Path(self.out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.server = serve(self._session, self.host, self.port, max_size=None)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"ws://{host}:{port}"

    def start(self) -> StandInComponent:
        self._thread = threading.Thread(target=self.server.serve_forever, name="print-component-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def __enter__(self) -> StandInComponent:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _session(self, ws) -> None:
        for raw in ws:
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            for answer in self.answer(message):
                ws.send(json.dumps(answer, ensure_ascii=False))

    def answer(self, m: dict[str, Any]) -> list[dict[str, Any]]:
        cmd, rid = m.get("cmd"), m.get("requestID")
        head = {"cmd": cmd, "requestID": rid}
        if cmd == "getPrinters":
            return [{**head, "status": "success", "printers": [{"name": p} for p in PRINTERS],
                     "defaultPrinter": PRINTERS[0]}]
        if cmd == "getTaskStatus":
            ids = m.get("taskID") or []
            with self.lock:
                rows = [{"taskID": t, "printed": self.tasks.get(t, False)} for t in ids]
            return [{**head, "status": "success", "printStatus": rows}]
        if cmd != "print":
            return [{**head, "status": "failed", "msg": f"unknown cmd {cmd}"}]
        task = m.get("task") or {}
        if self.hold:
            with self.lock:
                self.documents.append({"held": task})
            return []
        task_id = str(task.get("taskID") or "")
        documents = task.get("documents") or []
        if not task_id or not documents:
            return [{**head, "status": "failed", "msg": "task.taskID and task.documents are required"}]
        statuses = []
        for doc in documents:
            ok, msg = self._write(task, doc)
            statuses.append({"documentID": doc.get("documentID"), "status": "success" if ok else "failed", "msg": msg})
        printed = all(s["status"] == "success" for s in statuses)
        with self.lock:
            self.tasks[task_id] = printed
        out = [{**head, "status": "success", "taskID": task_id}]
        if self.notify:
            out.append({"cmd": NOTIFY_CMDS[self.kind], "requestID": rid, "taskID": task_id,
                        "taskStatus": "printed" if printed else "failed", "printStatus": statuses})
        return out

    def _write(self, task: dict[str, Any], doc: dict[str, Any]) -> tuple[bool, str]:
        if self.fail:
            return False, self.fail
        contents = doc.get("contents") or []
        data = _waybill_data(contents[0] if contents else None)
        number = str(data.get("waybillCode") or "")
        if not number:
            return False, "the print data holds no waybill (encrypted data needs the platform's own component)"
        stem = safe_file_part(str(doc.get("documentID") or number))
        record = {"printer": task.get("printer"), "preview": task.get("preview"), "document": doc}
        (self.out_dir / f"{stem}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
        (self.out_dir / f"{stem}.pdf").write_bytes(render_standin_label(number, data))
        with self.lock:
            self.documents.append({"documentID": doc.get("documentID"), "waybill_code": number,
                                   "pdf": str(self.out_dir / f"{stem}.pdf"), "printer": task.get("printer")})
        return True, ""


def _waybill_data(content: Any) -> dict[str, Any]:
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            return {}
    if not isinstance(content, dict):
        return {}
    data = content.get("data")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return {}
    return data if isinstance(data, dict) else {}


def render_standin_label(number: str, data: dict[str, Any]) -> bytes:
    """A 76x130 mm label: the carrier, the routing text and the number as a Code 128 barcode."""
    width, height = 76 * mm, 130 * mm
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height))
    c.setFont("Helvetica-Bold", 14)
    c.drawString(5 * mm, height - 12 * mm, f"{data.get('wpCode', '')}  e-waybill (stand-in)")
    c.setFont("Helvetica", 9)
    c.drawString(5 * mm, height - 20 * mm, f"order {', '.join(data.get('orders') or [])}  parcel {data.get('packageId', '')}")
    draw_code128_centered(c, number, width / 2, height - 60 * mm, width - 6 * mm, 25 * mm)
    c.setFont("Helvetica-Bold", 12)
    c.drawCentredString(width / 2, height - 67 * mm, number)
    c.showPage()
    c.save()
    return buf.getvalue()


def serve(kind: str, port: int | None, out_dir: Path, host: str = "127.0.0.1") -> None:
    """Run in the foreground until interrupted (``packgate printcomponent standin``)."""
    comp = StandInComponent(out_dir, kind=kind, host=host, port=DEFAULT_PORTS[kind] if port is None else port)
    print(f"{kind} print component stand-in on {comp.url}; documents into {comp.out_dir}; Ctrl-C stops it", flush=True)
    try:
        comp.server.serve_forever()
    finally:
        comp.server.shutdown()
