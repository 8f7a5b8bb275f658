"""The floor page in a real browser (issue 24): Debian's chromium, headless, driven by Selenium through
chromium-driver (nothing is downloaded), against one real ``packgate serve`` on loopback.

One server and one browser for the module; a second, fresh browser is the logged-out visitor of a
share link. Waits are conditions with deadlines (WebDriverWait), never sleeps.

``PACKGATE_FLOOR_SHOTS=DIR`` also saves the README's screenshots (phone and desktop size) there.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from app.bootstrap import bootstrap
from app.client.remote import RemoteBench, enrol
from app.config import Settings
from app.demo import seed_demo
from app.evidence import shares
from app.models.types import utcnow
from app.server.stations import add_station
from tests.integration.evidence.recorder_helpers import make_clip
from tests.integration.test_server import Paper, start_server

SUPERVISOR, PIN = "S-9001", "123456"
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
MARKUP = '<img src=x onerror="document.title=\'owned\'"><b>bold</b> & 易碎'
MARKS = [{"t": 0.4, "kind": "order", "code": "PDD-1001"}, {"t": 2.6, "kind": "waybill", "code": "SF1400000000000"}]


def _browser(width: int = 1280, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--mute-audio",
                f"--window-size={width},{height}", "--lang=en-US", "--autoplay-policy=no-user-gesture-required"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(DRIVER), options=options)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict]:
    if not (CHROMIUM and DRIVER):
        reason = "the floor's browser tests need chromium and chromium-driver (Debian: apt-get install them)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason}; CI must run them")
        pytest.skip(reason)
    pytest.importorskip("selenium")
    root = tmp_path_factory.mktemp("floor")
    db_url = f"sqlite:///{root / 'server.db'}"
    svc = bootstrap(db_url, Settings(station="SEED"))
    seed_demo(svc)
    make_clip(root / "home" / "data" / "evidence" / "BENCH-V", svc.sessions, "PDD-1001", ("SF1400000000000",),
              4.0, marks=MARKS, station="BENCH-V")
    with svc.uow() as uow:
        uow.session.execute(text("UPDATE orders SET note = :n WHERE order_no = 'PDD-1003'"), {"n": MARKUP})
    server = start_server(db_url, root / "home")
    browser = _browser()
    try:
        yield {"server": server, "services": svc, "browser": browser, "root": root}
    finally:
        browser.quit()
        server.stop()
        svc.close()


def wait(browser, condition, seconds: float = 5.0):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, seconds, poll_frequency=0.02).until(lambda d: condition(d))


def by_css(browser, css: str):
    from selenium.webdriver.common.by import By

    return browser.find_element(By.CSS_SELECTOR, css)


def tile(browser, key: str) -> str:
    found = browser.execute_script(f"var n = document.querySelector('#tiles [data-key={key}] .n');"
                                   "return n ? n.textContent : null;")
    return found


def login(browser, url: str, pin: str) -> None:
    browser.get(f"{url}/floor/")
    wait(browser, lambda d: by_css(d, "#badge").is_displayed())
    by_css(browser, "#badge").clear()
    by_css(browser, "#badge").send_keys(SUPERVISOR)
    by_css(browser, "#pin").send_keys(pin)
    by_css(browser, "#login button").click()


def logged_in(site) -> None:
    """The floor page with the supervisor logged in (each test stands alone: xdist may split the module)."""
    browser = site["browser"]
    browser.get(f"{site['server'].url}/floor/")
    wait(browser, lambda d: by_css(d, "#badge").is_displayed() or by_css(d, "#floor").is_displayed())
    if not by_css(browser, "#floor").is_displayed():
        login(browser, site["server"].url, PIN)
    wait(browser, lambda d: tile(d, "ready") is not None)


def tab(browser, name: str) -> None:
    by_css(browser, f"#tabs [data-tab={name}]").click()


def test_a_wrong_pin_is_refused_and_audited_at_the_floor(site):
    browser, url = site["browser"], site["server"].url
    browser.delete_all_cookies()
    login(browser, url, "000000")
    wait(browser, lambda d: "Wrong PIN" in by_css(d, "#login-error").text)
    assert by_css(browser, "#floor").is_displayed() is False
    assert browser.get_cookie("packgate_floor") is None
    by_css(browser, "#lang").click()  # the browser says en-US; the switch gives Chinese, kept for the next page
    assert by_css(browser, "#login h2").text == "主管登录"
    login(browser, url, "000000")
    wait(browser, lambda d: "PIN 码错误" in by_css(d, "#login-error").text)  # the server's refusal, in Chinese
    by_css(browser, "#lang").click()
    assert by_css(browser, "#login h2").text == "Supervisor login"
    with site["services"].read_uow() as uow:
        audited = uow.session.execute(text(
            "SELECT e.accepted FROM scan_events e JOIN stations s ON s.id = e.station_id "
            "WHERE e.kind = 'auth' AND s.name = 'FLOOR-WEB' ORDER BY e.id")).scalars().all()
    assert len(audited) >= 2 and not any(audited[-2:])  # the newest two: these refusals


def test_login_then_the_tiles_are_summary_json_and_a_scan_changes_them_within_2_s(site, capsys):
    from app.cli import main

    browser, server = site["browser"], site["server"]
    browser.delete_all_cookies()
    login(browser, server.url, PIN)
    wait(browser, lambda d: tile(d, "ready") is not None)
    cookie = browser.get_cookie("packgate_floor")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]  # http on loopback
    assert main(["--db", server.db_url, "summary", "--period", "today", "--json"]) == 0
    tiles = json.loads(capsys.readouterr().out)["tiles"]
    wait(browser, lambda d: all(tile(d, k) == str(v) for k, v in tiles.items()))

    code = add_station(site["services"], "BENCH-FLOOR")
    bench = RemoteBench(enrol(server.url, "BENCH-FLOOR", code), Paper(), timeout=5)
    try:
        assert bench.handle("P-1001").accepted
        before = int(tile(browser, "packing"))
        assert bench.handle("PDD-1002").accepted  # committed at the server when this returns
        done = time.monotonic()
        wait(browser, lambda d: tile(d, "packing") == str(before + 1), 2.0)
        assert time.monotonic() - done < 2.0
    finally:
        assert bench.handle("CMD:CANCEL").accepted
        bench.close()
    _screenshots(site)


def _screenshots(site) -> None:
    folder = os.environ.get("PACKGATE_FLOOR_SHOTS")
    if not folder:
        return
    browser = site["browser"]
    for name, (w, h) in (("floor-desktop.png", (1280, 900)), ("floor-phone.png", (360, 780))):
        browser.set_window_size(w, h)
        wait(browser, lambda d, w=w: d.execute_script("return window.innerWidth") <= w)
        browser.save_screenshot(str(Path(folder) / name))
    browser.set_window_size(1280, 900)


def test_markup_in_a_note_is_shown_as_text(site):
    browser = site["browser"]
    logged_in(site)
    tab(browser, "orders")
    by_css(browser, "#order-no").send_keys("PDD-1003\n")
    wait(browser, lambda d: by_css(d, "#order-note").text != "")
    note = by_css(browser, "#order-note")
    assert note.get_attribute("textContent") == MARKUP
    assert browser.execute_script("return document.querySelectorAll('#order img, #order b').length") == 0
    assert browser.title != "owned"


def test_a_clip_plays_and_seeks_to_a_mark_then_a_share_link_opens_logged_out(site):
    browser, url, svc = site["browser"], site["server"].url, site["services"]
    logged_in(site)
    tab(browser, "evidence")
    by_css(browser, "#clip-q").send_keys("SF1400000000000\n")
    wait(browser, lambda d: d.execute_script("return document.querySelectorAll('#clips .play').length") == 1)
    by_css(browser, "#clips .play").click()
    wait(browser, lambda d: d.execute_script("return document.getElementById('player').currentTime") > 0.3, 10)
    browser.execute_script("document.getElementById('player').pause()")
    by_css(browser, "#marks .mark:last-child").click()  # the waybill's mark, 2.6 s in
    wait(browser, lambda d: abs(d.execute_script("return document.getElementById('player').currentTime") - 2.6)
         < 0.3)

    by_css(browser, "#share-reason").send_keys("buyer says the mug was missing")
    by_css(browser, "#share-pin").send_keys(PIN + "\n")
    wait(browser, lambda d: by_css(d, "#share-link").get_attribute("value").startswith(f"{url}/share/"))
    link = by_css(browser, "#share-link").get_attribute("value")
    past = _past(svc, days=20)
    try:
        expired = shares.make_share(past, "PDD-1001", shares.supervisor_by_badge(svc, SUPERVISOR), "old dispute",
                                    days=14)
    finally:
        past.close()

    visitor = _browser(360, 780)  # a fresh browser: no cookie, nothing of the site
    try:
        visitor.get(link)
        wait(visitor, lambda d: by_css(d, "#order-no").text == "PDD-1001")
        assert visitor.get_cookies() == []
        by_css(visitor, "#clips .play").click()
        wait(visitor, lambda d: d.execute_script("return document.getElementById('player').currentTime") > 0.3, 10)
        # The token opens this order's evidence only: the floor's figures stay shut.
        assert visitor.execute_script("var x = new XMLHttpRequest(); x.open('GET', '/floor/api/figures', false);"
                                      "x.send(); return x.status;") == 403

        by_css(browser, "#share-pin").send_keys(PIN)  # the supervisor revokes it in the page, PIN again
        by_css(browser, "#share-revoke").click()
        wait(browser, lambda d: by_css(d, "#share-revoked").text == "Revoked")
        visitor.get(link)
        wait(visitor, lambda d: by_css(d, "#gone").is_displayed())
        visitor.get(expired.link(url))
        wait(visitor, lambda d: by_css(d, "#gone").is_displayed())
        assert not by_css(visitor, "#share").is_displayed()
    finally:
        visitor.quit()
    token = shares.token_of(link)
    assert httpx.get(f"{url}/share/{token}/info").status_code == 404
    with svc.read_uow() as uow:
        opened = uow.session.execute(text("SELECT what FROM evidence_share_openings ORDER BY id")).scalars().all()
    assert opened[:2] == ["page", "clip"]


def _past(svc, days: int):
    """The same database on a clock ``days`` ago: a share made then has expired now."""
    then = utcnow() - timedelta(days=days)
    return bootstrap(svc.db_url, Settings(station="SEED"), clock=lambda: then)
