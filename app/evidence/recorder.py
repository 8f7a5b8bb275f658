"""The recorder: a child process that captures, overlays and encodes the packing video.

The bench (parent) never waits on it: :class:`Recorder` puts commands on a queue and polls events
and preview frames without blocking. The child (:func:`recorder_main`, a :class:`RecorderLoop`) owns
the camera, the clip files and the clip index rows it writes; a crash there cannot take the bench
down, and a clip it left ``recording`` is repaired and indexed ``interrupted`` by the next recorder's start. At a bench
behind the PackGate server (``RecorderConfig.link``) the index rows go to a journal beside the clips
(:mod:`app.evidence.journal`) and an uploader thread here delivers them and the finished clips to
the server's evidence store (:mod:`app.client.evidence`).

Clips are H.264 in fragmented MP4 (``frag_keyframe+empty_moov+default_base_moof``), one keyframe
and one fragment per second: after a kill -9 or a power cut the file plays up to the last second.
Frame timestamps follow the recorder's clock (``pts = seconds since start * fps``), so a clip's
duration is the time it covered even when the camera or the encoder skips a frame, and a clip ends at
its tail's end in its own time even when a starved recorder comes to it late. That clock
(:mod:`app.evidence.clock`) is the machine's at a bench; the tests step it (``RecorderConfig.stepped``).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import shutil
import sys
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

from app.evidence.commands import (
    AddWaybill,
    CameraState,
    ClipEnded,
    ClipStarted,
    Command,
    DiskFull,
    Mark,
    RecorderProblem,
    Shutdown,
    StartClip,
    StopClip,
    Tick,
)

log = logging.getLogger(__name__)
PREVIEW_SIZE = (192, 108)
PREVIEW_EVERY_S = 0.25
CAMERA_RETRY_S = 2.0
CAMERA_STALL_S = 3.0
DISK_CHECK_S = 1.0
RETENTION_EVERY_S = 3600.0
RETENTION_AFTER_CLIP_S = 60.0
STARTING = "starting"
BELOW_NORMAL_PRIORITY_CLASS = 0x4000  # Windows SetPriorityClass


@dataclass(frozen=True)
class RecorderConfig:
    camera: str
    folder: str
    station: str
    width: int = 1280
    height: int = 720
    fps: int = 15
    db_url: str | None = None
    font_path: str | None = None
    min_free_mb: int = 500
    retention_days: float = 0
    retention_gb: float = 0
    preset: str = "veryfast"
    crf: int = 27
    threads: int = 1  # x264 on one thread: the encoder never takes both cores of a 2-core bench from its scans
    audio: str | None = None  # None: no sound; else audio_source ("" = the camera's own), app/evidence/audio.py
    # A bench behind the PackGate server (an app.client.remote.ServerLink): the clip index goes to
    # a journal beside the clips and on to the server, and finished clips are uploaded.
    link: object | None = None
    # What delivers the journal to the server (app.client.evidence.Uploader, handed in by the caller):
    # called as uploader(link, journal, chunk=, retry_s=, retry_max_s=, on_event=), a thread to start.
    uploader: object | None = None
    upload_chunk: int = 4 * 1024 * 1024
    upload_retry_s: float = 2.0
    upload_retry_max_s: float = 300.0
    # The tests' recorder: its clock moves one frame per Tick command (app.evidence.clock), the camera
    # and the microphone are read on its loop, so what it records does not depend on the machine's speed.
    stepped: bool = False

    @classmethod
    def from_settings(cls, settings, station: str, db_url: str | None, camera: str | None = None,
                      link=None, uploader=None) -> RecorderConfig:
        from app.printing.fonts import find_cjk_font

        width, height = settings.video_dimensions()
        font = find_cjk_font(settings.label_font or None)
        return cls(camera=camera if camera is not None else settings.camera, folder=str(settings.evidence_path()),
                   station=station, width=width, height=height, fps=int(settings.video_fps), db_url=db_url,
                   font_path=str(font) if font else None, min_free_mb=int(settings.evidence_min_free_mb),
                   retention_days=float(settings.retention_days), retention_gb=float(settings.retention_gb),
                   audio=settings.audio_source if settings.audio else None, link=link, uploader=uploader)


# ====================================================================== parent side


class Recorder:
    """The bench's handle on the recorder process. Every method returns at once."""

    def __init__(self, config: RecorderConfig) -> None:
        self.config = config
        self._ctx = mp.get_context("spawn")
        self.process: mp.process.BaseProcess | None = None
        self.commands = self._ctx.Queue()
        self.events = self._ctx.Queue()
        self.preview = PreviewSlot(self._ctx, *PREVIEW_SIZE)

    def start(self) -> None:
        self.process = self._ctx.Process(
            target=recorder_main, args=(self.config, self.commands, self.events, self.preview),
            name="packgate-recorder", daemon=True,
        )
        self.process.start()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    def send(self, command: Command) -> None:
        self.commands.put_nowait(command)

    def poll(self) -> list:
        out = []
        while True:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                return out

    def latest_preview(self) -> tuple[int, int, bytes] | None:
        """The newest preview frame not yet taken, else None (never waits)."""
        return self.preview.take()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the clip in progress and end the process (killed if it does not stop in time)."""
        if self.process is None:
            return
        if self.process.is_alive():
            try:
                self.send(Shutdown())
            except (ValueError, OSError):
                pass
            deadline = time.monotonic() + timeout
            # The queues' pipes are not read here: a child that exits halfway through writing a
            # message leaves a partial one whose read would block this thread for good.
            while self.process.is_alive() and time.monotonic() < deadline:
                self.process.join(0.1)
            if self.process.is_alive():
                log.error("recorder did not stop within %.0f s: killing it", timeout)
                self.process.kill()
                self.process.join(2)
        for q in (self.commands, self.events, self.preview):
            q.cancel_join_thread()
            q.close()
        self.process = None


class PreviewSlot:
    """The latest preview frame in shared memory: the recorder overwrites it, the bench copies it.

    Neither side ever waits on the other. Through a pipe, a 62 KB frame is written in pieces, and the
    bench's UI thread, once it started reading one, waited for the recorder (low priority, starved
    under load) to write the rest: up to 60 ms in a scan's way. A sequence number, odd while a frame
    is being written, tells the bench a frame is new and whole (else it takes it at the next poll).
    Duck-typed as the queue it replaces (``put_nowait``, ``cancel_join_thread``, ``close``).
    """

    def __init__(self, ctx, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.seq = ctx.RawValue("Q", 0)
        self.data = ctx.RawArray("B", width * height * 3)
        self.taken = 0  # the bench's side: the last sequence number taken

    def put_nowait(self, item: tuple[int, int, bytes]) -> None:
        import ctypes

        width, height, rgb = item
        if (width, height) != (self.width, self.height) or len(rgb) != len(self.data):
            raise ValueError(f"preview frame {width}x{height} ({len(rgb)} bytes) does not fit the slot")
        self.seq.value += 1  # odd: being written
        ctypes.memmove(self.data, rgb, len(rgb))
        self.seq.value += 1

    def take(self) -> tuple[int, int, bytes] | None:
        import ctypes

        seq = self.seq.value
        if seq == self.taken or seq % 2:
            return None
        rgb = ctypes.string_at(self.data, len(self.data))
        if self.seq.value != seq:  # overwritten while copied
            return None
        self.taken = seq
        return self.width, self.height, rgb

    def cancel_join_thread(self) -> None:
        pass

    def close(self) -> None:
        pass


# ====================================================================== child side


class _Capture(threading.Thread):
    """Reads the camera continuously (a live camera must be drained) and keeps the latest frame."""

    def __init__(self, config: RecorderConfig) -> None:
        super().__init__(name="camera", daemon=True)
        from app.evidence.camera import parse_camera

        self.config = config
        self.spec = parse_camera(config.camera)
        self.lock = threading.Lock()
        self.frame = None
        self.frame_at = 0.0
        self.ok = False
        self.reason = STARTING
        self.stopping = threading.Event()

    def run(self) -> None:
        from app.evidence.camera import CameraError, FrameSource

        c = self.config
        while not self.stopping.is_set():
            try:
                source = FrameSource(self.spec, c.width, c.height, c.fps)
            except CameraError as exc:
                self._lost(str(exc))
                self.stopping.wait(CAMERA_RETRY_S)
                continue
            try:
                while not self.stopping.is_set():
                    frame = source.read()
                    with self.lock:
                        self.frame, self.frame_at = frame, time.monotonic()
                        self.ok, self.reason = True, ""
            except CameraError as exc:
                self._lost(str(exc))
                if source.permanent_failure:
                    source.close()
                    return
            finally:
                source.close()
            self.stopping.wait(CAMERA_RETRY_S)

    def _lost(self, reason: str) -> None:
        with self.lock:
            self.ok, self.reason, self.frame = False, reason, None

    def latest(self):
        with self.lock:
            if self.ok and time.monotonic() - self.frame_at > CAMERA_STALL_S:
                self.ok, self.reason, self.frame = False, "camera stopped giving pictures", None
            return self.ok, self.reason, self.frame


class _SteppedCamera:
    """The camera under a stepped clock (the tests): read on the recorder's loop, one frame per step of
    the clock, none skipped and none waited for. Duck-typed as :class:`_Capture`."""

    def __init__(self, config: RecorderConfig, clock) -> None:
        from app.evidence.camera import parse_camera

        self.config, self.clock = config, clock
        self.spec = parse_camera(config.camera)
        self.source = None
        self.gone = False  # a test camera unplugged for good
        self.reason = STARTING
        self.retry_at = clock.monotonic()
        self.stopping = threading.Event()

    def start(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        if self.source is not None:
            self.source.close()
            self.source = None

    def latest(self):
        from app.evidence.camera import CameraError, FrameSource

        c, now = self.config, self.clock.monotonic()
        if self.source is None and not self.gone and now >= self.retry_at:
            try:
                self.source = FrameSource(self.spec, c.width, c.height, c.fps, clock=self.clock)
            except CameraError as exc:
                self.reason, self.retry_at = str(exc), now + CAMERA_RETRY_S
        if self.source is None:
            return False, self.reason, None
        try:
            return True, "", self.source.read()
        except CameraError as exc:
            self.gone = self.source.permanent_failure
            self.join()
            self.reason, self.retry_at = str(exc), now + CAMERA_RETRY_S
            return False, self.reason, None


class _Clip:
    """One clip being written."""

    def __init__(self, config: RecorderConfig, start: StartClip, index, overlay, clock) -> None:
        import av

        self.config, self.start_cmd, self.index, self.overlay, self.clock = config, start, index, overlay, clock
        from app.evidence.overlay import OverlayInfo

        self.info = OverlayInfo(start.station, start.packer, start.order_no, tuple(start.waybills))
        self.started_wall = clock.wall()
        self.started_mono = clock.monotonic()
        self.started_at = datetime.now(UTC)
        from app.evidence import clipfile

        local = datetime.now()
        folder = Path(config.folder) / clipfile.safe_part(config.station) / local.strftime("%Y-%m-%d")
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / clipfile.clip_name(start.order_no, (), local)
        n = 1
        while self.path.exists():
            n += 1
            self.path = folder / clipfile.clip_name(f"{start.order_no}-{n}", (), local)
        self.local_started = local
        self.marks: list[dict] = []
        self.frames = 0
        self.last_pts = -1
        self.last_frame = None
        self.stop_at: float | None = None
        self.stop_reason = ""
        options = {"movflags": "frag_keyframe+empty_moov+default_base_moof",
                   "flush_packets": "1"}  # each fragment reaches the disk at once
        if config.audio is not None:  # a silent microphone holds the video back one second at most
            options["max_interleave_delta"] = "1000000"
        self.container = av.open(str(self.path), "w", format="mp4", options=options)
        stream = self.container.add_stream("libx264", rate=config.fps)
        stream.width, stream.height, stream.pix_fmt = config.width, config.height, "yuv420p"
        stream.time_base = Fraction(1, config.fps)
        stream.codec_context.time_base = Fraction(1, config.fps)
        stream.options = {"preset": config.preset, "crf": str(config.crf), "tune": "zerolatency",
                          "g": str(config.fps), "keyint_min": str(config.fps), "threads": str(config.threads)}
        self.stream = stream
        self.audio = self._audio_stream()
        self.audio_next = 0  # the next sample's pts: chunks follow on unless the clock says there was a gap
        self.clip_id = None
        if index is not None:
            self.clip_id = index.create(order_no=start.order_no, packer=start.packer, path=self.path,
                                        started_at=self.started_at, fps=config.fps, width=config.width,
                                        height=config.height, waybills=tuple(start.waybills),
                                        kind=getattr(start, "kind", "packing"))

    def write(self, frame, now: float) -> None:
        """Encode ``frame`` as the picture at ``now`` (the recorder's monotonic clock)."""
        import av

        pts = max(self.last_pts + 1, round((now - self.started_mono) * self.config.fps))
        planes = frame.to_ndarray()
        self.overlay.burn(planes, self.info, datetime.now())
        out = av.VideoFrame.from_ndarray(planes, format="yuv420p")
        out.pts = pts
        out.time_base = Fraction(1, self.config.fps)
        if self.last_pts < 0 or pts // self.config.fps != self.last_pts // self.config.fps:
            # a keyframe, hence a fragment on disk, every second of the clock even when frames are late
            from av.video.frame import PictureType

            out.pict_type = PictureType.I
        for packet in self.stream.encode(out):
            self.container.mux(packet)
        self.last_frame = out  # the preview shows what is recorded, overlay and all
        self.last_pts = pts
        self.frames += 1

    def hold_until(self, at: float, frame) -> None:
        """End the clip at ``at`` in its own time: a recorder that came late to its end (starved of the CPU
        on a loaded bench) holds the last picture until then, so the tail is as long as promised."""
        end = round((at - self.started_mono) * self.config.fps)  # the frames of a clip lasting until ``at``
        if frame is not None and self.frames and self.last_pts + 1 < end:
            self.write(frame, self.started_mono + (end - 1) / self.config.fps)

    def _audio_stream(self):
        from app.evidence.audio import RATE, parse_audio, resolve
        from app.evidence.camera import parse_camera

        if self.config.audio is None or resolve(parse_audio(self.config.audio), parse_camera(self.config.camera)) is None:
            return None
        stream = self.container.add_stream("aac", rate=RATE)
        stream.layout, stream.bit_rate = "mono", 64_000
        stream.time_base = Fraction(1, RATE)
        return stream

    def write_audio(self, chunks) -> None:
        """Sound chunks ``(monotonic start, frame)`` placed by the clock the video frames follow."""
        from app.evidence.audio import RATE

        for start, frame in chunks:
            if start < self.started_mono - 0.01:
                continue  # sound from before the clip
            pts = round((start - self.started_mono) * RATE)
            if pts < self.audio_next - RATE // 4:
                continue  # the microphone runs ahead of the clock: drop rather than overlap
            if pts < self.audio_next + RATE // 10:
                pts = self.audio_next  # jitter of the arrival times: keep the sound continuous
            frame.pts, frame.time_base = pts, Fraction(1, RATE)
            for packet in self.audio.encode(frame):
                self.container.mux(packet)
            self.audio_next = pts + frame.samples

    def mark(self, mark: Mark) -> None:
        from app.evidence.index import append_mark

        at = mark.at or self.clock.wall()
        entry = {"t": round(max(0.0, at - self.started_wall), 3), "kind": mark.kind, "accepted": mark.accepted,
                 "code": mark.code, "text": mark.text}
        self.marks.append(entry)
        try:
            append_mark(self.path, entry)
        except OSError:
            log.warning("cannot write the marks beside %s", self.path, exc_info=True)

    def add_waybill(self, waybill: str) -> None:
        if waybill in self.info.waybills:
            return
        self.info = replace(self.info, waybills=(*self.info.waybills, waybill))
        if self.index is not None and self.clip_id is not None:
            self.index.add_waybill(self.clip_id, waybill)

    def close(self, state: str, reason: str) -> ClipEnded:
        from app.evidence import clipfile
        from app.evidence.index import drop_marks_file

        try:
            for packet in self.stream.encode(None):
                self.container.mux(packet)
            for packet in self.audio.encode(None) if self.audio is not None else ():
                self.container.mux(packet)
        except Exception:  # noqa: BLE001 - e.g. the disk is full: keep what is on disk
            log.warning("cannot flush the encoder of %s", self.path, exc_info=True)
            state = "interrupted"
        try:
            self.container.close()
        except Exception:  # noqa: BLE001
            log.warning("cannot close %s", self.path, exc_info=True)
            state = "interrupted"
        if not self.path.exists():  # no frame reached the file (the camera went at once): an empty clip
            self.path.touch()
            state = "interrupted"
        elif state != "complete":
            clipfile.repair_tail(self.path)
        path = self.path
        if self.info.waybills:  # named with the order number and its waybill
            target = path.with_name(clipfile.clip_name(self.start_cmd.order_no, self.info.waybills, self.local_started))
            if not target.exists():
                try:
                    path.rename(target)
                    path = target
                except OSError:
                    log.warning("cannot rename %s", path, exc_info=True)
        size = path.stat().st_size
        sha = clipfile.sha256_file(path)
        duration = (self.last_pts + 1) / self.config.fps if self.frames else 0.0
        if self.index is not None and self.clip_id is not None:
            from datetime import timedelta

            self.index.finish(self.clip_id, path=str(path), state=state, end_reason=reason, frames=self.frames,
                              bytes=size, sha256=sha, marks=self.marks,
                              ended_at=self.started_at + timedelta(seconds=duration))
        drop_marks_file(self.path)
        return ClipEnded(self.clip_id, self.start_cmd.order_no, str(path), state, reason, round(duration, 3),
                         self.frames, size, sha, self.info.waybills, tuple(self.marks))


def _free_mb(folder: str) -> int:
    path = Path(folder)
    while not path.exists() and path != path.parent:
        path = path.parent
    return int(shutil.disk_usage(path).free // (1024 * 1024))


def lower_priority() -> None:
    """The bench's scans come first on a shared 2-core machine: the recorder yields the CPU to them.

    A starved recorder only leaves a gap in the video (frames follow the clock, so a clip's length
    stays true). Linux: nice 10 and SCHED_BATCH; macOS: nice 10; Windows: the below-normal priority
    class (no psutil). Threads started afterwards (camera, encoder, microphone) inherit it.
    """
    try:
        if sys.platform == "win32":
            import ctypes

            kernel32 = ctypes.windll.kernel32
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), BELOW_NORMAL_PRIORITY_CLASS)
        else:
            os.nice(10)
            if hasattr(os, "sched_setscheduler"):  # Linux: a batch job, never preempting the window on wake-up
                os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):
        log.warning("cannot lower the recorder's priority", exc_info=True)


def _start_microphone(config: RecorderConfig, events, clock):
    """The sound's own capture thread, or None when the site records no sound (or this camera has none)."""
    if config.audio is None:
        return None
    from app.evidence.audio import AudioCapture, SteppedAudio, parse_audio, resolve
    from app.evidence.camera import parse_camera

    spec = resolve(parse_audio(config.audio), parse_camera(config.camera))
    if spec is None:
        events.put(RecorderProblem(f"no sound: camera {config.camera} has none of its own; set audio_source"))
        return None
    microphone = SteppedAudio(spec, clock) if clock.stepped else AudioCapture(spec)
    microphone.start()
    return microphone


def recorder_main(config: RecorderConfig, commands, events, preview) -> None:
    """The recorder process's entry point: commands in, frames encoded at ``fps``, events out."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s recorder: %(message)s")
    preview.cancel_join_thread()  # preview frames are disposable: never wait on them at exit
    lower_priority()
    RecorderLoop(config, commands, events, preview).run()


class RecorderLoop:
    """The recorder process's state and loop (the child side of :class:`Recorder`).

    It holds the clip index (or the journal and its uploader), the camera and the microphone, the clip
    being written and the order that should be on video (``wanted``: when the camera comes back, or the
    disk has room again, that order gets a new clip). Each frame interval (:meth:`frame_tick`) reads the
    camera, opens, writes and ends clips, passes the sound on and refreshes the preview; between them
    :meth:`handle` takes the bench's commands. Nothing here raises into the loop: a failure becomes an
    event for the bench and the recording goes on.
    """

    def __init__(self, config: RecorderConfig, commands, events, preview) -> None:
        self.config, self.commands, self.events, self.preview = config, commands, events, preview
        self.index = None
        self.sessions = None  # the bench's database (no server): retention deletes through it
        self.engine = None
        self.uploader = None
        self.clip: _Clip | None = None
        self.wanted: StartClip | None = None  # the order that should be on video (camera back: new clip)
        self.pending_waybills: list[str] = []
        self.pending_marks: list[Mark] = []  # for the wanted order while its clip is not open yet
        self.camera_ok: bool | None = None
        self.microphone_ok: bool | None = None
        self.disk_full = False
        self.running = True
        self.open_index()
        self.retention()
        self.open_sources()

    # ------------------------------------------------------------------ start and end

    def open_index(self) -> None:
        """Where the clips' index rows go: a journal for the server's store, the bench's database, or
        nowhere; clips a crashed recorder left ``recording`` are repaired and indexed first."""
        config = self.config
        if config.link is not None:  # behind the server: a journal beside the clips, delivered by the uploader
            from app.evidence.journal import ClipJournal, JournalIndex

            journal = ClipJournal(config.folder, config.station)
            self._recover(journal)
            self.uploader = config.uploader(config.link, journal, chunk=config.upload_chunk,
                                            retry_s=config.upload_retry_s, retry_max_s=config.upload_retry_max_s,
                                            on_event=self.events.put)
            self.index = JournalIndex(journal, wake=self.uploader.wake)
            self.uploader.start()
        elif config.db_url:
            from app.evidence.index import ClipIndex
            from app.models import db

            self.engine = db.make_engine(config.db_url)
            self.sessions = db.session_factory(self.engine)
            self.index = ClipIndex(self.sessions, config.station)
            self._recover(self.index)

    def _recover(self, index) -> None:
        try:
            index.recover(datetime.now(UTC))
        except Exception as exc:  # noqa: BLE001 - recording matters more than the recovery
            log.exception("recovery of interrupted clips failed")
            self.events.put(RecorderProblem(f"recovery failed: {exc}"))

    def open_sources(self) -> None:
        """The clock, the overlay, the camera and the microphone (their threads started)."""
        from app.evidence.clock import RealClock, SteppedClock
        from app.evidence.overlay import Overlay

        config = self.config
        self.clock = clock = SteppedClock(config.fps) if config.stepped else RealClock()
        self.overlay = Overlay(config.width, config.height, config.font_path)
        self.capture = _SteppedCamera(config, clock) if clock.stepped else _Capture(config)
        self.capture.start()
        self.microphone = _start_microphone(config, self.events, clock)
        self.tick = 1.0 / config.fps
        self.next_tick = clock.monotonic()
        self.last_disk = self.last_preview = float("-inf")
        self.last_retention = clock.monotonic()
        self.last_clip_retention = float("-inf")  # retention reads every clip of the bench: after a clip, once a minute at most

    def close(self) -> None:
        """Finish the clip in progress, stop the sources and the uploader, say the recorder stopped."""
        self.end_clip("complete", "recorder stopped")
        if self.microphone is not None:
            self.microphone.stopping.set()
        self.capture.stopping.set()
        self.capture.join(5)
        if self.uploader is not None:  # a chunk cut off here is sent again from the server's offset next time
            self.uploader.stop(timeout=2)
        if self.engine is not None:
            self.engine.dispose()
        self.events.put(CameraState(False, "recorder stopped"))

    def retention(self) -> None:
        config = self.config
        if self.index is None or not (config.retention_days or config.retention_gb):
            return
        if self.uploader is not None:
            # Behind the server the bench holds only clips not yet in the server's store: none is
            # deleted by retention (the server's store keeps the site's retention); say so instead.
            count, size = self.index.pending()
            if config.retention_gb and size > config.retention_gb * 1024**3:
                self.events.put(RecorderProblem(
                    f"{count} clip(s) ({size / 1024**3:.1f} GB) are waiting for the upload "
                    "to the server and are all kept: check the connection to the server"))
            return
        from app.evidence.index import apply_retention

        try:
            with self.sessions.begin() as s:
                apply_retention(s, config.station, datetime.now(UTC), config.retention_days, config.retention_gb)
        except Exception:  # noqa: BLE001
            log.exception("retention failed")

    # ------------------------------------------------------------------ the loop

    def run(self) -> None:
        """Commands until the next frame is due, then the frame; until Shutdown or the bench is gone."""
        clock = self.clock
        if clock.stepped:  # the camera at time 0: its state is known before the first step
            self.frame_tick(clock.monotonic())
        parent = mp.parent_process()
        last_parent_check = time.monotonic()
        while self.running:
            for cmd in self.receive():
                self.handle(cmd)
            if not self.running:
                break
            now = time.monotonic()
            if now - last_parent_check >= 1.0:
                last_parent_check = now
                if parent is not None and not parent.is_alive():  # the bench crashed: close the clip, go
                    if self.clip is not None:
                        self.clip.mark(Mark("bench", False, "", "bench stopped"))
                    self.end_clip("interrupted", "bench stopped")
                    break
            if clock.stepped:
                continue
            now = clock.monotonic()
            if now < self.next_tick:
                continue
            self.next_tick = max(self.next_tick + self.tick, now - 1.0)
            self.frame_tick(now)
        self.close()

    def receive(self) -> list:
        """The commands that came until the next frame is due (Shutdown when the bench is gone)."""
        timeout = 0.5 if self.clock.stepped else max(0.0, self.next_tick - self.clock.monotonic())
        got: list = []
        try:
            got.append(self.commands.get(timeout=timeout))
            while True:
                got.append(self.commands.get_nowait())
        except queue.Empty:
            pass
        except (EOFError, OSError):  # the bench is gone
            got.append(Shutdown())
        return got

    # ------------------------------------------------------------------ the bench's commands

    def handle(self, cmd: Command) -> None:
        if isinstance(cmd, Shutdown):
            self.running = False
        elif isinstance(cmd, StartClip):
            self.end_clip("complete", "next order")
            self.wanted, self.pending_waybills = cmd, list(cmd.waybills)
            self.pending_marks.clear()
            self.disk_full = False  # a new order tries again (space may have been freed)
        elif isinstance(cmd, Mark):
            if self.clip is not None:
                self.clip.mark(cmd)
            elif self.wanted is not None and len(self.pending_marks) < 1000:
                self.pending_marks.append(cmd)
        elif isinstance(cmd, AddWaybill):
            if cmd.waybill not in self.pending_waybills:
                self.pending_waybills.append(cmd.waybill)
            if self.clip is not None:
                self.clip.add_waybill(cmd.waybill)
        elif isinstance(cmd, StopClip):
            self.stop_clip(cmd)
        elif isinstance(cmd, Tick) and self.clock.stepped and self.running:
            for _ in range(cmd.frames):
                self.clock.step()
                self.frame_tick(self.clock.monotonic())

    def stop_clip(self, cmd: StopClip) -> None:
        """The order is packed (or put back): its clip ends ``after_s`` after the scan (the tail)."""
        if cmd.after_s <= 0:
            self.end_clip("complete", cmd.reason)
            self.wanted = None
        if self.clip is None and self.wanted is not None and self.camera_ok and not self.disk_full:
            self.begin_clip(self.wanted)  # packed within a frame of its opening: it still gets its clip and tail
        clip = self.clip
        if clip is not None:  # counted from the scan, not from when this loop saw it
            late = max(0.0, self.clock.wall() - cmd.at) if cmd.at else 0.0
            least = 2 * self.tick if clip.frames == 0 else 0.0  # a clip has at least one frame
            clip.stop_at = self.clock.monotonic() + max(least, cmd.after_s - late)
            clip.stop_reason = cmd.reason
        self.wanted = None
        self.pending_marks.clear()

    # ------------------------------------------------------------------ clips

    def begin_clip(self, start: StartClip) -> None:
        config, events = self.config, self.events
        free = _free_mb(config.folder)
        if free < config.min_free_mb:
            self.disk_full = True
            events.put(DiskFull(config.folder, free))
            return
        try:
            clip = _Clip(config, start, self.index, self.overlay, self.clock)
        except OSError as exc:
            if _free_mb(config.folder) < config.min_free_mb or getattr(exc, "errno", 0) == 28:
                self.disk_full = True
                events.put(DiskFull(config.folder, _free_mb(config.folder)))
            else:
                events.put(RecorderProblem(f"cannot record into {config.folder}: {exc}"))
            return
        except Exception as exc:  # noqa: BLE001 - e.g. the database refused the index row
            log.exception("starting a clip failed")
            events.put(RecorderProblem(f"cannot start the clip: {exc}"))
            return
        self.clip = clip
        for w in self.pending_waybills:
            clip.add_waybill(w)
        for mark in self.pending_marks:  # scans that came before the first frame (t = 0)
            clip.mark(mark)
        self.pending_marks.clear()
        events.put(ClipStarted(clip.clip_id, start.order_no, str(clip.path)))

    def end_clip(self, state: str, reason: str) -> None:
        clip = self.clip
        if clip is None:
            return
        try:
            if clip.frames == 0:  # ended before its first frame (the next order came at once): give it one
                latest = self.capture.latest()[2]
                if latest is not None:
                    clip.write(latest, self.clock.monotonic())
            self.events.put(clip.close(state, reason))
        except Exception as exc:  # noqa: BLE001
            log.exception("closing the clip failed")
            self.events.put(RecorderProblem(f"closing the clip failed: {exc}"))
        self.clip = None
        if time.monotonic() - self.last_clip_retention >= RETENTION_AFTER_CLIP_S:
            self.last_clip_retention = time.monotonic()
            self.retention()

    # ------------------------------------------------------------------ one frame interval

    def frame_tick(self, now: float) -> None:
        """One frame interval: the camera's state, the clip's start, frame, end and sound, the preview."""
        ok, reason, frame = self.capture.latest()
        self.watch_camera(ok, reason)
        clip = self.clip
        if clip is not None and clip.stop_at is not None and now >= clip.stop_at:
            clip.hold_until(clip.stop_at, frame)
            self.end_clip("complete", clip.stop_reason)
        if self.wanted is not None and self.clip is None and ok and not self.disk_full:
            self.begin_clip(self.wanted)
        if self.clip is not None and frame is not None:
            self.check_disk(now)
            self.write_frame(frame, now)
        if self.microphone is not None:
            self.take_sound()
        if frame is not None and now - self.last_preview >= PREVIEW_EVERY_S:
            self.last_preview = now
            self.show_preview(frame)
        if now - self.last_retention > RETENTION_EVERY_S:
            self.last_retention = now
            self.retention()

    def watch_camera(self, ok: bool, reason: str) -> None:
        """Say when the camera comes or goes; a lost camera ends the clip (its order waits for it)."""
        if ok == self.camera_ok or (self.camera_ok is None and reason == STARTING):
            return
        self.camera_ok = ok
        self.events.put(CameraState(ok, reason))
        if not ok and self.clip is not None:
            self.clip.mark(Mark("camera", False, "", reason))
            keep_going = self.clip.stop_at is None
            self.end_clip("interrupted", "camera lost")
            if not keep_going:
                self.wanted = None

    def check_disk(self, now: float) -> None:
        """Once a second: a disk below the minimum free space ends the clip."""
        if now - self.last_disk < DISK_CHECK_S:
            return
        self.last_disk = now
        free = _free_mb(self.config.folder)
        if free < self.config.min_free_mb:
            self.disk_full = True
            self.clip.mark(Mark("disk", False, "", "disk full"))
            self.end_clip("interrupted", "disk full")
            self.events.put(DiskFull(self.config.folder, free))

    def write_frame(self, frame, now: float) -> None:
        if self.clip is None:
            return
        config = self.config
        try:
            self.clip.write(frame, now)
        except OSError as exc:
            self.disk_full = getattr(exc, "errno", 0) == 28 or _free_mb(config.folder) < config.min_free_mb
            self.end_clip("interrupted", "disk full" if self.disk_full else f"write failed: {exc}")
            self.events.put(DiskFull(config.folder, _free_mb(config.folder)) if self.disk_full
                            else RecorderProblem(f"recording stopped: {exc}"))

    def take_sound(self) -> None:
        """The sound (its own thread and input: a late or lost microphone never holds a frame)."""
        microphone, clip = self.microphone, self.clip
        chunks = microphone.take()
        ok_sound, reason_sound = microphone.state()
        if ok_sound != self.microphone_ok and not (self.microphone_ok is None and reason_sound == STARTING):
            self.microphone_ok = ok_sound
            if not ok_sound:
                self.events.put(RecorderProblem(f"no sound: {reason_sound} (the video goes on)"))
                if clip is not None:
                    clip.mark(Mark("audio", False, "", reason_sound))
        if clip is not None and clip.audio is not None and chunks:
            try:
                clip.write_audio(chunks)
            except Exception:  # noqa: BLE001 - the sound is never worth a lost clip (a full disk: see above)
                log.warning("cannot write the sound of %s", clip.path, exc_info=True)

    def show_preview(self, frame) -> None:
        """The bench's small picture: what is recorded (overlay and all), else the camera's frame."""
        clip = self.clip
        try:
            shown = clip.last_frame if clip is not None and clip.last_frame is not None else frame
            small = shown.reformat(width=PREVIEW_SIZE[0], height=PREVIEW_SIZE[1], format="rgb24")
            self.preview.put_nowait((PREVIEW_SIZE[0], PREVIEW_SIZE[1], small.to_ndarray().tobytes()))
        except queue.Full:
            pass
        except Exception:  # noqa: BLE001 - a preview is never worth a lost clip
            log.debug("preview failed", exc_info=True)
