"""Supervisor view tests: offscreen, on the demo data (supervisor S-9001 / PIN 123456)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from app.demo import seed_demo  # noqa: E402

SUPERVISOR, PIN = "S-9001", "123456"  # the demo supervisor


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A fresh database seeded below with the test clock (not tests/ui's template seeded at real time)."""
    return f"sqlite:///{tmp_path / 'supervisor-view.db'}"


@pytest.fixture
def demo_services(sqlite_services):
    seed_demo(sqlite_services)
    return sqlite_services


@pytest.fixture
def supervisor_window(qtbot, demo_services):
    from app.ui.supervisor import open_supervisor

    window = open_supervisor(demo_services, "BENCH-1")
    qtbot.addWidget(window)
    yield window
    window.close()


def login(qtbot, window, badge=SUPERVISOR, pin=PIN):
    form = window.login
    qtbot.keyClicks(form.badge, badge)
    qtbot.keyClicks(form.pin, pin)
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)


@pytest.fixture
def logged_in(qtbot, supervisor_window):
    with qtbot.waitSignal(supervisor_window.dashboard.refreshed, timeout=10_000):
        login(qtbot, supervisor_window)
    return supervisor_window
