"""Waybill pools: numbers a carrier allocated to the shop, imported by a supervisor.

The bench takes the next free number of the order's carrier at the label step
(``BenchWorkflow._take_pool_waybill``); this module reads the carrier's file, checks every number
and adds them all in one transaction, or none. Qt-free.

An import is all or nothing: one number that is invalid for the carrier, repeated in the file, in
another carrier's pool or already on an order outside the pool, and nothing is added; every bad
line is reported with its line number. A number already in this carrier's pool is skipped, so
importing the same file twice adds nothing the second time.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.carriers import CarrierCatalogue
from app.errors import ImportFileError, KnownError
from app.models.schema import Order, WaybillPoolEntry

__all__ = [
    "HEADER_NAMES",
    "PoolImport",
    "PoolLine",
    "PoolProblem",
    "PoolStatus",
    "import_pool",
    "plan_pool_import",
    "pool_status",
    "read_pool_file",
]

# Column headers that name the waybill column of a CSV export (compared case-insensitively).
HEADER_NAMES = frozenset({"waybill", "waybill_no", "waybill no", "waybill number", "运单号", "运单号码", "快递单号"})
MAX_FILE_BYTES = 50 * 1024 * 1024
_CHUNK = 500  # numbers per IN (...) query: well under SQLite's and PostgreSQL's limits


@dataclass(frozen=True)
class PoolLine:
    line_no: int  # 1-based line number in the file
    raw: str


@dataclass(frozen=True)
class PoolProblem:
    line_no: int
    number: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line_no}: {self.number or '(empty)'}: {self.reason}"


@dataclass
class PoolImport:
    """The verdict on a file: what would be added, what is already there, what is wrong."""

    carrier_code: str
    new: list[str] = field(default_factory=list)
    already_in_pool: int = 0
    problems: list[PoolProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class PoolStatus:
    carrier_code: str
    free: int
    taken: int
    next_free: str | None


def _decode(data: bytes, path: Path) -> str:
    # Carrier portals export UTF-8 (often with a BOM); Excel on Chinese Windows saves GB18030.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{path}: not UTF-8 or GB18030 text; save it as UTF-8 CSV")


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def parse_pool_text(text: str, source: str = "the file") -> list[PoolLine]:
    """The waybill numbers of a text or CSV file, with their line numbers.

    One number per line, or a CSV whose header has a column named waybill / 运单号; blank lines and
    lines starting with ``#`` are ignored. A multi-column file without such a header is refused
    rather than guessed at.
    """
    lines = text.splitlines()
    first = next(((i, line) for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")),
                 None)
    if first is None:
        return []
    start, header = first
    delimiter = max((",", "\t", ";"), key=header.count)
    cells = [c.strip().casefold() for c in _split(header, delimiter)]
    column = next((i for i, c in enumerate(cells) if c in HEADER_NAMES), None)
    multi = sum(1 for c in cells if c) > 1  # a trailing comma does not make a second column
    if multi and column is None:
        raise ImportFileError(
            f"{source}: several columns but none named waybill or 运单号; "
            "give one number per line or name the column"
        )
    out: list[PoolLine] = []
    body_start = start + 1 if column is not None else start
    for index in range(body_start, len(lines)):
        line = lines[index]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if multi:
            row = _split(line, delimiter)
            raw = row[column] if column is not None and column < len(row) else ""
        else:
            raw = next((c for c in _split(line, delimiter) if c.strip()), "")
        out.append(PoolLine(index + 1, raw))
    return out


def read_pool_file(path: Path) -> list[PoolLine]:
    """Read a pool file (see :func:`parse_pool_text`); raises ImportFileError if it cannot."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(f"{path}: {size // (1024 * 1024)} MB is too large for a waybill pool file")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ImportFileError(f"No such file: {path}") from exc
    except IsADirectoryError as exc:
        raise ImportFileError(f"{path} is a folder, not a file") from exc
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    return parse_pool_text(_decode(data, path), str(path))


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def plan_pool_import(
    session: Session, catalogue: CarrierCatalogue, carrier_code: str, lines: Sequence[PoolLine]
) -> PoolImport:
    """Check every line against the carrier's rules, the file itself and the database."""
    plan = PoolImport(carrier_code)
    first_seen: dict[str, int] = {}
    valid: list[tuple[int, str]] = []
    for line in lines:
        if not line.raw.strip():
            plan.problems.append(PoolProblem(line.line_no, "", "no waybill number in this row"))
            continue
        check = catalogue.validate(carrier_code, line.raw)
        if not check.ok:
            assert check.message is not None
            plan.problems.append(PoolProblem(line.line_no, check.number, check.message.render()))
            continue
        if check.number in first_seen:
            plan.problems.append(
                PoolProblem(line.line_no, check.number, f"repeated: already on line {first_seen[check.number]}"))
            continue
        first_seen[check.number] = line.line_no
        valid.append((line.line_no, check.number))
    numbers = [n for _, n in valid]
    in_pool: dict[str, str] = {}
    on_order: dict[str, str] = {}
    for chunk in _chunks(numbers):
        in_pool.update(session.execute(
            select(WaybillPoolEntry.number, WaybillPoolEntry.carrier_code).where(WaybillPoolEntry.number.in_(chunk))
        ).all())
        for waybill, preassigned, order_no in session.execute(
            select(Order.waybill, Order.preassigned_waybill, Order.order_no)
            .where(or_(Order.waybill.in_(chunk), Order.preassigned_waybill.in_(chunk)))
        ):
            for number in (waybill, preassigned):
                if number in first_seen:
                    on_order.setdefault(number, order_no)
    for line_no, number in valid:
        pool_carrier = in_pool.get(number)
        if pool_carrier == carrier_code:
            plan.already_in_pool += 1  # imported before (maybe already given to an order): skip
        elif pool_carrier is not None:
            plan.problems.append(PoolProblem(line_no, number, f"already in the {pool_carrier} pool"))
        elif number in on_order:
            plan.problems.append(PoolProblem(line_no, number, f"already the waybill of order {on_order[number]}"))
        else:
            plan.new.append(number)
    plan.problems.sort(key=lambda p: p.line_no)
    return plan


def import_pool(
    session: Session, catalogue: CarrierCatalogue, carrier_code: str, lines: Sequence[PoolLine], now: datetime
) -> PoolImport:
    """Add the file's new numbers to the pool, or none if any line is bad (the caller commits).

    Raises KnownError when another import added some of the same numbers at the same moment (the
    unique index settles it); nothing is added then and running the import again is safe.
    """
    plan = plan_pool_import(session, catalogue, carrier_code, lines)
    if not plan.ok or not plan.new:
        return plan
    try:
        with session.begin_nested():
            for chunk in _chunks(plan.new):
                session.execute(
                    insert(WaybillPoolEntry),
                    [{"carrier_code": carrier_code, "number": n, "imported_at": now} for n in chunk],
                )
    except IntegrityError as exc:
        raise KnownError(
            "Another import added some of these numbers at the same moment; nothing was imported. "
            "Run the import again."
        ) from exc
    return plan


def pool_status(session: Session, carrier_code: str | None = None) -> list[PoolStatus]:
    """Free and taken numbers per carrier, with the number the next label will get."""
    free = func.count().filter(WaybillPoolEntry.order_id.is_(None))
    taken = func.count().filter(WaybillPoolEntry.order_id.is_not(None))
    query = select(WaybillPoolEntry.carrier_code, free, taken).group_by(WaybillPoolEntry.carrier_code)
    if carrier_code is not None:
        query = query.where(WaybillPoolEntry.carrier_code == carrier_code)
    counts = {code: (f, t) for code, f, t in session.execute(query.order_by(WaybillPoolEntry.carrier_code))}
    if carrier_code is not None and carrier_code not in counts:
        counts[carrier_code] = (0, 0)
    out = []
    for code, (f, t) in counts.items():
        next_free = session.scalar(
            select(WaybillPoolEntry.number)
            .where(WaybillPoolEntry.carrier_code == code, WaybillPoolEntry.order_id.is_(None))
            .order_by(WaybillPoolEntry.id).limit(1)
        )
        out.append(PoolStatus(code, f, t, next_free))
    return out

