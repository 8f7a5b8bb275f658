"""Drive a real recorder process in tests: small clips (320x240 at 15 fps), events awaited with a timeout.

``config(..., stepped=True)`` gives a recorder on a stepped clock (app.evidence.clock): a test says how
long the packing took in frames (``Tick``), and the clip holds exactly those frames, whatever the load on
the machine. Timeouts only guard against a hang: they are long, and say nothing about speed.
"""

from __future__ import annotations

import time

from app.evidence import clipfile
from app.evidence.recorder import Recorder, RecorderConfig
from app.printing.fonts import find_cjk_font

FPS = 15
HANG_S = 120.0  # a recorder at nice 10 on a loaded 2-core machine takes its time: only a hang fails


def config(folder, db_url=None, camera="test", **kw) -> RecorderConfig:
    if kw.get("link") is not None:  # behind the server the bench's uploader delivers the clips, as app/ui/app.py has it
        from app.client.evidence import Uploader

        kw.setdefault("uploader", Uploader)
    font = find_cjk_font()
    return RecorderConfig(camera=camera, folder=str(folder), station=kw.pop("station", "BENCH-1"), width=320,
                          height=240, fps=FPS, db_url=db_url, font_path=str(font) if font else None,
                          min_free_mb=kw.pop("min_free_mb", 1), threads=1, **kw)


class Events:
    """Every event the recorder sent, and a way to wait for the next one of a kind."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.seen: list = []

    def wait(self, kind, timeout: float = HANG_S, where=lambda e: True):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.seen += self.recorder.poll()
            for event in self.seen:
                if isinstance(event, kind) and where(event):
                    self.seen.remove(event)
                    return event
            assert self.recorder.alive or kind is None, f"recorder died; events: {self.seen}"
            time.sleep(0.02)
        raise AssertionError(f"no {kind.__name__} within {timeout} s; events: {self.seen}")


def ticks(seconds: float) -> int:
    """The frame intervals of ``seconds`` at the test clips' rate."""
    return round(seconds * FPS)


def wait_on_disk(path, frames: int, timeout: float = HANG_S) -> dict:
    """Wait until a clip being recorded has ``frames`` frames in whole fragments on disk; its probe."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = clipfile.probe(path)
        if got["frames"] >= frames:
            return got
        time.sleep(0.05)  # polling another process's file, with a deadline
    raise AssertionError(f"{path}: not {frames} frames on disk within {timeout} s: {clipfile.probe(path)}")


def frames_qr_texts(path) -> list[str | None]:
    """The QR text of every decoded frame, consecutive repeats collapsed."""
    import av
    import zxingcpp

    texts: list[str | None] = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            found = zxingcpp.read_barcodes(frame.to_image())
            text = found[0].text if found else None
            if not texts or texts[-1] != text:
                texts.append(text)
    return texts


def decoded_frames(path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def make_clip(folder, sessions, order_no: str, waybills=(), seconds: float = 2.0, marks=(), station="BENCH-1"):
    """A small indexed clip written straight from the test pattern (no recorder process, no waiting)."""
    from datetime import UTC, datetime
    from fractions import Fraction
    from pathlib import Path

    import av

    from app.evidence import clipfile
    from app.evidence.index import ClipIndex
    from app.evidence.overlay import Overlay, OverlayInfo

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    path = folder / clipfile.clip_name(order_no, tuple(waybills), started)
    overlay, info = Overlay(320, 240), OverlayInfo(station, "p", order_no, tuple(waybills))
    frames = int(seconds * 15)
    with av.open("testsrc2=size=320x240:rate=15", format="lavfi") as source, \
            av.open(str(path), "w", format="mp4",
                    options={"movflags": "frag_keyframe+empty_moov+default_base_moof"}) as out:
        stream = out.add_stream("libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.options = {"preset": "ultrafast", "g": "15"}
        for i, frame in enumerate(source.decode(video=0)):
            if i >= frames:
                break
            planes = frame.to_ndarray()
            overlay.burn(planes, info, datetime.now())
            vf = av.VideoFrame.from_ndarray(planes, format="yuv420p")
            vf.pts, vf.time_base = i, Fraction(1, 15)
            for packet in stream.encode(vf):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    index = ClipIndex(sessions, station)
    clip_id = index.create(order_no=order_no, packer="p", path=path, started_at=started, fps=15, width=320,
                           height=240, waybills=tuple(waybills))
    index.finish(clip_id, state="complete", frames=frames, bytes=path.stat().st_size,
                 sha256=clipfile.sha256_file(path), marks=list(marks))
    return path


def opened_at(handle, *order_nos: str) -> None:
    """A bench opens each order and puts it back (``handle`` is its scan: in-process or through the
    server), as it does before it records one: only then may it index that order's clips."""
    assert handle("P-1001").accepted
    for order_no in order_nos:
        outcome = handle(order_no)
        assert outcome.accepted, outcome.message.render()
        assert handle("CMD:CANCEL").accepted
