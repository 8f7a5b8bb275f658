"""The floor page's push and first load (not a test): `.venv/bin/python bench/bench_floor.py [--n N]`.

One `packgate serve` on loopback (SQLite, the demo data), Debian's chromium headless (Selenium,
chromium-driver), one bench scanning through the server:

- scan -> page: from a bench's scan committed (its reply received) to the page having rendered the
  pushed figures (a MutationObserver installed before the page's own script notes the moment the
  page writes the new version; the browser's Date.now() and this process's time.time() are the same
  clock), ``--n`` scans alternating an order opened and put back, so the tiles change each time;
- the first load with a session and an empty cache: bytes over the wire (the page, its files, /me,
  the first pushed figures) and the time from navigation start to the tiles shown;
- the floor in the same run: one figures call through the server (what every push costs beyond the
  change feed's tick, 0.25 s) and the feed's tick itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

OBSERVER = """
window.__pg = {renders: []};
new MutationObserver(function (changes) {
  changes.forEach(function (m) {
    if (m.attributeName === 'data-version') {
      window.__pg.renders.push([Date.now(), performance.now(), m.target.getAttribute('data-version')]);
    }
  });
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-version']});
"""


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def until(fn, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(0.005)
    raise TimeoutError


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="packgate-floor-bench-"))
    os.environ["PACKGATE_HOME"] = str(home)
    from selenium.webdriver.common.by import By

    from app.bootstrap import bootstrap
    from app.client.remote import RemoteBench, enrol
    from app.config import Settings
    from app.demo import seed_demo
    from app.server.stations import add_station
    from app.server.waits import POLL_S
    from tests.integration.test_server import Paper, start_server

    url = f"sqlite:///{home / 'site.db'}"
    svc = bootstrap(url, Settings(station="BENCH"))
    seed_demo(svc)
    code = add_station(svc, "BENCH-1")
    server = start_server(url, home / "srv", "--no-sender")  # the tests' own: waits until it answers
    page = None
    try:
        base = server.url
        page = browser()
        page.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVER})
        page.execute_cdp_cmd("Network.enable", {})
        page.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        page.get(f"{base}/floor/")
        until(lambda: page.find_element(By.ID, "badge").is_displayed())
        page.find_element(By.ID, "badge").send_keys("S-9001")
        page.find_element(By.ID, "pin").send_keys("123456\n")
        until(lambda: page.execute_script("return window.__pg.renders.length"))

        # First load with the session's cookie and an empty cache.
        page.get(f"{base}/floor/")
        first = until(lambda: page.execute_script("return window.__pg.renders[0]"))
        files = page.execute_script(
            "var n = performance.getEntriesByType('navigation')[0].transferSize;"
            "performance.getEntriesByType('resource').forEach(function (r) {"
            "  if (r.initiatorType !== 'other' || r.name.indexOf('/events') < 0) { n += r.transferSize; } });"
            "return n;")
        cookie = {"packgate_floor": page.get_cookie("packgate_floor")["value"]}
        pushed = len(httpx.get(f"{base}/floor/api/figures", cookies=cookie).content)  # the first push's payload

        bench = RemoteBench(enrol(base, "BENCH-1", code), Paper())
        assert bench.handle("P-1001").accepted
        until(lambda: page.execute_script("return window.__pg.renders.length") >= 2)
        push_ms = []
        for i in range(args.n):
            seen = page.execute_script("return window.__pg.renders.length")
            outcome = bench.handle(("PDD-1002", "CMD:CANCEL")[i % 2])
            committed = time.time() * 1000
            assert outcome.accepted, outcome.message.render()
            rendered = until(lambda s=seen: page.execute_script(f"return window.__pg.renders[{s}]"))
            push_ms.append(rendered[0] - committed)
        bench.close()

        figures_ms = []
        with httpx.Client(base_url=base, cookies=cookie) as client:
            for _ in range(10):
                t = time.perf_counter()
                client.get("/floor/api/figures")
                figures_ms.append((time.perf_counter() - t) * 1000)
        print(f"scan committed -> page figures rendered, n={args.n}: p50 {statistics.median(push_ms):.0f} ms, "
              f"max {max(push_ms):.0f} ms (aim p50 < 500 ms)")
        print(f"first load (session cookie, empty cache): {files + pushed:,} bytes ({files:,} page and files, "
              f"{pushed:,} first figures), tiles shown {first[1]:.0f} ms after navigation start (aim < 1 s, < 300 kB)")
        print(f"floor, same run: one figures call through the server p50 {statistics.median(figures_ms):.0f} ms; "
              f"the change feed's tick {POLL_S * 1000:.0f} ms")
    finally:
        if page is not None:
            page.quit()
        server.stop()
        svc.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
