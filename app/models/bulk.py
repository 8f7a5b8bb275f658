"""Bulk inserts of plain rows and lookups by many keys, shared by the order import and the order pull."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from itertools import chain
from typing import Any

from sqlalchemy import any_, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

_SQLITE_VARIABLES = 32_000  # SQLite 3.32+ allows 32,766 bound values a statement
_POSTGRESQL_STATEMENT = 4096  # characters of one multi-row INSERT's text


def insert_many(s: Session, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """A Core ``insert(table)`` of many rows of plain tuples, in a few statements.

    SQLAlchemy compiles the statement for the session's database and supplies each column type's
    bind conversion (applied here once per distinct value: import values repeat), but does not
    build and convert a parameter dict per row, which for 100,000 order lines costs more than the
    database's own work. Multi-row ``INSERT ... VALUES``: on SQLite as many rows a statement as it
    takes values, on PostgreSQL (psycopg) short statements in one pipelined executemany.
    """
    if not rows:
        return
    conn = s.connection()
    dialect = conn.dialect
    values = _column_values(dialect, table, columns, rows)
    if _psycopg(dialect):
        _postgresql_groups(conn, table, columns, values)
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    if compiled.positional:
        positions = [columns.index(name) for name in compiled.positiontup]
        params: list[Any] = list(zip(*(values[i] for i in positions), strict=True))
        if dialect.name == "sqlite" and dialect.paramstyle == "qmark" and sqlite3.sqlite_version_info >= (3, 32):
            _sqlite_multirow(conn, compiled.string, len(positions), params)
            return
    else:
        params = [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
    conn.exec_driver_sql(compiled.string, params)


def _column_values(dialect: Any, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[tuple]:
    """The rows' values a column at a time, each converted by its column type's bind processor
    (at C speed, once per distinct value)."""
    values = list(zip(*rows, strict=True))
    for i, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            converted: dict[Any, Any] = {}
            for value in values[i]:
                if value not in converted:
                    converted[value] = process(value)
            values[i] = tuple(map(converted.__getitem__, values[i]))
    return values


def _psycopg(dialect: Any) -> bool:
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


def _postgresql_groups(conn: Any, table: Any, columns: tuple[str, ...], values: list[tuple[Any, ...]]) -> None:
    """``INSERT ... VALUES (...), (...), ...`` of as many rows as fit in 4,096 characters, every group
    of rows sent by one executemany: psycopg reads the statement's ``%s`` once for all of them,
    prepares it and pipelines the groups (no round trip waited a group); the rows left over go in one
    last statement. A multi-row ``VALUES`` of thousands of ``%s`` was read again in Python at every
    call (~40% of a 10,000-order pull's insert); one array a column (``unnest``) costs twice the CPU
    of this, psycopg dumping arrays in Python."""
    quote = conn.dialect.identifier_preparer
    head = f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)}) VALUES "
    group = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per = max(1, (_POSTGRESQL_STATEMENT - len(head)) // (len(group) + 2))
    rows = list(zip(*values, strict=True))
    full = len(rows) - len(rows) % per
    if full:
        conn.exec_driver_sql(head + ", ".join([group] * per),
                             [tuple(chain.from_iterable(rows[i:i + per])) for i in range(0, full, per)])
    if full < len(rows):
        conn.exec_driver_sql(head + ", ".join([group] * (len(rows) - full)), tuple(chain.from_iterable(rows[full:])))


def _sqlite_multirow(conn: Any, sql: str, width: int, params: list[tuple[Any, ...]]) -> None:
    """``INSERT ... VALUES (...), (...), ...``: one statement (one step, one release of the GIL) per
    batch of rows instead of one per row; an executemany hands the GIL over at every row, which
    costs most when another thread (the pull's page fetcher) wants it."""
    head, _values, group = sql.rpartition(" VALUES ")
    assert group == "(" + ", ".join(["?"] * width) + ")", sql
    batch = max(1, _SQLITE_VARIABLES // width)
    for i in range(0, len(params), batch):
        part = params[i:i + batch]
        conn.exec_driver_sql(f"{head} VALUES {', '.join([group] * len(part))}", tuple(chain.from_iterable(part)))


def one_of(s: Session, column: Any, values: Collection[Any]) -> Any:
    """``column IN (values)``; on PostgreSQL ``column = ANY(%s)`` with the values as one array
    parameter: a thousand order numbers are not a thousand bound parameters for SQLAlchemy to
    build and psycopg to parse (a 1,000-order lookup 3x cheaper)."""
    if s.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def insert_numbered(s: Session, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]], key: str,
                    chunk: int = 500) -> dict[Any, int]:
    """:func:`insert_many`, then ``key`` -> new id of every row inserted (``key`` is unique).

    Our new ids are all above the highest id before the insert (SQLite: we hold the write lock;
    PostgreSQL: later sequence values), so one query finds them; rows another session added meanwhile
    are not among ours (the same key: our insert would have failed)."""
    conn = s.connection()
    at = columns.index(key)
    keys = {row[at] for row in rows}
    before = conn.scalar(select(func.max(table.c.id))) or 0
    insert_many(s, table, columns, rows)
    ids = {k: i for k, i in conn.execute(select(table.c[key], table.c.id).where(table.c.id > before)).all()
           if k in keys}
    return ids if len(ids) == len(keys) else _look_up(conn, table, key, keys, chunk)


def _look_up(conn: Any, table: Any, key: str, keys: set[Any], chunk: int) -> dict[Any, int]:
    """``key`` -> id, a chunk of keys at a time: the fallback of :func:`insert_numbered` (not expected)."""
    ids: dict[Any, int] = {}
    for part in _chunks(keys, chunk):
        ids.update(conn.execute(select(table.c[key], table.c.id).where(table.c[key].in_(part))).all())
    return ids


def _chunks(values: Iterable[Any], size: int) -> Iterable[list[Any]]:
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]
