"""The order pull against the real stand-in PDD gateway on loopback, on SQLite and PostgreSQL:
windows of at most 30 minutes ending 3 minutes behind the platform's clock, pages from the last to
the first, an order changed between two pages not missed, kill -9 mid-pull and a restart (nothing
missed or doubled), two shops with their own tokens (each order's job goes out with its shop's
token), an expired token stopping one shop only, refunds, unknown SKUs and cancellations."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, update

from app.cli import main
from app.config import REPO_ROOT
from app.demo import seed_demo
from app.models.schema import Order, OrderLine, PlatformJob, Product, ScanEvent
from app.packing.supervisor import ActionRefused, release_hold
from app.packing.workflow import BenchWorkflow
from app.platform import shops as shop_store
from app.platform.pdd import PddClient
from app.platform.puller import Puller
from app.platform.sender import Sender
from app.platform.standin import StandIn, beijing

T0 = datetime(2026, 3, 2, 4, 0, tzinfo=UTC).timestamp()  # the platform's clock at the start of each test


class PlatformClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def pclock():
    return PlatformClock()


@pytest.fixture
def gateway(pclock):
    with StandIn(clock=pclock) as gw:
        gw.add_shop("north", "token-north")
        gw.add_shop("south", "token-south")
        yield gw


def secret(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(value)
    path.chmod(0o600)
    return str(path)


def add_shops(services, gw, tmp_path, names=("north", "south")):
    with services.uow() as uow:
        for name in names:
            options = {"client_id": gw.client_id, "client_secret_file": secret(tmp_path, "secret", gw.secret),
                       "access_token_file": secret(tmp_path, f"tok-{name}", f"token-{name}"), "endpoint": gw.url}
            shop_store.save(uow.session, name, options, services.clock(), default_carrier="ZTO")


def add_products(services, *skus):
    with services.uow() as uow:
        uow.session.execute(insert(Product), [{"sku": sku, "name": sku, "unit_weight_g": 100} for sku in skus])


def platform_order(n, sku="MUG-1", count=1, **extra):
    return {"order_sn": f"260302-{n:06d}", "receiver_name": "张*", "receiver_phone": "1387677****",
            "address": "上海市 ****", "buyer_memo": "", "remark": "",
            "item_list": [{"outer_id": sku, "goods_count": count, "goods_name": sku}], **extra}


def spread(gw, shop, numbers, over_s=7200):
    """Orders of ``shop`` changed over the last ``over_s`` seconds, oldest first."""
    numbers = list(numbers)
    for i, n in enumerate(numbers):
        gw.add_order(platform_order(n), shop, age_s=over_s - i * over_s / max(1, len(numbers)) + 300)


def puller(services, **kw):
    return Puller(services.uow, services.catalogue, services.clock, read_uow=services.read_uow, **kw)


def orders(services):
    with services.read_uow() as uow:
        q = select(Order.order_no, Order.state, Order.hold_reason)
        return {r.order_no: (r.state, r.hold_reason) for r in uow.session.execute(q)}


def cli_json(services, *args):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["--db", services.db_url, *args, "--json"])
    return code, json.loads(buf.getvalue())


def test_windows_of_30_minutes_end_3_minutes_behind_the_platform_and_pages_go_last_to_first(services, gateway, tmp_path):
    add_products(services, "MUG-1")
    add_shops(services, gateway, tmp_path, ["north"])
    spread(gateway, "north", range(1, 251), over_s=1200)  # 250 orders in one window: 3 pages of 100
    [stats] = puller(services).run_once()
    assert (stats.new, stats.skipped, stats.error) == (250, [], None)
    assert len(orders(services)) == 250
    calls = gateway.listed
    limit = T0 - 180
    assert all(c["end"] - c["start"] <= 1800 and c["end"] <= limit for c in calls)
    assert calls[-1]["end"] == int(limit)
    assert (calls[0]["start"], len({(c["start"], c["end"]) for c in calls})) == (int(T0 - 3 * 86400), 144)
    full = [c["page"] for c in calls if c["start"] == calls[-1]["start"]]
    assert full == [1, 3, 2, 1]  # the count, then the last page first

    gateway.listed.clear()
    [again] = puller(services).run_once()
    assert (again.new, again.unchanged, again.windows, gateway.listed) == (0, 0, 0, [])
    gateway.clock.advance(120)
    [later] = puller(services).run_once()
    assert (later.windows, len(gateway.listed), later.new) == (1, 1, 0)  # nothing new: one call per window


def test_an_order_changed_between_two_pages_is_not_missed(services, gateway, tmp_path):
    add_products(services, "MUG-1")
    add_shops(services, gateway, tmp_path, ["north"])
    spread(gateway, "north", range(1, 251), over_s=1200)
    moved = "260302-000002"  # on page 1, read last

    class Client(PddClient):
        def call(self, api, **business):
            answer = super().call(api, **business)
            if business.get("page") == 3:  # the buyer asks for a refund while the puller reads the pages
                gateway.refund(moved)
            return answer

    p = puller(services, client_factory=lambda o: Client.from_options(o))
    p.run_once()
    got = orders(services)
    assert moved not in got and len(got) == 249  # it left the window (seen later); the shift lost none
    gateway.clock.advance(240)
    puller(services).run_once()
    state, reason = orders(services)[moved]
    assert state == "on_hold" and "refund" in reason and "退款" in reason
    assert len(orders(services)) == 250


def test_kill_9_mid_pull_and_a_restart_miss_nothing_and_double_nothing(services, gateway, tmp_path):
    add_products(services, "MUG-1")
    add_shops(services, gateway, tmp_path, ["north"])
    numbers = range(1, 801)
    spread(gateway, "north", numbers, over_s=6 * 3600)
    gateway.set_faults(delay_ms=15)
    env = {**os.environ, "PACKGATE_DB": services.db_url}
    proc = subprocess.Popen([sys.executable, "main.py", "platform", "pull", "--once", "--shop", "north"],
                            cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100_000):  # until it has written some orders, then kill it mid-pull
            if proc.poll() is not None:
                break
            with services.read_uow() as uow:
                written = uow.session.scalar(select(func.count()).select_from(Order))
            if written >= 100:
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=60)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with services.read_uow() as uow:
        assert 100 <= uow.session.scalar(select(func.count()).select_from(Order)) < 800
    gateway.set_faults(delay_ms=0)
    [stats] = puller(services).run_once()
    assert stats.error is None
    with services.read_uow() as uow:
        s = uow.session
        assert s.scalar(select(func.count()).select_from(Order)) == 800
        assert s.scalar(select(func.count(func.distinct(Order.order_no)))) == 800
        assert s.scalar(select(func.sum(OrderLine.quantity))) == 800  # no line twice
        assert {r for r in s.scalars(select(Order.state))} == {"ready"}


def test_two_shops_pull_with_their_own_tokens_and_ship_with_them(services, gateway, tmp_path):
    add_products(services, "MUG-1")
    add_shops(services, gateway, tmp_path)
    spread(gateway, "north", range(1, 4))
    spread(gateway, "south", range(101, 104))
    results = {r.shop: r for r in puller(services).run_once()}
    assert (results["north"].new, results["south"].new) == (3, 3)
    code, north = cli_json(services, "order", "260302-000001")
    assert code == 0 and north["shop"] == "north" and north["ship_by"].endswith("+00:00")
    with services.uow() as uow:
        rows = uow.session.execute(select(Order.id, Order.order_no, Order.carrier_code)).all()
        for i, (oid, no, carrier) in enumerate(rows):
            uow.session.add(PlatformJob(order_id=oid, order_no=no, kind="ship", carrier_code=carrier,
                                        tracking_number=f"7531{i:010d}", next_attempt_at=services.clock()))
    snd = Sender(services.uow, services.catalogue, services.clock, read_uow=services.read_uow, rate_per_s=5000)
    stats = snd.run_once()
    snd.shutdown()
    assert stats.results == {"confirmed": 6}
    assert {no: gateway.shipped_by[no] for no in gateway.shipped_by} == {
        **{f"260302-{n:06d}": "north" for n in range(1, 4)}, **{f"260302-{n:06d}": "south" for n in range(101, 104)}}


def test_an_expired_token_stops_that_shop_only(services, gateway, tmp_path):
    add_products(services, "MUG-1")
    add_shops(services, gateway, tmp_path)
    spread(gateway, "north", range(1, 3))
    spread(gateway, "south", range(101, 103))
    gateway.expire("south")
    results = {r.shop: r for r in puller(services).run_once()}
    assert results["north"].new == 2 and results["south"].new == 0
    assert "access token" in results["south"].stopped and "packgate shops add south" in results["south"].stopped
    code, listed = cli_json(services, "shops", "list")
    by_name = {r["name"]: r for r in listed}
    assert by_name["south"]["stopped"] and not by_name["north"]["stopped"]
    assert "token-south" not in json.dumps(listed)  # secrets masked
    # The next pass leaves the stopped shop alone; the other carries on.
    gateway.clock.advance(600)
    spread(gateway, "north", [3], over_s=0)
    gateway.clock.advance(300)
    results = {r.shop: r for r in puller(services).run_once()}
    assert results["north"].new == 1 and results["south"].calls == 0


def test_refunds_unknown_skus_and_cancellations_as_the_rules_say(services, gateway, tmp_path):
    add_products(services, "MUG-1")
    add_shops(services, gateway, tmp_path, ["north"])
    gateway.add_order(platform_order(1), "north", age_s=600)
    gateway.add_order(platform_order(2, sku="6-X-RED"), "north", age_s=600)
    gateway.add_order(platform_order(3, refund_status=2), "north", age_s=600)
    gateway.add_order(platform_order(4), "north", age_s=600)
    gateway.add_order(platform_order(5, sku="MUG-1", count=-1), "north", age_s=600)
    [stats] = puller(services).run_once()
    assert (stats.new, stats.held) == (4, 2)
    assert stats.skipped == ["order 260302-000005: goods_count -1 of MUG-1 is not above 0"]
    got = orders(services)
    assert got["260302-000002"] == ("on_hold", "unknown SKU 6-X-RED: import the product catalogue / "
                                               "未知商品编码 6-X-RED：请导入商品资料")
    assert got["260302-000003"][0] == "on_hold" and "260302-000005" not in got

    # Nothing changed: nothing written, no event.
    with services.read_uow() as uow:
        events = uow.session.scalar(select(func.count()).select_from(ScanEvent))
    gateway.clock.advance(60)
    [same] = puller(services).run_once()
    assert (same.new, same.held, same.updated) == (0, 0, 0)

    # The product arrives, the refund is withdrawn, the buyer cancels order 4 and refunds order 1.
    add_products(services, "6-X-RED")
    gateway.refund("260302-000003", 1)
    gateway.cancel("260302-000004")
    gateway.refund("260302-000001")
    gateway.clock.advance(240)
    [later] = puller(services).run_once()
    got = orders(services)
    assert got["260302-000002"] == ("ready", "")  # released at the next pull after the product is there
    assert got["260302-000003"] == ("ready", "")
    assert got["260302-000004"][0] == "cancelled"
    assert got["260302-000001"][0] == "on_hold"
    with services.read_uow() as uow:
        kinds = list(uow.session.scalars(select(ScanEvent.kind).where(ScanEvent.id > events).order_by(ScanEvent.id)))
    assert sorted(kinds) == ["cancel", "import_hold", "release_hold", "release_hold"]
    assert later.released == 2 and later.cancelled == 1


def test_the_stand_in_refuses_a_window_over_30_minutes_or_too_close_to_its_clock(gateway):
    client = PddClient(gateway.client_id, gateway.secret, "token-north", gateway.url)
    try:
        end = int(T0 - 600)
        verdict, body = client.call("pdd.order.number.list.increment.get", start_updated_at=end - 1801,
                                    end_updated_at=end, page=1)
        assert body["error_response"]["error_code"] == 10000 and "30" in body["error_response"]["sub_msg"]
        verdict, body = client.call("pdd.order.number.list.increment.get", start_updated_at=int(T0 - 900),
                                    end_updated_at=int(T0 - 60), page=1)
        assert "3分钟" in body["error_response"]["sub_msg"]
        verdict, body = client.call("pdd.time.get")
        assert body == {"time_get_response": {"time": beijing(T0)}}
    finally:
        client.close()


def test_summary_counts_by_shop_due_soon_and_overdue(services, gateway, tmp_path, clock):
    add_products(services, "MUG-1")
    add_shops(services, gateway, tmp_path)
    ship = datetime.fromtimestamp(T0, UTC)
    clock.now = ship  # PackGate's clock and the platform's agree
    gateway.add_order(platform_order(1, last_ship_time=beijing(T0 + 3600)), "north", age_s=600)  # due in 1 h
    gateway.add_order(platform_order(2, last_ship_time=beijing(T0 + 10 * 3600)), "north", age_s=600)  # later
    gateway.add_order(platform_order(3, last_ship_time=beijing(T0 - 3600)), "south", age_s=600)  # overdue
    puller(services).run_once()
    from app.reports.summary import summary

    with services.read_uow() as uow:  # at PackGate's (injected) clock
        figures = summary(uow.session, services.clock(), due_soon_hours=4)
    assert (figures["due_soon"], figures["overdue"], figures["due_soon_hours"]) == (1, 1, 4)
    assert figures["by_shop"]["north"]["ready"] == 2 and figures["by_shop"]["south"]["ready"] == 1
    code, one = cli_json(services, "order", "260302-000001")
    assert one["ship_by"] == datetime.fromtimestamp(T0 + 3600, UTC).isoformat(timespec="seconds")


def test_an_expired_token_stops_that_shops_jobs_only_and_they_wait_untouched(services, gateway, tmp_path):
    add_products(services, "MUG-1")
    add_shops(services, gateway, tmp_path)
    spread(gateway, "north", range(1, 3))
    spread(gateway, "south", range(101, 103))
    puller(services).run_once()
    with services.uow() as uow:
        rows = uow.session.execute(select(Order.id, Order.order_no, Order.carrier_code)).all()
        for i, (oid, no, carrier) in enumerate(rows):
            uow.session.add(PlatformJob(order_id=oid, order_no=no, kind="ship", carrier_code=carrier,
                                        tracking_number=f"7531{i:010d}", next_attempt_at=services.clock()))
    gateway.expire("south")
    snd = Sender(services.uow, services.catalogue, services.clock, read_uow=services.read_uow, rate_per_s=5000)
    try:
        first = snd.run_once()
        assert first.results == {"confirmed": 2, "stop": 2} and list(first.shops_stopped) == ["south"]
        assert "packgate shops add south" in first.shops_stopped["south"]
        second = snd.run_once()  # the stopped shop's jobs are not even leased
        assert (second.leased, second.results) == (0, {})
    finally:
        snd.shutdown()
    with services.read_uow() as uow:
        states = dict(uow.session.execute(select(PlatformJob.order_no, PlatformJob.state)).all())
        south, north = shop_store.get(uow.session, "south"), shop_store.get(uow.session, "north")
    assert {no: st for no, st in states.items() if no.startswith("260302-0001")} == {
        "260302-000101": "pending", "260302-000102": "pending"}
    assert south.stopped_reason and not north.stopped_reason


def test_the_senders_loop_pulls_every_platform_pull_minutes(services):
    calls = []

    class FakePuller:
        def run_once(self, shop=None, *, due_only=False):
            calls.append(due_only)
            return []

    snd = Sender(services.uow, services.catalogue, services.clock, read_uow=services.read_uow, puller=FakePuller(),
                 pull_minutes=2)
    try:
        snd.pull_if_due()
        snd.pull_if_due()  # within two minutes: not again
        snd._last_pull -= 121  # two minutes later (the loop's monotonic clock)
        snd.pull_if_due()
    finally:
        snd.shutdown()
    assert calls == [True, True]


def test_an_encrypted_receiver_is_stored_as_given(services, gateway, tmp_path):
    add_products(services, "MUG-1")
    add_shops(services, gateway, tmp_path, ["north"])
    phone = "$QXBTKcRwEWhp$AgAAAAApgmAJV6Q5DYEI9wC3pXcKgC2RUtMFnNoA+0E=$1$$"  # the platform's encrypted form
    name = "~AgAAAAAp9mEJQ8jrvgBxcj7hY+RIvJgvq4YFJBeAvQ==~0~" * 3
    gateway.add_order(platform_order(1, receiver_phone=phone, receiver_name=name), "north", age_s=600)
    [stats] = puller(services).run_once()
    assert stats.new == 1 and stats.error is None
    code, details = cli_json(services, "order", "260302-000001")
    assert (details["recipient_phone"], details["recipient_name"]) == (phone, name)


def test_an_order_of_a_shop_without_a_carrier_is_held_then_released_when_the_shop_gets_one(services, gateway,
                                                                                          tmp_path):
    """No carrier for the shop (nor the default_carrier setting): its orders are pulled on hold, the bench
    and a supervisor cannot release them, `shops list` says why; the first pull after the shop gets a
    carrier releases them with it, with an audit event."""
    seed_demo(services)  # a bench, a packer and a supervisor
    add_products(services, "MUG-1")
    with services.uow() as uow:
        options = {"client_id": gateway.client_id, "client_secret_file": secret(tmp_path, "secret", gateway.secret),
                   "access_token_file": secret(tmp_path, "tok-north", "token-north"), "endpoint": gateway.url}
        shop_store.save(uow.session, "north", options, services.clock())
    gateway.add_order(platform_order(1), "north", age_s=600)
    gateway.add_order(platform_order(2, refund_status=2), "north", age_s=600)
    [stats] = puller(services).run_once()
    assert (stats.new, stats.held, stats.error) == (2, 2, None)
    assert "no carrier chosen for shop north" in stats.line()
    got = orders(services)
    assert got["260302-000001"] == ("on_hold", "no carrier chosen for shop north / 店铺 north 未设置默认快递")
    assert got["260302-000002"][0] == "on_hold" and "refund" in got["260302-000002"][1]
    with services.read_uow() as uow:
        assert uow.session.scalar(select(Order.carrier_code).where(Order.order_no == "260302-000001")) is None
    code, listed = cli_json(services, "shops", "list")
    assert code == 0 and "no carrier chosen for shop north" in listed[0]["last_error"]

    # The bench refuses it with the reason; a supervisor's release is refused, nothing changes.
    flow = BenchWorkflow(services, "BENCH-1")
    assert flow.handle("P-1001").accepted
    out = flow.handle("260302-000001")
    assert not out.accepted and "has no carrier yet" in out.message.render()
    with pytest.raises(ActionRefused, match="has no carrier"):
        release_hold(services, "S-9001", "123456", "260302-000001", "try it")
    assert orders(services)["260302-000001"][0] == "on_hold"

    # Nothing new on the platform, still no carrier: nothing written.
    gateway.clock.advance(60)
    [same] = puller(services).run_once()
    assert (same.new, same.released, same.updated) == (0, 0, 0)

    # The shop gets its carrier (`shops add north ... --default-carrier ZTO`): the next pull releases it.
    with services.uow() as uow:
        shop_store.save(uow.session, "north", options, services.clock(), default_carrier="ZTO")
    gateway.clock.advance(60)
    [later] = puller(services).run_once()
    assert later.released == 1 and later.error is None and later.warning is None
    got = orders(services)
    assert got["260302-000001"] == ("ready", "")
    assert got["260302-000002"][0] == "on_hold"  # the refund still holds it
    with services.read_uow() as uow:
        s = uow.session
        assert s.scalar(select(Order.carrier_code).where(Order.order_no == "260302-000001")) == "ZTO"
        assert s.scalars(select(ScanEvent.kind).where(ScanEvent.raw == "260302-000001")
                         .order_by(ScanEvent.id)).all() == ["import_hold", "order", "release_hold"]  # the bench's refusal
    code, listed = cli_json(services, "shops", "list")
    assert listed[0]["last_error"] is None


def test_a_page_failing_mid_window_keeps_the_cursor_and_the_next_pull_doubles_nothing(services, gateway, tmp_path):
    """Pages are read on a fetching thread while the chunks before are written: a page that fails
    after a chunk went in leaves the cursor where it was; the retry re-reads the window, finds the
    written orders unchanged and adds the rest, once each."""
    from app.platform.faults import Verdict

    class FailingAt:
        def __init__(self, inner, at):
            self.inner, self.at, self.n = inner, at, 0

        def call(self, api, **business):
            self.n += 1
            if self.n == self.at:
                return Verdict("retry", "HTTP 502"), None
            return self.inner.call(api, **business)

        def close(self):
            self.inner.close()

    add_products(services, "MUG-1")
    add_shops(services, gateway, tmp_path, ["north"])
    for n in range(1, 2501):  # one window, 25 pages
        gateway.add_order(platform_order(n), "north", age_s=600)
    start = datetime.fromtimestamp(T0 - 1500, UTC)
    with services.uow() as uow:
        uow.session.execute(update(shop_store.Shop).values(pull_cursor=start))
    failing = Puller(services.uow, services.catalogue, services.clock, read_uow=services.read_uow,
                     client_factory=lambda options: FailingAt(PddClient.from_options(options), at=20))
    [stats] = failing.run_once()
    failing.close()
    assert stats.error is not None and "HTTP 502" in stats.error and stats.windows == 0
    written = len(orders(services))
    assert written >= 1000 and written % 1000 == 0 and written < 2500  # whole chunks only
    with services.read_uow() as uow:
        assert uow.session.scalar(select(shop_store.Shop.pull_cursor)) == start
        assert uow.session.scalar(select(func.count()).select_from(OrderLine)) == written  # no half-written order
    [again] = puller(services).run_once()
    assert again.error is None and (again.new, again.unchanged) == (2500 - written, written)
    with services.read_uow() as uow:
        s = uow.session
        assert s.scalar(select(func.count(func.distinct(Order.order_no)))) == 2500
        assert s.scalar(select(func.count()).select_from(OrderLine)) == 2500
