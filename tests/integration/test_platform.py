"""The shop platform on SQLite and PostgreSQL, against the stand-in PDD gateway on a loopback port:
the outbox job is written with the waybill scan, the sender confirms it, faults are sorted, a
refunded order is refused at the bench, corrections follow a supervisor's unlink, and senders killed
with kill -9 leave every job confirmed exactly once with the right order, carrier id and number."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import delete, func, insert, select

from app.cli import main
from app.config import REPO_ROOT
from app.demo import seed_demo
from app.models.schema import JobState, Order, OrderLine, Parcel, PlatformJob, Product
from app.packing import repository as repo
from app.packing.outcome import Step
from app.packing.supervisor import unlink_waybill
from app.packing.workflow import BenchWorkflow
from app.platform import config as channel_config
from app.platform.sender import Sender
from app.platform.standin import Faults, StandIn
from tests.integration.test_parcels import ok, weigh


def secret_file(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(value)
    path.chmod(0o600)
    return str(path)


@pytest.fixture
def gateway():
    with StandIn(faults=Faults(seed=7)) as gw:
        yield gw


def use_standin(services, gw, tmp_path):
    options = {"client_id": gw.client_id, "client_secret_file": secret_file(tmp_path, "secret", gw.secret),
               "access_token_file": secret_file(tmp_path, "token", gw.token), "endpoint": gw.url}
    with services.uow() as uow:
        channel_config.save(uow.session, channel_config.ChannelConfig("pdd", options), services.clock())
    return options


def sender(services, **kw):
    kw.setdefault("backoff_base", 0.0001)
    kw.setdefault("rate_per_s", 5000)
    return Sender(services.uow, services.catalogue, services.clock, read_uow=services.read_uow, **kw)


def drain(snd, rounds=50):
    for _ in range(rounds):
        stats = snd.run_once()
        if stats.stopped or not stats.leased:
            return stats
    return stats


def jobs(services):
    with services.read_uow() as uow:
        return uow.session.execute(select(PlatformJob).order_by(PlatformJob.id)).scalars().all()


def pack_one(flow, order_no="PDD-1001"):
    details = json.loads(_cli_json(flow.services, "order", order_no))
    ok(flow, order_no, Step.VERIFY)
    for line in details["lines"]:
        for _ in range(line["qty"] - line["scanned"]):
            flow.handle(line["barcode"])
    box = ok(flow, "BOX-M")
    assert box.step == Step.WEIGHT
    weigh(flow)
    number = json.loads(_cli_json(flow.services, "order", order_no))["preassigned_waybill"]
    forms = {"ZTO": "7531{:010d}", "YTO": "YT{:013d}", "STO": "77{:013d}", "SF": "SF{:013d}"}
    number = number or forms[details["carrier"]].format(3000000 + int(order_no.split("-")[1]))
    out = ok(flow, number)
    assert out.step == Step.ORDER
    return number


def _cli_json(services, *args):
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["--db", services.db_url, *args, "--json"]) == 0
    return buf.getvalue()


@pytest.fixture
def bench(services):
    seed_demo(services)
    with services.uow() as uow:  # the demo packs a few orders: start these tests with an empty outbox
        uow.session.execute(delete(PlatformJob))
    flow = BenchWorkflow(services, "BENCH-1")
    ok(flow, "P-1001")
    return flow


def test_the_waybill_scan_writes_the_job_and_the_sender_confirms_it(services, bench, gateway, tmp_path):
    waybill = pack_one(bench)
    [job] = [j for j in jobs(services) if j.order_no == "PDD-1001"]
    assert (job.kind, job.state, job.tracking_number, job.carrier_code) == ("ship", "pending", waybill, "SF")
    status = json.loads(_cli_json(services, "order", "PDD-1001"))["platform_status"]
    assert status == {"state": "pending", "attempts": 0, "error": None, "confirmed_at": None}
    figures = json.loads(_cli_json(services, "summary"))
    assert figures["not_on_platform"] >= 1 and figures["platform_failed"] == 0

    use_standin(services, gateway, tmp_path)
    drain(sender(services))

    status = json.loads(_cli_json(services, "order", "PDD-1001"))["platform_status"]
    assert status["state"] == "confirmed" and status["attempts"] == 1 and status["confirmed_at"]
    held = gateway.orders["PDD-1001"]
    assert (held.tracking_number, held.logistics_id, held.ship_calls) == (waybill, 44, 1)


def test_a_refunded_order_is_refused_at_the_bench_and_one_being_packed_stops(services, bench, gateway, tmp_path):
    use_standin(services, gateway, tmp_path)
    ok(bench, "PDD-1003", Step.VERIFY)  # being packed when the refund arrives
    gateway.set_faults(refunded={"PDD-1002": 3, "PDD-1003": 2})
    stats = sender(services).run_once()  # nothing to send; the platform state of unpacked orders is refreshed
    assert stats.refreshed > 0

    out = bench.handle("PDD-1004")  # any scan: PDD-1003 is stopped first
    assert not out.accepted and "refund requested on the platform: do not pack" in out.message.render()
    assert out.step == Step.ORDER
    out = bench.handle("PDD-1002")
    assert not out.accepted and "refund requested on the platform: do not pack" in out.message.render()
    with services.read_uow() as uow:
        states = dict(uow.session.execute(select(Order.order_no, Order.state)
                                          .where(Order.order_no.in_(("PDD-1002", "PDD-1003")))).all())
    assert states == {"PDD-1002": "on_hold", "PDD-1003": "on_hold"}
    ok(bench, "PDD-1004", Step.VERIFY)  # the next order just works


def test_faults_are_sorted(services, bench, gateway, tmp_path):
    number = pack_one(bench, "PDD-1001")
    other = pack_one(bench, "PDD-1002")
    pack_one(bench, "PDD-1004")
    use_standin(services, gateway, tmp_path)
    gateway.ship("PDD-1002", "SF9999999999999", 44)  # entered by hand in the back office, wrongly
    gateway.ship("PDD-1004", json.loads(_cli_json(services, "order", "PDD-1004"))["waybill"], 44)  # the same number
    gateway.set_faults(token_expired=True)
    stats = drain(sender(services))
    assert stats.stopped and "access token" in stats.stopped
    assert {j.state for j in jobs(services)} == {"pending"}, [(j.order_no, j.error) for j in jobs(services)]
    out = _cli_json(services, "platform", "status")
    assert "access token" in json.loads(out)["stopped"]

    gateway.set_faults(token_expired=False)
    use_standin(services, gateway, tmp_path)  # renewing the token restarts the channel
    drain(sender(services))
    by_order = {j.order_no: j for j in jobs(services)}
    assert by_order["PDD-1001"].state == "confirmed" and gateway.orders["PDD-1001"].tracking_number == number
    assert by_order["PDD-1004"].state == "confirmed"
    wrong = by_order["PDD-1002"]
    assert wrong.state == "failed"
    assert wrong.error == f"the platform holds SF9999999999999 for this order; PackGate linked {other}"
    status = json.loads(_cli_json(services, "platform", "status"))
    assert status["counts"]["failed"] == 1 and status["failed"][0]["order_no"] == "PDD-1002"
    assert json.loads(_cli_json(services, "summary"))["platform_failed"] == 1


def test_unlink_voids_a_job_not_sent_and_corrects_one_that_was(services, bench, gateway, tmp_path):
    from app.security import hash_pin  # noqa: F401 - the demo supervisor has a PIN

    first = pack_one(bench, "PDD-1001")
    unlink_waybill(services, "S-9001", "123456", "PDD-1001", "wrong label")
    assert [(j.kind, j.state) for j in jobs(services)] == [("ship", "void")]
    ok(bench, "PDD-1001")
    out = ok(bench, first)
    assert out.step == Step.ORDER
    use_standin(services, gateway, tmp_path)
    drain(sender(services))
    unlink_waybill(services, "S-9001", "123456", "PDD-1001", "courier lost it")
    kinds = [(j.kind, j.state) for j in jobs(services)]
    assert kinds[:2] == [("ship", "void"), ("ship", "confirmed")]
    assert kinds[2][0] == "unlink"
    drain(sender(services))
    correction = jobs(services)[2]
    assert correction.state == "failed" and "back office" in correction.error


def test_secret_files_must_be_owner_only(services, tmp_path, capsys):
    loose = tmp_path / "secret"
    loose.write_text("s")
    loose.chmod(0o644)
    token = secret_file(tmp_path, "token", "t")
    code = main(["--db", services.db_url, "platform", "set", "pdd", "--client-id", "c", "--client-secret-file",
                 str(loose), "--access-token-file", token])
    assert code != 0 and "chmod 600" in capsys.readouterr().err
    assert main(["--db", services.db_url, "platform", "show"]) == 0
    assert "no platform channel" in capsys.readouterr().out
    loose.chmod(0o600)
    loose.write_text("a-long-client-secret-value")
    assert main(["--db", services.db_url, "platform", "set", "pdd", "--client-id", "c", "--client-secret-file",
                 str(loose), "--access-token-file", token]) == 0
    capsys.readouterr()
    assert main(["--db", services.db_url, "platform", "show"]) == 0
    shown = capsys.readouterr().out
    assert "a-long-client-secret-value" not in shown and "****ue" in shown


def test_file_channel_exports_then_uploaded_confirms(services, bench, tmp_path):
    pack_one(bench, "PDD-1001")
    assert main(["--db", services.db_url, "platform", "set", "file", "--dir", str(tmp_path / "out"),
                 "--format", "csv"]) == 0
    assert main(["--db", services.db_url, "sync", "--once"]) == 0
    [path] = list((tmp_path / "out").glob("*.csv"))
    text = path.read_text(encoding="utf-8-sig").splitlines()
    assert text[0] == "订单号,快递公司,快递单号" and text[1].startswith("PDD-1001,顺丰速运,SF")
    assert json.loads(_cli_json(services, "order", "PDD-1001"))["platform_status"]["state"] == "exported"
    assert main(["--db", services.db_url, "platform", "uploaded", str(path)]) == 0
    assert json.loads(_cli_json(services, "order", "PDD-1001"))["platform_status"]["state"] == "confirmed"
    assert main(["--db", services.db_url, "platform", "uploaded", str(path)]) != 0  # twice: nothing waits


# --------------------------------------------------------------------- many jobs, senders killed

def packed_orders(services, count: int) -> dict[str, str]:
    """``count`` packed orders (SF, one parcel each) with their jobs, written as a bench would."""
    now = services.clock()
    numbers = {}
    with services.uow() as uow:
        s = uow.session
        product = s.scalar(select(Product.id).limit(1))
        for i in range(count):
            no, number = f"F-{i:05d}", f"SF{3100000000000 + i}"
            oid = s.execute(insert(Order).values(order_no=no, carrier_code="SF", state="packed", waybill=number,
                                                 packed_at=now).returning(Order.id)).scalar_one()
            s.execute(insert(OrderLine).values(order_id=oid, product_id=product, quantity=1, scanned=1))
            s.execute(insert(Parcel).values(order_id=oid, seq=1, waybill=number, label_prints=1, sealed=False))
            numbers[no] = number
        ids = list(s.scalars(select(Order.id).where(Order.order_no.like("F-%"))))
        repo.write_platform_jobs(s, ids, now)
    return numbers


def confirmed(services) -> int:
    with services.read_uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(PlatformJob)
                                  .where(PlatformJob.state == JobState.CONFIRMED.value)) or 0


def wait_for(predicate, timeout=45.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)  # polling the database of another process: there is no event to wait on
    raise AssertionError("timed out")


def spawn_sync(services):
    env = {**os.environ, "PACKGATE_DB": services.db_url}
    return subprocess.Popen([sys.executable, "main.py", "sync", "--lease-seconds", "1.5", "--retry-base", "0.05",
                             "--idle", "0.05"], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


def test_senders_killed_twice_mid_batch_leave_every_job_confirmed_once(services, tmp_path, packgate_home):
    seed_demo(services)
    total = 300
    numbers = packed_orders(services, total)
    faults = Faults(seed=11, delay_ms=2, drop_rate=0.03, drop_after_rate=0.03, error_5xx_rate=0.04, rate_limit_rate=0.04)
    with StandIn(faults=faults) as gw:
        use_standin(services, gw, tmp_path)
        (tmp_path / "packgate-home" / "config").mkdir(parents=True, exist_ok=True)
        (tmp_path / "packgate-home" / "config" / "settings.json").write_text(json.dumps({"platform_rate_per_s": 2000}))
        for stop_at in (total // 3, 2 * total // 3):
            proc = spawn_sync(services)
            try:
                wait_for(lambda n=stop_at, p=proc: confirmed(services) >= n or p.poll() is not None)
                assert proc.poll() is None, proc.stderr.read().decode()
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        proc = spawn_sync(services)
        try:
            wait_for(lambda: all(j.state == "confirmed" for j in jobs(services) if j.order_no.startswith("F-")))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
        state = gw.snapshot()
    mine = [j for j in jobs(services) if j.order_no.startswith("F-")]
    assert len(mine) == total and {j.state for j in mine} == {"confirmed"}
    for j in mine:
        held = state["orders"][j.order_no]
        assert held["tracking_number"] == numbers[j.order_no] == j.tracking_number  # right order, right number
        assert held["logistics_id"] == 44 == j.logistics_id  # right carrier id
        assert j.platform_number == j.tracking_number and j.lease_owner is None
    assert sum(1 for k in state["orders"] if k.startswith("F-")) == total  # nothing lost, nothing extra


def test_a_split_order_ships_parcel_one_then_uploads_the_extra_parcel(services, bench, gateway, tmp_path):
    from tests.integration.test_parcels import NUTS, TEA, W1, W2, parcel_one

    parcel_one(bench)
    ok(bench, W1, Step.VERIFY)
    ok(bench, NUTS)
    ok(bench, TEA, Step.BOX)
    ok(bench, "BOX-S")
    weigh(bench)
    ok(bench, W2, Step.ORDER)
    assert [(j.kind, j.parcel_seq, j.tracking_number) for j in jobs(services)] == [("ship", 1, W1), ("extra", 2, W2)]
    use_standin(services, gateway, tmp_path)
    drain(sender(services))
    assert {j.state for j in jobs(services)} == {"confirmed"}
    held = gateway.orders["PDD-2001"]
    assert held.tracking_number == W1 and held.extras == [(44, W2)]


def test_with_the_handed_over_trigger_the_job_is_written_at_the_manifest_close(services, bench):
    services.settings.platform_trigger = "handed_over"
    waybill = pack_one(bench, "PDD-1001")
    assert jobs(services) == []
    ok(bench, "CMD:HANDOVER")
    ok(bench, waybill)
    ok(bench, "CMD:CLOSE")
    [job] = jobs(services)
    assert (job.order_no, job.kind, job.tracking_number, job.state) == ("PDD-1001", "ship", waybill, "pending")


def test_webhook_posts_signed_json_and_a_2xx_confirms(services, bench, tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from app.platform.signing import webhook_signature_ok

    received, answers = [], [503, 200]

    class Erp(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((json.loads(body), webhook_signature_ok(body, "erp-secret",
                                                                   self.headers["X-PackGate-Signature"])))
            self.send_response(answers.pop(0) if answers else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Erp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        waybill = pack_one(bench, "PDD-1001")
        url = f"http://127.0.0.1:{server.server_address[1]}/shipments"
        assert main(["--db", services.db_url, "platform", "set", "webhook", "--url", url, "--secret-file",
                     secret_file(tmp_path, "erp", "erp-secret")]) == 0
        drain(sender(services))
    finally:
        server.shutdown()
        server.server_close()
    assert len(received) == 2 and all(ok_sig for _, ok_sig in received)  # a 503, then the retry
    payload = received[-1][0]
    assert payload["order_no"] == "PDD-1001" and payload["tracking_number"] == waybill
    assert payload["logistics_id"] == 44 and payload["event"] == "ship"
    [job] = jobs(services)
    assert job.state == "confirmed" and job.attempts == 2


def test_cancel_after_the_platform_confirmed_writes_a_cancel_correction(services, bench, gateway, tmp_path):
    from app.packing.supervisor import cancel_order

    pack_one(bench, "PDD-1001")
    use_standin(services, gateway, tmp_path)
    drain(sender(services))
    unlink_waybill(services, "S-9001", "123456", "PDD-1001", "wrong parcel")
    cancel_order(services, "S-9001", "123456", "PDD-1001", "buyer cancelled")
    assert [(j.kind, j.state) for j in jobs(services)] == [("ship", "confirmed"), ("unlink", "pending"),
                                                           ("cancel", "pending")]


def test_bad_platform_input_is_one_clear_line_and_changes_nothing(services, tmp_path, capsys):
    url = services.db_url
    secret = secret_file(tmp_path, "s", "erp-secret")
    for argv, words in ((["platform", "set", "webhook", "--url", "ftp://erp", "--secret-file", secret], "not an http"),
                        (["platform", "set", "pdd", "--client-id", " ", "--client-secret-file", secret,
                          "--access-token-file", secret], "must not be empty"),
                        (["platform", "set", "pdd", "--client-id", "c", "--client-secret-file", str(tmp_path / "no"),
                          "--access-token-file", secret], "Cannot read the secret file"),
                        (["platform", "retry", "999"], "not a failed job"),
                        (["platform", "uploaded", "nothing.csv"], "no exported jobs"),
                        (["platform", "carriers"], "needs the pdd channel"),
                        (["sync", "--once", "--lease-seconds", "0"], "above 0")):
        assert main(["--db", url, *argv]) != 0, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and words in err[0], (argv, err)
    assert main(["--db", url, "platform", "show"]) == 0
    assert "no platform channel" in capsys.readouterr().out


def test_the_bench_says_so_when_the_platform_has_not_answered(services, bench, gateway, tmp_path):
    use_standin(services, gateway, tmp_path)
    out = bench.handle("PDD-1001")  # never refreshed yet
    assert out.accepted and "cannot be reached" in out.message.render()
    ok(bench, "CMD:CANCEL")
    assert sender(services).run_once().refreshed > 0
    out = bench.handle("PDD-1001")
    assert out.accepted and "cannot be reached" not in out.message.render()


def test_a_webhook_urls_credentials_are_masked_in_show_in_job_errors_and_at_the_desk(services, bench, tmp_path,
                                                                                    capsys):
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from app.desk.local import LocalDesk
    from app.reports.summary import Period

    secrets = ("erp-user", "erp-pass", "tok-SECRET-123")

    def shown(text: str) -> str:
        assert not any(s in text for s in secrets), text
        return text

    class Erp(BaseHTTPRequestHandler):  # refuses, quoting the URL it was called at (some do)
        def log_message(self, *a):
            pass

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            body = f"no such hook http://erp-user:erp-pass@{self.headers['Host']}{self.path}".encode()
            self.send_response(400)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with socket.socket() as probe:  # a port nobody listens on: no answer
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    secret = secret_file(tmp_path, "erp", "erp-secret")
    pack_one(bench, "PDD-1001")
    url = f"http://erp-user:erp-pass@127.0.0.1:{closed}/hook?token=tok-SECRET-123"
    assert main(["--db", services.db_url, "platform", "set", "webhook", "--url", url, "--secret-file", secret]) == 0
    assert main(["--db", services.db_url, "platform", "show"]) == 0
    out = shown(capsys.readouterr().out)
    assert f"url: http://****@127.0.0.1:{closed}/hook?token=****" in out
    sender(services).run_once()
    [job] = jobs(services)
    assert shown(job.error).startswith("no answer from http://****@127.0.0.1")  # to be retried
    status = json.loads(_cli_json(services, "order", "PDD-1001"))["platform_status"]
    assert "no answer" in shown(status["error"])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Erp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://erp-user:erp-pass@127.0.0.1:{server.server_address[1]}/hook?token=tok-SECRET-123"
        assert main(["--db", services.db_url, "platform", "set", "webhook", "--url", url, "--secret-file", secret]) == 0
        drain(sender(services))
    finally:
        server.shutdown()
        server.server_close()
    [job] = jobs(services)
    assert job.state == "failed" and "no such hook http://****@127.0.0.1" in shown(job.error)  # stored masked
    with services.uow() as uow:  # an error stored before URLs were masked is masked when shown
        uow.session.execute(PlatformJob.__table__.update().values(error=f"refused {url}"))
    assert shown(json.loads(_cli_json(services, "platform", "status"))["failed"][0]["error"]).startswith("refused http")
    assert shown(json.loads(_cli_json(services, "order", "PDD-1001"))["platform_status"]["error"])
    [failed] = LocalDesk(services, "DESK").figures(Period())["platform_failed_jobs"]
    assert shown(failed["error"]) == f"refused http://****@127.0.0.1:{server.server_address[1]}/hook?token=****"
