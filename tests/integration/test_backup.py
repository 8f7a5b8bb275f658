"""``packgate backup``: a consistent SQLite copy while a bench keeps scanning; PostgreSQL refused."""

from __future__ import annotations

import sqlite3
import threading

from app.bootstrap import bootstrap
from app.cli import main
from app.config import Settings
from app.models import db
from bench.loadtest import BenchConfig, BenchDriver, NullPrinter, check, setup


def test_backup_while_a_bench_scans(sqlite_url, tmp_path, capsys):
    svc = bootstrap(sqlite_url, Settings(printer="loadtest:"))
    svc.set_printer(NullPrinter())
    setup(svc, benches=1, per_bench=30)
    stop = threading.Event()
    errors: list[BaseException] = []

    def shift() -> None:
        try:
            driver = BenchDriver(svc, BenchConfig(bench=0, benches=1, per_bench=30))
            driver.login()
            index = 1
            while not stop.is_set() and index <= 30:
                driver.pack(index, [])
                index += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    worker = threading.Thread(target=shift)
    worker.start()
    copies = []
    try:
        for i in range(3):
            dest = tmp_path / f"copy-{i}.db"
            assert main(["--db", sqlite_url, "backup", str(dest)]) == 0
            copies.append(dest)
    finally:
        stop.set()
        worker.join(60)
    assert not errors, errors
    assert "integrity ok" in capsys.readouterr().out
    for dest in copies:
        with sqlite3.connect(dest) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copy = bootstrap(f"sqlite:///{dest}", Settings(printer="loadtest:"))  # migrate() runs on it
        try:
            db.migrate(copy.engine)
            assert db.current_revision(copy.engine) == db.head_revision()
            assert check(copy) == []  # a snapshot: every scanned unit has its audit event, and back
        finally:
            copy.close()
    svc.close()


def test_backup_refuses_to_overwrite_without_force(sqlite_url, tmp_path, capsys):
    bootstrap(sqlite_url).close()
    dest = tmp_path / "copy.db"
    dest.write_text("precious")
    assert main(["--db", sqlite_url, "backup", str(dest)]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and len(err.strip().splitlines()) == 1
    assert dest.read_text() == "precious"
    assert main(["--db", sqlite_url, "backup", "--force", str(dest)]) == 0
    with sqlite3.connect(dest) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_refuses_postgresql_and_missing_files(tmp_path, capsys):
    assert main(["--db", "postgresql+psycopg://packgate@dbhost/packgate", "backup", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "pg_dump" in err and len(err.strip().splitlines()) == 1
    assert main(["--db", f"sqlite:///{tmp_path / 'none.db'}", "backup", str(tmp_path / "x")]) == 2
    assert "No database file" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "x").exists()


def test_backup_to_a_name_the_file_system_cannot_hold_is_a_one_line_refusal(sqlite_url, tmp_path, capsys):
    bootstrap(sqlite_url).close()
    assert main(["--db", sqlite_url, "backup", str(tmp_path / ("x" * 5000))]) == 2
    err = capsys.readouterr().err
    assert "Cannot use" in err and len(err.strip().splitlines()) == 1
