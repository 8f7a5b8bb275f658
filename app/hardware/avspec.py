"""Camera and sound specs, as the settings ``camera`` and ``audio_source`` write them: parsed and checked.

Plain data, no capture: the settings check them when they load, the settings dialog before it saves, and
the recorder process (app/evidence/camera.py, app/evidence/audio.py) opens what they name.

A camera spec names where frames come from: ``v4l2:/dev/video0`` (Linux), ``dshow:video=NAME`` (Windows),
``avfoundation:0`` (macOS), an IP camera URL (``rtsp://...``, ``http://...`` MJPEG), ``test`` (FFmpeg's
lavfi ``testsrc2``) or ``none``; ``test:lose_after=S`` is a test camera that disappears after S seconds.
An audio spec names where the sound comes from: ``""`` (the camera's own), ``alsa:DEVICE``,
``pulse:DEVICE``, ``dshow:audio=NAME``, ``avfoundation::N`` or ``test``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.errors import ConfigError

KINDS = ("v4l2", "dshow", "avfoundation", "url", "test", "none")
EXPECTED = "audio_source: expected \"\" (the camera's own), alsa:DEVICE, pulse:DEVICE, dshow:audio=NAME, avfoundation::N or test"


@dataclass(frozen=True)
class CameraSpec:
    kind: str
    target: str = ""
    options: dict[str, str] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.kind != "none"

    def __str__(self) -> str:
        if self.kind in ("none", "test") and not self.options:
            return self.kind
        if self.kind == "url":
            return self.target
        extra = ":".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.kind}:{self.target}" if self.target else f"{self.kind}:{extra}"


def parse_camera(spec: str | None) -> CameraSpec:
    """Parse a camera spec; raise ConfigError with what is expected."""
    text = (spec or "").strip()
    if text in ("", "none", "off"):
        return CameraSpec("none")
    lower = text.lower()
    if lower.startswith(("rtsp://", "rtsps://", "http://", "https://")):
        return CameraSpec("url", text)
    if lower == "test" or lower.startswith("test:"):
        options = {}
        for part in text[5:].split(":") if ":" in text else ():
            if not part:
                continue
            key, _, value = part.partition("=")
            if key != "lose_after":
                raise ConfigError(f"camera test: unknown option {key!r} (only lose_after=SECONDS)")
            try:
                float(value)
            except ValueError:
                raise ConfigError(f"camera test: lose_after must be seconds, not {value!r}") from None
            options[key] = value
        return CameraSpec("test", "", options)
    kind, sep, target = text.partition(":")
    if sep and kind.lower() in ("v4l2", "dshow", "avfoundation") and target:
        return CameraSpec(kind.lower(), target)
    raise ConfigError(
        f"camera {text!r}: expected v4l2:/dev/video0, dshow:video=NAME, avfoundation:0, rtsp://..., "
        "http://..., test or none"
    )


@dataclass(frozen=True)
class AudioSpec:
    kind: str  # "camera", "alsa", "pulse", "dshow", "avfoundation", "test"
    target: str = ""

    def __str__(self) -> str:
        if self.kind in ("camera", "test"):
            return "" if self.kind == "camera" else "test"
        return f"{self.kind}:{self.target}"


def parse_audio(spec: str | None) -> AudioSpec:
    """Parse an audio spec; raise ConfigError with the expected forms."""
    text = (spec or "").strip()
    if text == "":
        return AudioSpec("camera")
    if text.lower() == "test":
        return AudioSpec("test")
    kind, sep, target = text.partition(":")
    kind = kind.lower()
    if sep and target and kind in ("alsa", "pulse", "avfoundation"):
        return AudioSpec(kind, target)
    if sep and kind == "dshow" and target.startswith("audio=") and len(target) > len("audio="):
        return AudioSpec(kind, target)
    raise ConfigError(f"{EXPECTED}, not {text!r}")


def resolve(audio: AudioSpec, camera) -> AudioSpec | None:
    """Where the sound really comes from with this camera (``camera``: a CameraSpec); None: nowhere.

    ``""`` means the camera's own sound: an IP camera's stream (opened a second time for its audio),
    a tone for the test camera. Other cameras carry no sound of their own.
    """
    if audio.kind != "camera":
        return audio
    if camera.kind == "test":
        return AudioSpec("test")
    if camera.kind == "url":
        return AudioSpec("url", camera.target)
    return None


def check_audio(audio_on: bool, audio_source: str, camera) -> None:
    """A ConfigError when sound is asked for but this camera and audio_source cannot give it."""
    spec = parse_audio(audio_source)
    if audio_on and camera.enabled and resolve(spec, camera) is None:
        raise ConfigError(f"audio: camera {camera} has no sound of its own: set audio_source to a microphone "
                          "(alsa:default, pulse:default, dshow:audio=NAME, avfoundation::0)")
