"""The real program with ``--camera test``: an order packed by scans alone is on video, found by its
waybill with ``packgate evidence find``; killing the bench mid-order leaves an interrupted, playable clip."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from app.evidence import clipfile
from tests.e2e.harness import ROOT, Bench, poll
from tests.e2e.test_station_e2e import BADGE, SF_ORDER, SF_WAYBILL, pack_to_waybill

pytestmark = pytest.mark.e2e
HANG_S = 120  # the recorder runs at nice 10 on purpose: on a loaded machine it is slow, and only a hang fails
TAIL_S = 0.5


class VideoBench(Bench):
    def command(self) -> list[str]:
        return [*super().command(), "--camera", "test"]

    def start(self) -> Bench:
        config = self.home / "config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "settings.json").write_text(json.dumps({
            "video_size": "320x240", "video_fps": 15, "video_tail_seconds": TAIL_S,
            "evidence_dir": str(self.workdir / "evidence"), "evidence_min_free_mb": 1}))
        return super().start()

    def clip(self, order_no: str, state: str | None = None):
        sql = "SELECT * FROM evidence_clips WHERE order_no = ?"
        args: list = [order_no]
        if state:
            sql += " AND state = ?"
            args.append(state)
        return self.db.one(sql + " ORDER BY id DESC LIMIT 1", *args)


@pytest.fixture
def video_bench(xserver, tmp_path):
    program = VideoBench(xserver, tmp_path)
    try:
        program.start()
        yield program
    finally:
        program.stop()


def decoded_frames(path: str) -> int:
    import av

    with av.open(path) as container:
        return sum(1 for _ in container.decode(video=0))


def pack_on_video(bench: VideoBench):
    """Log in, pack the SF order by scans alone; its completed clip's row."""
    bench.scan(BADGE)
    bench.scan(SF_ORDER)
    poll("the clip to start", lambda: bench.clip(SF_ORDER, "recording"), timeout=HANG_S, on_timeout=bench.diagnostics)
    bench.scan_units((code, qty) for code, qty, _ in bench.db.units(SF_ORDER))
    pack_to_waybill(bench, SF_ORDER)
    bench.wait_file(f"label-{SF_ORDER}-*.pdf")
    bench.scan(SF_WAYBILL)
    return poll("the clip to be complete", lambda: bench.clip(SF_ORDER, "complete"), timeout=HANG_S,
                on_timeout=bench.diagnostics)


def test_packed_order_is_on_video_and_found_by_its_waybill(video_bench: VideoBench, tmp_path) -> None:
    bench = video_bench
    clip = pack_on_video(bench)
    # From the opening to the waybill and its tail, in the file's own time: a machine loaded by other
    # builds starves the recorder (nice 10) of frames, never of the clip's time (it holds the last picture).
    assert SF_WAYBILL in clip["path"] and decoded_frames(clip["path"]) == clip["frames"] >= 2
    [waybill] = [m for m in json.loads(clip["marks"]) if m["kind"] == "waybill"]
    assert clipfile.probe(clip["path"])["duration_s"] >= waybill["t"] + TAIL_S - 1 / 15, (clip, waybill)
    found = subprocess.run([bench.python, str(ROOT / "main.py"), "--db", f"sqlite:///{bench.db_path}", "evidence",
                            "find", SF_WAYBILL, "--json"], env=bench.env(), capture_output=True, text=True,
                           timeout=60, cwd=ROOT)
    assert found.returncode == 0, found.stderr
    [listed] = json.loads(found.stdout)
    assert listed["order_no"] == SF_ORDER and listed["state"] == "complete" and listed["path"] == clip["path"]

    # The bench dies mid-order: the recorder closes the clip as interrupted; it still plays.
    bench.scan("PDD-1002")
    poll("the second clip", lambda: bench.clip("PDD-1002", "recording"), timeout=HANG_S, on_timeout=bench.diagnostics)
    bench.kill9()
    second = poll("the second clip to be interrupted", lambda: bench.clip("PDD-1002", "interrupted"), timeout=HANG_S,
                  on_timeout=bench.diagnostics)
    assert decoded_frames(second["path"]) == second["frames"] > 0


class SoundlessVideoBench(VideoBench):
    """The same bench on a PC whose sound back end cannot load: ``import PySide6.QtMultimedia`` raises
    ImportError('libpulse.so.0') in the program (tests/no_sound/sitecustomize.py on its PYTHONPATH)."""

    def env(self) -> dict[str, str]:
        env = super().env()
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "tests" / "no_sound"), env.get("PYTHONPATH")) if p)
        return env


def test_an_order_is_on_video_when_the_sound_back_end_is_missing(xserver, tmp_path) -> None:
    bench = SoundlessVideoBench(xserver, tmp_path)
    try:
        bench.start()
        clip = pack_on_video(bench)  # the badge's sound is the first to fail: said once, the scans go on
        assert SF_WAYBILL in clip["path"] and decoded_frames(clip["path"]) == clip["frames"] > 0
        assert bench.running()
    finally:
        bench.stop()
    output = bench.log_path.read_text(encoding="utf-8", errors="replace")
    assert output.count("sound cannot play") == 1 and "libpulse.so.0" in output
