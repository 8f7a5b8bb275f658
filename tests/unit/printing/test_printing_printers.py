"""Printer back ends against real sockets, a stand-in `lp` and real folders."""

from __future__ import annotations

import os
import queue
import socket
import socketserver
import stat
import sys
import threading
from pathlib import Path

import pytest
from printing_helpers import make_label, make_manifest

from app.errors import ConfigError, PrinterError
from app.printing.printers import (
    CupsPrinter,
    PdfPrinter,
    ZplCupsPrinter,
    ZplTcpPrinter,
    make_printer,
    safe_file_part,
)
from app.printing.zpl import render_label_zpl


class _Collect(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        chunks = []
        while data := self.request.recv(65536):
            chunks.append(data)
        self.server.received.put(b"".join(chunks))  # type: ignore[attr-defined]


@pytest.fixture
def zpl_listener():
    server = socketserver.TCPServer(("127.0.0.1", 0), _Collect)
    server.received = queue.Queue()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_zpl_tcp_sends_the_rendered_label(zpl_listener, tmp_path) -> None:
    host, port = zpl_listener.server_address
    printer = make_printer(f"zpl:{host}:{port}", default_pdf_dir=tmp_path)
    assert isinstance(printer, ZplTcpPrinter)
    label = make_label()
    job = printer.print_label(label)
    received = zpl_listener.received.get(timeout=5)  # the whole connection, read until we closed it
    assert received == render_label_zpl(label, 203).encode("utf-8")
    assert label.order_no in job.description and job.path is None


def test_zpl_tcp_refused_port_is_a_printer_error(tmp_path) -> None:
    with socket.socket() as s:  # a port nobody listens on: bind, never listen, then close
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    printer = make_printer(f"zpl:127.0.0.1:{port}", default_pdf_dir=tmp_path, timeout=1)
    with pytest.raises(PrinterError) as info:
        printer.print_label(make_label())
    assert info.value.message.startswith(f"Printer zpl:127.0.0.1:{port} unreachable:")
    assert "scan CMD:REPRINT" in info.value.message


@pytest.mark.skipif(sys.platform != "linux", reason="relies on Linux dropping SYNs when the backlog is full")
def test_zpl_tcp_timeout_is_a_printer_error(tmp_path) -> None:
    # A listener that never accepts, with its backlog filled: the next connect hangs until the timeout.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", port))
            fillers.append(c)
        printer = make_printer(f"zpl:127.0.0.1:{port}", default_pdf_dir=tmp_path, timeout=0.3)
        with pytest.raises(PrinterError, match=r"unreachable: no answer in 0.3 s\. Fix it, then scan CMD:REPRINT"):
            printer.print_label(make_label())
    finally:
        for c in fillers:
            c.close()
        server.close()


def test_zpl_manifest_goes_to_the_pdf_folder(tmp_path) -> None:
    printer = make_printer("zpl:192.0.2.1", default_pdf_dir=tmp_path / "out")
    job = printer.print_manifest(make_manifest(3))
    assert job.path is not None and job.path.parent == tmp_path / "out"
    assert job.path.read_bytes().startswith(b"%PDF")
    assert "cannot print A4" in job.description
    doc = printer.print_document("command-sheet", b"%PDF-1.4 test")
    assert doc.path is not None and doc.path.read_bytes() == b"%PDF-1.4 test"


def _fake_lp(tmp_path: Path, body: str) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    lp = bindir / "lp"
    lp.write_text(f"#!/bin/sh\n{body}\n")
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    return bindir


@pytest.fixture
def recording_lp(tmp_path, monkeypatch) -> Path:
    out = tmp_path / "lp-out"
    out.mkdir()
    bindir = _fake_lp(tmp_path, f'printf "%s\\n" "$@" > "{out}/args"\ncat > "{out}/stdin"\necho "request id is Q-7 (1 file(s))"')
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return out


def test_system_printer_pipes_the_pdf_to_lp(recording_lp, tmp_path) -> None:
    printer = make_printer("system:Office_A4", default_pdf_dir=tmp_path)
    assert isinstance(printer, CupsPrinter)
    job = printer.print_manifest(make_manifest(2))
    assert (recording_lp / "stdin").read_bytes().startswith(b"%PDF")
    args = (recording_lp / "args").read_text().split("\n")
    assert args[:2] == ["-d", "Office_A4"]
    assert "request id is Q-7" in job.description
    printer.print_label(make_label())
    assert (recording_lp / "stdin").read_bytes().startswith(b"%PDF")


def test_zpl_cups_sends_raw_zpl(recording_lp, tmp_path) -> None:
    printer = make_printer("zpl-cups:Zebra", default_pdf_dir=tmp_path, zpl_dpi=300)
    assert isinstance(printer, ZplCupsPrinter)
    label = make_label()
    printer.print_label(label)
    assert (recording_lp / "stdin").read_bytes() == render_label_zpl(label, 300).encode("utf-8")
    args = (recording_lp / "args").read_text().split("\n")
    assert args[:4] == ["-d", "Zebra", "-o", "raw"]


def test_failing_lp_reports_its_stderr(tmp_path, monkeypatch) -> None:
    bindir = _fake_lp(tmp_path, 'cat > /dev/null\necho "lp: The printer or class does not exist." >&2\nexit 1')
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    printer = make_printer("system:Nope", default_pdf_dir=tmp_path)
    with pytest.raises(PrinterError, match="The printer or class does not exist"):
        printer.print_label(make_label())


def test_missing_lp_is_a_printer_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(PrinterError, match="lp command is missing"):
        make_printer("system:Office", default_pdf_dir=tmp_path).print_document("x", b"%PDF")


def test_pdf_label_file_names_carry_order_and_waybill(tmp_path) -> None:
    printer = make_printer(f"pdf:{tmp_path / 'labels'}", default_pdf_dir=tmp_path / "unused")
    assert isinstance(printer, PdfPrinter)
    job = printer.print_label(make_label(order_no="SO-2024/000123", waybill="SF1234567890123"))
    assert job.path is not None and job.path.parent == tmp_path / "labels"
    assert job.path.name.startswith("label-SO-2024_000123-SF1234567890123-")
    assert job.path.suffix == ".pdf"
    assert job.path.read_bytes().startswith(b"%PDF")
    parcel = printer.print_label(make_label(waybill=None))
    assert parcel.path is not None and "-nowaybill-" in parcel.path.name
    manifest = printer.print_manifest(make_manifest(1))
    assert manifest.path is not None and manifest.path.name.startswith("manifest-MF-20240501-0001-")
    assert sorted(p.name.startswith(".tmp-") for p in (tmp_path / "labels").iterdir()) == [False] * 3


def test_pdf_alone_uses_the_default_folder(tmp_path) -> None:
    printer = make_printer("pdf:", default_pdf_dir=tmp_path / "default")
    job = printer.print_label(make_label())
    assert job.path is not None and job.path.parent == tmp_path / "default"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder_is_a_printer_error_naming_the_path(tmp_path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        printer = make_printer(f"pdf:{locked}", default_pdf_dir=tmp_path)
        with pytest.raises(PrinterError, match=str(locked)):
            printer.print_label(make_label())
    finally:
        locked.chmod(0o700)


def test_folder_that_is_a_file_is_a_printer_error(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PrinterError, match="Cannot write"):
        make_printer(f"pdf:{blocker / 'sub'}", default_pdf_dir=tmp_path).print_label(make_label())


def test_printer_label_size_applies_to_default_size_labels(tmp_path, recording_lp) -> None:
    printer = make_printer("zpl-cups:Z", default_pdf_dir=tmp_path, label_size="76x130")
    printer.print_label(make_label())
    assert b"^PW607" in (recording_lp / "stdin").read_bytes()
    printer.print_label(make_label(size="100x180"))  # a carrier format keeps its own size
    assert b"^PW799" in (recording_lp / "stdin").read_bytes()


@pytest.mark.parametrize(
    ("spec", "host", "port"),
    [("zpl:10.0.0.5", "10.0.0.5", 9100), ("zpl:zebra-1:6101", "zebra-1", 6101), ("zpl:[::1]:9100", "::1", 9100)],
)
def test_zpl_spec_parsing(spec: str, host: str, port: int, tmp_path) -> None:
    printer = make_printer(spec, default_pdf_dir=tmp_path)
    assert isinstance(printer, ZplTcpPrinter)
    assert (printer.host, printer.port) == (host, port)


@pytest.mark.parametrize("spec", ["laser", "fax:123", "zpl:", "zpl:host:99999", "zpl:host:abc", "system:", "zpl-cups:"])
def test_bad_specs_are_config_errors_listing_the_accepted_forms(spec: str, tmp_path) -> None:
    with pytest.raises(ConfigError) as info:
        make_printer(spec, default_pdf_dir=tmp_path)
    assert "pdf:DIR" in info.value.message and "zpl:HOST[:PORT]" in info.value.message


def test_bad_label_size_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="label size"):
        make_printer("pdf:", default_pdf_dir=tmp_path, label_size="4x6")


@pytest.mark.parametrize(("text", "safe"), [("SO/2024:1", "SO_2024_1"), ("../x", "x"), ("订单1", "1"), ("", "_")])
def test_safe_file_part(text: str, safe: str) -> None:
    assert safe_file_part(text) == safe
