"""The server's evidence store: clip index rows delivered by benches, resumable uploads, verification.

A bench behind the server delivers each clip's index row (:func:`put_clip`, idempotent by the
bench's clip key, a newer state never overwritten by an older one), then the clip in chunks
appended to a partial file (:meth:`EvidenceStore.append`, at exactly the offset the server has), and
finally its SHA-256 (:meth:`EvidenceStore.verify`): the server hashes the whole partial file, and
only when it matches the bench's checksum and the index moves it into the store
(``STORE/BENCH-HASH/DATE/NAME.mp4``, owner-only, never over another file) and sets the row's ``path``
to that file and ``uploaded_at``. A mismatch is refused and the partial file discarded. The bench
deletes its copy only after that answer. Qt-free and HTTP-free: the routes are
:mod:`app.server.evidence_api`, over :class:`app.evidence.intake.ClipIntake`.

What a bench says is never trusted with the server's files: the path it names is kept only as
``bench_path`` (``path`` stays empty until the server stored and verified the clip itself, and the
database refuses anything else); it indexes clips only of orders it opened, with their waybills; its
unfinished uploads fit its quota and the disk's reserve, and expire.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import KnownError
from app.evidence import clipfile
from app.fileutil import OWNER_ONLY
from app.models.evidence import ClipState, ClipWaybill, EvidenceClip
from app.models.schema import Order, Parcel, ScanEvent, Station

log = logging.getLogger(__name__)
PARTIAL = ".partial"
ROW_FIELDS = ("order_no", "packer", "started_at", "ended_at", "fps", "width", "height", "frames", "bytes",
              "sha256", "state", "end_reason", "kind")


class NoSuchClip(KnownError):
    """The bench's clip key is not indexed at the server (deliver the row first)."""


class OffsetMismatch(KnownError):
    def __init__(self, offset: int) -> None:
        super().__init__(f"The server has {offset} bytes of this clip: send from there")
        self.offset = offset


class NotReady(KnownError):
    """The clip cannot be verified yet (still recording, or the index holds another checksum)."""


class ChecksumMismatch(KnownError):
    """What arrived is not the bench's clip: refused, and the partial upload discarded."""


class NotTheBenchs(KnownError):
    """A bench indexes clips only of orders it opened, showing only those orders' waybills."""


class NoRoom(KnownError):
    """The upload would take the server's disk below its reserve, or the bench past its quota."""


def station_folder(station: str) -> str:
    """The bench's own folder name in the store: its name made plain, and a hash of the name itself,
    so benches whose names make the same plain text (一号台 and 二号台 both give ``_``) never share one."""
    return f"{_plain_name(station, '_')}-{hashlib.sha256(station.encode()).hexdigest()[:12]}"


def check_bench_may_index(session: Session, station: str, order_no: str, waybills) -> None:
    """Refuse (:class:`NotTheBenchs`) a clip of an order this bench never opened, or one showing a
    waybill that is not that order's: another bench's order is never touched by what this one sends."""
    order = session.scalar(select(Order).where(Order.order_no == order_no))
    station_id = session.scalar(select(Station.id).where(Station.name == station))
    opened = order is not None and station_id is not None and (
        order.station_id == station_id or session.scalar(
            select(ScanEvent.id).where(ScanEvent.order_id == order.id, ScanEvent.station_id == station_id,
                                       ScanEvent.kind == "order", ScanEvent.accepted.is_(True)).limit(1)) is not None)
    if not opened:
        raise NotTheBenchs(f"Order {order_no} was not opened at bench {station}: its clips are not this bench's to index")
    wanted = {w.strip().upper() for w in waybills or ()}
    if not wanted:
        return
    own = {order.waybill, order.preassigned_waybill}
    for parcel in session.execute(select(Parcel.waybill, Parcel.preassigned_waybill).where(Parcel.order_id == order.id)):
        own.update(parcel)
    own.update(session.scalars(select(ScanEvent.raw).where(  # linked here once, even if unlinked since
        ScanEvent.order_id == order.id, ScanEvent.station_id == station_id, ScanEvent.kind == "waybill",
        ScanEvent.accepted.is_(True))))
    foreign = sorted(wanted - {w.strip().upper() for w in own if w})
    if foreign:
        raise NotTheBenchs(f"Waybill {', '.join(foreign)} is not one of order {order_no}'s: refused")


def check_bench_may_index_return(session: Session, station: str, name: str, waybills) -> None:
    """A return clip: only of a return received at this bench, under its order's number (an unmatched
    parcel's: its return waybill), showing no waybill but that return's own."""
    from app.models.returns import Return

    rows = session.execute(select(Return.return_waybill).outerjoin(Order, Order.id == Return.order_id)
                           .join(Station, Station.id == Return.station_id)
                           .where(Station.name == station, or_(Order.order_no == name, Return.return_waybill == name))).all()
    if not rows:
        raise NotTheBenchs(f"No return of {name} was received at bench {station}: its clips are not this bench's to index")
    foreign = sorted({w.strip().upper() for w in waybills or ()} - {(r.return_waybill or "").upper() for r in rows})
    if foreign:
        raise NotTheBenchs(f"Waybill {', '.join(foreign)} is not one of {name}'s returns: refused")


def _clip(session: Session, station: str, key: str, *, lock: bool = False) -> EvidenceClip | None:
    query = select(EvidenceClip).where(EvidenceClip.station == station, EvidenceClip.bench_key == key)
    return session.scalar(query.with_for_update() if lock else query)


def put_clip(session: Session, station: str, key: str, row: dict) -> dict:
    """Insert or bring up to date the index row of a bench's clip; ``{"id", "uploaded", "path"}``.

    An uploaded clip is final (its path is the store's). A finished clip does not go back to
    ``recording`` when an older journal entry arrives late. Waybills only accumulate. The bench's
    path is kept as ``bench_path`` only: ``path`` is the server's to set, once it verified the clip."""
    if row.get("kind") == "return":
        check_bench_may_index_return(session, station, row["order_no"], row.get("waybills"))
    else:
        check_bench_may_index(session, station, row["order_no"], row.get("waybills"))
    clip = _clip(session, station, key, lock=True)
    values = {k: row[k] for k in ROW_FIELDS if k in row}
    values["marks"] = json.dumps(row.get("marks") or [], ensure_ascii=False)
    if clip is None:
        try:
            with session.begin_nested():
                clip = EvidenceClip(station=station, bench_key=key, path="", bench_path=row["path"],
                                    flagged=False, flag_reason="", **values)
                session.add(clip)
                session.flush()
        except IntegrityError:  # the same row delivered twice at once: the other one inserted it
            clip = _clip(session, station, key, lock=True)
            if clip is None:
                raise
    elif clip.uploaded_at is None and not (clip.state != ClipState.RECORDING.value
                                           and row.get("state") == ClipState.RECORDING.value):
        for name, value in values.items():
            setattr(clip, name, value)
        clip.bench_path = row["path"]
    known = set(session.scalars(select(ClipWaybill.waybill).where(ClipWaybill.clip_id == clip.id)))
    for waybill in dict.fromkeys(row.get("waybills") or ()):
        if waybill not in known:
            session.add(ClipWaybill(clip_id=clip.id, waybill=waybill))
    session.flush()
    return {"id": clip.id, "uploaded": clip.uploaded_at is not None,
            "path": clip.path if clip.uploaded_at is not None else None}


_ROOT_LOCKS: dict[str, threading.Lock] = {}
_ROOT_LOCKS_GUARD = threading.Lock()


def _root_lock(root: Path) -> threading.Lock:
    with _ROOT_LOCKS_GUARD:
        return _ROOT_LOCKS.setdefault(os.path.abspath(root), threading.Lock())


class EvidenceStore:
    """The folder of uploaded clips, with the partial uploads in ``.partial/``.

    ``quota_bytes``: the most one bench's unfinished uploads may take (0 = no limit); ``reserve_bytes``:
    the free disk space an upload must leave (the database lives on this disk too)."""

    def __init__(self, root: Path, *, quota_bytes: int = 0, reserve_bytes: int = 0,
                 disk_usage: Callable[[Path], Any] = shutil.disk_usage) -> None:
        self.root = Path(root)
        self.partial_dir = self.root / PARTIAL
        self.quota_bytes, self.reserve_bytes, self.disk_usage = quota_bytes, reserve_bytes, disk_usage
        # One append (or expiry sweep) at a time per store folder in this process, whichever
        # EvidenceStore object does it: offsets stay exact and a sweep never races an append.
        self._lock = _root_lock(self.root)

    def partial(self, station: str, key: str) -> Path:
        return self.partial_dir / f"{key}-{station_folder(station)}.part"

    def _check_room(self, station: str, key: str, declared: int, offset: int) -> None:
        """Refuse a clip whose declared size would not fit: the disk's reserve for the rest of it,
        the bench's quota for it and the bench's other unfinished uploads."""
        need = declared - offset
        if self.reserve_bytes:
            folder = self.root if self.root.exists() else self.root.parent
            free = self.disk_usage(folder).free
            if free - need < self.reserve_bytes:
                raise NoRoom(f"The server's disk has {free // 2**20} MB free and keeps {self.reserve_bytes // 2**20} MB "
                             f"for its database: {need} more bytes of this clip do not fit; sent again later")
        if self.quota_bytes:
            mine = self.partial(station, key).name
            others = sum(p.stat().st_size for p in self.partial_dir.glob(f"*-{station_folder(station)}.part")
                         if p.name != mine) if self.partial_dir.exists() else 0
            if others + declared > self.quota_bytes:
                raise NoRoom(f"Bench {station}'s unfinished uploads may take {self.quota_bytes // 2**20} MB at the "
                             f"server: {others} bytes in others and {declared} in this clip are too many")

    def expire_partials(self, now: datetime, max_age_s: float) -> list[Path]:
        """Delete unfinished uploads nobody added to for ``max_age_s`` (a bench that never came back,
        or a bench that declared a clip it never sends); a bench still at it resumes from 0."""
        gone = []
        with self._lock:
            for part in self.partial_dir.glob("*.part") if self.partial_dir.exists() else ():
                try:
                    if now.timestamp() - part.stat().st_mtime > max_age_s:
                        part.unlink()
                        gone.append(part)
                except FileNotFoundError:
                    pass
        if gone:
            log.warning("%d unfinished upload(s) older than %.0f h deleted from the evidence store",
                        len(gone), max_age_s / 3600)
        return gone

    def offset(self, session: Session, station: str, key: str) -> dict:
        clip = _clip(session, station, key)
        if clip is None:
            raise NoSuchClip(f"No clip {key} of {station} at the server")
        if clip.uploaded_at is not None:
            return {"offset": clip.bytes, "uploaded": True, "path": clip.path}
        part = self.partial(station, key)
        return {"offset": part.stat().st_size if part.exists() else 0, "uploaded": False, "path": None}

    def append(self, session: Session, station: str, key: str, offset: int, data: bytes) -> int:
        """Append ``data`` if ``offset`` is exactly what the server has; returns the new size. Only
        a finished, not yet uploaded clip takes bytes, and never more than its index says it has."""
        clip = _clip(session, station, key)
        if clip is None:
            raise NoSuchClip(f"No clip {key} of {station} at the server")
        if clip.uploaded_at is not None:
            raise OffsetMismatch(clip.bytes)
        if clip.state == ClipState.RECORDING.value:
            raise NotReady("The clip is still being recorded at the server's index: deliver its end first")
        if offset + len(data) > clip.bytes:
            raise NotReady(f"The index says the clip has {clip.bytes} bytes: {offset + len(data)} is too many")
        part = self.partial(station, key)
        with self._lock:
            size = part.stat().st_size if part.exists() else 0
            if offset != size:
                raise OffsetMismatch(size)
            self._check_room(station, key, clip.bytes, offset)
            _make_dir(self.partial_dir)
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), OWNER_ONLY)
            try:
                os.lseek(fd, offset, os.SEEK_SET)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                return offset + len(data)
            finally:
                os.close(fd)

    def discard(self, station: str, key: str) -> None:
        try:
            self.partial(station, key).unlink()
        except FileNotFoundError:
            pass

    def verify(self, sessions, station: str, key: str, sha256: str, now: datetime) -> str:
        """Hash the whole partial upload; on a match move it into the store and record it; returns
        the clip's path in the store. ``sessions()`` gives a unit of work (hashing holds no lock)."""
        with sessions() as uow:
            clip = _clip(uow.session, station, key)
            if clip is None:
                raise NoSuchClip(f"No clip {key} of {station} at the server")
            if clip.uploaded_at is not None:
                if clip.sha256 != sha256:
                    raise NotReady(f"The server holds this clip with SHA-256 {clip.sha256}")
                return clip.path
            if clip.state == ClipState.RECORDING.value:
                raise NotReady("The clip is still being recorded at the server's index: deliver its end first")
            if clip.sha256 != sha256:
                raise NotReady(f"The index says SHA-256 {clip.sha256 or '(none)'}, the bench sent {sha256}")
            expected, started_at, bench_path = clip.bytes, clip.started_at, clip.bench_path or clip.path
        part = self.partial(station, key)
        if not part.exists():
            raise ChecksumMismatch("Nothing of this clip has arrived: send it again from the start")
        got, size = clipfile.sha256_file(part), part.stat().st_size
        if got != sha256 or size != expected:
            self.discard(station, key)
            log.warning("upload of %s from %s refused: SHA-256 %s, %d bytes; the bench said %s, %d bytes",
                        key, station, got, size, sha256, expected)
            raise ChecksumMismatch(f"What arrived ({size} bytes, SHA-256 {got}) is not the bench's clip "
                                   f"({expected} bytes, SHA-256 {sha256}): refused and discarded; send it again")
        folder = self.root / station_folder(station) / started_at.astimezone().strftime("%Y-%m-%d")
        _make_dir(folder)
        stem = _plain_name(Path(bench_path.replace("\\", "/")).stem, key)  # the bench's name, nothing else of its path
        _fsync(part)
        dest = _move_to_a_new_name(part, folder, stem, key)
        os.chmod(dest, OWNER_ONLY)
        _fsync_dir(folder)
        dest_text = str(dest.resolve())
        try:
            with sessions() as uow:
                done = uow.session.execute(
                    update(EvidenceClip)
                    .where(EvidenceClip.station == station, EvidenceClip.bench_key == key,
                           EvidenceClip.uploaded_at.is_(None), EvidenceClip.sha256 == sha256)
                    .values(path=dest_text, bench_path=bench_path, uploaded_at=now))
                if done.rowcount != 1:
                    raise NotReady("The clip changed at the server while it was verified: send it again")
        except BaseException:
            os.replace(dest, part)  # not recorded: the partial upload stays for the next try
            raise
        return dest_text


def evidence_store(settings, root: Path) -> EvidenceStore:
    """The server's store at ``root`` with the site's upload quota and disk reserve."""
    return EvidenceStore(root, quota_bytes=settings.upload_quota_mb * 2**20,
                         reserve_bytes=settings.upload_reserve_mb * 2**20)


def _move_to_a_new_name(part: Path, folder: Path, stem: str, key: str) -> Path:
    """Move the verified upload to the first free name of ``stem``: a stored clip is never replaced
    (a hard link fails on an existing name, atomically; without hard links the name is taken first)."""
    names = [f"{stem}.mp4", f"{stem}-{key[:8]}.mp4", f"{stem}-{key}.mp4"]
    names += [f"{stem}-{key}-{n}.mp4" for n in range(2, 100)]
    for name in names:
        dest = folder / name
        try:
            os.link(part, dest)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links: claim the name, then fill it
            try:
                os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
            except FileExistsError:
                continue
            os.replace(part, dest)  # over the empty file claimed just now, nothing else
            return dest
        part.unlink()
        return dest
    raise NotReady(f"No free name for {stem} in {folder}: send it again")


def _plain_name(text: str, fallback: str) -> str:
    """A file or folder name of letters, digits, ``._-`` that is never ``.`` or ``..``."""
    return clipfile.safe_part(text).strip(".") or fallback


def _make_dir(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def server_retention(session: Session, now: datetime, days: float, max_gb: float) -> list[str]:
    """The store's retention, per bench, over the uploaded clips only (never a flagged one)."""
    from app.evidence.index import apply_retention

    if not (days or max_gb):
        return []
    stations = session.scalars(select(EvidenceClip.station).where(EvidenceClip.uploaded_at.is_not(None))
                               .distinct()).all()
    removed: list[str] = []
    for station in stations:
        removed += apply_retention(session, station, now, days, max_gb, uploaded_only=True)
    return removed
