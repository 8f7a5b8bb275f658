"""The real program in a real X window, driven like a packer with a keyboard-wedge scanner.

Each scan is typed with xdotool and then awaited as its committed audit event in the database, so a
test fails at the first scan the window lost, refused unexpectedly or did not commit.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import Bench

pytestmark = pytest.mark.e2e

BADGE = "P-1001"
SF_ORDER = "PDD-1001"
SF_WAYBILL = "SF1400000000000"
WRONG_WAYBILL = "SF1400000000099"
BOX = "BOX-M"


def accepted_items(bench: Bench, order_no: str) -> int:
    return bench.db.value(
        "SELECT COUNT(*) FROM scan_events e JOIN orders o ON o.id = e.order_id"
        " WHERE o.order_no = ? AND e.kind = 'item' AND e.accepted = 1", order_no)


def scanned_total(bench: Bench, order_no: str) -> int:
    return sum(scanned for _, _, scanned in bench.db.units(order_no))


def pack_to_waybill(bench: Bench, order_no: str) -> None:
    """Box and weight (the expected weight: items + box tare), then the label prints by itself."""
    bench.scan(BOX)
    weight = bench.db.expected_weight_g(order_no, BOX)
    assert bench.db.value("SELECT p.expected_weight_g FROM parcels p JOIN orders o ON o.id = p.order_id"
                          " WHERE o.order_no = ?", order_no) == weight
    bench.scan(str(weight))


def test_full_flow_from_badge_to_handover(bench: Bench) -> None:
    login = bench.scan(BADGE)
    assert login.kind == "badge"

    bench.scan(SF_ORDER)
    order = bench.db.order(SF_ORDER)
    assert (order["state"], order["station"]) == ("packing", "E2E-1")

    units = bench.db.units(SF_ORDER)
    assert sum(qty for _, qty, _ in units) >= 2, units
    bench.scan_units((code, qty) for code, qty, _ in units)
    assert all(scanned == qty for _, qty, scanned in bench.db.units(SF_ORDER))

    pack_to_waybill(bench, SF_ORDER)
    label = bench.wait_file(f"label-{SF_ORDER}-*.pdf")
    assert label.read_bytes().startswith(b"%PDF")

    refused = bench.scan(WRONG_WAYBILL, accepted=False)
    assert refused.kind == "waybill"
    assert bench.db.order(SF_ORDER)["state"] == "packing"

    done = bench.scan(SF_WAYBILL)
    assert done.kind == "waybill"
    order = bench.db.order(SF_ORDER)
    assert (order["state"], order["waybill"]) == ("packed", SF_WAYBILL)

    bench.scan("CMD:HANDOVER")
    bench.scan(SF_WAYBILL)
    bench.scan("CMD:CLOSE")
    assert bench.db.order(SF_ORDER)["state"] == "handed_over"
    manifest = bench.wait_file("manifest-*.pdf")
    assert manifest.read_bytes().startswith(b"%PDF")

    logout = bench.scan("CMD:LOGOUT")
    assert logout.kind == "command"
    assert accepted_items(bench, SF_ORDER) == sum(qty for _, qty, _ in units)
    assert bench.running(), "the window closed or crashed during the flow"


def test_kill_9_mid_order_resumes_with_no_scan_lost_or_counted_twice(bench: Bench) -> None:
    # An order with at least 3 units and its own pre-assigned waybill, so it can be finished.
    order_no, waybill = bench.db.one(
        "SELECT o.order_no, o.preassigned_waybill FROM orders o JOIN order_lines l ON l.order_id = o.id"
        " WHERE o.state = 'ready' AND o.preassigned_waybill IS NOT NULL"
        " GROUP BY o.id HAVING SUM(l.quantity) >= 3 ORDER BY o.order_no DESC LIMIT 1")
    units = [(code, qty) for code, qty, _ in bench.db.units(order_no)]
    total = sum(qty for _, qty in units)
    plan = [code for code, qty in units for _ in range(qty)]

    bench.scan(BADGE)
    bench.scan(order_no)
    for code in plan[:2]:
        bench.scan(code)
    assert scanned_total(bench, order_no) == 2  # both committed before the plug is pulled
    before = bench.db.units(order_no)

    bench.kill9()
    assert not bench.running()
    bench.start()  # same database, same station

    welcome = bench.scan(BADGE)
    assert order_no in welcome.message, welcome.message  # "order ... resumed"
    order = bench.db.order(order_no)
    assert (order["state"], order["station"]) == ("packing", "E2E-1")
    assert bench.db.units(order_no) == before
    assert scanned_total(bench, order_no) == 2  # not 0 (lost), not 4 (replayed)

    for code in plan[2:]:
        bench.scan(code)
    pack_to_waybill(bench, order_no)
    bench.wait_file(f"label-{order_no}-*.pdf")
    bench.scan(waybill)

    order = bench.db.order(order_no)
    assert (order["state"], order["waybill"]) == ("packed", waybill)
    assert all(scanned == qty for _, qty, scanned in bench.db.units(order_no))
    assert accepted_items(bench, order_no) == total


def test_an_order_in_two_parcels_with_two_waybills_in_the_real_window(bench: Bench) -> None:
    from app.demo import DEMO_PRODUCTS, DEMO_SPLIT_WAYBILLS

    order_no = "PDD-2001"
    first, second = DEMO_SPLIT_WAYBILLS[order_no]
    code = {sku: codes[0] for sku, _n, _g, codes in DEMO_PRODUCTS}

    def weigh(seq: int) -> None:
        weight = bench.db.value("SELECT p.expected_weight_g FROM parcels p JOIN orders o ON o.id = p.order_id"
                                " WHERE o.order_no = ? AND p.seq = ?", order_no, seq)
        bench.scan(str(weight))

    bench.scan(BADGE)
    bench.scan(order_no)
    bench.scan(code["BOTTLE-500"])
    bench.scan(code["BOTTLE-500"])
    bench.scan("CMD:NEWPARCEL")
    bench.scan(BOX)
    weigh(1)
    bench.wait_file(f"label-{order_no}-*.pdf")
    bench.scan(first)
    assert bench.db.order(order_no)["state"] == "packing"  # parcel 2 still to pack
    bench.scan(code["SNACK-NUT"])
    bench.scan(code["TEA-LJ-250"])
    bench.scan("BOX-S")
    weigh(2)
    bench.scan(second)
    order = bench.db.order(order_no)
    assert (order["state"], order["waybill"]) == ("packed", first)
    assert bench.db.value("SELECT COUNT(*) FROM parcels p JOIN orders o ON o.id = p.order_id"
                          " WHERE o.order_no = ? AND p.waybill IS NOT NULL", order_no) == 2

    bench.scan("CMD:HANDOVER")
    bench.scan(first)
    bench.scan(second)
    bench.scan("CMD:CLOSE")
    assert bench.db.order(order_no)["state"] == "handed_over"
    assert bench.running()
