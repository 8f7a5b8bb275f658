"""The e-waybill calls (pdd.waybill.search / get / cancel, pdd.cloudprint.stdtemplates.get) against
the stand-in gateway: the request and answer shapes, the balances, the platform's refusals and the
cancellation rules."""

from __future__ import annotations

import json

import pytest

from app.carriers.catalogue import validate_waybill
from app.platform.ewaybill import PddWaybills, WaybillAsk
from app.platform.pdd import PddClient
from app.platform.standin import StandIn
from app.platform.standin_ewaybill import DEFAULT_ADDRESS


@pytest.fixture(scope="module")
def gateway():
    with StandIn() as gw:
        yield gw


@pytest.fixture
def waybills(gateway):
    client = PddClient(gateway.client_id, gateway.secret, gateway.token, gateway.url)
    yield PddWaybills(client, sleep=lambda s: None)
    client.close()


def ask(order_no: str, seq: int = 1, wp: str = "ZTO", **kw) -> WaybillAsk:
    fields = dict(wp_code=wp, sender_name="仓库", sender_mobile="13800000000", address=dict(DEFAULT_ADDRESS),
                  object_id=f"{order_no}/{seq}", order_no=order_no, package_id=str(seq), items=[("T 恤", 2)],
                  weight_g=850, template_url=f"https://file-link.pinduoduo.com/standin/{wp.lower()}_76x130",
                  user_id="1")
    fields.update(kw)
    return WaybillAsk(**fields)


def test_the_request_has_the_documented_shape():
    body = ask("O-1", 2).request()
    assert set(body) == {"wp_code", "need_encrypt", "sender", "trade_order_info_dtos"}
    assert set(body["sender"]) == {"name", "mobile", "address"}
    (dto,) = body["trade_order_info_dtos"]
    assert dto["order_info"] == {"order_channels_type": "PDD", "trade_order_list": ["O-1"]}
    assert dto["package_info"] == {"id": "2", "items": [{"name": "T 恤", "count": 2}], "weight": 850}
    assert {"object_id", "template_url", "user_id"} <= set(dto)


def test_accounts_templates_and_a_number_that_the_carrier_rules_accept(gateway, waybills):
    verdict, accounts = waybills.accounts()
    assert verdict.kind == "ok"
    zto = next(a for a in accounts if a.wp_code == "ZTO")
    assert zto.quantity > 0 and zto.addresses[0]["detail"] == DEFAULT_ADDRESS["detail"]
    verdict, templates = waybills.templates("ZTO")
    assert templates == {"ZTO": "https://file-link.pinduoduo.com/standin/zto_76x130"}
    result = waybills.take(ask("SHAPE-1"))
    assert result.kind == "ok", result.message
    code = result.taken.waybill_code
    assert validate_waybill("ZTO", code).ok
    data = json.loads(result.taken.print_data)
    assert data["data"]["waybillCode"] == code and data["templateURL"].endswith("zto_76x130")
    _, after = waybills.accounts("ZTO")
    assert after[0].quantity == zto.quantity - 1 and after[0].allocated == zto.allocated + 1
    # the same order and package asked again: the same number (and no second unit spent)
    assert waybills.take(ask("SHAPE-1")).taken.waybill_code == code
    assert waybills.accounts("ZTO")[1][0].quantity == zto.quantity - 1


def test_refusals_are_worded_by_the_platform(gateway, waybills):
    gateway.ewaybills.set_quantity("default", "YTO", 0)
    refused = waybills.take(ask("R-1", wp="YTO"))
    assert refused.kind == "refused" and "电子面单余额不足" in refused.message
    moved = dict(DEFAULT_ADDRESS, detail="文一西路 1500 号")
    refused = waybills.take(ask("R-2", address=moved))
    assert refused.kind == "refused" and "发货地址与网点签约地址不一致" in refused.message
    gateway.ewaybills.unserve("default", "ZTO", "西藏自治区")
    refused = waybills.take(ask("R-3", recipient={"name": "x", "address": {"province": "西藏自治区", "city": "拉萨市",
                                                                          "district": "城关区", "detail": "1"}}))
    assert refused.kind == "refused" and "路由" in refused.message
    gateway.add_shop("gone", "gone-token")
    gone = PddWaybills(PddClient(gateway.client_id, gateway.secret, "gone-token", gateway.url))
    gateway.expire("gone")
    refused = gone.take(ask("R-4"))
    assert refused.kind == "stop" and "access_token" in refused.message


def test_cancel_rules(gateway, waybills):
    first = waybills.take(ask("C-1")).taken.waybill_code
    before = waybills.accounts("ZTO")[1][0]
    assert waybills.cancel("ZTO", first).kind == "ok"
    assert gateway.ewaybills.state_of(first) == "cancelled"
    after = waybills.accounts("ZTO")[1][0]
    assert (after.quantity, after.cancelled) == (before.quantity + 1, before.cancelled + 1)
    assert waybills.cancel("ZTO", first).kind == "ok"  # at least once: a repeat is not an error
    second = waybills.take(ask("C-1")).taken.waybill_code
    assert second != first  # a cancelled number is never given again
    gateway.ship("C-1", second, 115)
    assert waybills.cancel("ZTO", second).kind != "ok"  # shipped with it: it stays
    assert waybills.cancel("ZTO", "7000000000000").kind == "failed"


def test_network_faults_are_retried_within_the_deadline(gateway):
    naps: list[float] = []
    now = [0.0]

    def sleep(s: float) -> None:
        naps.append(s)
        now[0] += s

    client = PddClient(gateway.client_id, gateway.secret, gateway.token, "http://127.0.0.1:9/api/router", timeout=0.5)
    result = PddWaybills(client, sleep=sleep, monotonic=lambda: now[0]).take(ask("N-1"))
    assert result.kind == "retry" and result.attempts == 5 and naps == [0.5, 1.0, 2.0, 4.0]
