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
                container = _open(av, self.spec)
                if not container.streams.audio:
                    container.close()
                    raise AudioError(f"audio {self.spec}: the stream has no sound")
            except (av.error.FFmpegError, OSError, ValueError, AudioError) as exc:
                self._lost(str(exc) if isinstance(exc, AudioError) else f"cannot open audio {self.spec}: {exc}")
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
