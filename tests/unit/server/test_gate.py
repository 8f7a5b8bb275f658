"""The gate's token check (app/server/gate.py): every call's token is looked up before its body is
read, except that a route which checks the token again in its own transaction (the scan) is let
through on a token found good in the last few seconds, with no lookup of its own (issue 19: one
database read and one worker thread's round trip less on every scan through the server)."""

from __future__ import annotations

import pytest
from starlette.responses import JSONResponse
from starlette.testclient import TestClient

from app.server.gate import RECHECKED_TRUST_S, Gate

STATION = (7, "BENCH-7")


class Tokens:
    """The database's answer for a token, counted; ``revoked`` tokens are refused."""

    def __init__(self) -> None:
        self.lookups: list[str] = []
        self.revoked: set[str] = set()

    def __call__(self, token: str):
        self.lookups.append(token)
        return None if token in self.revoked or token != "good" else STATION


async def echo(scope, receive, send) -> None:
    await JSONResponse({"station": list(scope.get("state", {}).get("station") or [])})(scope, receive, send)


@pytest.fixture
def gate():
    tokens, now = Tokens(), [100.0]
    app = Gate(echo, routes=lambda: {"/api/v1/scan": {"post"}, "/api/v1/view": {"post"}}, limits={},
               open_paths=frozenset(), station_for_token=tokens, no_token="no token", revoked="revoked",
               rechecked=frozenset({("POST", "/api/v1/scan")}), clock=lambda: now[0])
    yield TestClient(app), tokens, now  # no lifespan: the stand-in app answers HTTP only


def call(client, path: str, token: str | None = "good"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(path, json={}, headers=headers)


def test_a_scan_after_a_good_lookup_needs_none_of_its_own_for_a_few_seconds(gate):
    client, tokens, now = gate
    assert call(client, "/api/v1/scan").json() == {"station": list(STATION)}
    for _ in range(3):
        now[0] += 1
        assert call(client, "/api/v1/scan").json() == {"station": list(STATION)}
    assert tokens.lookups == ["good"]  # one lookup, four scans
    now[0] += RECHECKED_TRUST_S
    call(client, "/api/v1/scan")
    assert tokens.lookups == ["good", "good"]  # the trust ran out: looked up again


def test_every_other_route_looks_the_token_up_every_time(gate):
    client, tokens, now = gate
    for _ in range(3):
        assert call(client, "/api/v1/view").status_code == 200
    assert tokens.lookups == ["good"] * 3


def test_a_revoked_token_is_refused_at_once_where_the_route_does_not_check_it_again(gate):
    """Revoked after a scan: the next view is refused at the gate; the next scan passes the gate on
    the token's recent trust and is refused by the scan's own transaction (tests/integration/test_server.py)."""
    client, tokens, now = gate
    assert call(client, "/api/v1/scan").status_code == 200
    tokens.revoked.add("good")
    assert call(client, "/api/v1/view").status_code == 401
    # the refusal forgot the token: the scan looks it up again and is refused at the gate as well
    assert call(client, "/api/v1/scan").status_code == 401


def test_unknown_and_missing_tokens_never_pass_and_are_never_trusted(gate):
    client, tokens, now = gate
    assert call(client, "/api/v1/scan", token="forged").status_code == 401
    assert call(client, "/api/v1/scan", token="forged").status_code == 401
    assert tokens.lookups == ["forged", "forged"]
    assert call(client, "/api/v1/scan", token=None).status_code == 401
    assert tokens.lookups == ["forged", "forged"]  # no token: refused before any lookup
