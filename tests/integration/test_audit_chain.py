"""The tamper-evident audit trail: each bench's events chained by hash; ``packgate audit verify``
names the first event that was changed, removed or inserted out of order or without a hash; the
database refuses an unhashed event and a chain head deleted or moved back; ``audit checkpoint``
and ``audit verify --against`` catch what only the owner can do (SQLite and PostgreSQL).

Tampering needs what an attacker would do first: switch off the append-only triggers and guards."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import text

from app.cli import main
from app.models.audit_chain import verify
from app.models.schema import ScanEvent, Station

BENCHES = ("BENCH-A", "BENCH-B")


def add_events(services, bench: str | None, n: int) -> None:
    for i in range(n):
        with services.uow() as uow:
            s = uow.session
            station_id = s.scalar(text("SELECT id FROM stations WHERE name = :n"), {"n": bench}) if bench else None
            s.add(ScanEvent(at=services.clock(), station_id=station_id, raw=f"{bench}-{i}", kind="item",
                            accepted=i % 3 != 0, message=f"scan {i} at {bench}"))


@pytest.fixture
def trail(services):
    with services.uow() as uow:
        for name in BENCHES:
            uow.session.add(Station(name=name, created_at=services.clock()))
    for bench in (*BENCHES, None):
        add_events(services, bench, 6)
    return services


def tamper(services, *statements: str) -> None:
    """What the database's owner can do: switch the guards off, then edit."""
    with services.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for (name,) in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND ((tbl_name = 'scan_events' AND "
                    "name LIKE 'scan_events_no_%') OR tbl_name = 'audit_chain_heads')").all():
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
        else:
            conn.exec_driver_sql("ALTER TABLE scan_events DISABLE TRIGGER scan_events_append_only")
            conn.exec_driver_sql("ALTER TABLE scan_events DISABLE TRIGGER scan_events_no_unchained")
            conn.exec_driver_sql("ALTER TABLE audit_chain_heads DISABLE TRIGGER USER")
        for sql in statements:
            conn.exec_driver_sql(sql)


def ids(services, bench: str) -> list[int]:
    with services.engine.connect() as conn:
        return [i for (i,) in conn.exec_driver_sql(
            "SELECT e.id FROM scan_events e JOIN stations s ON s.id = e.station_id "
            f"WHERE s.name = '{bench}' ORDER BY e.id").all()]


def problems(services) -> dict[str, dict | None]:
    with services.read_uow() as uow:
        result = verify(uow.session)
    return {b.bench: b.problem for b in result.benches}


def test_an_untouched_trail_verifies(trail, capsys):
    found = problems(trail)
    assert found == {"BENCH-A": None, "BENCH-B": None, "(no bench)": None}
    assert main(["--db", trail.engine.url.render_as_string(hide_password=False),
                 "audit", "verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and {b["bench"]: b["events"] for b in report["benches"]} == {
        "BENCH-A": 6, "BENCH-B": 6, "(no bench)": 6}


def test_a_changed_event_is_named(trail):
    target = ids(trail, "BENCH-A")[2]
    tamper(trail, f"UPDATE scan_events SET accepted = NOT accepted WHERE id = {target}")
    found = problems(trail)
    assert found["BENCH-A"]["event_id"] == target and found["BENCH-A"]["what"].startswith("changed")
    assert found["BENCH-B"] is None and found["(no bench)"] is None  # benches are separate chains


def test_a_removed_event_is_named_by_its_successor(trail):
    a = ids(trail, "BENCH-B")
    tamper(trail, f"DELETE FROM scan_events WHERE id = {a[3]}")
    problem = problems(trail)["BENCH-B"]
    assert problem["event_id"] == a[4] and "1 event(s) removed before this one" in problem["what"]


def test_removing_the_newest_events_shows_at_the_end(trail):
    a = ids(trail, "BENCH-A")
    tamper(trail, f"DELETE FROM scan_events WHERE id IN ({a[-1]}, {a[-2]})")
    problem = problems(trail)["BENCH-A"]
    assert problem["event_id"] is None and "2 event(s) removed from the end" in problem["what"]


def test_inserted_events_are_named(trail):
    a = ids(trail, "BENCH-A")
    copy = ("INSERT INTO scan_events (at, station_id, user_id, order_id, manifest_id, raw, kind, accepted, message, "
            "reason, chain_seq, prev_hash, hash) SELECT at, station_id, user_id, order_id, manifest_id, 'FORGED', kind, "
            f"accepted, message, reason, {{seq}}, prev_hash, hash FROM scan_events WHERE id = {a[1]}")
    tamper(trail, copy.format(seq="chain_seq"))
    problem = problems(trail)["BENCH-A"]
    assert problem["event_id"] > a[-1] and "inserted out of order" in problem["what"]


def test_an_event_without_a_chain_is_named(trail, capsys):
    a = ids(trail, "BENCH-A")
    tamper(trail, "INSERT INTO scan_events (at, station_id, raw, kind, accepted, message, reason) SELECT at, "
                  f"station_id, 'FORGED', kind, accepted, 'forged', '' FROM scan_events WHERE id = {a[0]}")
    problem = problems(trail)["BENCH-A"]
    assert problem["event_id"] > a[-1] and "inserted outside the chain" in problem["what"]
    url = trail.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "BENCH-A: BROKEN at position" in out and "audit trail TAMPERED" in out and "BENCH-B: ok" in out


def test_writers_at_one_bench_never_fork_its_chain(trail):
    """Two writers at the same bench at once (PostgreSQL really runs them concurrently): the chain's
    head row orders them, so the chain stays one line."""
    threads = [threading.Thread(target=add_events, args=(trail, "BENCH-A", 15)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems(trail)["BENCH-A"] is None
    assert len(ids(trail, "BENCH-A")) == 36


def key_of(services, bench: str) -> int:
    with services.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT id FROM stations WHERE name = '{bench}'").scalar_one()


def audit(services, *args: str) -> int:
    return main(["--db", services.engine.url.render_as_string(hide_password=False), "audit", *args])


def test_the_database_refuses_an_unhashed_event_and_a_head_moved_back(trail):
    """Who may only INSERT (a bench's database role, a script) cannot add an event around the chain,
    nor delete a chain's head or move it back."""
    a = ids(trail, "BENCH-A")
    for sql in ("INSERT INTO scan_events (id, at, station_id, raw, kind, accepted, message, reason) SELECT -1, at, "
                f"station_id, 'SF1400000000666', 'waybill', true, 'forged', '' FROM scan_events WHERE id = {a[0]}",
                f"DELETE FROM audit_chain_heads WHERE bench_key = {key_of(trail, 'BENCH-A')}",
                f"UPDATE audit_chain_heads SET seq = seq - 2 WHERE bench_key = {key_of(trail, 'BENCH-A')}"):
        with pytest.raises(Exception, match="chain link|chain head"), trail.engine.begin() as conn:  # noqa: B017
            conn.exec_driver_sql(sql)
    assert problems(trail)["BENCH-A"] is None


def test_an_unhashed_event_with_a_low_id_is_named(trail):
    """The owner slips an unhashed event in before the chain's first (id -1): it is not taken for an
    event older than the chain."""
    a = ids(trail, "BENCH-A")
    tamper(trail, "INSERT INTO scan_events (id, at, station_id, raw, kind, accepted, message, reason) SELECT -1, at, "
                  f"station_id, 'SF1400000000666', 'waybill', true, 'forged', '' FROM scan_events WHERE id = {a[0]}")
    problem = problems(trail)["BENCH-A"]
    assert problem["event_id"] == -1 and "inserted outside the chain" in problem["what"]


def test_removing_the_newest_events_with_their_head_is_named(trail):
    a = ids(trail, "BENCH-A")
    tamper(trail, f"DELETE FROM scan_events WHERE id IN ({a[-1]}, {a[-2]})",
           f"DELETE FROM audit_chain_heads WHERE bench_key = {key_of(trail, 'BENCH-A')}")
    problem = problems(trail)["BENCH-A"]
    assert problem["event_id"] is None and "head row was removed" in problem["what"]


def checkpoint_file(services, tmp_path, capsys):
    assert audit(services, "checkpoint") == 0
    data = json.loads(capsys.readouterr().out)
    path = tmp_path / "heads.json"
    path.write_text(json.dumps(data))
    return data, path


def test_a_checkpoint_names_every_chain_and_verifies_against_an_untouched_trail(trail, tmp_path, capsys):
    data, path = checkpoint_file(trail, tmp_path, capsys)
    heads = {c["station"]: c for c in data["chains"]}
    a = ids(trail, "BENCH-A")
    assert set(heads) == {"BENCH-A", "BENCH-B", "(no bench)"}
    assert heads["BENCH-A"]["count"] == 6 and heads["BENCH-A"]["last_id"] == a[-1]
    assert len(heads["BENCH-A"]["last_hash"]) == 64
    add_events(trail, "BENCH-A", 3)  # the trail grows after the checkpoint: still fine
    assert audit(trail, "verify", "--against", str(path)) == 0
    assert "every head of" in capsys.readouterr().out


def test_a_tail_removed_with_its_head_rewritten_fails_against_the_checkpoint(trail, tmp_path, capsys):
    """The owner removes the newest events and sets the head to the event now last: the database
    alone cannot tell; the checkpoint kept elsewhere can."""
    _, path = checkpoint_file(trail, tmp_path, capsys)
    a = ids(trail, "BENCH-A")
    tamper(trail, f"DELETE FROM scan_events WHERE id IN ({a[-1]}, {a[-2]})",
           "UPDATE audit_chain_heads SET seq = 4, last_hash = (SELECT hash FROM scan_events WHERE id = "
           f"{a[-3]}) WHERE bench_key = {key_of(trail, 'BENCH-A')}")
    assert problems(trail)["BENCH-A"] is None  # the chain itself is whole
    assert audit(trail, "verify", "--against", str(path)) == 1
    out = capsys.readouterr().out
    assert "BENCH-A: shortened: 6 events at the checkpoint, 4 now" in out and "audit trail TAMPERED" in out


def test_a_whole_chain_removed_with_its_head_fails_against_the_checkpoint(trail, tmp_path, capsys):
    _, path = checkpoint_file(trail, tmp_path, capsys)
    key = key_of(trail, "BENCH-B")
    tamper(trail, f"DELETE FROM scan_events WHERE station_id = {key}",
           f"DELETE FROM audit_chain_heads WHERE bench_key = {key}")
    assert "BENCH-B" not in problems(trail)
    assert audit(trail, "verify", "--against", str(path), "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["ok"] and report["against_checkpoint"] == [
        "BENCH-B: the whole chain is missing (it had 6 events at the checkpoint)"]
    add_events(trail, "BENCH-B", 6)  # a new chain of the same length in its place: another event there
    assert audit(trail, "verify", "--against", str(path)) == 1
    assert "BENCH-B: changed: position 6 was event" in capsys.readouterr().out


def test_no_checkpoint_of_a_broken_trail_and_a_bad_file_is_one_line(trail, tmp_path, capsys):
    bad = tmp_path / "not-a-checkpoint.json"
    bad.write_text("{}")
    assert audit(trail, "verify", "--against", str(bad)) == 2
    assert "is not a checkpoint" in capsys.readouterr().err
    a = ids(trail, "BENCH-A")
    tamper(trail, f"DELETE FROM scan_events WHERE id = {a[2]}")
    assert audit(trail, "checkpoint") == 1
    assert "no checkpoint made" in capsys.readouterr().err


def test_a_writer_reads_its_head_again_only_when_someone_else_moved_it(trail):
    """The head an engine wrote last is checked in its UPDATE instead of read first (one round trip
    less on every scan). Another process's event at the same bench, or an event rolled back, makes
    that UPDATE match nothing: the head is read under its lock again and the chain stays one line."""
    from sqlalchemy import event

    from app.bootstrap import bootstrap
    from app.config import Settings

    heads: list[str] = []

    def seen(conn, cursor, statement, params, context, executemany):
        if "audit_chain_heads" in statement:
            heads.append(statement.split()[0].upper())

    event.listen(trail.engine, "before_cursor_execute", seen)
    try:
        add_events(trail, "BENCH-A", 1)
        heads.clear()
        add_events(trail, "BENCH-A", 2)
        assert heads == ["UPDATE", "UPDATE"]  # not a SELECT of the head
        other = bootstrap(trail.db_url, Settings(station="OTHER"))  # another process's engine
        try:
            add_events(other, "BENCH-A", 2)
        finally:
            other.close()
        heads.clear()
        add_events(trail, "BENCH-A", 1)
        assert heads == ["UPDATE", "SELECT", "UPDATE"]  # the known head was stale: read again
        with pytest.raises(RuntimeError), trail.uow() as uow:
            uow.session.add(ScanEvent(at=trail.clock(), station_id=key_of(trail, "BENCH-A"), raw="gone", kind="item",
                                      accepted=True, message="rolled back"))
            uow.session.flush()
            raise RuntimeError("the scan's transaction fails after its event was linked")
        heads.clear()
        add_events(trail, "BENCH-A", 1)
        assert heads == ["UPDATE", "SELECT", "UPDATE"]
    finally:
        event.remove(trail.engine, "before_cursor_execute", seen)
    assert problems(trail)["BENCH-A"] is None
    assert len(ids(trail, "BENCH-A")) == 6 + 1 + 2 + 2 + 1 + 1


def core_events(services, bench: str, n: int) -> None:
    """Events as the scan path writes them: plain rows through ``audit_chain.add_events``, one or
    two per transaction (a scan and its print intent)."""
    from app.models.audit_chain import add_events as add_rows

    for i in range(n):
        with services.uow() as uow:
            station_id = uow.session.scalar(text("SELECT id FROM stations WHERE name = :n"), {"n": bench})
            add_rows(uow.session, [{"at": services.clock(), "station_id": station_id, "raw": f"core-{i}-{k}",
                                    "kind": "item", "accepted": True, "message": f"core {i}.{k}"}
                                   for k in range(1 + i % 2)])


def test_the_scan_paths_events_follow_a_known_head_in_one_statement_and_never_twice(trail):
    """PostgreSQL moves the known head and inserts the scan's events in one statement (one round
    trip); SQLite in two. When another engine moved the head, or a transaction was rolled back,
    that statement writes nothing and the events are linked again from the head read under its
    lock: the chain stays one line and no event is written twice."""
    from sqlalchemy import event

    from app.bootstrap import bootstrap
    from app.config import Settings

    statements: list[str] = []

    def seen(conn, cursor, statement, params, context, executemany):
        if "audit_chain_heads" in statement or "scan_events" in statement:
            statements.append(" ".join(statement.split()[:3]).upper())

    pg = trail.engine.dialect.name == "postgresql"
    core_events(trail, "BENCH-A", 1)  # this engine now knows the head
    event.listen(trail.engine, "before_cursor_execute", seen)
    try:
        core_events(trail, "BENCH-A", 2)  # one event, then two
        writes = [s for s in statements if not s.startswith("SELECT ID FROM")]
        assert writes == (["WITH MOVED AS"] * 2 if pg else ["UPDATE AUDIT_CHAIN_HEADS SET", "INSERT INTO SCAN_EVENTS"] * 2)
        other = bootstrap(trail.db_url, Settings(station="OTHER"))  # another process's engine
        try:
            core_events(other, "BENCH-A", 2)
        finally:
            other.close()
        statements.clear()
        core_events(trail, "BENCH-A", 1)
        writes = [s.split()[0] for s in statements if not s.startswith("SELECT ID FROM")]
        # the known head was stale: nothing written by the first try, then read under its lock
        assert writes == (["WITH", "SELECT", "UPDATE", "INSERT"] if pg else ["UPDATE", "SELECT", "UPDATE", "INSERT"])
        with pytest.raises(RuntimeError), trail.uow() as uow:
            core_events_in(uow.session, trail, "BENCH-A")
            raise RuntimeError("the scan's transaction fails after its event was written")
        statements.clear()
        core_events(trail, "BENCH-A", 1)
        writes = [s.split()[0] for s in statements if not s.startswith("SELECT ID FROM")]
        assert writes == (["WITH", "SELECT", "UPDATE", "INSERT"] if pg else ["UPDATE", "SELECT", "UPDATE", "INSERT"])
    finally:
        event.remove(trail.engine, "before_cursor_execute", seen)
    assert problems(trail)["BENCH-A"] is None
    with trail.engine.connect() as conn:
        raws = [r for (r,) in conn.execute(text(
            "SELECT e.raw FROM scan_events e JOIN stations s ON s.id = e.station_id "
            "WHERE s.name = 'BENCH-A' AND e.raw LIKE 'core-%' ORDER BY e.chain_seq")).all()]
    # 1 + (1 + 2) + other's (1 + 2) + 1 + 1 events, each once, in the order they were written
    assert raws == ["core-0-0", "core-0-0", "core-1-0", "core-1-1", "core-0-0", "core-1-0", "core-1-1",
                    "core-0-0", "core-0-0"]
    assert len(ids(trail, "BENCH-A")) == 6 + 9


def core_events_in(session, services, bench: str) -> None:
    from app.models.audit_chain import add_events as add_rows

    station_id = session.scalar(text("SELECT id FROM stations WHERE name = :n"), {"n": bench})
    add_rows(session, [{"at": services.clock(), "station_id": station_id, "raw": "rolled back", "kind": "item",
                        "accepted": True, "message": "gone"}])
