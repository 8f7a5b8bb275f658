"""A hostile bench against the server's evidence store (issue 18): it cannot make the server read a
file it names, index clips of another bench's order or block its export, fill the server's disk, or
overwrite another bench's stored clip. Real server processes on loopback where a bench attacks."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import text

from app.cli import main
from app.client.evidence import Uploader
from app.client.remote import enrol
from app.evidence import clipfile
from app.evidence.commands import RecorderProblem
from app.evidence.journal import ClipJournal
from app.evidence.store import EvidenceStore, NoRoom, put_clip, station_folder
from tests.integration.evidence.recorder_helpers import opened_at
from tests.integration.evidence.test_upload import (  # noqa: F401 - fixtures
    STATION,
    find_at_server,
    journaled_clip,
    link,
    opened_through,
    partial_size,
    server,
    store,
    wait_until,
)
from tests.integration.test_server import code_for, demo_db, start_server  # noqa: F401 - fixture
from tests.integration.test_server_desk import PIN, SUPERVISOR, desk_through

SECRET = b"platform secret: do not leave the server"
T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def row(order_no: str, path: str, **over) -> dict:
    base = {"order_no": order_no, "packer": "p", "path": path, "started_at": T0, "fps": 15,
            "width": 320, "height": 240, "frames": 30, "bytes": 1000, "sha256": "", "state": "complete",
            "waybills": []}
    return {**base, **over}


def put_row(srv, token: str, key: str, body: dict) -> httpx.Response:
    return httpx.put(f"{srv.url}/api/v1/clips/{key}", json={**body, "started_at": body["started_at"].isoformat()},
                     headers={"Authorization": f"Bearer {token}"})


# ------------------------------------------------------------------------- 1: no file a bench names


def test_the_server_never_reads_a_file_a_bench_names(server, link, tmp_path, capsys):  # noqa: F811
    secret = tmp_path / "server-home" / "platform-secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_bytes(SECRET)
    # The attack: an index row of the bench's own order naming a file of the server, no checksum.
    r = put_row(server, link.token, "e" * 32, row("PDD-1001", str(secret)))
    assert r.status_code == 200 and r.json()["path"] is None
    [clip] = find_at_server(server.db_url, "PDD-1001", capsys)
    assert clip["path"] == "" and clip["bench_path"] == str(secret)  # a name to show, never a file here

    desk = desk_through(server, "DESK-X", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    headers = {"Authorization": f"Bearer {desk.link.token}", "X-Desk-Session": desk.session}
    r = httpx.post(f"{server.url}/api/v1/desk/evidence", json={"text": "PDD-1001"}, headers=headers)
    assert r.status_code == 409 and "not uploaded yet" in r.json()["detail"]["text"], r.text
    assert SECRET not in r.content
    r = httpx.get(f"{server.url}/api/v1/desk/clips/{clip['id']}/file", headers=headers)
    assert r.status_code == 409 and SECRET not in r.content
    desk.close()
    out = tmp_path / "cli-export"
    assert main(["--db", server.db_url, "evidence", "export", "PDD-1001", "--out", str(out)]) != 0
    assert not out.exists() or not any(SECRET in p.read_bytes() for p in out.rglob("*") if p.is_file())
    # The database itself refuses a bench's row naming a file the server did not store.
    from app.models import db

    engine = db.make_engine(server.db_url)
    try:
        with pytest.raises(Exception), engine.begin() as conn:  # noqa: B017, PT011 - the driver's IntegrityError
            conn.execute(text("UPDATE evidence_clips SET path = :p WHERE bench_key IS NOT NULL"), {"p": str(secret)})
    finally:
        engine.dispose()


def test_the_desk_exports_only_what_the_server_stored_and_verified(server, link, store, tmp_path, capsys):  # noqa: F811
    folder = tmp_path / "bench-evidence"
    journaled_clip(folder, "PDD-1001", waybills=("SF1400000000000",), seconds=1.0)
    events: list = []
    uploader = Uploader(link, ClipJournal(folder, STATION), on_event=events.append)
    uploader.run_once()
    uploader.stop()
    [uploaded] = events
    stored = Path(uploaded.server_path)
    desk = desk_through(server, "DESK-Y", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    headers = {"Authorization": f"Bearer {desk.link.token}", "X-Desk-Session": desk.session}
    r = httpx.post(f"{server.url}/api/v1/desk/evidence", json={"text": "SF1400000000000"}, headers=headers)
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        manifest = json.loads(z.read("export.json"))
        [name] = manifest["clips"]
        assert hashlib.sha256(z.read(name)).hexdigest() == uploaded.sha256
    # The stored file changed behind the server's back: refused, never handed over as evidence.
    stored.write_bytes(SECRET)
    r = httpx.post(f"{server.url}/api/v1/desk/evidence", json={"text": "SF1400000000000"}, headers=headers)
    assert r.status_code == 409 and "SHA-256" in r.json()["detail"]["text"] and SECRET not in r.content
    desk.close()


# ------------------------------------------------------------------------- 2: only the bench's own orders


def test_a_bench_cannot_index_clips_of_another_benchs_order_nor_block_its_export(server, link, store, tmp_path,  # noqa: F811
                                                                               capsys):
    other = enrol(server.url, "BENCH-V", code_for(server.db_url, "BENCH-V", capsys))
    opened_through(other, ("PDD-1002",))
    # PDD-1001 was opened at BENCH-U only: BENCH-V plants nothing on it, nor on its waybill.
    r = put_row(server, other.token, "f" * 32, row("PDD-1001", "/bench/x.mp4", bytes=10**6))
    assert r.status_code == 403 and "not opened at bench BENCH-V" in r.json()["detail"]
    r = put_row(server, other.token, "f" * 32, row("PDD-1002", "/bench/x.mp4", waybills=["SF1400000000000"]))
    assert r.status_code == 403 and "SF1400000000000" in r.json()["detail"]
    r = put_row(server, other.token, "f" * 32, row("PDD-2999", "/bench/x.mp4"))  # an order that does not exist
    assert r.status_code == 403
    assert find_at_server(server.db_url, "PDD-1002", capsys) == []  # the refusals changed nothing
    # A row of its own order first, then moved to another's: refused too, the row stays its own.
    assert put_row(server, other.token, "f" * 32, row("PDD-1002", "/bench/x.mp4")).status_code == 200
    assert put_row(server, other.token, "f" * 32, row("PDD-1001", "/bench/x.mp4")).status_code == 403
    assert [c["station"] for c in find_at_server(server.db_url, "PDD-1002", capsys)] == ["BENCH-V"]

    folder = tmp_path / "bench-evidence"
    journaled_clip(folder, "PDD-1001", waybills=("SF1400000000000",), seconds=1.0)
    Uploader(link, ClipJournal(folder, STATION)).run_once()
    desk = desk_through(server, "DESK-Z", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    result = desk.export_evidence("SF1400000000000", tmp_path / "export")  # nothing of BENCH-V's in the way
    assert result["order_no"] == "PDD-1001" and len(result["clips"]) == 1
    # A bench that once opened the order too (before a take-back) and plants a row that never
    # uploads: the export still gives the verified clip and names the one that is not there.
    opened_through(other, ("PDD-1001",))
    assert put_row(server, other.token, "e" * 32, row("PDD-1001", "/bench/never.mp4", bytes=10**6)).status_code == 200
    result = desk.export_evidence("PDD-1001", tmp_path / "export-2")
    assert len(result["clips"]) == 1 and result["not_uploaded"] == [{"station": "BENCH-V", "state": "complete"}]
    desk.close()


def test_the_uploader_keeps_a_clip_the_server_refuses_to_index_and_goes_on(server, link, tmp_path):  # noqa: F811
    folder = tmp_path / "bench-evidence"
    kept = journaled_clip(folder, "PDD-1008", seconds=1.0)  # never opened at this bench
    journaled_clip(folder, "PDD-1002", seconds=1.0)
    events: list = []
    uploader = Uploader(link, ClipJournal(folder, STATION), on_event=events.append)
    uploader.run_once()
    uploader.stop()
    problems = [e for e in events if isinstance(e, RecorderProblem)]
    assert len(problems) == 1 and "PDD-1008" in problems[0].text and "not opened" in problems[0].text
    assert [e.order_no for e in events if not isinstance(e, RecorderProblem)] == ["PDD-1002"]
    assert kept.exists()


# ------------------------------------------------------------------------- 5: the server's disk


def test_a_bench_cannot_fill_the_servers_disk(demo_db, tmp_path, capsys):  # noqa: F811
    from app.config import Settings

    home, store = tmp_path / "server-home", tmp_path / "store"  # noqa: F811
    (home / "config").mkdir(parents=True)
    Settings(upload_quota_mb=1).save(home / "config" / "settings.json")
    stale = store / ".partial" / f"{'0' * 32}-{station_folder('BENCH-GONE')}.part"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by a bench that never came back")
    os.utime(stale, (1_600_000_000, 1_600_000_000))  # 2020: far past upload_expire_hours
    srv = start_server(demo_db, home, "--evidence", str(store), "--no-sender")
    try:
        wait_until(lambda: not stale.exists(), "the server deletes a stale unfinished upload at start")
        bench = enrol(srv.url, STATION, code_for(demo_db, STATION, capsys))
        opened_through(bench, ("PDD-1001", "PDD-1002", "PDD-1003"))
        auth = {"Authorization": f"Bearer {bench.token}"}
        huge, half, more = "1" * 32, "2" * 32, "3" * 32
        assert put_row(srv, bench.token, huge, row("PDD-1001", "/b/1.mp4", bytes=10 * 2**40)).status_code == 200
        r = httpx.put(f"{srv.url}/api/v1/clips/{huge}/upload", params={"offset": 0}, content=b"x" * 1024, headers=auth)
        assert r.status_code == 507 and "MB" in r.json()["detail"]  # 10 TB declared: refused before a byte
        assert partial_size(store) is None
        assert put_row(srv, bench.token, half, row("PDD-1002", "/b/2.mp4", bytes=700_000)).status_code == 200
        r = httpx.put(f"{srv.url}/api/v1/clips/{half}/upload", params={"offset": 0}, content=b"x" * 400_000,
                      headers=auth)
        assert r.status_code == 200
        assert put_row(srv, bench.token, more, row("PDD-1003", "/b/3.mp4", bytes=700_000)).status_code == 200
        r = httpx.put(f"{srv.url}/api/v1/clips/{more}/upload", params={"offset": 0}, content=b"x" * 1024, headers=auth)
        assert r.status_code == 507 and "unfinished uploads" in r.json()["detail"]  # past the bench's quota
        assert partial_size(store) == 400_000  # only the first one's bytes
    finally:
        srv.stop()


def test_unfinished_uploads_expire_by_the_given_clock_and_the_disk_keeps_its_reserve(services, tmp_path):
    from app.demo import seed_demo
    from app.packing.workflow import BenchWorkflow

    seed_demo(services)
    opened_at(BenchWorkflow(services, "BENCH-A").handle, "PDD-1001")
    free = SimpleNamespace(free=3 * 2**20)
    store = EvidenceStore(tmp_path / "store", reserve_bytes=2**20, disk_usage=lambda _p: free)  # noqa: F811
    with services.uow() as uow:
        put_clip(uow.session, "BENCH-A", "a" * 32, row("PDD-1001", "/b/a.mp4", bytes=3 * 2**20))
    with services.read_uow() as uow:
        with pytest.raises(NoRoom, match="keeps 1 MB"):  # 3 MB more on a disk with 3 MB free: below the reserve
            store.append(uow.session, "BENCH-A", "a" * 32, 0, b"x" * 1000)
        free.free = 5 * 2**20
        assert store.append(uow.session, "BENCH-A", "a" * 32, 0, b"x" * 1000) == 1000
    part = store.partial("BENCH-A", "a" * 32)
    touched = part.stat().st_mtime
    now = datetime.fromtimestamp(touched, UTC)
    assert store.expire_partials(now + timedelta(hours=23), 24 * 3600) == [] and part.exists()
    assert store.expire_partials(now + timedelta(hours=25), 24 * 3600) == [part] and not part.exists()


# ------------------------------------------------------------------------- 12: never overwritten


def test_benches_whose_names_look_alike_never_overwrite_each_others_clips(services, tmp_path):
    from app.demo import seed_demo
    from app.packing.workflow import BenchWorkflow

    seed_demo(services)
    key = "c" * 32  # the same key and the same file name at two benches: one plain name, "_"
    for station in ("一号台", "二号台"):
        opened_at(BenchWorkflow(services, station).handle, "PDD-1001")
    store = EvidenceStore(tmp_path / "store")  # noqa: F811
    stored = {}
    for station in ("一号台", "二号台"):
        data = f"the clip of {station}".encode() * 1000
        sha = hashlib.sha256(data).hexdigest()
        with services.uow() as uow:
            put_clip(uow.session, station, key, row("PDD-1001", "/bench/PDD-1001_x.mp4", bytes=len(data), sha256=sha))
        with services.read_uow() as uow:
            assert store.append(uow.session, station, key, 0, data) == len(data)  # its own partial upload
        stored[station] = (Path(store.verify(services.uow, station, key, sha, T0)), data)
    (one, one_data), (two, two_data) = stored["一号台"], stored["二号台"]
    assert one.parent.parent != two.parent.parent  # a folder per bench
    assert one.read_bytes() == one_data and two.read_bytes() == two_data
    # A name already taken in the bench's folder (a file put there by hand, another clip): kept as it is.
    data = b"a second clip with the same name" * 100
    sha = hashlib.sha256(data).hexdigest()
    with services.uow() as uow:
        put_clip(uow.session, "一号台", "d" * 32, row("PDD-1001", "/bench/PDD-1001_x.mp4", bytes=len(data), sha256=sha))
    (one.parent / f"PDD-1001_x-{'d' * 8}.mp4").write_bytes(b"taken")
    with services.read_uow() as uow:
        store.append(uow.session, "一号台", "d" * 32, 0, data)
    third = Path(store.verify(services.uow, "一号台", "d" * 32, sha, T0))
    assert third not in (one, one.parent / f"PDD-1001_x-{'d' * 8}.mp4") and third.read_bytes() == data
    assert one.read_bytes() == one_data and (one.parent / f"PDD-1001_x-{'d' * 8}.mp4").read_bytes() == b"taken"
    assert clipfile.sha256_file(two) == hashlib.sha256(two_data).hexdigest()
