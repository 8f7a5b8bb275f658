"""Long polls that hold no worker thread.

A bench's ``/api/v1/wait`` and the desk's ``/api/v1/desk/wait`` used to sleep in a worker thread
for up to a minute each: 45 open polls from one station took every thread and another bench's scan
waited 17.8 s. Now one :class:`ChangeFeed` reads the shift's cheap version (the newest audit event
and order, :meth:`app.desk.local.LocalDesk.version`) once per tick for every poll waiting on it,
however many, and wakes them through an ``asyncio.Condition``; a waiting poll is a coroutine in the
event loop. :class:`PollCap` keeps a station to a few open polls (429 beyond).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)
T = TypeVar("T")
POLL_S = 0.25  # a long-polling bench or desk hears of a change within this (plus the round trip)
POLLS_PER_STATION = 4  # a bench's listener and a supervisor view's, with room for a reconnect or two


class ChangeFeed:
    """The shift's version, read every ``every_s`` while anyone waits on it (nobody: no reads).

    A waiter trusts only a read that began after it came: the version kept from an earlier read
    may be older than the ``since`` its caller just read from the database (a desk that logged in
    a moment ago), and answering with it would be a change that never happened."""

    def __init__(self, read: Callable[[], str], every_s: float = POLL_S) -> None:
        self._read, self.every_s = read, every_s
        self.version: str | None = None
        self.reads = 0
        self._cond = asyncio.Condition()
        self._started = 0  # reads begun, one at a time in the feed's task
        self._done = 0  # the newest read that has finished (failed reads included)
        self._waiters = 0
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closing = False

    def close(self) -> None:
        """The server is stopping: every open poll answers now (nothing changed; the bench asks
        again once a server is back), so the stop never waits for them. Any thread, or a signal."""
        self.closing = True
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._wake()))

    async def _wake(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    async def changed_from(self, since: str | None, timeout_s: float) -> str:
        """The version once a read shows it differs from ``since`` (within a tick when it already
        does), or ``since`` after ``timeout_s`` or when the server stops."""
        self._loop = asyncio.get_running_loop()
        self._waiters += 1
        try:
            if self.closing:
                return since or ""
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._poll())
            fresh = self._started + 1  # the first read to begin after this waiter came

            def changed() -> bool:
                return self._done >= fresh and self.version is not None and self.version != since

            async with self._cond:
                try:
                    await asyncio.wait_for(self._cond.wait_for(lambda: self.closing or changed()), timeout_s)
                except TimeoutError:
                    pass
                return self.version if changed() and self.version is not None else (since or "")
        finally:
            self._waiters -= 1

    async def _poll(self) -> None:
        first = True
        while first or (self._waiters and not self.closing):
            first = False
            self._started += 1
            try:
                now: str | None = await run_in_threadpool(self._read)  # one indexed read, a few ms on a worker
                self.reads += 1
            except Exception:  # noqa: BLE001 - a database that is away: the waiters time out as before
                log.warning("long poll: cannot read the shift's version", exc_info=True)
                now = None
            async with self._cond:
                self.version = now if now is not None else self.version
                self._done = self._started
                self._cond.notify_all()
            await asyncio.sleep(self.every_s)


class PollCap:
    """At most ``per_station`` open long polls per station (bench and desk together)."""

    def __init__(self, per_station: int = POLLS_PER_STATION) -> None:
        self.per_station = per_station
        self.open: Counter[int] = Counter()

    @contextmanager
    def hold(self, station: tuple[int, str]) -> Iterator[None]:
        # Only the event loop's thread counts here (async routes): no lock needed.
        if self.open[station[0]] >= self.per_station:
            raise HTTPException(429, f"Station {station[1]} already has {self.per_station} long polls open at the "
                                     "server (the most one station may hold): wait for one to answer",
                                headers={"Retry-After": "5"})
        self.open[station[0]] += 1
        try:
            yield
        finally:
            self.open[station[0]] -= 1
            if not self.open[station[0]]:
                del self.open[station[0]]


async def unless_gone(receive: Callable[[], Awaitable[dict[str, Any]]], work: Awaitable[T], gone: T) -> T:
    """``work``'s answer, or ``gone`` at once when the caller hangs up first (its poll slot is free
    again; nobody is there to read an answer)."""

    async def hang_up() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    task, watch = asyncio.ensure_future(work), asyncio.ensure_future(hang_up())
    try:
        done, _ = await asyncio.wait({task, watch}, return_when=asyncio.FIRST_COMPLETED)
        return task.result() if task in done else gone
    finally:
        for t in (task, watch):
            t.cancel()
