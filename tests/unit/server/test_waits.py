"""The long poll's change feed and the per-station cap, without a server."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import HTTPException

from app.server.waits import ChangeFeed, PollCap, unless_gone


class Version:
    def __init__(self) -> None:
        self.value = "1.1"

    def __call__(self) -> str:
        return self.value


def test_many_waiters_share_one_read_per_tick_and_wake_on_a_change():
    version = Version()

    async def scenario() -> tuple[list[str], int]:
        feed = ChangeFeed(version, every_s=0.2)
        waiters = [asyncio.create_task(feed.changed_from("1.1", 30)) for _ in range(50)]
        while feed.reads < 1:  # the feed is running, and nobody answered yet
            await asyncio.sleep(0.01)
        assert not any(w.done() for w in waiters)
        reads_before = feed.reads
        version.value = "2.1"
        answers = await asyncio.gather(*waiters)
        return answers, feed.reads - reads_before

    answers, reads = asyncio.run(scenario())
    assert answers == ["2.1"] * 50
    # Fifty waiters share the feed's reads: far fewer than one each (a tick every 0.2 s: fifty reads
    # would take ten seconds of a stalled loop, so this holds on a loaded machine too).
    assert 1 <= reads < 50


def test_a_waiter_answers_at_once_when_it_is_behind_and_with_the_same_version_at_its_deadline():
    version = Version()

    async def scenario() -> tuple[str, str]:
        feed = ChangeFeed(version, every_s=0.01)
        behind = await feed.changed_from("0.0", 30)
        same = await feed.changed_from("1.1", 0.05)
        return behind, same

    assert asyncio.run(scenario()) == ("1.1", "1.1")


def test_a_station_holds_at_most_its_cap_of_polls_and_a_finished_one_frees_its_place():
    cap = PollCap(per_station=2)
    bench, other = (1, "BENCH-1"), (2, "BENCH-2")
    with cap.hold(bench), cap.hold(bench):
        with pytest.raises(HTTPException) as refused, cap.hold(bench):
            pass
        assert refused.value.status_code == 429 and "BENCH-1 already has 2 long polls open" in refused.value.detail
        with cap.hold(other):  # another station is not affected
            pass
    with cap.hold(bench):
        assert cap.open[1] == 1
    assert not cap.open


def test_a_caller_that_hangs_up_ends_its_poll():
    async def scenario() -> tuple[str, bool]:
        hung_up = asyncio.Event()
        cancelled = asyncio.Event()

        async def receive() -> dict:
            await hung_up.wait()
            return {"type": "http.disconnect"}

        async def forever() -> str:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.set()
                raise
            return "answer"

        pending = asyncio.create_task(unless_gone(receive, forever(), "gone"))
        await asyncio.sleep(0)
        hung_up.set()
        return await pending, cancelled.is_set()

    assert asyncio.run(scenario()) == ("gone", True)


def test_a_client_reads_a_422_as_one_line_naming_the_fields():
    import httpx

    from app.client.remote import _detail

    r = httpx.Response(422, json={"detail": [{"loc": ["body", "start"], "msg": "Input should have timezone info",
                                              "type": "timezone_aware"},
                                             {"loc": [], "msg": "Checksum mismatch", "type": "value_error"}]})
    assert _detail(r) == "start: Input should have timezone info; Checksum mismatch"
    assert _detail(httpx.Response(429, json={"detail": "Station B already has 4 long polls open"})).startswith("Station B")


def test_a_waiter_that_comes_between_two_reads_trusts_only_a_read_begun_after_it_came():
    """Reproduction: a desk logged in (a new audit event) and read the version "2.1" from the
    database; its long poll came while the feed slept between two reads and was answered at once
    with the feed's older "1.1", a change that never happened (its poll's place was free again: a
    station's cap of open polls never filled, 1 failure in a full run)."""
    version = Version()

    async def scenario() -> tuple[str, str, str]:
        feed = ChangeFeed(version, every_s=0.2)
        first = await feed.changed_from("0.0", 30)  # the feed read "1.1" and now sleeps a tick
        version.value = "2.1"
        same = await feed.changed_from("2.1", 0.5)  # nothing changed since the caller's own read
        later = asyncio.create_task(feed.changed_from("2.1", 30))
        while feed.reads < 3:
            await asyncio.sleep(0.01)
        version.value = "3.1"
        return first, same, await later

    assert asyncio.run(asyncio.wait_for(scenario(), 20)) == ("1.1", "2.1", "3.1")


def test_a_feed_whose_database_is_away_keeps_its_waiters_until_their_deadline():
    """Reproduction: the first read failing left the version unknown and the waiter failed on it."""
    reads = []

    def away() -> str:
        reads.append(1)
        raise OSError("database is away")

    async def scenario() -> str:
        return await ChangeFeed(away, every_s=0.01).changed_from("1.1", 0.1)

    assert asyncio.run(scenario()) == "1.1" and len(reads) >= 2
