"""Bulk inserts of plain rows, shared by the order import and the order pull."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

_SQLITE_VARIABLES = 32_000  # SQLite 3.32+ allows 32,766 bound values a statement
_POSTGRESQL_PARAMETERS = 60_000  # the protocol allows 65,535 a statement


def insert_many(s: Session, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """A Core ``insert(table)`` of many rows, run as one DBAPI ``executemany`` of plain tuples.

    SQLAlchemy compiles the statement for the session's database and supplies each column type's
    bind conversion (applied here once per distinct value: import values repeat), but does not
    build and convert a parameter dict per row, which for 100,000 order lines costs more than the
    database's own work.
    """
    if not rows:
        return
    conn = s.connection()
    dialect = conn.dialect
    for i, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            converted: dict[Any, Any] = {}
            for row in rows:
                value = row[i]
                if value not in converted:
                    converted[value] = process(value)
            rows = [(*row[:i], converted[row[i]], *row[i + 1:]) for row in rows]
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    if compiled.positional:
        positions = [columns.index(name) for name in compiled.positiontup]
        params: list[Any] = rows if positions == list(range(len(columns))) else [
            tuple(row[i] for i in positions) for row in rows]
        if dialect.name == "sqlite" and dialect.paramstyle == "qmark" and sqlite3.sqlite_version_info >= (3, 32):
            _sqlite_multirow(conn, compiled.string, len(positions), params)
            return
    elif dialect.name == "postgresql" and dialect.driver == "psycopg":
        _postgresql_multirow(conn, table, columns, rows)
        return
    else:
        params = [dict(zip(columns, row, strict=True)) for row in rows]
    conn.exec_driver_sql(compiled.string, params)


def _postgresql_multirow(conn: Any, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """``INSERT ... VALUES (...), (...), ...`` in batches: psycopg's executemany runs the statement
    once a row (~65 us each even pipelined); one statement of a few thousand rows is one round trip."""
    quote = conn.dialect.identifier_preparer
    head = f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) VALUES "
    group = "(" + ", ".join(["%s"] * len(columns)) + ")"
    batch = max(1, _POSTGRESQL_PARAMETERS // len(columns))
    for i in range(0, len(rows), batch):
        part = rows[i:i + batch]
        conn.exec_driver_sql(head + ", ".join([group] * len(part)), tuple(v for row in part for v in row))


def _sqlite_multirow(conn: Any, sql: str, width: int, params: list[tuple[Any, ...]]) -> None:
    """``INSERT ... VALUES (...), (...), ...``: one statement (one step, one release of the GIL) per
    batch of rows instead of one per row; an executemany hands the GIL over at every row, which
    costs most when another thread (the pull's page fetcher) wants it."""
    head, _values, group = sql.rpartition(" VALUES ")
    assert group == "(" + ", ".join(["?"] * width) + ")", sql
    batch = max(1, _SQLITE_VARIABLES // width)
    for i in range(0, len(params), batch):
        part = params[i:i + batch]
        flat = tuple(value for row in part for value in row)
        conn.exec_driver_sql(f"{head} VALUES {', '.join([group] * len(part))}", flat)


def insert_numbered(s: Session, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]], key: str,
                    chunk: int = 500) -> dict[Any, int]:
    """:func:`insert_many`, then ``key`` -> new id of every row inserted (``key`` is unique).

    Our new ids are all above the highest id before the insert (SQLite: we hold the write lock;
    PostgreSQL: later sequence values), so one query finds them; rows another session added meanwhile
    are not among ours (the same key: our insert would have failed)."""
    conn = s.connection()
    before = conn.scalar(select(func.max(table.c.id))) or 0
    insert_many(s, table, columns, rows)
    at = columns.index(key)
    keys = {row[at] for row in rows}
    ids = {k: i for k, i in conn.execute(select(table.c[key], table.c.id).where(table.c.id > before)).all()
           if k in keys}
    if len(ids) != len(keys):  # not expected; look them up one chunk at a time
        for part in _chunks(keys, chunk):
            ids.update(conn.execute(select(table.c[key], table.c.id).where(table.c[key].in_(part))).all())
    return ids


def _chunks(values: Iterable[Any], size: int) -> Iterable[list[Any]]:
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]
