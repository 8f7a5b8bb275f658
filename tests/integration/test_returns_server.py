"""The returns bench through the PackGate server: the same scans give the same returns as embedded
(CMD:RETURNS, an order's return opened, a damaged item, the close listing what is missing), and a
logout resumes the open return."""

from __future__ import annotations

from app.packing.outcome import Step
from tests.integration.test_server import bench_through, demo_db, server  # noqa: F401 - the server fixtures


def test_returns_through_the_server(server, capsys):  # noqa: F811
    remote = bench_through(server, "BENCH-R", capsys)
    try:
        assert remote.handle("P-1001").accepted
        out = remote.handle("CMD:RETURNS")
        assert out.step == Step.RETURNS, out.message.render()
        out = remote.handle("PDD-1021")
        assert out.accepted and out.view.return_view.order_no == "PDD-1021", out.message.render()
        out = remote.handle("CMD:DAMAGED")
        assert out.view.return_view.damaged_next
        out = remote.handle("6901234567892")
        assert out.accepted and out.view.return_view.lines[0].damaged == 1, out.message.render()
        out = remote.handle("CMD:CLOSE")
        assert out.accepted and "MUG-CER-01" in out.message.render()
        remote.handle("PDD-1022")
        remote.handle("CMD:LOGOUT")
        out = remote.handle("P-1001")
        assert out.step == Step.RETURNS and out.view.return_view.order_no == "PDD-1022", out.message.render()
    finally:
        remote.close()
