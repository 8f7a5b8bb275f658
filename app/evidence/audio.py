"""Sound for the packing video: off unless the site turns it on (``audio`` in the settings).

An audio spec (``audio_source``) names where the sound comes from: ``""`` (the camera's own: an IP
camera's audio track, or a tone for the ``test`` camera; a USB or built-in camera needs a microphone
spec), ``alsa:default`` or ``alsa:hw:1`` (Linux), ``pulse:default`` (PulseAudio/PipeWire, through ALSA's
``pulse`` device when FFmpeg has no pulse input), ``dshow:audio=NAME`` (Windows), ``avfoundation::0``
(macOS) or ``test`` (FFmpeg's lavfi ``sine``: a 440 Hz tone for the demo and the tests).

:class:`AudioCapture` runs in the recorder process on its own thread with its own input, so a
microphone that blocks or fails never holds up a video frame. Each chunk of sound is stamped with
the monotonic clock when it arrived (minus its own length), the clock the video frames follow; the
recorder places it in the clip by that stamp.
"""

from __future__ import annotations

import collections
import threading
import time

from app.hardware.avspec import AudioSpec, parse_audio, resolve  # noqa: F401 - the spec is parsed with the settings

RATE = 48_000  # AAC's usual rate; every source is resampled to 48 kHz mono
RETRY_S = 2.0
STALL_S = 3.0
KEEP_S = 5.0  # chunks not taken within this long are dropped (the recorder is starved or not recording)
NETWORK_TIMEOUT_US = "5000000"


class AudioError(Exception):
    """The microphone cannot be opened or stopped giving sound."""


def _open(av, spec: AudioSpec):
    if spec.kind == "test":
        return av.open(f"sine=frequency=440:sample_rate={RATE}:samples_per_frame=960", format="lavfi")
    if spec.kind == "alsa":
        return av.open(spec.target, format="alsa")
    if spec.kind == "pulse":
        if "pulse" in av.formats_available:
            return av.open(spec.target, format="pulse")
        return av.open("pulse" if spec.target == "default" else spec.target, format="alsa")
    if spec.kind == "dshow":
        return av.open(spec.target, format="dshow")
    if spec.kind == "avfoundation":
        return av.open(spec.target, format="avfoundation")
    if spec.kind == "url":
        options = ({"rtsp_transport": "tcp", "timeout": NETWORK_TIMEOUT_US} if spec.target.lower().startswith("rtsp")
                   else {"rw_timeout": NETWORK_TIMEOUT_US})
        return av.open(spec.target, options=options, timeout=5.0)
    raise AudioError(f"audio {spec} gives no sound")


def _open_sound(av, spec: AudioSpec):
    """The opened input with a sound stream, or an AudioError saying why not."""
    try:
        container = _open(av, spec)
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise AudioError(f"cannot open audio {spec}: {exc}") from exc
    if not container.streams.audio:
        container.close()
        raise AudioError(f"audio {spec}: the stream has no sound")
    return container


class AudioCapture(threading.Thread):
    """Reads the microphone continuously and keeps its recent chunks, stamped on the monotonic clock.

    ``take()`` hands the recorder's loop every chunk since the last call as ``(start, frame)``:
    ``start`` is the monotonic time of the chunk's first sample, ``frame`` a 48 kHz mono ``fltp``
    ``av.AudioFrame``.
    """

    def __init__(self, spec: AudioSpec) -> None:
        super().__init__(name="microphone", daemon=True)
        self.spec = spec
        self.lock = threading.Lock()
        self.chunks: collections.deque = collections.deque()
        self.ok = False
        self.reason = "starting"
        self.last_at = 0.0
        self.stopping = threading.Event()

    def run(self) -> None:
        import av

        while not self.stopping.is_set():
            try:
                container = _open_sound(av, self.spec)
            except AudioError as exc:
                self._lost(str(exc))
                self.stopping.wait(RETRY_S)
                continue
            resampler = av.AudioResampler(format="fltp", layout="mono", rate=RATE)
            opened, samples = time.monotonic(), 0
            try:
                for frame in container.decode(audio=0):
                    if self.stopping.is_set():
                        break
                    if self.spec.kind == "test":  # lavfi makes sound as fast as asked: keep to real time
                        delay = opened + (samples + frame.samples) / frame.sample_rate - time.monotonic()
                        if delay > 0:
                            time.sleep(delay)
                        samples += frame.samples
                    self._put(resampler.resample(frame), time.monotonic())
                else:
                    self._lost(f"audio {self.spec} stopped")
            except (av.error.FFmpegError, OSError, ValueError) as exc:
                self._lost(f"audio {self.spec}: {exc}")
            finally:
                try:
                    container.close()
                except Exception:  # noqa: BLE001 - a vanished device may fail to close
                    pass
            self.stopping.wait(RETRY_S)

    def _put(self, frames, now: float) -> None:
        total = sum(f.samples for f in frames)
        start = now - total / RATE
        with self.lock:
            for f in frames:
                self.chunks.append((start, f))
                start += f.samples / RATE
            while self.chunks and self.chunks[0][0] < now - KEEP_S:
                self.chunks.popleft()
            self.ok, self.reason, self.last_at = True, "", now

    def _lost(self, reason: str) -> None:
        with self.lock:
            self.ok, self.reason = False, reason
            self.chunks.clear()

    def take(self) -> list:
        with self.lock:
            out = list(self.chunks)
            self.chunks.clear()
            return out

    def state(self) -> tuple[bool, str]:
        with self.lock:
            if self.ok and time.monotonic() - self.last_at > STALL_S:
                self.ok, self.reason = False, f"audio {self.spec} stopped giving sound"
            return self.ok, self.reason


class SteppedAudio:
    """The microphone under a stepped clock (app.evidence.clock; the tests): read on the recorder's loop,
    as much sound as that clock moved on, each chunk stamped by it. Duck-typed as :class:`AudioCapture`.

    A lavfi source makes sound as fast as asked, so the clip's sound follows the clock exactly however
    slowly the machine runs; a microphone that cannot be opened is tried again every ``RETRY_S`` of the clock.
    """

    def __init__(self, spec: AudioSpec, clock) -> None:
        self.spec, self.clock = spec, clock
        self.stopping = threading.Event()
        self.ok, self.reason = False, "starting"
        self.container = None
        self.retry_at = clock.monotonic()

    def start(self) -> None:
        pass  # nothing runs on its own: take() reads

    def _open(self, now: float) -> None:
        import av

        try:
            container = _open_sound(av, self.spec)
        except AudioError as exc:
            self._lost(str(exc), now)
            return
        self.container, self.frames = container, container.decode(audio=0)
        self.resampler = av.AudioResampler(format="fltp", layout="mono", rate=RATE)
        self.opened, self.seconds = now, 0.0

    def _lost(self, reason: str, now: float) -> None:
        self.ok, self.reason, self.retry_at = False, reason, now + RETRY_S
        if self.container is not None:
            try:
                self.container.close()
            except Exception:  # noqa: BLE001 - a vanished device may fail to close
                pass
        self.container = None

    def take(self) -> list:
        import av

        now = self.clock.monotonic()
        if self.container is None and now >= self.retry_at:
            self._open(now)
        out: list = []
        try:
            while self.container is not None and self.opened + self.seconds < now:
                frame = next(self.frames)
                start = self.opened + self.seconds
                self.seconds += frame.samples / frame.sample_rate
                for f in self.resampler.resample(frame):
                    out.append((start, f))
                    start += f.samples / RATE
                self.ok, self.reason = True, ""
        except StopIteration:
            self._lost(f"audio {self.spec} stopped", now)
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            self._lost(f"audio {self.spec}: {exc}", now)
        return out

    def state(self) -> tuple[bool, str]:
        return self.ok, self.reason
