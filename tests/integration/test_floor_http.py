"""The floor page's routes and the share links over HTTP, in-process (the browser tests drive the real
server; these check what a browser does not show): the cookie's flags on HTTPS, the page's headers,
403 without a session or once it is idle too long (a session signed on an earlier clock), the PIN
limits at the floor's station, what a share token opens and what it does not, Range answers, a cut
clip and the evidence sheet."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from app.bootstrap import bootstrap
from app.config import Settings
from app.demo import seed_demo
from app.evidence import shares
from app.packing.auth import STATION_PIN_LIMIT, Supervisor
from app.server.api import create_app
from app.server.floor import COOKIE, FLOOR_STATION
from app.server.sessions import SessionSigner, sign_desk
from tests.integration.evidence.recorder_helpers import make_clip

SUPERVISOR, PIN = "S-9001", "123456"
ROUTES = ["/floor/api/me", "/floor/api/figures", "/floor/api/events", "/floor/api/order?no=PDD-1001",
          "/floor/api/clips?q=PDD-1001", "/floor/api/clips/1/file"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One demo database and app for the module (the PIN lockout test comes last: it closes the floor)."""
    root = tmp_path_factory.mktemp("floor-http")
    svc = bootstrap(f"sqlite:///{root / 'floor.db'}", Settings(station="SEED"))
    seed_demo(svc)
    store = root / "store"
    make_clip(store / "BENCH-V", svc.sessions, "PDD-1001", ("SF1400000000000",), 4.0,
              marks=[{"t": 2.6, "kind": "waybill", "code": "SF1400000000000"}], station="BENCH-V")
    make_clip(store / "BENCH-V", svc.sessions, "PDD-1002", (), 1.0, station="BENCH-V")
    app = create_app(svc, SessionSigner(b"k" * 32, idle_seconds=600), evidence_dir=store)
    yield svc, app
    svc.close()


def login(client: TestClient, pin: str = PIN):
    return client.post("/floor/api/login", json={"badge": SUPERVISOR, "pin": pin})


def test_the_cookie_is_httponly_strict_and_secure_on_https_and_the_page_has_its_csp(site):
    svc, app = site
    with TestClient(app, base_url="https://floor.lan") as client:
        page = client.get("/floor/")
        assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["referrer-policy"] == "no-referrer" and "unsafe-inline" not in page.text
        for path in ROUTES:
            r = client.get(path)
            assert r.status_code == 403 and r.json()["detail"]["kind"] == "no_session", path
        r = login(client)
        assert r.status_code == 200
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie and "path=/floor" in cookie
        assert PIN not in r.text and "$argon2" not in r.text
        figures = client.get("/floor/api/figures?period=all")
        assert figures.status_code == 200 and figures.headers["cache-control"] == "no-store"
        assert figures.json()["tiles"]["ready"] > 0
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert "secure" not in login(client).headers["set-cookie"].lower()
        evil = client.post("/floor/api/login", json={"badge": SUPERVISOR, "pin": PIN},
                           headers={"Origin": "http://evil.example"})
        assert evil.status_code == 403 and "set-cookie" not in evil.headers  # another site's page cannot log in
        same = client.post("/floor/api/logout", json={}, headers={"Origin": "http://127.0.0.1"})
        assert same.status_code == 200


def test_an_idle_session_and_a_foreign_one_are_refused(site):
    svc, app = site
    with TestClient(app) as client:
        login(client)
        station = app.state.floor_station
        ctx = app.state.context
        with svc.read_uow() as uow:
            uid, epoch = uow.session.execute(text("SELECT id, session_epoch FROM users WHERE badge = :b"),
                                             {"b": SUPERVISOR}).one()
        sup = Supervisor(uid, "x", epoch)
        client.cookies.set(COOKIE, sign_desk(ctx.signer, station, sup, now=time.time() - 601), path="/floor")
        assert client.get("/floor/api/me").status_code == 403  # signed 601 s ago, idle time 600 s
        client.cookies.set(COOKIE, sign_desk(ctx.signer, station + 1, sup), path="/floor")
        assert client.get("/floor/api/me").status_code == 403  # another station's desk session
        client.cookies.set(COOKIE, sign_desk(ctx.signer, station, sup), path="/floor")
        assert client.get("/floor/api/me").status_code == 200


def test_a_clip_answers_range_requests_and_a_download(site):
    svc, app = site
    with TestClient(app) as client:
        login(client)
        [clip] = client.get("/floor/api/clips?q=SF1400000000000").json()["clips"]
        assert clip["here"] and "path" not in clip and clip["marks"][0]["t"] == 2.6
        part = client.get(f"/floor/api/clips/{clip['id']}/file", headers={"Range": "bytes=0-99"})
        assert part.status_code == 206 and len(part.content) == 100
        assert part.headers["content-type"] == "video/mp4"
        by_waybill = client.get("/floor/api/order?no=SF1400000000020").json()["details"]  # a demo order's waybill
        assert by_waybill["order_no"] == "PDD-1021" and by_waybill["events"]
        assert client.get("/floor/api/order?no=NOPE-1").status_code == 404
        whole = client.get(f"/floor/api/clips/{clip['id']}/file?download=1")
        assert whole.status_code == 200 and whole.headers["content-disposition"].startswith("attachment")


def test_a_share_token_opens_its_orders_evidence_and_nothing_else(site):
    svc, app = site
    with TestClient(app) as client:
        login(client)
        refused = client.post("/floor/api/share", json={"text": "PDD-1001", "pin": "000000", "reason": "dispute"})
        assert refused.status_code == 403
        no_reason = client.post("/floor/api/share", json={"text": "PDD-1001", "pin": PIN, "reason": " "})
        assert no_reason.status_code == 409
        made = client.post("/floor/api/share", json={"text": "SF1400000000000", "pin": PIN, "reason": "dispute 9",
                                                     "from_s": 1.5, "to_s": 3.0})
        assert made.status_code == 200, made.text
        link = made.json()["link"]
        other = client.get("/floor/api/clips?q=PDD-1002").json()["clips"][0]["id"]
    token = shares.token_of(link)
    with TestClient(app) as visitor:  # no cookie
        page = visitor.get(f"/share/{token}")
        assert page.status_code == 200 and "content-security-policy" in page.headers
        info = visitor.get(f"/share/{token}/info").json()
        assert info["order_no"] == "PDD-1001" and "path" not in str(info) and "bench_path" not in str(info)
        [clip] = info["clips"]
        # On the cut's clock: it begins at the key frame at or before 1.5 s (one a second), so 2.6 s is 1.6 s in.
        assert clip["marks"] == [{"t": 1.6, "kind": "waybill", "code": "SF1400000000000"}]
        cut = visitor.get(f"/share/{token}/clips/{clip['id']}")
        assert cut.status_code == 200 and cut.content[4:8] == b"ftyp"
        assert visitor.get(f"/share/{token}/clips/{clip['id']}", headers={"Range": "bytes=10-19"}).status_code == 206
        assert visitor.get(f"/share/{token}/clips/{other}").status_code == 404  # another order's clip
        sheet = visitor.get(f"/share/{token}/sheet.pdf")
        assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
        assert visitor.get("/floor/api/figures").status_code == 403
        assert visitor.get(f"/share/{token[:-2]}xx/info").status_code == 404
    with svc.read_uow() as uow:
        opened = uow.session.execute(text("SELECT what FROM evidence_share_openings ORDER BY id")).scalars().all()
    assert opened == ["page", "clip", "sheet"]  # a player's further ranges are not openings
    with TestClient(app) as client:
        login(client)
        assert client.post("/floor/api/unshare", json={"link": link, "pin": "000000"}).status_code == 403
        assert client.post("/floor/api/unshare", json={"link": link, "pin": PIN}).json() == {"order_no": "PDD-1001"}
        assert client.get(f"/share/{token}").status_code == 404
        assert client.get(f"/share/{token}/clips/{clip['id']}").status_code == 404


def test_wrong_pins_close_the_floors_pin_entry_and_are_audited_there(site):
    svc, app = site

    def audited() -> int:
        with svc.read_uow() as uow:
            return uow.session.execute(text(
                "SELECT count(*) FROM scan_events e JOIN stations s ON s.id = e.station_id "
                "WHERE s.name = :s AND e.kind = 'auth' AND NOT e.accepted"), {"s": FLOOR_STATION}).scalar()

    before = audited()
    with TestClient(app) as client:
        answers = [login(client, "000000").json()["detail"]["text"] for _ in range(STATION_PIN_LIMIT + 1)]
        assert "Too many wrong PINs" in answers[-1]
        assert login(client).status_code == 403  # closed at this station for a while, the right PIN too
    assert audited() - before == STATION_PIN_LIMIT + 2  # every refusal audited at the floor's station
