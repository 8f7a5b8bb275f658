"""Database unreachable, suffixes, fonts, sounds and language of the station window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from app.config import resource_file
from app.packing.outcome import Level, Step
from app.ui.station_window import INSTRUCTION_POINT_SIZE, StationWindow


def test_database_unreachable_then_back(window, scanner, demo_services, qtbot, tmp_path):
    scanner.scan("P-1001")
    good = demo_services.sessions, demo_services.read_sessions
    dead = create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")  # cannot be opened
    demo_services.sessions = demo_services.read_sessions = sessionmaker(dead)
    window.retry_timer.setInterval(20)
    try:
        out = scanner.scan("PDD-1004")
        assert out.kind == "offline" and not out.accepted
        assert window.banner.level == Level.REFUSED and "NOT saved" in window.banner.text()
        assert window.offline and "Database unreachable" in window.statusBar().currentMessage()
        assert window.retry_timer.isActive()
        # Still unreachable after a few retries: the message stays.
        with qtbot.waitSignal(window.worker.viewed) as blocker:
            pass
        assert blocker.args[1] is False and window.offline
    finally:
        demo_services.sessions, demo_services.read_sessions = good
        dead.dispose()
    qtbot.waitUntil(lambda: not window.offline, timeout=5000)
    assert window.statusBar().currentMessage() == "" and not window.retry_timer.isActive()
    out = scanner.scan("PDD-1004")
    assert out.accepted and window.view.step == Step.VERIFY


@pytest.mark.parametrize("suffix,keys", [
    ("tab", (Qt.Key.Key_Tab,)),
    ("enter+tab", (Qt.Key.Key_Return, Qt.Key.Key_Tab)),
])
def test_tab_suffixes(window, scanner, demo_services, suffix, keys, qtbot):
    demo_services.settings.scanner_suffix = suffix
    window.apply_settings()
    received = []
    window.outcome_shown.connect(lambda o: received.append(o.raw))
    scanner.scan("P-1001", target=window.order_panel.table, suffix=keys)
    scanner.scan("PDD-1004", suffix=keys)
    assert received == ["P-1001", "PDD-1004"] and window.view.step == Step.VERIFY


def test_prefix_is_stripped(window, scanner, demo_services):
    demo_services.settings.scanner_prefix = "]C1"
    window.apply_settings()
    out = scanner.scan("]C1P-1001")
    assert out.accepted and out.raw == "P-1001"


def test_keys_for_another_window_are_left_alone(window, scanner, qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    field = QLineEdit()
    QVBoxLayout(dialog).addWidget(field)
    dialog.show()
    received = []
    window.scan_filter.scanned.connect(received.append)
    qtbot.keyClicks(field, "S-9001")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert field.text() == "S-9001" and received == []
    assert window.scan_field.text() == ""


def test_big_fonts(window):
    window.ensurePolished()
    assert window.instruction.font().pointSize() >= 28 == min(28, INSTRUCTION_POINT_SIZE)
    assert window.banner.font().pointSize() >= 24


def test_sounds_muted_from_settings(qtbot, demo_services):
    from app.ui.sounds import RecordingSounds

    demo_services.settings.sounds = False
    sounds = RecordingSounds(muted=True)
    win = StationWindow(demo_services, "BENCH-2", sounds=sounds)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.outcome_shown):
        qtbot.keyClicks(win, "P-1001")
        qtbot.keyClick(win, Qt.Key.Key_Return)
    assert sounds.played == []


def test_sound_files_exist_and_differ():
    names = ("accept", "refuse", "complete")
    data = [resource_file("sounds", f"{n}.wav").read_bytes() for n in names]
    assert all(d.startswith(b"RIFF") for d in data) and len(set(data)) == 3


def test_chinese_translation(qtbot, demo_services):
    qm = Path(resource_file("translations", "packgate_zh_CN.qm"))
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        zh = QCoreApplication.translate("Outcome", "Scan the carrier waybill")
        assert zh != "Scan the carrier waybill" and any("\u4e00" <= c <= "\u9fff" for c in zh)
        win = StationWindow(demo_services, "BENCH-ZH")
        qtbot.addWidget(win)
        assert win.instruction.text() == QCoreApplication.translate("Outcome", "Scan your badge")
        assert any("\u4e00" <= c <= "\u9fff" for c in win.instruction.text())
        assert any("\u4e00" <= c <= "\u9fff" for c in win.logout_button.text())
    finally:
        QCoreApplication.removeTranslator(translator)
