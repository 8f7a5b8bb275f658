"""Sound in the packing video: off by default; when the site turns it on, an AAC track of the clip's
length in the same file, placed by the clock the frames follow; a microphone that fails leaves the
video as it was. The recorders run on a stepped clock: the packing lasts so many frames (``Tick``), and
sound and pictures are compared in the file's own timestamps."""

from __future__ import annotations

import av
import numpy as np
import pytest

from app.evidence.commands import (
    CameraState,
    ClipEnded,
    ClipStarted,
    RecorderProblem,
    StartClip,
    StopClip,
    Tick,
)
from app.evidence.recorder import Recorder
from tests.integration.evidence.recorder_helpers import FPS, Events, config, decoded_frames, ticks


@pytest.fixture
def record():
    started: list[Recorder] = []

    def clip(cfg, seconds: float, order_no: str = "PDD-1001") -> tuple[ClipEnded, Events]:
        rec = Recorder(cfg)
        rec.start()
        started.append(rec)
        events = Events(rec)
        events.wait(CameraState, where=lambda e: e.ok)
        rec.send(StartClip(order_no, "BENCH-1", "李娜", ()))
        rec.send(Tick(ticks(seconds)))  # the packing takes this long on the recorder's clock
        rec.send(StopClip(0, "packed"))
        events.wait(ClipStarted)
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
    ended, _events = record(config(tmp_path / "ev", audio="test", stepped=True), seconds=3.0)
    assert ended.state == "complete" and ended.duration_s == pytest.approx(3.0, abs=1 / FPS + 0.001)
    first, end, video_end, samples = sound_of(ended.path)
    assert first < 1 / FPS  # the sound starts with the pictures ...
    assert abs(end - video_end) < 2 / FPS, (end, video_end)  # ... and lasts as long (within two frames)
    assert abs(end - ended.duration_s) < 2 / FPS, (end, ended.duration_s)
    assert np.sqrt(np.mean(samples ** 2)) > 0.05  # a tone, not silence
    assert decoded_frames(ended.path) == ended.frames


def test_the_test_cameras_own_sound_is_recorded_when_audio_source_is_empty(tmp_path, record):
    ended, _events = record(config(tmp_path / "ev", audio="", stepped=True), seconds=1.5)
    first, end, video_end, _samples = sound_of(ended.path)
    assert first < 1 / FPS and abs(end - video_end) < 2 / FPS, (first, end, video_end)


def test_with_audio_off_the_clip_has_no_sound(tmp_path, record):
    ended, _events = record(config(tmp_path / "ev", stepped=True), seconds=1.5)
    with av.open(ended.path) as container:
        assert not container.streams.audio and container.streams.video
    assert ended.frames == ticks(1.5) and decoded_frames(ended.path) == ended.frames


def test_a_microphone_that_cannot_be_opened_says_so_and_the_video_is_recorded_all_the_same(tmp_path, record):
    ended, events = record(config(tmp_path / "ev", audio="alsa:packgate-no-such-device", stepped=True), seconds=2.0)
    problem = events.wait(RecorderProblem)
    assert "no sound" in problem.text and "packgate-no-such-device" in problem.text
    assert ended.state == "complete" and ended.frames == ticks(2.0)  # every frame of the 2 s, sound or none
    assert decoded_frames(ended.path) == ended.frames
