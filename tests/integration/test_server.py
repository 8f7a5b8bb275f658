"""The PackGate server as real processes on loopback ports: enrolment, tokens, revocation, the same
Outcome as the embedded bench, idempotent retries, a server killed and restarted mid-shift, TLS
pinning, two server processes on one PostgreSQL, and the OpenAPI description."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.bootstrap import bootstrap
from app.cli import main
from app.client.remote import RemoteBench, enrol
from app.config import Settings
from app.demo import seed_demo
from app.models.schema import ScanEvent, Station
from app.packing.workflow import BenchWorkflow
from app.printing.base import PrintJob
from app.server.tls import self_signed

ROOT = Path(__file__).resolve().parents[2]
READY_S = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    db_url: str
    proc: subprocess.Popen
    args: list[str]
    env: dict

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)

    def restart(self) -> None:
        self.stop()
        self.proc = _spawn(self.args, self.env)
        _wait_ready(self.url, self.proc)


def _spawn(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_ready(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            if httpx.get(f"{url}/api/v1/health", verify=False, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)  # polling a starting process: there is no signal to await
    raise AssertionError(f"server at {url} not ready within {READY_S} s")


def start_server(db_url: str, home: Path, *extra: str, scheme: str = "http") -> Server:
    port = free_port()
    env = {**os.environ, "PACKGATE_HOME": str(home)}
    env.pop("PACKGATE_DB", None)
    args = ["--db", db_url, "serve", "--listen", f"127.0.0.1:{port}", *extra]
    server = Server(f"{scheme}://127.0.0.1:{port}", db_url, _spawn(args, env), args, env)
    _wait_ready(server.url, server.proc)
    return server


class Paper:
    """The bench's own printer: records what came out."""

    spec = "paper:"

    def __init__(self) -> None:
        self.labels: list = []
        self.manifests: list = []

    def print_label(self, label):
        self.labels.append(label)
        return PrintJob(f"label {label.order_no} {label.parcel_text}")

    def print_manifest(self, manifest):
        self.manifests.append(manifest)
        return PrintJob(f"manifest {manifest.manifest_no}")


@pytest.fixture
def demo_db(db_url, tmp_path) -> str:
    svc = bootstrap(db_url, Settings(station="SEED"))
    seed_demo(svc)
    svc.close()
    return db_url


@pytest.fixture
def server(demo_db, tmp_path) -> Iterator[Server]:
    srv = start_server(demo_db, tmp_path / "server-home")
    yield srv
    srv.stop()


def code_for(db_url: str, station: str, capsys) -> str:
    assert main(["--db", db_url, "stations", "add", station, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["station"] == station
    return data["code"]


def bench_through(server: Server, station: str, capsys) -> RemoteBench:
    link = enrol(server.url, station, code_for(server.db_url, station, capsys))
    return RemoteBench(link, Paper(), timeout=5)


SCRIPT = ["P-1001", "PDD-1001", "6901234567892", "6901234567892", "6902345678905", "6902345678905", "BOX-M",
          "1180", "SF1400000000099", "SF1400000000000", "CMD:HANDOVER", "SF1400000000000", "CMD:CLOSE",
          "PDD-1001", "CMD:LOGOUT"]


def summary(outcome) -> tuple:
    return (outcome.accepted, outcome.level, outcome.kind, outcome.step, outcome.message.render())


def test_a_scripted_shift_gives_the_same_outcomes_embedded_and_through_the_server(server, tmp_path, capsys):
    remote = bench_through(server, "BENCH-S", capsys)
    embedded_db = f"sqlite:///{tmp_path / 'embedded.db'}"
    svc = bootstrap(embedded_db, Settings(station="BENCH-S"))
    seed_demo(svc)
    svc.set_printer(Paper())
    local = BenchWorkflow(svc, "BENCH-S")
    try:
        for scan in SCRIPT:
            mine, theirs = local.handle(scan), remote.handle(scan)
            a, b = summary(mine), summary(theirs)
            if scan == "CMD:CLOSE":  # the manifest numbers come from each database's own ids
                a, b = a[:4], b[:4]
            assert a == b, scan
            assert mine.view.order == theirs.view.order, scan
    finally:
        svc.close()
        remote.close()
    assert len(remote.printer.labels) == 1 and len(remote.printer.manifests) == 1  # printed at the bench


def test_the_audit_trail_names_the_bench_printer_that_printed_not_the_servers(server, capsys):
    remote = bench_through(server, "BENCH-P", capsys)
    try:
        for scan in SCRIPT:
            remote.handle(scan)
    finally:
        remote.close()
    svc = bootstrap(server.db_url, Settings(station="READER"))
    try:
        with svc.read_uow() as uow:
            bench = uow.session.scalar(select(Station.id).where(Station.name == "BENCH-P"))
            printed = uow.session.scalars(select(ScanEvent.message).where(ScanEvent.kind == "print",
                                                                          ScanEvent.station_id == bench)
                                          .order_by(ScanEvent.id)).all()
    finally:
        svc.close()
    assert printed == ["Label of parcel 1 of PDD-1001 sent to paper:",
                       f"Manifest printed on paper:: manifest {remote.printer.manifests[0].manifest_no}"]


def test_calls_need_a_station_token_and_a_revoked_bench_is_refused(server, capsys):
    r = httpx.post(f"{server.url}/api/v1/scan", json={"scan_id": "x" * 16, "raw": "P-1001"})
    assert r.status_code == 401
    r = httpx.post(f"{server.url}/api/v1/scan", json={"scan_id": "x" * 16, "raw": "P-1001"},
                   headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401
    r = httpx.post(f"{server.url}/api/v1/enrol", json={"station": "BENCH-X", "code": "WRONG"})
    assert r.status_code == 403
    code = code_for(server.db_url, "BENCH-R", capsys)
    link = enrol(server.url, "BENCH-R", code)
    with pytest.raises(Exception, match="refused the enrolment"):  # a code works once
        enrol(server.url, "BENCH-R", code)
    bench = RemoteBench(link, Paper(), timeout=5)
    assert bench.handle("P-1001").accepted
    assert main(["--db", server.db_url, "stations", "revoke", "BENCH-R"]) == 0
    out = bench.handle("PDD-1002")
    assert not out.accepted and "not enrolled" in out.message.render()
    assert main(["--db", server.db_url, "stations", "list", "--json"]) == 0
    listed = {row["station"]: row["state"] for row in json.loads(capsys.readouterr().out.splitlines()[-1])}
    assert listed["BENCH-R"] == "revoked"
    bench.close()


def test_a_retried_scan_counts_once_and_gets_the_first_answer(server, capsys):
    link = enrol(server.url, "BENCH-I", code_for(server.db_url, "BENCH-I", capsys))
    auth = {"Authorization": f"Bearer {link.token}"}

    def scan(raw: str, scan_id: str, session):
        r = httpx.post(f"{server.url}/api/v1/scan", json={"scan_id": scan_id, "raw": raw, "session": session},
                       headers=auth)
        assert r.status_code == 200, r.text
        return r.json()

    session = scan("P-1001", "a" * 32, None)["session"]
    session = scan("PDD-1001", "b" * 32, session)["session"]
    first = scan("6901234567892", "c" * 32, session)
    again = scan("6901234567892", "c" * 32, session)  # the reply was lost: the bench sends it again
    assert again == first
    svc = bootstrap(server.db_url, Settings(station="CHECK"))
    try:
        with svc.read_uow() as uow:
            from sqlalchemy import text

            scanned = uow.session.execute(text(
                "SELECT SUM(l.scanned) FROM order_lines l JOIN orders o ON o.id = l.order_id "
                "WHERE o.order_no = 'PDD-1001'")).scalar()
            events = uow.session.execute(text(
                "SELECT COUNT(*) FROM scan_events e JOIN orders o ON o.id = e.order_id "
                "WHERE o.order_no = 'PDD-1001' AND e.kind = 'item'")).scalar()
        assert (scanned, events) == (1, 1)
    finally:
        svc.close()


def test_a_forged_session_is_a_logged_out_bench(server, capsys):
    link = enrol(server.url, "BENCH-F", code_for(server.db_url, "BENCH-F", capsys))
    bench = RemoteBench(link, Paper(), timeout=5)
    assert bench.handle("P-1001").accepted
    body, mac = bench.session.split(".")
    bench.session = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac
    out = bench.handle("PDD-1001")
    assert not out.accepted and out.step.value == "login"  # taken as a badge: nobody is logged in
    bench.close()


def test_the_server_killed_mid_shift_loses_and_doubles_nothing(server, capsys):
    bench = bench_through(server, "BENCH-K", capsys)
    assert bench.handle("P-1001").accepted and bench.handle("PDD-1001").accepted
    assert bench.handle("6901234567892").accepted
    server.stop(signal.SIGKILL)
    out = bench.handle("6902345678905")
    assert not out.accepted and out.kind == "offline" and "NOT saved" in out.message.render()
    assert not bench.reachable()
    server.restart()
    assert bench.reachable()
    out = bench.handle("6902345678905")  # the same session goes on: its key is in the database
    assert out.accepted, out.message.render()
    assert out.view.order.items_scanned == 2
    bench.close()


def test_openapi_description_is_served(server):
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert {"/api/v1/scan", "/api/v1/enrol", "/api/v1/view", "/api/v1/label-failed"} <= set(spec["paths"])
    docs = httpx.get(f"{server.url}/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_https_certificate_is_pinned_at_enrolment(sqlite_url, tmp_path, capsys):
    svc = bootstrap(sqlite_url, Settings(station="SEED"))
    seed_demo(svc)
    svc.close()
    cert, key = self_signed(tmp_path / "tls-1", "127.0.0.1")
    srv = start_server(sqlite_url, tmp_path / "home", "--tls-cert", str(cert), "--tls-key", str(key), scheme="https")
    try:
        link = enrol(srv.url, "BENCH-T", code_for(sqlite_url, "BENCH-T", capsys))
        assert link.fingerprint and len(link.fingerprint) == 64
        bench = RemoteBench(link, Paper(), timeout=5)
        assert bench.handle("P-1001").accepted
        bench.close()
    finally:
        srv.stop()
    other_cert, other_key = self_signed(tmp_path / "tls-2", "127.0.0.1")  # someone else's server
    srv.args[-3:] = [str(other_cert), "--tls-key", str(other_key)]
    srv.proc = _spawn(srv.args, srv.env)
    _wait_ready(srv.url, srv.proc)
    svc = bootstrap(sqlite_url, Settings(station="CHECK"))
    with svc.read_uow() as uow:
        scans_before = uow.session.scalar(select(func.count()).select_from(ScanEvent))
    try:
        bench = RemoteBench(link, Paper(), timeout=5)
        out = bench.handle("PDD-1001")
        assert not out.accepted and "certificate changed" in out.message.render()
        bench.close()
        with svc.read_uow() as uow:  # refused at the handshake: the other server never saw the scan (or the token)
            assert uow.session.scalar(select(func.count()).select_from(ScanEvent)) == scans_before
        svc.close()
    finally:
        srv.stop()


@pytest.mark.postgres
def test_two_server_processes_on_one_postgresql(pg_url, tmp_path, capsys):
    svc = bootstrap(pg_url, Settings(station="SEED"))
    seed_demo(svc)
    svc.close()
    one, two = start_server(pg_url, tmp_path / "h1"), start_server(pg_url, tmp_path / "h2")
    try:
        a, b = bench_through(one, "BENCH-1", capsys), bench_through(two, "BENCH-2", capsys)
        assert a.handle("P-1001").accepted and b.handle("P-1002").accepted
        assert a.handle("PDD-1001").accepted
        taken = b.handle("PDD-1001")
        assert not taken.accepted and "held by BENCH-1" in taken.message.render()
        for bench, order in ((a, "PDD-1001"), (b, "PDD-1003")):
            if order != "PDD-1001":
                assert bench.handle(order).accepted
            for line in bench.last_view.order.lines:
                for _ in range(line.quantity - line.scanned):
                    assert bench.handle(line.barcode).accepted
            assert bench.handle("BOX-M").accepted
            assert bench.handle(str(bench.last_view.order.expected_weight_g)).accepted
        assert a.handle("SF1400000000000").level.value == "complete"
        a.close()
        b.close()
        assert main(["--db", pg_url, "integrity"]) == 0
    finally:
        one.stop()
        two.stop()


def test_a_taken_port_is_a_one_line_refusal(sqlite_url, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--db", sqlite_url, "serve", "--listen", f"127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert "Cannot listen on 127.0.0.1" in err and len(err.strip().splitlines()) == 1


def test_a_bench_hears_at_once_that_a_supervisor_took_its_order(server, capsys):
    import threading

    from app.packing.supervisor import release_hold

    bench = bench_through(server, "BENCH-W", capsys)
    assert bench.handle("P-1001").accepted and bench.handle("PDD-1001").accepted
    assert bench.wait_for_change(timeout_s=0.3) is False  # nothing happened
    heard: dict[str, bool] = {}

    def listen() -> None:
        heard["changed"] = bench.wait_for_change(timeout_s=60)  # the longest poll the server allows

    listener = threading.Thread(target=listen)
    listener.start()
    svc = bootstrap(server.db_url, Settings(station="SUPERVISOR-PC"))
    try:
        release_hold(svc, "S-9001", "123456", "PDD-1001", "packer went home")
    finally:
        svc.close()
    listener.join(timeout=45)
    # Back before its own 60 s ran out, changed: the supervisor's action woke it (no stopwatch to flake on).
    assert not listener.is_alive() and heard["changed"] is True
    notice = bench.watch()
    assert notice is not None and "taken off this bench" in notice.message.render()
    assert notice.view.order is None and bench.watch() is None
    bench.close()


def test_the_server_runs_the_platform_sender(demo_db, tmp_path, capsys):
    """A waybill scanned through the server reaches the platform: the sender lives in `packgate serve`."""
    from app.platform.standin import Faults, StandIn
    from tests.integration.test_platform import use_standin, wait_for

    svc = bootstrap(demo_db, Settings(station="ADMIN"))
    with StandIn(faults=Faults(seed=3)) as gateway:
        try:
            use_standin(svc, gateway, tmp_path)
            srv = start_server(demo_db, tmp_path / "server-home")
            try:
                bench = bench_through(srv, "BENCH-P", capsys)
                for scan in SCRIPT[:8] + ["SF1400000000000"]:
                    bench.handle(scan)
                assert bench.last_view.completed_order == "PDD-1001"
                wait_for(lambda: "PDD-1001" in gateway.orders, timeout=30)  # the demo's history ships too
                held = gateway.orders["PDD-1001"]
                assert (held.tracking_number, held.logistics_id) == ("SF1400000000000", 44)
                bench.close()
            finally:
                srv.stop()
        finally:
            svc.close()


def test_logout_a_disabled_packer_and_a_new_login_end_the_bench_session(server, capsys):
    """A copy of the session blob (kept by whoever watched the wire) is dead once the packer logged
    out, once someone logged in again at that bench, and once the packer was disabled."""
    bench = bench_through(server, "BENCH-L", capsys)

    def replayed(saved: str) -> bool:
        bench.session = saved
        out = bench.handle("PDD-1001")
        return out.accepted or out.step.value != "login"

    assert bench.handle("P-1001").accepted
    saved = bench.session
    assert bench.handle("CMD:LOGOUT").accepted
    assert not replayed(saved)
    assert bench.handle("P-1001").accepted
    saved = bench.session
    assert bench.handle("CMD:LOGOUT").accepted and bench.handle("P-1001").accepted  # a new login
    assert not replayed(saved)
    assert bench.handle("P-1001").accepted
    assert main(["--db", server.db_url, "users", "disable", "P-1001"]) == 0
    out = bench.handle("PDD-1001")
    assert not out.accepted and out.step.value == "login"
    bench.close()


def test_behind_the_server_the_site_tolerance_decides_and_a_desk_change_applies_at_the_next_scan(server, capsys):
    from app.client.desk import RemoteDesk
    from tests.integration.test_site_settings import PIN
    from tests.unit.packing.factories import at_weight

    remote = bench_through(server, "BENCH-W", capsys)
    desk = RemoteDesk(remote.link)
    try:
        expected = at_weight(remote)
        over = expected + max(round(expected * 0.1), 50) + 30
        assert not remote.handle(f"{over}g").accepted
        desk.unlock_settings("S-9001", PIN)  # the settings dialog's unlock, at the server
        assert desk.site_settings()["weight_tolerance_min_g"] == 50
        assert desk.change_site_setting("weight_tolerance_min_g", 400) == [50, 400]
        with pytest.raises(Exception, match="packed or handed_over"):
            desk.change_site_setting("platform_trigger", "shipped")
        out = remote.handle(f"{over}g")  # the server's next scan decides with the site's value
        assert out.accepted and out.view.require_video is False, out.message.render()
    finally:
        desk.close()
        remote.close()
    svc = bootstrap(server.db_url, Settings(station="READER"))
    try:
        with svc.read_uow() as uow:
            [message] = uow.session.scalars(select(ScanEvent.message).where(ScanEvent.kind == "settings")).all()
    finally:
        svc.close()
    assert "weight_tolerance_min_g: 50 -> 400" in message and "BENCH-W" in message
