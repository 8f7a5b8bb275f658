"""One scan, one unit of work, one commit.

Everything a scan changes, and its audit event, commit together or not at all. Repositories and
handlers never commit; only the unit of work does. A lost connection becomes
:class:`DatabaseUnavailable` (an expected error) after the transaction has been rolled back.
"""

from __future__ import annotations

import threading
from types import TracebackType

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import DatabaseUnavailable


def is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


class UnitOfWork:
    """``lock``: taken for the whole unit of work (SQLite's writers, see :func:`app.models.db.write_lock`);
    after ``lock_wait_s`` without it the unit of work goes ahead and meets the database's own lock."""

    def __init__(self, factory: sessionmaker[Session], lock: threading.RLock | None = None,
                 lock_wait_s: float = 10.0) -> None:
        self._factory = factory
        self._lock = lock
        self._lock_wait_s = lock_wait_s
        self._held = False
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        if self._lock is not None:
            self._held = self._lock.acquire(timeout=self._lock_wait_s)
        try:
            self.session = self._factory()
        except BaseException:
            self._release()
            raise
        return self

    def _release(self) -> None:
        if self._held:
            self._held = False
            self._lock.release()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc is None:
                try:
                    self.session.commit()
                except Exception as commit_exc:
                    self._safe_rollback()
                    if is_connection_error(commit_exc):
                        raise DatabaseUnavailable(
                            "Database unreachable: nothing was saved. Scan again when it is back."
                        ) from commit_exc
                    raise
            else:
                self._safe_rollback()
                if is_connection_error(exc):
                    raise DatabaseUnavailable(
                        "Database unreachable: nothing was saved. Scan again when it is back."
                    ) from exc
        finally:
            try:
                self.session.close()
            finally:
                self._release()

    def _safe_rollback(self) -> None:
        try:
            self.session.rollback()
        except Exception:  # the connection is gone; the server rolls back on its own
            pass
