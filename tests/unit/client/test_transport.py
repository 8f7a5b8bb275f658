"""The client transport: one table from the server's answers (and no answer) to the app's error kinds,
retries only for idempotent calls, the station token on every call, and the pinned certificate
checked at the TLS handshake, before a byte of the request leaves."""

from __future__ import annotations

import re
import socket
import ssl
import threading

import httpx
import pytest

from app.client.remote import SERVER_UNREACHABLE, RemoteBench, ServerLink
from app.client.transport import ErrorKind, ServerFailure, Transport
from app.packing.outcome import Level
from app.server.tls import fingerprint_pem, self_signed

SERVER = "http://packgate.test:8650"


def transport(handler, **kw) -> Transport:
    kw.setdefault("backoff_s", 0)
    return Transport(SERVER, token="tok-1", http_transport=httpx.MockTransport(handler), **kw)


def answering(status: int, body=None, headers=None):
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, json=body, headers=headers)

    return handler, calls


def failure_of(status: int, body=None, headers=None, idempotent=False) -> tuple[ServerFailure, int]:
    handler, calls = answering(status, body, headers)
    with transport(handler) as t, pytest.raises(ServerFailure) as caught:
        t.request("POST", "/api/v1/scan", json={}, idempotent=idempotent)
    return caught.value, len(calls)


@pytest.mark.parametrize("status, body, kind, text", [
    (401, {"detail": "Unknown or revoked station token"}, ErrorKind.NOT_ENROLLED,
     "This bench is not enrolled at the server, or was revoked: Unknown or revoked station token"),
    (403, {"detail": "not this bench's order"}, ErrorKind.FORBIDDEN, "The server refused: not this bench's order"),
    (404, {"detail": "No such clip"}, ErrorKind.NOT_FOUND, "The server refused: No such clip"),
    (409, {"detail": "Upload at 10, not 0", "offset": 10}, ErrorKind.CONFLICT, "The server refused: Upload at 10, not 0"),
    (413, {"detail": "Body over 1 MB"}, ErrorKind.TOO_LARGE, "The server refused: Body over 1 MB"),
    (422, {"detail": [{"loc": ["body", "start"], "msg": "Input should have timezone info", "type": "timezone_aware"},
                      {"loc": [], "msg": "Checksum mismatch", "type": "value_error"}]},
     ErrorKind.INVALID, "The server refused: start: Input should have timezone info; Checksum mismatch"),
    (429, {"detail": "Station B already has 4 long polls open"}, ErrorKind.TOO_MANY_POLLS,
     "The server refused: Station B already has 4 long polls open"),
    (503, {"detail": "The server's database is unreachable: nothing was saved"}, ErrorKind.DATABASE_UNREACHABLE,
     "PackGate server unreachable (HTTP 503): nothing was changed; try again when the connection is back"),
    (507, {"detail": "no room"}, ErrorKind.NO_ROOM, "The server refused: no room"),
    (500, None, ErrorKind.SERVER_ERROR,
     "PackGate server unreachable (HTTP 500): nothing was changed; try again when the connection is back"),
    (418, {"detail": "teapot"}, ErrorKind.REFUSED, "The server refused: teapot"),
])
def test_every_answer_that_is_not_a_success_has_one_kind_and_message(status, body, kind, text):
    failure, _ = failure_of(status, body)
    assert (failure.kind, failure.status, failure.message.render(), str(failure)) == (kind, status, text, text)
    assert failure.body == body


def test_a_conflict_keeps_the_servers_body_and_a_429_its_retry_after():
    conflict, _ = failure_of(409, {"detail": "Upload at 10, not 0", "offset": 10})
    assert conflict.body["offset"] == 10
    busy, _ = failure_of(429, {"detail": "busy"}, headers={"Retry-After": "5"})
    assert busy.retry_after == 5.0 and not busy.retry
    assert failure_of(429, {"detail": "busy"})[0].retry_after is None


def test_a_body_that_is_not_json_is_named_by_its_status():
    with transport(lambda r: httpx.Response(502, text="<html>bad gateway</html>")) as t, \
            pytest.raises(ServerFailure) as caught:
        t.request("GET", "/api/v1/health")
    assert caught.value.kind == ErrorKind.SERVER_ERROR and caught.value.detail == "HTTP 502"


@pytest.mark.parametrize("error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"),
                                   httpx.RemoteProtocolError("cut")])
def test_no_answer_is_server_unreachable(error):
    def handler(request):
        raise error

    with transport(handler) as t, pytest.raises(ServerFailure) as caught:
        t.request("POST", "/api/v1/view", json={})
    failure = caught.value
    assert failure.kind == ErrorKind.UNREACHABLE and failure.response is None and failure.error is error
    assert failure.message.render().startswith(f"PackGate server unreachable ({type(error).__name__})")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_an_idempotent_call_is_tried_again_after_a_5xx_and_a_change_is_not(status):
    assert failure_of(status, {"detail": "x"}, idempotent=True)[1] == 3
    assert failure_of(status, {"detail": "x"}, idempotent=False)[1] == 1


@pytest.mark.parametrize("status", [401, 403, 404, 409, 413, 422, 429, 507])
def test_a_refusal_is_never_tried_again(status):
    assert failure_of(status, {"detail": "x"}, idempotent=True)[1] == 1


def test_a_lost_reply_is_tried_again_with_a_growing_pause_until_one_answers(monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr("app.client.transport.time.sleep", pauses.append)
    answers = iter([httpx.ConnectError("down"), httpx.Response(503, json={"detail": "db"}),
                    httpx.Response(200, json={"ok": True})])

    def handler(request):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    with transport(handler, backoff_s=0.05) as t:
        assert t.request("POST", "/api/v1/scan", json={}, idempotent=True).json() == {"ok": True}
    assert pauses == [0.05, 0.1]


def test_every_call_carries_the_station_token():
    handler, calls = answering(200, {})
    with transport(handler) as t:
        t.request("POST", "/api/v1/view", json={}, headers={"X-Desk-Session": "s"})
        with t.another(5) as poll:
            poll.request("POST", "/api/v1/wait", json={})
    assert [c.headers["Authorization"] for c in calls] == ["Bearer tok-1", "Bearer tok-1"]
    assert calls[0].headers["X-Desk-Session"] == "s"


def test_the_bench_turns_the_table_into_its_outcomes():
    link = ServerLink(SERVER, "B1", "tok-1")
    bench = RemoteBench(link, printer=None)  # type: ignore[arg-type]
    for status, body, text in [
        (503, {"detail": "db"}, SERVER_UNREACHABLE.render()),
        (401, {"detail": "revoked"}, "This bench is not enrolled at the server, or was revoked: revoked"),
        (409, {"detail": "no"}, "The server refused: no"),
    ]:
        bench._transport = transport(answering(status, body)[0])
        out = bench.handle("P-1001")
        assert (out.accepted, out.level, out.message.render()) == (False, Level.REFUSED, text)
    bench.close()


# ---------------------------------------------------------------------- the pin, at the handshake


class TlsServer(threading.Thread):
    """A TLS socket that answers one HTTP request and records every byte it received."""

    def __init__(self, cert, key) -> None:
        super().__init__(daemon=True)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = b""

    def run(self) -> None:
        # Every connection the client opens (a loaded machine may see it open another after one it
        # gave up on) until one request is answered; every byte of all of them is recorded.
        self.sock.settimeout(60)  # only a guard against a hang
        try:
            for _ in range(5):
                conn, _ = self.sock.accept()
                if self._answer(conn):
                    return
        except OSError:
            pass
        finally:
            self.sock.close()

    def _answer(self, conn) -> bool:
        request = b""
        try:
            with self.ctx.wrap_socket(conn, server_side=True) as tls:
                tls.settimeout(60)  # only a guard against a hang: a loaded machine may take seconds
                while not _whole(request):  # head and body: a socket closed with bytes unread
                    data = tls.recv(65536)  # resets the connection, and the client sees no answer
                    if not data:
                        break
                    request += data
                self.received += request
                if not _whole(request):
                    return False
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                            b"Connection: close\r\n\r\n{}")
                return True
        except (OSError, ssl.SSLError):
            self.received += request
            return False  # the client hung up after the handshake (a refused pin): nothing more to read


def _whole(request: bytes) -> bool:
    """A request's head has arrived and as many bytes of body as its Content-Length says."""
    head, sep, body = request.partition(b"\r\n\r\n")
    if not sep:
        return False
    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    return len(body) >= (int(length.group(1)) if length else 0)


@pytest.fixture
def tls_pair(tmp_path):
    cert, key = self_signed(tmp_path / "tls", "127.0.0.1")
    return cert, key, fingerprint_pem(cert.read_text())


def test_another_certificate_is_refused_at_the_handshake_before_the_request_leaves(tls_pair):
    cert, key, _ = tls_pair
    server = TlsServer(cert, key)
    server.start()
    with Transport(f"https://127.0.0.1:{server.port}", fingerprint="0" * 64, token="secret-token") as t, \
            pytest.raises(ServerFailure) as caught:
        t.request("POST", "/api/v1/scan", json={"raw": "P-1001"}, idempotent=True)
    server.join(5)
    assert caught.value.kind == ErrorKind.CERT_CHANGED and caught.value.response is None
    assert "certificate changed (pinned 0000000000000000" in caught.value.message.render()
    assert server.received == b""  # not the token, not the scan: not a byte


def test_the_pinned_certificate_gets_the_request(tls_pair):
    cert, key, fingerprint = tls_pair
    server = TlsServer(cert, key)
    server.start()
    with Transport(f"https://127.0.0.1:{server.port}", fingerprint=fingerprint, token="secret-token") as t:
        assert t.request("POST", "/api/v1/scan", json={}).json() == {}
    server.join(5)
    assert b"Authorization: Bearer secret-token" in server.received.replace(b"authorization", b"Authorization")
