"""``packgate returns [--json]``, ``returns attach``, ``order --json``'s returns and ``summary
--json``'s return figures, after a demo order came back with a damaged item, a foreign one and one
missing, and an unmatched parcel was attached by a supervisor."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.cli import main
from app.demo import seed_demo
from app.models.evidence import EvidenceClip
from app.models.returns import Return
from app.packing.workflow import BenchWorkflow

TEA, MUG, SOCK = "6901234567892", "6902345678905", "6903456789018"  # PDD-1021 (packed by the demo): tea and mug
SUP, PIN = "S-9001", "123456"


@pytest.fixture
def returned(sqlite_services, sqlite_url, monkeypatch, clock):
    seed_demo(sqlite_services)
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", PIN)
    flow = BenchWorkflow(sqlite_services, "BENCH-1")
    for scan in ("P-1001", "CMD:RETURNS", "PDD-1021", "CMD:DAMAGED", TEA, SOCK, "CMD:CLOSE",
                 "YT9990000000001", MUG, "CMD:CLOSE"):
        flow.handle(scan)
    with sqlite_services.uow() as uow:  # the return's clip, as the recorder indexes it
        opened = uow.session.scalar(select(Return.opened_at).where(Return.return_waybill.is_(None)))
        uow.session.add(EvidenceClip(order_no="PDD-1021", station="BENCH-1", packer="", path="/clips/r.mp4",
                                     started_at=opened, sha256="a" * 64, kind="return", state="complete"))
    return sqlite_services


def run_json(capsys, url, *args):
    capsys.readouterr()
    assert main(["--db", url, *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_returns_order_and_summary_show_the_return(returned, sqlite_url, capsys):
    report = run_json(capsys, sqlite_url, "returns")
    demo, matched, unmatched = sorted(report["returns"], key=lambda r: r["id"])
    assert demo["state"] == "expected" and demo["return_waybill"] == "YT9000000000001"  # the demo's, not yet here
    assert matched["order_no"] == "PDD-1021" and matched["discrepancy"]
    assert matched["lines"] == [{"sku": "TEA-LJ-250", "qty": 1, "condition": "damaged"}]
    assert matched["missing"] == [{"sku": "MUG-CER-01", "qty": 1}]
    assert matched["foreign"] == [{"sku": "SOCK-BLK-L", "qty": 1}]
    assert matched["clips"][0]["path"] == "/clips/r.mp4" and matched["clips"][0]["sha256"] == "a" * 64
    assert unmatched["order_no"] is None and unmatched["return_waybill"] == "YT9990000000001"
    assert report["restock"] == {"MUG-CER-01": 1}  # the damaged tea is not restocked
    order = run_json(capsys, sqlite_url, "order", "PDD-1021")
    assert [r["id"] for r in order["returns"]] == [matched["id"]]
    figures = run_json(capsys, sqlite_url, "summary")
    assert (figures["returns_expected"], figures["returns_received"], figures["returns_with_discrepancy"]) == (1, 2, 1)
    capsys.readouterr()
    assert main(["--db", sqlite_url, "summary"]) == 0
    assert "Returns: expected 1, received 2, with a discrepancy 1" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "returns", "--from", "2000-01-01"]) == 0
    assert "DISCREPANCY" in capsys.readouterr().out


def test_a_supervisor_attaches_an_unmatched_return(returned, sqlite_url, capsys):
    # the mug of PDD-1021 is missing from its return: the unmatched parcel held it
    assert main(["--db", sqlite_url, "returns", "attach", "YT9990000000001", "PDD-1021", "--by", SUP,
                 "--reason", "the buyer sent the mug separately"]) == 0
    assert "attached to order PDD-1021" in capsys.readouterr().out
    order = run_json(capsys, sqlite_url, "order", "PDD-1021")
    attached = next(r for r in order["returns"] if r["return_waybill"] == "YT9990000000001")
    assert attached["lines"] == [{"sku": "MUG-CER-01", "qty": 1, "condition": "good"}] and attached["missing"] == []
    # attaching it again, or to an order that never shipped a mug, is refused and changes nothing
    assert main(["--db", sqlite_url, "returns", "attach", "YT9990000000001", "PDD-1022", "--by", SUP,
                 "--reason", "x"]) != 0
    assert "already belongs" in capsys.readouterr().err
