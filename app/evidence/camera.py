"""Camera specs and frame sources (PyAV). Runs in the recorder process only.

A spec names where frames come from: ``v4l2:/dev/video0`` (Linux), ``dshow:video=NAME`` (Windows),
``avfoundation:0`` (macOS), an IP camera URL (``rtsp://...``, ``http://...`` MJPEG), ``test`` (FFmpeg's
lavfi ``testsrc2``: a moving pattern for the demo and the tests) or ``none``. ``test:lose_after=S``
is a test camera that disappears after S seconds (and stays gone), to exercise camera loss.
"""

from __future__ import annotations

import time

from app.hardware.avspec import CameraSpec, parse_camera  # noqa: F401 - the spec is parsed with the settings

NETWORK_TIMEOUT_US = "5000000"


class CameraError(Exception):
    """The camera cannot be opened or stopped giving frames."""


class FrameSource:
    """Gives frames as yuv420p ``av.VideoFrame`` of the clip's size, paced at most at ``fps``.

    ``clock`` (app.evidence.clock) times the test camera's loss; a stepped clock also ends its pacing:
    the recorder asks for one frame per step of that clock and gets it as fast as the machine makes it.
    """

    def __init__(self, spec: CameraSpec, width: int, height: int, fps: int, clock=None) -> None:
        import av

        from app.evidence.clock import RealClock

        self.spec, self.width, self.height, self.fps = spec, width, height, fps
        self.clock = clock or RealClock()
        self.permanent_failure = False
        self._opened_at = self.clock.monotonic()
        self._next = self._opened_at
        self._lose_after = float(spec.options.get("lose_after", 0) or 0)
        try:
            self.container = self._open(av)
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            raise CameraError(f"cannot open camera {spec}: {exc}") from exc
        self._frames = self.container.decode(video=0)

    def _open(self, av):
        spec, size, rate = self.spec, f"{self.width}x{self.height}", str(self.fps)
        if spec.kind == "test":
            return av.open(f"testsrc2=size={size}:rate={rate}", format="lavfi")
        if spec.kind == "v4l2":
            try:
                return av.open(spec.target, format="video4linux2", options={"video_size": size, "framerate": rate})
            except av.error.FFmpegError:  # the camera has no such mode: take what it gives, scale it
                return av.open(spec.target, format="video4linux2")
        if spec.kind == "dshow":
            return av.open(spec.target, format="dshow", options={"video_size": size, "framerate": rate})
        if spec.kind == "avfoundation":
            return av.open(spec.target, format="avfoundation", options={"framerate": rate})
        if spec.kind == "url":
            if spec.target.lower().startswith("rtsp"):
                options = {"rtsp_transport": "tcp", "timeout": NETWORK_TIMEOUT_US}
            else:
                options = {"rw_timeout": NETWORK_TIMEOUT_US}
            return av.open(spec.target, options=options, timeout=5.0)
        raise CameraError(f"camera {spec} records nothing")

    def read(self):
        """The next frame (blocks until the camera gives one); raises CameraError when it is gone."""
        import av

        if self._lose_after and self.clock.monotonic() - self._opened_at > self._lose_after:
            self.permanent_failure = True
            raise CameraError("test camera unplugged")
        if self.spec.kind == "test" and not self.clock.stepped:  # lavfi makes frames as fast as asked: keep to the camera's rate
            delay = self._next - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next = max(self._next + 1 / self.fps, time.monotonic() - 1)
        try:
            frame = next(self._frames)
        except StopIteration:
            raise CameraError(f"camera {self.spec} stopped") from None
        except (av.error.FFmpegError, OSError) as exc:
            raise CameraError(f"camera {self.spec}: {exc}") from exc
        if frame.width != self.width or frame.height != self.height or frame.format.name != "yuv420p":
            frame = frame.reformat(width=self.width, height=self.height, format="yuv420p")
        return frame

    def close(self) -> None:
        try:
            self.container.close()
        except Exception:  # noqa: BLE001 - a vanished device may fail to close; nothing to keep
            pass
