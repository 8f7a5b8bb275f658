"""A bench behind the PackGate server records too: ``gui --server URL --camera test`` starts the
recorder, the packed order's clip is indexed at the server and uploaded to its evidence store, and the
bench's copy is gone once the server confirmed it. Real server process, real window, real recorder."""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path

from app.bootstrap import bootstrap
from app.cli import main
from app.client.remote import enrol
from app.config import Settings
from app.demo import seed_demo
from app.evidence import clipfile
from app.evidence.commands import CameraState, ClipEnded, ClipUploaded
from app.packing.outcome import Level
from tests.integration.test_server import code_for, start_server
from tests.ui.conftest import Scanner
from tests.ui.test_station_video import pack_pdd_1001, wait_event


def test_a_bench_behind_the_server_records_and_uploads_its_clips(qtbot, tmp_path, monkeypatch, capsys):
    gui = importlib.import_module("app.ui.app")  # the module, not the package's ``app`` attribute
    db_url = f"sqlite:///{tmp_path / 'server.db'}"
    svc = bootstrap(db_url, Settings(station="SEED"))
    seed_demo(svc)
    svc.close()
    store = tmp_path / "store"
    server = start_server(db_url, tmp_path / "server-home", "--evidence", str(store), "--no-sender")
    try:
        enrol(server.url, "BENCH-W", code_for(db_url, "BENCH-W", capsys)).save()
        settings = Settings(station="BENCH-W", evidence_dir=str(tmp_path / "bench-ev"), video_size="320x240",
                            video_fps=15, video_tail_seconds=0.3, evidence_min_free_mb=1, sounds=False)
        started = []
        real_start = gui.start_evidence

        def start_evidence(window, services, station, camera, link=None):
            controller = real_start(window, services, station, camera, link=link)
            controller.seen = []
            controller.event.connect(controller.seen.append)
            started.append(controller)
            return controller

        monkeypatch.setattr(gui, "start_evidence", start_evidence)
        seen: dict = {}

        class Shift:
            """Stands in for QApplication.exec: one packed order while the window is up."""

            def exec(self) -> int:
                [controller] = started
                window = controller.window
                qtbot.addWidget(window)
                scanner = Scanner(qtbot, window)
                wait_event(qtbot, controller, CameraState, lambda e: e.ok)
                scanner.scan("P-1001")
                assert pack_pdd_1001(scanner, window).level == Level.COMPLETE
                seen["ended"] = wait_event(qtbot, controller, ClipEnded)
                seen["uploaded"] = wait_event(qtbot, controller, ClipUploaded, timeout=30_000)
                return 0

        args = argparse.Namespace(station="BENCH-W", printer=f"pdf:{tmp_path / 'prints'}", camera="test")
        assert gui._run_remote(Shift(), args, settings, server.url) == 0

        ended, uploaded = seen["ended"], seen["uploaded"]
        assert ended.state == "complete" and ended.waybills == ("SF1400000000000",)
        assert uploaded.sha256 == ended.sha256 and not Path(ended.path).exists()
        assert Path(ended.path).is_relative_to(tmp_path / "bench-ev" / "BENCH-W")
        capsys.readouterr()
        assert main(["--db", db_url, "evidence", "find", "SF1400000000000", "--json"]) == 0
        [clip] = json.loads(capsys.readouterr().out)
        assert clip["station"] == "BENCH-W" and clip["order_no"] == "PDD-1001" and clip["packer"] == "李娜 Li Na"
        assert clip["path"] == uploaded.server_path and Path(clip["path"]).is_relative_to(store.resolve())
        assert clipfile.sha256_file(Path(clip["path"])) == clip["sha256"] == ended.sha256
    finally:
        server.stop()
