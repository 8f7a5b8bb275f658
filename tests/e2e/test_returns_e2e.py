"""The real program with ``--camera test``: a demo order packed by scans alone, then returned at the
same bench (CMD:RETURNS) with one item damaged, one missing and a foreign one, on video; ``packgate
evidence export ORDER`` holds both clips and the comparison page."""

from __future__ import annotations

import subprocess

import pytest

from tests.e2e.harness import ROOT, poll
from tests.e2e.test_station_e2e import SF_ORDER
from tests.e2e.test_video_e2e import HANG_S, VideoBench, pack_on_video, video_bench  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e
MUG, SOCK = "6902345678905", "6903456789018"  # PDD-1001: tea ×1, mug ×2; a sock was never in it


def test_a_packed_order_returned_on_video(video_bench: VideoBench, tmp_path) -> None:  # noqa: F811
    bench = video_bench
    packing = pack_on_video(bench)
    bench.scan("CMD:RETURNS")
    bench.scan(SF_ORDER)
    poll("the return's clip to start", lambda: bench.db.one(
        "SELECT id FROM evidence_clips WHERE kind = 'return' AND state = 'recording'"), timeout=HANG_S,
        on_timeout=bench.diagnostics)
    bench.scan("CMD:DAMAGED")
    bench.scan(MUG)
    bench.scan(SOCK, accepted=False)  # foreign: refused, and recorded
    closed = bench.scan("CMD:CLOSE")
    assert "Missing: TEA-LJ-250 ×1, MUG-CER-01 ×1. Foreign: SOCK-BLK-L ×1. Damaged: 1" in closed.message, closed
    ret = poll("the return's clip to be complete", lambda: bench.db.one(
        "SELECT * FROM evidence_clips WHERE kind = 'return' AND state = 'complete'"), timeout=HANG_S,
        on_timeout=bench.diagnostics)
    assert ret["order_no"] == SF_ORDER and ret["frames"] > 0
    lines = {(r["kind"], r["sku"], r["condition"]): r["qty"] for r in bench.db.rows(
        "SELECT l.* FROM return_lines l JOIN returns r ON r.id = l.return_id JOIN orders o ON o.id = r.order_id"
        " WHERE o.order_no = ?", SF_ORDER)}
    assert lines == {("returned", "MUG-CER-01", "damaged"): 1, ("foreign", "SOCK-BLK-L", "good"): 1,
                     ("missing", "MUG-CER-01", "good"): 1, ("missing", "TEA-LJ-250", "good"): 1}
    out = tmp_path / "export"
    done = subprocess.run([bench.python, str(ROOT / "main.py"), "--db", f"sqlite:///{bench.db_path}", "evidence",
                           "export", SF_ORDER, "--out", str(out)], env=bench.env(), capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    clips = sorted(p.name for p in out.glob("*.mp4"))
    assert len(clips) == 2 and {packing["path"].rsplit("/", 1)[-1], ret["path"].rsplit("/", 1)[-1]} == set(clips)
    assert (out / f"evidence-{SF_ORDER}.pdf").is_file()
