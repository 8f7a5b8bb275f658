"""The supervisor's Evidence tab: scan a waybill (or type an order number), see its clips, play one
in the window with a jump to each mark, export it with its evidence sheet, and keep an order's
clips for a dispute (flag, with the PIN and a reason).

Searches, downloads (behind the PackGate server a clip is fetched into a local cache before it
plays), exports and flags run on the window's task runner through the desk; the player is QtMultimedia's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
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

from app.desk.port import SupervisorDesk
from app.packing.ports import Services
from app.ui.tasks import TaskRunner, error_text

COLUMNS = ("order_no", "waybills", "station", "packer", "started_at", "duration_s", "state", "flagged")


class EvidenceTab(QWidget):
    searched = Signal(list)
    exported = Signal(str)  # the evidence sheet's path
    failed = Signal(str)
    playing = Signal(str)  # the local file the player was given
    flag_done = Signal(int)  # how many clips were flagged or unflagged

    def __init__(self, services: Services, desk: SupervisorDesk, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidence_tab")
        self.services, self.desk, self.runner = services, desk, runner
        self.badge = ""  # the logged-in supervisor's, for the flag (the PIN is typed again)
        self.clips: list[dict[str, Any]] = []
        self._fetching: set[Any] = set()  # clip ids being downloaded (one download per clip)
        self.search = QLineEdit()
        self.search.setObjectName("evidence_search")
        self.search.setPlaceholderText(self.tr("Scan a waybill or type an order number, then Enter"))
        self.search.returnPressed.connect(self.run_search)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        headers = [self.tr("Order"), self.tr("Waybills"), self.tr("Bench"), self.tr("Packer"), self.tr("Started"),
                   self.tr("Seconds"), self.tr("State"), self.tr("Kept for a dispute")]
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
        # Keep an order's clips for a dispute (retention never deletes them): a reason and the PIN again.
        self.flag_reason = QLineEdit()
        self.flag_reason.setObjectName("flag_reason")
        self.flag_reason.setPlaceholderText(self.tr("Why? e.g. the buyer's refund claim"))
        self.flag_pin = QLineEdit()
        self.flag_pin.setObjectName("flag_pin")
        self.flag_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.flag_pin.setPlaceholderText(self.tr("Your PIN, again"))
        self.flag_button = QPushButton(self.tr("Keep for a dispute"))
        self.flag_button.setObjectName("flag_button")
        self.unflag_button = QPushButton(self.tr("Stop keeping"))
        self.unflag_button.setObjectName("unflag_button")
        self.flag_button.clicked.connect(lambda: self.flag(True))
        self.unflag_button.clicked.connect(lambda: self.flag(False))
        for button in (self.flag_button, self.unflag_button):
            button.setEnabled(False)
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
        flag_form = QFormLayout()
        flag_form.addRow(self.tr("Reason"), self.flag_reason)
        flag_form.addRow(self.tr("PIN"), self.flag_pin)
        flag_buttons = QHBoxLayout()
        flag_buttons.addWidget(self.flag_button)
        flag_buttons.addWidget(self.unflag_button)
        flag_buttons.addStretch(1)
        player_box = QWidget()
        pl = QVBoxLayout(player_box)
        pl.addWidget(self.video, 1)
        pl.addLayout(buttons)
        pl.addLayout(flag_form)
        pl.addLayout(flag_buttons)
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
        desk = self.desk
        self.runner.submit(lambda: desk.find_clips(text), self._show, self._failed)

    def _show(self, clips: list[dict[str, Any]]) -> None:
        self.clips = clips
        self.results.setRowCount(len(clips))
        for row, clip in enumerate(clips):
            for col, key in enumerate(COLUMNS):
                value = clip.get(key)
                if key == "flagged":
                    text = self.tr("yes: %1").replace("%1", clip.get("flag_reason") or "") if value else "-"
                elif isinstance(value, list):
                    text = ", ".join(value)
                else:
                    text = f"{value:.1f}" if key == "duration_s" else str(value or "-")
                self.results.setItem(row, col, QTableWidgetItem(text))
        self.status.setText(self.tr("%n clip(s)", "", len(clips)) if clips else
                            self.tr("No video for %1").replace("%1", self.search.text().strip()))
        for button in (self.export_button, self.flag_button, self.unflag_button):
            button.setEnabled(bool(clips))
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
        local = self.desk.local_clip(clip)
        if local is not None:
            self._play_file(clip, local)
        elif clip.get("id") not in self._fetching:  # behind the server: into the local cache first, off the UI thread
            self.status.setText(self.tr("Fetching the clip from the server…"))
            self._fetching.add(clip.get("id"))
            desk = self.desk

            def failed(exc: BaseException) -> None:
                self._fetching.discard(clip.get("id"))
                self._failed(exc)

            self.runner.submit(lambda: desk.fetch_clip(clip), lambda path: self._fetched(clip, path), failed)
        self.marks.clear()
        for mark in clip["marks"]:
            ok = "\u2713" if mark["accepted"] else "\u2717"
            item = QListWidgetItem(f"{mark['t']:7.1f} s  {ok} {mark['kind']}  {mark['code']}  {mark['text']}")
            item.setData(Qt.ItemDataRole.UserRole, float(mark["t"]))
            self.marks.addItem(item)


    def _fetched(self, clip: dict[str, Any], path: Path) -> None:
        self._fetching.discard(clip.get("id"))
        if self.current() is clip or (self.current() or {}).get("id") == clip.get("id"):
            self.status.clear()
            self._play_file(clip, path)

    def _play_file(self, clip: dict[str, Any], path: Path) -> None:
        self.player.setSource(QUrl.fromLocalFile(str(path)))
        self.player.play()
        self.playing.emit(str(path))

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
        desk = self.desk
        self.export_button.setEnabled(False)
        self.status.setText(self.tr("Exporting %1…").replace("%1", order_no))

        def work() -> str:  # behind the server, it renders the sheet from its own copy; written here
            return desk.export_evidence(order_no, out)["sheet"]

        def done(sheet: str) -> None:
            self.export_button.setEnabled(True)
            self.status.setText(self.tr("Exported to %1").replace("%1", str(Path(sheet).parent)))
            self.exported.emit(sheet)

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            self._failed(exc)

        self.runner.submit(work, done, failed)

    # ------------------------------------------------------------------ keep for a dispute

    def flag(self, flagged: bool = True) -> None:
        clip = self.current() or (self.clips[-1] if self.clips else None)
        if clip is None:
            return
        order_no, badge, pin, reason = clip["order_no"], self.badge, self.flag_pin.text(), self.flag_reason.text()
        desk = self.desk
        self.flag_pin.clear()
        for button in (self.flag_button, self.unflag_button):
            button.setEnabled(False)

        def done(n: int) -> None:
            for button in (self.flag_button, self.unflag_button):
                button.setEnabled(True)
            self.flag_reason.clear()
            self.status.setText(self.tr("%1: kept for a dispute").replace("%1", order_no) if flagged
                                else self.tr("%1: no longer kept").replace("%1", order_no))
            self.flag_done.emit(n)
            self.run_search()

        def failed(exc: BaseException) -> None:
            for button in (self.flag_button, self.unflag_button):
                button.setEnabled(True)
            self._failed(exc)

        self.runner.submit(lambda: desk.flag_clips(order_no, badge, pin, reason, flagged), done, failed)

    def stop(self) -> None:
        self.player.stop()
