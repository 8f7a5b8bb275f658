"""The order pull: new and changed orders of each shop from ``pdd.order.number.list.increment.get``,
the way the platform documents it (lywzx/pdd-node-sdk ``dingDan/PddOrderNumberListIncrementGet.ts``:
"一次请求只能查询时间跨度为30分钟的增量交易记录 ... 通过从后往前翻页的方式以及结束时间不小于拼多多系统时间前3min
可以避免漏单问题"; ``gongJu/PddTimeGet.ts`` for the platform's clock):

* windows of ``updated_at`` of at most 30 minutes, the last one ending at least 3 minutes behind the
  platform's clock (``pdd.time.get``), never PackGate's;
* each window's pages read from the last to the first: an order changed while the window is read
  leaves the window (its ``updated_at`` is now later), which shifts only the pages already read; it
  comes back in a later window;
* pages read on a fetching thread while the orders of the pages before are written here, at most
  1,000 orders a transaction (the rules of :mod:`app.platform.pull_rules`; the same ``updated_at``
  again writes nothing; no transaction waits on the platform), the shop's cursor moved to the
  window's end with the window's last orders, once the window is read whole: a pull killed anywhere
  re-reads at most that window, and the orders it had written are unchanged, not doubled. New
  orders go in as ``import-orders`` writes them (plain executemany). A first pull goes back
  ``platform_pull_days``;
* faults sorted as the sender's (:mod:`app.platform.faults`): retry with backoff, a stopped shop for
  an expired token (that shop only), a malformed order skipped and reported with its number.

Runs from ``packgate platform pull`` and every ``platform_pull_minutes`` in the sender's loop
(``serve``, ``sync``, an embedded bench's sender thread): never on the scan path.
"""

from __future__ import annotations

import json
import logging
import math
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.carriers import CarrierCatalogue
from app.errors import KnownError
from app.models.audit_chain import add_events
from app.models.bulk import insert_many, insert_numbered, one_of
from app.models.schema import Order, OrderLine, PlatformOrder, Product, Shop
from app.packing.lifecycle import OrderEvent
from app.packing.repository import change_state
from app.platform import pull_rules as rules
from app.platform import return_pull
from app.platform import shops as shop_store
from app.platform.config import masked_urls
from app.platform.faults import backoff_s
from app.platform.pull_rules import Decision, Known, ShopContext

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=30)
LAG = timedelta(minutes=3)
KEEP_DAYS = 90  # the platform keeps 90 days of orders
PAGE_SIZE = 100
WRITE_CHUNK = 1000  # orders per transaction: a bench's scan never waits long behind the pull
PREFETCH_PAGES = 64  # pages read ahead of the writing (bounded: a first pull of 3 days is not held in memory)


@dataclass
class PullStats:
    shop: str
    windows: int = 0
    calls: int = 0
    seen: int = 0
    new: int = 0
    held: int = 0
    released: int = 0
    cancelled: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored: int = 0
    skipped: list[str] = field(default_factory=list)
    warning: str | None = None  # a pull that went through but needs someone (no carrier chosen)
    error: str | None = None
    stopped: str | None = None
    cursor: datetime | None = None
    returns: int = 0  # after-sales cases (return and refund) newly expected at the returns bench

    def line(self) -> str:
        parts = [f"{self.new} new", f"{self.held} held", f"{self.released} released", f"{self.cancelled} cancelled",
                 f"{self.updated} updated", f"{self.unchanged} unchanged", f"{len(self.skipped)} skipped"]
        if self.returns:
            parts.append(f"{self.returns} returns expected")
        text = f"shop {self.shop}: {', '.join(parts)} ({self.windows} windows, {self.calls} calls)"
        if self.stopped:
            text += f"  STOPPED: {self.stopped}"
        elif self.error:
            text += f"  error: {self.error}"
        elif self.warning:
            text += f"  {self.warning}"
        return text


class _Failed(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


class Puller:
    def __init__(self, uow: Callable[[], Any], catalogue: CarrierCatalogue, clock: Callable[[], datetime], *,
                 read_uow: Callable[[], Any] | None = None, pull_days: int = 3, default_carrier: str = "",
                 page_size: int = PAGE_SIZE, backoff_base: float = 2.0, backoff_cap: float = 300.0,
                 timeout_s: float = 10.0, client_factory: Callable[[dict[str, Any]], Any] | None = None) -> None:
        self._uow, self._read_uow = uow, read_uow or uow
        self.catalogue, self.clock = catalogue, clock
        self.pull_days, self.default_carrier, self.page_size = pull_days, default_carrier.strip().upper(), page_size
        self.backoff = lambda attempts: backoff_s(attempts, backoff_base, backoff_cap)
        self.timeout_s = timeout_s
        self._client_factory = client_factory or self._client
        self._clients: dict[int, tuple[str, Any]] = {}  # shop id -> (its credentials, its client): kept between passes

    def _client(self, options: dict[str, Any]) -> Any:
        from app.platform.pdd import PddClient

        return PddClient.from_options(options, timeout=self.timeout_s)

    def client(self, shop: shop_store.ShopConfig) -> Any:
        """The shop's client, built once per set of credentials (a TLS context costs ~50 ms)."""
        cached = self._clients.get(shop.id)
        if cached is not None and cached[0] == shop.key():
            return cached[1]
        if cached is not None:
            _close(cached[1])
        client = self._client_factory(shop.options)
        self._clients[shop.id] = (shop.key(), client)
        return client

    def close(self) -> None:
        for _key, client in self._clients.values():
            _close(client)
        self._clients.clear()

    # ------------------------------------------------------------------ passes

    def run_once(self, shop: str | None = None, *, due_only: bool = False) -> list[PullStats]:
        """Pull every enabled shop (or ``shop``); ``due_only``: skip a shop still backing off."""
        with self._read_uow() as uow:
            if shop is not None:
                one = shop_store.get(uow.session, shop)
                if one is None:
                    raise KnownError(f"no shop named {shop.strip()!r} (packgate shops list)")
                targets = [one]
            else:
                targets = [s for s in shop_store.all_shops(uow.session) if s.enabled]
        now = self.clock()
        out = []
        for target in targets:
            if target.stopped_reason:
                out.append(PullStats(target.name, stopped=target.stopped_reason, cursor=target.pull_cursor))
            elif due_only and target.next_pull_at is not None and target.next_pull_at > now:
                continue
            else:
                out.append(self.pull_shop(target))
        return out

    def pull_shop(self, shop: shop_store.ShopConfig) -> PullStats:
        stats = PullStats(shop.name, cursor=shop.pull_cursor)
        carrier = shop.default_carrier or self.default_carrier or None
        if carrier is None:  # its new orders are stored on hold, released by the first pull after a carrier is chosen
            stats.warning = (f"no carrier chosen for shop {shop.name}: its orders are held (packgate shops add "
                             f"{shop.name} ... --default-carrier CODE, or the default_carrier setting)")
        try:
            client = self.client(shop)
        except KnownError as exc:  # an unreadable secret file: this shop stops
            return self._finish(shop, stats, _Failed("stop", exc.message))
        try:
            platform_now = self._platform_time(client, stats)
            cursor = shop.pull_cursor or platform_now - timedelta(days=self.pull_days)
            cursor = max(cursor, platform_now - timedelta(days=KEEP_DAYS))
            limit = platform_now - LAG
            ctx = ShopContext(shop.name, carrier, lambda sku: False, self._carrier_ids())
            windows = []
            while cursor < limit:
                windows.append((cursor, min(cursor + WINDOW, limit)))
                cursor = windows[-1][1]
            self._windows(client, shop, ctx, windows, stats)
            self._recheck(shop, ctx, stats)
            return_pull.pull(self, client, shop, platform_now, stats)  # the returns expected (after the orders)
        except _Failed as failed:
            return self._finish(shop, stats, failed)
        return self._finish(shop, stats, None)

    def _finish(self, shop: shop_store.ShopConfig, stats: PullStats, failed: _Failed | None) -> PullStats:
        now = self.clock()
        skipped = "; ".join(stats.skipped[:5]) + (f" (+{len(stats.skipped) - 5} more)" if len(stats.skipped) > 5 else "")
        with self._uow() as uow:
            s = uow.session
            if failed is not None and failed.kind == "stop":
                stats.stopped = shop_store.stop(s, shop.id, failed.message, now)
                log.warning("shop %s stopped: %s", shop.name, stats.stopped)
                return stats
            values: dict[str, Any] = {"last_pull_at": now}
            if failed is not None:
                failures = shop.pull_failures + 1
                stats.error = failed.message
                values.update(last_pull_error=masked_urls(failed.message), pull_failures=failures,
                              next_pull_at=now + timedelta(seconds=self.backoff(failures)))
            else:
                said = [t for t in (stats.warning, f"skipped: {skipped}" if skipped else "") if t]
                values.update(last_pull_error="; ".join(said), pull_failures=0, next_pull_at=None)
            s.execute(update(Shop).where(Shop.id == shop.id).values(**values))
        for text in stats.skipped:
            log.warning("shop %s: skipped %s", shop.name, text)
        return stats

    def _carrier_ids(self) -> dict[int, str]:
        return {c.pdd_logistics_id: c.code for c in self.catalogue.all() if c.pdd_logistics_id is not None}

    # ------------------------------------------------------------------ the platform

    def _call(self, client: Any, stats: PullStats, api: str, **business) -> dict[str, Any]:
        stats.calls += 1
        verdict, body = client.call(api, **business)
        if verdict.kind == "ok" and body is not None:
            return body
        kind = "stop" if verdict.kind == "stop" else "retry"
        raise _Failed(kind, f"{api}: {verdict.message or 'no answer'}")

    def _platform_time(self, client: Any, stats: PullStats) -> datetime:
        body = self._call(client, stats, "pdd.time.get")
        try:
            at = rules.platform_time((body.get("time_get_response") or {}).get("time"), "time")
        except rules.Malformed as exc:
            raise _Failed("retry", f"pdd.time.get: {exc}") from None
        assert at is not None
        return at

    def _page(self, client: Any, stats: PullStats, start: datetime, end: datetime, page: int) -> tuple[int, list]:
        body = self._call(client, stats, "pdd.order.number.list.increment.get", is_lucky_flag=0, order_status=5,
                          refund_status=5, start_updated_at=int(start.timestamp()), end_updated_at=int(end.timestamp()),
                          page=page, page_size=self.page_size)
        answer = body.get("order_sn_increment_get_response") or {}
        orders = answer.get("order_sn_list") or []
        try:
            total = int(answer.get("total_count") or 0)
        except (TypeError, ValueError):
            raise _Failed("retry", "pdd.order.number.list.increment.get: total_count is not a number") from None
        return total, orders if isinstance(orders, list) else []

    def _fetch(self, client: Any, stats: PullStats, windows: list[tuple[datetime, datetime]],
               out: queue.Queue, stop: threading.Event) -> None:
        """The pages of every window, in order (each window's from the last to the first), onto
        ``out``: ``("page", orders)``, ``("end", window's end)``, then ``("done", None)`` or
        ``("error", exception)``. Runs on its own thread while the pages before are written."""

        def put(item: tuple[str, Any]) -> bool:
            while not stop.is_set():
                try:
                    out.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        try:
            for start, end in windows:
                total, first = self._page(client, stats, start, end, 1)
                pages = math.ceil(total / self.page_size)
                if pages <= 1:
                    if not put(("page", first)):
                        return
                for page in range(pages, 0, -1) if pages > 1 else ():
                    # the last page first: nothing shifts into a page not yet read
                    if stop.is_set() or not put(("page", self._page(client, stats, start, end, page)[1])):
                        return
                if not put(("end", end)):
                    return
            put(("done", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the writing thread, which raises it
            put(("error", exc))

    def _windows(self, client: Any, shop: shop_store.ShopConfig, ctx: ShopContext,
                 windows: list[tuple[datetime, datetime]], stats: PullStats) -> None:
        """Read the windows' pages on a fetching thread and write their orders here as they come, a
        chunk of :data:`WRITE_CHUNK` per transaction; a window's last orders and the shop's cursor
        moved to its end in one transaction, once the window is read whole. No transaction waits on
        the platform (the fetching thread does; a chunk is written from pages already read); a pull
        stopped anywhere re-reads at most the window it was in, whose orders already written are then
        unchanged, not doubled. An order met on two pages of a window (a page shifted) is taken once."""
        if not windows:
            return
        pages: queue.Queue = queue.Queue(maxsize=PREFETCH_PAGES)
        stop = threading.Event()
        fetcher = threading.Thread(target=self._fetch, args=(client, stats, windows, pages, stop),
                                   name=f"pull {shop.name}", daemon=True)
        fetcher.start()
        try:
            seen: set[str] = set()
            chunk: list = []
            while True:
                kind, value = pages.get()
                if kind == "page":
                    for raw in value:
                        number = str(raw.get("order_sn") or "") if isinstance(raw, dict) else ""
                        if number and number in seen:
                            continue
                        seen.add(number)
                        chunk.append(raw)
                    while len(chunk) >= WRITE_CHUNK:
                        self._apply(shop, ctx, chunk[:WRITE_CHUNK], stats)
                        del chunk[:WRITE_CHUNK]
                elif kind == "end":
                    self._apply(shop, ctx, chunk, stats, cursor=value)
                    chunk, seen = [], set()
                    stats.cursor = value
                    stats.windows += 1
                elif kind == "error":
                    raise value
                else:
                    return
        finally:
            stop.set()
            fetcher.join()

    # ------------------------------------------------------------------ writing

    def _apply(self, shop: shop_store.ShopConfig, ctx: ShopContext, raws: list, stats: PullStats,
               again: bool = False, cursor: datetime | None = None) -> None:
        """A chunk of orders in one transaction: every order decided, then written (or nothing is);
        ``cursor``: the shop's cursor moved there in the same transaction (the window is read whole)."""
        if not raws and cursor is None:
            return
        stats.seen += len(raws)
        now = self.clock()
        with self._uow() as uow:
            s = uow.session
            if cursor is not None:
                s.execute(update(Shop).where(Shop.id == shop.id).values(pull_cursor=cursor))
            if not raws:
                return
            known = _known(s, raws)
            products = _products(s, raws)
            ctx = ShopContext(ctx.shop, ctx.carrier, products.__contains__, ctx.carrier_of_logistics_id)
            new: list[tuple[Decision, Any]] = []
            for raw in raws:
                number = str(raw.get("order_sn") or "") if isinstance(raw, dict) else ""
                row = known.get(number)
                if row is not None and row.shop_id not in (None, shop.id):
                    stats.skipped.append(f"order {number}: it belongs to another shop")
                    continue
                d = rules.decide(raw, Known(row.state, row.updated_at, row.pull_hold, row.carrier_code) if row else None,
                                 ctx, again=again)
                if d.action == "new":
                    new.append((d, raw))
                else:
                    _write_one(s, d, raw, row, shop.id, products, now, stats)
            if new:
                _insert_new(s, new, shop.id, products, now, stats)

    def _recheck(self, shop: shop_store.ShopConfig, ctx: ShopContext, stats: PullStats) -> None:
        """The orders this pull holds for a reason the platform need not change (an unknown SKU, no
        carrier): decided again from the order kept, at every pull."""
        with self._read_uow() as uow:
            payloads = list(uow.session.scalars(
                select(PlatformOrder.payload).join(Order, Order.id == PlatformOrder.order_id)
                .where(Order.shop_id == shop.id, Order.state == rules.ON_HOLD,
                       PlatformOrder.pull_hold.in_(rules.RECHECKED), PlatformOrder.payload.is_not(None))))
        raws = [json.loads(p) for p in payloads]
        for i in range(0, len(raws), self.page_size):
            seen = stats.seen
            self._apply(shop, ctx, raws[i:i + self.page_size], stats, again=True)
            stats.seen = seen


def _close(client: Any) -> None:
    close = getattr(client, "close", None)
    if close is not None:
        close()


# ------------------------------------------------------------------------------- the database side


@dataclass(frozen=True)
class _Row:
    id: int
    state: str
    shop_id: int | None
    updated_at: datetime | None
    pull_hold: str | None
    carrier_code: str | None


def _numbers(raws: Iterable[Any]) -> list[str]:
    return [str(r.get("order_sn")) for r in raws if isinstance(r, dict) and r.get("order_sn")]


def _known(s: Session, raws: list) -> dict[str, _Row]:
    rows = s.execute(select(Order.order_no, Order.id, Order.state, Order.shop_id, PlatformOrder.updated_at,
                            PlatformOrder.pull_hold, Order.carrier_code)
                     .outerjoin(PlatformOrder, PlatformOrder.order_id == Order.id)
                     .where(one_of(s, Order.order_no, _numbers(raws)))).all()
    return {r.order_no: _Row(r.id, r.state, r.shop_id, r.updated_at, r.pull_hold, r.carrier_code) for r in rows}


def _products(s: Session, raws: list) -> dict[str, int]:
    skus = {str(item.get(key) or "").strip() for r in raws if isinstance(r, dict)
            for item in (r.get("item_list") or []) if isinstance(item, dict) for key in ("outer_id", "outer_goods_id")}
    skus.discard("")
    return dict(s.execute(select(Product.sku, Product.id).where(one_of(s, Product.sku, skus))).all()) if skus else {}


def _payload(d: Decision, raw: Any) -> str | None:
    return json.dumps(raw, ensure_ascii=False, sort_keys=True) if d.hold in rules.RECHECKED else None


def _platform_row(order_id: int, d: Decision, raw: Any, now: datetime) -> dict[str, Any]:
    o = d.order
    assert o is not None
    held = d.hold if d.state == rules.ON_HOLD else None
    return {"order_id": order_id, "order_status": o.order_status, "refund_status": o.refund_status, "checked_at": now,
            "updated_at": o.updated_at, "pull_hold": held, "payload": _payload(d, raw) if held else None}


_PLATFORM_COLUMNS = ("order_status", "refund_status", "checked_at", "updated_at", "pull_hold", "payload")


def _upsert_platform(s: Session, rows: list[dict[str, Any]]) -> None:
    """The platform's word on these orders (one executemany)."""
    table = PlatformOrder.__table__
    ins = (postgresql.insert if s.bind.dialect.name == "postgresql" else sqlite.insert)(table)
    s.connection().execute(ins.on_conflict_do_update(index_elements=[table.c.order_id], set_={
        c: getattr(ins.excluded, c) for c in _PLATFORM_COLUMNS}), rows)


def _order_values(d: Decision) -> dict[str, Any]:
    o = d.order
    assert o is not None
    return {"recipient_name": o.recipient_name, "recipient_phone": o.recipient_phone,
            "recipient_address": o.recipient_address, "note": o.note, "ship_by": o.ship_by}


def _lines(d: Decision, products: dict[str, int]) -> list[tuple[int, int]]:
    assert d.order is not None
    return [(products[sku], n) for sku, n, _name in d.order.lines if sku in products]


def _replace_lines(s: Session, order_id: int, lines: list[tuple[int, int]]) -> None:
    current = sorted((p, n) for p, n in s.execute(select(OrderLine.product_id, OrderLine.quantity)
                                                  .where(OrderLine.order_id == order_id)))
    if current == sorted(lines):
        return
    s.execute(delete(OrderLine).where(OrderLine.order_id == order_id))
    if lines:
        s.execute(insert(OrderLine), [{"order_id": order_id, "product_id": p, "quantity": n, "scanned": 0}
                                      for p, n in lines])


def _audit(order_no: str, message: str, reason: str, now: datetime) -> dict[str, Any]:
    return {"at": now, "station_id": None, "user_id": None, "raw": order_no, "message": message, "reason": reason}


def _write_one(s: Session, d: Decision, raw: Any, row: _Row | None, shop_id: int, products: dict[str, int],
               now: datetime, stats: PullStats) -> None:
    if d.action == "skip":
        stats.skipped.append(d.reason)
        return
    if d.action == "unchanged":
        stats.unchanged += 1
        return
    if d.action == "ignore":
        stats.ignored += 1
        return
    assert row is not None and d.order is not None
    no = d.order.order_no
    ours = {"shop_id": shop_id}  # an order imported from a file before its shop was pulled is the shop's now
    if d.action == "hold":
        change_state(s, OrderEvent.IMPORT_HOLD, order_id=row.id, source=row.state, values={"hold_reason": d.reason},
                     audit=_audit(no, f"Order {no} put on hold by the platform pull: {d.reason}", d.reason, now))
        stats.held += 1
    elif d.action == "cancel":
        change_state(s, OrderEvent.CANCEL, order_id=row.id, source=row.state,
                     audit=_audit(no, f"Order {no} cancelled by the platform pull: {d.reason}", d.reason, now))
        stats.cancelled += 1
    elif d.action == "release":
        _replace_lines(s, row.id, _lines(d, products))
        s.execute(update(Order).where(Order.id == row.id).values(**_order_values(d), **ours,
                                                                 carrier_code=d.order.carrier_code))
        change_state(s, OrderEvent.RELEASE, order_id=row.id, source=rules.ON_HOLD,
                     audit=_audit(no, f"Order {no} released by the platform pull: the platform shows it ready",
                                  "platform pull", now))
        stats.released += 1
    elif d.action == "update":
        values = {**_order_values(d), **ours}
        if d.state == rules.ON_HOLD:
            values["hold_reason"] = d.reason
        if row.state == rules.READY:
            _replace_lines(s, row.id, _lines(d, products))
        s.execute(update(Order).where(Order.id == row.id, Order.state == row.state).values(**values))
        stats.updated += 1
    else:  # platform: only the platform's word (the bench stops a refunded order at its next scan)
        stats.updated += 1
    _upsert_platform(s, [_platform_row(row.id, d, raw, now)])


_ORDER_COLUMNS = ("order_no", "platform", "carrier_code", "created_at", "imported_at", "state", "hold_reason",
                  "shop_id", "recipient_name", "recipient_phone", "recipient_address", "note", "ship_by")
_PLATFORM_ROW = ("order_id", "order_status", "refund_status", "checked_at", "updated_at", "pull_hold", "payload")
_platform_values = itemgetter(*_PLATFORM_ROW)  # a platform row's values in _PLATFORM_ROW order
_LINE_COLUMNS = ("order_id", "product_id", "quantity", "scanned")


def _insert_new(s: Session, new: list[tuple[Decision, Any]], shop_id: int, products: dict[str, int],
                now: datetime, stats: PullStats) -> None:
    """The chunk's new orders in a few statements (plain executemany, as ``import-orders``): orders
    (their ids found after), lines, platform rows, and the audit events of those stored on hold."""
    rows = []
    for d, _raw in new:
        o = d.order
        assert o is not None
        rows.append((o.order_no, "pdd", o.carrier_code, o.created_at, now, d.state,
                     d.reason if d.state == rules.ON_HOLD else "", shop_id, o.recipient_name, o.recipient_phone,
                     o.recipient_address, o.note, o.ship_by))
    ids = insert_numbered(s, Order.__table__, _ORDER_COLUMNS, rows, "order_no")
    insert_many(s, OrderLine.__table__, _LINE_COLUMNS,
                [(ids[d.order.order_no], p, n, 0) for d, _raw in new if d.order is not None
                 for p, n in _lines(d, products)])
    insert_many(s, PlatformOrder.__table__, _PLATFORM_ROW,
                [_platform_values(_platform_row(ids[d.order.order_no], d, raw, now)) for d, raw in new if d.order])
    held = [(d.order.order_no, d.reason) for d, _raw in new if d.order and d.state == rules.ON_HOLD]
    if held:
        add_events(s, [{"at": now, "order_id": ids[no], "raw": no, "kind": "import_hold", "accepted": True,
                        "message": f"Order {no} pulled from the platform on hold: {reason}", "reason": reason,
                        "station_id": None, "user_id": None, "manifest_id": None} for no, reason in held])
    stats.new += len(new)
    stats.held += len(held)
