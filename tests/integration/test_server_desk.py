"""The supervisor's desk through a real PackGate server process: login (badge + PIN, never a PIN
hash in a reply), figures equal to the in-process desk's, actions with the PIN at that moment,
401 without a station token, 403 without a desk session, clips (409 before upload, Range after),
evidence export, flags, imports, and the long poll that wakes the supervisor view."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from app.bootstrap import bootstrap
from app.cli import main
from app.client.desk import RemoteDesk
from app.client.remote import enrol
from app.config import Settings
from app.demo import DEMO_ORDERS, DEMO_PRODUCTS
from app.desk.local import LocalDesk
from app.desk.port import ClipNotHere, DeskSessionEnded
from app.errors import KnownError
from app.models.evidence import EvidenceClip
from app.models.schema import User
from app.packing.auth import NotAuthorized
from app.packing.outcome import Step
from app.packing.supervisor import ActionRefused
from app.reports.summary import Period
from tests.integration.test_server import bench_through, code_for, demo_db, server  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
SUPERVISOR, PIN = "S-9001", "123456"


def desk_through(server, station: str, capsys, tmp_path: Path) -> RemoteDesk:  # noqa: F811
    link = enrol(server.url, station, code_for(server.db_url, station, capsys))
    return RemoteDesk(link, timeout=10, cache_dir=tmp_path / f"cache-{station}")


def pack(bench, order_no: str) -> None:
    """Pack a demo order with a pre-assigned waybill at ``bench`` (logged in)."""
    demo = next(o for o in DEMO_ORDERS if o.order_no == order_no)
    assert demo.waybill, order_no
    outcome = bench.handle(order_no)
    assert outcome.accepted, outcome.message.render()
    for sku, qty in demo.lines:
        barcode = next(p[3][0] for p in DEMO_PRODUCTS if p[0] == sku)
        for _ in range(qty):
            assert bench.handle(barcode).accepted
    outcome = bench.handle("BOX-M")
    assert outcome.accepted
    assert bench.handle(str(outcome.view.order.expected_weight_g)).accepted
    outcome = bench.handle(demo.waybill)
    assert outcome.accepted and outcome.view.step == Step.ORDER, outcome.message.render()  # packed: next order


def test_desk_login_refuses_a_packer_and_a_wrong_pin_and_no_pin_hash_leaves(server, capsys, tmp_path):  # noqa: F811
    desk = desk_through(server, "DESK-1", capsys, tmp_path)
    with pytest.raises(NotAuthorized) as packer:
        desk.login("P-1003", "2468")
    assert "not a supervisor" in packer.value.message.render()
    with pytest.raises(NotAuthorized) as wrong:
        desk.login(SUPERVISOR, "000000")
    assert "Wrong PIN" in wrong.value.message.render()
    assert desk.session is None
    with pytest.raises(DeskSessionEnded):
        desk.figures(Period())
    sup = desk.login(SUPERVISOR, PIN)
    assert sup.name.startswith("陈主管") and desk.session

    svc = bootstrap(server.db_url, Settings(station="CHECK"))
    try:
        with svc.read_uow() as uow:
            hashes = [h for h in uow.session.scalars(select(User.pin_hash)) if h]
            audited = uow.session.execute(text(
                "SELECT e.accepted, s.name FROM scan_events e JOIN stations s ON s.id = e.station_id "
                "WHERE e.kind = 'auth' AND e.raw IN ('P-1003', 'S-9001') ORDER BY e.id")).all()
    finally:
        svc.close()
    assert audited == [(False, "DESK-1"), (False, "DESK-1"), (True, "DESK-1")]  # audited at that station
    # Every kind of reply, raw: no PIN hash (nor any argon2 string) in any of them.
    headers = {"Authorization": f"Bearer {desk.link.token}", "X-Desk-Session": desk.session}
    replies = [httpx.post(f"{server.url}/api/v1/desk/login", json={"badge": SUPERVISOR, "pin": PIN}, headers=headers),
               httpx.post(f"{server.url}/api/v1/desk/login", json={"badge": "P-1003", "pin": "2468"}, headers=headers),
               httpx.post(f"{server.url}/api/v1/desk/figures", json={}, headers=headers),
               httpx.post(f"{server.url}/api/v1/desk/order", json={"order_no": "PDD-1022"}, headers=headers)]
    assert [r.status_code for r in replies] == [200, 403, 200, 200]
    assert replies[3].json()["details"]["order_no"] == "PDD-1022"
    for r in replies:
        assert "$argon2" not in r.text and not any(h in r.text for h in hashes)
    desk.close()


def test_desk_calls_need_a_station_token_and_a_desk_session(server, capsys, tmp_path):  # noqa: F811
    url = f"{server.url}/api/v1/desk"
    assert httpx.post(f"{url}/login", json={"badge": SUPERVISOR, "pin": PIN}).status_code == 401
    assert httpx.post(f"{url}/figures", json={}).status_code == 401
    assert httpx.get(f"{url}/clips/1/file").status_code == 401
    bench = bench_through(server, "BENCH-T", capsys)
    assert bench.handle("P-1001").accepted  # a packer's (bench) session is no desk session
    token = {"Authorization": f"Bearer {bench.link.token}"}
    for blob in (None, bench.session, "forged.blob"):
        headers = {**token, **({"X-Desk-Session": blob} if blob else {})}
        r = httpx.post(f"{url}/figures", json={}, headers=headers)
        assert r.status_code == 403 and r.json()["detail"]["kind"] == "no_session", blob
    desk = desk_through(server, "DESK-T", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    # A desk session is the station's: another station's token with it is refused.
    r = httpx.post(f"{url}/figures", json={}, headers={**token, "X-Desk-Session": desk.session})
    assert r.status_code == 403
    assert httpx.post(f"{url}/figures", json={}, headers={"Authorization": f"Bearer {desk.link.token}",
                                                            "X-Desk-Session": desk.session}).status_code == 200
    bench.close()
    desk.close()


def test_figures_through_the_server_equal_the_in_process_desk(server, capsys, tmp_path):  # noqa: F811
    desk = desk_through(server, "DESK-F", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    bench = bench_through(server, "BENCH-F", capsys)
    assert bench.handle("P-1001").accepted
    pack(bench, "PDD-1001")
    stamp: list[datetime] = []  # the in-process desk's clock: the moment the server stamped its figures
    svc = bootstrap(server.db_url, Settings(station="CHECK"), clock=lambda: stamp[-1])
    try:
        local = LocalDesk(svc, "CHECK")
        for period in (Period.today(datetime.now(UTC)), Period()):
            remote = desk.figures(period)
            stamp.append(datetime.fromisoformat(remote["generated_at"]))
            assert remote == local.figures(period)  # the same figures at the same moment, whenever computed
        assert remote["by_station"]["BENCH-F"]["orders"] == 1
        assert desk.order_details("PDD-1001") == local.order_details("PDD-1001")
        assert desk.shipments(Period()) == local.shipments(Period())
        assert "PDD-1001" in [r.order_no for r in desk.shipments(Period())]
    finally:
        svc.close()
        bench.close()
        desk.close()


def test_an_action_through_the_server_needs_the_pin_and_a_reason(server, capsys, tmp_path):  # noqa: F811
    bench = bench_through(server, "BENCH-A", capsys)
    assert bench.handle("P-1001").accepted and bench.handle("PDD-1002").accepted  # packing at BENCH-A
    desk = desk_through(server, "DESK-A", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    with pytest.raises(NotAuthorized):
        desk.run_action("release_hold", SUPERVISOR, "999999", "PDD-1002", "bench died")
    with pytest.raises(ActionRefused) as no_reason:
        desk.run_action("release_hold", SUPERVISOR, PIN, "PDD-1002", "  ")
    assert "Give a reason" in no_reason.value.msg.render()
    assert desk.order_details("PDD-1002")["state"] == "packing"
    done = desk.run_action("release_hold", SUPERVISOR, PIN, "PDD-1002", "bench died")
    assert done.kind == "release_hold" and "taken back" in done.message.render()
    details = desk.order_details("PDD-1002")
    assert details["state"] == "ready"
    [event] = [e for e in details["events"] if e["kind"] == "release_hold"]
    assert event["reason"] == "bench died" and event["station"] == "DESK-A"
    with pytest.raises(ActionRefused):  # the same again: it is not held any more
        desk.run_action("release_hold", SUPERVISOR, PIN, "PDD-1002", "again")
    bench.close()
    desk.close()


def test_clips_through_the_server_409_before_upload_then_range_and_export(server, capsys, tmp_path):  # noqa: F811
    from tests.integration.evidence.recorder_helpers import make_clip

    svc = bootstrap(server.db_url, Settings(station="CHECK"))
    try:
        server_folder = tmp_path / "server-home" / "data" / "evidence"  # the server's own evidence folder
        path = make_clip(server_folder, svc.sessions, "PDD-1001", ("SF1400000000000",), 2.0,
                         station="BENCH-V")
        with svc.uow() as uow:  # another clip, still at its bench: the server cannot read the bench's path
            clip = uow.session.scalar(select(EvidenceClip).where(EvidenceClip.path == str(path)))
            uow.session.add(EvidenceClip(order_no="PDD-1003", station="BENCH-V", packer="p",
                                         path="C:/PackGate/evidence/BENCH-V/PDD-1003_x.mp4",
                                         started_at=clip.started_at, fps=15, state="complete"))
            elsewhere = tmp_path / "elsewhere" / "PDD-1004_x.mp4"  # a real file, outside the evidence folders
            elsewhere.parent.mkdir()
            elsewhere.write_bytes(path.read_bytes())
            uow.session.add(EvidenceClip(order_no="PDD-1004", station="BENCH-V", packer="p", path=str(elsewhere),
                                         started_at=clip.started_at, fps=15, state="complete"))
    finally:
        svc.close()
    desk = desk_through(server, "DESK-V", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    [away] = desk.find_clips("PDD-1003")
    assert desk.local_clip(away) is None
    with pytest.raises(ClipNotHere) as not_yet:
        desk.fetch_clip(away)
    assert "still at bench BENCH-V: not uploaded yet" in not_yet.value.message
    r = httpx.get(f"{server.url}/api/v1/desk/clips/{away['id']}/file",
                  headers={"Authorization": f"Bearer {desk.link.token}", "X-Desk-Session": desk.session})
    assert r.status_code == 409 and "not uploaded yet" in r.json()["detail"]["text"]
    with pytest.raises(ClipNotHere):
        desk.export_evidence("PDD-1003", tmp_path / "nothing")
    [outside] = desk.find_clips("PDD-1004")
    r = httpx.get(f"{server.url}/api/v1/desk/clips/{outside['id']}/file",
                  headers={"Authorization": f"Bearer {desk.link.token}", "X-Desk-Session": desk.session})
    assert r.status_code == 409 and "evidence folders" in r.json()["detail"]["text"], r.text

    [clip] = desk.find_clips("SF1400000000000")
    r = httpx.get(f"{server.url}/api/v1/desk/clips/{clip['id']}/file",
                  headers={"Authorization": f"Bearer {desk.link.token}", "X-Desk-Session": desk.session,
                           "Range": "bytes=100-199"})
    assert r.status_code == 206 and r.content == path.read_bytes()[100:200]
    local = desk.fetch_clip(clip)
    assert local.read_bytes() == path.read_bytes() and local.parent == tmp_path / "cache-DESK-V"
    assert desk.local_clip(clip) == local  # played from the cache next time

    out = tmp_path / "supervisor-pc" / "PDD-1001"
    result = desk.export_evidence("SF1400000000000", out)
    sheet = Path(result["sheet"])
    assert sheet.parent == out and sheet.read_bytes().startswith(b"%PDF")
    assert [Path(c).read_bytes() for c in result["clips"]] == [path.read_bytes()]
    assert sorted(p.name for p in out.iterdir()) == sorted([sheet.name, path.name])

    with pytest.raises(NotAuthorized):
        desk.flag_clips("SF1400000000000", SUPERVISOR, "000000", "buyer says the mug was missing")
    assert desk.flag_clips("SF1400000000000", SUPERVISOR, PIN, "buyer says the mug was missing") == 1
    [flagged] = desk.find_clips("PDD-1001")
    assert flagged["flagged"] and flagged["flag_reason"] == "buyer says the mug was missing"
    assert desk.flag_clips("PDD-1001", SUPERVISOR, PIN, "dispute closed", flagged=False) == 1
    assert not desk.find_clips("PDD-1001")[0]["flagged"]
    desk.close()


def test_imports_through_the_server(server, capsys, tmp_path):  # noqa: F811
    desk = desk_through(server, "DESK-I", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    report = desk.import_file("products", ROOT / "docs" / "demo-products.csv")
    assert report.ok and (report.products_added, report.products_unchanged, report.barcodes_added) == (3, 10, 4)
    orders = desk.import_file("orders", ROOT / "docs" / "demo-orders-pdd.csv", "pdd")
    assert not orders.ok and orders.errors  # the order with a blank carrier, and no default carrier
    assert desk.find_clips("261201-387465902318765") == [] and desk.order_details("261201-387465902318765") is None
    good = tmp_path / "orders.csv"
    good.write_text("order_no,carrier,recipient_name,recipient_phone,recipient_address,sku,quantity\n"
                    "SHOP-77,SF,王小明,13800138000,上海市浦东新区张江路 88 弄,TEA-LJ-250,2\n", encoding="utf-8")
    report = desk.import_file("orders", good)
    assert report.ok and (report.orders_added, report.lines_added) == (1, 1)
    assert desk.order_details("SHOP-77")["state"] == "ready"
    bad = tmp_path / "bad.csv"
    bad.write_text("order_no,carrier\nX-1,SF\n", encoding="utf-8")
    with pytest.raises(KnownError, match="missing required columns"):  # as in-process: ImportFileError's text
        desk.import_file("orders", bad)
    desk.close()


def test_the_desk_long_poll_answers_when_a_bench_scans(server, capsys, tmp_path):  # noqa: F811
    desk = desk_through(server, "DESK-W", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    since = desk.version()
    assert desk.wait_for_change(since, timeout_s=0.3) == since  # nothing happened
    heard: dict[str, object] = {}

    def listen() -> None:
        heard["version"] = desk.wait_for_change(since, timeout_s=60)  # the longest poll the server allows

    listener = threading.Thread(target=listen)
    listener.start()
    bench = bench_through(server, "BENCH-W", capsys)
    assert bench.handle("P-1001").accepted
    listener.join(timeout=45)
    # Back before its own 60 s ran out, with a new version: the scan woke it (no stopwatch to flake on a busy machine).
    assert not listener.is_alive() and heard["version"] != since
    bench.close()
    desk.close()


def test_the_views_own_refreshes_leave_the_desk_sessions_idle_time_running(server, capsys, tmp_path):  # noqa: F811
    """A supervisor view left open ends at the idle time: its long polls and self-made refreshes
    never renew the desk session; what the supervisor does (a figures query of theirs) does."""
    import base64
    import json

    def expiry(blob: str) -> int:
        body = blob.split(".")[0]
        return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["exp"]

    desk = desk_through(server, "DESK-I", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    first = desk.session
    desk.figures(Period(), auto=True)
    since = desk.version()
    desk.wait_for_change(since, timeout_s=0)
    assert desk.session == first  # the very same blob: the idle time runs on
    r = httpx.post(f"{server.url}/api/v1/desk/figures", json={"auto": True},
                   headers={"Authorization": f"Bearer {desk.link.token}", "X-Desk-Session": first})
    assert r.status_code == 200 and r.headers["X-Desk-Session"] == first
    time.sleep(1.1)  # the expiry counts whole seconds: a renewal must show in it (a clock, not a signal)
    desk.figures(Period())
    assert expiry(desk.session) > expiry(first)
    desk.close()


def test_a_pin_typed_as_the_badge_at_the_desk_is_not_kept(server, capsys, tmp_path):  # noqa: F811
    desk = desk_through(server, "DESK-M", capsys, tmp_path)
    r = httpx.post(f"{server.url}/api/v1/desk/login", json={"badge": "123456", "pin": ""},
                   headers={"Authorization": f"Bearer {desk.link.token}"})
    assert r.status_code == 403 and "123456" not in r.text
    svc = bootstrap(server.db_url, Settings(station="CHECK"))
    try:
        with svc.read_uow() as uow:
            audited = uow.session.execute(text(
                "SELECT e.raw, e.message FROM scan_events e JOIN stations s ON s.id = e.station_id "
                "WHERE s.name = 'DESK-M'")).all()
    finally:
        svc.close()
    assert audited == [("****", "Unknown badge (digits not shown: scan your badge first, then type the PIN)")]
    desk.close()


def test_a_new_pin_and_a_lockout_end_a_desk_session(server, capsys, tmp_path, monkeypatch):  # noqa: F811
    desk = desk_through(server, "DESK-E", capsys, tmp_path)
    desk.login(SUPERVISOR, PIN)
    desk.figures(Period())
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", PIN)
    monkeypatch.setenv("PACKGATE_PIN", "654321")
    assert main(["--db", server.db_url, "users", "set-pin", SUPERVISOR, "--by", SUPERVISOR]) == 0
    capsys.readouterr()
    with pytest.raises(DeskSessionEnded):
        desk.figures(Period())
    desk.login(SUPERVISOR, "654321")
    desk.figures(Period())
    other = desk_through(server, "DESK-W", capsys, tmp_path)
    for _ in range(5):  # wrong PINs at another desk lock the supervisor out
        with pytest.raises(NotAuthorized):
            other.login(SUPERVISOR, "000000")
    with pytest.raises(DeskSessionEnded):
        desk.figures(Period())
    desk.close()
    other.close()
