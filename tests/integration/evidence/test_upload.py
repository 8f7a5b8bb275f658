"""Clips of a bench behind the PackGate server: indexed at the server through the bench's journal,
uploaded to the server's evidence store (resumable, SHA-256 verified), the bench's copy deleted only
after the server confirmed it. Real server processes on loopback, the test camera, small clips."""

from __future__ import annotations

import json
import os
import queue
import signal
import threading
import time
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import httpx
import pytest

from app.cli import main
from app.client.evidence import Unreachable, Uploader
from app.client.remote import enrol
from app.evidence import clipfile
from app.evidence.commands import (
    AddWaybill,
    CameraState,
    ClipEnded,
    ClipStarted,
    ClipUploaded,
    Mark,
    RecorderProblem,
    StartClip,
    StopClip,
    Tick,
)
from app.evidence.journal import ClipJournal, JournalIndex, sidecar
from app.evidence.recorder import Recorder
from tests.integration.evidence.recorder_helpers import HANG_S, Events, config, opened_at, ticks, wait_on_disk
from tests.integration.test_server import Paper, Server, code_for, demo_db, start_server  # noqa: F401 - fixture

STATION = "BENCH-U"
CHUNK = 16 * 1024
DEADLINE_S = HANG_S  # only a hang fails: the uploader runs in the recorder, at nice 10


@pytest.fixture
def store(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def server(demo_db, tmp_path, store):  # noqa: F811 - demo_db is the fixture imported above
    srv = start_server(demo_db, tmp_path / "server-home", "--evidence", str(store), "--no-sender")
    yield srv
    srv.stop()


OPENED = ("PDD-1001", "PDD-1002", "PDD-1003", "PDD-1004", "PDD-1005", "PDD-1006", "PDD-1007", "PDD-1009")


def opened_through(link, order_nos: tuple[str, ...] = OPENED) -> None:
    """The bench opens its orders through the server, as before it records them."""
    from app.client.remote import RemoteBench

    bench = RemoteBench(link, Paper(), timeout=10)
    try:
        opened_at(bench.handle, *order_nos)
    finally:
        bench.close()


@pytest.fixture
def link(server, capsys):
    link = enrol(server.url, STATION, code_for(server.db_url, STATION, capsys))
    opened_through(link)
    return link


def find_at_server(db_url: str, text: str, capsys) -> list[dict]:
    """``packgate evidence find TEXT --json`` on the server's database, each clip with the rest of its
    index row (marks, upload time) beside the documented keys."""
    from app.evidence.index import FIND_KEYS, find_clips
    from app.models import db

    capsys.readouterr()
    code = main(["--db", db_url, "evidence", "find", text, "--json"])
    found = json.loads(capsys.readouterr().out)
    assert code == (0 if found else 1)
    engine = db.make_engine(db_url)
    try:
        with db.session_factory(engine)() as session:
            rows = find_clips(session, text)
    finally:
        engine.dispose()
    assert [{k: r[k] for k in FIND_KEYS} for r in rows] == found
    return rows


def journaled_clip(folder: Path, order_no: str, waybills=(), seconds: float = 3.0,
                   marks=({"t": 0.5, "kind": "item", "accepted": True, "code": "6901234567892", "text": "ok"},)):
    """A finished clip of this bench in its journal, as the recorder leaves it (no recorder process)."""
    import av

    index = JournalIndex(ClipJournal(folder, STATION))
    started = datetime.now(UTC)
    day = folder / clipfile.safe_part(STATION) / started.astimezone().strftime("%Y-%m-%d")
    day.mkdir(parents=True, exist_ok=True)
    path = day / clipfile.clip_name(order_no, tuple(waybills), started.astimezone())
    handle = index.create(order_no=order_no, packer="李娜", path=path, started_at=started, fps=15, width=320,
                          height=240, waybills=tuple(waybills))
    frames = int(seconds * 15)
    with av.open("testsrc2=size=320x240:rate=15", format="lavfi") as source, \
            av.open(str(path), "w", format="mp4", options={"movflags": "frag_keyframe+empty_moov+default_base_moof"}) as out:
        stream = out.add_stream("libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.options = {"preset": "ultrafast", "g": "15", "crf": "18"}
        for i, frame in enumerate(source.decode(video=0)):
            if i >= frames:
                break
            frame.pts, frame.time_base = i, Fraction(1, 15)
            for packet in stream.encode(frame.reformat(format="yuv420p")):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    index.finish(handle, state="complete", end_reason="packed", frames=frames, bytes=path.stat().st_size,
                 sha256=clipfile.sha256_file(path), marks=list(marks), ended_at=datetime.now(UTC))
    return path


def wait_until(condition, what: str, timeout: float = DEADLINE_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = condition()
        if got:
            return got
        time.sleep(0.02)  # polling another process or thread for a condition, with a deadline
    raise AssertionError(f"not within {timeout} s: {what}")


def partial_size(store: Path) -> int | None:
    parts = list((store / ".partial").glob("*.part"))
    return parts[0].stat().st_size if parts else None


def record_one(rec: Recorder, events: Events, order_no: str, waybill: str) -> ClipEnded:
    """A clip on a stepped recorder (``config(..., stepped=True)``): a second of packing and the tail."""
    rec.send(StartClip(order_no, STATION, "李娜 Li Na", ()))
    rec.send(Mark("item", True, "6901234567892", "accepted"))
    rec.send(Tick(ticks(1.2)))  # a second of packing on video
    rec.send(Mark("waybill", True, waybill, "linked"))
    rec.send(AddWaybill(waybill))
    rec.send(StopClip(0.3, "packed"))
    rec.send(Tick(ticks(0.3) + 2))
    events.wait(ClipStarted)
    return events.wait(ClipEnded)


# ---------------------------------------------------------------------------------------------- tests


def test_a_clip_recorded_behind_the_server_is_indexed_there_and_uploaded(server, link, store, tmp_path, recorders,
                                                                        capsys):
    folder = tmp_path / "bench-evidence"
    rec, events = recorders(config(folder, station=STATION, link=link, upload_retry_s=0.1, upload_chunk=CHUNK,
                                   stepped=True))
    events.wait(CameraState, where=lambda e: e.ok)
    ended = record_one(rec, events, "PDD-1001", "SF1400000000000")
    assert ended.state == "complete"
    bench_path = Path(ended.path)

    uploaded = events.wait(ClipUploaded, timeout=DEADLINE_S)

    assert uploaded.sha256 == ended.sha256 and uploaded.bench_path == str(bench_path)
    server_path = Path(uploaded.server_path)
    assert server_path.is_relative_to(store.resolve()) and server_path.exists()
    assert clipfile.sha256_file(server_path) == ended.sha256
    assert (server_path.stat().st_mode & 0o777) == 0o600  # owner-only, like the database
    assert not bench_path.exists() and not sidecar(bench_path).exists()  # the bench's copy went after that
    [clip] = find_at_server(server.db_url, "SF1400000000000", capsys)
    assert clip["path"] == str(server_path) and clip["sha256"] == ended.sha256
    assert clip["station"] == STATION and clip["order_no"] == "PDD-1001" and clip["state"] == "complete"
    assert clip["waybills"] == ["SF1400000000000"] and clip["packer"] == "李娜 Li Na"
    assert abs(clip["duration_s"] - ended.duration_s) < 0.01
    assert main(["--db", server.db_url, "evidence", "find", "PDD-1001", "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)[0]
    assert detail["path"] == str(server_path)
    # The server PC gives the evidence from its store: the clip (checked against its SHA-256) and the sheet.
    out = tmp_path / "export"
    assert main(["--db", server.db_url, "evidence", "export", "SF1400000000000", "--out", str(out)]) == 0
    [copied] = out.rglob("*.mp4")
    assert clipfile.sha256_file(copied) == ended.sha256 and list(out.rglob("evidence-PDD-1001.pdf"))


def test_an_upload_cut_by_a_server_stop_goes_on_from_the_servers_offset(server, link, store, tmp_path, capsys):
    folder = tmp_path / "bench-evidence"
    path = journaled_clip(folder, "PDD-1002")
    size = path.stat().st_size
    assert size > 6 * CHUNK
    offsets: list[int] = []
    stopped = threading.Event()
    got: queue.Queue = queue.Queue()

    def progress(key, offset, total):
        offsets.append(offset)
        if offset >= 3 * CHUNK and not stopped.is_set():
            server.stop()  # the server goes away in the middle of the upload
            stopped.set()

    uploader = Uploader(link, ClipJournal(folder, STATION), chunk=CHUNK, retry_s=0.05, retry_max_s=0.2,
                        on_event=got.put, on_progress=progress)
    uploader.start()
    try:
        assert stopped.wait(DEADLINE_S)
        cut_at = offsets[-1]
        assert partial_size(store) == cut_at  # what the server kept of it
        wait_until(lambda: uploader.failures >= 2, "the uploader tries again while the server is down")
        assert path.exists()
        server.restart()
        event = got.get(timeout=DEADLINE_S)
    finally:
        uploader.stop()

    assert isinstance(event, ClipUploaded)
    after = offsets[offsets.index(cut_at) + 1:]
    assert after[0] == min(cut_at + CHUNK, size)  # went on from the server's offset, not from 0
    assert offsets == sorted(offsets) and len(offsets) == len(set(offsets)) == -(-size // CHUNK)  # nothing twice
    assert clipfile.sha256_file(Path(event.server_path)) == event.sha256
    assert not path.exists()
    [clip] = find_at_server(server.db_url, "PDD-1002", capsys)
    assert clip["path"] == event.server_path and clip["marks"][0]["code"] == "6901234567892"


def test_a_bench_restarted_mid_upload_finds_the_clip_and_goes_on_from_the_servers_offset(server, link, store,
                                                                                       tmp_path):
    folder = tmp_path / "bench-evidence"
    path = journaled_clip(folder, "PDD-1003")
    size = path.stat().st_size
    first: list[int] = []
    one = Uploader(link, ClipJournal(folder, STATION), chunk=CHUNK, retry_s=0.05)

    def cut(key, offset, total):
        first.append(offset)
        if len(first) == 2:
            one._halt.set()  # the bench is closed after two chunks

    one.on_progress = cut
    one.run_once()
    one.stop()
    assert first == [CHUNK, 2 * CHUNK] and partial_size(store) == 2 * CHUNK and path.exists()

    again: list[int] = []
    events: list = []
    two = Uploader(link, ClipJournal(folder, STATION), chunk=CHUNK,  # a new process: only the folder is known
                   on_progress=lambda k, o, s: again.append(o), on_event=events.append)
    two.run_once()
    two.stop()

    assert again[0] == 3 * CHUNK and again[-1] == size  # from the server's offset on, to the end
    [uploaded] = events
    assert isinstance(uploaded, ClipUploaded) and not path.exists()
    assert clipfile.sha256_file(Path(uploaded.server_path)) == uploaded.sha256


def test_the_bench_keeps_its_copy_until_the_server_confirmed_the_checksum(server, link, store, tmp_path, capsys):
    folder = tmp_path / "bench-evidence"
    path = journaled_clip(folder, "PDD-1004")
    size = path.stat().st_size

    def stop_before_confirmation(key, offset, total):
        if offset == total:
            server.stop()  # every byte sent, no answer to the checksum yet

    uploader = Uploader(link, ClipJournal(folder, STATION), chunk=CHUNK, on_progress=stop_before_confirmation)
    with pytest.raises(Unreachable):
        uploader.run_once()
    assert path.exists() and sidecar(path).exists()  # no confirmation: nothing deleted
    assert partial_size(store) == size
    server.restart()
    uploader.on_progress = lambda k, o, s: pytest.fail("nothing to send again")
    events: list = []
    uploader.on_event = events.append
    uploader.run_once()
    uploader.stop()
    [uploaded] = events
    assert not path.exists() and not sidecar(path).exists()
    [clip] = find_at_server(server.db_url, "PDD-1004", capsys)
    assert clip["path"] == uploaded.server_path and clip["uploaded_at"]


def test_a_mismatched_upload_is_refused_and_discarded_and_the_bench_keeps_its_copy(server, link, store, tmp_path,
                                                                                  capsys):
    folder = tmp_path / "bench-evidence"
    path = journaled_clip(folder, "PDD-1005")
    [entry] = ClipJournal(folder, STATION).entries()
    auth = {"Authorization": f"Bearer {link.token}"}
    base = f"{server.url}/api/v1/clips/{entry['key']}"
    # In transit: the bytes that arrive are not the clip's (one byte changed).
    uploader = Uploader(link, ClipJournal(folder, STATION))
    uploader.http.deliver(entry)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    r = httpx.put(f"{base}/upload", params={"offset": 0}, content=bytes(data), headers=auth)
    assert r.status_code == 200 and r.json()["offset"] == len(data)
    r = httpx.post(f"{base}/upload/done", json={"sha256": entry["sha256"]}, headers=auth)
    assert r.status_code == 422 and "refused" in r.json()["detail"][0]["msg"]  # the one 422 shape
    assert httpx.get(f"{base}/upload", headers=auth).json() == {"offset": 0, "uploaded": False, "path": None}
    [clip] = find_at_server(server.db_url, "PDD-1005", capsys)
    assert clip["path"] == "" and clip["bench_path"] == str(path) and clip["uploaded_at"] is None  # still the bench's
    # A chunk at another offset than the server's is refused with the server's offset.
    r = httpx.put(f"{base}/upload", params={"offset": 5}, content=b"x", headers=auth)
    assert r.status_code == 409 and r.json()["offset"] == 0
    r = httpx.put(f"{base}/upload", params={"offset": 0}, content=bytes(len(data) + 1), headers=auth)
    assert r.status_code == 409 and "too many" in r.json()["detail"]  # never more than the index says
    assert partial_size(store) is None
    # Another station's token does not reach this bench's clip.
    other = enrol(server.url, "BENCH-V", code_for(server.db_url, "BENCH-V", capsys))
    r = httpx.get(f"{base}/upload", headers={"Authorization": f"Bearer {other.token}"})
    assert r.status_code == 404

    # At the bench: its copy was damaged after it was recorded: refused, kept, reported, not retried.
    with open(path, "r+b") as fh:
        fh.seek(path.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0xFF]))
    events: list = []
    uploader.on_event = events.append
    uploader.run_once()
    assert path.exists() and sidecar(path).exists()
    [problem] = events
    assert isinstance(problem, RecorderProblem) and "damaged" in problem.text
    [kept] = ClipJournal(folder, STATION).entries()
    assert "no longer matches" in kept["upload_refused"]
    uploader.on_progress = lambda k, o, s: pytest.fail("a damaged copy is not sent again")
    uploader.run_once()
    uploader.stop()
    [clip] = find_at_server(server.db_url, "PDD-1005", capsys)
    assert clip["uploaded_at"] is None and partial_size(store) is None


def test_server_unreachable_while_recording_loses_nothing(server, link, store, tmp_path, recorders, capsys):
    folder = tmp_path / "bench-evidence"
    server.stop()
    cfg = config(folder, station=STATION, link=link, upload_retry_s=0.1, upload_retry_max_s=0.5,
                 retention_days=1, retention_gb=1e-6, stepped=True)
    rec, events = recorders(cfg)
    events.wait(CameraState, where=lambda e: e.ok)
    first = record_one(rec, events, "PDD-1001", "SF1400000000000")
    # Past retention_gb: said so, and the clip not yet uploaded is kept.
    warned = events.wait(RecorderProblem, where=lambda e: "waiting for the upload" in e.text)
    assert warned.text.startswith("1 clip(s)") and Path(first.path).exists()
    rec.send(StartClip("PDD-1009", STATION, "王芳", ()))
    rec.send(Mark("order", True, "PDD-1009", "opened"))
    rec.send(AddWaybill("SF1400000000008"))
    rec.send(Tick(ticks(2.2)))
    second = events.wait(ClipStarted)
    wait_on_disk(second.path, ticks(2.0))  # two whole one-second fragments on disk
    os.kill(rec.process.pid, signal.SIGKILL)  # and the bench dies too
    rec.process.join(5)
    entries = {e["order_no"]: e for e in ClipJournal(folder, STATION).entries()}
    assert entries["PDD-1001"]["state"] == "complete" and entries["PDD-1009"]["state"] == "recording"
    assert [m["kind"] for m in entries["PDD-1001"]["marks"]] == ["item", "waybill"]

    _again, events2 = recorders(cfg)  # the bench starts again: the clip cut short is noted interrupted
    events2.wait(CameraState, where=lambda e: e.ok)
    entries = {e["order_no"]: e for e in ClipJournal(folder, STATION).entries()}
    assert entries["PDD-1009"]["state"] == "interrupted" and entries["PDD-1009"]["frames"] == ticks(2.0)
    server.restart()
    done = [events2.wait(ClipUploaded, timeout=DEADLINE_S) for _ in range(2)]

    assert {d.order_no for d in done} == {"PDD-1001", "PDD-1009"}
    [one] = find_at_server(server.db_url, "SF1400000000000", capsys)
    assert one["state"] == "complete" and one["sha256"] == first.sha256
    assert [m["kind"] for m in one["marks"]] == ["item", "waybill"]
    [two] = find_at_server(server.db_url, "SF1400000000008", capsys)
    assert two["state"] == "interrupted" and [m["kind"] for m in two["marks"]] == ["order"]
    assert two["sha256"] == clipfile.sha256_file(Path(two["path"]))
    for clip in (one, two):
        assert Path(clip["path"]).is_relative_to(store.resolve()) and clip["uploaded_at"]
    assert not Path(first.path).exists() and not Path(second.path).exists()
    assert not list((folder / STATION).rglob("*.json"))


def test_the_server_keeps_its_stores_retention_over_uploaded_clips_only(demo_db, tmp_path, capsys):  # noqa: F811
    import hashlib
    from datetime import timedelta

    from app.bootstrap import bootstrap
    from app.config import Settings
    from app.evidence.store import EvidenceStore, put_clip
    from app.packing.workflow import BenchWorkflow

    home, store = tmp_path / "server-home", tmp_path / "store"
    (home / "config").mkdir(parents=True)
    Settings(retention_days=30, retention_gb=0).save(home / "config" / "settings.json")  # the server's settings
    svc = bootstrap(demo_db, Settings(station="SEED"))
    now = datetime.now(UTC)
    paths = {}
    try:
        opened_at(BenchWorkflow(svc, STATION).handle, "PDD-1001", "PDD-1002", "PDD-1003")
        for n, (age, uploaded) in enumerate(((40, True), (40, False), (1, True))):
            key, data = f"{n:032x}", f"clip {n}".encode() * 1000
            sha = hashlib.sha256(data).hexdigest()
            with svc.uow() as uow:
                put_clip(uow.session, STATION, key, {
                    "order_no": f"PDD-100{n + 1}", "path": f"/bench/PDD-90{n}.mp4", "started_at": now - timedelta(days=age),
                    "fps": 15, "width": 320, "height": 240, "bytes": len(data), "sha256": sha, "state": "complete"})
            if uploaded:
                with svc.read_uow() as uow:
                    EvidenceStore(store).append(uow.session, STATION, key, 0, data)
                paths[n] = Path(EvidenceStore(store).verify(svc.uow, STATION, key, sha, now))
    finally:
        svc.close()
    server = start_server(demo_db, home, "--evidence", str(store), "--no-sender")
    try:
        wait_until(lambda: not paths[0].exists(), "the server's retention removes the old uploaded clip")
    finally:
        server.stop()
    assert find_at_server(demo_db, "PDD-1001", capsys) == []
    assert paths[2].exists() and find_at_server(demo_db, "PDD-1003", capsys)[0]["path"] == str(paths[2])
    [pending] = find_at_server(demo_db, "PDD-1002", capsys)  # not uploaded: still its bench's, not the store's
    assert pending["path"] == "" and pending["bench_path"] == "/bench/PDD-901.mp4"


def test_over_https_the_uploader_sends_nothing_to_a_server_with_another_certificate(sqlite_url, tmp_path, capsys):
    from dataclasses import replace

    from app.bootstrap import bootstrap
    from app.config import Settings
    from app.demo import seed_demo
    from app.server.tls import self_signed

    seeding = bootstrap(sqlite_url, Settings(station="SEED"))
    seed_demo(seeding)
    seeding.close()
    cert, key = self_signed(tmp_path / "tls", "127.0.0.1")
    store = tmp_path / "store"
    srv = start_server(sqlite_url, tmp_path / "home", "--tls-cert", str(cert), "--tls-key", str(key),
                       "--evidence", str(store), "--no-sender", scheme="https")
    try:
        link = enrol(srv.url, STATION, code_for(sqlite_url, STATION, capsys))
        opened_through(link, ("PDD-1006",))
        folder = tmp_path / "bench-evidence"
        path = journaled_clip(folder, "PDD-1006", seconds=1.0)
        forged = Uploader(replace(link, fingerprint="0" * 64), ClipJournal(folder, STATION))
        with pytest.raises(Unreachable, match="certificate"):
            forged.run_once()
        forged.stop()
        assert find_at_server(sqlite_url, "PDD-1006", capsys) == [] and path.exists()
        events: list = []
        pinned = Uploader(link, ClipJournal(folder, STATION), on_event=events.append)
        pinned.run_once()
        pinned.stop()
        [uploaded] = events
        assert not path.exists() and clipfile.sha256_file(Path(uploaded.server_path)) == uploaded.sha256
    finally:
        srv.stop()


def test_a_chunk_over_the_limit_is_refused_before_it_is_read(server, link, tmp_path):
    from app.server.evidence_api import MAX_CHUNK

    folder = tmp_path / "bench-evidence"
    journaled_clip(folder, "PDD-1007", seconds=1.0)
    [entry] = ClipJournal(folder, STATION).entries()
    Uploader(link, ClipJournal(folder, STATION)).http.deliver(entry)
    r = httpx.put(f"{server.url}/api/v1/clips/{entry['key']}/upload", params={"offset": 0},
                  content=bytes(MAX_CHUNK + 1), headers={"Authorization": f"Bearer {link.token}"})
    assert r.status_code == 413
    r = httpx.put(f"{server.url}/api/v1/clips/{entry['key']}/upload", params={"offset": 0}, content=b"x")
    assert r.status_code == 401  # no token: nothing of it is read
