"""The one client change listener (app/ui/listener.py): long polls on its thread, ``changed`` on the UI thread,
a pause after a failed or refused poll (never a spin), stopped and joined on close."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThread

from app.ui.listener import ChangeListener, bench_changes


class Polls:
    """A scripted ``wait(since, timeout_s, stop)``: each call takes the next answer ("raise", a version,
    or "wait": block until stopped, as a long poll with nothing new does); records what it was asked."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, float]] = []  # (since, when)

    def __call__(self, since: str, timeout_s: float, stop: threading.Event) -> str:
        self.calls.append((since, time.monotonic()))
        answer = self.answers.pop(0) if self.answers else "wait"
        if answer == "raise":
            raise ConnectionError("server unreachable")
        if answer == "wait":
            stop.wait(timeout_s)
            return since
        return answer


@pytest.fixture
def listeners():
    made: list[ChangeListener] = []

    def make(wait, **kw) -> ChangeListener:
        listener = ChangeListener(wait, **kw)
        made.append(listener)
        return listener

    yield make
    for listener in made:
        listener.stop(wait_s=10)


def test_a_change_is_delivered_on_the_ui_thread_and_the_next_poll_waits_from_it(qtbot, listeners):
    polls = Polls("2")
    listener = listeners(polls, since="1", timeout_s=30)
    on = []
    # A direct connection runs the slot on the emitting thread: that thread is the UI thread.
    listener.changed.connect(lambda: on.append(QThread.currentThread()), Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(listener.changed, timeout=10_000):
        listener.start()
    assert on == [QCoreApplication.instance().thread()]
    qtbot.waitUntil(lambda: len(polls.calls) == 2, timeout=10_000)
    assert [since for since, _ in polls.calls] == ["1", "2"] and listener.since == "2"


def test_without_a_version_it_polls_only_once_the_screen_says_which_it_shows(qtbot, listeners):
    polls = Polls()
    listener = listeners(polls)
    listener.start()
    assert listener.running
    listener.shown(None)  # figures without a version: still nothing to wait from
    listener.shown(7)
    qtbot.waitUntil(lambda: bool(polls.calls), timeout=10_000)
    assert polls.calls[0][0] == "7"


def test_stop_ends_a_poll_that_takes_the_stop_event_and_joins_the_thread(qtbot, listeners):
    polls = Polls()
    listener = listeners(polls, since="1", timeout_s=600)
    heard = []
    listener.changed.connect(lambda: heard.append(1))
    listener.start()
    qtbot.waitUntil(lambda: bool(polls.calls), timeout=10_000)
    listener.stop(wait_s=10)
    assert not listener.running and not listener.thread.is_alive()
    assert heard == []


def test_a_failed_poll_is_followed_by_a_pause_not_a_spin(qtbot, listeners):
    polls = Polls("raise", "2")
    listener = listeners(polls, since="1", retry_s=0.3)
    with qtbot.waitSignal(listener.changed, timeout=10_000):
        listener.start()
    (_, first), (_, second) = polls.calls[:2]
    assert second - first >= 0.3


def test_a_poll_refused_at_once_with_nothing_new_is_followed_by_a_pause(qtbot, listeners):
    # The bench's poll says "nothing changed" at once when the server cannot be reached: on a clock that
    # does not move, every poll came back at once.
    polls = Polls("1", "2")
    listener = listeners(polls, since="1", retry_s=0.3, clock=lambda: 0.0)
    with qtbot.waitSignal(listener.changed, timeout=10_000):
        listener.start()
    (_, first), (_, second) = polls.calls[:2]
    assert second - first >= 0.3


def test_a_poll_that_waited_its_time_is_followed_by_the_next_at_once(qtbot, listeners):
    ticks = iter(range(0, 10_000, 30))  # each reading of the clock 30 s later: every poll waited
    polls = Polls("1", "1", "2")
    listener = listeners(polls, since="1", timeout_s=25, retry_s=600, clock=lambda: next(ticks))
    with qtbot.waitSignal(listener.changed, timeout=10_000):  # no pause of 600 s in between
        listener.start()
    assert [since for since, _ in polls.calls[:3]] == ["1", "1", "1"]


def test_stop_cuts_the_pause_after_a_failure_short(qtbot, listeners):
    polls = Polls("raise")
    listener = listeners(polls, since="1", retry_s=600)
    listener.start()
    qtbot.waitUntil(lambda: bool(polls.calls), timeout=10_000)
    listener.stop(wait_s=10)
    assert not listener.running and len(polls.calls) == 1


def test_a_benchs_yes_or_no_poll_becomes_a_new_version_per_change():
    answers = iter([True, False])
    wait = bench_changes(lambda timeout_s: next(answers))
    stop = threading.Event()
    assert wait("0", 25, stop) == "1"
    assert wait("1", 25, stop) == "1"
