"""UI tests run offscreen with a window on demo data; scans are real key events through the filter."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from app.demo import seed_demo  # noqa: E402
from app.ui.sounds import RecordingSounds  # noqa: E402
from app.ui.station_window import StationWindow  # noqa: E402
from tests.conftest import Clock  # noqa: E402

# The offscreen platform says this on every show(); nothing else is let through.
OFFSCREEN_NOISE = r"^This plugin does not support propagateSizeHints\(\)$"
# Qt Multimedia probes VA-API (hardware decoding) and PipeWire (screen capture) at its first use; a
# PC without libva or libpipewire says so and plays in software. Harmless, and it depends on the
# machine, not on PackGate.
NO_VAAPI_NOISE = r"^Couldn't (load|resolve) (va(-x11|-drm|\(in plugin\))?|pipewire-[0-9.]+) (library|symbols)$"


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, NO_VAAPI_NOISE))


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory) -> Path:
    """Migrate and seed the demo once per run (4 s); each test gets its own copy of the file."""
    from app.bootstrap import bootstrap
    from app.config import Settings

    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    # Seeded on the tests' clock (tests/conftest.py), so ages and periods do not depend on the day CI runs.
    services = bootstrap(f"sqlite:///{path}", Settings(station="TEMPLATE"), clock=Clock())
    try:
        seed_demo(services)
    finally:
        services.close()
    return path


@pytest.fixture
def sqlite_url(request, tmp_path) -> str:
    """Overrides the shared fixture: for tests that ask for ``demo_services``, ``sqlite_services``
    opens a fresh copy of the seeded demo; other tests get an empty file as before."""
    path = tmp_path / "packgate-test.db"
    if "demo_services" in request.fixturenames:
        shutil.copyfile(request.getfixturevalue("demo_db_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_services(sqlite_services):
    assert seed_demo(sqlite_services)["orders"] == 0  # already there, from the template
    return sqlite_services


@pytest.fixture
def sounds(request):
    """What the window plays through; ``@pytest.mark.parametrize("sounds", ["qt"], indirect=True)``:
    the real Qt player (unmuted), as a bench PC has."""
    if getattr(request, "param", None) == "qt":
        from app.ui.sounds import QtSounds

        return QtSounds(muted=False)
    return RecordingSounds()


@pytest.fixture
def window(qtbot, demo_services, sounds):
    win = StationWindow(demo_services, "BENCH-1", sounds=sounds)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


class Scanner:
    """Types like a keyboard-wedge scanner: the code's keys, then the suffix, into ``target``."""

    def __init__(self, qtbot, window: StationWindow) -> None:
        self.qtbot, self.window = qtbot, window

    def type(self, code: str, target=None, suffix=(Qt.Key.Key_Return,)) -> None:
        target = target or self.window
        QTest.keyClicks(target, code)
        for key in suffix:
            QTest.keyClick(target, key)

    def scan(self, code: str, target=None, suffix=(Qt.Key.Key_Return,)):
        """Scan and wait for the outcome to be rendered; returns the Outcome."""
        with self.qtbot.waitSignal(self.window.outcome_shown, timeout=10_000) as blocker:
            self.type(code, target, suffix)
        return blocker.args[0]


@pytest.fixture
def scanner(qtbot, window):
    return Scanner(qtbot, window)
