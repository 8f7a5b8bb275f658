"""The sender: drains the outbox to the site's channel, under a lease, never on the scan path.

One cycle: lease a batch of due jobs (one short transaction) -> deliver them (HTTP calls in a few
threads, within ``rate_per_s``) -> write the answers (one short transaction, only where the lease is
still ours). A sender killed with kill -9 anywhere leaves leases that expire after ``lease_s``; the
next sender (in this process or another, on this machine or another) takes the jobs again. With the
``pdd`` channel it also refreshes the platform state of the orders not yet packed (50 per call), so
the bench can refuse an order whose buyer asked for a refund.

Runs inside the bench process (a daemon thread started by ``app/ui/app.py``), in ``packgate sync``
or ``packgate sync --once``. Secrets are read from their files when the channel is built and never
logged.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from app.carriers import CarrierCatalogue
from app.errors import DatabaseUnavailable, KnownError
from app.models.schema import Manifest, Order, OrderState, PlatformJob, PlatformOrder
from app.platform import config as channel_config
from app.platform import outbox
from app.platform.faults import backoff_s
from app.platform.filechannel import export_jobs
from app.platform.outbox import Job, Result
from app.platform.ratelimit import RateLimit

log = logging.getLogger(__name__)


class SidePass:
    """Work the sender's loop starts on a thread of its own every ``every_s`` seconds (0: never), once
    its last pass has ended: the pickup watch, the e-waybill balances. The shipments never wait on it."""

    def __init__(self, work: Any, every_s: float, thread_name: str, failed: str) -> None:
        self.work, self.every_s, self.thread_name, self.failed = work, every_s, thread_name, failed
        self.last: float | None = None
        self.thread: threading.Thread | None = None

    def start_if_due(self) -> threading.Thread | None:
        """The pass's thread, started now (None: not due, never, or the last pass still running)."""
        if self.work is None or self.every_s <= 0:
            return None
        now = time.monotonic()
        if self.last is not None and now - self.last < self.every_s:
            return None
        if self.thread is not None and self.thread.is_alive():
            return None  # the last pass is still asking
        self.last = now
        self.thread = threading.Thread(target=self._one_pass, name=self.thread_name, daemon=True)
        self.thread.start()
        return self.thread

    def _one_pass(self) -> None:
        try:
            self.work.run_once()
        except DatabaseUnavailable:
            pass
        except Exception:  # noqa: BLE001 - a bug in a side pass must not stop the sender
            log.exception(self.failed)


@dataclass
class CycleStats:
    leased: int = 0
    results: dict[str, int] = field(default_factory=dict)
    refreshed: int = 0
    exported_file: str | None = None
    stopped: str | None = None
    shops_stopped: dict[str, str] = field(default_factory=dict)  # shop name -> why its channel stopped


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Sender:
    def __init__(self, uow: Callable[[], Any], catalogue: CarrierCatalogue, clock: Callable[[], datetime], *,
                 owner: str | None = None, lease_s: float = 60.0, batch: int = 200, workers: int = 8,
                 rate_per_s: float = 100.0, backoff_base: float = 2.0, backoff_cap: float = 300.0,
                 file_minutes: int = 30, refresh_s: float = 60.0, timeout_s: float = 10.0,
                 read_uow: Callable[[], Any] | None = None, puller: Any = None, pull_minutes: float = 2.0,
                 tracker: Any = None, track_minutes: float = 5.0, balances: Any = None,
                 balance_minutes: float = 10.0) -> None:
        # Reads (the channel, the orders to refresh) take a read transaction: on SQLite a write one
        # takes the file's lock, and the idle sender must never hold up a bench's scan.
        self._uow, self.catalogue, self.clock = uow, catalogue, clock
        self._read_uow = read_uow or uow
        self.owner = owner or default_owner()
        self.lease_s, self.batch, self.workers = lease_s, batch, workers
        self.rate = RateLimit(rate_per_s)
        self.backoff = lambda attempts: backoff_s(attempts, backoff_base, backoff_cap)
        self.file_minutes, self.refresh_s, self.timeout_s = file_minutes, refresh_s, timeout_s
        self._channel: Any = None
        self._channel_key: str | None = None
        self._last_refresh = 0.0
        # The order pull (app/platform/puller.py) rides in the same loop, every pull_minutes (0: never).
        self.puller, self.pull_s = puller, float(pull_minutes) * 60
        self._last_pull: float | None = None
        # The pickup watch (app/platform/tracker.py) too, every track_minutes (0: never).
        self.tracker, self.track_s = tracker, float(track_minutes) * 60
        self._track = SidePass(tracker, self.track_s, "pickup-track", "pickup watch pass failed")
        # The e-waybill balances (app/platform/ewaybill_balances.py) too, every balance_minutes (0: never).
        self.balances, self.balance_s = balances, float(balance_minutes) * 60
        self._balances = SidePass(balances, self.balance_s, "ewaybill-balances", "e-waybill balance refresh failed")
        self._shop_channels: dict[int, tuple[str, Any]] = {}
        self._shop_names: dict[int, str] = {}
        self._any_shop = False
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="platform-send")

    # ------------------------------------------------------------------ channel

    def _config(self) -> channel_config.ChannelConfig | None:
        with self._read_uow() as uow:
            return channel_config.load(uow.session)

    def logistics_id(self, options: dict[str, Any]) -> Callable[[str], int | None]:
        refreshed = {k.upper(): int(v) for k, v in (options.get("logistics_ids") or {}).items()}

        def lookup(code: str) -> int | None:
            carrier = self.catalogue.get(code)
            if carrier is not None and carrier.pdd_logistics_id is not None:
                return carrier.pdd_logistics_id
            return refreshed.get(code.upper())
        return lookup

    def _build(self, cfg: channel_config.ChannelConfig) -> Any:
        key = f"{cfg.channel}:{sorted(cfg.options.items())}"
        if self._channel is not None and key == self._channel_key:
            return self._channel
        self.close_channel()
        if cfg.channel == "pdd":
            from app.platform.pdd import PddChannel, PddClient

            channel: Any = PddChannel(PddClient.from_options(cfg.options, timeout=self.timeout_s),
                                      self.logistics_id(cfg.options))
        elif cfg.channel == "webhook":
            from app.platform.webhook import WebhookChannel

            channel = WebhookChannel.from_options(cfg.options, logistics_id=self.logistics_id(cfg.options),
                                                  timeout=self.timeout_s)
        else:
            channel = None  # the file channel needs no connection
        self._channel, self._channel_key = channel, key
        return channel

    def close_channel(self) -> None:
        if self._channel is not None:
            self._channel.close()
        self._channel = self._channel_key = None
        for _key, channel in self._shop_channels.values():
            channel.close()
        self._shop_channels.clear()

    def _shop_channel(self, shop: Any, site_options: dict[str, Any]) -> Any:
        """The shop's own PddChannel (its own token), rebuilt when its credentials change."""
        cached = self._shop_channels.get(shop.id)
        if cached is not None and cached[0] == shop.key():
            return cached[1]
        if cached is not None:
            cached[1].close()
        from app.platform.pdd import PddChannel, PddClient

        channel = PddChannel(PddClient.from_options(shop.options, timeout=self.timeout_s),
                             self.logistics_id(site_options))
        self._shop_channels[shop.id] = (shop.key(), channel)
        return channel

    def shop_channels(self, site_options: dict[str, Any] | None = None) -> tuple[dict[int, Any], dict[str, str]]:
        """``{shop id: channel}`` of the active shops, and ``{name: reason}`` of those stopped now
        (an unreadable secret file stops that shop only)."""
        from app.platform import shops as shop_store

        with self._read_uow() as uow:
            rows = shop_store.all_shops(uow.session)
        channels: dict[int, Any] = {}
        stopped: dict[str, str] = {}
        for shop in rows:
            if not shop.active:
                continue
            try:
                channels[shop.id] = self._shop_channel(shop, site_options or {})
            except KnownError as exc:
                with self._uow() as uow:
                    shop_store.stop(uow.session, shop.id, exc.message, self.clock())
                stopped[shop.name] = exc.message
        self._shop_names = {shop.id: shop.name for shop in rows}
        self._any_shop = bool(rows)
        return channels, stopped

    # ------------------------------------------------------------------ one cycle

    def run_once(self, *, force_export: bool = False) -> CycleStats:
        stats = CycleStats()
        cfg = self._config()
        site: Any = None
        if cfg is not None and cfg.stopped_reason:
            stats.stopped = cfg.stopped_reason
        elif cfg is not None:
            try:
                site = self._build(cfg)
            except KnownError as exc:  # an unreadable secret file: stop and tell the supervisor
                self._stop(exc.message)
                stats.stopped = exc.message
        site_ok = cfg is not None and not stats.stopped
        channels, stats.shops_stopped = self.shop_channels(cfg.options if cfg is not None else None)
        if site_ok and cfg.channel == "file":
            self._export(cfg, stats, force_export)
        site_sends = site_ok and cfg.channel != "file"
        if not site_sends and not channels:
            return stats
        # Only the jobs some channel can send: a stopped shop's (or a stopped site's) wait untouched.
        scope = None if site_sends and not self._any_shop else outbox.for_shops(site_sends, list(channels))
        now = self.clock()
        with self._uow() as uow:
            jobs = outbox.lease(uow.session, self.owner, now, self.lease_s, self.batch, scope=scope)
        stats.leased += len(jobs)
        if jobs:
            results = list(self._pool.map(
                lambda j: self._deliver(site if j.shop_id is None else channels[j.shop_id], j), jobs))
            self._record(results, stats, {j.id: j.shop_id for j in jobs})
        if site_sends and cfg.channel == "pdd" and not stats.stopped and \
                time.monotonic() - self._last_refresh >= self.refresh_s:
            stats.refreshed = self.refresh_platform_state(site)
        return stats

    def _deliver(self, channel: Any, job: Job) -> Result:
        self.rate.wait()
        try:
            return channel.send(job)
        except Exception as exc:  # noqa: BLE001 - a bug in a channel must not lose the job
            log.exception("platform job %s failed unexpectedly", job.id)
            return Result(job.id, "retry", f"internal error: {type(exc).__name__}")

    def _record(self, results: list[Result], stats: CycleStats, shop_of: dict[int, int | None] | None = None) -> None:
        from app.platform import shops as shop_store

        now = self.clock()
        shop_of = shop_of or {}
        stops = [r for r in results if r.kind == "stop"]
        stop = next((r for r in stops if shop_of.get(r.job_id) is None), None)
        shop_stops = {shop_of[r.job_id]: r.message for r in stops if shop_of.get(r.job_id) is not None}
        with self._uow() as uow:
            outbox.record(uow.session, self.owner, results, now, backoff=self.backoff)
            if stop is not None:
                channel_config.stop(uow.session, stop.message, now)
            for shop_id, message in shop_stops.items():
                shop_stops[shop_id] = shop_store.stop(uow.session, shop_id, message, now)  # names the shop's fix
        for r in results:
            stats.results[r.kind] = stats.results.get(r.kind, 0) + 1
        if stop is not None:
            stats.stopped = stop.message
            log.warning("platform channel stopped: %s", stop.message)
        for shop_id, message in shop_stops.items():
            name = self._shop_names.get(shop_id, str(shop_id))
            stats.shops_stopped[name] = message
            log.warning("shop %s stopped: %s", name, message)

    def _stop(self, reason: str) -> None:
        with self._uow() as uow:
            channel_config.stop(uow.session, reason, self.clock())

    def _export(self, cfg: channel_config.ChannelConfig, stats: CycleStats, force: bool) -> CycleStats:
        now = self.clock()
        with self._uow() as uow:
            s = uow.session
            last = cfg.last_export_at
            closed = s.scalar(select(func.max(Manifest.closed_at)))
            due = (force or last is None or now - last >= timedelta(minutes=self.file_minutes)
                   or (closed is not None and closed > last))
            if not due:
                return stats
            jobs = outbox.lease(s, self.owner, now, self.lease_s, 100_000, extras_wait=False,
                                scope=outbox.for_shops(True, []) if self._any_shop else None)
        stats.leased = len(jobs)
        if not jobs:
            return stats

        def name(code: str) -> str:
            carrier = self.catalogue.get(code)
            return carrier.name_zh if carrier else code

        path, results = export_jobs(jobs, cfg.options["dir"], cfg.options.get("format", "csv"), now, name)
        self._record(results, stats)
        with self._uow() as uow:
            from app.models.schema import PlatformConfig

            row = uow.session.get(PlatformConfig, 1)
            if row is not None:
                row.last_export_at = now
        stats.exported_file = str(path) if path else None
        return stats

    # ------------------------------------------------------------------ the platform's order state

    def refresh_platform_state(self, channel: Any, *, max_calls: int = 4) -> int:
        """Ask the platform about the orders not yet packed, least recently checked first."""
        self._last_refresh = time.monotonic()
        with self._read_uow() as uow:
            rows = uow.session.execute(
                select(Order.id, Order.order_no).outerjoin(PlatformOrder, PlatformOrder.order_id == Order.id)
                .where(Order.state.in_((OrderState.READY.value, OrderState.PACKING.value, OrderState.ON_HOLD.value)),
                       Order.shop_id.is_(None))  # a shop's orders: its pull reads their state
                .order_by(PlatformOrder.checked_at.is_not(None), PlatformOrder.checked_at, Order.id)
                .limit(50 * max_calls)).all()
        ids = {no: oid for oid, no in rows}
        numbers = [no for _, no in rows]
        done = 0
        for i in range(0, len(numbers), 50):
            self.rate.wait()
            verdict, states = channel.order_states(numbers[i:i + 50])
            if verdict.kind == "stop":
                self._stop(verdict.message)
                break
            if verdict.kind != "ok":
                log.info("platform state refresh: %s (the bench packs on what it last knew)", verdict.message)
                break
            now = self.clock()
            values = [{"order_id": ids[no], "order_status": st, "refund_status": rf, "checked_at": now}
                      for no, (st, rf) in states.items() if no in ids]
            with self._uow() as uow:
                if values:
                    _upsert_platform_orders(uow.session, values)
                from app.models.schema import PlatformConfig

                row = uow.session.get(PlatformConfig, 1)
                if row is not None:
                    row.refreshed_at = now  # the bench knows the platform's word is current
            done += len(values)
        return done

    # ------------------------------------------------------------------ loop

    def pull_if_due(self) -> list[Any]:
        """The order pull of every enabled shop, when ``pull_minutes`` have passed since the last."""
        if self.puller is None or self.pull_s <= 0:
            return []
        now = time.monotonic()
        if self._last_pull is not None and now - self._last_pull < self.pull_s:
            return []
        self._last_pull = now
        try:
            return self.puller.run_once(due_only=True)
        except DatabaseUnavailable:
            return []
        except Exception:  # noqa: BLE001 - a bug in the pull must not stop the sender
            log.exception("platform order pull failed")
            return []

    def track_if_due(self) -> threading.Thread | None:
        """A pass of the pickup watch, when ``track_minutes`` have passed since the last, on a thread
        of its own: its calls wait on each shop's ceiling, the shipments never wait on them."""
        return self._track.start_if_due()

    def balances_if_due(self) -> threading.Thread | None:
        """Every enabled shop's e-waybill balances read and stored, when ``balance_minutes`` have passed,
        on a thread of its own (as the pickup watch: the shipments never wait on the platform's answer)."""
        return self._balances.start_if_due()

    def run(self, stop: threading.Event, idle_s: float = 2.0) -> None:
        """Cycle until ``stop`` is set; wait ``idle_s`` when there was nothing to do."""
        while not stop.is_set():
            self.pull_if_due()
            self.track_if_due()
            self.balances_if_due()
            try:
                stats = self.run_once()
                busy = stats.leased >= self.batch
            except DatabaseUnavailable:
                busy = False
            except Exception:  # noqa: BLE001 - the sender keeps going; the bench never notices
                log.exception("platform sender cycle failed")
                busy = False
            if not busy:
                stop.wait(idle_s)
        self.shutdown()

    def shutdown(self) -> None:
        try:
            with self._uow() as uow:
                outbox.release(uow.session, self.owner)
        except Exception:  # noqa: BLE001 - leases expire on their own
            pass
        self.close_channel()
        if self.puller is not None and hasattr(self.puller, "close"):
            self.puller.close()
        if self.tracker is not None:
            self.tracker.close()
        self._pool.shutdown(wait=False, cancel_futures=True)


def _upsert_platform_orders(s, values: list[dict]) -> None:
    dialect = s.bind.dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PlatformOrder).values(values)
    s.execute(ins.on_conflict_do_update(index_elements=[PlatformOrder.order_id], set_={
        "order_status": ins.excluded.order_status, "refund_status": ins.excluded.refund_status,
        "checked_at": ins.excluded.checked_at}))


def start_in_background(services: Any, *, idle_s: float = 2.0) -> tuple[threading.Thread, threading.Event]:
    """The embedded sender of a single bench: a daemon thread (off the UI thread and the scan path)."""
    stop = threading.Event()
    s = services.settings
    sender = Sender(services.uow, services.catalogue, services.clock, rate_per_s=s.platform_rate_per_s,
                    file_minutes=s.platform_file_minutes, read_uow=services.read_uow, puller=make_puller(services),
                    pull_minutes=s.platform_pull_minutes, tracker=make_tracker(services),
                    track_minutes=s.pickup_track_minutes, balances=make_balance_watch(services),
                    balance_minutes=s.ewaybill_balance_minutes)
    thread = threading.Thread(target=sender.run, args=(stop, idle_s), name="platform-sender", daemon=True)
    thread.start()
    return thread, stop


def make_tracker(services: Any, **kw) -> Any:
    """The pickup watch with the site's settings (``pickup_*``)."""
    from app.platform.tracker import make_tracker as make

    return make(services, **kw)


def make_balance_watch(services: Any, **kw) -> Any:
    """The e-waybill balance refresh of every enabled shop (``ewaybill_balance_minutes``)."""
    from app.platform.ewaybill_balances import make_balance_watch as make

    return make(services, **kw)


def make_puller(services: Any, **kw) -> Any:
    """The order pull with the site's settings (``platform_pull_days``, ``default_carrier``)."""
    from app.platform.puller import Puller

    s = services.settings
    return Puller(services.uow, services.catalogue, services.clock, read_uow=services.read_uow,
                  pull_days=s.platform_pull_days, default_carrier=s.default_carrier, **kw)


__all__ = ["CycleStats", "PlatformJob", "RateLimit", "Sender", "start_in_background"]
