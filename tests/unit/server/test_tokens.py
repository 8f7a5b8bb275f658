"""The server's one signed-token codec: what it signs opens, until it expires; nothing else opens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from app.packing.model import BenchState
from app.server.sessions import SessionSigner
from app.server.tokens import VERSION, TokenCodec

CODEC = TokenCodec(b"k" * 32, ttl_seconds=600)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signed(key: bytes, payload: dict) -> str:
    """A token made by hand, as the codec lays it out (to try versions and payloads it never writes)."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return _b64(body) + "." + _b64(hmac.new(key, body, hashlib.sha256).digest())


def test_a_token_opens_with_its_payload_version_and_expiry():
    token = CODEC.encode({"desk": 3, "name": "陈主管"}, now=1000)
    assert CODEC.decode(token, now=1500) == {"desk": 3, "name": "陈主管", "v": VERSION, "exp": 1600}


def test_a_token_opens_until_its_expiry_and_not_a_second_after():
    token = CODEC.encode({"st": 1}, now=1000)
    assert CODEC.decode(token, now=1600) is not None
    assert CODEC.decode(token, now=1601) is None


def test_a_tampered_token_opens_nothing():
    token = CODEC.encode({"st": 1, "user": 7}, now=1000)
    body, mac = token.split(".")
    forged_body = _b64(json.dumps({"st": 1, "user": 1, "v": 1, "exp": 1600}, separators=(",", ":")).encode())
    flipped = mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]
    for bad in (forged_body + "." + mac, body + "." + flipped, body + ".", body, "." + mac, body + ".!!!",
                token + "x", "x" + token, "", None, "a.b.c"):
        assert CODEC.decode(bad, now=1500) is None, bad


def test_a_token_signed_under_another_key_opens_nothing():
    other = TokenCodec(b"o" * 32, ttl_seconds=600).encode({"st": 1}, now=1000)
    assert CODEC.decode(other, now=1500) is None


@pytest.mark.parametrize("payload", [
    {"st": 1, "v": 2, "exp": 1600},  # a version this server does not know
    {"st": 1, "v": 1},  # no expiry
    {"st": 1, "v": 1, "exp": "1600"},  # an expiry that is not a time
    [1, 2, 3],  # not an object
])
def test_a_genuine_token_of_an_unknown_shape_opens_nothing(payload):
    assert CODEC.decode(_signed(b"k" * 32, payload), now=1500) is None


def test_a_token_signed_before_the_version_field_still_opens():
    legacy = _signed(b"k" * 32, {"st": 1, "state": {}, "exp": 1600})  # the layout before "v"
    assert CODEC.decode(legacy, now=1500) == {"st": 1, "state": {}, "exp": 1600}


def test_the_bench_session_rides_on_the_codec():
    signer = SessionSigner(b"k" * 32, idle_seconds=600)
    state = BenchState(user_id=5, user_name="李娜", user_epoch=2, station_epoch=4)
    blob = signer.sign(3, state, now=1000)
    assert CODEC.decode(blob, now=1000)["st"] == 3
    assert signer.open(3, blob, now=1600) == state
    assert signer.open(3, blob, now=1601) == BenchState()  # idled out: logged out
    assert signer.open(4, blob, now=1000) == BenchState()  # another station's
    assert SessionSigner(b"o" * 32, 600).open(3, blob, now=1000) == BenchState()  # another server's key
