"""The one UI task runner (app/ui/tasks.py): work off the UI thread, its result or failure on the UI thread,
a serial lane in submission order, nothing delivered once the runner's window is closed or gone."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QCoreApplication, QThread
from PySide6.QtWidgets import QWidget

from app.errors import KnownError
from app.ui.tasks import TaskRunner


def ui_thread() -> QThread:
    return QCoreApplication.instance().thread()


def test_the_result_comes_back_on_the_ui_thread(qtbot):
    runner = TaskRunner()
    ran_on, got = [], []
    runner.submit(lambda: ran_on.append(QThread.currentThread()) or 42,
                  lambda result: got.append((result, QThread.currentThread())), lambda exc: got.append(exc))
    assert runner.busy
    qtbot.waitUntil(lambda: bool(got), timeout=10_000)
    assert ran_on[0] is not ui_thread()
    assert got == [(42, ui_thread())] and not runner.busy


def test_a_failure_comes_back_on_the_ui_thread(qtbot):
    runner = TaskRunner()
    failed = []

    def work():
        raise KnownError("printer offline")

    runner.submit(work, lambda result: failed.append(("done", result)),
                  lambda exc: failed.append((exc, QThread.currentThread())))
    qtbot.waitUntil(lambda: bool(failed), timeout=10_000)
    [(exc, thread)] = failed
    assert isinstance(exc, KnownError) and exc.message == "printer offline" and thread is ui_thread()


def test_a_lane_runs_its_tasks_one_at_a_time_in_order(qtbot):
    runner = TaskRunner(threads=4)
    go = threading.Event()
    started, delivered = [], []

    def work(n):
        started.append(n)
        if n == 0:  # the first holds the lane: in a shared pool the others would start meanwhile
            assert go.wait(30)
        return n

    for n in range(5):
        runner.submit(lambda n=n: work(n), delivered.append, lambda exc: delivered.append(exc), lane="pdfium")
    qtbot.waitUntil(lambda: started == [0], timeout=10_000)
    go.set()
    qtbot.waitUntil(lambda: len(delivered) == 5, timeout=10_000)
    assert started == [0, 1, 2, 3, 4] and delivered == [0, 1, 2, 3, 4]


def test_tasks_without_a_lane_run_side_by_side(qtbot):
    runner = TaskRunner(threads=2)
    second_ran, delivered = threading.Event(), []
    runner.submit(lambda: second_ran.wait(30) and "first", delivered.append, delivered.append)
    runner.submit(lambda: second_ran.set() or "second", delivered.append, delivered.append)
    qtbot.waitUntil(lambda: len(delivered) == 2, timeout=40_000)
    # "first" (not False: its wait timed out) proves it waited for the second while it ran: side by
    # side. Which of the two results is delivered first is a race between the threads, not asserted.
    assert sorted(map(str, delivered)) == ["first", "second"]


def test_nothing_is_delivered_after_shutdown(qtbot):
    runner = TaskRunner()
    got = []
    runner.submit(lambda: 1, got.append, got.append)
    runner.shutdown()  # the window closes: the task finished, its result is still on its way
    QCoreApplication.processEvents()
    assert got == [] and not runner.busy  # taken off the queue, and dropped


def test_nothing_is_delivered_to_a_deleted_window(qtbot):
    window = QWidget()
    runner = TaskRunner(window)
    got = []
    runner.submit(lambda: 1, lambda result: got.append(result), got.append)
    assert runner.wait(10_000)
    shiboken6.delete(window)  # the runner goes with it
    QCoreApplication.processEvents()
    assert got == []
