"""The real program in a real X window with an e-waybill carrier: the stand-in gateway and the
stand-in print component run in this test. The program is killed (-9) after the platform's answer,
while the component holds the print; after the restart the same number prints, is decoded from the
component's PDF and packs the order; the platform holds one number for it, not two."""

from __future__ import annotations

import pytest

from app.bootstrap import bootstrap
from app.config import Settings
from app.platform.standin import StandIn
from app.printing.component_standin import StandInComponent
from tests.barcodes import decode_pdf
from tests.e2e.harness import Bench, poll
from tests.integration.test_ewaybill_bench import ORDER, make_bench

pytestmark = pytest.mark.e2e


class ComponentBench(Bench):
    """The program with its printer set to the stand-in print component."""

    printer = ""

    def command(self) -> list[str]:
        command = super().command()
        command[command.index("--printer") + 1] = self.printer
        return command


def test_packed_with_no_waybill_typed_and_a_kill_between_answer_and_print(xserver, tmp_path):
    with StandIn() as gateway, StandInComponent(tmp_path / "labels", hold=True) as component:
        gateway.add_shop("north", "token-north")
        bench = ComponentBench(xserver, tmp_path / "bench")
        bench.printer = f"pddprint:StandIn-76x130@{component.url}"
        (tmp_path / "bench").mkdir()
        seeding = bootstrap(f"sqlite:///{bench.db_path}", Settings(station="SEED"))
        make_bench(seeding, gateway, component, tmp_path)
        seeding.close()
        try:
            bench.start()
            bench.scan("P-1001")
            bench.scan(ORDER)
            bench.scan_units((code, qty) for code, qty, _ in bench.db.units(ORDER))
            bench.scan("BOX-S")
            bench.scan(str(bench.db.expected_weight_g(ORDER, "BOX-S")))
            number = poll("the number stored", lambda: bench.db.value(
                "SELECT waybill_code FROM ewaybills WHERE state = 'taken'"))
            poll("the print job at the component", lambda: component.documents or None)
            bench.kill9()  # the platform answered, the number is stored, the label never came out
            component.hold = False
            bench.start()
            bench.scan("P-1001")
            bench.scan("CMD:REPRINT")
            label = poll("the label's PDF", lambda: next((d for d in component.documents if "pdf" in d), None))
            assert decode_pdf(open(label["pdf"], "rb").read()) == {number}
            refused = bench.scan("70000000000000", accepted=False)
            assert refused.kind == "waybill"
            bench.scan(number)
            assert bench.db.order(ORDER)["state"] == "packed"
            assert gateway.ewaybills.branch("north", "ZTO").allocated == 1  # one number, printed twice
        finally:
            bench.stop()
