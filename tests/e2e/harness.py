"""Drive the real PackGate program in a real X window: Xvfb, xdotool, and the test database.

Shared by the end-to-end tests (``tests/e2e``) and ``scripts/screenshots.py``; it imports neither
pytest nor Qt. The program runs as a separate process, so the only signals it can give us are what
it writes: rows in the database (every scan is one committed ``scan_events`` row) and files in the
PDF printer's folder. :func:`poll` waits for those with a deadline.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 1280, 900
WINDOW_TIMEOUT_S = 30.0  # cold start: Qt, migrations and demo data on a fresh database
EFFECT_TIMEOUT_S = 10.0  # one scan: key events -> worker -> one commit
POLL_INTERVAL_S = 0.02
TOOLS = ("Xvfb", "xdotool")
# Everything that can pick the UI language; the child gets only LANG.
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# Print jobs are audited too, but they are not scans.
NOT_SCANS = ("print", "reprint")

T = TypeVar("T")


class E2EError(AssertionError):
    """Something the program should have done did not happen in time."""


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def poll(what: str, probe: Callable[[], T | None], timeout: float = EFFECT_TIMEOUT_S,
         on_timeout: Callable[[], str] | None = None) -> T:
    """Return ``probe()``'s first truthy result, checking every 20 ms until ``timeout``.

    The program is another process: it has no Qt signal we could wait on, so this bounded poll of
    what it commits (database rows, printed files) is the waiting primitive. It returns as soon as
    the effect is there, so the interval only costs up to 20 ms per wait.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            extra = on_timeout() if on_timeout else ""
            raise E2EError(f"timed out after {timeout:.0f} s waiting for {what}{extra}")
        time.sleep(POLL_INTERVAL_S)


# ---------------------------------------------------------------------------------------- X server


class XServer:
    """A private Xvfb on a free display number (``-displayfd``: the server picks it, no races)."""

    def __init__(self, width: int = WIDTH, height: int = HEIGHT, timeout: float = 15.0) -> None:
        read_fd, write_fd = os.pipe()
        try:
            self.process = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
                 "-nolisten", "tcp", "-noreset"],
                pass_fds=(write_fd,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, start_new_session=True,
            )
        finally:
            os.close(write_fd)
        try:
            # Xvfb writes the display number to the pipe once it accepts connections: that line is
            # the readiness signal, no polling of xdpyinfo needed.
            number = b""
            deadline = time.monotonic() + timeout
            with os.fdopen(read_fd, "rb", buffering=0) as pipe:
                while not number.endswith(b"\n"):
                    left = deadline - time.monotonic()
                    ready, _, _ = select.select([pipe], [], [], max(left, 0))
                    chunk = pipe.read(16) if ready else b""
                    if not chunk:
                        err = self.process.stderr.read().decode(errors="replace") if self.process.poll() is not None else ""
                        raise RuntimeError(f"Xvfb did not start within {timeout:.0f} s: {err.strip()}")
                    number += chunk
        except BaseException:
            self.stop()
            raise
        self.display = f":{int(number)}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DISPLAY"] = self.display
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def xdotool(self, *args: str, timeout: float = 10.0, check: bool = True) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env(), capture_output=True, text=True,
                              timeout=timeout)
        if check and done.returncode != 0:
            raise E2EError(f"xdotool {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
        return done.stdout

    def screenshot(self, path: Path) -> Path:
        """The whole screen as a PNG (Pillow's XCB grab: no ImageMagick or x11-apps needed)."""
        from PIL import ImageGrab

        path.parent.mkdir(parents=True, exist_ok=True)
        ImageGrab.grab(xdisplay=self.display).save(path)
        return path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()


# ---------------------------------------------------------------------------------------- the database


class BenchDb:
    """Read-only view of the program's SQLite database (autocommit: each query sees the last commit)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            poll(f"the database {self.path}", self.path.exists)
            self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None,
                                         timeout=5)
            self._conn.row_factory = sqlite3.Row
        return self._conn

    def rows(self, sql: str, *params) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, *params) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def value(self, sql: str, *params):
        row = self.one(sql, *params)
        return None if row is None else row[0]

    def last_event_id(self) -> int:
        return self.value("SELECT COALESCE(MAX(id), 0) FROM scan_events") or 0

    def order(self, order_no: str) -> sqlite3.Row:
        row = self.one(
            "SELECT o.*, s.name AS station FROM orders o LEFT JOIN stations s ON s.id = o.station_id "
            "WHERE o.order_no = ?", order_no)
        assert row is not None, f"no order {order_no}"
        return row

    def units(self, order_no: str) -> list[tuple[str, int, int]]:
        """(barcode, quantity, scanned) per line, in line order; the product's smallest barcode."""
        return [tuple(r) for r in self.rows(
            "SELECT (SELECT MIN(b.barcode) FROM product_barcodes b WHERE b.product_id = l.product_id),"
            " l.quantity, l.scanned FROM order_lines l JOIN orders o ON o.id = l.order_id"
            " WHERE o.order_no = ? ORDER BY l.id", order_no)]

    def expected_weight_g(self, order_no: str, box: str) -> int:
        items = self.value(
            "SELECT SUM(l.quantity * p.unit_weight_g) FROM order_lines l JOIN products p ON p.id = l.product_id"
            " JOIN orders o ON o.id = l.order_id WHERE o.order_no = ?", order_no)
        tare = self.value("SELECT tare_g FROM box_types WHERE code = ?", box)
        return int(items) + int(tare)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


# ---------------------------------------------------------------------------------------- the program


@dataclass
class Event:
    id: int
    kind: str
    raw: str
    accepted: bool
    message: str


class Bench:
    """The real program (``main.py gui --demo``) on its own database, station and PDF printer folder."""

    def __init__(self, x: XServer, workdir: Path, *, station: str = "E2E-1", lang: str = "en_US.UTF-8",
                 python: str | None = None, program: list[str] | None = None) -> None:
        self.x = x
        self.workdir = workdir
        self.station = station
        self.lang = lang
        self.python = python or str(ROOT / ".venv" / "bin" / "python")
        if not Path(self.python).exists():
            self.python = sys.executable
        # Another program instead of ``python main.py`` (the bundled PackGate): run away from the checkout.
        self.program = program
        self.db_path = workdir / "e2e.db"
        self.prints = workdir / "prints"
        self.home = workdir / "home"
        self.log_path = workdir / "packgate.log"
        self.db = BenchDb(self.db_path)
        self.process: subprocess.Popen | None = None
        self.window: str | None = None
        self.seen_event = 0
        self.starts = 0

    # ------------------------------------------------------------------ life cycle

    def command(self) -> list[str]:
        program = self.program or [self.python, str(ROOT / "main.py")]
        return [*program, "--db", f"sqlite:///{self.db_path}", "gui",
                "--station", self.station, "--printer", f"pdf:{self.prints}", "--demo"]

    def env(self) -> dict[str, str]:
        env = self.x.env()
        for name in LOCALE_VARS:
            env.pop(name, None)
        env.pop("PACKGATE_DB", None)
        env.update(PACKGATE_HOME=str(self.home), QT_QPA_PLATFORM="xcb", LANG=self.lang,
                   PYTHONUNBUFFERED="1")
        return env

    def start(self) -> Bench:
        """Start the program and return once its window is mapped and has the keyboard focus."""
        assert self.process is None or self.process.poll() is not None, "already running"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        log = open(self.log_path, "a", encoding="utf-8")  # closed in stop(): it outlives this call
        log.write(f"==== start {self.starts}: {' '.join(self.command())}\n")
        log.flush()
        self._log = log
        self.process = subprocess.Popen(self.command(), cwd=self.workdir if self.program else ROOT, env=self.env(),
                                        stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.window = self._wait_for_window()
        self.focus()
        # Scans before this point (the demo's own history) are not ours.
        self.seen_event = self.db.last_event_id()
        return self

    def _wait_for_window(self) -> str:
        assert self.process is not None
        search = subprocess.Popen(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", f"PackGate.*{self.station}"],
            env=self.x.env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            # xdotool's --sync has no timeout of its own: watch it and the program together.
            poll("the PackGate window to be mapped",
                 lambda: search.poll() is not None or self.process.poll() is not None,
                 timeout=WINDOW_TIMEOUT_S, on_timeout=self.diagnostics)
        finally:
            if search.poll() is None:
                search.kill()
            out = search.communicate()[0]
        if self.process.poll() is not None:
            raise E2EError(f"the program exited with status {self.process.returncode} before its window "
                           f"showed{self.diagnostics()}")
        windows = out.split()
        if not windows:
            raise E2EError(f"no PackGate window{self.diagnostics()}")
        return windows[0]

    def focus(self) -> None:
        """Give the window the keyboard focus, like a packer's click."""
        assert self.window is not None
        # Xvfb has no window manager, so there is no _NET_ACTIVE_WINDOW: windowactivate refuses;
        # windowfocus sets the X input focus directly, which is all the keyboard needs.
        done = subprocess.run(["xdotool", "windowactivate", "--sync", self.window], env=self.x.env(),
                              capture_output=True, text=True, timeout=10)
        if done.returncode != 0 or "_NET_ACTIVE_WINDOW" in done.stderr:
            self.x.xdotool("windowfocus", "--sync", self.window)

    def kill9(self) -> None:
        """Pull the plug: SIGKILL, no clean-up, no atexit."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.window = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
        self.db.close()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # ------------------------------------------------------------------ scanning

    def type_scan(self, text: str) -> None:
        """What a keyboard-wedge scanner does: the characters, then Enter."""
        self.x.xdotool("type", "--delay", "5", "--", text)
        self.x.xdotool("key", "Return")

    def scan(self, text: str, *, accepted: bool | None = True) -> Event:
        """Scan ``text`` and wait for its audit event; check it was accepted (or refused) if asked."""
        self.type_scan(text)
        event = self.wait_event(text)
        if accepted is not None and event.accepted != accepted:
            verdict = "refused" if accepted else "accepted"
            raise E2EError(f"scan {text!r} was {verdict}: {event.message}{self.diagnostics()}")
        return event

    def wait_event(self, raw: str | None = None) -> Event:
        """The next scan event after the last one seen (with this raw text, if given)."""

        def probe() -> Event | None:
            # Several benches may share the database (through a server): only this bench's events.
            row = self.db.one(
                f"SELECT id, kind, raw, accepted, message FROM scan_events WHERE id > ?"
                f" AND kind NOT IN ({','.join('?' * len(NOT_SCANS))})"
                f" AND station_id = (SELECT id FROM stations WHERE name = ?) ORDER BY id LIMIT 1",
                self.seen_event, *NOT_SCANS, self.station)
            return Event(row["id"], row["kind"], row["raw"], bool(row["accepted"]), row["message"] or "") if row else None

        event = poll(f"the scan {raw!r} to be committed", probe, on_timeout=self.diagnostics)
        self.seen_event = event.id
        if raw is not None and event.raw not in (raw, "****"):
            raise E2EError(f"expected the scan {raw!r}, the next audit event is {event}")
        return event

    def wait_file(self, pattern: str) -> Path:
        return poll(f"a printed file {pattern} in {self.prints}",
                    lambda: next(iter(sorted(self.prints.glob(pattern))), None), on_timeout=self.diagnostics)

    def scan_units(self, units: Iterable[tuple[str, int]]) -> None:
        for barcode, count in units:
            for _ in range(count):
                self.scan(barcode)

    # ------------------------------------------------------------------ when something goes wrong

    def diagnostics(self) -> str:
        parts = []
        if self.process is not None and self.process.poll() is not None:
            parts.append(f"program exited with status {self.process.returncode}")
        try:
            shot = self.x.screenshot(self.workdir / f"failure-{int(time.time() * 1000)}.png")
            parts.append(f"screen: {shot}")
        except Exception as exc:  # noqa: BLE001 - a diagnostic must not hide the real failure
            parts.append(f"no screenshot ({exc})")
        try:
            tail = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
            parts.append("program output:\n" + "\n".join(tail))
        except OSError:
            pass
        return "\n" + "\n".join(parts)
