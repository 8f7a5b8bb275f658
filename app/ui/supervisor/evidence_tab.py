"""The supervisor's Evidence tab: scan a waybill (or type an order number), see its clips, play one
in the window with a jump to each mark, and export it with its evidence sheet.

Searches and exports run on the window's task runner; the player is QtMultimedia's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.packing.ports import Services
from app.ui.supervisor.tasks import TaskRunner, error_text

COLUMNS = ("order_no", "waybills", "station", "packer", "started_at", "duration_s", "state")


def search_clips(services: Services, text: str) -> list[dict[str, Any]]:
    from app.evidence.index import find_clips

    with services.read_uow() as uow:
        return find_clips(uow.session, text)


class EvidenceTab(QWidget):
    searched = Signal(list)
    exported = Signal(str)  # the evidence sheet's path
    failed = Signal(str)

    def __init__(self, services: Services, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidence_tab")
        self.services, self.runner = services, runner
        self.clips: list[dict[str, Any]] = []
        self.search = QLineEdit()
        self.search.setObjectName("evidence_search")
        self.search.setPlaceholderText(self.tr("Scan a waybill or type an order number, then Enter"))
        self.search.returnPressed.connect(self.run_search)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        headers = [self.tr("Order"), self.tr("Waybills"), self.tr("Bench"), self.tr("Packer"), self.tr("Started"),
                   self.tr("Seconds"), self.tr("State")]
        self.results = QTableWidget(0, len(headers))
        self.results.setHorizontalHeaderLabels(headers)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.currentCellChanged.connect(lambda row, *_: self.play(row))
        self.video = QVideoWidget()
        self.video.setMinimumSize(480, 270)
        self.player = QMediaPlayer(self)
        self.player.setVideoOutput(self.video)
        self.play_button = QPushButton(self.tr("Play / pause"))
        self.play_button.clicked.connect(self.toggle_play)
        self.export_button = QPushButton(self.tr("Export clip and evidence sheet"))
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(False)
        self.marks = QListWidget()
        self.marks.setObjectName("evidence_marks")
        self.marks.itemActivated.connect(self.seek_to_item)
        self.marks.itemClicked.connect(self.seek_to_item)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Waybill or order")))
        top.addWidget(self.search, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.export_button)
        player_box = QWidget()
        pl = QVBoxLayout(player_box)
        pl.addWidget(self.video, 1)
        pl.addLayout(buttons)
        split = QSplitter()
        split.addWidget(player_box)
        split.addWidget(self.marks)
        split.setStretchFactor(0, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.results)
        layout.addWidget(split, 1)

    # ------------------------------------------------------------------ search

    def run_search(self) -> None:
        text = self.search.text().strip()
        if not text:
            return
        self.status.setText(self.tr("Searching…"))
        self.runner.submit(lambda: search_clips(self.services, text), self._show, self._failed)

    def _show(self, clips: list[dict[str, Any]]) -> None:
        self.clips = clips
        self.results.setRowCount(len(clips))
        for row, clip in enumerate(clips):
            for col, key in enumerate(COLUMNS):
                value = clip[key]
                text = ", ".join(value) if isinstance(value, list) else f"{value:.1f}" if key == "duration_s" else str(value or "-")
                self.results.setItem(row, col, QTableWidgetItem(text))
        self.status.setText(self.tr("%n clip(s)", "", len(clips)) if clips else
                            self.tr("No video for %1").replace("%1", self.search.text().strip()))
        self.export_button.setEnabled(bool(clips))
        self.search.selectAll()  # the next scan replaces the text
        if clips:
            self.results.selectRow(len(clips) - 1)
            self.play(len(clips) - 1)
        self.searched.emit(clips)

    def _failed(self, exc: BaseException) -> None:
        text = error_text(exc)
        self.status.setText(text)
        self.failed.emit(text)

    # ------------------------------------------------------------------ player

    def current(self) -> dict[str, Any] | None:
        row = self.results.currentRow()
        return self.clips[row] if 0 <= row < len(self.clips) else None

    def play(self, row: int) -> None:
        if not 0 <= row < len(self.clips):
            return
        clip = self.clips[row]
        self.player.setSource(QUrl.fromLocalFile(clip["path"]))
        self.marks.clear()
        for mark in clip["marks"]:
            ok = "\u2713" if mark["accepted"] else "\u2717"
            item = QListWidgetItem(f"{mark['t']:7.1f} s  {ok} {mark['kind']}  {mark['code']}  {mark['text']}")
            item.setData(Qt.ItemDataRole.UserRole, float(mark["t"]))
            self.marks.addItem(item)
        self.player.play()

    def toggle_play(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def seek_to_item(self, item: QListWidgetItem) -> None:
        self.seek(float(item.data(Qt.ItemDataRole.UserRole)))

    def seek(self, seconds: float) -> None:
        self.player.setPosition(int(seconds * 1000))

    # ------------------------------------------------------------------ export

    def export(self) -> None:
        clip = self.current() or (self.clips[-1] if self.clips else None)
        if clip is None:
            return
        from app.evidence.clipfile import safe_part

        order_no = clip["order_no"]
        out = Path(self.services.settings.evidence_path()) / "exports" / safe_part(order_no)
        font = self.services.settings.label_font or None
        self.export_button.setEnabled(False)
        self.status.setText(self.tr("Exporting %1…").replace("%1", order_no))

        def work() -> str:
            from app.evidence.export import export_evidence

            with self.services.read_uow() as uow:
                return export_evidence(uow.session, order_no, out, font_path=font)["sheet"]

        def done(sheet: str) -> None:
            self.export_button.setEnabled(True)
            self.status.setText(self.tr("Exported to %1").replace("%1", str(Path(sheet).parent)))
            self.exported.emit(sheet)

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            self._failed(exc)

        self.runner.submit(work, done, failed)

    def stop(self) -> None:
        self.player.stop()
