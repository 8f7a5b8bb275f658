"""E-waybill latency (not a test): `.venv/bin/python bench/bench_ewaybill.py [--pg] [--parcels N]`.

From the weight scan's commit to the print job sent to the print component, with the stand-in
gateway and the stand-in component on loopback answering at once: p50 and p99 over N parcels (the
number taken from ``pdd.waybill.get``, stored, and the ``print`` message written to the WebSocket).
Beside it, in the same run on the same database, the weight scan's own time (load, decide, apply,
audit, commit) for an e-waybill carrier (ZTO, source pdd) and for a scanned-waybill carrier (YTO,
source scan): the e-waybill must not slow the scan itself. Also commit -> the component's
"printed" notification. Each parcel is then linked with its printed number (or a YTO number).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PACKGATE_HOME", str(ROOT / "bench" / "out" / "home"))

from sqlalchemy import insert  # noqa: E402

from app.bootstrap import bootstrap  # noqa: E402
from app.config import Settings  # noqa: E402
from app.demo import seed_demo  # noqa: E402
from app.models.schema import Order, OrderLine, Product, ProductBarcode  # noqa: E402
from app.packing.workflow import BenchWorkflow  # noqa: E402
from app.platform import ewaybill_sources  # noqa: E402
from app.platform import shops as shop_store  # noqa: E402
from app.platform.ewaybill import PddWaybills  # noqa: E402
from app.platform.ewaybill_bench import PlatformEwaybills  # noqa: E402
from app.platform.pdd import PddClient  # noqa: E402
from app.platform.standin import StandIn  # noqa: E402
from app.printing.base import PrintJob  # noqa: E402
from app.printing.component import ComponentPrinter, PrintComponent, parse_component_spec  # noqa: E402
from app.printing.component_standin import StandInComponent  # noqa: E402
from bench.common import fresh_url  # noqa: E402

OUT = ROOT / "bench" / "out"


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class NullPrinter:
    """PackGate's own labels (the YTO parcels) go nowhere: only the scan is measured for them."""

    spec = "null:"

    def print_label(self, label):
        return PrintJob("null")

    def print_manifest(self, manifest):
        return PrintJob("null")

    def print_document(self, name, pdf):
        return PrintJob("null")


def setup(services, gateway, parcels: int, secret_dir: Path) -> None:
    seed_demo(services)
    options = gateway.shop_options(secret_dir)
    account, address, template = ewaybill_sources.from_platform(PddWaybills(PddClient.from_options(options)), "ZTO")
    gateway.ewaybills.set_quantity("default", "ZTO", parcels + 10)
    now = services.clock()
    with services.uow() as uow:
        s = uow.session
        shop = shop_store.save(s, "bench", options, now, default_carrier="ZTO")
        ewaybill_sources.use(s, shop.id, "ZTO", "pdd", now, account=account, address=address,
                             template_url=template)
        product_id = s.execute(insert(Product).values(sku="EWB-ITEM", name="Bench item", unit_weight_g=200)
                               .returning(Product.id)).scalar_one()
        s.execute(insert(ProductBarcode).values(barcode="6900000000777", product_id=product_id))
        for carrier in ("ZTO", "YTO"):
            for i in range(parcels):
                order_id = s.execute(insert(Order).values(
                    order_no=f"EWB-{carrier}-{i:05d}", platform="pdd", carrier_code=carrier, state="ready",
                    shop_id=shop.id, created_at=now, imported_at=now, recipient_name="", recipient_phone="",
                    recipient_address="", note="", hold_reason="").returning(Order.id)).scalar_one()
                s.execute(insert(OrderLine).values(order_id=order_id, product_id=product_id, quantity=1, scanned=0))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--parcels", type=int, default=500)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = fresh_url(args.pg, "packgate_bench_ewaybill", OUT)
    services = bootstrap(url, Settings(station="BENCH-EWB", sounds=False))
    with StandIn() as gateway, StandInComponent(OUT / "ewaybill-labels") as component, \
            tempfile.TemporaryDirectory() as secrets:
        setup(services, gateway, args.parcels, Path(secrets))
        spec = f"pddprint:StandIn-76x130@{component.url}"
        services.settings.printer = spec
        printer = ComponentPrinter(spec, parse_component_spec(spec), fallback=NullPrinter())
        services.set_printer(printer)
        flow = BenchWorkflow(services, "BENCH-EWB", ewaybills=PlatformEwaybills(
            services.uow, services.read_uow, services.settings, services.clock))
        # instruments: the commit (the bench printer starts after it), the print message written out
        marks: dict[str, float] = {}
        carry_out = flow.printing.carry_out

        def timed_carry_out(outcome, reports):
            marks["commit"] = time.perf_counter()
            return carry_out(outcome, reports)

        flow.printing.carry_out = timed_carry_out
        exchange = PrintComponent._exchange

        def timed_exchange(self, message, until):
            if message.get("cmd") == "print":
                marks["sent"] = time.perf_counter()
            return exchange(self, message, until)

        PrintComponent._exchange = timed_exchange
        flow.handle("P-1001")
        scan_ms: dict[str, list[float]] = {"ZTO": [], "YTO": []}
        sent_ms: list[float] = []
        printed_ms: list[float] = []
        for i in range(args.parcels):
            for carrier in ("YTO", "ZTO"):
                order_no = f"EWB-{carrier}-{i:05d}"
                flow.handle(order_no)
                flow.handle("6900000000777")
                expected = flow.handle("BOX-S").view.order.expected_weight_g
                marks.clear()
                start = time.perf_counter()
                out = flow.handle(f"{expected}g")
                done = time.perf_counter()
                scan_ms[carrier].append((marks["commit"] - start) * 1000)
                if carrier == "ZTO":
                    assert out.message.render() == "Label printed: stick it on and scan it", out.message.render()
                    sent_ms.append((marks["sent"] - marks["commit"]) * 1000)
                    printed_ms.append((done - marks["commit"]) * 1000)
                    number = component.documents[-1]["waybill_code"]
                else:
                    number = f"YT{7310000000000 + i:013d}"
                linked = flow.handle(number)
                assert linked.accepted, linked.message.render()
        PrintComponent._exchange = exchange
    db = "PostgreSQL" if args.pg else "SQLite"
    print(f"e-waybills, {args.parcels} parcels per carrier, {db}, stand-in gateway and component on loopback")
    for name, samples in (("weight scan, scan carrier YTO (floor)", scan_ms["YTO"]),
                          ("weight scan, e-waybill carrier ZTO", scan_ms["ZTO"]),
                          ("commit -> print job sent", sent_ms), ("commit -> component says printed", printed_ms)):
        print(f"  {name:<40} p50 {pct(samples, 0.5):7.2f} ms   p99 {pct(samples, 0.99):7.2f} ms")
    ratio = pct(scan_ms["ZTO"], 0.5) / pct(scan_ms["YTO"], 0.5)
    print(f"  weight scan e-waybill / scan carrier: p50 ratio {ratio:.2f}")
    services.close()


if __name__ == "__main__":
    main()
