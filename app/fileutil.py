"""Writing a file so that readers never see half of it: a temporary file beside it, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically (fsync, then rename). Raises OSError; leaves no temp file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        os.chmod(tmp_name, mode)  # mkstemp makes it private; printed files are for others to read
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise


OWNER_ONLY = 0o600  # database files, backups, exports: PIN hashes, addresses and phone numbers


def make_owner_only(path: Path) -> None:
    """Restrict ``path`` to its owner where the OS allows (POSIX modes; a no-op elsewhere)."""
    if os.name != "posix":
        return
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, OWNER_ONLY)
    except OSError:
        pass  # a file we do not own, or a file system without modes: nothing better to do


def create_owner_only(path: Path) -> None:
    """Create ``path`` empty and owner-only if it does not exist (so it is never readable by others,
    not even for a moment); tighten it if it exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
    except FileExistsError:
        pass
    make_owner_only(path)


def open_owner_only(path: Path):
    """``open(path, "wb")``, but a new file is created owner-only."""
    create_owner_only(path)
    return path.open("wb")
