"""What a pulled platform order becomes in PackGate: pure rules, no database, no clock, no HTTP.

:func:`decide` takes one order as ``pdd.order.number.list.increment.get`` gives it (a dict in the
shape of ``order_sn_increment_get_response.order_sn_list[]``, checked against lywzx/pdd-node-sdk
``packages/pdd-origin-api/src/dingDan/PddOrderNumberListIncrementGet.ts``), what PackGate already
holds of it (:class:`Known`, None for a new order) and the shop's context (:class:`ShopContext`),
and answers with a :class:`Decision`: what :mod:`app.platform.puller` writes, or that it writes
nothing. The table is in ``tests/unit/platform/test_pull_rules.py``.

* awaiting shipment (``order_status`` 1), no refund (``refund_status`` 1), no risk control
  (``risk_control_status`` 0), every SKU known, a carrier -> ``ready``; lines from ``item_list``
  (SKU = ``outer_id``, else ``outer_goods_id``), ``buyer_memo`` and ``remark`` as the note, the
  receiver as given (masked or encrypted: never decrypted), ``last_ship_time`` as ship-by,
  ``pay_time`` as created;
* a refund or after-sales case, risk control, an unknown SKU, no carrier -> ``on_hold`` with the
  reason in English and Chinese; released by a later pull that shows it cleared;
* cancelled (``confirm_status`` 2, refund done) or shipped on the platform by someone else: a new
  order is not taken; a ready one is taken out of ``ready`` (cancelled, or on hold for a shipment
  PackGate did not make); one at a bench is stopped by the bench at its next scan (the platform's
  refund status), or put on hold as an import does;
* the same ``updated_at`` as last applied -> nothing (no event, no write);
* a malformed order (no ``order_sn``, a count not above 0, an unknown carrier, no ``updated_at``)
  -> skipped and reported with its number, nothing of it written.

Platform times are Beijing time (``YYYY-MM-DD HH:MM:SS``) or epoch seconds; PackGate keeps UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from app.models.states import OrderState

READY, PACKING, ON_HOLD = OrderState.READY.value, OrderState.PACKING.value, OrderState.ON_HOLD.value
CANCELLED = OrderState.CANCELLED.value
BEIJING = timezone(timedelta(hours=8))

AWAITING, SHIPPED_STATES = 1, (2, 3)  # order_status: 1 awaiting shipment, 2 shipped, 3 received
REFUND_NONE, REFUND_OPEN, REFUND_DONE = 1, (2, 3), 4  # refund_status
CONFIRM_CANCELLED = 2  # confirm_status: 0 not yet, 1 done, 2 cancelled
# after_sales_status: 0 none; 9, 11, 12, 13 closed without a refund; 10 refunded; 16, 17, 24, 25 done.
AFTER_SALES_CLOSED = frozenset({0, 9, 11, 12, 13, 16, 17, 24, 25})
AFTER_SALES_REFUNDED = 10

# Why the pull holds an order (platform_orders.pull_hold). Held for these, the order is decided
# again at every pull from the payload kept (the platform need not change it).
HOLD_REFUND, HOLD_RISK, HOLD_UNKNOWN_SKU, HOLD_NO_CARRIER, HOLD_SHIPPED = (
    "refund", "risk", "unknown_sku", "no_carrier", "shipped")
RECHECKED = (HOLD_UNKNOWN_SKU, HOLD_NO_CARRIER)


class Malformed(ValueError):
    """The order cannot be taken as the platform gave it."""


@dataclass(frozen=True)
class ShopContext:
    shop: str
    carrier: str | None  # the shop's default carrier, else the site's default_carrier
    known_sku: Callable[[str], bool]
    carrier_of_logistics_id: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Known:
    """What PackGate holds of the order."""

    state: str
    updated_at: datetime | None = None  # the platform's updated_at last applied
    pull_hold: str | None = None
    carrier: str | None = None  # the order's carrier (None: held for want of one)


@dataclass(frozen=True)
class PulledOrder:
    order_no: str
    updated_at: datetime
    order_status: int
    refund_status: int
    carrier_code: str | None
    recipient_name: str
    recipient_phone: str
    recipient_address: str
    note: str
    created_at: datetime
    ship_by: datetime | None
    lines: tuple[tuple[str, int, str], ...]  # (sku, quantity, goods name)


@dataclass(frozen=True)
class Decision:
    """``action``: ``skip`` (malformed: ``reason`` says why), ``ignore`` (new, not to ship),
    ``unchanged``, ``new`` (insert as ``state``), ``update`` (a ready or pull-held order: its fields,
    lines and hold), ``hold`` (take it out of ``ready``/``packing`` onto hold), ``release`` (held by
    the pull, now ready), ``cancel`` (cancelled on the platform), ``platform`` (only the platform's
    state is recorded: the bench stops it at its next scan if it must)."""

    action: str
    order: PulledOrder | None = None
    state: str | None = None
    hold: str | None = None
    reason: str = ""


# ----------------------------------------------------------------------------------- parsing


def platform_time(value: Any, what: str, *, required: bool = True) -> datetime | None:
    if value in (None, "", 0, "0"):
        if required:
            raise Malformed(f"no {what}")
        return None
    try:
        at = _utc(value)  # TypeError: not hashable, so no time either
    except (ValueError, OverflowError, OSError, TypeError):
        raise Malformed(f"{what} {value!r} is not a time") from None
    return at


@lru_cache(maxsize=8192)  # a window's orders share their seconds: a page of 100 parses a few dozen times
def _utc(value: Any) -> datetime:
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        return datetime.fromtimestamp(int(value), UTC)
    at = datetime.fromisoformat(str(value).strip().replace("T", " "))
    return (at.replace(tzinfo=BEIJING) if at.tzinfo is None else at).astimezone(UTC)


def _int(raw: dict[str, Any], key: str, default: int | None = None) -> int:
    value = raw.get(key, default)
    if value is None:
        raise Malformed(f"no {key}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Malformed(f"{key} {value!r} is not a number") from None


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value).strip()


def _lines(raw: dict[str, Any]) -> tuple[tuple[str, int, str], ...]:
    items = raw.get("item_list")
    if not isinstance(items, list) or not items:
        raise Malformed("no item_list")
    merged: dict[str, list] = {}
    for item in items:
        if not isinstance(item, dict):
            raise Malformed("an item of item_list is not an object")
        count = _int(item, "goods_count")
        if count <= 0:
            raise Malformed(f"goods_count {count} of {_text(item, 'goods_name') or 'an item'} is not above 0")
        sku = _text(item, "outer_id") or _text(item, "outer_goods_id")
        if not sku:  # no merchant code on the platform: no product PackGate could match
            sku = f"goods {_text(item, 'goods_id') or '?'} (no outer_id)"
        if sku in merged:
            merged[sku][1] += count
        else:
            merged[sku] = [sku, count, _text(item, "goods_name")]
    return tuple((sku, n, name) for sku, n, name in merged.values())


def parse(raw: Any, ctx: ShopContext) -> PulledOrder:
    """The platform's order as PackGate keeps it; :class:`Malformed` when it cannot be taken."""
    if not isinstance(raw, dict):
        raise Malformed("not an object")
    order_no = _text(raw, "order_sn")
    if not order_no:
        raise Malformed("no order_sn")
    if len(order_no) > 64:
        raise Malformed("order_sn longer than 64 characters")
    updated = platform_time(raw.get("updated_at"), "updated_at")
    paid = (platform_time(raw.get("pay_time"), "pay_time", required=False)
            or platform_time(raw.get("created_time"), "created_time", required=False) or updated)
    carrier = ctx.carrier
    lid = _int(raw, "logistics_id", 0)
    if lid:
        carrier = ctx.carrier_of_logistics_id.get(lid)
        if carrier is None:
            raise Malformed(f"unknown carrier (logistics_id {lid})")
    address = _text(raw, "address") or " ".join(
        p for p in (_text(raw, k) for k in ("province", "city", "town", "receiver_address")) if p)
    note = " / ".join(p for p in (_text(raw, "buyer_memo"), _text(raw, "remark")) if p)
    assert updated is not None and paid is not None
    return PulledOrder(order_no, updated, _int(raw, "order_status"), _int(raw, "refund_status", REFUND_NONE),
                       carrier, _text(raw, "receiver_name"), _text(raw, "receiver_phone"), address, note, paid,
                       platform_time(raw.get("last_ship_time"), "last_ship_time", required=False), _lines(raw))


# ----------------------------------------------------------------------------------- deciding


def _platform_verdict(raw: dict[str, Any], order: PulledOrder, ctx: ShopContext) -> tuple[str, str | None, str]:
    """("gone" | "shipped" | "hold" | "ready", hold code, reason) from the platform's word alone."""
    after_sales = _int(raw, "after_sales_status", 0)
    if (_int(raw, "confirm_status", 1) == CONFIRM_CANCELLED or order.refund_status == REFUND_DONE
            or after_sales == AFTER_SALES_REFUNDED):
        return "gone", None, "cancelled or refunded on the platform / 订单已在平台取消或退款"
    if order.order_status in SHIPPED_STATES:
        number = _text(raw, "tracking_number") or "?"
        return "shipped", HOLD_SHIPPED, (f"shipped on the platform by someone else ({number}) / "
                                         f"已在平台由他人发货（{number}）")
    if order.refund_status in REFUND_OPEN or after_sales not in AFTER_SALES_CLOSED:
        return "hold", HOLD_REFUND, (f"refund or after-sales case on the platform (refund_status "
                                     f"{order.refund_status}, after_sales_status {after_sales}): do not ship / "
                                     f"平台售后/退款处理中，请勿发货")
    if _int(raw, "risk_control_status", 0) == 1:
        return "hold", HOLD_RISK, "the platform's risk control is reviewing the order / 订单平台风控审核中，暂不能发货"
    unknown = [sku for sku, _n, _name in order.lines if not ctx.known_sku(sku)]
    if unknown:
        return "hold", HOLD_UNKNOWN_SKU, (f"unknown SKU {', '.join(unknown)}: import the product catalogue / "
                                          f"未知商品编码 {', '.join(unknown)}：请导入商品资料")
    if order.carrier_code is None:
        return "hold", HOLD_NO_CARRIER, (f"no carrier chosen for shop {ctx.shop} / 店铺 {ctx.shop} 未设置默认快递")
    return "ready", None, ""


def decide(raw: Any, known: Known | None, ctx: ShopContext, *, again: bool = False) -> Decision:
    """What PackGate does with one pulled order. ``again``: a held order decided anew from its kept
    payload (the platform did not change it: the catalogue or the shop's carrier may have)."""
    try:
        order = parse(raw, ctx)
        if order.carrier_code is None and known is not None and known.carrier is not None:
            order = replace(order, carrier_code=known.carrier)  # the shop lost its carrier: the order keeps its own
        verdict, hold, reason = _platform_verdict(raw, order, ctx)
    except Malformed as exc:
        number = _text(raw, "order_sn") if isinstance(raw, dict) else ""
        return Decision("skip", reason=f"order {number or '(no order_sn)'}: {exc}")
    if known is not None and known.updated_at == order.updated_at and not again:
        return Decision("unchanged", order)
    if known is None:
        if verdict in ("gone", "shipped"):
            return Decision("ignore", order, reason=reason)
        return Decision("new", order, READY if verdict == "ready" else ON_HOLD, hold, reason)
    if known.state == READY:
        return {"gone": Decision("cancel", order, CANCELLED, None, reason),
                "ready": Decision("update", order, READY)}.get(verdict, Decision("hold", order, ON_HOLD, hold, reason))
    if known.state == ON_HOLD and known.pull_hold is not None:
        if verdict == "gone":
            return Decision("cancel", order, CANCELLED, None, reason)
        if verdict == "ready":
            return Decision("release", order, READY)
        if again and hold == known.pull_hold:  # still held for the same reason: nothing to write
            return Decision("unchanged", order)
        return Decision("update", order, ON_HOLD, hold, reason)
    if known.state == PACKING and verdict in ("gone", "shipped") and order.refund_status not in (*REFUND_OPEN, REFUND_DONE):
        # Not a refund the bench stops by itself at its next scan: hold it as an import does.
        return Decision("hold", order, ON_HOLD, hold or HOLD_SHIPPED, reason)
    return Decision("platform", order, known.state)
