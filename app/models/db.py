"""Engine, sessions and migrations.

The engine is built at start-up from a URL (never at import time), so a test hands in its own
database. SQLite runs in WAL mode with ``synchronous=FULL`` (an accepted scan survives a power
cut), foreign keys on and a busy timeout; writers take the lock up front (``BEGIN IMMEDIATE``) so
two benches on one file queue instead of failing half-way. PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import ConfigError, DatabaseError, DatabaseUnavailable

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Page cache per connection, KiB. SQLite's sorter (GROUP BY, ORDER BY) keeps in memory what fits in
# the page cache and spills the rest to temporary files: at the default 2 MiB the summary's month
# (36,000 order and 30,000 scan rollup rows, 82,000 orders by state and shop) went to disk.
SQLITE_CACHE_KIB = 16_384
READ_ONLY = "packgate_read_only"
# The newest migration this program ships. A database already at it opens without importing
# Alembic (0.75 s of the window's start-up); tests/integration/test_migrations.py keeps it honest.
SCHEMA_HEAD = "0025"


def safe_url(url: str) -> str:
    """The URL with any password hidden, for logs and the window."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"Not a database URL: {safe_url(url)} (expected sqlite:///FILE or postgresql+psycopg://...)") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, echo)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if parsed.password is not None:  # never echo it: `ps`, shell history and logs must not show it
            log.warning("The database URL carries a password that `ps` and shell history can show: put it in "
                        "$PGPASSWORD, ~/.pgpass or a file named by $PACKGATE_DB_PASSWORD_FILE instead")
        password_file = os.environ.get("PACKGATE_DB_PASSWORD_FILE")
        if password_file and parsed.password is None:
            try:
                parsed = parsed.set(password=Path(password_file).read_text(encoding="utf-8").strip())
            except OSError as exc:
                raise ConfigError(f"Cannot read PACKGATE_DB_PASSWORD_FILE {password_file}: {exc.strerror}") from exc
        try:
            return create_engine(
                parsed,
                echo=echo,
                pool_pre_ping=True,
                pool_size=2,
                max_overflow=2,
                connect_args={"connect_timeout": 5, "application_name": "packgate",
                              # A client that vanished mid-transaction never holds a row lock for long:
                              # the server gives up on slow statements, lock waits and idle transactions,
                              # and TCP keepalives find a dead peer in ~25 s.
                              "options": ("-c statement_timeout=60000 -c lock_timeout=5000"
                                          " -c idle_in_transaction_session_timeout=20000"),
                              "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
                              "keepalives_count": 3},
            )
        except NoSuchModuleError as exc:
            raise ConfigError(f"Unsupported database driver in {safe_url(url)}") from exc
    raise ConfigError(f"Unsupported database {backend!r}: use sqlite:///FILE or postgresql+psycopg://...")


def _sqlite_engine(parsed, echo: bool) -> Engine:
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        from app.fileutil import create_owner_only, make_owner_only

        path = Path(database).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only: the file holds PIN hashes (an offline guesser's target) and buyers' addresses.
        # SQLite gives the -wal and -shm files the database file's mode.
        create_owner_only(path)
        for side in ("-wal", "-shm"):
            if Path(f"{path}{side}").exists():
                make_owner_only(Path(f"{path}{side}"))
    engine = create_engine(parsed, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (SQLAlchemy's recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by every test
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def write_lock(engine: Engine) -> threading.RLock | None:
    """For SQLite, one lock per engine that its writing units of work take in turn (None otherwise).

    SQLite has one writer at a time; a writer that finds the file locked sleeps in its busy handler
    (1, 2, 5 ... up to 100 ms a try) instead of being woken when the lock is free. In one process
    with many threads (the PackGate server, 16 benches through it) that made the p99 of a scan
    1.2 s; queueing on a Python lock first hands the file over at once. Other processes on the same
    file still meet the busy timeout, and so does a writer that waited that long for the lock."""
    return threading.RLock() if engine.dialect.name == "sqlite" else None


def session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    from app.models.audit_chain import chain_new_events

    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    factory = sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)
    if not read_only:
        event.listen(factory, "before_flush", chain_new_events)  # every audit event joins its bench's chain
    return factory


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None))  # type: ignore[arg-type]
    return script.get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the database to this program's schema; refuse one made by a newer PackGate."""
    if _at_head(engine):
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise DatabaseUnavailable(f"Cannot open the database {safe_url(str(engine.url))}: {_first_line(exc)}") from exc
    except SQLAlchemyDatabaseError as exc:  # e.g. "file is not a database"
        raise DatabaseError(f"{safe_url(str(engine.url))} is not a usable database: {_first_line(exc)}") from exc
    script = ScriptDirectory.from_config(_alembic_config(engine))
    if current is not None and not _known_revision(script, current):
        raise DatabaseError(
            f"The database {safe_url(str(engine.url))} was made by a newer PackGate "
            f"(schema {current}); this program knows up to {script.get_current_head()}. Upgrade PackGate."
        )
    if current != script.get_current_head():
        log.info("migrating %s from %s", safe_url(str(engine.url)), current)
        command.upgrade(_alembic_config(engine), "head")


def _at_head(engine: Engine) -> bool:
    """True when the database is exactly at SCHEMA_HEAD (the usual start); any doubt says False."""
    try:
        with engine.connect() as conn:
            versions = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    except Exception:  # no table yet, unreachable, ...: the full path below says what is wrong
        return False
    return versions == [SCHEMA_HEAD]


def _known_revision(script: ScriptDirectory, revision: str) -> bool:
    from alembic.util import CommandError

    # get_revision() raises (it does not return None) for a revision this program has never seen.
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def check_connection(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
