"""The supervisor view refreshes itself when the shift changes (no polling every few seconds), in
the embedded bench and through a real PackGate server; through the server, the supervisor's
window on a third PC shows both benches' packed orders (the README's "Done when")."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.client.desk import RemoteDesk
from app.client.local import LocalServices
from app.client.remote import enrol
from app.config import Settings
from app.packing.workflow import BenchWorkflow
from tests.integration.test_server import bench_through, code_for, start_server
from tests.integration.test_server_desk import pack

SUPERVISOR, PIN = "S-9001", "123456"
# The window's Evidence tab loads QtMultimedia: on a headless machine it misses VA-API, PipeWire and a GPU.
NO_GPU = pytest.mark.qt_log_ignore(r"^Couldn't (load|resolve) ", r"No RHI backend",
                                   r"^This plugin does not support propagateSizeHints")


def login(qtbot, window, badge=SUPERVISOR, pin=PIN):
    qtbot.keyClicks(window.login.badge, badge)
    qtbot.keyClicks(window.login.pin, pin)
    qtbot.mouseClick(window.login.button, Qt.MouseButton.LeftButton)


def packing(figures) -> int:
    return figures["tiles"]["packing"]


@NO_GPU
def test_embedded_view_refreshes_by_itself_on_a_scan_at_a_bench(qtbot, logged_in, demo_services):
    d = logged_in.dashboard
    assert d.timer.interval() >= 60_000  # the slow fallback only: no refresh every few seconds
    d.timer.stop()  # and not even that: only the change the scan makes can refresh the view now
    before = packing(d.figures)
    bench = BenchWorkflow(demo_services, "BENCH-2")
    assert bench.handle("P-1001").accepted
    with qtbot.waitSignal(d.refreshed, timeout=30_000, check_params_cb=lambda f: packing(f) == before + 1):
        assert bench.handle("PDD-1002").accepted  # the bench opens an order: one more packing
    assert d.tiles["packing"].value.text() == str(before + 1)


@NO_GPU
def test_the_supervisor_view_through_the_server_shows_both_benches_and_refreshes_by_itself(qtbot, tmp_path, capsys):
    from sqlalchemy import select, text

    from app.bootstrap import bootstrap
    from app.demo import seed_demo
    from app.models.schema import Order
    from app.ui.supervisor import open_supervisor

    db_url = f"sqlite:///{tmp_path / 'site.db'}"
    seeding = bootstrap(db_url, Settings(station="SEED"))
    seed_demo(seeding)
    seeding.close()
    server = start_server(db_url, tmp_path / "server-home")
    window = None
    try:
        one, two = bench_through(server, "BENCH-1", capsys), bench_through(server, "BENCH-2", capsys)
        assert one.handle("P-1001").accepted and two.handle("P-1002").accepted
        pack(one, "PDD-1001")
        pack(two, "PDD-1009")
        link = enrol(server.url, "OFFICE-PC", code_for(db_url, "OFFICE-PC", capsys))
        here = LocalServices(Settings())  # the supervisor's PC: no database
        window = open_supervisor(here, "OFFICE-PC", desk=RemoteDesk(link, cache_dir=tmp_path / "cache"))
        qtbot.addWidget(window)
        # The window opens on the days the two orders were packed, not on "today": the server packed
        # them on its wall clock, and midnight may have passed since.
        site = bootstrap(db_url, Settings(station="CHECK"))
        try:
            with site.read_uow() as uow:
                packed = uow.session.scalars(select(Order.packed_at).where(Order.order_no.in_(("PDD-1001", "PDD-1009"))))
                days = [at.astimezone().date() for at in packed]
        finally:
            site.close()
        window.dashboard.set_period("range", min(days), max(days))
        with qtbot.waitSignal(window.dashboard.refreshed, timeout=10_000) as first:
            login(qtbot, window)
        figures = first.args[0]
        assert window.supervisor.name.startswith("陈主管")
        assert figures["by_station"]["BENCH-1"]["orders"] == 1 and figures["by_station"]["BENCH-2"]["orders"] == 1
        benches = window.dashboard.stations
        rows = {benches.item(r, 0).text(): benches.item(r, 1).text() for r in range(benches.rowCount())}
        assert rows["BENCH-1"] == "1" and rows["BENCH-2"] == "1"

        d = window.dashboard
        d.timer.stop()  # only the change the scan makes (the server's long poll) can refresh the view now
        before = packing(figures)
        with qtbot.waitSignal(d.refreshed, timeout=30_000, check_params_cb=lambda f: packing(f) == before + 1):
            assert two.handle("PDD-1002").accepted

        # The timeline and an action through the server, from the window.
        with qtbot.waitSignal(d.timeline_loaded, timeout=10_000):
            d.load_timeline("PDD-1009")
        assert "BENCH-2" in d.timeline.title.text()
        d.action_panel.ask("release_hold", SUPERVISOR, "PDD-1002")
        qtbot.keyClicks(d.action_panel.reason, "bench 2 went home")
        qtbot.keyClicks(d.action_panel.pin, PIN)
        # Done, then the figures and the timeline again (queried after the action, so they show it).
        with qtbot.waitSignals([d.action_panel.done, d.refreshed, d.timeline_loaded], timeout=10_000,
                               check_params_cbs=[None, lambda f: packing(f) == before, None]):
            qtbot.keyClick(d.action_panel.pin, Qt.Key.Key_Return)
        assert "taken back" in d.action_panel.result.text()
        assert d.tiles["packing"].value.text() == str(before)

        # Evidence: a clip on the server plays from the supervisor PC's cache, fetched off the UI thread.
        from tests.integration.evidence.recorder_helpers import make_clip

        site = bootstrap(db_url, Settings(station="CHECK"))
        try:
            clip = make_clip(tmp_path / "server-home" / "data" / "evidence", site.sessions, "PDD-1009", ("SF1400000000008",), 1.0,
                             station="BENCH-2")
            tab = d.evidence
            d.tabs.setCurrentWidget(tab)
            with qtbot.waitSignals([tab.searched, tab.playing], timeout=10_000):
                qtbot.keyClicks(tab.search, "SF1400000000008")
                qtbot.keyClick(tab.search, Qt.Key.Key_Return)
            played = tab.player.source().toLocalFile()
            assert played.startswith(str(tmp_path / "cache")) and open(played, "rb").read() == clip.read_bytes()
            assert [c["station"] for c in tab.clips] == ["BENCH-2"]
            tab.player.stop()

            # The server ends the desk session (the supervisor was disabled): back to the login form.
            with site.uow() as uow:
                uow.session.execute(text("UPDATE users SET active = false WHERE badge = 'S-9001'"))
        finally:
            site.close()
        with qtbot.waitSignal(d.session_ended, timeout=10_000) as ended:
            d.refresh(force=True)
        assert "log in to the supervisor view again" in ended.args[0]
        assert window.stack.currentWidget() is window.login and window.supervisor is None
        one.close()
        two.close()
    finally:
        if window is not None:
            window.close()
        server.stop()


@NO_GPU
def test_a_bench_behind_the_server_unlocks_its_settings_and_opens_the_supervisor_view(qtbot, tmp_path, capsys,
                                                                                      monkeypatch):
    from PySide6.QtWidgets import QDialogButtonBox
    from sqlalchemy import text

    from app.bootstrap import bootstrap
    from app.demo import seed_demo
    from app.ui.station_window import StationWindow
    from app.ui.supervisor.window import SupervisorWindow
    from tests.integration.test_server import Paper

    db_url = f"sqlite:///{tmp_path / 'site.db'}"
    seeding = bootstrap(db_url, Settings(station="SEED"))
    seed_demo(seeding)
    seeding.close()
    server = start_server(db_url, tmp_path / "server-home")
    try:
        bench = bench_through(server, "BENCH-S", capsys)
        services = LocalServices(Settings(station="BENCH-S"))
        window = StationWindow(services, "BENCH-S", workflow=bench, desks=lambda: RemoteDesk(bench.link))
        qtbot.addWidget(window)
        dialog = window.open_settings()
        qtbot.keyClicks(dialog.badge, "S-9001")
        qtbot.keyClicks(dialog.pin, "000000")
        with qtbot.waitSignal(dialog.unlock_finished) as wrong:
            qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
        assert wrong.args == [False] and "Wrong PIN" in dialog.auth_error.text()
        qtbot.keyClicks(dialog.pin, PIN)
        with qtbot.waitSignal(dialog.unlock_finished, timeout=10_000) as right:
            qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
        assert right.args == [True] and dialog.pages.currentIndex() == 1
        monkeypatch.setattr(dialog, "settings_path", tmp_path / "bench-settings.json")
        dialog.tolerance_pct.setValue(15)
        with qtbot.waitSignal(dialog.saved, timeout=10_000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert services.settings.weight_tolerance_pct == 10  # the site's, at the server: not this bench's file
        check = bootstrap(db_url, Settings(station="CHECK"))
        try:
            with check.read_uow() as uow:  # audited at the server, naming the bench and the supervisor
                [(message, station)] = uow.session.execute(text(
                    "SELECT e.message, s.name FROM scan_events e JOIN stations s ON s.id = e.station_id "
                    "WHERE e.kind = 'settings'")).all()
        finally:
            check.close()
        assert station == "BENCH-S" and "陈主管" in message
        assert "changed the site setting weight_tolerance_pct: 10.0 -> 15.0" in message

        supervisor = window.open_supervisor()
        assert isinstance(supervisor, SupervisorWindow) and isinstance(supervisor.desk, RemoteDesk)
        with qtbot.waitSignal(supervisor.dashboard.refreshed, timeout=10_000):
            login(qtbot, supervisor)
        supervisor.close()
        window.close()
        bench.close()
        assert isinstance(bench.printer, Paper)
    finally:
        server.stop()
