"""Behind the server: the server takes the parcel's e-waybill from the platform, the bench prints it
through its own print component and links it (SQLite; one server process)."""

from __future__ import annotations

from app.bootstrap import bootstrap
from app.client.remote import RemoteBench, enrol
from app.config import Settings
from app.packing.outcome import Level, Step
from app.printing.component import ComponentPrinter, parse_component_spec
from tests.integration.test_ewaybill_bench import ORDER, component, gateway, make_bench  # noqa: F401 - fixtures
from tests.integration.test_server import Paper, code_for, start_server


def test_the_server_takes_the_number_and_the_bench_prints_it(gateway, component, tmp_path, capsys):  # noqa: F811
    db_url = f"sqlite:///{tmp_path / 'server.db'}"
    seeding = bootstrap(db_url, Settings(station="SEED"))
    make_bench(seeding, gateway, component, tmp_path)
    seeding.close()
    server = start_server(db_url, tmp_path / "server-home")
    try:
        spec = f"pddprint:StandIn-76x130@{component.url}"
        printer = ComponentPrinter(spec, parse_component_spec(spec), fallback=Paper(), timeout=5)
        remote = RemoteBench(enrol(server.url, "BENCH-R", code_for(db_url, "BENCH-R", capsys)), printer, timeout=10)
        remote.handle("P-1001")
        out = remote.handle(ORDER)
        for line in out.view.order.lines:
            for _ in range(line.quantity):
                assert remote.handle(line.barcode).accepted
        grams = remote.handle("BOX-S").view.order.expected_weight_g
        before = len(component.documents)
        out = remote.handle(f"{grams}g")
        assert out.message.render() == "Label printed: stick it on and scan it" and out.step == Step.WAYBILL
        number = component.documents[before]["waybill_code"]
        assert gateway.ewaybills.state_of(number) == "issued"
        assert remote.handle(number).level == Level.COMPLETE
        remote.close()
    finally:
        server.stop()
