"""The supervisor's Evidence tab: a waybill scanned into the search finds the clip, which plays in
the window and seeks to its marks, and exports with its evidence sheet."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer

from tests.integration.evidence.recorder_helpers import make_clip

MARKS = [{"t": 0.2, "kind": "order", "accepted": True, "code": "PDD-1001", "text": "opened"},
         {"t": 1.4, "kind": "waybill", "accepted": True, "code": "SF1400000000000", "text": "linked"}]

# QtMultimedia on a headless machine: no VA-API for hardware decoding, no GPU for the video widget.
NO_GPU = (r"^Couldn't (load|resolve) va", r"No RHI backend", r"^This plugin does not support propagateSizeHints")


@pytest.mark.qt_log_ignore(*NO_GPU)
def test_scan_a_waybill_play_seek_and_export(qtbot, logged_in, demo_services, tmp_path):
    demo_services.settings.evidence_dir = str(tmp_path / "ev")
    path = make_clip(tmp_path / "ev", demo_services.sessions, "PDD-1001", ("SF1400000000000",), 2.0, MARKS)
    tab = logged_in.dashboard.evidence
    logged_in.dashboard.tabs.setCurrentWidget(tab)
    with qtbot.waitSignal(tab.searched, timeout=10_000) as found:
        qtbot.keyClicks(tab.search, "SF1400000000000")  # a scanner types, then Enter
        qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    [clip] = found.args[0]
    assert clip["order_no"] == "PDD-1001" and tab.results.rowCount() == 1
    assert tab.results.item(0, 1).text() == "SF1400000000000"
    assert Path(tab.player.source().toLocalFile()) == path
    assert tab.marks.count() == 2 and "waybill" in tab.marks.item(1).text()
    qtbot.waitUntil(lambda: tab.player.mediaStatus() in (QMediaPlayer.MediaStatus.LoadedMedia,
                                                         QMediaPlayer.MediaStatus.BufferedMedia,
                                                         QMediaPlayer.MediaStatus.BufferingMedia,
                                                         QMediaPlayer.MediaStatus.EndOfMedia), timeout=10_000)
    assert tab.player.duration() > 1500
    tab.player.pause()
    tab.seek_to_item(tab.marks.item(1))
    qtbot.waitUntil(lambda: abs(tab.player.position() - 1400) < 300, timeout=5_000)

    with qtbot.waitSignal(tab.exported, timeout=30_000) as exported:
        qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    sheet = Path(exported.args[0])
    assert sheet.exists() and (sheet.parent / path.name).exists()
    assert "Exported to" in tab.status.text()


def test_an_unknown_waybill_says_so(qtbot, logged_in):
    tab = logged_in.dashboard.evidence
    with qtbot.waitSignal(tab.searched, timeout=10_000):
        qtbot.keyClicks(tab.search, "SF9999")
        qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    assert tab.results.rowCount() == 0 and tab.status.text() == "No video for SF9999"
    assert not tab.export_button.isEnabled()
