"""The PDD sign (a vector computed by coreutils' md5sum, not by this code), the webhook HMAC, and
the sorting of faults: retry, stop, shipped (read back), refunded, failed."""

from __future__ import annotations

import pytest

from app.platform.faults import backoff_s, classify
from app.platform.signing import pdd_sign, webhook_signature, webhook_signature_ok

PARAMS = {"type": "pdd.logistics.online.send", "client_id": "cid456", "access_token": "tok123",
          "timestamp": "1480000000", "data_type": "JSON", "version": "V1", "order_sn": "20150909-452750051",
          "logistics_id": "44", "tracking_number": "SF1400000000000"}
# printf '%s' 'testSecretaccess_tokentok123client_idcid456data_typeJSONlogistics_id44order_sn20150909-452750051\
# timestamp1480000000tracking_numberSF1400000000000typepdd.logistics.online.sendversionV1testSecret' | md5sum
VECTOR = "B1D27A849031BAD819F5C60ABA936B2B"


def test_pdd_sign_known_vector():
    assert pdd_sign(PARAMS, "testSecret") == VECTOR


def test_pdd_sign_ignores_sign_and_order_of_parameters():
    shuffled = dict(reversed(list(PARAMS.items())))
    assert pdd_sign({**shuffled, "sign": "WHATEVER"}, "testSecret") == VECTOR
    assert pdd_sign({**PARAMS, "tracking_number": "SF1400000000001"}, "testSecret") != VECTOR
    assert pdd_sign(PARAMS, "otherSecret") != VECTOR


def test_webhook_signature_round_trip():
    body = b'{"order_no": "PDD-1001"}'
    header = webhook_signature(body, "s3cret")
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert webhook_signature_ok(body, "s3cret", header)
    assert not webhook_signature_ok(body + b" ", "s3cret", header)
    assert not webhook_signature_ok(body, "s3cret", "")


def err(code, msg="", sub_code="", sub_msg=""):
    return {"error_response": {"error_code": code, "error_msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}}


CASES = [
    ("connection refused", None, None, "ConnectError", "retry"),
    ("timeout", None, None, "ReadTimeout", "retry"),
    ("HTTP 503", 503, {"error": "x"}, None, "retry"),
    ("HTTP 500 no json", 500, None, None, "retry"),
    ("HTTP 429", 429, None, None, "retry"),
    ("200 not json", 200, None, None, "retry"),
    ("rate limit code", 200, err(70031, "调用过于频繁"), None, "retry"),
    ("system busy code", 200, err(50001, "系统繁忙"), None, "retry"),
    ("busy in words", 200, err(12345, "", "x", "system busy, try later"), None, "retry"),
    ("token expired", 200, err(10019, "access_token已过期"), None, "stop"),
    ("token in sub_msg", 200, err(99999, "", "", "access_token revoked"), None, "stop"),
    ("sign error", 200, err(10001, "签名错误"), None, "stop"),
    ("already shipped", 200, err(50010, "业务错误", "order_already_shipped", "订单已发货"), None, "shipped"),
    ("shipped in words", 200, err(50010, "", "x", "订单已发货"), None, "shipped"),
    ("refunded", 200, err(50010, "业务错误", "order_refunded", "订单已退款"), None, "refunded"),
    ("other refusal", 200, err(50010, "业务错误", "isv.bad-tracking", "运单号格式错误"), None, "failed"),
    ("success", 200, {"logistics_online_send_response": {"is_success": True}}, None, "ok"),
    ("HTTP 400 no error_response", 400, {}, None, "failed"),
]


@pytest.mark.parametrize(("status", "body", "transport", "kind"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_classify(status, body, transport, kind):
    assert classify(status, body, transport).kind == kind


def test_a_refusal_keeps_the_platform_s_own_words():
    v = classify(200, err(50010, "业务错误", "isv.bad-tracking", "运单号格式错误"))
    assert "运单号格式错误" in v.message and "50010" in v.message and "业务错误" in v.message


def test_token_stop_tells_how_to_renew():
    assert "--access-token-file" in classify(200, err(10019, "access_token已过期")).message


def test_backoff_is_exponential_and_capped():
    assert [backoff_s(n, 2, 60) for n in (1, 2, 3, 4, 5, 6, 7)] == [2, 4, 8, 16, 32, 60, 60]
