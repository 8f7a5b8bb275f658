"""``packgate gui``: build the QApplication, the services and the station window, then run."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTimer, QTranslator, Signal
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from app.config import Settings, resource_file
from app.errors import KnownError

log = logging.getLogger(__name__)


def process_age_s() -> float | None:
    """Seconds since this process started (Linux /proc); None elsewhere.

    Both sides are on the boot clock: the start time in /proc/self/stat counts clock ticks since
    boot. (``btime`` from /proc/stat is a whole second of wall-clock time, so subtracting it from
    ``time.time()`` was off by up to a second.)
    """
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(stat[19]) / os.sysconf("SC_CLK_TCK")
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return None


_IMPORTED_AT = time.perf_counter()


def wants_chinese(settings: Settings) -> bool:
    language = settings.language or QLocale.system().name()
    return language.lower().startswith("zh")


def install_translations(app: QApplication, settings: Settings) -> QTranslator | None:
    if not wants_chinese(settings):
        return None
    translator = QTranslator(app)
    qm = resource_file("translations", "packgate_zh_CN.qm")
    if translator.load(str(qm)):
        app.installTranslator(translator)
        # Qt's own dialogs (file dialogs, standard buttons) in Chinese too, where Qt ships them.
        qt = QTranslator(app)
        if qt.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt)
        return translator
    log.warning("Chinese translation not found: %s", qm)
    return None


class _ScaleBridge(QObject):
    """Carries the scale thread's readings to the UI thread."""

    weight = Signal(int)


def ask_station_name(settings: Settings) -> str | None:
    name, ok = QInputDialog.getText(
        None, QApplication.translate("Startup", "PackGate: first start"),
        QApplication.translate("Startup", "Name of this packing station (e.g. BENCH-1):"),
    )
    name = name.strip()
    if not ok or not name:
        return None
    settings.station = name
    settings.save()
    return name


def show_error(title: str, text: str) -> None:
    from app.ui.text import show_as_text

    box = show_as_text(QMessageBox(QMessageBox.Icon.Critical, title, text))
    box.exec()  # start-up only: there is no scan path yet


def _run_remote(app: QApplication, args, settings: Settings, server: str) -> int:
    """A bench that scans through the PackGate server: no database here, its own printer."""
    from app.client.desk import RemoteDesk
    from app.client.local import LocalServices
    from app.client.remote import RemoteBench, ServerError, ServerLink
    from app.ui.sounds import QtSounds
    from app.ui.station_window import StationWindow

    try:
        link = ServerLink.load()
        station = getattr(args, "station", None) or settings.station or (link.station if link else "")
        if link is None or link.server != server.rstrip("/") or link.station != station:
            raise ServerError(f"This bench is not enrolled as {station or '?'} at {server}: run "
                              f"packgate enrol --server {server} --station NAME --code CODE first")
    except KnownError as exc:
        show_error("PackGate", exc.message)
        return exc.exit_code
    if getattr(args, "printer", None):
        settings.printer = args.printer
    services = LocalServices(settings)
    bench = RemoteBench(link, services.printer())
    # The supervisor view and the settings unlock go through the server too, each with its own desk session.
    window = StationWindow(services, station, sounds=QtSounds(muted=not settings.sounds), workflow=bench,
                           desks=lambda: RemoteDesk(link))
    try:  # the packing video as at an embedded bench, indexed and uploaded through the server
        evidence = start_evidence(window, services, station, getattr(args, "camera", None), link=link)
    except KnownError as exc:
        show_error("PackGate", exc.message)
        return exc.exit_code
    window.show()
    if getattr(args, "supervisor", False):
        window.open_supervisor()
    try:
        return app.exec()
    finally:
        if evidence is not None:
            evidence.stop()  # the clip in progress is closed; its upload goes on at the next start
        bench.close()


def start_evidence(window, services, station: str, camera: str | None, link=None):
    """The packing video (recorder process) when a camera is set up or video is required; else None.
    ``link``: a bench behind the server (the clips are indexed and uploaded through it)."""
    from app.hardware.avspec import parse_camera

    if camera is not None:
        services.settings.camera = camera  # this run only; the settings file keeps its own
    if not parse_camera(services.settings.camera).enabled and not services.settings.require_video:
        # No camera: should the site require video (now or later), no order opens here.
        from PySide6.QtCore import QCoreApplication

        from app.evidence.policy import video_gate, video_required

        reason = QCoreApplication.translate("Startup", "no camera set up")
        window.scan_gate = lambda raw, view: (video_gate(raw, view, False, reason)
                                              if video_required(view, False) else None)
        return None
    from app.client.evidence import Uploader
    from app.ui.evidence.controller import EvidenceController

    # Behind the server the recorder process delivers its clips with the bench's uploader, handed in here.
    evidence = EvidenceController(window, services, station, link=link, uploader=Uploader if link is not None else None)
    evidence.start()
    return evidence


def run_gui(args, ctx) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PackGate")
    try:
        settings = Settings.load()
    except KnownError as exc:
        show_error("PackGate", exc.message)
        return exc.exit_code
    install_translations(app, settings)
    server = getattr(args, "server", None) or settings.server
    if server:
        return _run_remote(app, args, settings, server)
    try:
        from app.bootstrap import bootstrap
        from app.config import resolve_db_url

        if resolve_db_url(ctx.db_url).startswith("postgresql"):
            raise KnownError("A bench does not connect to PostgreSQL itself: run `packgate serve` on the server PC, "
                             "enrol this bench (packgate enrol) and open it with `packgate gui --server URL`")

        services = bootstrap(ctx.db_url, settings)
        ctx._services = services  # the CLI closes it on exit
    except KnownError as exc:
        show_error(QApplication.translate("Startup", "PackGate: database"),
                   QApplication.translate("Startup", "PackGate cannot start:\n\n%1").replace("%1", exc.message))
        return exc.exit_code
    if getattr(args, "printer", None):
        services.settings.printer = args.printer
    if getattr(args, "demo", False):
        from app.demo import seed_demo

        try:
            seed_demo(services)
        except KnownError as exc:  # a real database: the demo's well-known PINs stay out of it
            show_error("PackGate", exc.message)
            return exc.exit_code
    station = getattr(args, "station", None) or settings.station or ask_station_name(settings)
    if not station:
        return 1

    from app.ui.sounds import QtSounds
    from app.ui.station_window import StationWindow

    window = StationWindow(services, station, sounds=QtSounds(muted=not settings.sounds))
    try:
        evidence = start_evidence(window, services, station, getattr(args, "camera", None))
    except KnownError as exc:
        show_error("PackGate", exc.message)
        return exc.exit_code
    window.show()
    reader = None
    if settings.scale_port:
        from app.hardware.scale import ScaleReader

        bridge = _ScaleBridge(window)
        bridge.weight.connect(window.on_scale_weight)
        reader = ScaleReader(settings.scale_port, bridge.weight.emit, baud=settings.scale_baud)
        reader.start()
    sender_stop = None
    if settings.platform_sender:
        # The single bench's platform sender: a background thread, never on the scan path (the
        # scans and this thread each take their own short transactions).
        from app.platform.sender import start_in_background

        _thread, sender_stop = start_in_background(services)
    if getattr(args, "supervisor", False):
        window.open_supervisor()
    if os.environ.get("PACKGATE_STARTUP_TIMING") == "1":
        def report() -> None:
            age = process_age_s()
            since_import = time.perf_counter() - _IMPORTED_AT
            print(f"startup: ready for scan {age if age is not None else since_import:.3f} s after process start "
                  f"({since_import:.3f} s after the GUI module loaded)", flush=True)

        QTimer.singleShot(0, report)
    if os.environ.get("PACKGATE_QUIT_WHEN_READY") == "1":
        # Smoke tests of an installed or bundled PackGate: start, get ready for a scan, exit 0.
        QTimer.singleShot(0, app.quit)
    try:
        return app.exec()
    finally:
        if reader is not None:
            reader.stop()
        if evidence is not None:
            evidence.stop()  # the clip in progress is closed, playable and indexed
        if sender_stop is not None:
            sender_stop.set()
