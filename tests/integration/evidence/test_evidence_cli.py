"""An order packed on the real workflow with the recorder following the policy, then found by its
waybill, exported (clip + evidence sheet PDF) and flagged through ``packgate evidence``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from app.demo import seed_demo
from app.evidence import clipfile
from app.evidence.commands import CameraState, ClipEnded, Tick
from app.evidence.index import FIND_KEYS
from app.evidence.policy import RecordingPolicy
from app.evidence.recorder import Recorder
from app.packing.workflow import BenchWorkflow
from tests.integration.evidence.recorder_helpers import Events, config, ticks


@pytest.fixture
def packed_with_video(tmp_path, sqlite_services):
    seed_demo(sqlite_services)
    rec = Recorder(config(tmp_path / "ev", sqlite_services.db_url, stepped=True))
    rec.start()
    events = Events(rec)
    try:
        events.wait(CameraState, where=lambda e: e.ok)
        flow = BenchWorkflow(sqlite_services, "BENCH-1")
        policy = RecordingPolicy("BENCH-1", tail_s=0.3, clock=lambda: 0.0)  # 0: "now" on the recorder's clock

        def scan(code: str):
            outcome = flow.handle(code)
            for command in policy.on_outcome(outcome):
                rec.send(command)
            rec.send(Tick(ticks(0.3)))  # the packer takes a moment between two scans
            return outcome

        scan("P-1001")
        scan("PDD-1001")
        for line in flow.last_view.order.lines:
            for _ in range(line.quantity):
                scan(line.barcode)
        scan("6970000000000")  # refused: not in this order
        scan("BOX-M")
        scan(f"{flow.last_view.order.expected_weight_g}g")
        assert scan("SF1400000000000").accepted
        rec.send(Tick(ticks(1.0)))  # past the tail
        ended = events.wait(ClipEnded)
    finally:
        rec.stop()
    return ended


def test_find_by_waybill_export_and_flag(packed_with_video, sqlite_services, tmp_path, capsys):
    db = ["--db", sqlite_services.db_url]
    assert main([*db, "evidence", "find", "SF1400000000000", "--json"]) == 0
    [clip] = json.loads(capsys.readouterr().out)
    assert list(clip) == list(FIND_KEYS)
    assert clip["order_no"] == "PDD-1001" and clip["waybills"] == ["SF1400000000000"]
    assert clip["station"] == "BENCH-1" and clip["packer"] == "李娜 Li Na" and clip["state"] == "complete"
    assert clip["path"] == packed_with_video.path and clip["sha256"] == packed_with_video.sha256
    assert clip["duration_s"] > 1.0  # from the opening scan to the waybill and its tail
    assert main([*db, "evidence", "find", "PDD-1001"]) == 0
    assert "PDD-1001" in capsys.readouterr().out
    assert main([*db, "evidence", "find", "NOPE-1"]) != 0
    assert "No video evidence" in capsys.readouterr().err

    out = tmp_path / "export"
    assert main([*db, "evidence", "export", "SF1400000000000", "--out", str(out)]) == 0
    copied = out / Path(clip["path"]).name
    assert clipfile.sha256_file(copied) == clip["sha256"]
    sheet = out / "evidence-PDD-1001.pdf"
    pdf = PdfReader(io.BytesIO(sheet.read_bytes()))
    text = "".join(page.extract_text() for page in pdf.pages)
    for expected in ("PDD-1001", "SF1400000000000", clip["sha256"], "BOX-M", "6970000000000", "REFUSED",
                     "Key frames", "Audit timeline"):
        assert expected in text, expected
    images = [img for page in pdf.pages for img in page.images]
    assert len(images) == 4
    assert all(img.image.width >= 160 for img in images)

    assert main([*db, "evidence", "flag", "SF1400000000000", "--reason", "refund claim 123"]) == 0
    assert main([*db, "evidence", "find", "PDD-1001"]) == 0
    assert "FLAGGED" in capsys.readouterr().out
