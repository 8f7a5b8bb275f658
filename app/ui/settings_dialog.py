"""Bench settings behind a supervisor's badge and PIN. Non-modal: the window keeps scanning.

The badge and PIN are checked, and the change audited, through the desk: in-process, or at the
PackGate server for a bench behind it (the settings file itself is the bench's own). The settings
that decide a scan (weight tolerance, video required, platform trigger) are the site's: read and
written through the desk (the database, :mod:`app.packing.site`), each change audited with its old
and new value, used by every bench from its next scan."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.config import Settings
from app.desk.port import SupervisorDesk
from app.errors import ConfigError, KnownError
from app.packing.auth import NotAuthorized
from app.packing.ports import Services
from app.packing.site import KEYS as SITE_SETTING_KEYS
from app.ui.tasks import TaskRunner
from app.ui.text import render, show_as_text


class SettingsDialog(QDialog):
    """Page 1: supervisor badge + PIN. Page 2: the bench's settings; Save writes settings.json."""

    saved = Signal()
    unlock_finished = Signal(bool)  # the badge + PIN check came back (True: unlocked)

    def __init__(self, services: Services, station: str | None, parent: QWidget | None = None,
                 settings_path=None, *, desk: SupervisorDesk | None = None) -> None:
        super().__init__(parent)
        if desk is None:
            from app.desk.local import LocalDesk

            desk = LocalDesk(services, station)
        self.services = services
        self.desk = desk
        self.finished.connect(lambda _result: desk.close())  # behind the server: its connection
        self.station = station
        self.settings_path = settings_path
        self.supervisor = None
        self.site: dict = {}  # the site's settings as read after the unlock
        self._tasks = TaskRunner(self, threads=1)
        self.setWindowTitle(self.tr("PackGate settings"))
        self.pages = QStackedWidget()
        self.pages.addWidget(self._auth_page())
        self.pages.addWidget(self._settings_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        show_as_text(self)

    # ------------------------------------------------------------------ page 1: who may change settings

    def _auth_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(QLabel(self.tr("A supervisor must unlock the settings.")))
        self.badge = QLineEdit()
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.auth_error = QLabel()
        self.auth_error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.unlock)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        form.addRow(self.tr("Supervisor badge"), self.badge)
        form.addRow(self.tr("PIN"), self.pin)
        form.addRow(self.auth_error)
        form.addRow(self.unlock_button, cancel)
        return page

    def unlock(self) -> None:
        """Check badge and PIN on a worker (argon2 and a database write must not freeze the window)."""
        badge, pin = self.badge.text(), self.pin.text()
        self.unlock_button.setEnabled(False)
        self.auth_error.setText(self.tr("Checking…"))
        self._tasks.submit(
            lambda: self.desk.unlock_settings(badge, pin),
            self._unlocked,
            self._unlock_failed,
        )

    def _unlocked(self, supervisor) -> None:
        self.supervisor = supervisor
        # The site's settings next, from the database (or the server): what every bench decides with.
        self._tasks.submit(self.desk.site_settings, self._site_loaded, self._unlock_failed)

    def _site_loaded(self, values: dict) -> None:
        self.site = dict(values)
        self.tolerance_pct.setValue(float(values["weight_tolerance_pct"]))
        self.tolerance_min.setValue(int(values["weight_tolerance_min_g"]))
        self.require_video.setChecked(bool(values["require_video"]))
        self.platform_trigger.setCurrentIndex(max(0, self.platform_trigger.findData(values["platform_trigger"])))
        self.unlock_button.setEnabled(True)
        self.auth_error.clear()
        self.pages.setCurrentIndex(1)
        self.unlock_finished.emit(True)

    def _unlock_failed(self, exc: BaseException) -> None:
        self.unlock_button.setEnabled(True)
        if isinstance(exc, NotAuthorized):
            self.auth_error.setText(render(exc.message))
            self.pin.clear()
        elif isinstance(exc, KnownError):
            self.auth_error.setText(exc.message)
        else:
            self.auth_error.setText(self.tr("Unexpected error: {error}").format(error=exc))
        self.unlock_finished.emit(False)

    # ------------------------------------------------------------------ page 2: the settings

    def _settings_page(self) -> QWidget:
        s = self.services.settings
        page = QWidget()
        form = QFormLayout(page)
        self.station_edit = QLineEdit(s.station or self.station or "")
        self.printer_edit = QLineEdit(s.printer)
        self.printer_edit.setPlaceholderText(self.tr("pdf:DIR, system:NAME, zpl:HOST:PORT or zpl-cups:QUEUE"))
        self.label_size = QComboBox()
        self.label_size.addItems(["100x150", "76x130", "100x180"])
        self.label_size.setCurrentText(s.label_size)
        self.language = QComboBox()
        for code, name in (("", self.tr("System language")), ("en", "English"), ("zh_CN", "简体中文")):
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(s.language)))
        self.sounds = QCheckBox(self.tr("Play a sound for every scan"))
        self.sounds.setChecked(s.sounds)
        self.prefix = QLineEdit(s.scanner_prefix)
        self.suffix = QComboBox()
        for code, name in (("enter", self.tr("Enter")), ("tab", self.tr("Tab")), ("enter+tab", self.tr("Enter then Tab"))):
            self.suffix.addItem(name, code)
        self.suffix.setCurrentIndex(max(0, self.suffix.findData(s.scanner_suffix)))
        self.tolerance_pct = QDoubleSpinBox()
        self.tolerance_pct.setRange(0, 100)
        self.tolerance_pct.setSuffix(" %")
        self.tolerance_pct.setValue(float(s.weight_tolerance_pct))
        self.tolerance_min = QSpinBox()
        self.tolerance_min.setRange(0, 10_000)
        self.tolerance_min.setSuffix(" g")
        self.tolerance_min.setValue(int(s.weight_tolerance_min_g))
        self.scale_port = QLineEdit(s.scale_port)
        self.scale_port.setPlaceholderText(self.tr("e.g. /dev/ttyUSB0 or COM3; empty: no scale"))
        self.default_carrier = QComboBox()
        self.default_carrier.addItem(self.tr("None: a blank carrier is a bad row"), "")
        for carrier in self.services.catalogue.all():
            self.default_carrier.addItem(f"{carrier.code} {carrier.name_zh}", carrier.code)
        self.default_carrier.setCurrentIndex(max(0, self.default_carrier.findData(s.default_carrier)))
        self.camera = QLineEdit(s.camera)
        self.camera.setPlaceholderText(self.tr("v4l2:/dev/video0, rtsp://..., test or none"))
        self.camera_error = _error_label()  # a bad spec is named as it is typed
        self.camera.textChanged.connect(self._check_video_fields)
        self.require_video = QCheckBox(self.tr("Refuse to open an order while the camera does not work"))
        self.require_video.setChecked(bool(s.require_video))
        self.video_size = QComboBox()
        for size, name in (("1280x720", self.tr("720p (1280x720)")), ("1920x1080", self.tr("1080p (1920x1080)"))):
            self.video_size.addItem(name, size)
        if self.video_size.findData(s.video_size) < 0:  # a size set in settings.json is kept as it is
            self.video_size.addItem(s.video_size, s.video_size)
        self.video_size.setCurrentIndex(self.video_size.findData(s.video_size))
        self.video_fps = QSpinBox()
        self.video_fps.setRange(1, 60)
        self.video_fps.setSuffix(self.tr(" fps"))
        self.video_fps.setValue(int(s.video_fps))
        self.evidence_dir = QLineEdit(s.evidence_dir)
        self.evidence_dir.setPlaceholderText(self.tr("empty: evidence/ in the data folder"))
        self.retention_days = QSpinBox()
        self.retention_days.setRange(0, 3650)
        self.retention_days.setSuffix(self.tr(" days"))
        self.retention_days.setSpecialValueText(self.tr("keep every clip"))
        self.retention_days.setValue(int(s.retention_days))
        self.retention_gb = QDoubleSpinBox()
        self.retention_gb.setRange(0, 100_000)
        self.retention_gb.setDecimals(1)
        self.retention_gb.setSuffix(" GB")
        self.retention_gb.setSpecialValueText(self.tr("no limit"))
        self.retention_gb.setValue(float(s.retention_gb))
        self.audio = QCheckBox(self.tr("Record sound with the video"))
        self.audio.setChecked(bool(s.audio))
        self.audio.toggled.connect(self._check_video_fields)
        self.audio_source = QLineEdit(s.audio_source)
        self.audio_source.setPlaceholderText(self.tr("empty: the camera's own; alsa:default, dshow:audio=NAME or test"))
        self.audio_source.textChanged.connect(self._check_video_fields)
        self.platform_trigger = QComboBox()
        for code, name in (("packed", self.tr("When the order is packed")),
                           ("handed_over", self.tr("When the parcel is handed to the courier"))):
            self.platform_trigger.addItem(name, code)
        self.platform_trigger.setCurrentIndex(max(0, self.platform_trigger.findData(s.platform_trigger)))
        self.video_preview = QCheckBox(self.tr("Show the live camera picture at the bench"))
        self.video_preview.setChecked(bool(s.video_preview))
        self.save_error = QLabel()
        self.save_error.setStyleSheet("color: #c62828; font-weight: bold;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        # Our own words for the standard buttons: Qt's translations are not always installed.
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        site = QLabel(self.tr("Site settings: every bench decides its scans with these, from its next scan"))
        site.setStyleSheet("font-weight: bold;")
        form.addRow(site)
        form.addRow(self.tr("Weight tolerance"), self.tolerance_pct)
        form.addRow(self.tr("Minimum tolerance"), self.tolerance_min)
        form.addRow(self.tr("Video required"), self.require_video)
        form.addRow(self.tr("Tell the shop platform"), self.platform_trigger)
        bench = QLabel(self.tr("This bench's settings"))
        bench.setStyleSheet("font-weight: bold;")
        form.addRow(bench)
        form.addRow(self.tr("Station name"), self.station_edit)
        form.addRow(self.tr("Printer"), self.printer_edit)
        from app.ui.component_printers import ComponentPrinterPicker

        self.component_picker = ComponentPrinterPicker(self.printer_edit, self._tasks)  # e-waybills (issue 21)
        form.addRow(self.tr("Print component"), self.component_picker)
        form.addRow(self.tr("Label size (mm)"), self.label_size)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Sounds"), self.sounds)
        form.addRow(self.tr("Scanner prefix"), self.prefix)
        form.addRow(self.tr("Scanner suffix"), self.suffix)
        form.addRow(self.tr("Scale port"), self.scale_port)
        form.addRow(self.tr("Default carrier for imports"), self.default_carrier)
        form.addRow(self.tr("Camera"), self.camera)
        form.addRow(self.camera_error)
        form.addRow(self.tr("Video size"), self.video_size)
        form.addRow(self.tr("Frame rate"), self.video_fps)
        form.addRow(self.tr("Evidence folder"), self.evidence_dir)
        form.addRow(self.tr("Keep clips for"), self.retention_days)
        form.addRow(self.tr("Keep at most"), self.retention_gb)
        form.addRow(self.tr("Sound"), self.audio)
        form.addRow(self.tr("Sound source"), self.audio_source)
        form.addRow(self.tr("Live picture"), self.video_preview)
        form.addRow(QLabel(self.tr("Station name, language and the video settings apply at the next start "
                                   "(the live picture at once).")))
        form.addRow(self.save_error)
        form.addRow(self.buttons)
        return page

    def edited(self) -> Settings:
        return replace(
            self.services.settings,
            station=self.station_edit.text().strip(),
            printer=self.printer_edit.text().strip(),
            label_size=self.label_size.currentText(),
            language=self.language.currentData(),
            sounds=self.sounds.isChecked(),
            scanner_prefix=self.prefix.text(),
            scanner_suffix=self.suffix.currentData(),
            scale_port=self.scale_port.text().strip(),
            default_carrier=self.default_carrier.currentData(),
            camera=self.camera.text().strip() or "none",
            video_size=self.video_size.currentData(),
            video_fps=self.video_fps.value(),
            evidence_dir=self.evidence_dir.text().strip(),
            retention_days=self.retention_days.value(),
            retention_gb=self.retention_gb.value(),
            audio=self.audio.isChecked(),
            audio_source=self.audio_source.text().strip(),
            video_preview=self.video_preview.isChecked(),
        )

    def site_edited(self) -> dict:
        """The site settings changed in the dialog: ``{key: new value}``."""
        edited = {"weight_tolerance_pct": self.tolerance_pct.value(), "weight_tolerance_min_g": self.tolerance_min.value(),
                  "require_video": self.require_video.isChecked(), "platform_trigger": self.platform_trigger.currentData()}
        assert tuple(edited) == SITE_SETTING_KEYS
        return {key: value for key, value in edited.items() if self.site.get(key) != value}

    def _check_video_fields(self, *_args) -> None:
        """The camera and sound specs, checked as they are typed (Save checks everything again)."""
        from app.hardware.avspec import check_audio, parse_camera

        try:
            check_audio(self.audio.isChecked(), self.audio_source.text(), parse_camera(self.camera.text().strip() or "none"))
        except KnownError as exc:
            self.camera_error.setText(exc.message)
            self.camera_error.show()
        else:
            self.camera_error.clear()
            self.camera_error.hide()

    def save(self) -> None:
        if self.supervisor is None:  # cannot happen through the pages; never save unauthorised
            return
        new = self.edited()
        try:
            new.validate()
            _check_folder(new.evidence_dir)
        except KnownError as exc:
            self.save_error.setText(self.tr("Not saved: %1").replace("%1", exc.message))
            return
        changes = self.services.settings.changes(new)
        site = self.site_edited()
        if not changes and not site:
            self.accept()
            return
        supervisor, station = self.supervisor, self.station
        text = "; ".join(f"{key} {old!r} -> {value!r}" for key, (old, value) in changes.items())
        message = f"{supervisor.name} changed the settings of {station or 'this bench'}: {text}"
        self.buttons.setEnabled(False)

        def store() -> None:  # on a worker: database writes (or the server)
            for key, value in site.items():  # each audited with its old and new value
                self.desk.change_site_setting(key, value)
            if changes:  # the audit event first, then the file
                self.desk.audit_settings(",".join(changes), message)

        self._tasks.submit(store, lambda _none: self._write(new if changes else None), self._save_failed)

    def _write(self, new: Settings | None) -> None:
        self.buttons.setEnabled(True)
        if new is None:  # only site settings changed: they are in the database already
            self.saved.emit()
            self.accept()
            return
        try:
            new.save(self.settings_path)
        except (KnownError, OSError) as exc:
            self.save_error.setText(getattr(exc, "message", str(exc)))
            return
        # The running bench uses the same Settings object: update it in place.
        for key, value in asdict(new).items():
            setattr(self.services.settings, key, value)
        self.saved.emit()
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        detail = exc.message if isinstance(exc, KnownError) else f"{type(exc).__name__}: {exc}"
        self.save_error.setText(self.tr("Not saved: the change could not be audited ({error})").format(error=detail))


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #c62828; font-weight: bold;")
    label.setWordWrap(True)
    label.hide()
    return label


def _check_folder(folder: str) -> None:
    """An evidence folder that cannot hold clips is refused before anything is saved."""
    if not folder:
        return
    path = Path(folder).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"evidence_dir {folder!r} is a file, not a folder")
    if not path.is_absolute():
        raise ConfigError(f"evidence_dir {folder!r}: give the whole path (e.g. /srv/evidence or D:\\evidence)")
