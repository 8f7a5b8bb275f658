"""Sound in the packing video: off by default; when the site turns it on, an AAC track of the clip's
length in the same file, placed by the clock the frames follow; a microphone that fails leaves the
video as it was."""

from __future__ import annotations

import time

import av
import numpy as np
import pytest

from app.evidence.commands import CameraState, ClipEnded, ClipStarted, RecorderProblem, StartClip, StopClip
from app.evidence.recorder import Recorder
from tests.integration.evidence.recorder_helpers import Events, config, decoded_frames


@pytest.fixture
def record():
    started: list[Recorder] = []

    def clip(cfg, seconds: float, order_no: str = "PDD-1001") -> tuple[ClipEnded, Events]:
        rec = Recorder(cfg)
        rec.start()
        started.append(rec)
        events = Events(rec)
        events.wait(CameraState, where=lambda e: e.ok)
        rec.send(StartClip(order_no, "BENCH-1", "李娜", (), time.time()))
        events.wait(ClipStarted)
        time.sleep(seconds)  # the packing takes this long
        rec.send(StopClip(0, "packed", time.time()))
        return events.wait(ClipEnded), events

    yield clip
    for rec in started:
        rec.stop(timeout=15)


def sound_of(path) -> tuple[float, float, float, np.ndarray]:
    """(first sample's time, end time, video's end time, samples) of the clip's audio track."""
    with av.open(str(path)) as container:
        [audio] = container.streams.audio
        assert audio.codec_context.name == "aac" and audio.sample_rate == 48_000
        first = end = None
        samples = []
        for frame in container.decode(audio=0):
            t = float(frame.pts * frame.time_base)
            first = t if first is None else first
            end = t + frame.samples / frame.sample_rate
            samples.append(frame.to_ndarray().ravel())
    with av.open(str(path)) as container:
        video_end = max(float(f.pts * f.time_base) for f in container.decode(video=0)) + 1 / 15
    return first, end, video_end, np.concatenate(samples)


def test_with_audio_on_the_clip_has_a_tone_as_long_as_its_video(tmp_path, record):
    ended, _events = record(config(tmp_path / "ev", audio="test"), seconds=3.0)
    assert ended.state == "complete" and 2.5 < ended.duration_s < 4.0
    first, end, video_end, samples = sound_of(ended.path)
    assert first < 0.3  # the sound starts with the pictures ...
    assert abs(end - video_end) < 0.35, (end, video_end)  # ... and lasts as long
    assert abs(end - ended.duration_s) < 0.35, (end, ended.duration_s)
    assert np.sqrt(np.mean(samples ** 2)) > 0.05  # a tone, not silence
    assert decoded_frames(ended.path) == ended.frames


def test_the_test_cameras_own_sound_is_recorded_when_audio_source_is_empty(tmp_path, record):
    ended, _events = record(config(tmp_path / "ev", audio=""), seconds=1.5)
    first, end, video_end, _samples = sound_of(ended.path)
    assert abs(end - video_end) < 0.35


def test_with_audio_off_the_clip_has_no_sound(tmp_path, record):
    ended, _events = record(config(tmp_path / "ev"), seconds=1.5)
    with av.open(ended.path) as container:
        assert not container.streams.audio and container.streams.video
    assert ended.frames >= 15


def test_a_microphone_that_cannot_be_opened_says_so_and_the_video_is_recorded_all_the_same(tmp_path, record):
    ended, events = record(config(tmp_path / "ev", audio="alsa:packgate-no-such-device"), seconds=2.0)
    problem = events.wait(RecorderProblem)
    assert "no sound" in problem.text and "packgate-no-such-device" in problem.text
    assert ended.state == "complete" and ended.frames >= 25  # 15 fps for 2 s: no frame waited on the sound
    assert decoded_frames(ended.path) == ended.frames
