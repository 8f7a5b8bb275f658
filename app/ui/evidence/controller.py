"""Connects the bench window to the recorder process. The window decides nothing about video.

Every Outcome the window rendered goes through :class:`~app.evidence.policy.RecordingPolicy` and
its commands to the recorder's queue (no waiting); a view rendered without a scan (refresh, start)
goes through ``on_view``. At a bench behind the server (``link``) the recorder writes its clip index
to a journal beside the clips and uploads them to the server's evidence store. A timer polls the recorder's events and preview frames. With
``require_video`` the window asks :meth:`gate` before forwarding a scan: an order number is
refused, with the reason, while the camera does not work. A recorder that dies is started again.
An order open for :data:`UNRECORDED_GRACE_S` with no clip of it running is a problem the bench shows
(the amber banner, with the reason), whatever stopped the clip from starting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from app.evidence.commands import CameraState, ClipEnded, ClipStarted, DiskFull, RecorderProblem, StartClip
from app.evidence.policy import RecordingPolicy, video_gate, video_required
from app.evidence.recorder import Recorder, RecorderConfig
from app.hardware.avspec import parse_camera
from app.ui.evidence.panel import EvidencePanel

log = logging.getLogger(__name__)
POLL_MS = 100
MAX_RESTARTS = 5
UNRECORDED_GRACE_S = 3.0  # a clip starts well within this after its order opens


class EvidenceController(QObject):
    """``event(object)`` for every recorder event handled (tests wait on it)."""

    event = Signal(object)

    def __init__(self, window, services, station: str, camera: str | None = None,
                 recorder_factory=Recorder, link=None, uploader=None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(window)
        self.clock = clock
        self._unrecorded: tuple[str, float] | None = None  # (open order without a clip, since when)
        self._unrecorded_text: str | None = None  # the banner it showed, cleared when a clip runs
        self.window, self.services, self.station = window, services, station
        settings = services.settings
        self.spec = parse_camera(camera if camera is not None else settings.camera)
        self.require_video = bool(settings.require_video)
        self.policy = RecordingPolicy(station, tail_s=float(settings.video_tail_seconds))
        # Behind the server (``link``) the recorder indexes and uploads through it (``uploader``, the bench's
        # app.client.evidence.Uploader): no database here.
        self.config = RecorderConfig.from_settings(settings, station, None if link is not None else services.db_url,
                                                   camera=str(self.spec), link=link, uploader=uploader)
        self._factory = recorder_factory
        self.recorder: Recorder | None = None
        self.restarts = 0
        self.camera_ok = False
        self.camera_reason = self.tr("camera starting") if self.spec.enabled else self.tr("no camera set up")
        self.panel = EvidencePanel()
        window.accessories.addWidget(self.panel)
        self.panel.show()  # also when the window is already on screen
        self._pending_view = None
        self._outbox: list = []  # commands for the recorder, sent when the event loop is back
        self._flush_due = False
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        window.outcome_shown.connect(self.on_outcome)
        window.view_shown.connect(self._on_view_shown)
        window.scan_gate = self.gate  # asks the site's "video required" of each view
        window.settings_applied.connect(self.apply_settings)
        self.panel.set_preview_visible(bool(settings.video_preview))
        if not self.spec.enabled:
            self.panel.preview.hide()
            self.panel.toggle.hide()
            self.panel.show_problem(self.tr("No camera set up: orders are not recorded on video"))

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if not self.spec.enabled:
            return
        self.recorder = self._factory(self.config)
        self.recorder.start()
        self.timer.start()
        self._on_view_shown(self.window.view)

    def stop(self) -> None:
        self.timer.stop()
        self._flush_outbox()  # the last order's stop goes before the recorder's shutdown
        if self.recorder is not None:
            self.recorder.stop()
            self.recorder = None

    def apply_settings(self) -> None:
        """What applies at once when the settings are saved: the live picture shown or hidden."""
        if self.spec.enabled:
            self.panel.set_preview_visible(bool(self.services.settings.video_preview))

    # ------------------------------------------------------------------ window -> recorder

    def gate(self, raw: str, view):
        if not video_required(view, self.require_video):
            return None
        return video_gate(raw, view, self.camera_ok, self.camera_reason)

    def _send(self, commands) -> None:
        """Queued, then sent once the event loop is back: after the outcome's banner is painted.

        Commands carry the time of their scan, so the clip's marks are where they were. Putting them on
        the recorder's queue wakes its feeder thread, which then takes the GIL from the UI thread: never
        between a scan's outcome and its banner.
        """
        self._outbox.extend(commands)
        if self._outbox and not self._flush_due:
            self._flush_due = True
            QTimer.singleShot(0, self._flush_outbox)

    def _flush_outbox(self) -> None:
        self._flush_due = False
        commands, self._outbox = self._outbox, []
        if self.recorder is None:
            return
        for command in commands:
            try:
                self.recorder.send(command)
            except (ValueError, OSError):  # the recorder's queue is closed: it is being restarted
                log.warning("recorder queue closed; command dropped: %r", command)

    def on_outcome(self, outcome) -> None:
        self._pending_view = None  # this outcome's view is handled with it
        self._send(self.policy.on_outcome(outcome))

    def _on_view_shown(self, view) -> None:
        # A view without a scan (start, refresh). When it comes from a scan, the Outcome follows
        # at once and takes it over, so its waybill is not lost to an early stop.
        self._pending_view = view
        QTimer.singleShot(0, self._flush_view)

    def _flush_view(self) -> None:
        view, self._pending_view = self._pending_view, None
        if view is not None:
            self._send(self.policy.on_view(view))

    # ------------------------------------------------------------------ recorder -> window

    def poll(self) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        if not recorder.alive:
            self._recorder_died()
            return
        for event in recorder.poll():
            self.handle(event)
        self._watch_recording()
        # A hidden picture is not even read from the pipe; nor is one while a scan is being decided,
        # so that its outcome's banner never waits behind a preview frame (the next poll shows it).
        if self.panel.preview.isVisibleTo(self.panel) and not self.window.worker.busy:
            frame = recorder.latest_preview()
            if frame is not None:
                self.panel.show_frame(*frame)

    def _watch_recording(self) -> None:
        """An order open with no clip of it running, beyond the grace: the amber banner, with the reason."""
        view = self.window.view
        order_no = view.order.order_no if getattr(view, "order", None) is not None else None
        if order_no is None or self.panel.recording == order_no:
            self._unrecorded = None
            if self._unrecorded_text is not None and self.panel.problem.text() == self._unrecorded_text:
                self.panel.clear_problem()  # only its own banner: a graver one shown since stays
            self._unrecorded_text = None
            return
        if self._unrecorded is None or self._unrecorded[0] != order_no:
            self._unrecorded = (order_no, self.clock())
            return
        if not self.panel.problem.isHidden():  # said already, or another problem is on show
            return
        if self.clock() - self._unrecorded[1] < UNRECORDED_GRACE_S:
            return
        if not self.camera_ok:
            reason = self.camera_reason
        elif self.policy.order_no != order_no:
            reason = self.tr("the bench never asked the recorder to start it")
        else:
            reason = self.tr("the recorder has not started the clip")
        log.error("order %s is open and not being recorded: %s", order_no, reason)
        self._unrecorded_text = self.tr("Order %1 is not being recorded on video: %2").replace(
            "%1", order_no).replace("%2", reason)
        self.panel.show_problem(self._unrecorded_text)

    def handle(self, event) -> None:
        panel = self.panel
        if isinstance(event, CameraState):
            self.camera_ok, self.camera_reason = event.ok, event.reason
            if event.ok:
                panel.clear_problem()
            else:
                panel.clear_frame()
                panel.set_recording(None)
                panel.show_problem(self.tr("Camera lost: this order is not being recorded (%1)").replace("%1", event.reason)
                                   if self.policy.order_no else
                                   self.tr("Camera lost: orders are not being recorded (%1)").replace("%1", event.reason))
        elif isinstance(event, ClipStarted):
            panel.set_recording(event.order_no)
            if self.camera_ok:
                panel.clear_problem()
        elif isinstance(event, ClipEnded):
            if panel.recording == event.order_no:
                panel.set_recording(None)
        elif isinstance(event, DiskFull):
            panel.set_recording(None)
            panel.show_problem(self.tr("Disk full: recording stopped, packing goes on. Free space in %1 "
                                       "(%2 MB left)").replace("%1", event.folder).replace("%2", str(event.free_mb)),
                               severe=True)
        elif isinstance(event, RecorderProblem):
            text = (event.message.render(lambda ctx, src: QCoreApplication.translate(ctx, src))
                    if event.message is not None else event.text)
            panel.show_problem(self.tr("Video: %1").replace("%1", text))
        self.event.emit(event)

    def _recorder_died(self) -> None:
        code = self.recorder.process.exitcode if self.recorder and self.recorder.process else None
        log.error("the recorder process ended (exit code %s)", code)
        try:
            self.recorder.stop(timeout=1)
        except Exception:  # noqa: BLE001
            pass
        self.recorder = None
        self.camera_ok = False
        self.panel.set_recording(None)
        if self.restarts >= MAX_RESTARTS:
            self.timer.stop()
            self.camera_reason = self.tr("the recorder keeps failing")
            self.panel.show_problem(self.tr("Video recorder stopped: orders are not being recorded"), severe=True)
            return
        self.restarts += 1
        self.camera_reason = self.tr("recorder restarting")
        self.panel.show_problem(self.tr("Video recorder restarting: this order is not being recorded"))
        self.recorder = self._factory(self.config)
        self.recorder.start()
        if self.policy.order_no is not None:  # carry on recording the open order in a new clip
            self._send([StartClip(self.policy.order_no, self.station, self.window.view.user_name or "",
                                  tuple(self.policy.waybills))])
