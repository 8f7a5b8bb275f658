"""Issue 20 as a newcomer meets it: two shops on the stand-in gateway, one pull, and an order of the
second shop packed in the real window with a courier's waybill; the bench's own sender confirms the
shipment on the stand-in with that shop's token (not the other shop's)."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from app.cli import main
from app.platform.standin import StandIn
from tests.e2e.harness import Bench, poll

pytestmark = pytest.mark.e2e

MUG, MUG_BARCODE = "MUG-CER-01", "6902345678905"  # a demo product
WAYBILL = "SF1400000000402"  # a valid SF number no demo order uses


class PullBench(Bench):
    """The real program on a database that already holds pulled orders (``--demo`` refuses those)."""

    def command(self) -> list[str]:
        return [self.python, str(self._main()), "--db", f"sqlite:///{self.db_path}", "gui",
                "--station", self.station, "--printer", f"pdf:{self.prints}"]

    @staticmethod
    def _main():
        from tests.e2e.harness import ROOT

        return ROOT / "main.py"


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def test_orders_pulled_for_two_shops_are_packed_in_the_window_and_confirmed_with_their_own_shops_token(
        xserver, tmp_path):
    from app.bootstrap import bootstrap
    from app.config import Settings
    from app.demo import seed_demo

    bench = PullBench(xserver, tmp_path, station="E2E-PULL")
    url = f"sqlite:///{bench.db_path}"
    svc = bootstrap(url, Settings(station="SEED"))
    seed_demo(svc)
    svc.close()
    with StandIn() as gw:
        gw.add_shop("north", "token-north")
        gw.add_shop("south", "token-south")
        for shop, n in (("north", 1), ("south", 2)):
            gw.add_order({"order_sn": f"261205-00000{n}", "receiver_name": "张*", "receiver_phone": "1387677****",
                          "address": "上海市 ****", "item_list": [{"outer_id": MUG, "goods_count": 1,
                                                                   "goods_name": "mug"}]}, shop, age_s=900)
        secret = tmp_path / "secret"
        secret.write_text(gw.secret)
        for shop in ("north", "south"):
            token = tmp_path / f"token-{shop}"
            token.write_text(f"token-{shop}")
            for path in (secret, token):
                path.chmod(0o600)
            assert cli("--db", url, "shops", "add", shop, "--platform", "pdd", "--client-id", gw.client_id,
                       "--client-secret-file", str(secret), "--access-token-file", str(token),
                       "--endpoint", gw.url, "--default-carrier", "SF")[0] == 0
        code, out = cli("--db", url, "platform", "pull", "--once")
        assert code == 0, out
        code, out = cli("--db", url, "order", "261205-000002", "--json")
        details = json.loads(out)
        assert (code, details["state"], details["shop"], details["carrier"]) == (0, "ready", "south", "SF"), details
        assert details["ship_by"]

        try:
            bench.start()
            bench.scan("P-1001")
            bench.scan("261205-000002")
            assert bench.db.order("261205-000002")["state"] == "packing"
            bench.scan(MUG_BARCODE)
            bench.scan("BOX-M")
            bench.scan(str(bench.db.expected_weight_g("261205-000002", "BOX-M")))
            bench.wait_file("label-261205-000002-*.pdf")
            bench.scan(WAYBILL)
            assert bench.db.order("261205-000002")["state"] == "packed"
            # The window's own sender tells the platform, with the order's shop's token.
            shipped = poll("the stand-in confirming 261205-000002",
                           lambda: gw.shipped_by.get("261205-000002"), timeout=30, on_timeout=bench.diagnostics)
            assert shipped == "south"
            assert gw.orders["261205-000002"].tracking_number == WAYBILL
            assert "261205-000001" not in gw.shipped_by  # the other shop's order was not touched
            assert bench.running()
        finally:
            bench.stop()
