"""Shared fixtures: an isolated PackGate home, and Services on SQLite or on the real PostgreSQL.

PostgreSQL tests use a fresh database per test on 127.0.0.1:5432 (user postgres). Outside CI they
are skipped when the server is down; with CI=true they fail instead, so CI never passes silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

PG_ADMIN_URL = os.environ.get("PACKGATE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(autouse=True)
def packgate_home(tmp_path, monkeypatch) -> Iterator[str]:
    """Every test gets its own data and config folders, and no database from the environment."""
    home = tmp_path / "packgate-home"
    monkeypatch.setenv("PACKGATE_HOME", str(home))
    monkeypatch.delenv("PACKGATE_DB", raising=False)
    yield str(home)


def _pg_available() -> str | None:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def require_postgres() -> None:
    problem = _pg_available()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is required in CI but unreachable at {PG_ADMIN_URL}: {problem}")
    pytest.skip(f"PostgreSQL unreachable ({problem})")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test; dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    require_postgres()
    name = f"packgate_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'packgate-test.db'}"


class Clock:
    """A controllable clock: tests move time instead of sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> Iterator[str]:
    """Run the test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'packgate-test.db'}"
    else:
        yield request.getfixturevalue("pg_url")


def _test_services(url: str, clock: Clock):
    """Migrated Services on ``url`` with a recording stand-in printer (``services.test_printer``)."""
    from app.bootstrap import bootstrap
    from app.config import Settings

    svc = bootstrap(url, Settings(station="TEST-BENCH"), clock=clock)
    printer = RecordingPrinter()
    svc.set_printer(printer)
    svc.test_printer = printer  # type: ignore[attr-defined]
    return svc


@pytest.fixture
def services(db_url, clock):
    """Services on SQLite and on PostgreSQL (the test runs once on each)."""
    svc = _test_services(db_url, clock)
    yield svc
    svc.close()


@pytest.fixture
def sqlite_services(sqlite_url, clock):
    svc = _test_services(sqlite_url, clock)
    yield svc
    svc.close()


class RecordingPrinter:
    """A printer stand-in that records documents, and fails on demand like a dead printer."""

    spec = "test:"

    def __init__(self) -> None:
        self.labels: list = []
        self.manifests: list = []
        self.fail_with: str | None = None

    def _check(self) -> None:
        from app.errors import PrinterError

        if self.fail_with:
            raise PrinterError(self.fail_with)

    def print_label(self, label):
        from app.printing.base import PrintJob

        self._check()
        self.labels.append(label)
        return PrintJob(f"test label {label.order_no}")

    def print_manifest(self, manifest):
        from app.printing.base import PrintJob

        self._check()
        self.manifests.append(manifest)
        return PrintJob(f"test manifest {manifest.manifest_no}")
