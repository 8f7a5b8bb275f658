"""A demo order packed on video, then returned at the same bench on video with one item damaged, one
missing and a foreign one: the return's clip is of kind ``return`` with the return in its index, and
``packgate evidence export ORDER`` gives both clips and the page comparing what was packed with what
came back, every clip's SHA-256."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from app.cli import main
from app.demo import seed_demo
from app.evidence import clipfile
from app.evidence.commands import CameraState, ClipEnded, Tick
from app.evidence.policy import RecordingPolicy
from app.evidence.recorder import Recorder
from app.models.evidence import EvidenceClip
from app.packing.workflow import BenchWorkflow
from tests.integration.evidence.recorder_helpers import Events, config, ticks

PEN, SOCK, TEA = "6908901234563", "6903456789018", "6901234567892"  # PDD-1018: 2 pens, 1 sock; tea: never in it


def test_packed_then_returned_on_video_and_exported(tmp_path, sqlite_services, capsys):
    seed_demo(sqlite_services)
    rec = Recorder(config(tmp_path / "ev", sqlite_services.db_url, stepped=True))
    rec.start()
    events = Events(rec)
    try:
        events.wait(CameraState, where=lambda e: e.ok)
        flow = BenchWorkflow(sqlite_services, "BENCH-1")
        policy = RecordingPolicy("BENCH-1", tail_s=0.3, clock=lambda: 0.0)

        def scan(code: str):
            outcome = flow.handle(code)
            for command in policy.on_outcome(outcome):
                rec.send(command)
            rec.send(Tick(ticks(0.3)))
            return outcome

        for code in ("P-1001", "PDD-1018", PEN, PEN, SOCK, "BOX-S"):
            scan(code)
        scan(f"{flow.last_view.order.expected_weight_g}g")
        assert scan("1100000000017").accepted  # an EMS waybill (13 digits)
        rec.send(Tick(ticks(1.0)))
        events.wait(ClipEnded)
        for code in ("CMD:RETURNS", "PDD-1018", "CMD:DAMAGED", PEN, TEA):
            scan(code)
        assert scan("CMD:CLOSE").accepted
        rec.send(Tick(ticks(1.0)))
        ended = events.wait(ClipEnded)
    finally:
        rec.stop()
    with sqlite_services.read_uow() as uow:
        kinds = uow.session.execute(select(EvidenceClip.kind, EvidenceClip.order_no).order_by(EvidenceClip.id)).all()
    assert [tuple(k) for k in kinds] == [("packing", "PDD-1018"), ("return", "PDD-1018")]
    out = tmp_path / "export"
    assert main(["--db", sqlite_services.db_url, "evidence", "export", "PDD-1018", "--out", str(out)]) == 0
    clips = sorted(p for p in out.iterdir() if p.suffix == ".mp4")
    assert len(clips) == 2 and clipfile.sha256_file(out / Path(ended.path).name) == ended.sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO((out / "evidence-PDD-1018.pdf").read_bytes())).pages)
    flat = "".join(text.split())  # table cells wrap
    for expected in ("What was packed and what came back", "PEN-GEL-3", "SOCK-BLK-L", "TEA-LJ-250", "foreign",
                     "(退货return)", f"Returnclip{Path(ended.path).name}", ended.sha256):
        assert "".join(expected.split()) in flat, expected


def test_a_bench_behind_the_server_indexes_only_its_own_returns_clips(sqlite_services):
    """The server's index of a bench's clip row (the journal's, with its kind): a return clip is
    this bench's when a return of that order (or that unmatched waybill) was received there."""
    import pytest

    from app.evidence.store import NotTheBenchs, put_clip

    seed_demo(sqlite_services)
    flow = BenchWorkflow(sqlite_services, "BENCH-R")
    for code in ("P-1001", "CMD:RETURNS", "PDD-1021", "CMD:CLOSE", "YT9990000000001", "CMD:CLOSE"):
        flow.handle(code)
    row = {"order_no": "PDD-1021", "packer": "", "path": "/bench/r.mp4", "started_at": sqlite_services.clock(),
           "fps": 15, "width": 320, "height": 240, "state": "complete", "kind": "return", "waybills": []}
    with sqlite_services.uow() as uow:
        put_clip(uow.session, "BENCH-R", "k1", row)
        put_clip(uow.session, "BENCH-R", "k2", {**row, "order_no": "YT9990000000001", "waybills": ["YT9990000000001"]})
        with pytest.raises(NotTheBenchs):
            put_clip(uow.session, "OTHER-BENCH", "k3", row)
        with pytest.raises(NotTheBenchs):
            put_clip(uow.session, "BENCH-R", "k4", {**row, "waybills": ["SF1400000000020"]})
    with sqlite_services.read_uow() as uow:
        kinds = uow.session.execute(select(EvidenceClip.order_no, EvidenceClip.kind).order_by(EvidenceClip.id)).all()
    assert [tuple(k) for k in kinds] == [("PDD-1021", "return"), ("YT9990000000001", "return")]
