"""The packing video's settings in the bench settings dialog: each one saved and audited like the
others; a bad camera or sound spec is named inline and changes nothing; the live picture shown or
hidden applies at once (and a hidden picture is not even read from the recorder)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from sqlalchemy import text

from app.config import Settings, settings_path
from app.packing import site
from app.ui.evidence.controller import EvidenceController


def unlocked(window, qtbot):
    dialog = window.open_settings()
    qtbot.keyClicks(dialog.badge, "S-9001")
    qtbot.keyClicks(dialog.pin, "123456")
    with qtbot.waitSignal(dialog.unlock_finished) as blocker:
        qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [True] and dialog.pages.currentIndex() == 1
    return dialog


def save(dialog):
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def settings_events(services) -> list:
    with services.read_uow() as uow:
        return uow.session.execute(text("SELECT raw, message FROM scan_events WHERE kind = 'settings' "
                                        "ORDER BY id")).all()


def test_the_video_settings_are_saved_and_audited(window, qtbot, demo_services, tmp_path):
    dialog = unlocked(window, qtbot)
    assert dialog.video_size.currentData() == "1280x720" and dialog.video_fps.value() == 15
    assert not dialog.audio.isChecked() and dialog.video_preview.isChecked()  # the defaults: no sound, picture shown
    folder = tmp_path / "clips"
    dialog.camera.clear()
    qtbot.keyClicks(dialog.camera, "test")
    dialog.video_size.setCurrentIndex(dialog.video_size.findData("1920x1080"))
    dialog.video_fps.setValue(10)
    qtbot.keyClicks(dialog.evidence_dir, str(folder))
    dialog.retention_days.setValue(30)
    dialog.retention_gb.setValue(5)
    dialog.require_video.setChecked(True)
    dialog.audio.setChecked(True)
    qtbot.keyClicks(dialog.audio_source, "test")
    dialog.video_preview.setChecked(False)
    assert dialog.camera_error.isHidden()
    with qtbot.waitSignal(dialog.saved):
        save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = Settings.load(settings_path())
    assert (saved.camera, saved.video_size, saved.video_fps, saved.evidence_dir) == ("test", "1920x1080", 10, str(folder))
    assert (saved.retention_days, saved.retention_gb, saved.require_video) == (30, 5.0, False)
    assert site.read(demo_services).require_video is True  # the site's: every bench, in the database
    assert (saved.audio, saved.audio_source, saved.video_preview) == (True, "test", False)
    assert demo_services.settings.video_size == "1920x1080" and demo_services.settings.audio is True
    required, event = settings_events(demo_services)
    assert required.raw == "require_video" and "require_video: False -> True" in required.message
    assert set(event.raw.split(",")) == {"camera", "video_size", "video_fps", "evidence_dir", "retention_days",
                                         "retention_gb", "audio", "audio_source", "video_preview"}
    assert "video_size '1280x720' -> '1920x1080'" in event.message and "audio False -> True" in event.message
    assert "retention_gb 50.0 -> 5.0" in event.message and "video_preview True -> False" in event.message


def test_a_bad_camera_spec_is_named_inline_and_changes_nothing(window, qtbot, demo_services):
    dialog = unlocked(window, qtbot)
    dialog.camera.clear()
    qtbot.keyClicks(dialog.camera, "usb0")
    assert dialog.camera_error.isVisibleTo(dialog)  # said as it is typed
    assert "'usb0'" in dialog.camera_error.text() and "v4l2:/dev/video0" in dialog.camera_error.text()
    dialog.retention_days.setValue(7)  # nothing else is saved either
    save(dialog)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.save_error.text().startswith("Not saved: camera 'usb0': expected v4l2:/dev/video0")
    assert not settings_path().exists() and demo_services.settings.camera == "none"
    assert demo_services.settings.retention_days == 90 and settings_events(demo_services) == []
    dialog.camera.clear()  # put right, the message goes and Save works
    qtbot.keyClicks(dialog.camera, "v4l2:/dev/video0")
    assert dialog.camera_error.isHidden()
    with qtbot.waitSignal(dialog.saved):
        save(dialog)
    assert Settings.load(settings_path()).camera == "v4l2:/dev/video0"


def test_sound_without_a_microphone_or_a_bad_folder_is_refused(window, qtbot, demo_services, tmp_path):
    dialog = unlocked(window, qtbot)
    dialog.camera.clear()
    qtbot.keyClicks(dialog.camera, "v4l2:/dev/video0")
    dialog.audio.setChecked(True)  # a USB camera has no sound of its own
    assert "no sound of its own" in dialog.camera_error.text() and dialog.camera_error.isVisibleTo(dialog)
    save(dialog)
    assert "no sound of its own" in dialog.save_error.text() and not settings_path().exists()
    qtbot.keyClicks(dialog.audio_source, "alsa:default")
    assert dialog.camera_error.isHidden()
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    qtbot.keyClicks(dialog.evidence_dir, str(a_file))
    save(dialog)
    assert "is a file, not a folder" in dialog.save_error.text() and not settings_path().exists()
    assert settings_events(demo_services) == [] and demo_services.settings.audio is False


class FakeRecorder:
    """Stands in for the recorder process: counts how often the window reads a preview frame."""

    def __init__(self, config) -> None:
        self.config, self.reads, self.alive, self.process = config, 0, True, None

    def start(self) -> None: ...
    def stop(self, timeout: float = 10.0) -> None: ...
    def send(self, command) -> None: ...
    def poll(self) -> list:
        return []

    def latest_preview(self):
        self.reads += 1
        return (2, 2, bytes(12))


def test_the_live_picture_setting_applies_at_once_and_is_not_read_while_hidden_or_a_scan_is_decided(window, qtbot, demo_services):
    demo_services.settings.video_preview = False
    controller = EvidenceController(window, demo_services, "BENCH-1", camera="test", recorder_factory=FakeRecorder)
    controller.start()
    try:
        assert not controller.panel.preview.isVisibleTo(controller.panel)
        assert controller.panel.toggle.text() == "Show camera"
        controller.poll()
        assert controller.recorder.reads == 0  # hidden: the frame stays in the recorder's pipe
        dialog = unlocked(window, qtbot)
        dialog.video_preview.setChecked(True)
        with qtbot.waitSignal(dialog.saved):
            save(dialog)
        assert controller.panel.preview.isVisible() and controller.panel.toggle.text() == "Hide camera"
        # The controller's own timer may have shown a frame while the dialog saved (a loaded machine
        # is slow to get there): count from here; no event loop runs between these lines.
        shown = controller.recorder.reads
        window.worker.pending += 1  # a scan is being decided: its banner comes first
        controller.poll()
        assert controller.recorder.reads == shown
        window.worker.pending -= 1
        controller.poll()
        assert controller.recorder.reads == shown + 1 and not controller.panel.preview.pixmap().isNull()
    finally:
        controller.stop()
