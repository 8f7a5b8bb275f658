"""Many benches on one database: a load driver and a checker (Qt-free).

Each bench is a separate process (``python -m bench.loadtest bench ...``) that drives a real
:class:`~app.packing.workflow.BenchWorkflow` with scans, like a packer would: badge (and PIN),
orders from a shared pool in random order, items (plus wrong items and over-scans), box, weight,
waybill (sometimes one that another order already carries), sometimes ``CMD:CANCEL`` or a logout,
and now and then a handover. Benches deliberately reach into their neighbour's orders so that two
benches race for the same order, the same waybill and the same parcel on a manifest.

Every scan a bench sends is counted; the counts go out as one JSON line on stdout (or ``--out``).
:func:`check` then proves with SQL that the database kept every promise: an order packed at most
once, a waybill on at most one order, audit events equal to the scans sent (plus the print events
the workflow writes itself, compared kind by kind), no shipped order without a waybill, and each
order's scanned count equal to its accepted item scans.

``python -m bench.loadtest setup|bench|check|run --db URL ...``; the database password comes from
``$PGPASSWORD``, ``~/.pgpass`` or ``$PACKGATE_DB_PASSWORD_FILE``, never from the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import func, insert, select, text

from app.bootstrap import Services, bootstrap
from app.config import REPO_ROOT, Settings
from app.models.integrity import violations
from app.models.schema import Order, OrderLine, Product, ProductBarcode, User, WaybillPoolEntry
from app.packing.outcome import Outcome, Step
from app.printing.base import PrintJob
from app.security import hash_pin

ORDER_PREFIX = "LT-"
ITEM_PREFIX = "LT-ITEM-"
PIN = "2468"
# (barcode suffix, unit weight g); every order takes 1-3 of these, 1-2 units each.
PRODUCTS = tuple((str(i), 50 + 40 * i) for i in range(1, 9))
ORDER_STEPS = (Step.VERIFY, Step.BOX, Step.WEIGHT, Step.LABEL, Step.WAYBILL)
PRINT_KINDS = ("print", "reprint")


def order_no(index: int) -> str:
    return f"{ORDER_PREFIX}{index:07d}"


def order_index(number: str) -> int:
    return int(number[len(ORDER_PREFIX):])


def badge(bench: int) -> str:
    return f"LT-P{bench:03d}"


def station(bench: int) -> str:
    return f"B-{bench}"


def carrier_of(index: int) -> str:
    """Most orders are ZTO (bench scans a free-form number); every 5th is YTO from the waybill pool;
    every 7th is SF with a pre-assigned number."""
    if index % 7 == 0:
        return "SF"
    if index % 5 == 0:
        return "YTO"
    return "ZTO"


def waybill_for(index: int) -> str:
    """The number on the label a bench sticks on order ``index`` (ZTO: 14 digits)."""
    return f"7531{index:010d}"


def spare_waybill_for(index: int) -> str:
    """A fresh label for an order whose number was stolen by a colliding scan (never collides)."""
    return f"7539{index:010d}"


def bench_orders(bench: int, per_bench: int, seed: int) -> list[int]:
    """The order indexes bench ``bench`` works through, in its own random order."""
    mine = list(range(bench * per_bench + 1, (bench + 1) * per_bench + 1))
    random.Random(seed * 1_000_003 + bench).shuffle(mine)
    return mine


# ---------------------------------------------------------------------------------- setup


def setup(services: Services, benches: int, per_bench: int, seed: int = 1) -> dict[str, int]:
    """Products, one packer per bench (odd benches with a PIN), the order pool and a YTO waybill pool."""
    rng = random.Random(seed)
    now = services.clock()
    total = benches * per_bench
    pin_hash = hash_pin(PIN)
    with services.uow() as uow:
        s = uow.session
        product_ids = {}
        for suffix, weight in PRODUCTS:
            pid = s.scalar(select(Product.id).where(Product.sku == f"LT-SKU-{suffix}"))
            if pid is None:
                product = Product(sku=f"LT-SKU-{suffix}", name=f"Load item {suffix}", unit_weight_g=weight)
                s.add(product)
                s.flush()
                s.add(ProductBarcode(barcode=f"{ITEM_PREFIX}{suffix}", product_id=product.id))
                pid = product.id
            product_ids[suffix] = pid
        for b in range(benches):
            if s.scalar(select(User.id).where(User.badge == badge(b))) is None:
                s.add(User(name=f"Load packer {b}", role="packer", badge=badge(b),
                           pin_hash=pin_hash if b % 2 else None, created_at=now))
    made = 0
    chunk = 2_000
    for start in range(1, total + 1, chunk):
        indexes = range(start, min(start + chunk, total + 1))
        with services.uow() as uow:
            s = uow.session
            rows = [
                dict(order_no=order_no(i), platform="load", carrier_code=carrier_of(i), recipient_name=f"R{i}",
                     recipient_phone="13800138000", recipient_address="杭州市西湖区文三路 138 号", note="",
                     created_at=now, imported_at=now, state="ready", hold_reason="",
                     preassigned_waybill=f"SF{i:013d}" if carrier_of(i) == "SF" else None)
                for i in indexes
            ]
            ids = s.execute(insert(Order).returning(Order.id, Order.order_no), rows).all()
            lines = []
            for oid, _number in ids:
                picks = rng.sample(list(product_ids.values()), rng.randint(1, 3))
                lines += [dict(order_id=oid, product_id=p, quantity=rng.randint(1, 2), scanned=0) for p in picks]
            s.execute(insert(OrderLine), lines)
            pool = [dict(carrier_code="YTO", number=f"YT{8_000_000_000_000 + i:013d}", imported_at=now)
                    for i in indexes if carrier_of(i) == "YTO"]
            if pool:
                s.execute(insert(WaybillPoolEntry), pool)
            made += len(rows)
    return {"orders": made, "benches": benches}


# ---------------------------------------------------------------------------------- one bench


class NullPrinter:
    """Labels and manifests go nowhere: the load test measures the database, not the printer."""

    spec = "loadtest:"

    def print_label(self, label) -> PrintJob:
        return PrintJob(f"label {label.order_no}")

    def print_manifest(self, manifest) -> PrintJob:
        return PrintJob(f"manifest {manifest.manifest_no}")


class BenchCrashed(RuntimeError):
    """The driver lost track of the workflow (a bug in PackGate or in the driver)."""


@dataclass
class BenchConfig:
    bench: int
    benches: int
    per_bench: int
    seed: int = 1
    handover_every: int = 8
    p_steal: float = 0.15  # take an order from the neighbour's list (a race for the same order)
    p_wrong_item: float = 0.05
    p_over_scan: float = 0.05
    p_wrong_weight: float = 0.05
    p_foreign_waybill: float = 0.08  # scan a waybill that belongs to another order
    p_cancel: float = 0.03
    p_logout: float = 0.02
    p_reprint: float = 0.03
    p_garbage: float = 0.01
    stop_after: int | None = None  # scans; None = work through the whole list
    progress: bool = False  # one line on stdout per scan (the kill -9 test watches it)


@dataclass
class BenchCounts:
    station: str
    sent: int = 0  # every scan handed to the workflow
    offline: int = 0  # refused because the database was unreachable: written nowhere
    accepted: int = 0
    refused: int = 0
    prints: int = 0  # 'print' events the workflow wrote after an accepted scan (labels, manifests)
    reprints: int = 0
    packed: int = 0
    handed_over: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0
    latency_ms: dict[str, float] = field(default_factory=dict)
    samples_ms: list[float] = field(default_factory=list)  # every scan's latency, for the figures over all benches


class BenchDriver:
    """Plays one packer at one bench: every scan goes through ``BenchWorkflow.handle``, or through
    the PackGate server with ``bench=RemoteBench(...)`` (the same interface; no database here)."""

    def __init__(self, services: Services | None, cfg: BenchConfig, *, bench=None) -> None:
        from app.packing.workflow import BenchWorkflow

        self.services = services
        self.cfg = cfg
        self.rng = random.Random(cfg.seed * 7919 + cfg.bench)
        self.flow = bench if bench is not None else BenchWorkflow(services, station(cfg.bench))
        self.counts = BenchCounts(station=station(cfg.bench))
        self._kinds: Counter[str] = Counter()
        self._latencies: list[float] = []
        self.linked: list[tuple[str, str]] = []  # (carrier, waybill) this bench linked, not yet handed over
        self._total = cfg.benches * cfg.per_bench

    # -- scanning

    def scan(self, code: str) -> Outcome:
        from app.packing.workflow import DB_UNREACHABLE

        if self.cfg.stop_after is not None and self.counts.sent >= self.cfg.stop_after:
            raise _Stop
        self.counts.sent += 1
        t0 = time.perf_counter()
        out = self.flow.handle(code)
        self._latencies.append(time.perf_counter() - t0)
        if out.kind == "offline":
            self.counts.offline += 1
        else:
            self._kinds[out.kind] += 1
            self.counts.accepted += out.accepted
            self.counts.refused += not out.accepted
            printed = out.message.template != DB_UNREACHABLE.template
            if out.accepted and printed:
                if out.kind == "weight" or (out.kind == "command" and code == "CMD:CLOSE"):
                    self.counts.prints += 1
                elif out.kind == "command" and code == "CMD:REPRINT":
                    self.counts.reprints += 1
        if self.cfg.progress:
            print(f"scan {self.counts.sent} {out.view.step}", flush=True)
        return out

    def login(self) -> Outcome:
        out = self.scan(badge(self.cfg.bench))
        if out.view.step == Step.PIN:
            out = self.scan(PIN)
        if not self.flow.logged_in:
            raise BenchCrashed(f"login refused: {out.message.render()}")
        return out

    # -- the shift

    def run(self) -> BenchCounts:
        self.counts.started = time.time()
        try:
            self.login()
            self.finish_open_work()
            own = bench_orders(self.cfg.bench, self.cfg.per_bench, self.cfg.seed)
            neighbour = bench_orders((self.cfg.bench + 1) % self.cfg.benches, self.cfg.per_bench, self.cfg.seed)
            retry: list[int] = []
            since_handover = 0
            for position, index in enumerate(own):
                if self.rng.random() < self.cfg.p_steal:
                    # Race the neighbour for the order it is about to scan.
                    near = neighbour[min(len(neighbour) - 1, position + self.rng.randint(0, 2))]
                    since_handover += self.pack(near, retry)
                since_handover += self.pack(index, retry)
                if since_handover >= self.cfg.handover_every:
                    self.handover()
                    since_handover = 0
            for index in retry:
                self.pack(index, [])
            self.handover()
            self.scan("CMD:LOGOUT")
        except _Stop:
            pass
        self.counts.finished = time.time()
        self.counts.by_kind = dict(self._kinds)
        if self._latencies:
            ordered = sorted(self._latencies)
            self.counts.latency_ms = {
                "p50": round(1000 * ordered[len(ordered) // 2], 2),
                "p99": round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
                "max": round(1000 * ordered[-1], 2),
            }
            self.counts.samples_ms = [round(1000 * x, 3) for x in self._latencies]
        return self.counts

    def finish_open_work(self) -> None:
        """After a login: finish the order or the handover this bench was in (a resumed shift)."""
        step = self.flow.last_view.step
        if step in ORDER_STEPS:
            order = self.flow.last_view.order
            assert order is not None
            self.work_order(order_index(order.order_no), [])
        elif step == Step.HANDOVER:
            self.close_handover()

    def pack(self, index: int, retry: list[int]) -> int:
        """Scan order ``index`` and, if this bench gets it, pack it. Returns 1 if it was packed."""
        out = self.scan(order_no(index))
        if out.view.step not in ORDER_STEPS:
            return 0  # packed, handed over or held by another bench: a clear refusal
        return self.work_order(index, retry)

    def work_order(self, index: int, retry: list[int]) -> int:
        cfg, rng = self.cfg, self.rng
        cancelled = logged_out = False
        for _ in range(200):
            view = self.flow.last_view
            order = view.order
            if view.step not in ORDER_STEPS or order is None:
                raise BenchCrashed(f"{order_no(index)} left the order steps unexpectedly at {view.step}")
            if rng.random() < cfg.p_garbage:
                self.scan(rng.choice(["\x1b[A", "x" * 300, "DROP TABLE orders;--", "\u2603"]))
            if view.step == Step.VERIFY:
                if not cancelled and rng.random() < cfg.p_cancel:
                    self.scan("CMD:CANCEL")
                    retry.append(index)
                    return 0
                if not logged_out and rng.random() < cfg.p_logout:
                    logged_out = True
                    self.scan("CMD:LOGOUT")
                    out = self.login()  # "Welcome back: order resumed"
                    if out.view.order is None or out.view.order.order_no != order.order_no:
                        raise BenchCrashed(f"{order.order_no} was not resumed after a login")
                    continue
                if rng.random() < cfg.p_wrong_item:
                    theirs = {line.barcode for line in order.lines}
                    wrong = [f"{ITEM_PREFIX}{s}" for s, _ in PRODUCTS if f"{ITEM_PREFIX}{s}" not in theirs]
                    if wrong:
                        self._expect_refused(self.scan(rng.choice(wrong)))
                done = [line for line in order.lines if line.complete]
                if done and rng.random() < cfg.p_over_scan:
                    self._expect_refused(self.scan(rng.choice(done).barcode))
                todo = [line for line in order.lines if not line.complete]
                self.scan(rng.choice(todo).barcode)
            elif view.step == Step.BOX:
                if rng.random() < cfg.p_over_scan:
                    self._expect_refused(self.scan(order.lines[0].barcode))
                self.scan(rng.choice(["BOX-S", "BOX-M", "BOX-L"]))
            elif view.step == Step.WEIGHT:
                expected = order.expected_weight_g or 0
                if rng.random() < cfg.p_wrong_weight:
                    self._expect_refused(self.scan(f"{expected * 3 + 500}g"))
                self.scan(f"{expected}g" if rng.random() < 0.5 else f"{expected / 1000:.3f}kg")
            elif view.step == Step.LABEL:
                self.scan("CMD:REPRINT")
            else:  # WAYBILL
                if rng.random() < cfg.p_reprint:
                    self.scan("CMD:REPRINT")
                if rng.random() < cfg.p_foreign_waybill:
                    # A label that carries another order's number (maybe already linked elsewhere).
                    other = rng.randint(1, self._total)
                    out = self.scan(waybill_for(other) if other != index else waybill_for(other + 1))
                    if out.accepted:
                        self._linked(order.carrier_code, waybill_for(other))
                        return 1
                number = order.preassigned_waybill or waybill_for(index)
                out = self.scan(number)
                if not out.accepted and order.preassigned_waybill is None and self.flow.last_view.step == Step.WAYBILL:
                    number = spare_waybill_for(index)  # our label's number was taken: a new label
                    out = self.scan(number)
                if out.accepted:
                    self._linked(order.carrier_code, number)
                    return 1
                raise BenchCrashed(f"{order.order_no}: waybill {number} refused: {out.message.render()}")
        raise BenchCrashed(f"{order_no(index)} did not finish in 200 scans")

    def _linked(self, carrier: str, number: str) -> None:
        self.counts.packed += 1
        self.linked.append((carrier, number))

    def _expect_refused(self, out: Outcome) -> None:
        if out.accepted and out.kind != "offline":
            raise BenchCrashed(f"a wrong scan was accepted: {out.raw!r} -> {out.message.render()}")

    def handover(self) -> None:
        """Hand this bench's ZTO parcels to the courier (plus a neighbour's, and a wrong one)."""
        if not self.linked:
            return
        out = self.scan("CMD:HANDOVER")
        if out.view.step != Step.HANDOVER:
            return
        zto = [n for c, n in self.linked if c == "ZTO"]
        others = [n for c, n in self.linked if c != "ZTO"]
        for number in zto:
            self.scan(number)
        if others:
            self.scan(others[0])  # another carrier: refused, it stays for its own courier
        if self.rng.random() < 0.5:
            self.scan(waybill_for(self.rng.randint(1, self._total)))  # someone else's parcel, or none
        self.close_handover()
        self.linked = [(c, n) for c, n in self.linked if c != "ZTO"]

    def close_handover(self) -> None:
        out = self.scan("CMD:CLOSE")
        if out.accepted:
            self.counts.handed_over += 1
        elif self.flow.last_view.step == Step.HANDOVER:
            self.scan("CMD:CANCEL")  # empty manifest: leave it open for later


class _Stop(Exception):
    pass


def run_bench(url: str | None, cfg: BenchConfig, link=None) -> BenchCounts:
    """One bench on the database ``url``, or through the PackGate server of ``link`` (a ServerLink)."""
    if link is not None:
        from app.client.remote import RemoteBench

        remote = RemoteBench(link, NullPrinter(), timeout=60)
        try:
            return BenchDriver(None, cfg, bench=remote).run()
        finally:
            remote.close()
    assert url is not None
    services = bootstrap(url, Settings(station=station(cfg.bench), printer="loadtest:"))
    services.set_printer(NullPrinter())
    try:
        return BenchDriver(services, cfg).run()
    finally:
        services.close()


# ---------------------------------------------------------------------------------- servers

SERVER_ENV = "PACKGATE_LOAD_SERVER"  # a bench process that scans through a server: its URL ...
TOKEN_ENV = "PACKGATE_LOAD_TOKEN"  # ... and its station token (a secret: never in argv)
SERVER_READY_S = 60


@dataclass
class LoadServer:
    url: str
    proc: subprocess.Popen


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_servers(url: str, count: int, home: Path) -> list[LoadServer]:
    """``count`` real ``packgate serve`` processes on loopback ports, all on the database ``url``
    (in the environment, not argv), each ready to answer when this returns."""
    import httpx

    env = {**os.environ, "PACKGATE_DB": url, "PACKGATE_HOME": str(home), "PYTHONPATH": str(REPO_ROOT)}
    servers = []
    try:
        for _ in range(count):
            port = free_port()
            proc = subprocess.Popen([sys.executable, str(REPO_ROOT / "main.py"), "serve", "--listen", f"127.0.0.1:{port}",
                                     "--no-sender"], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
            servers.append(LoadServer(f"http://127.0.0.1:{port}", proc))
        for server in servers:
            deadline = time.monotonic() + SERVER_READY_S
            while True:
                if server.proc.poll() is not None:
                    raise RuntimeError(f"server {server.url} exited: {server.proc.stderr.read()[-2000:]}")
                try:
                    if httpx.get(f"{server.url}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server {server.url} not ready within {SERVER_READY_S} s")
                time.sleep(0.05)  # polling a starting process: there is no signal to await
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: Sequence[LoadServer]) -> list[str]:
    """Stop them; what a server logged as a traceback comes back as a failure."""
    failures = []
    for server in servers:
        if server.proc.poll() is None:
            server.proc.terminate()
        try:
            _out, err = server.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            _out, err = server.proc.communicate()
        if err and "Traceback" in err:
            failures.append(f"server {server.url} logged a traceback: {err.strip()[-2000:]}")
    return failures


def enrol_benches(services: Services, servers: Sequence[LoadServer], benches: int) -> list:
    """Each bench enrolled as a station; bench ``b`` talks to server ``b % len(servers)``."""
    from app.client.remote import enrol
    from app.server.stations import add_station

    return [enrol(servers[b % len(servers)].url, station(b), add_station(services, station(b))) for b in range(benches)]


# ---------------------------------------------------------------------------------- checking


def _rows(conn, sql: str) -> list:
    return list(conn.execute(text(sql)).all())


def check(services: Services, counts: Sequence[BenchCounts | dict] | None = None) -> list[str]:
    """Every violation of PackGate's promises found in the database (an empty list is a pass).

    With ``counts`` (what the benches sent), also compare the audit trail with the scans sent.
    """
    problems: list[str] = []
    with services.engine.connect() as conn:
        def expect_none(label: str, sql: str) -> None:
            rows = _rows(conn, sql)
            if rows:
                problems.append(f"{label}: {len(rows)} rows, e.g. {[tuple(r) for r in rows[:3]]}")

        expect_none("order packed more than once (two accepted waybill scans completing it)",
                    "SELECT order_id, count(*) FROM scan_events WHERE kind = 'waybill' AND accepted "
                    "AND message LIKE '%complete%' GROUP BY order_id HAVING count(*) > 1")
        problems += violations(conn)  # the product's own promises (app/models/integrity.py)
        problems += _scanned_matches_audit(conn)
        if counts is not None:
            problems += _events_match_counts(conn, counts)
    return problems


def _scanned_matches_audit(conn) -> list[str]:
    """For each order: sum(scanned) == accepted item scans since the order was last released."""
    events = conn.execute(text(
        "SELECT order_id, kind, message FROM scan_events WHERE order_id IS NOT NULL AND accepted "
        "AND kind IN ('item', 'command') ORDER BY id")).all()
    audited: Counter[int] = Counter()
    for order_id, kind, message in events:
        if kind == "item":
            audited[order_id] += 1
        elif " released" in message:
            audited[order_id] = 0
    scanned = dict(conn.execute(text("SELECT order_id, sum(scanned) FROM order_lines GROUP BY order_id")).all())
    bad = [(oid, int(scanned.get(oid) or 0), n) for oid, n in audited.items() if int(scanned.get(oid) or 0) != n]
    bad += [(oid, int(n), 0) for oid, n in scanned.items() if n and oid not in audited]
    return [f"scanned units differ from accepted item scans: {len(bad)} orders, e.g. {bad[:3]}"] if bad else []


def _events_match_counts(conn, counts: Sequence[BenchCounts | dict]) -> list[str]:
    rows = [c if isinstance(c, dict) else asdict(c) for c in counts]
    stations = [r["station"] for r in rows]
    by_kind = Counter()
    for kind, n in conn.execute(text(
            "SELECT e.kind, count(*) FROM scan_events e JOIN stations s ON s.id = e.station_id "
            "WHERE s.name IN :names GROUP BY e.kind").bindparams(_in_param("names")), {"names": stations}).all():
        by_kind[kind] = int(n)
    problems = []
    scans = sum(n for k, n in by_kind.items() if k not in PRINT_KINDS)
    sent = sum(r["sent"] - r["offline"] for r in rows)
    if scans != sent:
        problems.append(f"audit events {scans} != scans sent {sent} (minus offline refusals)")
    sent_kinds = Counter()
    for r in rows:
        sent_kinds.update(r["by_kind"])
    for kind in set(sent_kinds) | {k for k in by_kind if k not in PRINT_KINDS}:
        if sent_kinds[kind] != by_kind[kind]:
            problems.append(f"audit events of kind {kind!r}: {by_kind[kind]} != {sent_kinds[kind]} sent")
    for kind, key in (("print", "prints"), ("reprint", "reprints")):
        expected = sum(r[key] for r in rows)
        if by_kind[kind] != expected:
            problems.append(f"{kind} events {by_kind[kind]} != {expected} expected from accepted scans")
    return problems


def _in_param(name: str):
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)


def order_summary(services: Services) -> dict[str, int]:
    with services.engine.connect() as conn:
        return {state: int(n) for state, n in conn.execute(
            select(Order.state, func.count()).group_by(Order.state)).all()}


# ---------------------------------------------------------------------------------- many benches


@dataclass
class LoadResult:
    counts: list[dict]
    problems: list[str]
    seconds: float  # from the first scan of any bench to the last scan of all
    scans: int
    states: dict[str, int]
    failures: list[str]  # bench processes that crashed (exit code, last stderr lines)
    servers: int = 0  # PackGate server processes the benches scanned through (0: straight to the database)

    @property
    def scans_per_second(self) -> float:
        return self.scans / self.seconds if self.seconds else 0.0

    def latency(self, q: float) -> float:
        """The ``q`` quantile (0.5, 0.99) of every scan's latency over all benches, in ms."""
        samples = sorted(x for c in self.counts for x in c.get("samples_ms", ()))
        return samples[min(len(samples) - 1, int(q * len(samples)))] if samples else 0.0


def bench_command(cfg: BenchConfig) -> list[str]:
    cmd = [sys.executable, "-m", "bench.loadtest", "bench", "--bench", str(cfg.bench), "--benches", str(cfg.benches),
           "--per-bench", str(cfg.per_bench), "--seed", str(cfg.seed)]
    if cfg.stop_after is not None:
        cmd += ["--stop-after", str(cfg.stop_after)]
    if cfg.progress:
        cmd.append("--progress")
    return cmd


def start_bench(url: str, cfg: BenchConfig, link=None, **popen) -> subprocess.Popen:
    """Start one bench process. The URL travels in the environment (PACKGATE_DB), not in argv; with
    ``link`` the bench scans through that server and is given no database at all."""
    env = {**os.environ, "PACKGATE_DB": url, "PYTHONPATH": str(REPO_ROOT)}
    if link is not None:
        del env["PACKGATE_DB"]
        env[SERVER_ENV], env[TOKEN_ENV] = link.server, link.token
    return subprocess.Popen(bench_command(cfg), cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def run_load(url: str, benches: int, per_bench: int, seed: int = 1, timeout: float = 600,
             setup_first: bool = True, servers: int = 0, **overrides) -> LoadResult:
    """The benches as processes on the database ``url``; with ``servers`` > 0 they scan through that
    many ``packgate serve`` processes on it instead (spread over them) and never see the database."""
    services = bootstrap(url, Settings(printer="loadtest:"))
    running: list[LoadServer] = []
    failures: list[str] = []
    home: Path | None = None
    try:
        if setup_first:
            setup(services, benches, per_bench, seed)
        links: list = [None] * benches
        if servers:
            home = Path(tempfile.mkdtemp(prefix="packgate-load-home-"))
            running = start_servers(url, servers, home)
            links = enrol_benches(services, running, benches)
        procs = [start_bench(url, BenchConfig(bench=b, benches=benches, per_bench=per_bench, seed=seed, **overrides),
                             links[b])
                 for b in range(benches)]
        counts = []
        deadline = time.monotonic() + timeout
        for b, proc in enumerate(procs):
            try:
                out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                failures.append(f"bench {b} timed out")
                continue
            if proc.returncode != 0:
                failures.append(f"bench {b} exited {proc.returncode}: {err.strip()[-2000:]}")
                continue
            if "Traceback" in err:
                failures.append(f"bench {b} logged a traceback: {err.strip()[-2000:]}")
            counts.append(json.loads(out.strip().splitlines()[-1]))
        failures += stop_servers(running)
        running = []
        problems = check(services, counts)
        states = order_summary(services)
    finally:
        stop_servers(running)
        services.close()
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)
    seconds = (max(c["finished"] for c in counts) - min(c["started"] for c in counts)) if counts else 0.0
    return LoadResult(counts, problems, seconds, sum(c["sent"] for c in counts), states, failures, servers)


# ---------------------------------------------------------------------------------- command line


def _db_url(args) -> str:
    url = args.db or os.environ.get("PACKGATE_DB")
    if not url:
        raise SystemExit("bench.loadtest: give --db URL or set PACKGATE_DB")
    return url


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default $PACKGATE_DB); no password in it: use $PGPASSWORD")
    sub = parser.add_subparsers(dest="what", required=True)
    for name in ("setup", "bench", "check", "run"):
        p = sub.add_parser(name)
        p.add_argument("--benches", type=int, default=4)
        p.add_argument("--per-bench", type=int, default=40)
        p.add_argument("--seed", type=int, default=1)
        if name == "bench":
            p.add_argument("--bench", type=int, required=True, help="this bench's number, 0 .. benches-1")
            p.add_argument("--stop-after", type=int, help="stop after this many scans")
            p.add_argument("--progress", action="store_true", help="print a line per scan")
            p.add_argument("--out", help="write the counts as JSON here too")
        if name == "check":
            p.add_argument("counts", nargs="*", help="JSON files written by the benches")
    args = parser.parse_args(argv)
    if args.what == "bench":
        cfg = BenchConfig(bench=args.bench, benches=args.benches, per_bench=args.per_bench, seed=args.seed,
                          stop_after=args.stop_after, progress=args.progress)
        link = None
        if os.environ.get(SERVER_ENV):  # through the PackGate server: no database here
            from app.client.remote import ServerLink

            link = ServerLink(os.environ[SERVER_ENV], station(cfg.bench), os.environ[TOKEN_ENV])
        counts = json.dumps(asdict(run_bench(None if link else _db_url(args), cfg, link)))
        if args.out:
            Path(args.out).write_text(counts + "\n", encoding="utf-8")
        print(counts, flush=True)
        return 0
    url = _db_url(args)
    if args.what == "run":
        result = run_load(url, args.benches, args.per_bench, args.seed)
        print(json.dumps({"scans": result.scans, "seconds": round(result.seconds, 2),
                          "scans_per_second": round(result.scans_per_second, 1), "states": result.states,
                          "problems": result.problems, "failures": result.failures}, indent=2))
        return 1 if (result.problems or result.failures) else 0
    services = bootstrap(url, Settings(printer="loadtest:"))
    try:
        if args.what == "setup":
            print(json.dumps(setup(services, args.benches, args.per_bench, args.seed)))
            return 0
        counts = [json.loads(Path(f).read_text(encoding="utf-8")) for f in args.counts]
        problems = check(services, counts or None)
    finally:
        services.close()
    for problem in problems:
        print(problem)
    print(f"{len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
