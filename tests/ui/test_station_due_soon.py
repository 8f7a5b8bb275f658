"""The bench's idle screen says how many orders are due to ship soon (issue 20), in big text, amber
when not zero; read by a refresh of the view on the worker, never by a scan. Embedded on the tests'
clock, and through a real PackGate server (its own clock: ship-by times hours away from it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select, update

from app.bootstrap import bootstrap
from app.client.local import LocalServices
from app.client.remote import RemoteBench, enrol
from app.config import Settings
from app.demo import seed_demo
from app.models.schema import Order
from app.packing.outcome import Step
from app.packing.workflow import BenchWorkflow
from app.ui.station_window import AMBER, QUIET, StationWindow
from tests.integration.test_server import Paper, code_for, start_server
from tests.ui.conftest import Scanner

NOT_PACKED = ("ready", "packing", "on_hold")


def due_in(services, now: datetime, n: int) -> list[str]:
    """``n`` ready orders due to ship within the hour; every other order not yet packed far later."""
    with services.uow() as uow:
        s = uow.session
        s.execute(update(Order).where(Order.state.in_(NOT_PACKED)).values(ship_by=now + timedelta(hours=30)))
        soon = s.scalars(select(Order.order_no).where(Order.state == "ready").order_by(Order.id.desc()).limit(n)).all()
        s.execute(update(Order).where(Order.order_no.in_(soon)).values(ship_by=now + timedelta(hours=1)))
    return list(soon)


def test_the_idle_screen_counts_the_orders_due_soon_embedded(qtbot, window, scanner, demo_services):
    due_in(demo_services, demo_services.clock.now, 3)
    assert not window.due_soon.isVisible()  # the login screen
    out = scanner.scan("P-1001")
    assert out.view.step == Step.ORDER and out.view.due_soon is None  # a scan does not count them
    qtbot.waitUntil(lambda: window.due_soon.text() == "3 orders due to ship within 4 h", timeout=10_000)
    assert window.due_soon.isVisible() and AMBER in window.due_soon.styleSheet()
    assert "26pt" in window.due_soon.styleSheet() and window.due_soon_timer.isActive()

    # The clock moves on: two hours later they are overdue, not due soon; the next refresh says so.
    demo_services.clock.advance(hours=2)
    window.worker.refresh()  # what the idle screen's timer does every minute
    qtbot.waitUntil(lambda: window.due_soon.text() == "No orders due to ship within 4 h", timeout=10_000)
    assert QUIET in window.due_soon.styleSheet()

    # An open order hides it (and stops the timer); the figure stays known for the next idle screen.
    scanner.scan("PDD-1018")
    assert window.view.order is not None and not window.due_soon.isVisible() and not window.due_soon_timer.isActive()
    scanner.scan("CMD:LOGOUT")


def test_the_view_refresh_reads_the_count_and_a_scan_does_not(demo_services):
    soon = due_in(demo_services, demo_services.clock.now, 1)
    flow = BenchWorkflow(demo_services, "BENCH-V")
    said: list[str] = []

    def heard(_conn, _cursor, statement, *_args) -> None:
        said.append(statement)

    event.listen(demo_services.engine, "before_cursor_execute", heard)
    try:
        out = flow.handle("P-1001")  # lands on the idle screen: still no count in the scan's transaction
        scan_said = list(said)
        view = flow.view()
    finally:
        event.remove(demo_services.engine, "before_cursor_execute", heard)
    assert out.view.due_soon is None and not [q for q in scan_said if "ship_by <" in q]
    assert [q for q in said[len(scan_said):] if "ship_by <" in q]  # the refresh counts them
    assert (view.due_soon, view.due_soon_hours) == (1, 4)
    flow.handle(soon[0])  # the order is open: no idle screen, nothing counted
    assert flow.view().due_soon is None


def test_the_idle_screen_counts_the_orders_due_soon_through_the_server(qtbot, tmp_path, capsys):
    db_url = f"sqlite:///{tmp_path / 'server.db'}"
    svc = bootstrap(db_url, Settings(station="SEED"))
    try:
        seed_demo(svc)
        due_in(svc, datetime.now(UTC), 2)  # the server's clock is the real one: hours of margin either side
    finally:
        svc.close()
    server = start_server(db_url, tmp_path / "server-home", "--no-sender")
    try:
        link = enrol(server.url, "BENCH-R", code_for(db_url, "BENCH-R", capsys))
        bench = RemoteBench(link, Paper(), timeout=10)
        win = StationWindow(LocalServices(Settings(station="BENCH-R")), "BENCH-R", workflow=bench)
        qtbot.addWidget(win)
        scanner = Scanner(qtbot, win)
        out = scanner.scan("P-1001")
        assert out.view.step == Step.ORDER and out.view.due_soon is None
        qtbot.waitUntil(lambda: win.due_soon.text() == "2 orders due to ship within 4 h", timeout=10_000)
        assert AMBER in win.due_soon.styleSheet()
        # The same figure the embedded bench reads on the same database.
        local = bootstrap(db_url, Settings(station="CHECK"))
        try:
            flow = BenchWorkflow(local, "CHECK")
            flow.handle("P-1002")
            assert flow.view().due_soon == win.view.due_soon == 2
        finally:
            local.close()
        scanner.scan("CMD:LOGOUT")
        win.close()
    finally:
        server.stop()
