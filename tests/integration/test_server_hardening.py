"""The server under a hostile or careless caller, as a real process on loopback (issue 18):
long polls that hold no worker thread and a cap per station, the token checked and the body
limited before a byte of it is read, 422 replies that never echo the input, another station's
manifest refused, and a document (OpenAPI) that says what the server answers."""

from __future__ import annotations

import json
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from app.bootstrap import bootstrap
from app.client.remote import RemoteBench, enrol
from app.config import Settings
from app.demo import seed_demo
from app.desk.port import DeskError
from app.imports.orders import DEFAULT_MAX_BYTES
from app.models.schema import Manifest, ScanEvent
from app.server.gate import JSON_LIMIT
from app.server.waits import POLLS_PER_STATION
from tests.integration.test_server import SCRIPT, Paper, Server, code_for, start_server
from tests.integration.test_server_desk import PIN, SUPERVISOR, desk_through

API = "/api/v1"


@pytest.fixture
def server(sqlite_url, tmp_path):
    svc = bootstrap(sqlite_url, Settings(station="SEED"))
    seed_demo(svc)
    svc.close()
    srv = start_server(sqlite_url, tmp_path / "server-home")
    yield srv
    srv.stop()


def token_for(server: Server, station: str, capsys) -> str:
    return enrol(server.url, station, code_for(server.db_url, station, capsys)).token


def until(condition, what: str, timeout: float = 30.0, why=lambda: ""):
    """Ask ``condition`` again until it holds (another process's state: nothing to await);
    ``why``: what the failure message adds about the state at the end."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = condition()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}. {why()}")


def answered(polls) -> list[str]:
    """What each of the open polls (futures) answered so far: a failure says which came back."""
    return [("open" if not p.done() else repr(p.exception()) if p.exception() else
             f"{p.result().status_code} {p.result().text[:200]}") for p in polls]


def raw_request(server: Server, head: str, body: bytes = b"", timeout: float = 10.0) -> bytes:
    """Send a request's head and the start of its body on a raw socket; the server's whole answer
    (read until it closes: its head and body may arrive in separate packets)."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            head_end = answer.find(b"\r\n\r\n")
            if head_end >= 0:
                length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", answer[:head_end])
                if length is None or len(answer) >= head_end + 4 + int(length.group(1)):
                    break
        return answer


# ---------------------------------------------------------------------------------------------- long polls


def test_open_long_polls_hold_no_worker_thread_and_a_station_has_a_cap(server, capsys):
    """Reproduction: 45 open polls made another bench's scan wait for a worker thread (17.8 s).
    Now more polls than the server has worker threads (40) stay open while another bench scans."""
    stations = [f"POLL-{i}" for i in range(12)]
    tokens = {s: token_for(server, s, capsys) for s in stations}

    def poll(token: str, timeout_s: float) -> httpx.Response:
        return httpx.post(f"{server.url}{API}/wait", json={"timeout_s": timeout_s},
                          headers={"Authorization": f"Bearer {token}"}, timeout=90)

    with ThreadPoolExecutor(max_workers=len(stations) * POLLS_PER_STATION) as pool:
        polls = [pool.submit(poll, tokens[s], 60) for s in stations for _ in range(POLLS_PER_STATION)]
        for s in stations:  # each station's next poll is refused once its four are open at the server
            refused = until(lambda s=s: (r := poll(tokens[s], 0)).status_code == 429 and r, f"429 for {s}")
            assert f"Station {s} already has {POLLS_PER_STATION} long polls open" in refused.json()["detail"]
            assert refused.headers["Retry-After"]
        bench = RemoteBench(enrol(server.url, "BENCH-BUSY", code_for(server.db_url, "BENCH-BUSY", capsys)), Paper(),
                            timeout=20)
        for scan in SCRIPT[:3]:
            out = bench.handle(scan)
            assert out.accepted, out.message.render()
        assert not any(p.done() for p in polls), "the scans were answered while every poll was still open"
        bench.close()
        server.stop()  # the open polls answer at once: nothing changed (a bench asks again later)
        assert [p.result().json() for p in polls] == [{"changed": False}] * len(polls)


def test_desk_and_bench_polls_of_a_station_share_the_cap_and_a_hung_up_poll_frees_its_place(server, capsys, tmp_path):
    desk = desk_through(server, "DESK-P", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    since = desk.version()
    headers = {"Authorization": f"Bearer {desk.link.token}", "X-Desk-Session": desk.session}
    bench_poll = {"json": {"timeout_s": 0}, "headers": {"Authorization": headers["Authorization"]}}
    body = json.dumps({"since": since, "timeout_s": 60}).encode()
    parts = urlsplit(server.url)
    hanging = socket.create_connection((parts.hostname, parts.port), timeout=10)  # a view that will hang up
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    hanging.sendall(f"POST {API}/desk/wait HTTP/1.1\r\nHost: x\r\n{head}Content-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    with ThreadPoolExecutor(max_workers=POLLS_PER_STATION) as pool:
        def desk_poll():
            return pool.submit(httpx.post, f"{server.url}{API}/desk/wait", json={"since": since, "timeout_s": 60},
                               headers=headers, timeout=90)

        open_polls = [desk_poll() for _ in range(POLLS_PER_STATION - 1)]

        def four_held() -> bool:
            # A probe holds a place for its moment too: a desk poll that came then was refused
            # (1 in a loaded full run). It asks again, as the desk's listener does.
            for i, p in enumerate(open_polls):
                if p.done() and p.exception() is None and p.result().status_code == 429:
                    open_polls[i] = desk_poll()
            if any(p.done() for p in open_polls):
                return False
            return httpx.post(f"{server.url}{API}/wait", **bench_poll).status_code == 429

        until(four_held, "the bench's poll refused: the desk's four hold the station's places",
              why=lambda: f"since {since}, now {desk.version()}; the desk's polls: {answered(open_polls)}")
        with pytest.raises(DeskError, match="already has 4 long polls open"):
            desk.wait_for_change(since, 0)
        hanging.close()  # the view that hung up: its place is free again
        until(lambda: httpx.post(f"{server.url}{API}/wait", **bench_poll).status_code == 200,
              "a place freed by the hung-up poll")
        assert not any(p.done() for p in open_polls)
        server.stop()  # the open polls answer at once: nothing changed
        assert [p.result().json() for p in open_polls] == [{"version": since}] * (POLLS_PER_STATION - 1)


# ---------------------------------------------------------------------------------------------- bodies


def test_a_call_without_a_token_is_refused_before_its_body_is_read(server):
    """Reproduction: a 200 MB body with no token was read whole (165 MB -> 959 MB) before the 401."""
    head = (f"POST {API}/scan HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {200 * 2**20}\r\n")
    answer = raw_request(server, head, b'{"scan_id": "')  # and not a byte more: the server answers anyway
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


def test_bodies_over_a_calls_limit_are_refused_before_and_while_they_are_read(server, capsys, tmp_path):
    token = token_for(server, "BENCH-BIG", capsys)
    auth = f"Authorization: Bearer {token}\r\n"
    head = f"POST {API}/scan HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: {JSON_LIMIT + 1}\r\n"
    answer = raw_request(server, head)
    assert answer.startswith(b"HTTP/1.1 413") and b"this call takes at most 64 kB" in answer
    # The same without a length (chunked): counted as it streams, cut at the limit.
    def chunks():
        for _ in range(100):
            yield b" " * 65536
    r = httpx.post(f"{server.url}{API}/scan", content=chunks(), headers={"Authorization": f"Bearer {token}",
                                                                         "Content-Type": "application/json"})
    assert r.status_code == 413
    # The desk's import takes a file up to the importer's own limit, and not a byte more.
    head = (f"POST {API}/desk/import?kind=orders&name=a.csv HTTP/1.1\r\nHost: x\r\n{auth}"
            f"Content-Length: {DEFAULT_MAX_BYTES + 1}\r\n")
    assert raw_request(server, head).startswith(b"HTTP/1.1 413")
    big = tmp_path / "orders.csv"  # the supervisor's import through the desk client: told, in a sentence
    with big.open("wb") as out:
        out.truncate(DEFAULT_MAX_BYTES + 1)
    desk = desk_through(server, "DESK-BIG", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    with pytest.raises(DeskError, match="at most 64 MB"):
        desk.import_file("orders", big)


def test_a_422_names_the_field_and_never_echoes_the_input(server, capsys):
    """Reproduction: a 20 MB field came back whole in the 422."""
    token = token_for(server, "BENCH-ECHO", capsys)
    r = httpx.post(f"{server.url}{API}/scan", json={"scan_id": "s" * 16, "raw": "SECRET-" * 1000},
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422
    assert "SECRET" not in r.text and len(r.content) < 1000
    (issue,) = r.json()["detail"]
    assert set(issue) == {"loc", "msg", "type"} and issue["loc"] == ["body", "raw"]


# ---------------------------------------------------------------------------------------------- manifests


def test_printed_refuses_another_stations_manifest_and_one_that_does_not_exist(server, capsys):
    """Reproduction: any station could audit another's manifest as printed; manifest 0 was a 500."""
    owner = RemoteBench(enrol(server.url, "BENCH-M", code_for(server.db_url, "BENCH-M", capsys)), Paper(), timeout=10)
    for scan in SCRIPT[:13]:  # packs PDD-1001 (with a few refusals on the way), hands it over, closes the manifest
        owner.handle(scan)
    assert len(owner.printer.manifests) == 1
    svc = bootstrap(server.db_url, Settings(station="CHECK"))
    try:
        with svc.read_uow() as uow:
            manifest_id = uow.session.scalar(select(func.max(Manifest.id)))
            events = uow.session.scalar(select(func.count(ScanEvent.id)))
        other = token_for(server, "BENCH-O", capsys)
        for target in (manifest_id, 10**9):
            r = httpx.post(f"{server.url}{API}/printed", json={"manifest_id": target, "ok": True, "detail": "x"},
                           headers={"Authorization": f"Bearer {other}"})
            assert r.status_code == 404, r.text
            assert r.json() == {"detail": f"No manifest {target} of this bench"}
        for impossible in (0, -1, 2**63):  # no such row can exist: the request is invalid
            r = httpx.post(f"{server.url}{API}/printed", json={"manifest_id": impossible, "ok": False},
                           headers={"Authorization": f"Bearer {other}"})
            assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "manifest_id"], r.text
        with svc.read_uow() as uow:
            assert uow.session.scalar(select(func.count(ScanEvent.id))) == events  # nothing audited
    finally:
        svc.close()
        owner.close()


# ---------------------------------------------------------------------------------------------- the fuzzer's 500s


def test_a_period_without_its_offset_and_an_import_named_dotdot_are_422_not_500(server, capsys, tmp_path):
    desk = desk_through(server, "DESK-Z", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    headers = {"Authorization": f"Bearer {desk.link.token}", "X-Desk-Session": desk.session}
    for route in ("figures", "shipments"):
        r = httpx.post(f"{server.url}{API}/desk/{route}", json={"start": "2026-01-01T00:00:00"}, headers=headers)
        assert r.status_code == 422, r.text
        (issue,) = r.json()["detail"]
        assert issue["loc"] == ["body", "start"] and "timezone" in issue["msg"]
    for name in ("..", ".", "a/b.csv"):
        r = httpx.post(f"{server.url}{API}/desk/import", params={"kind": "orders", "name": name}, content=b"x",
                       headers=headers)
        assert r.status_code == 422, (name, r.text)
        assert r.json()["detail"][0]["loc"] == ["query", "name"]
    r = httpx.post(f"{server.url}{API}/desk/import", params={"kind": "customers", "name": "a.csv"}, content=b"x",
                   headers=headers)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "kind"]


def test_options_on_the_upload_route_names_every_method_it_answers(server):
    r = httpx.options(f"{server.url}{API}/clips/{'0' * 32}/upload")
    assert r.status_code == 204
    assert {m.strip() for m in r.headers["Allow"].split(",")} >= {"GET", "PUT", "DELETE", "OPTIONS"}
    r = httpx.patch(f"{server.url}{API}/clips/{'0' * 32}/upload")
    assert r.status_code == 405 and "PUT" in r.headers["Allow"]


def test_the_openapi_document_declares_the_credentials_the_errors_and_the_types(server):
    spec = httpx.get(f"{server.url}/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["stationToken"] == {"type": "http", "scheme": "bearer", "description": schemes["stationToken"]["description"]}
    assert schemes["deskSession"]["in"] == "header" and schemes["deskSession"]["name"] == "X-Desk-Session"
    paths = spec["paths"]
    assert "security" not in paths[f"{API}/enrol"]["post"] and "security" not in paths[f"{API}/health"]["get"]
    assert paths[f"{API}/scan"]["post"]["security"] == [{"stationToken": []}]
    assert paths[f"{API}/desk/figures"]["post"]["security"] == [{"stationToken": [], "deskSession": []}]
    assert paths[f"{API}/desk/login"]["post"]["security"] == [{"stationToken": []}]
    assert {"401", "413", "422", "429"} <= set(paths[f"{API}/wait"]["post"]["responses"])
    assert {"401", "404", "413", "422"} <= set(paths[f"{API}/printed"]["post"]["responses"])
    kind = next(p for p in paths[f"{API}/desk/import"]["post"]["parameters"] if p["name"] == "kind")
    assert kind["schema"]["enum"] == ["products", "orders"]
    period = spec["components"]["schemas"]["PeriodRequest"]["properties"]["start"]
    assert {"type": "string", "format": "date-time"} in period["anyOf"]
    issue = spec["components"]["schemas"]["ValidationProblem"]
    assert issue["properties"]["detail"]["type"] == "array"
    upload = paths[f"{API}/clips/{{key}}/upload"]["put"]["requestBody"]["content"]
    assert "application/octet-stream" in upload
    assert json.dumps(spec).count("HTTPValidationError") == 0  # one 422 shape, ours

