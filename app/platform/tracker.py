"""The pickup watch: each handed-over parcel's carrier trace (``pdd.logistics.ordertrace.get``),
followed until the courier's pickup scan (揽收), before the platform's 24-hour rule fines the shop.

One pass (:meth:`Tracker.run_once`), decide-then-do around :mod:`app.platform.track_rules`:

1. *due* (one short transaction): the followed parcels whose ``next_check_at`` has come (one seek
   into the partial index ``ix_parcel_tracking_due``; nothing due: no call, no write). A parcel just
   enrolled by its handover gets its first look set ``pickup_first_check_minutes`` on, with no call.
   The others are *claimed*: their ``next_check_at`` moves on by the interval they are in (an hour,
   or 4 hours after the first day) in the same transaction, within each shop's ceiling of calls.
   A pass killed after this polls none of them again before that interval, and forgets none: each
   comes due again at the end of it.
2. *calls* (no transaction open): each shop's parcels with its own token, within its ceiling of
   calls per second, in a few threads.
3. *results* (short transactions): ``picked_up_at`` (the pickup event's own time), the last trace
   line, the newest exception with the carrier's words, the next look (the rules' schedule), or
   ``lost`` (``lost_in_transit?``) once the watch is over. An expired token stops that shop only.

The shop asked is the order's (``orders.shop_id``), else the site's ``default`` shop (the pdd
channel's credentials, or a shop set up for a ``file``/``webhook`` site). With no shop at all a
parcel is not followed (``last_error`` says so): its manifest is recorded picked up by hand
(``packgate manifests picked-up``).

Runs in the sender's loop every ``pickup_track_minutes`` (``serve``, ``sync``, the embedded bench's
sender thread) and as ``packgate platform track [--once]``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update

from app.errors import KnownError
from app.models.schema import Order, Parcel, ParcelTracking, Shop
from app.platform import shops as shop_store
from app.platform import track_rules as rules
from app.platform.config import masked_urls
from app.platform.pull_rules import Malformed
from app.platform.puller import Puller
from app.platform.track_rules import Schedule

log = logging.getLogger(__name__)

T = ParcelTracking.__table__
BATCH = 20_000  # parcels looked at in one pass at most (the rest: the next pass)
PASS_SECONDS = 60.0  # a shop's ceiling per pass: its calls per second over this long
WRITE_CHUNK = 2_000  # results per transaction
NO_SHOP = "no shop on the platform to ask: record the manifest picked up by hand (packgate manifests picked-up)"


@dataclass
class TrackStats:
    due: int = 0
    scheduled: int = 0  # enrolled parcels given their first look, no call
    looked: int = 0
    picked_up: int = 0
    exceptions: int = 0
    lost: int = 0
    failed: int = 0
    not_followed: int = 0  # no shop to ask
    calls: dict[str, int] = field(default_factory=dict)  # shop -> calls made
    stopped: dict[str, str] = field(default_factory=dict)  # shop -> why it stopped
    seconds: float = 0.0

    def line(self) -> str:
        text = (f"track: {self.looked} looked at, {self.picked_up} picked up, {self.exceptions} exceptions, "
                f"{self.lost} lost in transit?, {self.failed} failed, {self.scheduled} scheduled"
                + (f", {self.not_followed} without a shop to ask" if self.not_followed else "")
                + f" ({sum(self.calls.values())} calls, {self.seconds:.2f} s)")
        for name, why in self.stopped.items():
            text += f"\n  shop {name} STOPPED: {why}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"due": self.due, "scheduled": self.scheduled, "looked": self.looked, "picked_up": self.picked_up,
                "exceptions": self.exceptions, "lost": self.lost, "failed": self.failed,
                "not_followed": self.not_followed, "calls": self.calls, "stopped": self.stopped,
                "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class _Due:
    parcel_id: int
    handed_over_at: datetime
    checks: int
    next_check_at: datetime
    shop_id: int | None
    carrier: str
    waybill: str


@dataclass(frozen=True)
class _Answer:
    parcel: _Due
    kind: str  # ok, retry, stop, bad
    events: tuple[rules.TraceEvent, ...] = ()
    message: str = ""


class Tracker:
    def __init__(self, uow: Callable[[], Any], clock: Callable[[], datetime], *,
                 read_uow: Callable[[], Any] | None = None, schedule: Schedule | None = None,
                 rate_per_s: float = 10.0, batch: int = BATCH, pass_seconds: float = PASS_SECONDS,
                 workers: int = 8, timeout_s: float = 10.0,
                 client_factory: Callable[[dict[str, Any]], Any] | None = None) -> None:
        self._uow, self._read_uow = uow, read_uow or uow
        self.clock, self.schedule = clock, schedule or Schedule()
        self.rate_per_s, self.batch, self.pass_seconds = float(rate_per_s), batch, pass_seconds
        self.timeout_s = timeout_s
        self._client_factory = client_factory or self._client
        self._clients: dict[int, tuple[str, Any]] = {}
        self._limits: dict[int, Any] = {}
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pickup-track")

    def _client(self, options: dict[str, Any]) -> Any:
        from app.platform.pdd import PddClient

        return PddClient.from_options(options, timeout=self.timeout_s)

    # The shop's client, built once per set of credentials: the order pull's cache (the same two
    # attributes, _clients and _client_factory), one TLS context per shop kept between passes.
    _shop_client = Puller.client

    def _limit(self, shop_id: int) -> Any:
        from app.platform.ratelimit import RateLimit

        if shop_id not in self._limits:
            self._limits[shop_id] = RateLimit(self.rate_per_s)
        return self._limits[shop_id]

    def close(self) -> None:
        Puller.close(self)  # type: ignore[arg-type]
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ one pass

    def run_once(self, *, everything: bool = False) -> TrackStats:
        """One pass over the parcels due (``everything``: every parcel still followed, due or not:
        ``packgate platform track --once --all``)."""
        started = time.perf_counter()
        stats = TrackStats()
        claimed, shops = self._claim(stats, everything)
        if claimed:
            answers = self._ask(claimed, shops, stats)
            self._write(answers, stats)
        stats.seconds = time.perf_counter() - started
        return stats

    def _claim(self, stats: TrackStats, everything: bool) -> tuple[list[_Due], dict[int, shop_store.ShopConfig]]:
        now = self.clock()
        query = due_query(now, everything, self.batch)
        with self._uow() as uow:
            s = uow.session
            rows = [_Due(*r) for r in s.execute(query)]
            stats.due = len(rows)
            if not rows:
                return [], {}
            shops = {shop.id: shop for shop in shop_store.all_shops(s)}
            default = next((sh for sh in shops.values() if sh.name == shop_store.DEFAULT_SHOP), None)
            first, asked, unasked = [], [], []
            for row in rows:
                later = None if everything else rules.due_without_call(row.handed_over_at, now, self.schedule)
                if row.checks == 0 and later is not None:
                    first.append({"b_pid": row.parcel_id, "b_old": row.next_check_at, "b_new": later})
                    continue
                shop_id = row.shop_id if row.shop_id in shops else (default.id if default else None)
                if shop_id is None or not shops[shop_id].active:
                    if shop_id is None:
                        unasked.append({"b_pid": row.parcel_id, "b_old": row.next_check_at})
                    continue  # a stopped or disabled shop's parcels wait (due) until it is set again
                asked.append(_Due(row.parcel_id, row.handed_over_at, row.checks, row.next_check_at, shop_id,
                                  row.carrier or "", row.waybill or ""))
            if first:
                s.execute(update(T).where(T.c.parcel_id == bindparam("b_pid"), T.c.next_check_at == bindparam("b_old"))
                          .values(next_check_at=bindparam("b_new")).execution_options(synchronize_session=False), first)
                stats.scheduled = len(first)
            if unasked:
                s.execute(update(T).where(T.c.parcel_id == bindparam("b_pid"), T.c.next_check_at == bindparam("b_old"))
                          .values(next_check_at=None, last_error=NO_SHOP, checked_at=now)
                          .execution_options(synchronize_session=False), unasked)
                stats.not_followed = len(unasked)
            ceiling = rules.calls_this_pass(self.rate_per_s, self.pass_seconds)
            per_shop: dict[int, int] = {}
            within = []
            for row in asked:
                per_shop[row.shop_id] = per_shop.get(row.shop_id, 0) + 1  # type: ignore[index]
                if per_shop[row.shop_id] <= ceiling:  # type: ignore[index]
                    within.append(row)
            claimed = self._claim_rows(s, within, now, everything)
        return claimed, {sid: shops[sid] for sid in {r.shop_id for r in claimed} if sid is not None}

    def _claim_rows(self, s, rows: list[_Due], now: datetime, everything: bool) -> list[_Due]:
        """Move each row's next look on by its interval (conditional: a row another tracker claimed
        meanwhile is not ours); the rows claimed."""
        by_until: dict[datetime, list[int]] = {}
        for row in rows:
            by_until.setdefault(rules.claim_until(row.handed_over_at, now), []).append(row.parcel_id)
        mine: set[int] = set()
        for until, ids in by_until.items():
            for i in range(0, len(ids), 900):  # SQLite's bound-parameter limit
                part = ids[i:i + 900]
                still = T.c.next_check_at.is_not(None) if everything else T.c.next_check_at <= now
                got = s.execute(update(T).where(T.c.parcel_id.in_(part), still)
                                .values(next_check_at=until, checks=T.c.checks + 1)
                                .returning(T.c.parcel_id).execution_options(synchronize_session=False))
                mine.update(pid for (pid,) in got)
        return [r for r in rows if r.parcel_id in mine]

    def _ask(self, rows: list[_Due], shops: dict[int, shop_store.ShopConfig], stats: TrackStats) -> list[_Answer]:
        clients: dict[int, Any] = {}
        broken: dict[int, str] = {}
        for sid, shop in shops.items():
            try:
                clients[sid] = self._shop_client(shop)
            except KnownError as exc:  # an unreadable secret file: that shop stops
                broken[sid] = exc.message
        stopped: dict[int, str] = {}
        lock = threading.Lock()

        def one(row: _Due) -> _Answer:
            sid = row.shop_id
            assert sid is not None
            if sid in broken:
                return _Answer(row, "stop", message=broken[sid])
            if sid in stopped:
                return _Answer(row, "retry", message=f"shop {shops[sid].name} stopped")
            self._limit(sid).wait()
            with lock:
                stats.calls[shops[sid].name] = stats.calls.get(shops[sid].name, 0) + 1
            try:
                verdict, body = clients[sid].call(rules.API, company_code=row.carrier, mail_no=row.waybill)
            except Exception as exc:  # noqa: BLE001 - a bug in a client must not lose the pass
                log.exception("trace of %s failed unexpectedly", row.waybill)
                return _Answer(row, "retry", message=f"internal error: {type(exc).__name__}")
            if verdict.kind == "stop":
                stopped[sid] = verdict.message
                return _Answer(row, "stop", message=verdict.message)
            if verdict.kind != "ok":
                return _Answer(row, "retry", message=verdict.message or "no answer")
            try:
                return _Answer(row, "ok", tuple(rules.read_trace(body)))
            except Malformed as exc:
                return _Answer(row, "bad", message=f"{rules.API}: {exc}")

        return list(self._pool.map(one, rows))

    def _write(self, answers: list[_Answer], stats: TrackStats) -> None:
        now = self.clock()
        values = []
        stops: dict[int, str] = {}
        for a in answers:
            p = a.parcel
            if a.kind == "ok":
                d = rules.decide(p.handed_over_at, now, list(a.events), self.schedule)
                stats.looked += 1
                stats.picked_up += d.picked_up_at is not None
                stats.exceptions += d.exception is not None
                stats.lost += d.lost
                values.append(_row(p, now, d.picked_up_at, d.next_check_at, d.lost, d.last, d.exception, ""))
                continue
            stats.failed += 1
            if a.kind == "stop" and p.shop_id is not None:
                stops[p.shop_id] = a.message
            following = rules.after_failure(p.handed_over_at, now, self.schedule) if a.kind != "stop" else None
            # a stopped shop's parcel keeps the look it was claimed for (it comes due again); a failed
            # look follows the schedule; past the watch the parcel is lost as after an empty look
            values.append({"b_pid": p.parcel_id, "picked_up_at": None, "picked_up_by": None,
                           "next_check_at": following if a.kind != "stop" else _claimed(p, now),
                           "lost": a.kind != "stop" and following is None, "checked_at": now,
                           "last_error": masked_urls(a.message)[:500], "keep": True})
            stats.lost += a.kind != "stop" and following is None
        full = [v for v in values if not v.get("keep")]
        kept = [v for v in values if v.get("keep")]
        for i in range(0, len(full), WRITE_CHUNK):
            with self._uow() as uow:
                uow.session.execute(_FULL, full[i:i + WRITE_CHUNK])
        for i in range(0, len(kept), WRITE_CHUNK):
            with self._uow() as uow:
                uow.session.execute(_KEEP, [{k: v[k] for k in ("b_pid", "next_check_at", "lost", "checked_at",
                                                              "last_error")} for v in kept[i:i + WRITE_CHUNK]])
        if stops:
            with self._uow() as uow:
                for shop_id, message in stops.items():
                    reason = shop_store.stop(uow.session, shop_id, message, now)
                    name = uow.session.scalar(select(Shop.name).where(Shop.id == shop_id))
                    stats.stopped[name or str(shop_id)] = reason
                    log.warning("shop %s stopped (pickup watch): %s", name, reason)


def due_query(now: datetime, everything: bool = False, batch: int = BATCH) -> Any:
    """The followed parcels due at ``now`` (``everything``: due or not), earliest first: a range of
    the partial index ``ix_parcel_tracking_due`` (nothing due: one seek that finds nothing)."""
    query = (select(T.c.parcel_id, T.c.handed_over_at, T.c.checks, T.c.next_check_at, Order.shop_id,
                    Order.carrier_code, Parcel.waybill)
             .join(Parcel, Parcel.id == T.c.parcel_id).join(Order, Order.id == T.c.order_id)
             .where(T.c.next_check_at.is_not(None)))
    if not everything:
        query = query.where(T.c.next_check_at <= now)
    return query.order_by(T.c.next_check_at, T.c.parcel_id).limit(batch)


def _claimed(p: _Due, now: datetime) -> datetime:
    return rules.claim_until(p.handed_over_at, now)


def _row(p: _Due, now: datetime, picked: datetime | None, following: datetime | None, lost: bool,
         last: rules.TraceEvent | None, exception: rules.TraceEvent | None, error: str) -> dict[str, Any]:
    return {"b_pid": p.parcel_id, "picked_up_at": picked, "picked_up_by": "trace" if picked else None,
            "next_check_at": following, "lost": lost, "checked_at": now, "last_error": error,
            "trace_action": last.action[:32] if last else None, "trace_time": last.time if last else None,
            "trace_desc": last.desc if last else "",
            "exception_action": exception.action if exception else None,
            "exception_time": exception.time if exception else None,
            "exception_desc": exception.desc if exception else ""}


# Only a parcel not picked up yet is written (a supervisor's pickup by hand meanwhile stays).
_FULL = (update(T).where(T.c.parcel_id == bindparam("b_pid"), T.c.picked_up_at.is_(None))
         .values(picked_up_at=bindparam("picked_up_at"), picked_up_by=bindparam("picked_up_by"),
                 next_check_at=bindparam("next_check_at"), lost=bindparam("lost"), checked_at=bindparam("checked_at"),
                 last_error=bindparam("last_error"), trace_action=bindparam("trace_action"),
                 trace_time=bindparam("trace_time"), trace_desc=bindparam("trace_desc"),
                 exception_action=bindparam("exception_action"), exception_time=bindparam("exception_time"),
                 exception_desc=bindparam("exception_desc")).execution_options(synchronize_session=False))
_KEEP = (update(T).where(T.c.parcel_id == bindparam("b_pid"), T.c.picked_up_at.is_(None))
         .values(next_check_at=bindparam("next_check_at"), lost=bindparam("lost"), checked_at=bindparam("checked_at"),
                 last_error=bindparam("last_error")).execution_options(synchronize_session=False))


def make_tracker(services: Any, **kw) -> Tracker:
    """The pickup watch with the site's settings (``pickup_*``)."""
    s = services.settings
    return Tracker(services.uow, services.clock, read_uow=services.read_uow,
                   schedule=Schedule(int(s.pickup_first_check_minutes), int(s.pickup_watch_days)),
                   rate_per_s=float(s.pickup_rate_per_s), **kw)


def pick_up_by_hand(s: Any, manifest_id: int, user_id: int, now: datetime) -> tuple[str, int, int]:
    """A courier-signed paper manifest recorded as picked up (carriers or sites without traces):
    the manifest's ``picked_up_at``/``picked_up_by_id`` and each of its parcels still waiting picked
    up now ('hand'), in the caller's transaction. ``(manifest_no, parcels, newly picked up)``;
    KnownError for an open manifest or one already recorded."""
    from app.models.schema import Manifest, ManifestItem

    manifest = s.get(Manifest, manifest_id)
    if manifest is None:
        raise KnownError(f"No manifest {manifest_id}: see packgate manifests list")
    if manifest.closed_at is None:
        raise KnownError(f"Manifest {manifest.manifest_no} is still open: close it at the bench first")
    moved = s.execute(update(Manifest).where(Manifest.id == manifest_id, Manifest.picked_up_at.is_(None))
                      .values(picked_up_at=now, picked_up_by_id=user_id)
                      .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise KnownError(f"Manifest {manifest.manifest_no} is already recorded as picked up")
    parcels = select(ManifestItem.parcel_id).where(ManifestItem.manifest_id == manifest_id)
    count = s.scalar(select(func.count()).select_from(ManifestItem).where(ManifestItem.manifest_id == manifest_id))
    picked = s.execute(update(T).where(T.c.parcel_id.in_(parcels), T.c.picked_up_at.is_(None))
                       .values(picked_up_at=now, picked_up_by="hand", next_check_at=None, lost=False)
                       .execution_options(synchronize_session=False)).rowcount
    return manifest.manifest_no, int(count or 0), int(picked or 0)
