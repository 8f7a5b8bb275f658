"""The recorder's CPU share and bytes per minute at 720p15 and 1080p15 (not a test; prints figures).

Run: ``.venv/bin/python bench/bench_recorder.py [SECONDS]`` (default 30 s of recording per size).
Starts the real recorder process with the test camera (lavfi ``testsrc2``: a busy moving pattern, so
the bytes are on the high side of a bench camera's view), first idle (camera read and preview only:
the floor), then recording one clip. CPU share = the recorder process's user+system time over wall
time, in % of one core (Linux /proc). Bytes per minute from the finished clip.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait(recorder, kind, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in recorder.poll():
            if isinstance(event, kind) and getattr(event, "ok", True):
                return event
        recorder.latest_preview()
        time.sleep(0.05)
    raise SystemExit(f"no {kind.__name__} within {timeout} s")


def share(recorder, seconds: float) -> float:
    pid = recorder.process.pid
    c0, t0 = cpu_seconds(pid), time.monotonic()
    end = t0 + seconds
    while time.monotonic() < end:
        recorder.poll()
        recorder.latest_preview()  # as the bench window does, 10 times a second
        time.sleep(0.1)
    return 100 * (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def run(width: int, height: int, seconds: float) -> None:
    from app.evidence.commands import CameraState, ClipEnded, StartClip, StopClip
    from app.evidence.recorder import Recorder, RecorderConfig
    from app.printing.fonts import find_cjk_font

    with tempfile.TemporaryDirectory() as folder:
        font = find_cjk_font()
        rec = Recorder(RecorderConfig(camera="test", folder=folder, station="BENCH-1", width=width, height=height,
                                      fps=15, font_path=str(font) if font else None, min_free_mb=1))
        rec.start()
        try:
            wait(rec, CameraState)
            idle = share(rec, 5)
            rec.send(StartClip("PDD-BENCH", "BENCH-1", "李娜", (), time.time()))
            recording = share(rec, seconds)
            rec.send(StopClip(0, "bench", time.time()))
            ended = wait(rec, ClipEnded)
        finally:
            rec.stop()
    per_min = ended.bytes / ended.duration_s * 60
    print(f"{width}x{height}@15: recorder CPU {recording:.0f} % of one core while recording "
          f"(idle, camera + preview only: {idle:.0f} %); {per_min / 1e6:.1f} MB per minute "
          f"({ended.frames} frames in {ended.duration_s:.1f} s)")


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    for width, height in ((1280, 720), (1920, 1080)):
        run(width, height, seconds)


if __name__ == "__main__":
    main()
