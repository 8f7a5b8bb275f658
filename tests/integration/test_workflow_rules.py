"""Every rule of the bench workflow (issue 2, section 5), on SQLite and PostgreSQL.

Each test drives BenchWorkflow with scans, as a bench would, and checks both the outcome the
operator sees and what the database holds afterwards.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.carriers.checksums import mod7
from app.models.schema import Manifest, ManifestItem, Order, Parcel, User, WaybillPoolEntry
from app.packing.outcome import Level, Step
from app.packing.scan import audit_raw
from app.packing.workflow import BenchWorkflow
from tests.unit.packing.factories import (
    add_order,
    event_count,
    events,
    expected_weight,
    order_row,
    scanned,
    scans_for,
    seed_bench,
)

LINES = (("ITEM-A", 2), ("ITEM-B", 1))


def login(services, station: str = "BENCH-1", badge: str = "B-1") -> BenchWorkflow:
    flow = BenchWorkflow(services, station)
    out = flow.handle(badge)
    assert out.accepted and out.step in (Step.ORDER, Step.VERIFY, Step.HANDOVER), out.message.render()
    return flow


def ok(flow: BenchWorkflow, scan: str, step: Step | None = None):
    out = flow.handle(scan)
    assert out.accepted, f"{scan!r} refused: {out.message.render()}"
    if step is not None:
        assert out.step == step, (scan, out.step, out.message.render())
    return out


def no(flow: BenchWorkflow, scan: str, *fragments: str):
    out = flow.handle(scan)
    text = out.message.render()
    assert not out.accepted and out.level == Level.REFUSED, f"{scan!r} accepted: {text}"
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return out


def to_weight(flow, order_no, lines=LINES, box="BOX-S"):
    ok(flow, order_no, Step.VERIFY)
    for code in scans_for(lines):
        ok(flow, code)
    assert flow.last_view.step == Step.BOX
    return ok(flow, box, Step.WEIGHT)


def to_waybill(flow, order_no, lines=LINES, box="BOX-S"):
    to_weight(flow, order_no, lines, box)
    return ok(flow, str(expected_weight(lines, {"BOX-S": 100, "BOX-M": 200, "BOX-L": 400}[box])), Step.WAYBILL)


def packed(services, order_no: str, waybill: str, carrier: str = "ZTO", state: str = "packed") -> int:
    """An order packed earlier (directly in the database, to keep handover tests short)."""
    order_id = add_order(services, order_no, carrier=carrier)
    with services.uow() as uow:
        uow.session.add(Parcel(order_id=order_id, seq=1, waybill=waybill))  # its one parcel
        uow.session.flush()
        uow.session.execute(update(Order).where(Order.id == order_id).values(state=state, waybill=waybill))
    return order_id


@pytest.fixture
def bench(services):
    seed_bench(services)
    return services


# ---------------------------------------------------------------- login


def test_login_with_badge(bench):
    flow = BenchWorkflow(bench, "BENCH-1")
    no(flow, "B-404", "Unknown badge B-404")
    no(flow, "CMD:HANDOVER", "Scan your badge first")
    assert flow.last_view.step == Step.LOGIN and not flow.logged_in
    out = ok(flow, "B-1", Step.ORDER)
    assert out.view.user_name == "Ann"
    no(flow, "B-2", "Ann is logged in")  # another badge does not silently switch the packer
    out = ok(flow, "CMD:LOGOUT", Step.LOGIN)
    assert not flow.logged_in and out.view.user_name is None


def test_badge_with_pin_and_lockout(services, clock):
    seed_bench(services, pin_user="2468")
    flow = BenchWorkflow(services, "BENCH-1")
    other = BenchWorkflow(services, "BENCH-2")
    ok(flow, "B-PIN", Step.PIN)
    ok(other, "B-PIN", Step.PIN)  # waits for the PIN on another bench meanwhile
    for left in (4, 3, 2, 1):
        out = no(flow, "1111", f"{left} tries left")
        assert out.step == Step.PIN
    out = no(flow, "1111", "locked for 5 minutes")
    assert out.step == Step.LOGIN
    no(flow, "B-PIN", "Pia is locked")
    # Locked means locked: even the right PIN, typed on the other bench, is refused.
    out = no(other, "2468", "Pia is locked")
    assert out.step == Step.LOGIN and not other.logged_in
    clock.advance(minutes=4)
    no(flow, "B-PIN", "locked")
    clock.advance(minutes=1, seconds=1)
    ok(flow, "B-PIN", Step.PIN)
    out = ok(flow, "2468", Step.ORDER)
    assert out.view.user_name == "Pia"
    # The PIN never reaches the audit trail.
    pin_events = events(services, kind="pin")
    assert len(pin_events) == 7
    assert all(e.raw == "****" for e in pin_events)
    assert not [e for e in events(services) if "2468" in e.raw or "1111" in e.raw]


def test_a_right_pin_resets_the_wrong_count(services):
    seed_bench(services, pin_user="2468")
    flow = BenchWorkflow(services, "BENCH-1")
    ok(flow, "B-PIN", Step.PIN)
    no(flow, "0000", "4 tries left")
    ok(flow, "2468", Step.ORDER)
    ok(flow, "CMD:LOGOUT", Step.LOGIN)
    ok(flow, "B-PIN", Step.PIN)
    no(flow, "0000", "4 tries left")


# ---------------------------------------------------------------- opening orders


def test_one_station_at_a_time_holds_an_order(bench):
    add_order(bench, "O-1")
    one, two = login(bench, "BENCH-1"), login(bench, "BENCH-2", "B-2")
    ok(one, "O-1", Step.VERIFY)
    out = no(two, "O-1", "held by BENCH-1")
    assert out.step == Step.ORDER and out.view.order is None
    row = order_row(bench, "O-1")
    assert row.state == "packing" and row.packer_id is not None
    assert [e.accepted for e in events(bench, order_id=row.id, kind="order")] == [True, False]


def test_same_station_resumes_its_order_after_a_crash(bench):
    add_order(bench, "O-1")
    flow = login(bench)
    ok(flow, "O-1", Step.VERIFY)
    ok(flow, "111")
    ok(flow, "222")
    del flow  # the bench crashed: nothing in memory survives
    flow = BenchWorkflow(bench, "BENCH-1")
    out = ok(flow, "B-1", Step.VERIFY)
    assert "O-1 resumed" in out.message.render()
    assert [(line.sku, line.scanned) for line in out.view.order.lines] == [("ITEM-A", 1), ("ITEM-B", 1)]
    # Scanning the open order again is harmless.
    out = ok(flow, "O-1", Step.VERIFY)
    assert out.level == Level.INFO
    assert scanned(bench, "O-1") == {"ITEM-A": 1, "ITEM-B": 1}
    ok(flow, "111", Step.BOX)
    # After logout the same station scans its unfinished order and carries on from where it was.
    ok(flow, "CMD:LOGOUT", Step.LOGIN)
    flow = BenchWorkflow(bench, "BENCH-1")
    ok(flow, "B-2", Step.BOX)
    assert order_row(bench, "O-1").state == "packing"


def test_own_unfinished_order_is_resumed_by_scanning_it(bench):
    order_id = add_order(bench, "O-1")
    flow = login(bench)
    ok(flow, "O-1", Step.VERIFY)
    ok(flow, "111")
    flow.state = type(flow.state)(user_id=flow.state.user_id, user_name="Ann")  # order forgotten in memory
    out = ok(flow, "O-1", Step.VERIFY)
    assert "resumed" in out.message.render()
    assert scanned(bench, "O-1") == {"ITEM-A": 1, "ITEM-B": 0}
    assert order_row(bench, "O-1").id == order_id


@pytest.mark.parametrize(
    ("state", "waybill", "reason"),
    [
        ("cancelled", None, "Order O-1 is cancelled: do not ship it"),
        ("on_hold", None, "Order O-1 is on hold: a supervisor must release it"),
        ("packed", "75310000000001", "Order O-1 is already packed (waybill 75310000000001)"),
        ("handed_over", "75310000000002", "Order O-1 was already handed over (waybill 75310000000002)"),
    ],
)
def test_only_ready_orders_open(bench, state, waybill, reason):
    order_id = add_order(bench, "O-1", state=state, waybill=waybill)
    flow = login(bench)
    out = no(flow, "O-1", reason)
    assert out.step == Step.ORDER
    assert order_row(bench, "O-1").state == state
    assert events(bench, order_id=order_id)[-1].accepted is False


def test_unknown_order_and_item_at_order_step(bench):
    flow = login(bench)
    no(flow, "O-404", "Unknown order O-404")
    no(flow, "111", "That is an item")


# ---------------------------------------------------------------- verify


@pytest.mark.parametrize(
    ("setup", "scan", "reason"),
    [
        ((), "999", "Wrong item: Item X (ITEM-X) is not in this order"),
        (("222",), "222", "Over-scan: Item B already 1/1"),
        ((), "NOT-A-CODE", "Unknown barcode NOT-A-CODE"),
        ((), "BOX-S", "before the box (3 missing)"),  # pack needs every line verified first
        ((), "'; DROP TABLE orders;--", "Unknown barcode"),
    ],
    ids=["wrong-item", "over-scan", "unknown-code", "box-during-verify", "sql-looking"],
)
def test_refused_item_scans_change_nothing_but_are_audited(bench, setup, scan, reason):
    order_id = add_order(bench, "O-1")
    flow = login(bench)
    ok(flow, "O-1")
    for code in setup:
        ok(flow, code)
    before, count = scanned(bench, "O-1"), event_count(bench)
    out = no(flow, scan, reason)
    assert out.step == Step.VERIFY
    assert scanned(bench, "O-1") == before
    assert event_count(bench) == count + 1
    last = events(bench)[-1]
    assert (last.raw, last.accepted, last.order_id) == (scan, False, order_id)
    assert reason in last.message
    assert order_row(bench, "O-1").state == "packing"


def test_pack_needs_every_line_and_a_catalogue_box(bench):
    add_order(bench, "O-1")
    flow = login(bench)
    ok(flow, "O-1")
    ok(flow, "111")
    ok(flow, "111")
    no(flow, "BOX-M", "before the box (1 missing)", "CMD:NEWPARCEL")
    assert flow.last_view.step == Step.VERIFY
    out = ok(flow, "222", Step.BOX)
    assert "All items verified" in out.message.render()
    no(flow, "BOX-XXL", "Unknown box code BOX-XXL")
    no(flow, "111", "Over-scan: every item is already verified")
    no(flow, "850", "Unknown box code")  # a weight before the box
    out = ok(flow, "box-m", Step.WEIGHT)  # scanner noise: lower case
    assert out.view.order.box_code == "BOX-M"
    assert out.view.order.expected_weight_g == expected_weight(LINES, 200)
    out = ok(flow, "BOX-L", Step.WEIGHT)  # a different box before weighing
    assert out.view.order.expected_weight_g == expected_weight(LINES, 400)


# ---------------------------------------------------------------- weight

HEAVY = (("ITEM-A", 3), ("ITEM-B", 1))  # 900 + 150 + BOX-M 200 = 1250 g: tolerance 10 % = 125 g
LIGHT = (("ITEM-B", 1),)  # 150 + BOX-S 100 = 250 g: 10 % is 25 g, so the 50 g minimum applies


@pytest.mark.parametrize("weight", ["1250", "1250g", "1.25kg", "1,25 kg", " 1250 G "])
def test_weight_formats(bench, weight):
    add_order(bench, "O-1", lines=HEAVY)
    flow = login(bench)
    to_weight(flow, "O-1", HEAVY, "BOX-M")
    out = ok(flow, weight, Step.WAYBILL)
    assert out.view.order.weight_g == 1250


@pytest.mark.parametrize(
    ("lines", "box", "expected", "tolerance", "shown"),
    [(HEAVY, "BOX-M", 1250, 125, "expected 1,250 g ±125 g"), (LIGHT, "BOX-S", 250, 50, "expected 250 g ±50 g")],
    ids=["ten-percent", "fifty-grams"],
)
def test_weight_tolerance_boundaries(bench, lines, box, expected, tolerance, shown):
    add_order(bench, "O-LOW", lines=lines)
    add_order(bench, "O-HIGH", lines=lines)
    flow = login(bench)
    for order_no, accepted in (("O-LOW", expected - tolerance), ("O-HIGH", expected + tolerance)):
        out = to_weight(flow, order_no, lines, box)
        assert out.view.order.expected_weight_g == expected and out.view.order.tolerance_g == tolerance
        for wrong in (expected - tolerance - 1, expected + tolerance + 1):
            no(flow, str(wrong), shown)
            assert flow.last_view.step == Step.WEIGHT
        with bench.read_uow() as uow:
            assert uow.session.scalar(select(Parcel.weight_g).join(Order).where(Order.order_no == order_no)) is None
        ok(flow, str(accepted), Step.WAYBILL)
        ok(flow, f"7531{accepted:010d}", Step.ORDER)


@pytest.mark.parametrize(("weight", "reason"), [("0", "not possible"), ("100001", "not possible"),
                                                ("heavy", "not a weight"), ("-5", "not a weight")])
def test_impossible_weights(bench, weight, reason):
    add_order(bench, "O-1", lines=LIGHT)
    flow = login(bench)
    to_weight(flow, "O-1", LIGHT)
    no(flow, weight, reason)
    assert flow.last_view.step == Step.WEIGHT


# ---------------------------------------------------------------- waybill


def test_preassigned_waybill_must_match(bench):
    add_order(bench, "O-SF", carrier="SF", preassigned="SF1400000000001")
    flow = login(bench)
    to_waybill(flow, "O-SF")
    assert bench.test_printer.labels[-1].waybill == "SF1400000000001"
    # A valid SF number, but not this order's: a label stuck on the wrong parcel.
    no(flow, "SF1400000000002", "does not match the pre-assigned waybill SF1400000000001")
    assert order_row(bench, "O-SF").state == "packing" and order_row(bench, "O-SF").waybill is None
    out = ok(flow, "sf1400000000001\r\n", Step.ORDER)  # scanner noise is normalised, never repaired
    assert out.level == Level.COMPLETE and out.view.completed_order == "O-SF"
    row = order_row(bench, "O-SF")
    assert (row.state, row.waybill) == ("packed", "SF1400000000001") and row.packed_at is not None


def test_waybill_follows_the_carrier_rule(bench):
    add_order(bench, "O-ZTO")
    add_order(bench, "O-DHL", carrier="DHL")
    packed(bench, "O-OLD", "75310000000777")
    flow = login(bench)
    to_waybill(flow, "O-ZTO")
    no(flow, "12345", "is not a ZTO waybill number (14 digits)")
    no(flow, "SF1400000000001", "not a ZTO waybill")  # never guess the carrier from the number
    no(flow, "75310000000777", "already on order O-OLD")
    assert order_row(bench, "O-ZTO").state == "packing"
    ok(flow, "75310000000778", Step.ORDER)

    to_waybill(flow, "O-DHL")
    serial = "123456789"
    right = next(d for d in "0123456789" if mod7(serial, d))
    wrong = str((int(right) + 1) % 10)
    no(flow, serial + wrong, "Check digit wrong for DHL")
    out = ok(flow, serial + right, Step.ORDER)
    assert out.level == Level.COMPLETE
    assert order_row(bench, "O-DHL").waybill == serial + right


def test_valid_waybill_links_and_packs_in_one_step(bench):
    order_id = add_order(bench, "O-1")
    flow = login(bench)
    to_waybill(flow, "O-1")
    row = order_row(bench, "O-1")
    assert (row.state, row.waybill) == ("packing", None)
    ok(flow, "75310000000001", Step.ORDER)
    row = order_row(bench, "O-1")
    assert (row.state, row.waybill) == ("packed", "75310000000001")
    with bench.read_uow() as uow:
        parcel = uow.session.scalar(select(Parcel).where(Parcel.order_id == order_id))
        assert parcel.packed_at is not None and parcel.weight_g == expected_weight(LINES)
    waybill_event = events(bench, kind="waybill")[-1]
    assert waybill_event.accepted and waybill_event.order_id == order_id
    assert waybill_event.at <= row.packed_at + timedelta(seconds=1)


# ---------------------------------------------------------------- commands


def test_cancel_releases_the_order_and_keeps_the_audit(bench):
    order_id = add_order(bench, "O-1")
    flow = login(bench)
    to_weight(flow, "O-1")
    audited = len(events(bench, order_id=order_id))
    out = ok(flow, "CMD:CANCEL", Step.ORDER)
    assert out.level == Level.WARNING and "released" in out.message.render()
    row = order_row(bench, "O-1")
    assert (row.state, row.station_id, row.packer_id) == ("ready", None, None)
    assert scanned(bench, "O-1") == {"ITEM-A": 0, "ITEM-B": 0}
    with bench.read_uow() as uow:
        assert uow.session.scalar(select(Parcel).where(Parcel.order_id == order_id)) is None
    assert len(events(bench, order_id=order_id)) == audited + 1
    # Another bench can now take it.
    ok(login(bench, "BENCH-2", "B-2"), "O-1", Step.VERIFY)


def test_short_puts_the_order_on_hold(bench):
    add_order(bench, "O-1")
    flow = login(bench)
    ok(flow, "O-1")
    ok(flow, "111")
    out = ok(flow, "cmd:short", Step.ORDER)
    assert out.level == Level.WARNING
    row = order_row(bench, "O-1")
    assert row.state == "on_hold" and "Ann" in row.hold_reason and "BENCH-1" in row.hold_reason
    no(flow, "O-1", "on hold")


def test_commands_that_do_not_fit_the_step_are_refused(bench):
    add_order(bench, "O-1")
    flow = login(bench)
    no(flow, "CMD:CANCEL", "No open order")
    no(flow, "CMD:SHORT", "No open order")
    no(flow, "CMD:CLOSE", "scan CMD:HANDOVER first")
    no(flow, "CMD:REPRINT", "Nothing to reprint")
    no(flow, "CMD:NONSENSE", "Unknown command CMD:NONSENSE")
    ok(flow, "O-1")
    no(flow, "CMD:HANDOVER", "Finish or cancel the open order")
    no(flow, "CMD:REPRINT", "Nothing to reprint")
    assert flow.last_view.step == Step.VERIFY
    out = ok(flow, "CMD:LOGOUT", Step.LOGIN)
    assert "stays on this bench" in out.message.render()
    assert order_row(bench, "O-1").state == "packing"


def test_reprint_is_an_event_of_its_own(bench):
    order_id = add_order(bench, "O-1")
    flow = login(bench)
    to_waybill(flow, "O-1")
    out = ok(flow, "CMD:REPRINT", Step.WAYBILL)
    assert "reprinted" in out.message.render()
    labels = bench.test_printer.labels
    assert [label.reprint for label in labels] == [False, True]
    kinds = [(e.kind, e.accepted) for e in events(bench, order_id=order_id) if e.kind in ("print", "reprint")]
    assert kinds == [("print", True), ("reprint", True)]
    with bench.read_uow() as uow:
        assert uow.session.scalar(select(Parcel.label_prints).where(Parcel.order_id == order_id)) == 2


# ---------------------------------------------------------------- printer


def test_dead_printer_loses_nothing_and_reprint_recovers(bench):
    order_id = add_order(bench, "O-1")
    flow = login(bench)
    to_weight(flow, "O-1")
    bench.test_printer.fail_with = "paper out"
    out = flow.handle(str(expected_weight(LINES)))
    assert out.level == Level.WARNING and "paper out" in out.message.render()
    assert out.step == Step.LABEL
    row = order_row(bench, "O-1")
    assert row.state == "packing" and row.waybill is None
    assert out.view.order.weight_g == expected_weight(LINES)
    no(flow, "75310000000001", "label has not printed")
    out = flow.handle("CMD:REPRINT")  # still dead
    assert out.level == Level.WARNING and out.step == Step.LABEL
    bench.test_printer.fail_with = None  # paper loaded
    out = ok(flow, "CMD:REPRINT", Step.WAYBILL)
    assert out.level == Level.ACCEPTED
    assert len(bench.test_printer.labels) == 1
    prints = [(e.kind, e.accepted) for e in events(bench, order_id=order_id) if e.kind in ("print", "reprint")]
    # Each print intent is written with its scan; a printer that failed is recorded once after it.
    assert prints == [("print", True), ("print", False), ("reprint", True), ("reprint", False), ("reprint", True)]
    ok(flow, "75310000000001", Step.ORDER)
    assert order_row(bench, "O-1").state == "packed"


# ---------------------------------------------------------------- audit


def test_every_scan_is_exactly_one_event_and_prints_are_extra(bench):
    add_order(bench, "O-1")
    add_order(bench, "O-2", lines=LIGHT)
    flow = login(bench)
    scans = ["B-1"]

    def send(scan):
        scans.append(scan)
        return flow.handle(scan)

    for scan in ["O-404", "O-1", "999", *scans_for(LINES), "222", "BOX-S", "5000", str(expected_weight(LINES)),
                 "CMD:REPRINT", "12", "75310000000001", "O-2", "CMD:CANCEL", "CMD:HANDOVER", "75310000000001",
                 "75310000000001", "CMD:CLOSE", "CMD:LOGOUT", "", "  ", "\x07bell"]:
        send(scan)
    audit = events(bench)
    scan_events = [e for e in audit if e.kind not in ("print", "reprint")]
    assert [e.raw for e in scan_events] == [audit_raw(s) for s in scans]
    extra = [(e.kind, e.accepted, e.order_id is not None, e.manifest_id is not None)
             for e in audit if e.kind in ("print", "reprint")]
    # label after weighing, label reprint, manifest after CMD:CLOSE
    assert extra == [("print", True, True, False), ("reprint", True, True, False), ("print", True, False, True)]
    assert len(audit) == len(scans) + 3


# ---------------------------------------------------------------- handover


def test_handover_rules(bench):
    z1 = packed(bench, "O-Z1", "75310000000011")
    packed(bench, "O-Z2", "75310000000012")
    packed(bench, "O-Z3", "75310000000013")
    packed(bench, "O-SF", "SF1400000000011", carrier="SF")
    packed(bench, "O-OLD", "75310000000014", state="handed_over")
    add_order(bench, "O-NEW", preassigned="75310000000015")
    flow, other = login(bench), login(bench, "BENCH-2", "B-2")
    ok(other, "CMD:HANDOVER", Step.HANDOVER)
    ok(other, "75310000000013")  # on BENCH-2's manifest

    out = ok(flow, "CMD:HANDOVER", Step.HANDOVER)
    assert out.view.manifest.carrier_code is None and out.view.manifest.count == 0
    no(flow, "CMD:CLOSE", "The manifest is empty")
    no(flow, "75319999999999", "not linked to any order")
    no(flow, "75310000000015", "not linked yet")
    out = ok(flow, "75310000000011")
    assert out.view.manifest.carrier_code == "ZTO" and out.view.manifest.count == 1
    no(flow, "SF1400000000011", "is SF: this manifest is for ZTO")
    out = flow.handle("75310000000011")
    assert out.accepted and out.level == Level.INFO and "already counted (parcels: 1)" in out.message.render()
    no(flow, "75310000000014", "handed_over, not packed")
    no(flow, "75310000000013", "already on manifest M")
    ok(flow, "75310000000012")
    out = ok(flow, "CMD:CLOSE", Step.ORDER)
    assert out.level == Level.COMPLETE and "Parcels handed over to ZTO: 2" in out.message.render()
    for order_no in ("O-Z1", "O-Z2"):
        row = order_row(bench, order_no)
        assert row.state == "handed_over" and row.handed_over_at is not None
    assert order_row(bench, "O-Z3").state == "packed"  # BENCH-2's manifest is still open
    assert order_row(bench, "O-SF").state == "packed"
    with bench.read_uow() as uow:
        manifest = uow.session.scalar(select(Manifest).join(ManifestItem).where(ManifestItem.order_id == z1))
        assert manifest.closed_at is not None and manifest.carrier_code == "ZTO"
    assert [p.waybill for p in bench.test_printer.manifests[-1].parcels] == ["75310000000011", "75310000000012"]


def test_handover_carrier_is_fixed_by_the_first_parcel(bench):
    packed(bench, "O-SF", "SF1400000000011", carrier="SF")
    packed(bench, "O-Z1", "75310000000011")
    flow = login(bench)
    ok(flow, "CMD:HANDOVER")
    ok(flow, "SF1400000000011")
    no(flow, "75310000000011", "is ZTO: this manifest is for SF")


# ---------------------------------------------------------------- waybill pool


def test_pool_number_is_given_at_the_weight_step_and_must_be_scanned(bench):
    order_id = add_order(bench, "O-1")
    with bench.uow() as uow:
        uow.session.add_all([
            WaybillPoolEntry(carrier_code="SF", number="SF1400000000900", imported_at=bench.clock()),
            WaybillPoolEntry(carrier_code="ZTO", number="75310000000900", imported_at=bench.clock()),
            WaybillPoolEntry(carrier_code="ZTO", number="75310000000901", imported_at=bench.clock()),
        ])
    flow = login(bench)
    to_weight(flow, "O-1")
    assert order_row(bench, "O-1").preassigned_waybill is None
    out = ok(flow, str(expected_weight(LINES)), Step.WAYBILL)
    assert out.view.order.preassigned_waybill == "75310000000900"
    assert bench.test_printer.labels[-1].waybill == "75310000000900"
    with bench.read_uow() as uow:
        taken = uow.session.execute(select(WaybillPoolEntry.number, WaybillPoolEntry.order_id)
                                    .where(WaybillPoolEntry.order_id.is_not(None))).all()
    assert [tuple(t) for t in taken] == [("75310000000900", order_id)]
    no(flow, "75310000000901", "does not match the pre-assigned waybill 75310000000900")
    ok(flow, "75310000000900", Step.ORDER)
    assert order_row(bench, "O-1").waybill == "75310000000900"


def test_many_wrong_pins_at_one_bench_close_pin_entry_there(services, clock):
    """Guessing across badges is limited per bench too, not only per user."""
    from app.packing.workflow import STATION_PIN_LIMIT, STATION_PIN_WINDOW_MIN
    from app.security import hash_pin

    seed_bench(services)
    with services.uow() as uow:
        for i in range(4):
            uow.session.add(User(name=f"P{i}", role="packer", badge=f"B-P{i}", pin_hash=hash_pin("2468"),
                                 created_at=clock()))
    flow, other = BenchWorkflow(services, "BENCH-1"), BenchWorkflow(services, "BENCH-2")
    wrong = 0
    for i in itertools.cycle(range(4)):  # 3 wrong PINs per badge: no user locks (5 would)
        if wrong == STATION_PIN_LIMIT:
            break
        ok(flow, f"B-P{i}", Step.PIN)
        no(flow, "1111", "tries left")
        wrong += 1
        if flow.last_view.step == Step.PIN:
            ok(flow, "CMD:CANCEL", Step.LOGIN)
    ok(flow, "B-P0", Step.PIN)
    no(flow, "2468", "PIN entry is closed")  # even the right PIN, at this bench
    ok(other, "B-P0", Step.PIN)
    ok(other, "2468", Step.ORDER)  # another bench is not affected
    clock.advance(minutes=STATION_PIN_WINDOW_MIN, seconds=1)
    ok(flow, "B-P1", Step.PIN)
    ok(flow, "2468", Step.ORDER)


def test_a_pin_typed_at_the_badge_prompt_is_neither_stored_nor_shown(services, clock):
    """After a lockout the bench is back at the badge prompt: a PIN typed there out of habit must not
    land in the append-only audit trail, nor on the screen."""
    seed_bench(services, pin_user="2468")
    flow = BenchWorkflow(services, "BENCH-1")
    ok(flow, "B-PIN", Step.PIN)
    for _ in range(5):
        flow.handle("1111")
    assert flow.last_view.step == Step.LOGIN  # locked: back at the badge prompt
    out = no(flow, "2468", "Unknown badge")
    assert "2468" not in out.message.render() and out.step == Step.LOGIN
    out = no(flow, "B-404", "Unknown badge B-404")  # a badge-like code is still shown as scanned
    assert not [e for e in events(services) if "2468" in (e.raw or "") or "2468" in (e.message or "")]


def test_wrong_supervisor_pins_count_towards_the_bench_limit_too(services, clock):
    """A supervisor's authorisation (desk login, settings unlock, actions) at a bench counts with the
    packers' PINs there: guessing badge after badge at the desk is stopped like at the scanner."""
    from app.packing.auth import (
        STATION_PIN_LIMIT,
        STATION_PIN_WINDOW_MIN,
        NotAuthorized,
        authorize_supervisor,
    )
    from app.security import hash_pin

    seed_bench(services)
    with services.uow() as uow:
        for i in range(4):
            uow.session.add(User(name=f"S{i}", role="supervisor", badge=f"B-S{i}", pin_hash=hash_pin("864213"),
                                 created_at=clock()))
    flow, other = BenchWorkflow(services, "BENCH-1"), BenchWorkflow(services, "BENCH-2")
    # Both stations exist (a bench's first scan makes its row); a command before the badge is no badge guess.
    no(flow, "CMD:CLOSE", ""), no(other, "CMD:CLOSE", "")
    for n in range(STATION_PIN_LIMIT):  # 2-3 wrong PINs per badge: no user locks (5 would)
        with pytest.raises(NotAuthorized, match="tries left"):
            authorize_supervisor(services, f"B-S{n % 4}", "000000", action="supervisor view", station="BENCH-1")
    with pytest.raises(NotAuthorized, match="PIN entry is closed"):  # even the right PIN, at this bench
        authorize_supervisor(services, "B-S0", "864213", action="supervisor view", station="BENCH-1")
    with services.uow() as uow:  # and a packer's PIN at that bench too
        uow.session.add(User(name="P9", role="packer", badge="B-P9", pin_hash=hash_pin("2468"), created_at=clock()))
    ok(flow, "B-P9", Step.PIN)
    no(flow, "2468", "PIN entry is closed")
    assert authorize_supervisor(services, "B-S0", "864213", action="settings", station="BENCH-2").name == "S0"
    clock.advance(minutes=STATION_PIN_WINDOW_MIN, seconds=1)
    assert authorize_supervisor(services, "B-S1", "864213", action="settings", station="BENCH-1").name == "S1"
