"""The bench rules with plain data: no database, no clock, no printer. Table-driven: every step
against every kind of scan, and the parcel rules one by one."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from app.carriers import load_catalogue
from app.models.schema import OrderState
from app.packing import rules
from app.packing.model import (
    BenchState,
    BoxFact,
    CodeFacts,
    LineSnap,
    ManifestSnap,
    OrderSnap,
    ParcelFact,
    ParcelSnap,
    ProductFact,
)
from app.packing.outcome import Level, Step

CATALOGUE = load_catalogue()
BENCH = rules.Bench(7, "BENCH-7", CATALOGUE)
USER = BenchState(user_id=1, user_name="Li Na", user_role="packer")
TEA = ProductFact(11, "TEA", "Tea")
MUG = ProductFact(12, "MUG", "Mug")
ALIEN = ProductFact(99, "ALIEN", "Not in the order")
BOX = BoxFact("BOX-M", 200)
ZTO = "75310000000001"


def line(id_: int, product: ProductFact, qty: int, scanned: int = 0, weight: int = 100) -> LineSnap:
    return LineSnap(id_, product.id, product.sku, product.name, f"B{product.id}", qty, scanned, weight)


def order(*, lines=None, parcels=(), state="packing", station=7, carrier="ZTO", pre=None) -> OrderSnap:
    lines = lines if lines is not None else (line(1, TEA, 2), line(2, MUG, 1))
    return OrderSnap(1, "O-1", state, station, carrier, pre, None, tuple(lines), tuple(parcels))


def at(step: Step) -> OrderSnap:
    """An open order standing at ``step`` (one parcel)."""
    if step == Step.VERIFY:
        return order(lines=(line(1, TEA, 2, 1), line(2, MUG, 1)), parcels=(ParcelSnap(1, 100, ((1, 1),)),))
    done = (line(1, TEA, 2, 2), line(2, MUG, 1, 1))
    parcel = ParcelSnap(1, 100, ((1, 2), (2, 1)))
    if step == Step.WEIGHT:
        parcel = replace(parcel, box_code="BOX-M", expected_weight_g=500)
    if step == Step.LABEL:
        parcel = replace(parcel, box_code="BOX-M", expected_weight_g=500, weight_g=510)
    if step == Step.WAYBILL:
        parcel = replace(parcel, box_code="BOX-M", expected_weight_g=500, weight_g=510, label_prints=1)
    return order(lines=done, parcels=(parcel,))


def open_state(o: OrderSnap) -> BenchState:
    return replace(USER, order_id=o.id)


NO_FACTS = CodeFacts()


def decide(o: OrderSnap | None, text: str, facts: CodeFacts = NO_FACTS, *, state=None, manifest=None, target=None):
    st = state if state is not None else (open_state(o) if o is not None else USER)
    return rules.decide(BENCH, st, o, manifest, text, facts, target)


# ------------------------------------------------------------------------------------ order step

ORDER_STEP_CASES = [
    ("nothing scanned", order(), Step.VERIFY),
    ("half scanned", at(Step.VERIFY), Step.VERIFY),
    ("all scanned, no box", at(Step.BOX), Step.BOX),
    ("boxed", at(Step.WEIGHT), Step.WEIGHT),
    ("weighed, label not printed", at(Step.LABEL), Step.LABEL),
    ("label printed", at(Step.WAYBILL), Step.WAYBILL),
    ("parcel 1 sealed with units left", order(lines=(line(1, TEA, 2, 1), line(2, MUG, 1)),
                                              parcels=(ParcelSnap(1, 100, ((1, 1),), sealed=True),)), Step.BOX),
    ("parcel 1 linked, units left", order(lines=(line(1, TEA, 2, 1), line(2, MUG, 1)),
                                          parcels=(ParcelSnap(1, 100, ((1, 1),), sealed=True, waybill=ZTO),)), Step.VERIFY),
    ("parcel 2 being filled", order(lines=(line(1, TEA, 2, 2), line(2, MUG, 1)),
                                    parcels=(ParcelSnap(1, 100, ((1, 1),), sealed=True, waybill=ZTO),
                                             ParcelSnap(2, 101, ((1, 1),)))), Step.VERIFY),
    ("parcel 2 complete", order(lines=(line(1, TEA, 2, 2), line(2, MUG, 1, 1)),
                                parcels=(ParcelSnap(1, 100, ((1, 1),), sealed=True, waybill=ZTO),
                                         ParcelSnap(2, 101, ((1, 1), (2, 1))))), Step.BOX),
    ("parcel 1 unlinked after packing", order(lines=(line(1, TEA, 2, 2), line(2, MUG, 1, 1)),
                                              parcels=(ParcelSnap(1, 100, ((1, 2),), sealed=True, box_code="BOX-M",
                                                                  weight_g=400, label_prints=1),
                                                       ParcelSnap(2, 101, ((2, 1),), waybill=ZTO))), Step.WAYBILL),
]


@pytest.mark.parametrize(("snap", "step"), [c[1:] for c in ORDER_STEP_CASES], ids=[c[0] for c in ORDER_STEP_CASES])
def test_order_step(snap, step):
    assert rules.order_step(snap) == step


# ------------------------------------------------------------------ every step x every kind of scan

SCANS = {
    "item in order": ("B11", CodeFacts(product=TEA)),
    "item not in order": ("B99", CodeFacts(product=ALIEN)),
    "box": ("BOX-M", CodeFacts(box=BOX)),
    "inactive box": ("BOX-OLD", CodeFacts(box=BoxFact("BOX-OLD", 100, active=False))),
    "badge": ("P-1002", CodeFacts(is_badge=True)),
    "open order again": ("O-1", CodeFacts(is_order_no=True)),
    "weight in range": ("500", CodeFacts()),
    "weight off": ("900", CodeFacts()),
    "impossible weight": ("0", CodeFacts()),
    "valid ZTO waybill": (ZTO, CodeFacts()),
    "waybill of another order": (ZTO, CodeFacts(waybill_owner="O-9")),
    "bad check digit": ("12345", CodeFacts()),
    "garbage": ("xyz", CodeFacts()),
    "unknown command": ("CMD:NOPE", CodeFacts()),
    "CMD:REPRINT": ("CMD:REPRINT", CodeFacts()),
    "CMD:NEWPARCEL": ("CMD:NEWPARCEL", CodeFacts()),
    "CMD:HANDOVER": ("CMD:HANDOVER", CodeFacts()),
    "CMD:CLOSE": ("CMD:CLOSE", CodeFacts()),
    "CMD:CANCEL": ("CMD:CANCEL", CodeFacts()),
    "CMD:SHORT": ("CMD:SHORT", CodeFacts()),
    "CMD:LOGOUT": ("CMD:LOGOUT", CodeFacts()),
}

# (step, scan) -> (accepted, kind of the first effect or None, a fragment of the message)
EXPECTED = {
    (Step.VERIFY, "item in order"): (True, rules.AddUnit, "Tea 2/2"),
    (Step.VERIFY, "item not in order"): (False, None, "Wrong item"),
    (Step.VERIFY, "box"): (False, None, "before the box"),
    (Step.VERIFY, "inactive box"): (False, None, "before the box"),
    (Step.VERIFY, "CMD:NEWPARCEL"): (True, rules.SealParcel, "Parcel 1 closed"),
    (Step.VERIFY, "CMD:REPRINT"): (False, None, "Nothing to reprint"),
    (Step.BOX, "item in order"): (False, None, "Over-scan"),
    (Step.BOX, "item not in order"): (False, None, "Wrong item"),
    (Step.WEIGHT, "item not in order"): (False, None, "Wrong item"),
    (Step.WEIGHT, "bad check digit"): (False, None, "expected 500 g"),  # 12345 reads as 12,345 g
    (Step.BOX, "box"): (True, rules.SetBox, "Box BOX-M"),
    (Step.BOX, "inactive box"): (False, None, "Unknown box code"),
    (Step.BOX, "CMD:NEWPARCEL"): (False, None, "while its items are scanned"),
    (Step.BOX, "CMD:REPRINT"): (False, None, "Nothing to reprint"),
    (Step.WEIGHT, "item in order"): (False, None, "Over-scan"),
    (Step.WEIGHT, "box"): (True, rules.SetBox, "Box BOX-M"),
    (Step.WEIGHT, "weight in range"): (True, rules.SetWeight, "label printing"),
    (Step.WEIGHT, "weight off"): (False, None, "expected 500 g"),
    (Step.WEIGHT, "impossible weight"): (False, None, "not possible"),
    (Step.WEIGHT, "garbage"): (False, None, "is not a weight"),
    (Step.WEIGHT, "CMD:REPRINT"): (False, None, "Nothing to reprint"),
    (Step.LABEL, "CMD:REPRINT"): (True, rules.RequestLabel, "Reprinting"),
    (Step.WAYBILL, "CMD:REPRINT"): (True, rules.RequestLabel, "Reprinting"),
    (Step.WAYBILL, "valid ZTO waybill"): (True, rules.LinkWaybill, "complete"),
    (Step.WAYBILL, "waybill of another order"): (False, None, "already on order O-9"),
    (Step.WAYBILL, "bad check digit"): (False, None, "not a ZTO waybill"),
    (Step.WAYBILL, "item in order"): (False, None, "item barcode, not a waybill"),
    (Step.WAYBILL, "item not in order"): (False, None, "item barcode, not a waybill"),
    (Step.WAYBILL, "box"): (False, None, "box code, not a waybill"),
}


def _expected(step: Step, scan: str):
    if (step, scan) in EXPECTED:
        return EXPECTED[step, scan]
    common = {
        "badge": (False, None, "scan CMD:LOGOUT first"),
        "open order again": (True, None, "already open"),
        "unknown command": (False, None, "Unknown command"),
        "CMD:HANDOVER": (False, None, "before handover"),
        "CMD:CLOSE": (False, None, "scan CMD:HANDOVER first"),
        "CMD:CANCEL": (True, rules.ReleaseOrder, "released"),
        "CMD:SHORT": (True, rules.HoldOrder, "on hold"),
        "CMD:LOGOUT": (True, None, "logged out"),
        "CMD:NEWPARCEL": (False, None, "while its items are scanned"),
    }
    if scan in common:
        return common[scan]
    if step == Step.VERIFY:
        return (False, None, "Unknown barcode")
    if step == Step.BOX:
        return (False, None, "Unknown box code")
    if step == Step.WEIGHT:
        return (False, None, "not a weight")
    if step == Step.LABEL:
        return (False, None, "label has not printed")
    return (False, None, "")  # waybill step: refused with the carrier's reason


GRID = list(itertools.product((Step.VERIFY, Step.BOX, Step.WEIGHT, Step.LABEL, Step.WAYBILL), SCANS))


@pytest.mark.parametrize(("step", "scan"), GRID, ids=[f"{s.value}-{n}" for s, n in GRID])
def test_every_scan_at_every_step(step, scan):
    text, facts = SCANS[scan]
    snap = at(step)
    d = decide(snap, text, facts)
    accepted, effect, fragment = _expected(step, scan)
    message = d.message.render()
    assert d.accepted == accepted, (step, scan, message)
    assert fragment in message, (step, scan, message)
    if effect is None:
        assert all(not isinstance(e, (rules.AddUnit, rules.LinkWaybill, rules.SetWeight)) for e in d.effects), d.effects
        if not accepted:
            assert d.effects == () and d.level == Level.REFUSED
    else:
        assert d.effects and isinstance(d.effects[0], effect), d.effects
    if not accepted:  # a refusal never moves the bench off its order
        assert d.state.order_id == snap.id or scan == "CMD:LOGOUT"


# --------------------------------------------------------------------------------------- parcels


def split_after_parcel_one() -> OrderSnap:
    return order(lines=(line(1, TEA, 2, 2), line(2, MUG, 1)),
                 parcels=(ParcelSnap(1, 100, ((1, 2),), sealed=True, box_code="BOX-M", expected_weight_g=400,
                                     weight_g=400, label_prints=1),))


def test_item_scan_goes_into_the_open_parcel_and_the_view_follows():
    d = decide(at(Step.VERIFY), "B11", CodeFacts(product=TEA))
    (effect,) = d.effects
    assert effect == rules.AddUnit(1, 1, 1, 100, True)
    assert d.order.lines[0].scanned == 2 and d.order.parcel(1).units == ((1, 2),)


def test_first_unit_after_a_linked_parcel_starts_the_next_parcel():
    snap = replace(split_after_parcel_one(), parcels=(replace(split_after_parcel_one().parcels[0], waybill=ZTO),))
    d = decide(snap, "B12", CodeFacts(product=MUG))
    (effect,) = d.effects
    assert effect == rules.AddUnit(1, 2, 2, None, False)  # parcel 2 to be created
    assert d.order.parcel(2).units == ((2, 1),) and "All items verified" in d.message.render()


def test_parcel_one_waybill_does_not_pack_the_order_while_units_are_missing():
    d = decide(split_after_parcel_one(), ZTO)
    (effect,) = d.effects
    assert isinstance(effect, rules.LinkWaybill) and not effect.completes_order and effect.order_waybill is None
    assert d.state.order_id == 1 and d.order.state == OrderState.PACKING.value
    assert "Scan the remaining items into parcel 2" in d.message.render()


def test_last_parcel_waybill_packs_the_order_with_parcel_ones_waybill():
    snap = order(lines=(line(1, TEA, 2, 2), line(2, MUG, 1, 1)),
                 parcels=(ParcelSnap(1, 100, ((1, 2),), sealed=True, waybill=ZTO),
                          ParcelSnap(2, 101, ((2, 1),), box_code="BOX-M", weight_g=300, expected_weight_g=300,
                                     label_prints=1)))
    d = decide(snap, "75310000000002")
    (effect,) = d.effects
    assert effect.completes_order and effect.order_waybill == ZTO and effect.parcel_seq == 2
    assert d.level == Level.COMPLETE and d.state.order_id is None and d.state.completed_order == "O-1"
    assert "2 parcels" in d.message.render()


def test_a_waybill_already_on_this_orders_other_parcel_is_refused():
    snap = order(lines=(line(1, TEA, 2, 2), line(2, MUG, 1, 1)),
                 parcels=(ParcelSnap(1, 100, ((1, 2),), sealed=True, waybill=ZTO),
                          ParcelSnap(2, 101, ((2, 1),), box_code="BOX-M", weight_g=300, label_prints=1)))
    d = decide(snap, ZTO, CodeFacts(waybill_owner="O-1"))
    assert not d.accepted and "another parcel of this order" in d.message.render()


def test_preassigned_waybill_belongs_to_parcel_one_only():
    snap = replace(split_after_parcel_one(), preassigned_waybill=ZTO)
    assert not decide(snap, "75310000000002").accepted  # parcel 1 must take the pre-assigned one
    assert decide(snap, ZTO).accepted
    two = order(lines=(line(1, TEA, 2, 2), line(2, MUG, 1, 1)), pre=ZTO,
                parcels=(ParcelSnap(1, 100, ((1, 2),), sealed=True, waybill=ZTO),
                         ParcelSnap(2, 101, ((2, 1),), box_code="BOX-M", expected_weight_g=300)))
    d = decide(two, "300")
    assert any(isinstance(e, rules.TakePoolWaybill) for e in d.effects)  # parcel 2 takes a pool number
    d1 = decide(replace(at(Step.WEIGHT), preassigned_waybill=ZTO), "500")
    assert not any(isinstance(e, rules.TakePoolWaybill) for e in d1.effects)


def test_weight_is_checked_against_the_parcels_own_units_and_box():
    snap = order(lines=(line(1, TEA, 2, 2, weight=100), line(2, MUG, 1, 0, weight=900)),
                 parcels=(ParcelSnap(1, 100, ((1, 2),), sealed=True),))
    d = decide(snap, "BOX-M", CodeFacts(box=BOX))
    assert d.effects == (rules.SetBox(100, "BOX-M", 2 * 100 + 200),)


def test_label_of_a_split_order_knows_its_place():
    snap = split_after_parcel_one()
    assert rules.parcel_total(snap, snap.parcel(1)) is None  # more to come
    last = order(lines=(line(1, TEA, 2, 2), line(2, MUG, 1, 1)),
                 parcels=(ParcelSnap(1, 100, ((1, 2),), waybill=ZTO), ParcelSnap(2, 101, ((2, 1),))))
    assert rules.parcel_total(last, last.parcel(2)) == 2


@pytest.mark.parametrize("scan", ["B11", "B12"])
def test_items_of_the_next_parcel_are_refused_until_this_one_is_finished(scan):
    facts = CodeFacts(product=TEA if scan == "B11" else MUG)
    snap = order(lines=(line(1, TEA, 2, 1), line(2, MUG, 1)), parcels=(ParcelSnap(1, 100, ((1, 1),), sealed=True),))
    d = decide(snap, scan, facts)
    assert not d.accepted and "Parcel 1 is closed" in d.message.render() and not d.effects


def test_newparcel_refusals():
    assert "at least one item" in decide(order(), "CMD:NEWPARCEL").message.render()
    linked = order(lines=(line(1, TEA, 2, 1), line(2, MUG, 1)), parcels=(ParcelSnap(1, 100, ((1, 1),), waybill=ZTO),))
    assert "into parcel 2" in decide(linked, "CMD:NEWPARCEL").message.render()


# -------------------------------------------------------------------------- order step and taking

TAKEN = [
    ("cancelled elsewhere", replace(at(Step.VERIFY), state="cancelled")),
    ("released", replace(at(Step.VERIFY), state="ready", station_id=None)),
    ("moved to another bench", replace(at(Step.VERIFY), station_id=8)),
    ("on hold", replace(at(Step.VERIFY), state="on_hold", station_id=None)),
]


@pytest.mark.parametrize("snap", [c[1] for c in TAKEN], ids=[c[0] for c in TAKEN])
@pytest.mark.parametrize("scan", ["B11", "CMD:REPRINT", ZTO, "500"])
def test_an_order_taken_away_stops_the_bench_at_its_next_scan(snap, scan):
    d = decide(snap, scan, CodeFacts(product=TEA) if scan == "B11" else CodeFacts())
    assert not d.accepted and d.state.order_id is None and not d.effects
    assert "taken off this bench" in d.message.render()


OPENABLE = [
    ("ready", "ready", None, True, "scan each item"),
    ("mine", "packing", 7, True, "resumed"),
    ("elsewhere", "packing", 8, False, "held by"),
    ("packed", "packed", None, False, "already packed"),
    ("handed over", "handed_over", None, False, "already handed over"),
    ("on hold", "on_hold", None, False, "on hold"),
    ("cancelled", "cancelled", None, False, "cancelled"),
]


@pytest.mark.parametrize(("state", "station", "accepted", "fragment"), [c[1:] for c in OPENABLE],
                         ids=[c[0] for c in OPENABLE])
def test_opening_an_order(state, station, accepted, fragment):
    target = order(state=state, station=station)
    d = rules.decide(BENCH, USER, None, None, "O-1", CodeFacts(), target)
    assert d.accepted == accepted and fragment in d.message.render()
    assert (d.effects == (rules.ClaimOrder(1),)) == (state == "ready")


@pytest.mark.parametrize(("facts", "fragment"), [(CodeFacts(), "Unknown order"), (CodeFacts(is_badge=True), "LOGOUT"),
                                                 (CodeFacts(product=TEA), "That is an item")])
def test_unknown_orders(facts, fragment):
    d = rules.decide(BENCH, USER, None, None, "X-1", facts, None)
    assert not d.accepted and fragment in d.message.render()


# -------------------------------------------------------------------------------------- handover

MANIFEST = ManifestSnap(5, "M-5", None, False, 0)


def parcel_fact(**kw) -> ParcelFact:
    base = {"parcel_id": 100, "seq": 1, "parcels_in_order": 1, "order_id": 1, "order_no": "O-1", "order_state": "packed",
            "carrier_code": "ZTO"}
    return ParcelFact(**{**base, **kw})


HANDOVER = [
    ("first parcel sets the carrier", MANIFEST, CodeFacts(parcel=parcel_fact()), True, "added", "ZTO"),
    ("parcel of a split order", MANIFEST, CodeFacts(parcel=parcel_fact(seq=2, parcels_in_order=3)), True,
     "parcel 2/3", "ZTO"),
    ("other carrier", replace(MANIFEST, carrier_code="SF"), CodeFacts(parcel=parcel_fact()), False, "this manifest is for SF",
     None),
    ("not packed", MANIFEST, CodeFacts(parcel=parcel_fact(order_state="packing")), False, "not packed", None),
    ("on this manifest", MANIFEST, CodeFacts(parcel=parcel_fact(manifest_id=5)), True, "already counted", None),
    ("on another manifest", MANIFEST, CodeFacts(parcel=parcel_fact(manifest_id=6, manifest_no="M-6")), False, "M-6", None),
    ("not linked yet", MANIFEST, CodeFacts(preassigned_somewhere=True), False, "not linked yet", None),
    ("unknown", MANIFEST, CodeFacts(), False, "not linked to any order", None),
]


@pytest.mark.parametrize(("manifest", "facts", "accepted", "fragment", "carrier"), [c[1:] for c in HANDOVER],
                         ids=[c[0] for c in HANDOVER])
def test_handover_scans(manifest, facts, accepted, fragment, carrier):
    st = replace(USER, manifest_id=manifest.id)
    d = rules.decide(BENCH, st, None, manifest, ZTO, facts)
    assert d.accepted == accepted and fragment in d.message.render(), d.message.render()
    adds = [e for e in d.effects if isinstance(e, rules.AddToManifest)]
    assert bool(adds) == (accepted and "already" not in fragment)
    if adds:
        assert adds[0].set_carrier == carrier


def test_closing_a_manifest_names_the_parcels_left_behind():
    st = replace(USER, manifest_id=5)
    assert not rules.decide(BENCH, st, None, MANIFEST, "CMD:CLOSE", CodeFacts()).accepted  # empty
    full = replace(MANIFEST, carrier_code="ZTO", count=3)
    d = rules.decide(BENCH, st, None, full, "CMD:CLOSE", CodeFacts())
    assert d.level == Level.COMPLETE and d.print_manifest and d.effects == (rules.CloseManifest(5),)
    partial = replace(full, missing=(("O-1", 2, "75310000000002"),))
    d = rules.decide(BENCH, st, None, partial, "CMD:CLOSE", CodeFacts())
    assert d.level == Level.WARNING and "O-1 #2 75310000000002" in d.message.render() and d.state.manifest_id is None


# ------------------------------------------------------------------------ properties of the rules


@pytest.mark.parametrize(("step", "scan"), GRID, ids=[f"{s.value}-{n}" for s, n in GRID])
def test_the_view_snapshot_is_consistent_with_the_effects(step, scan):
    """Whatever the rules decide, the order they hand back agrees with the effects they ask for."""
    text, facts = SCANS[scan]
    snap = at(step)
    d = decide(snap, text, facts)
    after = d.order or snap
    units_before, units_after = sum(x.scanned for x in snap.lines), sum(x.scanned for x in after.lines)
    assert units_after - units_before == sum(isinstance(e, rules.AddUnit) for e in d.effects)
    for p in after.parcels:
        assert p.unit_count <= sum(x.quantity for x in after.lines)
    assert all(x.scanned <= x.quantity for x in after.lines)
