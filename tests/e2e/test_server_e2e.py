"""Two benches in two real windows scan through one PackGate server on SQLite: neither holds the
database, each prints its own labels, and the server's database holds both benches' work."""

from __future__ import annotations

import json
import os

import pytest

from app.cli import main
from tests.e2e.harness import Bench, XServer
from tests.integration.test_server import start_server

pytestmark = pytest.mark.e2e


class RemoteWindow(Bench):
    """The real program as ``gui --server URL``, enrolled in its own config folder."""

    def __init__(self, x: XServer, workdir, db_path, server_url: str, station: str) -> None:
        super().__init__(x, workdir, station=station)
        self.db_path = db_path
        self.db.path = db_path
        self.server_url = server_url

    def command(self) -> list[str]:
        return [self.python, str(self._root()), "gui", "--server", self.server_url, "--station", self.station,
                "--printer", f"pdf:{self.prints}"]

    @staticmethod
    def _root():
        from tests.e2e.harness import ROOT

        return ROOT / "main.py"

    def type_scan(self, text: str) -> None:
        self.focus()  # two windows on one screen: the scanner types into this one
        super().type_scan(text)


def enrol_window(server, db_url, home, station, capsys) -> None:
    assert main(["--db", db_url, "stations", "add", station, "--json"]) == 0
    code = json.loads(capsys.readouterr().out)["code"]
    old = os.environ.get("PACKGATE_HOME")
    os.environ["PACKGATE_HOME"] = str(home)
    try:
        assert main(["enrol", "--server", server.url, "--station", station, "--code", code]) == 0
    finally:
        if old is None:
            os.environ.pop("PACKGATE_HOME", None)
        else:
            os.environ["PACKGATE_HOME"] = old
    capsys.readouterr()


def pack(window: RemoteWindow, order_no: str, waybill: str) -> None:
    window.scan(order_no)
    for code, qty, _ in window.db.units(order_no):
        for _ in range(qty):
            window.scan(code)
    window.scan("BOX-M")
    window.scan(str(window.db.expected_weight_g(order_no, "BOX-M")))
    window.wait_file(f"label-{order_no}-*.pdf")
    window.scan(waybill)


def test_two_benches_through_one_server_in_real_windows(xserver, tmp_path, capsys):
    from app.bootstrap import bootstrap
    from app.config import Settings
    from app.demo import seed_demo

    db_path = tmp_path / "server.db"
    db_url = f"sqlite:///{db_path}"
    svc = bootstrap(db_url, Settings(station="SEED"))
    seed_demo(svc)
    svc.close()
    server = start_server(db_url, tmp_path / "server-home")
    windows = []
    try:
        for name in ("BENCH-A", "BENCH-B"):
            enrol_window(server, db_url, tmp_path / name / "home", name, capsys)
            window = RemoteWindow(xserver, tmp_path / name, db_path, server.url, name)
            window.start()
            windows.append(window)
        a, b = windows
        a.scan("P-1001")
        b.scan("P-1002")
        pack(a, "PDD-1001", "SF1400000000000")
        refused = b.scan("PDD-1001", accepted=False)  # bench A has packed it
        assert "already packed" in refused.message
        pack(b, "PDD-1009", "SF1400000000008")
        for order_no, station in (("PDD-1001", "BENCH-A"), ("PDD-1009", "BENCH-B")):
            order = a.db.order(order_no)
            assert (order["state"], order["station"]) == ("packed", station)
        assert all(w.running() for w in windows)
        assert not list((tmp_path / "BENCH-A" / "home").rglob("*.db"))  # no database on the bench
    finally:
        for window in windows:
            window.stop()
        server.stop()
