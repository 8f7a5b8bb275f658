"""Printer back ends, chosen by a spec string from the settings.

    pdf:DIR            one PDF file per document in DIR (``pdf:`` alone: the default PDF folder)
    zpl:HOST[:PORT]    ZPL over raw TCP to a label printer (port 9100 by default)
    zpl-cups:QUEUE     ZPL through CUPS as a raw job (``lp -d QUEUE -o raw``)
    system:NAME        PDF through CUPS (``lp -d NAME``)

Label printers cannot print A4: on a ``zpl`` printer manifests and other documents are saved as
PDF in the default PDF folder and the PrintJob says so.

Which label size is printed: the printer's ``label_size`` is the stock loaded in it, used for
labels that carry the default size; a label whose data asks for another size (a carrier's
e-waybill format) keeps its own.
"""

from __future__ import annotations

import re
import socket
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from app.errors import ConfigError, PrinterError
from app.fileutil import write_atomic
from app.i18n import QT_TRANSLATE_NOOP
from app.printing.base import DEFAULT_LABEL_SIZE, LABEL_SIZES, LabelData, ManifestData, Printer, PrintJob
from app.printing.labels import render_label_pdf
from app.printing.manifest import render_manifest_pdf
from app.printing.zpl import render_label_zpl

__all__ = [
    "CupsPrinter",
    "PdfPrinter",
    "ZplCupsPrinter",
    "ZplTcpPrinter",
    "make_printer",
    "safe_file_part",
]

ACCEPTED_SPECS = "pdf:DIR, pdf:, zpl:HOST[:PORT], zpl-cups:QUEUE, system:NAME"
_UNREACHABLE = QT_TRANSLATE_NOOP("Outcome", "Printer {spec} unreachable: {reason}. Fix it, then scan CMD:REPRINT")


def safe_file_part(text: str) -> str:
    """``text`` usable in a file name on every OS: 'SO/2024:1' -> 'SO_2024_1'."""
    cleaned = re.sub(r"[^\w.\-]+", "_", text, flags=re.ASCII).strip("._")
    return cleaned[:80] or "_"


def _timestamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def _label_for(label: LabelData, label_size: str) -> LabelData:
    if label.size == DEFAULT_LABEL_SIZE and label_size != label.size:
        return replace(label, size=label_size)
    return label


class PdfPrinter:
    """Writes each document as a PDF file in a folder (atomically: temporary file, then rename)."""

    def __init__(self, spec: str, directory: Path, label_size: str = DEFAULT_LABEL_SIZE,
                 font_path: str | None = None) -> None:
        self.spec = spec
        self.directory = directory
        self.label_size = label_size
        self.font_path = font_path

    def _write(self, stem: str, pdf: bytes) -> Path:
        path = self.directory / f"{stem}.pdf"
        try:
            write_atomic(path, pdf)
        except OSError as exc:
            raise PrinterError(f"Cannot write {path}: {exc.strerror or exc}") from exc
        return path

    def print_label(self, label: LabelData) -> PrintJob:
        label = _label_for(label, self.label_size)
        pdf = render_label_pdf(label, self.font_path)
        parcel = f"p{label.parcel_seq}-" if label.parcel_text else ""
        stem = (f"label-{safe_file_part(label.order_no)}-{parcel}"
                f"{safe_file_part(label.waybill) if label.waybill else 'nowaybill'}-{_timestamp()}")
        path = self._write(stem, pdf)
        return PrintJob(f"Label {label.order_no} saved to {path}", path)

    def print_manifest(self, manifest: ManifestData) -> PrintJob:
        pdf = render_manifest_pdf(manifest, self.font_path)
        path = self._write(f"manifest-{safe_file_part(manifest.manifest_no)}-{_timestamp()}", pdf)
        return PrintJob(f"Manifest {manifest.manifest_no} saved to {path}", path)

    def print_document(self, name: str, pdf: bytes) -> PrintJob:
        path = self._write(f"{safe_file_part(name)}-{_timestamp()}", pdf)
        return PrintJob(f"{name} saved to {path}", path)


def _run_lp(spec: str, args: list[str], data: bytes, timeout: float) -> str:
    """Run CUPS ``lp`` with ``data`` on stdin; returns its stdout (the request id)."""
    try:
        done = subprocess.run(["lp", *args], input=data, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise PrinterError(
            _UNREACHABLE.format(spec=spec, reason="the lp command is missing (install cups-client)")
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise PrinterError(_UNREACHABLE.format(spec=spec, reason=f"lp gave no answer in {timeout:g} s")) from exc
    except OSError as exc:
        raise PrinterError(_UNREACHABLE.format(spec=spec, reason=f"cannot run lp: {exc}")) from exc
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip() or f"lp exited with {done.returncode}"
        raise PrinterError(_UNREACHABLE.format(spec=spec, reason=stderr))
    return done.stdout.decode("utf-8", "replace").strip()


class _LabelPrinterFallback:
    """Label printers cannot print A4: manifests and documents go to the PDF folder instead."""

    spec: str
    fallback: PdfPrinter

    def print_manifest(self, manifest: ManifestData) -> PrintJob:
        job = self.fallback.print_manifest(manifest)
        return PrintJob(
            f"Manifest {manifest.manifest_no} saved as PDF to {job.path}: "
            f"the label printer {self.spec} cannot print A4",
            job.path,
        )

    def print_document(self, name: str, pdf: bytes) -> PrintJob:
        job = self.fallback.print_document(name, pdf)
        return PrintJob(f"{name} saved as PDF to {job.path}: the label printer {self.spec} cannot print A4",
                        job.path)


class ZplTcpPrinter(_LabelPrinterFallback):
    """Sends ZPL to a label printer's raw TCP port (JetDirect, usually 9100)."""

    def __init__(self, spec: str, host: str, port: int, *, fallback: PdfPrinter,
                 label_size: str = DEFAULT_LABEL_SIZE, dpi: int = 203, timeout: float = 5.0) -> None:
        self.spec = spec
        self.host = host
        self.port = port
        self.fallback = fallback
        self.label_size = label_size
        self.dpi = dpi
        self.timeout = timeout

    def send(self, data: bytes) -> None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as sock:
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)
        except TimeoutError as exc:
            raise PrinterError(_UNREACHABLE.format(spec=self.spec, reason=f"no answer in {self.timeout:g} s")) from exc
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise PrinterError(_UNREACHABLE.format(spec=self.spec, reason=reason)) from exc

    def print_label(self, label: LabelData) -> PrintJob:
        label = _label_for(label, self.label_size)
        self.send(render_label_zpl(label, self.dpi).encode("utf-8"))
        return PrintJob(f"Label {label.order_no} sent to {self.spec}")


class ZplCupsPrinter(_LabelPrinterFallback):
    """Sends ZPL through a CUPS queue as a raw job."""

    def __init__(self, spec: str, queue: str, *, fallback: PdfPrinter,
                 label_size: str = DEFAULT_LABEL_SIZE, dpi: int = 203, timeout: float = 5.0) -> None:
        self.spec = spec
        self.queue = queue
        self.fallback = fallback
        self.label_size = label_size
        self.dpi = dpi
        self.timeout = timeout

    def print_label(self, label: LabelData) -> PrintJob:
        label = _label_for(label, self.label_size)
        zpl = render_label_zpl(label, self.dpi).encode("utf-8")
        out = _run_lp(self.spec, ["-d", self.queue, "-o", "raw", "-t", f"label-{label.order_no}"], zpl, self.timeout)
        return PrintJob(f"Label {label.order_no} sent to {self.spec} {out}".rstrip())


class CupsPrinter:
    """Prints PDFs through CUPS (``lp -d NAME``); labels at the configured label size."""

    def __init__(self, spec: str, name: str, *, label_size: str = DEFAULT_LABEL_SIZE,
                 timeout: float = 5.0, font_path: str | None = None) -> None:
        self.spec = spec
        self.name = name
        self.label_size = label_size
        self.timeout = timeout
        self.font_path = font_path

    def _lp(self, title: str, pdf: bytes) -> str:
        return _run_lp(self.spec, ["-d", self.name, "-t", title], pdf, self.timeout)

    def print_label(self, label: LabelData) -> PrintJob:
        label = _label_for(label, self.label_size)
        out = self._lp(f"label-{label.order_no}", render_label_pdf(label, self.font_path))
        return PrintJob(f"Label {label.order_no} sent to {self.spec} {out}".rstrip())

    def print_manifest(self, manifest: ManifestData) -> PrintJob:
        out = self._lp(f"manifest-{manifest.manifest_no}", render_manifest_pdf(manifest, self.font_path))
        return PrintJob(f"Manifest {manifest.manifest_no} sent to {self.spec} {out}".rstrip())

    def print_document(self, name: str, pdf: bytes) -> PrintJob:
        out = self._lp(name, pdf)
        return PrintJob(f"{name} sent to {self.spec} {out}".rstrip())


def _bad_spec(spec: str, why: str) -> ConfigError:
    return ConfigError(f"Printer {spec!r}: {why}. Use one of: {ACCEPTED_SPECS}")


def _host_port(spec: str, rest: str) -> tuple[str, int]:
    if rest.startswith("["):  # [IPv6]:port
        host, _, tail = rest[1:].partition("]")
        port_text = tail.removeprefix(":")
    elif rest.count(":") == 1:
        host, _, port_text = rest.partition(":")
    else:
        host, port_text = rest, ""
    if not host:
        raise _bad_spec(spec, "no host")
    if not port_text:
        return host, 9100
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _bad_spec(spec, f"port {port_text!r} is not a number from 1 to 65535")
    return host, int(port_text)


def make_printer(
    spec: str,
    *,
    default_pdf_dir: Path,
    label_size: str = DEFAULT_LABEL_SIZE,
    zpl_dpi: int = 203,
    timeout: float = 5.0,
    font_path: str | None = None,
) -> Printer:
    """Build the printer a spec string names; raises ConfigError for a spec it cannot use."""
    if label_size not in LABEL_SIZES:
        raise ConfigError(f"Unknown label size {label_size!r}: use one of {', '.join(LABEL_SIZES)}")
    if zpl_dpi not in (152, 203, 300, 600):
        raise ConfigError(f"ZPL resolution {zpl_dpi} dpi is not supported: use 203 or 300")
    kind, sep, rest = spec.strip().partition(":")
    if not sep:
        raise _bad_spec(spec, "no printer type")
    rest = rest.strip()
    if kind == "pdf":
        directory = Path(rest).expanduser() if rest else default_pdf_dir
        return PdfPrinter(spec, directory, label_size, font_path)
    fallback = PdfPrinter(f"pdf:{default_pdf_dir}", default_pdf_dir, label_size, font_path)
    if kind == "zpl":
        host, port = _host_port(spec, rest)
        return ZplTcpPrinter(spec, host, port, fallback=fallback, label_size=label_size, dpi=zpl_dpi,
                             timeout=timeout)
    if kind in ("zpl-cups", "system"):
        if not rest:
            raise _bad_spec(spec, "no queue name")
        if kind == "zpl-cups":
            return ZplCupsPrinter(spec, rest, fallback=fallback, label_size=label_size, dpi=zpl_dpi,
                                  timeout=timeout)
        return CupsPrinter(spec, rest, label_size=label_size, timeout=timeout, font_path=font_path)
    if kind in ("pddprint", "cainiao"):  # the platform's print component (e-waybills; the rest to PDF)
        from app.printing.component import ComponentPrinter, parse_component_spec

        component = parse_component_spec(spec)
        assert component is not None
        return ComponentPrinter(spec, component, fallback=fallback, timeout=max(timeout, 10.0))
    raise _bad_spec(spec, f"unknown printer type {kind!r}")
