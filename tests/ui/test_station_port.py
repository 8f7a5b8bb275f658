"""The station window drives any BenchPort the same way: here a fake one, neither the embedded
workflow nor the server's client, with no database behind it. The window asks no port what it is."""

from __future__ import annotations

import threading

import pytest

from app.client.local import LocalServices
from app.config import Settings
from app.i18n import Message
from app.packing.bench_port import BenchPort
from app.packing.outcome import BenchView, Level, Outcome, Step
from app.ui.station_window import StationWindow
from tests.ui.conftest import Scanner

READY = BenchView(station="BENCH-FAKE", step=Step.ORDER, user_name="Ann")


class FakeBench:
    """A BenchPort and nothing more: it records what the window asked of it."""

    station_name = "BENCH-FAKE"
    offline_notice = "The fake bench's store is unreachable"

    def __init__(self) -> None:
        self.scans: list[str] = []
        self.online = True
        self.notice: Outcome | None = None
        self.changed = threading.Event()  # what the fake's wait_for_change waits on
        self.closed = threading.Event()
        self._last_view = BenchView(station="BENCH-FAKE", step=Step.LOGIN)

    def handle(self, raw: str) -> Outcome:
        self.scans.append(raw)
        if not self.online:
            return Outcome(False, Level.REFUSED, Message("Nothing saved"), "offline", self._last_view, raw=raw)
        self._last_view = READY
        return Outcome(True, Level.ACCEPTED, Message("Hello {name}", {"name": "Ann"}), "badge", READY, raw=raw)

    def watch(self) -> Outcome | None:
        notice, self.notice = self.notice, None
        if notice is not None:
            self._last_view = notice.view
        return notice

    def view(self) -> BenchView:
        return self._last_view

    def reachable(self) -> bool:
        return self.online

    def wait_for_change(self, timeout_s: float = 25) -> bool:
        woken = self.changed.wait(timeout_s)
        self.changed.clear()
        return woken and not self.closed.is_set()

    @property
    def last_view(self) -> BenchView:
        return self._last_view

    @property
    def logged_in(self) -> bool:
        return self._last_view.user_name is not None

    def close(self) -> None:
        self.closed.set()
        self.changed.set()

    def label_failed(self, order_id: int, seq: int, reprint: bool, error: str) -> Outcome:
        raise AssertionError("the window never reports prints: the bench's printer does")

    def manifest_printed(self, manifest_id: int, ok: bool, detail: str) -> None:
        raise AssertionError("the window never reports prints: the bench's printer does")


@pytest.fixture
def bench() -> FakeBench:
    return FakeBench()


@pytest.fixture
def window(qtbot, bench):
    port: BenchPort = bench
    win = StationWindow(LocalServices(Settings(station="BENCH-FAKE")), "BENCH-FAKE", workflow=port)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_a_scan_goes_to_the_port_and_its_outcome_is_shown(qtbot, window, bench):
    out = Scanner(qtbot, window).scan("B-1")
    assert bench.scans == ["B-1"] and out.accepted
    assert window.view.step == Step.ORDER and "Ann" in window.who.text()
    assert window.banner.level == Level.ACCEPTED and window.banner.text() == "Hello Ann"


def test_a_change_the_port_hears_is_watched_and_shown(qtbot, window, bench):
    Scanner(qtbot, window).scan("B-1")
    bench.notice = Outcome(False, Level.WARNING, Message("Order O-1 was taken off this bench"), "notice", READY)
    with qtbot.waitSignal(window.outcome_shown, timeout=5_000) as shown:
        bench.changed.set()  # the port's wait wakes the window's listener
    assert shown.args[0].kind == "notice" and window.banner.text() == "Order O-1 was taken off this bench"
    assert window.banner.level == Level.WARNING


def test_an_unreachable_bench_says_what_its_port_says_and_comes_back(qtbot, window, bench):
    bench.online = False
    Scanner(qtbot, window).scan("B-1")
    assert window.offline and window.statusBar().currentMessage() == bench.offline_notice
    assert window.retry_timer.isActive()
    bench.online = True
    with qtbot.waitSignal(window.worker.viewed, timeout=5_000):
        window.worker.refresh()
    assert not window.offline and window.statusBar().currentMessage() == ""


def test_without_desks_the_supervisor_and_settings_stay_closed(window):
    assert window.open_supervisor() is None and window.open_settings() is None
    assert "settings.json" in window.statusBar().currentMessage()


def test_closing_the_window_closes_the_port(qtbot, bench):
    win = StationWindow(LocalServices(Settings(station="BENCH-FAKE")), "BENCH-FAKE", workflow=bench)
    qtbot.addWidget(win)
    win.close()
    assert bench.closed.is_set()
