"""What several benchmarks share: a fresh database to measure on (SQLite file or PostgreSQL)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ADMIN = os.environ.get("PACKGATE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def fresh_url(pg: bool, name: str, home: Path) -> str:
    """An empty database ``name``: a SQLite file in ``home``, or a PostgreSQL database made anew."""
    if not pg:
        path = home / f"{name}.db"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
