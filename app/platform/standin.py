"""A stand-in for the Pinduoduo gateway: a real HTTP server on loopback, for tests, benchmarks and
the demo (``packgate platform standin --port N``).

Faithful to the documented protocol (see :mod:`app.platform.pdd` for the SDK sources checked): a
form POST (or query string) to the router; the common parameters ``type``, ``client_id``,
``access_token``, ``timestamp`` (seconds, within ``TIMESTAMP_WINDOW_S``), ``data_type=JSON``,
``version=V1`` and ``sign`` (upper-case hex MD5 of secret + sorted name+value pairs + secret) are
checked; answers are ``{"<api>_response": {...}}`` or ``{"error_response": {"error_code",
"error_msg", "sub_code", "sub_msg", "request_id"}}``.

It keeps what a shop's orders hold on the platform: the first shipment of an order is final (a
repeat with the same number says "already shipped", and so does another number: the sender reads
the number back with ``pdd.order.information.get``). Faults on demand (:class:`Faults`, or
``POST /_standin/faults`` with the same fields as JSON): delay, dropped connections (before or
after the shipment is recorded), HTTP 5xx, rate limiting, an expired token, refunded orders, and
orders already shipped with another number.

Shops' orders (:meth:`StandIn.add_shop`, :meth:`StandIn.add_order`, ``--shop`` and ``--orders``):
each shop has its own access token, which names the shop; ``pdd.order.number.list.increment.get``
serves the shop's orders by ``updated_at`` with the platform's rules enforced (a window of more than
30 minutes, or ending less than 3 minutes before the platform's clock, is the platform's error
10000, not a silent answer), paged (``page``, ``page_size`` up to 100, ``total_count`` or
``use_has_next``), ``pdd.time.get`` tells the stand-in's clock (injectable), and a refund, a
cancellation or a change (:meth:`StandIn.refund`, ``POST /_standin/refund`` ...) moves the order's
``updated_at`` to that clock. A shipment is accepted only with the token of the order's own shop.
Shapes as lywzx/pdd-node-sdk ``dingDan/PddOrderNumberListIncrementGet.ts`` and ``gongJu/PddTimeGet.ts``.

Carrier traces (``pdd.logistics.ordertrace.get``, ``company_code`` + ``mail_no`` -> ``trace_list`` of
{``action``, ``status_time``, ``desc``, ``node_description``}): told per number, or per order for
the numbers shipped for it (:meth:`StandIn.trace`, ``POST /_standin/trace``, ``--trace``), to be
picked up N minutes after a start (the handover; by default the first time the number is asked
about), never, or to fail (a FAIL with the carrier's words); :meth:`StandIn.pick_up_first` picks up
the first N numbers asked about that it was told nothing of (``--pick-up-first N``), and
``trace_default`` (``--trace-default``) is the plan of the others; without one, an empty trace.

After-sales cases (:meth:`StandIn.return_case`, ``POST /_standin/return``, or an order's
``return_case`` in ``--orders``): ``pdd.refund.list.increment.get`` serves them by ``updated_time``
with the same window rules, filtered by ``after_sales_type`` (shape as ``shouHou/PddRefundListIncrementGet.ts``).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from app.platform.faults import error_response
from app.platform.signing import pdd_sign
from app.platform.standin_ewaybill import WaybillDesk

TIMESTAMP_WINDOW_S = 600
WINDOW_MAX_S = 30 * 60  # pdd.order.number.list.increment.get: end_updated_at - start_updated_at <= 30 min
LAG_MIN_S = 3 * 60  # ... and the end at least 3 minutes before the platform's clock
PAGE_MAX = 100
BEIJING = timezone(timedelta(hours=8))
DEFAULT_SHOP = "default"
DEFAULT_COMPANIES = [
    {"id": 44, "logistics_company": "顺丰速运", "code": "SF"}, {"id": 115, "logistics_company": "中通快递", "code": "ZTO"},
    {"id": 85, "logistics_company": "圆通快递", "code": "YTO"}, {"id": 1, "logistics_company": "申通快递", "code": "STO"},
    {"id": 121, "logistics_company": "韵达快递", "code": "YUNDA"}, {"id": 118, "logistics_company": "邮政EMS", "code": "EMS"},
    {"id": 120, "logistics_company": "京东配送", "code": "JD"}, {"id": 384, "logistics_company": "极兔速递", "code": "JTSD"},
    {"id": 131, "logistics_company": "德邦快递", "code": "DEPPON"},
]


@dataclass
class Faults:
    delay_ms: int = 0
    drop_rate: float = 0.0  # close the connection before doing anything
    drop_after_rate: float = 0.0  # record the shipment, then close the connection (the answer is lost)
    error_5xx_rate: float = 0.0
    rate_limit_rate: float = 0.0
    rate_limit_per_s: float = 0.0  # a real limit (0: none): calls above it get the rate-limit error
    token_expired: bool = False
    refunded: dict[str, int] = field(default_factory=dict)  # order_sn -> refund_status
    seed: int | None = None


@dataclass
class TracePlan:
    """What a number's carrier trace shows: a pickup (GOT) ``pickup_after_s`` after ``start`` (None:
    never), then a departure 2 hours later; a FAIL with ``fail`` as its words ``fail_after_s`` after
    ``start``. ``start`` None: the first time the number is asked about."""

    pickup_after_s: float | None = None
    fail: str = ""
    fail_after_s: float = 600.0
    start: float | None = None


@dataclass
class PlatformOrderState:
    tracking_number: str | None = None
    logistics_id: int | None = None
    extras: list[tuple[int, str]] = field(default_factory=list)
    ship_calls: int = 0


class StandIn:
    """``with StandIn(...) as gw:`` runs the server on a thread; ``gw.url`` is the endpoint."""

    def __init__(self, *, client_id: str = "standin-client", secret: str = "standin-secret",
                 token: str = "standin-token", host: str = "127.0.0.1", port: int = 0,
                 faults: Faults | None = None, clock: Callable[[], float] = time.time) -> None:
        self.client_id, self.secret, self.token = client_id, secret, token
        self.faults = faults or Faults()
        self.clock = clock  # the platform's clock (pdd.time.get, updated_at, the 3-minute rule)
        self.orders: dict[str, PlatformOrderState] = {}
        self.shop_tokens: dict[str, str] = {token: DEFAULT_SHOP}  # access token -> shop
        self.expired: set[str] = set()  # shops whose token expired
        self.shop_orders: dict[str, dict[str, dict[str, Any]]] = {DEFAULT_SHOP: {}}  # shop -> order_sn -> order
        self.shipped_by: dict[str, str] = {}  # order_sn -> the shop whose token shipped it
        self._epochs: dict[str, dict[str, tuple[Any, int]]] = {}  # shop -> order_sn -> (updated_at, epoch)
        # A window's orders in updated_at order, kept while no order changes (every page of a window
        # read at once is then a slice, not a sort of the shop's orders): (shop, start, end) -> (version, rows)
        self._version = 0
        self._listings: dict[tuple[str, int, int], tuple[int, list[tuple[int, str]]]] = {}
        self.ewaybills = WaybillDesk()  # e-waybill accounts, balances and numbers (app.platform.standin_ewaybill)
        self.ewaybills.open_defaults(DEFAULT_SHOP)
        self.listed: list[dict[str, Any]] = []  # every increment call: shop, start, end, page (tests read it)
        self.return_cases: dict[str, dict[str, dict[str, Any]]] = {}  # shop -> after-sales id -> case
        self.calls: dict[str, int] = {}
        self.traces: dict[str, TracePlan] = {}  # mail_no -> its trace plan
        self.trace_asks: list[tuple[str, str, float]] = []  # every trace call: (shop, mail_no, clock) (tests read it)
        self.trace_response_key = "logistics_ordertrace_get_response"  # or the SDKs' "..._resposne"
        self._pick_up_first, self._pick_up_after_s = 0, 0.0
        self.trace_default: TracePlan | None = None  # the plan of a number told nothing of (None: empty trace)
        self.lock = threading.Lock()
        self._rng = random.Random(self.faults.seed)
        self._window: list[float] = []
        standin = self

        class Handler(_Handler):
            gateway = standin

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/router"

    def shop_options(self, folder: Any, token: str | None = None) -> dict[str, Any]:
        """A shop's options for this stand-in (``packgate shops add`` keeps the same): the secret and
        the shop's token written into owner-only files in ``folder``."""
        from pathlib import Path

        files = {}
        for name, value in (("client_secret_file", self.secret), ("access_token_file", token or self.token)):
            path = Path(folder) / f"standin-{name}-{value}"
            path.write_text(value)
            path.chmod(0o600)
            files[name] = str(path)
        return {"client_id": self.client_id, **files, "endpoint": self.url}

    def ship(self, order_sn: str, tracking_number: str, logistics_id: int) -> None:
        """An order already shipped on the platform (e.g. by hand, with another number)."""
        with self.lock:
            self.orders[order_sn] = PlatformOrderState(tracking_number, logistics_id)

    # ------------------------------------------------------------------ carrier traces

    def trace(self, mail_no: str, *, picked_up_after_min: float | None = None, fail: str = "",
              fail_after_min: float = 10.0, start: float | None = None) -> None:
        """``mail_no``'s trace: picked up ``picked_up_after_min`` after ``start`` (the stand-in's clock;
        None: the first time it is asked about), never (None), and/or a FAIL with the words ``fail``."""
        with self.lock:
            self.traces[mail_no.strip().upper()] = TracePlan(
                None if picked_up_after_min is None else picked_up_after_min * 60, fail, fail_after_min * 60, start)

    def pick_up_first(self, count: int, after_min: float = 0.0) -> None:
        """The first ``count`` numbers asked about that have no plan are picked up ``after_min`` after
        that first question; later ones never are (the demo: three parcels, two picked up)."""
        with self.lock:
            self._pick_up_first, self._pick_up_after_s = count, after_min * 60

    def _trace_events(self, mail_no: str, now: float) -> list[dict[str, Any]]:
        with self.lock:
            plan = self.traces.get(mail_no)
            if plan is None:  # a plan told for the order this number was shipped for, else the default
                order_sn = next((sn for sn, st in self.orders.items()
                                 if st.tracking_number == mail_no or any(n == mail_no for _i, n in st.extras)), None)
                told = self.traces.get(order_sn.upper()) if order_sn else None
                if told is not None:
                    plan = replace(told)
                elif self._pick_up_first > 0:
                    self._pick_up_first -= 1
                    plan = TracePlan(self._pick_up_after_s)
                else:
                    plan = replace(self.trace_default) if self.trace_default else TracePlan(None)
                self.traces[mail_no] = plan
            if plan.start is None:
                plan.start = now
            start = plan.start
        events = []
        if plan.fail and now >= start + plan.fail_after_s:
            events.append(("FAIL", start + plan.fail_after_s, plan.fail))
        if plan.pickup_after_s is not None and now >= start + plan.pickup_after_s:
            got = start + plan.pickup_after_s
            events.append(("GOT", got, "【杭州市】浙江杭州西湖公司 快递员 已揽收"))
            if now >= got + 7200:
                events.append(("DEPARTURE", got + 7200, "【杭州市】快件离开 杭州中转部 已发往 上海"))
        events.sort(key=lambda e: e[1])
        return [{"action": a, "status_time": beijing(t), "time": beijing(t), "desc": d, "node_description": d}
                for a, t, d in events]

    def _ordertrace(self, p: dict[str, str]) -> dict[str, Any]:
        mail_no, company = p.get("mail_no", "").strip().upper(), p.get("company_code", "").strip().upper()
        if not mail_no or not company:
            return _error(10000, "参数错误", "isv.missing-parameter", "company_code and mail_no are required")
        if company not in {c["code"] for c in DEFAULT_COMPANIES} and not company.isalpha():
            return _error(10000, "参数错误", "isv.invalid-company-code", f"unknown company_code {company}")
        now = self.clock()
        with self.lock:
            self.trace_asks.append((self.shop_tokens.get(p.get("access_token", ""), ""), mail_no, now))
        return {self.trace_response_key: {"company_code": company, "mail_no": mail_no,
                                          "trace_list": self._trace_events(mail_no, now)}}

    # ------------------------------------------------------------------ shops' orders

    def add_shop(self, name: str, token: str) -> None:
        with self.lock:
            self.shop_tokens[token] = name
            self.shop_orders.setdefault(name, {})
            self._version += 1
        self.ewaybills.open_defaults(name)

    def expire(self, shop: str) -> None:
        """The shop's access token expires (its calls get error 10019; the other shops carry on)."""
        with self.lock:
            self.expired.add(shop)

    def add_order(self, order: dict[str, Any], shop: str = DEFAULT_SHOP, *, age_s: float = 0.0) -> dict[str, Any]:
        """An order of ``shop`` in the platform's shape; ``updated_at`` (and the usual fields it
        leaves out) from the stand-in's clock, ``age_s`` seconds ago, unless given."""
        now = self.clock() - age_s
        order = dict(order)
        order.setdefault("order_status", 1)
        order.setdefault("refund_status", 1)
        order.setdefault("risk_control_status", 0)
        order.setdefault("confirm_status", 1)
        order.setdefault("after_sales_status", 0)
        order.setdefault("logistics_id", 0)
        order.setdefault("pay_time", beijing(now))
        order.setdefault("last_ship_time", beijing(now + 48 * 3600))
        order["updated_at"] = order.get("updated_at") or beijing(now)
        with self.lock:
            self.shop_orders.setdefault(shop, {})[str(order.get("order_sn", ""))] = order
            self._version += 1
        return order

    def change(self, order_sn: str, **fields) -> None:
        """The order changes on the platform now: its updated_at moves to the stand-in's clock."""
        with self.lock:
            order = self._find(order_sn)
            order.update(fields)
            order["updated_at"] = beijing(self.clock())
            self._version += 1

    def refund(self, order_sn: str, status: int = 2) -> None:
        """The buyer asks for a refund (2: after-sale in progress, 3 refunding, 4 refunded)."""
        self.change(order_sn, refund_status=status, after_sales_status=0 if status == 1 else (10 if status == 4 else 2))
        with self.lock:
            self.faults.refunded[order_sn] = status

    def return_case(self, order_sn: str, outer_id: str, goods_number: int = 1, *, tracking_number: str = "",
                    reason: str = "", status: int = 3, case_id: str | None = None, age_s: float = 0.0) -> dict[str, Any]:
        """The buyer opens a return-and-refund case (after_sales_type 3) for ``goods_number`` of
        ``outer_id``, sending the parcel back under ``tracking_number``; again with the same
        ``case_id``: the case changes now (its status, its waybill)."""
        at = beijing(self.clock() - age_s)
        with self.lock:
            shop = next((s for s, orders in self.shop_orders.items() if order_sn in orders), DEFAULT_SHOP)
            cases = self.return_cases.setdefault(shop, {})
            case_id = case_id or f"AS{len(cases) + 1:08d}"
            case = cases.get(case_id) or {"id": case_id, "order_sn": order_sn, "after_sales_type": 3, "created_time": at}
            case.update(outer_id=outer_id, goods_number=str(goods_number), tracking_number=tracking_number,
                        after_sale_reason=reason, after_sales_status=status, updated_time=at)
            cases[case_id] = case
        return dict(case)

    def cancel(self, order_sn: str) -> None:
        self.change(order_sn, confirm_status=2, refund_status=4, after_sales_status=10)

    def _updated(self, shop: str) -> dict[str, int]:
        """order_sn -> updated_at as epoch seconds, kept beside the shop's orders (under the lock)."""
        orders = self.shop_orders.get(shop, {})
        cache = self._epochs.setdefault(shop, {})
        for sn, order in orders.items():
            stamp = order["updated_at"]
            if cache.get(sn, (None,))[0] != stamp:
                cache[sn] = (stamp, epoch(stamp))
        return {sn: at for sn, (_stamp, at) in cache.items() if sn in orders}

    def _listing(self, shop: str, start: int, end: int) -> list[tuple[int, str]]:
        """The shop's orders updated within [start, end], oldest first (under the lock)."""
        key = (shop, start, end)
        kept = self._listings.get(key)
        if kept is not None and kept[0] == self._version:
            return kept[1]
        rows = sorted((at, sn) for sn, at in self._updated(shop).items() if start <= at <= end)
        if len(self._listings) >= 64:
            self._listings.clear()
        self._listings[key] = (self._version, rows)
        return rows

    def _find(self, order_sn: str) -> dict[str, Any]:
        for orders in self.shop_orders.values():
            if order_sn in orders:
                return orders[order_sn]
        raise KeyError(order_sn)

    def shop_of(self, order_sn: str) -> str | None:
        with self.lock:
            return next((shop for shop, orders in self.shop_orders.items() if order_sn in orders), None)

    def set_faults(self, **changes) -> None:
        with self.lock:
            for key, value in changes.items():
                if not hasattr(self.faults, key):
                    raise ValueError(f"unknown fault {key!r}")
                setattr(self.faults, key, value)
            if "seed" in changes:
                self._rng = random.Random(changes["seed"])

    def chance(self, rate: float) -> bool:
        with self.lock:
            return rate > 0 and self._rng.random() < rate

    def start(self) -> StandIn:
        self._thread = threading.Thread(target=self.server.serve_forever, name="pdd-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ the protocol

    def handle(self, params: dict[str, str]) -> tuple[int, dict[str, Any], str | None]:
        """(HTTP status, JSON body, "drop" / "drop_after" / None) for one call."""
        f = self.faults
        if f.delay_ms:
            time.sleep(f.delay_ms / 1000)
        if self.chance(f.drop_rate):
            return 0, {}, "drop"
        if self.chance(f.error_5xx_rate):
            return 503, {"error": "Service Unavailable"}, None
        api = params.get("type", "")
        with self.lock:
            self.calls[api] = self.calls.get(api, 0) + 1
        problem = self._check_common(params)
        if problem is not None:
            return 200, problem, None
        if self._rate_limited() or self.chance(f.rate_limit_rate):
            return 200, _error(70031, "调用过于频繁", "isv.api-call-limited", "调用频率超限, 请稍后重试"), None
        handler = _APIS.get(api)
        if handler is None:
            return 200, _error(10000, "参数错误", "isv.invalid-type", f"unknown type {api}"), None
        body = handler(self, params)
        drop = "drop_after" if api == "pdd.logistics.online.send" and self.chance(f.drop_after_rate) else None
        return 200, body, drop

    def _rate_limited(self) -> bool:
        limit = self.faults.rate_limit_per_s
        if not limit:
            return False
        now = time.monotonic()
        with self.lock:
            self._window = [t for t in self._window if now - t < 1.0]
            if len(self._window) >= limit:
                return True
            self._window.append(now)
        return False

    def _check_common(self, p: dict[str, str]) -> dict[str, Any] | None:
        for name in ("type", "client_id", "timestamp", "sign"):
            if not p.get(name):
                return _error(10000, "参数错误", "isv.missing-parameter", f"缺少参数 {name}")
        if p.get("data_type", "JSON").upper() != "JSON":
            return _error(10000, "参数错误", "isv.invalid-data-type", "data_type must be JSON")
        if p["client_id"] != self.client_id:
            return _error(10016, "client_id不存在", "isv.client-id-not-exist", "client_id not found")
        try:
            skew = abs(time.time() - int(p["timestamp"]))
        except ValueError:
            return _error(10000, "参数错误", "isv.invalid-timestamp", "timestamp must be seconds")
        if skew > TIMESTAMP_WINDOW_S:
            return _error(10002, "timestamp已过期", "isv.timestamp-expired", "请求时间戳与服务器时间相差过大")
        if pdd_sign(p, self.secret) != p["sign"]:
            return _error(10001, "签名错误", "isv.sign-invalid", "sign校验失败")
        needs_token = p["type"] not in ("pdd.logistics.companies.get", "pdd.time.get")
        shop = self.shop_tokens.get(p.get("access_token", ""))
        if needs_token and (self.faults.token_expired or shop is None or shop in self.expired):
            return _error(10019, "access_token已过期", "isv.access-token-expired", "access_token已过期, 请重新授权")
        return None

    # APIs
    def _online_send(self, p: dict[str, str]) -> dict[str, Any]:
        order_sn, number = p.get("order_sn", ""), p.get("tracking_number", "")
        try:
            lid = int(p.get("logistics_id", ""))
        except ValueError:
            return _error(10000, "参数错误", "isv.invalid-logistics-id", "logistics_id must be a number")
        if not order_sn or not number:
            return _error(10000, "参数错误", "isv.missing-parameter", "order_sn and tracking_number are required")
        if self.faults.refunded.get(order_sn, 1) in (2, 3, 4):
            return _error(50010, "业务错误", "order_refunded", "订单已退款或售后中, 不能发货")
        owner, caller = self.shop_of(order_sn), self.shop_tokens.get(p.get("access_token", ""))
        if owner is not None and owner != caller:
            return _error(50010, "业务错误", "order_not_of_shop", f"订单不属于店铺 {caller}")
        with self.lock:
            if owner is not None:
                self.shipped_by[order_sn] = caller or ""
                order = self.shop_orders[owner][order_sn]
                order.update(order_status=2, tracking_number=number, logistics_id=lid)
                order["updated_at"] = beijing(self.clock())
                self._version += 1
            state = self.orders.setdefault(order_sn, PlatformOrderState())
            state.ship_calls += 1
            if state.tracking_number is not None:
                return _error(50010, "业务错误", "order_already_shipped", "订单已发货")
            state.tracking_number, state.logistics_id = number, lid
        return {"logistics_online_send_response": {"is_success": True}}

    def _extra(self, p: dict[str, str]) -> dict[str, Any]:
        order_sn = p.get("order_sn", "")
        try:
            tracks = json.loads(p.get("extra_track_list", "[]"))
            pairs = [(int(t["shipping_id"]), str(t["tracking_number"])) for t in tracks]
        except (ValueError, TypeError, KeyError):
            return _error(10000, "参数错误", "isv.invalid-extra-track-list", "extra_track_list is not valid")
        with self.lock:
            state = self.orders.get(order_sn)
            if state is None or state.tracking_number is None:
                return _error(50010, "业务错误", "order_not_shipped", "订单未发货, 不能上传额外运单")
            for pair in pairs:
                if pair not in state.extras:
                    state.extras.append(pair)
        return {"upload_extra_logistics_response": {"success": True}}

    def _status(self, p: dict[str, str]) -> dict[str, Any]:
        sns = [s for s in p.get("order_sns", "").split(",") if s][:50]
        out = []
        with self.lock:
            for sn in sns:
                state = self.orders.get(sn)
                out.append({"orderSn": sn, "order_status": 2 if state and state.tracking_number else 1,
                            "refund_status": self.faults.refunded.get(sn, 1)})
        return {"order_status_get_response": {"order_status_list": out}}

    def _information(self, p: dict[str, str]) -> dict[str, Any]:
        sn = p.get("order_sn", "")
        with self.lock:
            state = self.orders.get(sn) or PlatformOrderState()
            info = {"order_sn": sn, "order_status": 2 if state.tracking_number else 1,
                    "refund_status": self.faults.refunded.get(sn, 1), "tracking_number": state.tracking_number or "",
                    "logistics_id": state.logistics_id or 0}
        return {"order_info_get_response": {"order_info": info}}

    def _increment(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            start, end = int(p.get("start_updated_at", "")), int(p.get("end_updated_at", ""))
            page, size = int(p.get("page") or 1), int(p.get("page_size") or PAGE_MAX)
        except ValueError:
            return _error(10000, "参数错误", "isv.invalid-parameter", "start_updated_at, end_updated_at, page and "
                                                                   "page_size must be numbers")
        now = self.clock()
        if end < start or end - start > WINDOW_MAX_S:
            return _error(10000, "参数错误", "isv.invalid-time-range", "开始时间结束时间间距不超过30分钟 "
                                                                    "(end_updated_at - start_updated_at <= 1800)")
        if end > now - LAG_MIN_S:
            return _error(10000, "参数错误", "isv.invalid-end-time", "结束时间不能晚于拼多多系统时间前3分钟")
        if page < 1 or not 1 <= size <= PAGE_MAX:
            return _error(10000, "参数错误", "isv.invalid-page", "page >= 1, 1 <= page_size <= 100")
        shop = self.shop_tokens.get(p.get("access_token", ""), DEFAULT_SHOP)
        with self.lock:
            self.listed.append({"shop": shop, "start": start, "end": end, "page": page})
            rows = self._listing(shop, start, end)
            orders = self.shop_orders[shop]
            chunk = [dict(orders[sn]) for _at, sn in rows[(page - 1) * size: page * size]]
        body: dict[str, Any] = {"order_sn_list": chunk}
        if str(p.get("use_has_next", "")).lower() == "true":
            body["has_next"] = page * size < len(rows)
        else:
            body["total_count"] = len(rows)
        return {"order_sn_increment_get_response": body}

    def _refund_increment(self, p: dict[str, str]) -> dict[str, Any]:
        try:
            start, end = int(p.get("start_updated_at", "")), int(p.get("end_updated_at", ""))
            page, size = int(p.get("page") or 1), int(p.get("page_size") or PAGE_MAX)
            kind = int(p.get("after_sales_type") or 1)
        except ValueError:
            return _error(10000, "参数错误", "isv.invalid-parameter", "start_updated_at, end_updated_at, page, "
                                                                   "page_size and after_sales_type must be numbers")
        if end < start or end - start > WINDOW_MAX_S:
            return _error(10000, "参数错误", "isv.invalid-time-range", "开始时间结束时间间距不超过 30 分钟")
        if end > self.clock() - LAG_MIN_S:
            return _error(10000, "参数错误", "isv.invalid-end-time", "结束时间不能晚于拼多多系统时间前3分钟")
        if page < 1 or not 1 <= size <= PAGE_MAX:
            return _error(10000, "参数错误", "isv.invalid-page", "page >= 1, 1 <= page_size <= 100")
        shop = self.shop_tokens.get(p.get("access_token", ""), DEFAULT_SHOP)
        with self.lock:
            rows = sorted((epoch(c["updated_time"]), cid) for cid, c in self.return_cases.get(shop, {}).items()
                          if kind in (1, c["after_sales_type"]))
            rows = [(at, cid) for at, cid in rows if start <= at <= end]
            chunk = [dict(self.return_cases[shop][cid]) for _at, cid in rows[(page - 1) * size: page * size]]
        return {"refund_increment_get_response": {"refund_list": chunk, "total_count": len(rows)}}

    def _time(self, p: dict[str, str]) -> dict[str, Any]:
        return {"time_get_response": {"time": beijing(self.clock())}}

    def _companies(self, p: dict[str, str]) -> dict[str, Any]:
        return {"logistics_companies_get_response": {"logistics_companies": DEFAULT_COMPANIES}}

    def _caller(self, p: dict[str, str]) -> str:
        return self.shop_tokens.get(p.get("access_token", ""), DEFAULT_SHOP)

    def _waybill_search(self, p: dict[str, str]) -> dict[str, Any]:
        return self.ewaybills.search(self._caller(p), p)

    def _waybill_get(self, p: dict[str, str]) -> dict[str, Any]:
        def province(order_sn: str) -> str:
            with self.lock:
                orders = self.shop_orders.get(self._caller(p), {})
                return str((orders.get(order_sn) or {}).get("province") or "")
        return self.ewaybills.get(self._caller(p), p, province)

    def _waybill_cancel(self, p: dict[str, str]) -> dict[str, Any]:
        def shipped_with(order_sn: str) -> str | None:
            with self.lock:
                state = self.orders.get(order_sn)
                return state.tracking_number if state else None
        return self.ewaybills.cancel(self._caller(p), p, shipped_with)

    def _stdtemplates(self, p: dict[str, str]) -> dict[str, Any]:
        return self.ewaybills.templates(p)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"orders": {k: asdict(v) for k, v in self.orders.items()}, "calls": dict(self.calls),
                    "faults": asdict(self.faults)}


_APIS = {
    "pdd.logistics.online.send": StandIn._online_send,
    "pdd.order.upload.extra.logistics": StandIn._extra,
    "pdd.order.status.get": StandIn._status,
    "pdd.order.information.get": StandIn._information,
    "pdd.logistics.companies.get": StandIn._companies,
    "pdd.order.number.list.increment.get": StandIn._increment,
    "pdd.time.get": StandIn._time,
    "pdd.logistics.ordertrace.get": StandIn._ordertrace,
    "pdd.refund.list.increment.get": StandIn._refund_increment,
    "pdd.waybill.search": StandIn._waybill_search,
    "pdd.waybill.get": StandIn._waybill_get,
    "pdd.waybill.cancel": StandIn._waybill_cancel,
    "pdd.cloudprint.stdtemplates.get": StandIn._stdtemplates,
}


def beijing(at: float) -> str:
    """A platform time: Beijing, to the second."""
    return datetime.fromtimestamp(int(at), UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def epoch(value: Any) -> int:
    if isinstance(value, int | float):
        return int(value)
    at = datetime.fromisoformat(str(value).strip())
    return int((at.replace(tzinfo=BEIJING) if at.tzinfo is None else at).timestamp())


_error = error_response  # the platform's refusal, in its shape (app.platform.faults)


class _Handler(BaseHTTPRequestHandler):
    gateway: StandIn
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms Nagle/delayed-ACK stall

    def log_message(self, format, *args) -> None:  # quiet: tests and benchmarks read stdout
        pass

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def _params(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        if "json" in (self.headers.get("Content-Type") or ""):
            params.update({k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                           for k, v in (json.loads(raw or "{}")).items()})
        else:
            params.update(dict(parse_qsl(raw, keep_blank_values=True)))
        return params

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if urlsplit(self.path).path == "/_standin/state":
            self._reply(200, self.gateway.snapshot())
            return
        self._answer(self._params())

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        params = self._params()
        if path in ("/_standin/refund", "/_standin/cancel"):
            order_sn = params.get("order_sn", "")
            try:
                if path.endswith("refund"):
                    self.gateway.refund(order_sn, int(params.get("refund_status") or 2))
                else:
                    self.gateway.cancel(order_sn)
            except (KeyError, ValueError):
                self._reply(404, {"error": f"no order {order_sn!r}"})
                return
            self._reply(200, {"ok": True, "order_sn": order_sn})
            return
        if path == "/_standin/trace":  # mail_no, and picked_up_after_min (absent: never) and/or fail
            try:
                after = params.get("picked_up_after_min")
                self.gateway.trace(params["mail_no"], picked_up_after_min=float(after) if after else None,
                                   fail=params.get("fail", ""))
            except (KeyError, ValueError) as exc:
                self._reply(400, {"error": f"mail_no and a number of minutes: {exc}"})
                return
            self._reply(200, {"ok": True, "mail_no": params["mail_no"]})
            return
        if path == "/_standin/return":  # the buyer opens a return-and-refund case
            case = self.gateway.return_case(params.get("order_sn", ""), params.get("outer_id", ""),
                                            int(params.get("goods_number") or 1),
                                            tracking_number=params.get("tracking_number", ""),
                                            reason=params.get("reason", ""))
            self._reply(200, case)
            return
        if path == "/_standin/ewaybill":  # {shop, wp_code, quantity?, unserve?: province}
            try:
                self.gateway.ewaybills.control(**params_json(params))
            except (KeyError, TypeError, ValueError) as exc:
                self._reply(400, {"error": str(exc)})
                return
            self._reply(200, {"ok": True})
            return
        if path == "/_standin/faults":
            try:
                self.gateway.set_faults(**params_json(params))
            except (TypeError, ValueError) as exc:
                self._reply(400, {"error": str(exc)})
                return
            self._reply(200, asdict(self.gateway.faults))
            return
        self._answer(params)

    def _answer(self, params: dict[str, str]) -> None:
        status, body, drop = self.gateway.handle(params)
        if drop is not None:
            self._drop()
            return
        self._reply(status, body)


def params_json(params: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def load_orders(gw: StandIn, data: Any, *, age_s: float = 600.0, first: str | None = None) -> int:
    """``--orders FILE``: a JSON list of orders in the platform's shape (an order may name its
    ``shop``; else the first shop), or ``{"SHOP": [orders]}``. Orders without an ``updated_at``
    changed ``age_s`` ago (so the first pull sees them, past the 3-minute rule)."""
    if isinstance(data, dict):
        pairs = [(shop, o) for shop, orders in data.items() for o in orders]
    elif isinstance(data, list):
        first = first or next(iter(gw.shop_orders))
        pairs = [(o.pop("shop", first) if isinstance(o, dict) else first, o) for o in data]
    else:
        raise ValueError("--orders must hold a JSON list of orders (or an object of lists by shop)")
    for shop, order in pairs:
        if not isinstance(order, dict):
            raise ValueError("--orders: every order must be a JSON object")
        if shop not in gw.shop_orders:
            raise ValueError(f"--orders: no shop {shop!r} (give it with --shop {shop}=TOKEN_FILE)")
        case = order.pop("return_case", None)  # the buyer's after-sales case (return and refund)
        gw.add_order(order, shop, age_s=age_s)
        if isinstance(case, dict):
            gw.return_case(str(order.get("order_sn", "")), age_s=age_s, **case)
    return len(pairs)


def serve(port: int, *, client_id: str, secret: str, token: str, faults: Faults | None = None,
          host: str = "127.0.0.1", shipped: dict[str, str] | None = None, shops: dict[str, str] | None = None,
          orders: Any = None, traces: dict[str, TracePlan] | None = None, pick_up_first: int = 0,
          trace_default: TracePlan | None = None) -> None:
    """Run in the foreground until interrupted (``packgate platform standin``)."""
    gw = StandIn(client_id=client_id, secret=secret, token=token, host=host, port=port, faults=faults)
    gw.traces.update({k.upper(): v for k, v in (traces or {}).items()})
    gw.pick_up_first(pick_up_first)
    gw.trace_default = trace_default
    for order_sn, number in (shipped or {}).items():
        gw.ship(order_sn, number, 0)
    for name, shop_token in (shops or {}).items():
        gw.add_shop(name, shop_token)
    count = load_orders(gw, orders, first=next(iter(shops or {}), None)) if orders is not None else 0
    print(f"PDD stand-in gateway on {gw.url} (client_id {client_id}); shops {', '.join(gw.shop_orders)}; "
          f"{count} orders; Ctrl-C stops it", flush=True)
    try:
        gw.server.serve_forever()
    finally:
        gw.server.server_close()
