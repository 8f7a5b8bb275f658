"""Audio specs and the settings that turn sound on."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.errors import ConfigError
from app.evidence.audio import AudioSpec, parse_audio, resolve
from app.evidence.camera import parse_camera


@pytest.mark.parametrize(("spec", "kind", "target"), [
    ("", "camera", ""), ("test", "test", ""), ("alsa:default", "alsa", "default"), ("alsa:hw:1,0", "alsa", "hw:1,0"),
    ("pulse:default", "pulse", "default"), ("dshow:audio=USB Microphone", "dshow", "audio=USB Microphone"),
    ("avfoundation::0", "avfoundation", ":0"),
])
def test_audio_specs(spec, kind, target):
    assert parse_audio(spec) == AudioSpec(kind, target)


@pytest.mark.parametrize("spec", ["mic", "alsa:", "dshow:video=cam", "dshow:audio=", "http://cam/audio"])
def test_bad_audio_specs_say_what_is_expected(spec):
    with pytest.raises(ConfigError, match="alsa:DEVICE"):
        parse_audio(spec)


def test_the_cameras_own_sound_is_an_ip_cameras_stream_or_the_test_tone_and_nothing_else():
    own = parse_audio("")
    assert resolve(own, parse_camera("test")) == AudioSpec("test")
    assert resolve(own, parse_camera("rtsp://10.0.0.5/live")) == AudioSpec("url", "rtsp://10.0.0.5/live")
    assert resolve(own, parse_camera("v4l2:/dev/video0")) is None
    assert resolve(parse_audio("alsa:default"), parse_camera("v4l2:/dev/video0")) == AudioSpec("alsa", "default")


def test_sound_is_off_by_default_and_settings_refuse_sound_that_cannot_be_had():
    assert Settings().audio is False and Settings().audio_source == ""
    Settings(camera="v4l2:/dev/video0", audio=False).validate()  # off: the camera needs no microphone
    with pytest.raises(ConfigError, match="no sound of its own"):
        Settings(camera="v4l2:/dev/video0", audio=True).validate()
    Settings(camera="v4l2:/dev/video0", audio=True, audio_source="alsa:default").validate()
    with pytest.raises(ConfigError, match="audio_source"):
        Settings(audio_source="microphone").validate()
