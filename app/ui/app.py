"""``packgate gui``: build the QApplication, the services and the station window, then run."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QLocale, QObject, QTimer, QTranslator, Signal
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from app.config import RESOURCES, Settings
from app.errors import KnownError

log = logging.getLogger(__name__)
TRANSLATIONS = RESOURCES / "translations"


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
    if translator.load(str(TRANSLATIONS / "packgate_zh_CN.qm")):
        app.installTranslator(translator)
        return translator
    log.warning("Chinese translation not found in %s", TRANSLATIONS)
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
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.exec()  # start-up only: there is no scan path yet


def run_gui(args, ctx) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PackGate")
    try:
        settings = Settings.load()
    except KnownError as exc:
        show_error("PackGate", exc.message)
        return exc.exit_code
    install_translations(app, settings)
    try:
        from app.bootstrap import bootstrap

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

        seed_demo(services)
    station = getattr(args, "station", None) or settings.station or ask_station_name(settings)
    if not station:
        return 1

    from app.ui.sounds import QtSounds
    from app.ui.station_window import StationWindow

    window = StationWindow(services, station, sounds=QtSounds(muted=not settings.sounds))
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
    try:
        return app.exec()
    finally:
        if reader is not None:
            reader.stop()
        if sender_stop is not None:
            sender_stop.set()
