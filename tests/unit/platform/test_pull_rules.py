"""The pull's rules, table-driven, no database: what each platform order becomes in PackGate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.platform.pull_rules import Known, ShopContext, decide, parse

CATALOGUE = {"6-X-BLUE", "6-X-GREEN", "MUG-1"}
CTX = ShopContext("north", "ZTO", CATALOGUE.__contains__, {85: "YTO"})
UPDATED = "2025-03-01 10:00:00"  # Beijing time: 02:00 UTC


def order(**changes):
    base = {"order_sn": "250301-001", "order_status": 1, "refund_status": 1, "risk_control_status": 0,
            "confirm_status": 1, "after_sales_status": 0, "updated_at": UPDATED, "pay_time": "2025-03-01 09:58:00",
            "last_ship_time": "2025-03-03 09:58:00", "receiver_name": "张*", "receiver_phone": "1387677****",
            "address": "上海市 浦东新区 ****", "buyer_memo": "请尽快发货", "remark": "送小样", "logistics_id": 0,
            "item_list": [{"outer_id": "6-X-BLUE", "outer_goods_id": "6-X", "goods_count": 2, "goods_name": "杯"}]}
    base.update(changes)
    return base


def held(state="on_hold", hold="refund"):
    return Known(state, datetime(2025, 3, 1, 1, 0, tzinfo=UTC), hold)


# (case, the platform's order, what PackGate holds, action, state, hold code, words in the reason)
TABLE = [
    ("new, awaiting shipment", order(), None, "new", "ready", None, ""),
    ("new, refund in progress", order(refund_status=2), None, "new", "on_hold", "refund", "售后"),
    ("new, refunding", order(refund_status=3), None, "new", "on_hold", "refund", "do not ship"),
    ("new, after-sales case open", order(after_sales_status=2), None, "new", "on_hold", "refund", "after-sales"),
    ("new, after-sales closed", order(after_sales_status=11), None, "new", "ready", None, ""),
    ("new, risk control", order(risk_control_status=1), None, "new", "on_hold", "risk", "风控"),
    ("new, unknown SKU", order(item_list=[{"outer_id": "6-X-RED", "goods_count": 1}]), None, "new", "on_hold",
     "unknown_sku", "unknown SKU 6-X-RED: import the product catalogue"),
    ("new, SKU from outer_goods_id", order(item_list=[{"outer_id": "", "outer_goods_id": "MUG-1", "goods_count": 1}]),
     None, "new", "ready", None, ""),
    ("new, cancelled", order(confirm_status=2), None, "ignore", None, None, "cancelled"),
    ("new, refunded", order(refund_status=4), None, "ignore", None, None, "refunded"),
    ("new, shipped elsewhere", order(order_status=2, tracking_number="YT1"), None, "ignore", None, None, "YT1"),
    ("ready, unchanged", order(), Known("ready", datetime(2025, 3, 1, 2, 0, tzinfo=UTC)), "unchanged", None, None, ""),
    ("ready, changed", order(), Known("ready", datetime(2025, 3, 1, 1, 0, tzinfo=UTC)), "update", "ready", None, ""),
    ("ready, refund arrives", order(refund_status=2), Known("ready"), "hold", "on_hold", "refund", "refund"),
    ("ready, cancelled", order(confirm_status=2), Known("ready"), "cancel", "cancelled", None, "取消"),
    ("ready, shipped elsewhere", order(order_status=2, tracking_number="YT9"), Known("ready"), "hold", "on_hold",
     "shipped", "someone else (YT9)"),
    ("held for refund, cleared", order(), held(), "release", "ready", None, ""),
    ("held for refund, still", order(refund_status=3), held(), "update", "on_hold", "refund", ""),
    ("held for unknown SKU, product now there", order(), held(hold="unknown_sku"), "release", "ready", None, ""),
    ("held for refund, cancelled", order(refund_status=4), held(), "cancel", "cancelled", None, ""),
    ("held by a supervisor", order(), held(hold=None), "platform", "on_hold", None, ""),
    ("packing, refund: the bench stops it", order(refund_status=2), Known("packing"), "platform", "packing", None, ""),
    ("packing, refunded: the bench stops it", order(refund_status=4), Known("packing"), "platform", "packing", None, ""),
    ("packing, shipped elsewhere", order(order_status=2), Known("packing"), "hold", "on_hold", "shipped", ""),
    ("packed by PackGate, shipped", order(order_status=2), Known("packed"), "platform", "packed", None, ""),
    ("malformed: no order_sn", order(order_sn=""), None, "skip", None, None, "no order_sn"),
    ("malformed: negative count", order(item_list=[{"outer_id": "MUG-1", "goods_count": -1}]), None, "skip", None,
     None, "order 250301-001: goods_count -1"),
    ("malformed: unknown carrier", order(logistics_id=999), None, "skip", None, None, "unknown carrier (logistics_id 999)"),
    ("malformed: no updated_at", order(updated_at=None), None, "skip", None, None, "no updated_at"),
    ("malformed: not an object", "x", None, "skip", None, None, "not an object"),
]


@pytest.mark.parametrize(("case", "raw", "known", "action", "state", "hold", "words"), TABLE, ids=[t[0] for t in TABLE])
def test_what_a_pulled_order_becomes(case, raw, known, action, state, hold, words):
    d = decide(raw, known, CTX)
    assert (d.action, d.state, d.hold) == (action, state, hold), case
    assert words in d.reason


def test_no_carrier_holds_the_order_with_the_shops_name():
    d = decide(order(), None, ShopContext("south", None, CATALOGUE.__contains__))
    assert (d.action, d.state, d.hold) == ("new", "on_hold", "no_carrier")
    assert "no carrier chosen for shop south" in d.reason and "店铺 south 未设置默认快递" in d.reason
    assert d.order is not None and d.order.carrier_code is None


NO_CARRIER = ShopContext("south", None, CATALOGUE.__contains__, {85: "YTO"})
SOUTH = ShopContext("south", "ZTO", CATALOGUE.__contains__)
HELD_NO_CARRIER = Known("on_hold", datetime(2025, 3, 1, 2, 0, tzinfo=UTC), "no_carrier")


@pytest.mark.parametrize(("case", "raw", "known", "ctx", "again", "action", "state", "hold", "carrier"), [
    ("still no carrier: nothing to write", order(), HELD_NO_CARRIER, NO_CARRIER, True, "unchanged", None, None, None),
    ("the shop got a carrier: released with it", order(), HELD_NO_CARRIER, SOUTH, True, "release", "ready", None, "ZTO"),
    ("changed on the platform, still no carrier", order(updated_at="2025-03-01 11:00:00"), HELD_NO_CARRIER, NO_CARRIER,
     False, "update", "on_hold", "no_carrier", None),
    ("a refund comes first", order(refund_status=2), None, NO_CARRIER, False, "new", "on_hold", "refund", None),
    ("the platform names the courier", order(logistics_id=85), None, NO_CARRIER, False, "new", "ready", None, "YTO"),
    ("a ready order keeps its carrier when the shop loses its own", order(updated_at="2025-03-01 11:00:00"),
     Known("ready", datetime(2025, 3, 1, 2, 0, tzinfo=UTC), None, "ZTO"), NO_CARRIER, False, "update", "ready", None,
     "ZTO"),
])
def test_an_order_without_a_carrier_is_held_until_its_shop_has_one(case, raw, known, ctx, again, action, state, hold,
                                                                   carrier):
    d = decide(raw, known, ctx, again=again)
    assert (d.action, d.state, d.hold) == (action, state, hold), case
    if action != "unchanged":
        assert d.order is not None and d.order.carrier_code == carrier, case


def test_a_held_order_decided_again_from_its_payload_ignores_the_unchanged_time():
    known = Known("on_hold", datetime(2025, 3, 1, 2, 0, tzinfo=UTC), "unknown_sku")
    assert decide(order(), known, CTX).action == "unchanged"
    assert decide(order(), known, CTX, again=True).action == "release"
    still = order(item_list=[{"outer_id": "6-X-RED", "goods_count": 1}])
    assert decide(still, known, CTX, again=True).action == "unchanged"  # still unknown: no write


def test_the_order_as_packgate_keeps_it():
    o = parse(order(item_list=[{"outer_id": "MUG-1", "goods_count": "2", "goods_name": "杯"},
                               {"outer_id": "MUG-1", "goods_count": 1}], logistics_id=85), CTX)
    assert o.lines == (("MUG-1", 3, "杯"),)  # one line per SKU
    assert o.carrier_code == "YTO"  # the platform named it
    assert o.updated_at == datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    assert o.created_at == datetime(2025, 3, 1, 1, 58, tzinfo=UTC)  # pay_time
    assert o.ship_by == datetime(2025, 3, 3, 1, 58, tzinfo=UTC)  # last_ship_time
    assert (o.recipient_name, o.recipient_phone, o.recipient_address) == ("张*", "1387677****", "上海市 浦东新区 ****")
    assert o.note == "请尽快发货 / 送小样"
    assert parse(order(updated_at=1740794400, last_ship_time=""), CTX).ship_by is None
    assert parse(order(updated_at=1740794400), CTX).updated_at == datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
