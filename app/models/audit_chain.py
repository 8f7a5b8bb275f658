"""A tamper-evident audit trail: each bench's scan events form a hash chain.

Every new ``scan_events`` row gets, in the transaction that writes it, its position in its bench's
chain (``chain_seq``), the hash of its predecessor at that bench (``prev_hash``) and its own
``hash`` = SHA-256 over its position, that predecessor hash and every field of the event. The
newest link of each bench is kept in ``audit_chain_heads``, whose row lock orders the writers of
one bench; benches never wait on each other. Events without a bench (the command line, supervisor
actions from no bench) form one more chain.

:func:`verify` walks every chain and reports the first event that was changed, removed or inserted
out of order or without a hash, and a head row that was removed. The database refuses an event
without its link and a head that is deleted or goes back; what only the owner can do (remove a
chain's newest events with its head, a whole chain) shows against a :func:`checkpoint` of the heads
kept outside the database. What this does and does not protect against is in the README.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, exists, insert, select, union_all, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

from app.models.schema import NO_ID, AuditChainHead, ScanEvent, Station, utcnow

GENESIS = "0" * 64  # the predecessor of every bench's first event
FIELDS = ("at", "station_id", "user_id", "order_id", "manifest_id", "raw", "kind", "accepted", "message", "reason")


def _at(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def event_hash(seq: int, prev: str, values: dict[str, Any]) -> str:
    """The hash of one event: its position, its predecessor's hash and every field, canonically."""
    payload = [seq, prev, *(_at(values["at"]) if name == "at" else
                            (bool(values[name]) if name == "accepted" else values[name]) for name in FIELDS)]
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _bench_key(e: ScanEvent) -> int:
    if e.station_id is None and e.station is not None and e.station.id is not None:
        e.station_id = e.station.id
    return e.station_id if e.station_id is not None else NO_ID


def chain_new_events(session: Session, _flush_context, _instances) -> None:
    """before_flush: link every new ScanEvent into its bench's chain, in the order they were added."""
    new = [o for o in session.new if isinstance(o, ScanEvent) and o.hash is None]
    if not new:
        return
    new.sort(key=lambda o: instance_state(o).insert_order)
    conn = session.connection()
    by_bench: dict[int, list[ScanEvent]] = {}
    for e in new:
        if e.at is None:
            e.at = utcnow()
        for name, default in (("raw", ""), ("message", ""), ("reason", "")):
            if getattr(e, name) is None:
                setattr(e, name, default)
        by_bench.setdefault(_bench_key(e), []).append(e)
    _advance(conn, by_bench, getattr, _set_link)


def _set_link(e: ScanEvent, seq: int, prev: str, digest: str) -> None:
    e.chain_seq, e.prev_hash, e.hash = seq, prev, digest


def _normalise(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """Fill in each row's defaults (every field present); the rows by bench key, in their order."""
    by_bench: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        for name, default in (("raw", ""), ("message", ""), ("reason", "")):
            if row.get(name) is None:
                row[name] = default
        if row.get("at") is None:
            row["at"] = utcnow()
        for name in FIELDS:
            row.setdefault(name, None)
        by_bench.setdefault(row["station_id"] if row["station_id"] is not None else NO_ID, []).append(row)
    return by_bench


def _set_row(row: dict[str, Any], seq: int, prev: str, digest: str) -> None:
    row.update(chain_seq=seq, prev_hash=prev, hash=digest)


def link_rows(conn, rows: list[dict[str, Any]]) -> None:
    """The same chain for events written as plain rows with Core (the bench's scan path, which
    skips the ORM flush): fills in each row's ``chain_seq``, ``prev_hash`` and ``hash``."""
    _advance(conn, _normalise(rows), dict.__getitem__, _set_row)


_INSERT_EVENT = ScanEvent.__table__.insert()
_LINKED = (*FIELDS, "chain_seq", "prev_hash", "hash")
_APPEND_AT_ONCE_MAX = 3  # a scan writes one event, two with a print intent; a third is to spare


def add_events(s: Session, events: list[dict[str, Any]]) -> None:
    """The one way to write audit events: each a plain row (``FIELDS``), linked into its bench's
    chain and inserted in ``s``'s transaction, so it commits with the change it records or not at
    all (Core: no ORM flush of the events themselves on the scan path)."""
    s.flush()  # ORM changes made before (a PIN check's counters, an earlier event) go first
    conn = s.connection()
    if conn.dialect.name == "postgresql" and _append_at_once(conn, events):
        return
    link_rows(conn, events)
    conn.execute(_INSERT_EVENT, events)


def _append_statement(n: int):
    """PostgreSQL: move the bench's head from the link this engine knows AND insert ``n`` events
    after it, in one statement (one round trip instead of two). The events are inserted only if the
    head moved (``EXISTS`` over the UPDATE's RETURNING): when another writer moved it first,
    nothing is written and the caller links the events again from the head read under its lock."""
    heads, events = AuditChainHead.__table__, ScanEvent.__table__
    moved = (update(heads).where(heads.c.bench_key == bindparam("h_key"), heads.c.seq == bindparam("h_seq"),
                                 heads.c.last_hash == bindparam("h_hash"))
             .values(seq=bindparam("h_new_seq"), last_hash=bindparam("h_new_hash"))
             .returning(heads.c.bench_key).cte("moved"))
    columns = [events.c[name] for name in _LINKED]
    rows = [select(*(bindparam(f"{c.name}_{i}", type_=c.type) for c in columns))
            .where(exists(select(moved.c.bench_key))) for i in range(n)]
    source = rows[0] if n == 1 else union_all(*rows)
    # RETURNING, not rowcount: psycopg reports no rowcount for an INSERT led by a data-modifying WITH
    return insert(events).from_select(columns, source).add_cte(moved).returning(events.c.id)


_APPEND_STATEMENTS = {n: _append_statement(n) for n in range(1, _APPEND_AT_ONCE_MAX + 1)}


def _append_at_once(conn, events: list[dict[str, Any]]) -> bool:
    """The scan path's events of one bench whose head this engine knows, in one statement; False
    (nothing written) when that does not apply or another writer moved the head first."""
    by_bench = _normalise(events)
    if len(by_bench) != 1 or not 1 <= len(events) <= _APPEND_AT_ONCE_MAX:
        return False
    key = next(iter(by_bench))
    known = _known_heads.setdefault(conn.engine, {})
    head = known.get(key)
    if head is None:
        return False
    seq, prev = _link(events, key, *head, dict.__getitem__, _set_row)
    params: dict[str, Any] = {"h_key": key, "h_seq": head[0], "h_hash": head[1], "h_new_seq": seq, "h_new_hash": prev}
    for i, row in enumerate(events):
        params.update({f"{name}_{i}": row[name] for name in _LINKED})
    if len(conn.execute(_APPEND_STATEMENTS[len(events)], params).all()) == len(events):
        known[key] = (seq, prev)
        return True
    known.pop(key, None)  # another writer was first: link again from the head under its lock
    return False


def add_event(s: Session, *, at: datetime | None, kind: str, raw: str = "", message: str = "", accepted: bool = True,
              station_id: int | None = None, user_id: int | None = None, order_id: int | None = None,
              manifest_id: int | None = None, reason: str = "") -> None:
    """One audit event (see :func:`add_events`)."""
    add_events(s, [{"at": at, "station_id": station_id, "user_id": user_id, "order_id": order_id,
                    "manifest_id": manifest_id, "raw": raw, "kind": kind, "accepted": accepted, "message": message,
                    "reason": reason}])


# The newest link each engine wrote per bench: the next event's write checks it in its UPDATE of the
# head (``WHERE seq AND last_hash`` as known) instead of reading the head first, one round trip less
# on every scan. Another writer of the chain, or a transaction rolled back, makes that UPDATE match
# no row: the head is then read under its lock as before and the links made again from it.
_known_heads: weakref.WeakKeyDictionary[Any, dict[int, tuple[int, str]]] = weakref.WeakKeyDictionary()


def _move_known_head():
    heads = AuditChainHead.__table__
    return (update(heads).where(heads.c.bench_key == bindparam("h_key"), heads.c.seq == bindparam("h_seq"),
                                heads.c.last_hash == bindparam("h_hash"))
            .values(seq=bindparam("h_new_seq"), last_hash=bindparam("h_new_hash")))


_MOVE_KNOWN_HEAD = _move_known_head()  # built once: the scan path only binds its values


def _advance(conn, by_bench: dict[int, list], get, set_link) -> None:
    heads = AuditChainHead.__table__
    known = _known_heads.setdefault(conn.engine, {})
    for key in sorted(by_bench):  # one lock order: no deadlock between two multi-bench transactions
        head = known.get(key)
        if head is not None:
            seq, prev = _link(by_bench[key], key, *head, get, set_link)
            moved = conn.execute(_MOVE_KNOWN_HEAD, {"h_key": key, "h_seq": head[0], "h_hash": head[1],
                                                    "h_new_seq": seq, "h_new_hash": prev})
            if moved.rowcount == 1:
                known[key] = (seq, prev)
                continue
        read = select(heads.c.seq, heads.c.last_hash).where(heads.c.bench_key == key).with_for_update()
        row = conn.execute(read).first()
        if row is None:  # the bench's first event: two first writers may race, one insert wins
            conn.execute(_insert_ignore(conn, heads, {"bench_key": key, "seq": 0, "last_hash": GENESIS}))
            row = conn.execute(read).one()
        seq, prev = _link(by_bench[key], key, row[0], row[1], get, set_link)
        conn.execute(update(heads).where(heads.c.bench_key == key).values(seq=seq, last_hash=prev))
        known[key] = (seq, prev)


def _link(events: list, key: int, seq: int, prev: str, get, set_link) -> tuple[int, str]:
    """Link ``events`` after the head (``seq``, ``prev``); the new head."""
    for e in events:
        seq += 1
        values = {name: get(e, name) for name in FIELDS}
        values["station_id"] = None if key == NO_ID else key
        digest = event_hash(seq, prev, values)
        set_link(e, seq, prev, digest)
        prev = digest
    return seq, prev


def _insert_ignore(conn, table, values: dict[str, Any]):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).values(**values).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).values(**values).on_conflict_do_nothing()
    return insert(table).values(**values)  # pragma: no cover - the two supported databases are above


# ---------------------------------------------------------------------------------------- verify


@dataclass
class BenchChain:
    bench: str
    bench_key: int = NO_ID
    events: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    last_id: int | None = None  # the id of the chain's newest event
    problem: dict[str, Any] | None = None


@dataclass
class Verification:
    benches: list[BenchChain] = field(default_factory=list)
    unchained: int = 0  # events older than the chain (written before migration 0008)
    against: list[str] = field(default_factory=list)  # what differs from a checkpoint kept elsewhere

    @property
    def ok(self) -> bool:
        return all(b.problem is None for b in self.benches) and not self.against

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "unchained_before_the_chain": self.unchained,
                "benches": [b.__dict__ for b in self.benches], "against_checkpoint": self.against}


def _rows(s: Session, key: int) -> Iterator[Any]:
    station = ScanEvent.station_id.is_(None) if key == NO_ID else ScanEvent.station_id == key
    q = (select(ScanEvent.id, ScanEvent.chain_seq, ScanEvent.prev_hash, ScanEvent.hash,
                *(getattr(ScanEvent, name) for name in FIELDS))
         .where(station).order_by(ScanEvent.chain_seq.is_(None), ScanEvent.chain_seq, ScanEvent.id)
         .execution_options(yield_per=5000))
    yield from s.execute(q)


def verify(s: Session) -> Verification:
    """Walk every bench's chain; each bench reports its first broken link, if any."""
    names = dict(s.execute(select(Station.id, Station.name)).all())
    heads = {h.bench_key: h for h in s.scalars(select(AuditChainHead))}
    keys = set(heads) | {k if k is not None else NO_ID for k in s.scalars(select(ScanEvent.station_id).distinct())}
    result = Verification()
    for key in sorted(keys):
        head = heads.get(key)
        chain = BenchChain(bench=bench_name(names, key), bench_key=key,
                           head_seq=head.seq if head else 0, head_hash=head.last_hash if head else GENESIS)
        result.benches.append(chain)
        walk = _walk(_rows(s, key), head)
        chain.problem, chain.events, chain.last_id = walk.problem, walk.chained, walk.last_id
        result.unchained += walk.unchained
    return result


def bench_name(names: dict[int, str], key: int) -> str:
    return names.get(key, f"station {key}") if key != NO_ID else "(no bench)"


@dataclass
class _Walk:
    problem: dict[str, Any] | None = None
    unchained: int = 0  # events older than the chain
    chained: int = 0
    last_id: int | None = None


def _walk(rows: Iterator[Any], head: AuditChainHead | None) -> _Walk:
    """The first problem of one bench's chain (or None), with what was counted on the way."""
    w, seq, prev = _Walk(), 0, GENESIS
    legacy = (head.legacy_first_id, head.legacy_last_id) if head is not None and head.legacy_events else None
    for row in rows:  # the chained events in chain order, then those without a link
        values = {name: getattr(row, name) for name in FIELDS}
        if row.chain_seq is None or row.prev_hash is None or row.hash is None:
            if legacy is None or not legacy[0] <= row.id <= legacy[1]:
                w.problem = _problem(row, "inserted outside the chain (no hash)")
                return w
            w.unchained += 1
            continue
        if row.chain_seq <= seq:
            w.problem = _problem(row, f"inserted out of order (position {row.chain_seq} is already taken)")
        elif row.chain_seq != seq + 1:
            w.problem = _problem(row, f"{row.chain_seq - seq - 1} event(s) removed before this one "
                                      f"(positions {seq + 1}..{row.chain_seq - 1})")
        elif row.prev_hash != prev:
            w.problem = _problem(row, "inserted out of order or its predecessor was changed "
                                      "(its predecessor hash does not match)")
        elif w.last_id is not None and row.id < w.last_id:
            w.problem = _problem(row, "inserted out of order (its id is older than its predecessor's)")
        elif event_hash(row.chain_seq, row.prev_hash, values) != row.hash:
            w.problem = _problem(row, "changed (its contents do not match its hash)")
        if w.problem is not None:
            return w
        seq, prev, w.last_id, w.chained = row.chain_seq, row.hash, row.id, w.chained + 1
    if head is None:
        if seq:
            w.problem = _end(seq + 1, "the chain's head row was removed (its newest events may be gone with it)")
    elif (head.seq, head.last_hash) != (seq, prev):
        missing = head.seq - seq
        w.problem = _end(seq + 1, f"{missing} event(s) removed from the end (positions {seq + 1}..{head.seq})"
                         if missing > 0 else "the chain's head does not match its last event")
    elif w.unchained != (head.legacy_events or 0):
        w.problem = _end(seq + 1, f"{head.legacy_events} events older than the chain were counted at the "
                                  f"migration, {w.unchained} are there now")
    return w


def _end(position: int, what: str) -> dict[str, Any]:
    return {"event_id": None, "position": position, "at": None, "kind": None, "what": what}


def _problem(row, what: str) -> dict[str, Any]:
    return {"event_id": row.id, "position": row.chain_seq, "at": _at(row.at) or None, "kind": row.kind, "what": what}


# ------------------------------------------------------------------------------- the anchor outside


def checkpoint(result: Verification, at: datetime) -> dict[str, Any]:
    """The heads of a verified trail, to keep where the database owner cannot reach them."""
    return {"packgate_audit_checkpoint": 1, "at": _at(at),
            "chains": [{"station": b.bench, "bench_key": b.bench_key, "last_id": b.last_id, "last_hash": b.head_hash,
                        "count": b.events} for b in result.benches if b.events]}


def compare_checkpoint(s: Session, result: Verification, kept: dict[str, Any]) -> list[str]:
    """What differs between the trail and a checkpoint taken earlier: a chain that is missing, shorter
    than it was, or whose event at the checkpoint's head position is not the one it was."""
    found = {b.bench_key: b for b in result.benches}
    differences = []
    for head in kept.get("chains", []):
        key, count, name = int(head["bench_key"]), int(head["count"]), head.get("station", "?")
        chain = found.get(key)
        if chain is None:
            differences.append(f"{name}: the whole chain is missing (it had {count} events at the checkpoint)")
            continue
        station = ScanEvent.station_id.is_(None) if key == NO_ID else ScanEvent.station_id == key
        at = s.execute(select(ScanEvent.id, ScanEvent.hash).where(station, ScanEvent.chain_seq == count)
                       .order_by(ScanEvent.id).limit(1)).first()
        if at is None or chain.head_seq < count:
            differences.append(f"{name}: shortened: {count} events at the checkpoint, {chain.events} now")
        elif (at.id, at.hash) != (head["last_id"], head["last_hash"]):
            differences.append(f"{name}: changed: position {count} was event {head['last_id']} with hash "
                               f"{str(head['last_hash'])[:16]}, now event {at.id} with hash {str(at.hash)[:16]}")
    return differences
