"""The server's side of the clips of benches behind it, without HTTP: index rows delivered again and
late never go back, a verified clip lands in the store with its row's path, retention in the store
touches uploaded clips only; and the bench's journal: a clip cut short is found and measured."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.evidence.index import find_clips, set_flag
from app.evidence.journal import ClipJournal, JournalIndex, sidecar
from app.evidence.store import (
    ChecksumMismatch,
    EvidenceStore,
    NotReady,
    OffsetMismatch,
    put_clip,
    server_retention,
    station_folder,
)
from tests.integration.evidence.recorder_helpers import opened_at

KEY = "ab" * 16
T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
def services(services):
    """The demo shop, where BENCH-A opened PDD-1001 to PDD-1003 and BENCH-B opened PDD-1002."""
    from app.demo import seed_demo
    from app.packing.workflow import BenchWorkflow

    seed_demo(services)
    opened_at(BenchWorkflow(services, "BENCH-A").handle, "PDD-1001", "PDD-1002", "PDD-1003")
    opened_at(BenchWorkflow(services, "BENCH-B").handle, "PDD-1002")
    return services


def row(**over) -> dict:
    base = {"order_no": "PDD-1001", "packer": "李娜", "path": "/bench/ev/B/2026-11-25/PDD-1001_x.mp4",
            "started_at": T0, "ended_at": None, "fps": 15, "width": 320, "height": 240, "frames": 0, "bytes": 0,
            "sha256": "", "marks": [], "state": "recording", "end_reason": "", "waybills": []}
    return {**base, **over}


def test_a_row_delivered_again_or_late_never_goes_back(services):
    data = b"clip bytes " * 1000
    sha = hashlib.sha256(data).hexdigest()
    final = row(state="complete", frames=30, bytes=len(data), sha256=sha, waybills=["SF1400000000000"],
                marks=[{"t": 1.0, "kind": "waybill"}], ended_at=T0 + timedelta(seconds=2), end_reason="packed")
    with services.uow() as uow:
        first = put_clip(uow.session, "BENCH-A", KEY, row(waybills=["SF1400000000000"]))
        assert first == put_clip(uow.session, "BENCH-A", KEY, final)  # one row per bench clip
        put_clip(uow.session, "BENCH-A", KEY, row())  # an older journal entry, late: ignored
        put_clip(uow.session, "BENCH-B", KEY, row(order_no="PDD-1002"))  # another bench's key space
    with services.read_uow() as uow:
        [clip] = find_clips(uow.session, "SF1400000000000")
    assert clip["state"] == "complete" and clip["sha256"] == sha and clip["marks"] == [{"t": 1.0, "kind": "waybill"}]
    assert clip["waybills"] == ["SF1400000000000"] and clip["uploaded_at"] is None
    assert clip["path"] == "" and clip["bench_path"] == final["path"]  # the bench's name for it, never a file here


def test_a_verified_clip_moves_into_the_store_and_a_wrong_one_is_discarded(services, tmp_path):
    store = EvidenceStore(tmp_path / "store")
    data = b"\x00\x01fragmented mp4" * 5000
    sha = hashlib.sha256(data).hexdigest()
    with services.uow() as uow:
        put_clip(uow.session, "BENCH-A", KEY, row())
    with services.read_uow() as uow, pytest.raises(NotReady):  # still recording: takes no bytes
        store.append(uow.session, "BENCH-A", KEY, 0, data[:10])
    with services.uow() as uow:
        put_clip(uow.session, "BENCH-A", KEY, row(state="complete", bytes=len(data), sha256=sha,
                                                  path="/bench/../../etc/..", waybills=["SF1400000000000"]))
    with services.read_uow() as uow:
        assert store.append(uow.session, "BENCH-A", KEY, 0, data[:1000]) == 1000
        with pytest.raises(OffsetMismatch) as info:
            store.append(uow.session, "BENCH-A", KEY, 0, data[:1000])  # the same chunk again
        assert info.value.offset == 1000
        store.append(uow.session, "BENCH-A", KEY, 1000, b"X" + data[1001:])
    with pytest.raises(ChecksumMismatch):
        store.verify(services.uow, "BENCH-A", KEY, sha, T0)
    assert not store.partial("BENCH-A", KEY).exists()  # discarded
    with services.read_uow() as uow:
        store.append(uow.session, "BENCH-A", KEY, 0, data)
    path = Path(store.verify(services.uow, "BENCH-A", KEY, sha, T0 + timedelta(minutes=1)))
    assert path.is_relative_to((tmp_path / "store").resolve()) and path.read_bytes() == data
    assert path.name == f"{KEY}.mp4" and path.parent.parent.name == station_folder("BENCH-A")  # "..": no name of the bench's
    assert path.parent.parent.parent == (tmp_path / "store").resolve()
    assert store.verify(services.uow, "BENCH-A", KEY, sha, T0) == str(path)  # asked again: the same answer
    with services.read_uow() as uow:
        [clip] = find_clips(uow.session, "SF1400000000000")
        assert clip["path"] == str(path) and clip["uploaded_at"]
        assert put_clip(uow.session, "BENCH-A", KEY, row())["uploaded"]  # final now
    with services.read_uow() as uow:
        assert find_clips(uow.session, "SF1400000000000")[0]["path"] == str(path)


def test_retention_in_the_store_deletes_old_uploaded_clips_only(services, tmp_path):
    store = EvidenceStore(tmp_path / "store")
    paths = {}
    for n, key in enumerate(("a" * 32, "b" * 32, "c" * 32)):
        data = f"clip {n}".encode() * 100
        sha = hashlib.sha256(data).hexdigest()
        with services.uow() as uow:
            put_clip(uow.session, "BENCH-A", key, row(order_no=f"PDD-100{n + 1}", state="complete", bytes=len(data),
                                                     sha256=sha, path=f"/bench/PDD-{n}.mp4", started_at=T0))
            if n < 2:
                store.append(uow.session, "BENCH-A", key, 0, data)
        if n < 2:
            paths[n] = Path(store.verify(services.uow, "BENCH-A", key, sha, T0))
    with services.uow() as uow:
        set_flag(uow.session, "PDD-1002", "dispute")
    with services.uow() as uow:
        removed = server_retention(uow.session, T0 + timedelta(days=100), 90, 0)
    assert removed == [str(paths[0])] and not paths[0].exists() and paths[1].exists()
    with services.read_uow() as uow:
        assert find_clips(uow.session, "PDD-1001") == []
        assert find_clips(uow.session, "PDD-1002")[0]["flagged"]  # flagged: kept
        [pending] = find_clips(uow.session, "PDD-1003")  # still at its bench: not the store's
        assert pending["path"] == "" and pending["bench_path"] == "/bench/PDD-2.mp4"


def test_the_journal_follows_a_renamed_clip_and_a_crash_leaves_it_interrupted(tmp_path):
    from tests.integration.evidence.test_upload import STATION, journaled_clip

    journal = ClipJournal(tmp_path, STATION)
    index = JournalIndex(journal)
    started = T0
    path = tmp_path / STATION / "PDD-9.mp4"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    handle = index.create(order_no="PDD-9", packer="p", path=path, started_at=started, fps=15, width=320,
                          height=240)
    index.add_waybill(handle, "W9")
    renamed = path.with_name("PDD-9_W9.mp4")
    path.rename(renamed)
    index.finish(handle, path=str(renamed), state="complete", frames=0, bytes=0, sha256="", marks=[],
                 ended_at=started)
    assert not sidecar(path).exists() and json.loads(sidecar(renamed).read_text())["waybills"] == ["W9"]
    [entry] = journal.entries()
    assert entry["path"] == str(renamed) and entry["rev"] == 3

    # A clip the recorder left "recording": repaired, measured and noted interrupted at the next start.
    clip = journaled_clip(tmp_path / "other", "PDD-8", seconds=2.0)
    other = ClipJournal(tmp_path / "other", STATION)
    [e] = other.entries()
    other.write({**e, "state": "recording", "frames": 0, "sha256": ""})
    with open(clip, "ab") as fh:
        fh.write(b"\x00\x00\x10\x00moof torn")  # half a box, as a kill -9 leaves it
    [recovered] = other.recover(datetime.now(UTC))
    assert recovered["state"] == "interrupted" and recovered["frames"] == 30
    assert recovered["sha256"] == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert other.entries()[0]["state"] == "interrupted"
