"""Scan latency of the live station window on 1,000,000 orders (not a test; prints figures).

Run: ``.venv/bin/python bench/bench_scan_latency.py [--with-video] [--no-startup]`` (offscreen; the database is built once, ~1 min,
and cached in bench/out/). It feeds 1,000 scans as key events through the app-wide scan filter
into a live StationWindow and times each from the scan's last key (Enter) to the banner painting
the outcome. Labels go to a stand-in printer: the figure is the scan path (filter, worker thread,
workflow and SQLite commit, render), not the printer; each run also splits it into the workflow's
own time on the worker (``handle``: decide, commit, print) and the window's (the rest). It also
starts the window in a fresh process and a bare PySide6 QMainWindow in another one, and prints both
times to ready-for-scan.
``--with-video`` runs the scans with the packing video recording too (``--camera test``, 720p15:
recorder process, one clip per order, its index rows in the same SQLite file), beside the figure
without it from the same run: ``--rounds N`` (3) alternate runs without and with recording, each a
fresh window and 1,000 scans, and the medians of the runs' p50 and p99 are compared (ratios). With
recording it also prints the recorder process's CPU (Linux /proc), the clips it wrote, and the UI
thread's own time in the video controller (preview frames, events, the marks sent per scan).
``--no-index`` records without the clip index (to tell its SQLite writes from the rest);
``--gap-ms N`` leaves N ms between scans, the window running its event loop (a packer's scans are
seconds apart; 0, the default, scans back to back).
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
DB = OUT / "scan-latency-1m.db"
ORDERS = 1_000_000
SCANS = 1_000
STATION = "BENCH-LAT"


# The offscreen platform prints this at every window's show() (dozens a run): noise, not a finding.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def quiet_offscreen_noise() -> None:
    """Drop exactly OFFSCREEN_NOISE from Qt's messages; every other one still goes to stderr as Qt
    prints it (or to the handler installed before)."""
    from PySide6.QtCore import qFormatLogMessage, qInstallMessageHandler

    def handler(mode, context, message: str) -> None:
        if message == OFFSCREEN_NOISE:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            sys.stderr.write(qFormatLogMessage(mode, context, message) + "\n")

    previous = qInstallMessageHandler(handler)


def build_db() -> None:
    """Migrated schema + demo data through the app, then 1M orders (and their lines) by raw SQL."""
    from app.bootstrap import bootstrap
    from app.config import Settings
    from app.demo import seed_demo

    OUT.mkdir(parents=True, exist_ok=True)
    tmp = DB.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    services = bootstrap(f"sqlite:///{tmp}", Settings(station=STATION))
    seed_demo(services)
    services.close()
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA journal_mode=MEMORY")
    product_ids = [row[0] for row in con.execute("SELECT id FROM products ORDER BY id")]
    first = con.execute("SELECT COALESCE(MAX(id), 0) FROM orders").fetchone()[0] + 1
    stamp = "2026-11-25 01:00:00.000000"
    carriers = ("ZTO", "YTO", "STO", "YUNDA", "JT")
    with con:
        con.executemany(
            "INSERT INTO orders (id, order_no, platform, carrier_code, recipient_name, recipient_phone,"
            " recipient_address, note, created_at, imported_at, state, hold_reason)"
            " VALUES (?, ?, 'bench', ?, '张三', '13800138000', '浙江省杭州市西湖区文三路 138 号', '', ?, ?, 'ready', '')",
            ((first + i, f"BN-{i:07d}", carriers[i % 5], stamp, stamp) for i in range(ORDERS)),
        )
        con.executemany(
            "INSERT INTO order_lines (order_id, product_id, quantity, scanned) VALUES (?, ?, 1, 0)",
            ((first + i, product_ids[i % len(product_ids)]) for i in range(ORDERS)),
        )
    con.execute("ANALYZE")
    con.close()
    tmp.replace(DB)
    print(f"built {DB.name}: {ORDERS:,} orders in {time.perf_counter() - started:.1f} s")


def child_bare() -> None:
    """A bare PySide6 window: the floor for start-up time."""
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    win = QMainWindow()
    win.setWindowTitle("bare")
    win.show()
    app.processEvents()
    print(_process_age())


def child_station() -> None:
    """What ``packgate gui`` does up to ready-for-scan, on the 1M-order database."""
    from PySide6.QtWidgets import QApplication

    from app.bootstrap import bootstrap
    from app.config import Settings
    from app.ui.sounds import RecordingSounds
    from app.ui.station_window import StationWindow

    app = QApplication([])
    services = bootstrap(f"sqlite:///{DB}", Settings(station=STATION))
    win = StationWindow(services, STATION, sounds=RecordingSounds())
    win.show()
    app.processEvents()
    print(_process_age())
    win.close()
    services.close()


def _process_age() -> float:
    from app.ui.app import process_age_s

    age = process_age_s()
    assert age is not None, "needs Linux /proc"
    return age


def start_times(runs: int = 5) -> tuple[float, float]:
    def median_of(mode: str) -> float:
        values = []
        for _ in range(runs):
            out = subprocess.run([sys.executable, __file__, mode], capture_output=True, text=True, check=True,
                                 env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
            values.append(float(out.stdout.strip().splitlines()[-1]))
        return statistics.median(values)

    return median_of("--child-bare"), median_of("--child-station")


def scans_for_orders(order_nos: list[str], barcode_of, weights, first_waybill: int) -> list[str]:
    """Order, item, box, weight, waybill (a fresh valid ZTO number): five scans per order."""
    scans = []
    for n, order_no in enumerate(order_nos):
        scans += [order_no, barcode_of[order_no], "BOX-S", f"{weights[order_no]}g", f"75{first_waybill + n:012d}"]
    return scans


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Timed:
    """Wraps a method of the video controller: the UI thread's time in it, per call."""

    def __init__(self, obj, name: str) -> None:
        self.calls, self.total, self.worst = 0, 0.0, 0.0
        inner = getattr(obj, name)

        def timed(*args):
            t0 = time.perf_counter()
            try:
                return inner(*args)
            finally:
                took = time.perf_counter() - t0
                self.calls += 1
                self.total += took
                self.worst = max(self.worst, took)

        setattr(obj, name, timed)

    def __str__(self) -> str:
        mean = self.total / self.calls * 1000 if self.calls else 0.0
        return f"{self.calls} calls, mean {mean:.2f} ms, max {self.worst * 1000:.1f} ms"


def measure_latency(camera: str | None = None, stats: dict | None = None) -> list[float]:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.bootstrap import bootstrap
    from app.config import Settings
    from app.ui.sounds import RecordingSounds
    from app.ui.station_window import StationWindow

    app = QApplication.instance() or QApplication([])
    services = bootstrap(f"sqlite:///{DB}", Settings(station=STATION))
    services.set_printer(_NullPrinter())
    # Fresh ready orders each run: pick ZTO orders this bench has never touched.
    con = sqlite3.connect(DB)
    last = con.execute("SELECT MAX(waybill) FROM orders WHERE waybill LIKE '75%' AND length(waybill) = 14").fetchone()[0]
    next_waybill = int(last[2:]) + 1 if last else 0
    count = SCANS // 5
    rows = con.execute(
        "SELECT o.order_no, b.barcode, p.unit_weight_g FROM orders o JOIN order_lines l ON l.order_id = o.id"
        " JOIN products p ON p.id = l.product_id JOIN product_barcodes b ON b.product_id = p.id"
        " WHERE o.state = 'ready' AND o.carrier_code = 'ZTO' AND o.order_no LIKE 'BN-%'"
        " GROUP BY o.id ORDER BY o.id LIMIT ?", (count,)).fetchall()
    tare = con.execute("SELECT tare_g FROM box_types WHERE code = 'BOX-S'").fetchone()[0]
    con.close()
    barcode_of = {r[0]: r[1] for r in rows}
    weights = {r[0]: r[2] + tare for r in rows}
    scans = scans_for_orders([r[0] for r in rows], barcode_of, weights, first_waybill=next_waybill)

    win = StationWindow(services, STATION, sounds=RecordingSounds())
    # The workflow's own share of each scan (decide, commit, print, on the worker thread): the rest of
    # the figure is the window's (scan filter, the hops to the worker and back, render, paint).
    workflow_ms: list[float] = []
    handle = win.workflow.handle

    def timed_handle(raw: str):
        t0 = time.perf_counter()
        try:
            return handle(raw)
        finally:
            workflow_ms.append((time.perf_counter() - t0) * 1000)

    win.workflow.handle = timed_handle
    evidence = None
    if camera:  # the packing video on, as `gui --camera test` does (720p15, recorder process)
        from app.evidence.commands import CameraState
        from app.ui.evidence.controller import EvidenceController

        services.settings.evidence_dir = str(OUT / "evidence")
        services.settings.video_tail_seconds = 0.5
        from app.evidence.commands import ClipEnded

        evidence = EvidenceController(win, services, STATION, camera=camera)
        if "--no-index" in sys.argv:  # to tell the clip index's writes (same SQLite file) from the rest
            from dataclasses import replace

            evidence.config = replace(evidence.config, db_url=None)
        ready, clips = [], []
        evidence.event.connect(lambda e: ready.append(e) if isinstance(e, CameraState) and e.ok else None)
        evidence.event.connect(lambda e: clips.append(e) if isinstance(e, ClipEnded) else None)
        # The controller's own slots, timed where the window calls them (connected after this).
        win.outcome_shown.disconnect(evidence.on_outcome)
        polls, outcomes = _Timed(evidence, "poll"), _Timed(evidence, "on_outcome")
        sends = _Timed(evidence, "_flush_outbox")  # the commands put on the recorder's queue, after the banner
        win.outcome_shown.connect(evidence.on_outcome)
        evidence.timer.timeout.disconnect()
        evidence.timer.timeout.connect(evidence.poll)
        evidence.start()
        while not ready:
            app.processEvents()
            time.sleep(0.01)
        cpu0, wall0 = cpu_seconds(evidence.recorder.process.pid), time.monotonic()
    win.show()
    app.processEvents()
    painted = {"at": 0.0}
    win.banner.painted.connect(lambda: painted.__setitem__("at", time.perf_counter()))
    loop = QEventLoop()
    win.banner.painted.connect(loop.quit)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)

    def scan(code: str) -> float:
        QTest.keyClicks(win, code)
        painted["at"] = 0.0
        t0 = time.perf_counter()
        QTest.keyClick(win, Qt.Key.Key_Return)
        if not painted["at"]:
            deadline.start(10_000)
            loop.exec()
            deadline.stop()
        assert painted["at"], f"no banner for {code}"
        return (painted["at"] - t0) * 1000

    scan("P-1001")
    del workflow_ms[:]
    refused: list[str] = []
    latencies = []
    gap_s = float(sys.argv[sys.argv.index("--gap-ms") + 1]) / 1000 if "--gap-ms" in sys.argv else 0.0
    for code in scans:
        latencies.append(scan(code))
        idle_until = time.perf_counter() + gap_s  # the packer's hand between two scans (0: none)
        while time.perf_counter() < idle_until:
            app.processEvents()
            time.sleep(0.001)
        if win.banner.level.value == "refused":
            refused.append(f"{code}: {win.banner.text()}")
    if stats is not None and len(workflow_ms) >= len(latencies):
        stats["workflow"] = workflow_ms[:len(latencies)]
        stats["window"] = [total - own for total, own in zip(latencies, workflow_ms, strict=False)]
    scan("CMD:LOGOUT")
    if evidence is not None:
        pid = evidence.recorder.process.pid
        cpu = 100 * (cpu_seconds(pid) - cpu0) / (time.monotonic() - wall0)
        deadline_at = time.monotonic() + 10
        while len(clips) < len(rows) and time.monotonic() < deadline_at:  # the last clip's tail
            app.processEvents()
            time.sleep(0.01)
        if stats is not None:
            stats.update(cpu=cpu, clips=len(clips), poll=str(polls), outcome=str(outcomes), sends=str(sends))
        evidence.stop()
    win.close()
    services.close()
    print(f"{len(latencies)} scans, {len(refused)} refused, {len(rows)} orders")
    for line in refused[:3]:
        print("  refused:", line)
    return latencies


class _NullPrinter:
    spec = "bench:"

    def print_label(self, label):
        from app.printing.base import PrintJob

        return PrintJob(f"bench label {label.order_no}")

    def print_manifest(self, manifest):
        from app.printing.base import PrintJob

        return PrintJob("bench manifest")


def _p50_p99(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def main() -> None:
    os.environ.setdefault("PACKGATE_HOME", str(OUT / "home"))
    quiet_offscreen_noise()
    if not DB.exists():
        build_db()
    else:
        print(f"reusing {DB.relative_to(ROOT)}")
    video = "--with-video" in sys.argv
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else (3 if video else 1)
    figures: dict[str, list[tuple[float, float]]] = {"off": [], "on": []}
    cpus = []
    for n in range(rounds):
        for name, camera in (("off", None), ("on", "test")) if video else (("off", None),):
            stats: dict = {}
            load = os.getloadavg()[0]
            latencies = sorted(measure_latency(camera, stats))
            p50 = statistics.median(latencies)
            p99 = latencies[int(len(latencies) * 0.99) - 1]
            figures[name].append((p50, p99))
            extra = ""
            if "workflow" in stats:
                extra += "; of which the workflow on the worker (decide, commit, print) p50 {:.1f} ms, p99 {:.1f} ms;" \
                         " the window (filter, hops, render, paint) p50 {:.1f} ms, p99 {:.1f} ms".format(
                             *_p50_p99(stats["workflow"]), *_p50_p99(stats["window"]))
            if "cpu" in stats:
                cpus.append(stats["cpu"])
                extra += (f"; recorder CPU {stats['cpu']:.0f} % of one core, {stats['clips']} clips;"
                         f" UI thread in the video controller: poll {stats['poll']}; per scan {stats['outcome']},"
                         f" then after the banner {stats['sends']}")
            print(f"round {n + 1}, recording {name} (load average {load:.1f}): p50 {p50:.1f} ms, p99 {p99:.1f} ms,"
                  f" max {latencies[-1]:.1f} ms{extra}")
    for name, label in (("off", "recording off"), ("on", "recording on (--camera test, 720p15)")):
        if figures[name]:
            p50 = statistics.median(f[0] for f in figures[name])
            p99 = statistics.median(f[1] for f in figures[name])
            print(f"scan -> banner painted, {label}, median of {len(figures[name])} runs: p50 {p50:.1f} ms "
                  f"(target < 16), p99 {p99:.1f} ms (target < 33)")
    if video:
        on50, on99 = (statistics.median(f[i] for f in figures["on"]) for i in (0, 1))
        off50, off99 = (statistics.median(f[i] for f in figures["off"]) for i in (0, 1))
        print(f"recording on / off: p50 x{on50 / off50:.2f} ({on50 - off50:+.1f} ms), p99 x{on99 / off99:.2f} "
              f"({on99 - off99:+.1f} ms); recorder CPU median {statistics.median(cpus):.0f} % of one core")
    if "--no-startup" in sys.argv:
        return
    bare, station = start_times()
    print(f"start to ready-for-scan (median of 5, from process start): station window {station:.3f} s "
          f"(target < 1 s), bare PySide6 QMainWindow {bare:.3f} s")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-bare":
        child_bare()
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-station":
        os.environ.setdefault("PACKGATE_HOME", str(OUT / "home"))
        child_station()
    else:
        main()
