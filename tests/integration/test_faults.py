"""Faults with real servers and real processes.

* PostgreSQL goes away for one bench (a TCP proxy cut in the test, the shared server keeps
  running for every other test): scans are refused as "offline", nothing is half-written, and the
  bench reconnects by itself when the network is back, without losing or doubling a scan.
* The connection dies in the middle of a scan's transaction: the scan is rolled back whole.
* ``kill -9`` of a bench process in the middle of work (PostgreSQL and SQLite/WAL): the database
  is consistent and the restarted bench resumes its order or its handover at the right step.
"""

from __future__ import annotations

import signal
import socket
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url

from app.bootstrap import bootstrap
from app.config import Settings
from app.models.schema import Order, OrderLine, OrderState, ScanEvent, Station
from app.packing.outcome import Step
from app.packing.workflow import BenchWorkflow, derive_order_step
from bench.loadtest import (
    PIN,
    BenchConfig,
    BenchDriver,
    NullPrinter,
    badge,
    check,
    order_no,
    setup,
    start_bench,
    station,
)


class CuttableProxy:
    """A TCP proxy in front of the real server that the test can cut (refusing everything) and restore."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:  # unreachable: the connection drops at once
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.up = False
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        self.listener.close()


def _services(url, clock=None):
    kwargs = {"clock": clock} if clock else {}
    svc = bootstrap(url, Settings(station="T", printer="loadtest:"), **kwargs)
    svc.set_printer(NullPrinter())
    return svc


def _station_events(svc, name: str, scans_only: bool = False) -> int:
    query = (select(text("count(*)")).select_from(ScanEvent.__table__.join(Station.__table__))
             .where(Station.name == name))
    if scans_only:  # leave out the print events the workflow writes after a scan
        query = query.where(ScanEvent.kind.not_in(("print", "reprint")))
    with svc.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def _scanned(svc, number: str) -> int:
    with svc.engine.connect() as conn:
        return conn.execute(text("SELECT coalesce(sum(l.scanned), 0) FROM order_lines l JOIN orders o "
                                 "ON o.id = l.order_id WHERE o.order_no = :n"), {"n": number}).scalar_one()


def _next_item(flow: BenchWorkflow) -> str:
    return next(line.barcode for line in flow.last_view.order.lines if not line.complete)


@pytest.mark.postgres
def test_postgres_unreachable_for_one_bench_then_back(pg_url):
    admin = _services(pg_url)
    setup(admin, benches=2, per_bench=4)
    url = make_url(pg_url)
    proxy = CuttableProxy((url.host, url.port or 5432))
    far = _services(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    try:
        flow = BenchWorkflow(far, station(0))
        assert flow.handle(badge(0)).accepted  # bench 0 has no PIN
        number = order_no(1)
        assert flow.handle(number).step == Step.VERIFY
        first = _next_item(flow)
        assert flow.handle(first).accepted
        written = _station_events(admin, station(0))
        scanned = _scanned(admin, number)

        proxy.cut()  # the network to the server is gone for this bench only
        for code in (_next_item(flow), "BOX-S", "CMD:CANCEL"):
            out = flow.handle(code)
            assert not out.accepted and out.kind == "offline"
            assert "Database unreachable" in out.message.render()
            assert out.view.order is not None and out.view.order.order_no == number  # the screen keeps the order

        # Another bench packs on the same server meanwhile: the server itself never went down.
        other = BenchDriver(admin, BenchConfig(bench=1, benches=2, per_bench=4, p_cancel=0, p_logout=0))
        other.login()
        assert other.pack(5, []) == 1

        assert _station_events(admin, station(0)) == written  # the refused scans wrote nothing
        assert _scanned(admin, number) == scanned

        proxy.restore()  # back: the next scan works by itself (pool_pre_ping reconnects)
        code = _next_item(flow) if flow.last_view.step == Step.VERIFY else None
        if code is None:
            pytest.fail("the bench lost its step during the outage")
        out = flow.handle(code)
        assert out.accepted, out.message.render()
        assert _scanned(admin, number) == scanned + 1  # counted once, not lost, not doubled
        assert _station_events(admin, station(0)) == written + 1
        assert check(admin) == []
    finally:
        far.close()
        proxy.close()
        admin.close()


@pytest.mark.postgres
def test_connection_killed_inside_a_scan_rolls_the_whole_scan_back(pg_url):
    """The backend dies after the item UPDATE and before the audit INSERT: neither survives."""
    svc = _services(pg_url)
    setup(svc, benches=1, per_bench=2)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    armed = {"on": False}

    @event.listens_for(svc.engine, "before_cursor_execute")
    def _kill_own_backend(conn, cursor, statement, params, context, executemany):
        # the audit event's statement: a plain INSERT, or (PostgreSQL's scan path) the head's move and
        # the INSERT in one statement led by WITH: either way after the item's UPDATE, before the event
        if armed["on"] and "INSERT INTO SCAN_EVENTS" in statement.upper():
            armed["on"] = False
            pid = conn.connection.dbapi_connection.info.backend_pid
            with admin.connect() as a:
                a.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            time.sleep(0.05)

    try:
        flow = BenchWorkflow(svc, station(0))
        flow.handle(badge(0))
        number = order_no(1)
        flow.handle(number)
        before_events, before_scanned = _station_events(svc, station(0)), _scanned(svc, number)
        code = _next_item(flow)
        armed["on"] = True
        out = flow.handle(code)
        assert out.kind == "offline" and not out.accepted
        assert _scanned(svc, number) == before_scanned  # the UPDATE did not survive without its event
        assert _station_events(svc, station(0)) == before_events
        out = flow.handle(code)  # reconnects by itself
        assert out.accepted and _scanned(svc, number) == before_scanned + 1
        assert check(svc) == []
    finally:
        svc.close()
        admin.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("kill_at", [Step.VERIFY, Step.HANDOVER])
def test_kill_9_in_the_middle_of_work_then_resume(request, backend, kill_at, tmp_path):
    url = request.getfixturevalue("pg_url") if backend == "postgres" else f"sqlite:///{tmp_path / 'bench.db'}"
    svc = _services(url)
    try:
        setup(svc, benches=2, per_bench=6, seed=5)
        bench = 1 if kill_at == Step.HANDOVER else 0  # bench 1 logs in with a PIN
        cfg = BenchConfig(bench=bench, benches=2, per_bench=6, seed=5, progress=True, handover_every=2,
                          p_cancel=0, p_logout=0)
        proc = start_bench(url, cfg)
        acknowledged = 0
        deadline = time.monotonic() + 40
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("scan "):
                _, n, step = line.split()
                acknowledged = int(n)
                if acknowledged >= 12 and step == kill_at.value:
                    proc.send_signal(signal.SIGKILL)  # kill -9 mid-shift (maybe mid-commit of the next scan)
                    break
            assert time.monotonic() < deadline, "the bench never reached the step to kill it at"
        else:
            pytest.fail(f"the bench ended before being killed: {proc.stderr.read() if proc.stderr else ''}")
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL

        if backend == "sqlite":
            path = make_url(url).database
            with sqlite3.connect(path) as raw:  # WAL recovery on open
                assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        scans = _station_events(svc, station(bench), scans_only=True)
        assert acknowledged <= scans <= acknowledged + 1  # + the scan in flight when it died, if committed
        assert check(svc) == []

        # The same bench restarts: login resumes exactly where the last committed scan left it.
        with svc.read_uow() as uow:
            open_order = uow.session.scalar(select(Order).join(Station, Station.id == Order.station_id).where(
                Station.name == station(bench), Order.state == OrderState.PACKING.value))
            expected_step = derive_order_step(uow.session, open_order.id) if open_order else None
        driver = BenchDriver(svc, BenchConfig(bench=bench, benches=2, per_bench=6, seed=6, p_cancel=0,
                                              p_logout=0, p_foreign_waybill=0))
        out = driver.scan(badge(bench))
        if out.view.step == Step.PIN:
            out = driver.scan(PIN)
        if kill_at == Step.VERIFY:
            assert open_order is not None
            assert "resumed" in out.message.render()
            assert out.view.step == expected_step
            assert out.view.order.order_no == open_order.order_no
        else:
            assert out.view.step in (Step.HANDOVER, Step.ORDER)
            if out.view.step == Step.HANDOVER:
                assert "handover" in out.message.render()
        driver.finish_open_work()
        assert driver.flow.last_view.step == Step.ORDER
        if open_order is not None:
            with svc.read_uow() as uow:
                assert uow.session.get(Order, open_order.id).state == OrderState.PACKED.value
                lines = uow.session.scalars(select(OrderLine).where(OrderLine.order_id == open_order.id)).all()
                assert all(line.scanned == line.quantity for line in lines)
        assert check(svc) == []
    finally:
        svc.close()
