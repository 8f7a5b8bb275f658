"""The bench window with the packing video: recording follows the scans with no extra step, a lost
camera or a full disk is shown and packing goes on, and "video required" refuses to open an order
without a working camera. Real recorder process, test camera, 320x240."""

from __future__ import annotations

import pytest

from app.evidence.commands import CameraState, ClipEnded, ClipStarted, DiskFull
from app.evidence.index import find_clips
from app.packing.outcome import Level, Step
from app.ui.evidence.controller import EvidenceController

# The recorder runs at nice 10 on purpose (the scans come first): on a loaded machine it starts and
# records slowly. A wait on it only guards against a hang; it says nothing about speed.
HANG_MS = 120_000


@pytest.fixture
def video(window, demo_services, tmp_path):
    made = []

    def make(camera="test", **settings):
        s = demo_services.settings
        s.evidence_dir, s.video_size, s.video_fps, s.video_tail_seconds = str(tmp_path / "ev"), "320x240", 15, 0.3
        s.evidence_min_free_mb = 1
        for key, value in settings.items():
            setattr(s, key, value)
        controller = EvidenceController(window, demo_services, "BENCH-1", camera=camera)
        controller.seen = []
        controller.event.connect(controller.seen.append)
        made.append(controller)
        controller.start()
        return controller

    yield make
    for controller in made:
        controller.stop()


def wait_event(qtbot, controller, kind, where=lambda e: True, timeout=HANG_MS):
    """The first event of ``kind`` not yet taken (it may have come already)."""
    def match():
        return next((e for e in controller.seen if isinstance(e, kind) and where(e)), None)

    qtbot.waitUntil(lambda: match() is not None, timeout=timeout)
    event = match()
    controller.seen.remove(event)
    return event


def pack_pdd_1001(scanner, window):
    scanner.scan("PDD-1001")
    for line in window.view.order.lines:
        for _ in range(line.quantity):
            scanner.scan(line.barcode)
    scanner.scan("BOX-M")
    scanner.scan(f"{window.view.order.expected_weight_g}g")
    return scanner.scan("SF1400000000000")


def test_packing_an_order_records_its_clip_with_no_extra_scan(qtbot, window, scanner, video, demo_services):
    controller = video()
    wait_event(qtbot, controller, CameraState, lambda e: e.ok)
    assert controller.panel.indicator.text() == "\u25cb not recording"
    qtbot.waitUntil(lambda: controller.panel.preview.pixmap() is not None
                    and not controller.panel.preview.pixmap().isNull(), timeout=HANG_MS)
    scanner.scan("P-1001")
    scanner.scan("PDD-1001")
    wait_event(qtbot, controller, ClipStarted)
    assert controller.panel.indicator.text() == "\u25cf REC PDD-1001"
    scanner.scan("CMD:CANCEL")  # released: that clip ends; opening it again starts another
    wait_event(qtbot, controller, ClipEnded)
    assert pack_pdd_1001(scanner, window).level == Level.COMPLETE
    ended = wait_event(qtbot, controller, ClipEnded)
    assert ended.state == "complete" and ended.waybills == ("SF1400000000000",)
    assert controller.panel.indicator.text() == "\u25cb not recording"
    kinds = [m["kind"] for m in ended.marks]
    assert kinds[0] == "order" and kinds[-2:] == ["waybill", "parcel"] and "item" in kinds and "box" in kinds
    assert [m["text"] for m in ended.marks if m["kind"] == "parcel"] == ["parcel 1 begun", "parcel 1 sealed"]
    with demo_services.read_uow() as uow:
        clips = find_clips(uow.session, "SF1400000000000")
    assert [c["state"] for c in clips] == ["complete", "complete"]  # the cancelled opening, then the packing
    assert clips[1]["waybills"] == ["SF1400000000000"] and clips[1]["packer"] == "李娜 Li Na"
    controller.panel.toggle.click()
    assert not controller.panel.preview.isVisible() and controller.panel.toggle.text() == "Show camera"


def test_a_lost_camera_shows_an_amber_banner_and_packing_goes_on(qtbot, window, scanner, video):
    controller = video(camera="test:lose_after=1.5")
    wait_event(qtbot, controller, CameraState, lambda e: e.ok)
    scanner.scan("P-1001")
    scanner.scan("PDD-1001")
    wait_event(qtbot, controller, CameraState, lambda e: not e.ok)
    banner = controller.panel.problem
    assert banner.isVisible() and banner.text().startswith("Camera lost: this order is not being recorded")
    assert "#ffb300" in banner.styleSheet()
    ended = wait_event(qtbot, controller, ClipEnded)
    assert ended.state == "interrupted"
    assert scanner.scan(window.view.order.lines[0].barcode).accepted  # the bench keeps packing


def test_video_required_refuses_to_open_an_order_without_a_camera(window, scanner, video, sounds):
    controller = video(camera="none", require_video=True)
    assert controller.panel.problem.isVisible()
    scanner.scan("P-1001")
    out = scanner.scan("PDD-1001")
    assert not out.accepted and out.extra == {"video_required": True}
    assert window.view.step == Step.ORDER and window.banner.level == Level.REFUSED
    assert "No working camera" in window.banner.text() and "PDD-1001" in window.banner.text()
    assert sounds.played[-1] == "refuse"
    assert scanner.scan("CMD:LOGOUT").accepted  # commands are not orders: they go through


def test_a_full_disk_stops_recording_with_a_banner_and_loses_no_scan(qtbot, window, scanner, video):
    controller = video(evidence_min_free_mb=10**9)
    wait_event(qtbot, controller, CameraState, lambda e: e.ok)
    scanner.scan("P-1001")
    assert scanner.scan("PDD-1001").accepted
    wait_event(qtbot, controller, DiskFull)
    banner = controller.panel.problem
    assert banner.isVisible() and banner.text().startswith("Disk full: recording stopped")
    assert banner.property("severe") is True
    assert scanner.scan(window.view.order.lines[0].barcode).accepted


def test_a_crashed_recorder_is_started_again_and_the_open_order_recorded_on(qtbot, window, scanner, video,
                                                                             demo_services):
    import os
    import signal

    controller = video()
    wait_event(qtbot, controller, CameraState, lambda e: e.ok)
    scanner.scan("P-1001")
    scanner.scan("PDD-1001")
    first = wait_event(qtbot, controller, ClipStarted)
    os.kill(controller.recorder.process.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: controller.restarts == 1, timeout=HANG_MS)
    assert controller.panel.problem.text().startswith("Video recorder restarting")
    second = wait_event(qtbot, controller, ClipStarted)  # the new recorder records the open order
    assert second.order_no == "PDD-1001" and second.path != first.path
    assert scanner.scan(window.view.order.lines[0].barcode).accepted  # the bench never stopped
    with demo_services.read_uow() as uow:
        states = {c["path"]: c["state"] for c in find_clips(uow.session, "PDD-1001")}
    assert states == {first.path: "interrupted", second.path: "recording"}


@pytest.fixture
def no_sound_back_end(monkeypatch):
    """This PC's Qt Multimedia cannot load its audio back end: its import raises ImportError('libpulse.so.0')."""
    import sys

    from tests.no_sound.sitecustomize import MISSING, NoSoundBackEnd

    monkeypatch.delitem(sys.modules, MISSING, raising=False)
    monkeypatch.setattr(sys, "meta_path", [NoSoundBackEnd(), *sys.meta_path])


@pytest.mark.parametrize("sounds", ["qt"], indirect=True)
def test_an_order_is_recorded_when_the_sound_cannot_load(qtbot, window, scanner, video, sounds, no_sound_back_end,
                                                         caplog):
    controller = video()
    wait_event(qtbot, controller, CameraState, lambda e: e.ok)
    assert scanner.scan("P-1001").accepted  # the first sound fails here: no exception, a quiet note
    assert sounds.broken is not None and "libpulse.so.0" in sounds.broken
    note = window.sound_note
    assert not note.isHidden() and "libpulse.so.0" in note.text() and note.text().startswith("Sound off")
    assert scanner.scan("PDD-1001").accepted
    started = wait_event(qtbot, controller, ClipStarted)
    assert started.order_no == "PDD-1001" and controller.panel.indicator.text() == "\u25cf REC PDD-1001"
    assert pack_pdd_1001(scanner, window).level == Level.COMPLETE
    ended = wait_event(qtbot, controller, ClipEnded)
    assert ended.state == "complete" and ended.waybills == ("SF1400000000000",)
    assert sum("sound cannot play" in r.getMessage() for r in caplog.records) == 1  # logged once, not per scan
    assert controller.panel.problem.isHidden()


def test_a_sound_player_that_raises_never_stops_the_outcome_reaching_the_video(qtbot, window, scanner, video,
                                                                              sounds, monkeypatch):
    def broken(name):
        raise OSError("audio device busy")

    monkeypatch.setattr(sounds, "play", broken)
    controller = video()
    wait_event(qtbot, controller, CameraState, lambda e: e.ok)
    scanner.scan("P-1001")
    assert scanner.scan("PDD-1001").accepted
    assert wait_event(qtbot, controller, ClipStarted).order_no == "PDD-1001"
    assert window.sound_note.text() == "Sound off: this PC cannot play sounds (OSError: audio device busy)"


def test_an_open_order_not_being_recorded_shows_an_amber_banner_with_the_reason(qtbot, window, scanner, video):
    now = [1000.0]
    controller = video()
    controller.clock = lambda: now[0]
    wait_event(qtbot, controller, CameraState, lambda e: e.ok)
    window.outcome_shown.disconnect(controller.on_outcome)  # what the failing sound did: the video never hears
    window.view_shown.disconnect(controller._on_view_shown)
    scanner.scan("P-1001")
    assert scanner.scan("PDD-1001").accepted
    qtbot.waitUntil(lambda: controller._unrecorded is not None)  # seen, within its grace: no banner yet
    assert controller.panel.problem.isHidden()
    now[0] += 3.5
    banner = controller.panel.problem
    qtbot.waitUntil(lambda: not banner.isHidden())
    assert banner.text() == ("Order PDD-1001 is not being recorded on video: "
                             "the bench never asked the recorder to start it")
    assert "#ffb300" in banner.styleSheet() and banner.property("severe") is False
    window.outcome_shown.connect(controller.on_outcome)
    window.view_shown.connect(controller._on_view_shown)
    scanner.scan(window.view.order.lines[0].barcode)  # the next scan reaches the video: the clip starts
    wait_event(qtbot, controller, ClipStarted)
    qtbot.waitUntil(banner.isHidden)  # recording again: the banner goes


def require_video_at_the_site(services) -> None:
    from app.packing import site
    from app.packing.auth import authorize_supervisor

    site.change(services, authorize_supervisor(services, "S-9001", "123456", action="site settings"),
                "require_video", True)


def test_the_sites_video_required_refuses_an_order_at_a_bench_whose_own_settings_do_not(window, scanner, video,
                                                                                       demo_services):
    controller = video(camera="none")  # this bench's settings.json: require_video false
    assert not controller.require_video
    require_video_at_the_site(demo_services)
    scanner.scan("P-1001")
    out = scanner.scan("PDD-1001")
    assert not out.accepted and out.extra == {"video_required": True}


def test_the_sites_video_required_refuses_an_order_at_a_bench_with_no_camera_at_all(window, scanner, demo_services):
    from app.ui.app import start_evidence

    assert start_evidence(window, demo_services, "BENCH-1", None) is None  # no camera: no recorder, no strip
    scanner.scan("P-1001")
    assert scanner.scan("PDD-1002").accepted  # the site does not require video yet
    scanner.scan("CMD:CANCEL")
    require_video_at_the_site(demo_services)
    scanner.scan("CMD:LOGOUT")
    scanner.scan("P-1001")
    out = scanner.scan("PDD-1001")
    assert not out.accepted and "No working camera (no camera set up)" in out.message.render()
