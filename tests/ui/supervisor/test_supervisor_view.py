"""The supervisor's view behaves like the operator expects: login, figures, timeline, actions, exports.

Expected figures are counted here with plain SQL on the demo data, not with app.reports.summary.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from app.packing.workflow import BenchWorkflow
from app.ui.supervisor.dashboard import Tile

SUPERVISOR, PIN = "S-9001", "123456"


def login(qtbot, window, badge=SUPERVISOR, pin=PIN):
    form = window.login
    qtbot.keyClicks(form.badge, badge)
    qtbot.keyClicks(form.pin, pin)
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)


def sql(services, query: str, **params):
    with services.read_uow() as uow:
        return uow.session.execute(text(query), params).all()


def today_bounds(services):
    now = services.clock().astimezone()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    as_utc = [d.astimezone(UTC).replace(tzinfo=None) for d in (start, start + timedelta(days=1))]
    return {"start": as_utc[0], "end": as_utc[1]}


def cell(table, row, col) -> str:
    return table.item(row, col).text()


def test_supervisor_login_opens_the_dashboard(qtbot, logged_in):
    assert logged_in.stack.currentWidget() is logged_in.dashboard
    assert logged_in.supervisor.name.startswith("陈主管")
    assert "陈主管" in logged_in.dashboard.who.text()


def test_wrong_pin_is_refused(qtbot, supervisor_window):
    with qtbot.waitSignal(supervisor_window.login.refused, timeout=10_000) as blocker:
        login(qtbot, supervisor_window, pin="0000")
    assert "Wrong PIN" in blocker.args[0]
    assert "Wrong PIN" in supervisor_window.login.error.text()
    assert supervisor_window.stack.currentWidget() is supervisor_window.login
    assert supervisor_window.supervisor is None and supervisor_window.login.pin.text() == ""


def test_a_packer_cannot_open_the_view(qtbot, supervisor_window):
    with qtbot.waitSignal(supervisor_window.login.refused, timeout=10_000) as blocker:
        login(qtbot, supervisor_window, badge="P-1003", pin="2468")
    assert "not a supervisor" in blocker.args[0]
    assert supervisor_window.stack.currentWidget() is supervisor_window.login
    assert supervisor_window.supervisor is None


def test_tiles_show_the_seeded_figures(logged_in, demo_services):
    tiles = logged_in.dashboard.tiles
    by_state = dict(sql(demo_services, "SELECT state, count(*) FROM orders GROUP BY state"))
    for key in ("ready", "packing", "packed", "on_hold", "cancelled"):
        assert tiles[key].value.text() == str(by_state.get(key, 0)), key
    b = today_bounds(demo_services)
    handed = sql(demo_services, "SELECT count(*) FROM orders WHERE handed_over_at >= :start AND handed_over_at < :end",
                 **b)[0][0]
    assert handed > 0 and tiles["handed_over"].value.text() == str(handed)
    cutoff = (demo_services.clock() - timedelta(hours=24)).astimezone(UTC).replace(tzinfo=None)
    late = sql(demo_services, "SELECT count(*) FROM orders WHERE state IN ('ready','packing') AND created_at < :c",
               c=cutoff)[0][0]
    assert late == 2 and tiles["late"].value.text() == "2"
    assert tiles["packed_without_waybill"].value.text() == "0" and not tiles["packed_without_waybill"].alarm


def test_the_no_waybill_tile_turns_red(qtbot):
    tile = Tile("packed_without_waybill", "Packed without waybill")
    qtbot.addWidget(tile)
    tile.set_value(1, alarm=True)
    assert tile.alarm and "#c62828" in tile.styleSheet()
    tile.set_value(0)
    assert not tile.alarm and tile.styleSheet() == ""


def test_tables_and_chart_show_the_seeded_figures(logged_in, demo_services):
    d = logged_in.dashboard
    b = today_bounds(demo_services)
    carriers = dict(sql(demo_services, "SELECT carrier_code, count(*) FROM orders WHERE packed_at >= :start "
                                       "AND packed_at < :end GROUP BY carrier_code", **b))
    shown = {cell(d.carriers, r, 0): int(cell(d.carriers, r, 1)) for r in range(d.carriers.rowCount())}
    assert shown == carriers
    packers = sql(demo_services, "SELECT u.name, count(*) FROM orders o JOIN users u ON u.id = o.packer_id "
                                 "WHERE packed_at >= :start AND packed_at < :end GROUP BY u.name", **b)
    shown = {cell(d.packers, r, 0): int(cell(d.packers, r, 1)) for r in range(d.packers.rowCount())}
    assert shown == dict(packers)
    stations = sql(demo_services, "SELECT s.name, count(*) FROM orders o JOIN stations s ON s.id = o.station_id "
                                  "WHERE packed_at >= :start AND packed_at < :end GROUP BY s.name", **b)
    shown = {cell(d.stations, r, 0): int(cell(d.stations, r, 1)) for r in range(d.stations.rowCount())}
    assert shown == dict(stations)
    packed_today = sum(carriers.values())
    assert sum(d.bars.at(h) for h in range(24)) == packed_today > 0


def test_an_exception_opens_its_timeline(qtbot, logged_in, demo_services):
    d = logged_in.dashboard
    rows = [d.exception_row(r)["order_no"] for r in range(d.exceptions.rowCount())]
    late = sorted(n for (n,) in sql(demo_services, "SELECT order_no FROM orders WHERE state = 'ready' AND "
                                                   "created_at < :c", c=datetime(2026, 11, 24, 2, 0)))
    assert sorted(rows) == late == ["PDD-1006", "PDD-1018"]
    with qtbot.waitSignal(d.timeline_loaded, timeout=10_000):
        qtbot.mouseClick(d.exceptions.viewport(), Qt.MouseButton.LeftButton,
                         pos=d.exceptions.visualItemRect(d.exceptions.item(0, 1)).center())
    assert d.timeline.order_no == rows[0]


def hold_with_a_refused_scan(services):
    flow = BenchWorkflow(services, "BENCH-7")
    flow.handle("P-1001")
    flow.handle("PDD-1002")
    assert not flow.handle("6901234567892").accepted  # tea: not in this order
    assert flow.handle("CMD:SHORT").accepted


def test_release_hold_asks_pin_and_reason_and_writes_the_audit_event(qtbot, logged_in, demo_services):
    d = logged_in.dashboard
    hold_with_a_refused_scan(demo_services)
    d.refresh(force=True)
    # A refresh already under way (the view's own push) may answer first with the figures from
    # before the hold: wait for the figures, not for one particular refresh.
    qtbot.waitUntil(lambda: d.tiles["on_hold"].value.text() == "1", timeout=10_000)
    row = next(r for r in range(d.exceptions.rowCount()) if d.exception_row(r)["order_no"] == "PDD-1002")
    with qtbot.waitSignal(d.timeline_loaded, timeout=10_000):
        d.exceptions.selectRow(row)
        d.open_timeline(row)
    timeline = d.timeline.table
    results = [timeline.item(r, 3).text() for r in range(timeline.rowCount())]
    assert "REFUSED" in results and "accepted" in results
    assert {timeline.item(r, 7).text() for r in range(timeline.rowCount())} == {"BENCH-7"}

    qtbot.mouseClick(d.action_buttons["release_hold"], Qt.MouseButton.LeftButton)
    panel = d.action_panel
    assert panel.isVisible() and panel.target.text() == "PDD-1002" and panel.pin.text() == ""
    # No reason: refused, nothing written.
    qtbot.keyClicks(panel.pin, PIN)
    with qtbot.waitSignal(panel.refused, timeout=10_000) as blocker:
        qtbot.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)
    assert "reason" in blocker.args[0] and panel.isVisible()
    # Wrong PIN: refused.
    qtbot.keyClicks(panel.reason, "replacement found on shelf B")
    qtbot.keyClicks(panel.pin, "9999")
    with qtbot.waitSignal(panel.refused, timeout=10_000) as blocker:
        qtbot.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)
    assert "Wrong PIN" in blocker.args[0]
    assert sql(demo_services, "SELECT count(*) FROM scan_events WHERE kind = 'release_hold'")[0][0] == 0
    # PIN and reason: done, audited, figures refreshed.
    qtbot.keyClicks(panel.pin, PIN)
    with qtbot.waitSignal(panel.done, timeout=10_000):
        qtbot.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)
    assert "released" in panel.result.text()
    qtbot.waitUntil(lambda: d.tiles["on_hold"].value.text() == "0", timeout=10_000)  # figures refreshed
    audit = sql(demo_services, "SELECT e.reason, u.name, o.order_no FROM scan_events e JOIN users u ON u.id = e.user_id "
                               "JOIN orders o ON o.id = e.order_id WHERE e.kind = 'release_hold'")
    assert audit == [("replacement found on shelf B", "陈主管 Chen (supervisor)", "PDD-1002")]


def test_unlink_from_the_view(qtbot, logged_in, demo_services):
    d = logged_in.dashboard
    d.ask_action("unlink")
    panel = d.action_panel
    qtbot.keyClicks(panel.target, "PDD-1023")
    qtbot.keyClicks(panel.reason, "label on the wrong parcel")
    qtbot.keyClicks(panel.pin, PIN)
    with qtbot.waitSignal(panel.done, timeout=10_000):
        qtbot.keyClick(panel.pin, Qt.Key.Key_Return)
    assert sql(demo_services, "SELECT state, waybill FROM orders WHERE order_no = 'PDD-1023'") == [("packing", None)]


def test_period_selector_and_refresh(qtbot, logged_in):
    d = logged_in.dashboard
    with qtbot.waitSignal(d.refreshed, timeout=10_000) as blocker:
        d.set_period("yesterday")
    assert blocker.args[0]["tiles"]["packed_in_period"] == 0
    assert all(d.bars.at(h) == 0 for h in range(24))
    assert d.timer.isActive() and d.timer.interval() == logged_in.services.settings.refresh_seconds * 1000
    with qtbot.waitSignal(d.refreshed, timeout=10_000):
        d.timer.timeout.emit()  # the periodic tick goes through the worker too


def test_exports(qtbot, logged_in, tmp_path):
    d = logged_in.dashboard
    with qtbot.waitSignal(d.exported, timeout=10_000):
        d.export("csv", tmp_path / "s.csv")
    content = (tmp_path / "s.csv").read_text(encoding="utf-8-sig")
    assert content.startswith("order_no,carrier,waybill") and "PDD-1022" in content
    with qtbot.waitSignal(d.exported, timeout=10_000):
        d.export("xlsx", tmp_path / "s.xlsx")
    assert (tmp_path / "s.xlsx").read_bytes()[:2] == b"PK"
    with qtbot.waitSignal(d.exported, timeout=20_000):
        d.export("pdf", tmp_path / "s.pdf")
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")
    if os.name == "posix":  # buyers' addresses and phones: owner-only
        assert {(tmp_path / n).stat().st_mode & 0o777 for n in ("s.csv", "s.xlsx", "s.pdf")} == {0o600}


def test_a_lockout_shows_in_the_view(qtbot, supervisor_window, demo_services):
    from app.models.schema import User
    from app.packing.auth import NotAuthorized, authorize_supervisor
    from app.security import hash_pin

    with demo_services.uow() as uow:
        uow.session.add(User(name="Night shift lead", role="supervisor", badge="S-9002", pin_hash=hash_pin("556677", "supervisor"),
                             created_at=demo_services.clock()))
    for _ in range(5):
        with pytest.raises(NotAuthorized):
            authorize_supervisor(demo_services, "S-9002", "000000", action="test")
    with qtbot.waitSignal(supervisor_window.dashboard.refreshed, timeout=10_000) as blocker:
        login(qtbot, supervisor_window)
    locked = supervisor_window.dashboard.locked
    assert [u["badge"] for u in blocker.args[0]["locked_users"]] == ["S-9002"]
    assert locked.isVisibleTo(supervisor_window) and "Night shift lead (S-9002) until" in locked.text()


def test_the_ship_by_tiles_show_due_soon_and_overdue_red_when_not_zero(logged_in, demo_services):
    from app.reports.summary import ship_by_figures

    tiles = logged_in.dashboard.tiles
    with demo_services.read_uow() as uow:
        figures = ship_by_figures(uow.session, demo_services.clock(), demo_services.settings.due_soon_hours)
    assert figures["overdue"] >= 2  # the demo's two late orders: their 24 hours from creation have passed
    for key in ("due_soon", "overdue"):
        assert tiles[key].value.text() == str(figures[key]), key
        assert tiles[key].alarm == (figures[key] != 0), key
