"""The returns bench's rules with plain data: expected against scanned, foreign items refused but
recorded, CMD:DAMAGED marking the next item, over-returns refused, the close listing what is missing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.packing import return_rules as rr
from app.packing.model import BenchState, ProductFact
from app.packing.outcome import Level

STATE = BenchState(user_id=7, user_name="Li Na", returns=True, return_id=5)
KETTLE = ProductFact(1, "SKU-KETTLE", "Kettle")
TEA = ProductFact(2, "SKU-TEA", "Tea")
SOCK = ProductFact(9, "SKU-SOCK", "Sock")  # never in the order


def snap(kettle_shipped=1, tea_shipped=2, *, before=0, claimed=None, good=0, damaged=0) -> rr.ReturnSnap:
    return rr.ReturnSnap(5, "YT900", 1, "PDD-1", items=(
        rr.ReturnItem(1, "SKU-KETTLE", "Kettle", kettle_shipped),
        rr.ReturnItem(2, "SKU-TEA", "Tea", tea_shipped, returned_before=before, claimed=claimed, good=good,
                      damaged=damaged),
    ))


def scan_all(s: rr.ReturnSnap, scans, state=STATE):
    decisions = []
    for text, product in scans:
        d, s = rr.decide_in_return(state, s, text, product)
        decisions.append(d)
        state = d.state
    return decisions, s, state


# (id, scans, accepted per scan, what the snapshot holds after: {sku: (good, damaged)}, foreign)
ITEM_CASES = [
    ("all_back", [("K1", KETTLE), ("T1", TEA), ("T1", TEA)], [True, True, True],
     {"SKU-KETTLE": (1, 0), "SKU-TEA": (2, 0)}, ()),
    ("foreign_refused_but_recorded", [("S1", SOCK)], [False], {"SKU-KETTLE": (0, 0), "SKU-TEA": (0, 0)},
     (("SKU-SOCK", 1),)),
    ("unknown_code_is_foreign", [("NOPE-1", None)], [False], {"SKU-KETTLE": (0, 0), "SKU-TEA": (0, 0)},
     (("NOPE-1", 1),)),
    ("over_return_refused", [("K1", KETTLE), ("K1", KETTLE)], [True, False],
     {"SKU-KETTLE": (1, 0), "SKU-TEA": (0, 0)}, ()),
    ("damaged_marks_the_next_item_only", [("CMD:DAMAGED", None), ("T1", TEA), ("T1", TEA)], [True, True, True],
     {"SKU-KETTLE": (0, 0), "SKU-TEA": (1, 1)}, ()),
    ("damaged_applies_to_a_foreign_item_too", [("CMD:damaged", None), ("S1", SOCK), ("K1", KETTLE)], [True, False, True],
     {"SKU-KETTLE": (1, 0), "SKU-TEA": (0, 0)}, (("SKU-SOCK", 1),)),
    ("two_foreign_of_one_sku", [("S1", SOCK), ("S1", SOCK)], [False, False],
     {"SKU-KETTLE": (0, 0), "SKU-TEA": (0, 0)}, (("SKU-SOCK", 2),)),
]


@pytest.mark.parametrize(("scans", "accepted", "held", "foreign"), [c[1:] for c in ITEM_CASES],
                         ids=[c[0] for c in ITEM_CASES])
def test_items_count_against_what_was_shipped(scans, accepted, held, foreign):
    decisions, after, _ = scan_all(snap(), scans)
    assert [d.accepted for d in decisions] == accepted
    assert {i.sku: (i.good, i.damaged) for i in after.items} == held
    assert after.foreign == foreign


def test_effects_say_what_is_written():
    decisions, _, state = scan_all(snap(), [("CMD:DAMAGED", None), ("K1", KETTLE), ("S1", SOCK), ("K1", KETTLE)])
    assert decisions[0].effects == () and decisions[0].state.damaged_next
    assert decisions[1].effects == (rr.AddReturnUnit(5, 1, "SKU-KETTLE", rr.DAMAGED, False),)
    assert decisions[2].effects == (rr.AddReturnUnit(5, 9, "SKU-SOCK", rr.GOOD, True),)
    assert decisions[2].level == Level.REFUSED and "recorded as foreign" in decisions[2].message.render()
    assert decisions[3].effects == () and "Over-return" in decisions[3].message.render()
    assert not state.damaged_next


def test_over_return_counts_the_orders_earlier_returns():
    d, _ = rr.decide_in_return(STATE, snap(before=2), "T1", TEA)
    assert not d.accepted and d.effects == ()
    d, _ = rr.decide_in_return(STATE, snap(before=1), "T1", TEA)
    assert d.accepted


# (id, snapshot, missing, level)
CLOSE_CASES = [
    ("nothing_back", snap(), ((1, "SKU-KETTLE", 1), (2, "SKU-TEA", 2)), Level.WARNING),
    ("all_back", replace(snap(), items=(rr.ReturnItem(1, "SKU-KETTLE", "Kettle", 1, good=1),
                                        rr.ReturnItem(2, "SKU-TEA", "Tea", 2, good=2))), (), Level.COMPLETE),
    ("earlier_return_took_some", replace(snap(before=2), items=(rr.ReturnItem(1, "SKU-KETTLE", "Kettle", 1, good=1),
                                                                rr.ReturnItem(2, "SKU-TEA", "Tea", 2, returned_before=2))),
     (), Level.COMPLETE),
    ("claim_of_one_tea", replace(snap(), items=(rr.ReturnItem(1, "SKU-KETTLE", "Kettle", 1, claimed=0),
                                                rr.ReturnItem(2, "SKU-TEA", "Tea", 2, claimed=1))),
     ((2, "SKU-TEA", 1),), Level.WARNING),
    ("damaged_is_a_discrepancy", replace(snap(), items=(rr.ReturnItem(1, "SKU-KETTLE", "Kettle", 1, damaged=1),
                                                        rr.ReturnItem(2, "SKU-TEA", "Tea", 2, good=2))),
     (), Level.WARNING),
]


@pytest.mark.parametrize(("s", "missing", "level"), [c[1:] for c in CLOSE_CASES], ids=[c[0] for c in CLOSE_CASES])
def test_close_lists_what_is_missing(s, missing, level):
    d, _ = rr.decide_in_return(STATE, s, "CMD:CLOSE", None)
    assert d.accepted and d.level == level
    assert d.effects == (rr.CloseReturn(5, missing),)
    assert d.state.return_id is None and d.state.returns  # ready for the next parcel, still receiving returns


def test_an_unmatched_return_records_every_item_and_closes():
    s = rr.ReturnSnap(6, "YT-UNKNOWN")
    decisions, after, state = scan_all(s, [("S1", SOCK), ("CMD:DAMAGED", None), ("S1", SOCK), ("X-9", None)],
                                       replace(STATE, return_id=6))
    assert all(d.accepted for d in decisions)
    assert after.unmatched == (("SKU-SOCK", "good", 1), ("SKU-SOCK", "damaged", 1), ("X-9", "good", 1))
    assert decisions[3].effects == (rr.AddReturnUnit(6, None, "X-9", rr.GOOD, False),)
    d, _ = rr.decide_in_return(state, after, "CMD:CLOSE", None)
    assert d.effects == (rr.CloseReturn(6, ()),) and "Unmatched return YT-UNKNOWN recorded (3 units)" in d.message.render()


OPEN = BenchState(user_id=7, user_name="Li Na", returns=True)
# (id, scan, target, accepted, effects)
OPEN_CASES = [
    ("expected_return_by_its_waybill", "YT900", rr.ReturnTarget(return_id=3, return_state="expected", order_id=1,
                                                                 order_no="PDD-1", order_state="handed_over"),
     True, (rr.OpenReturn(3, 1, None),)),
    ("order_number", "PDD-1", rr.ReturnTarget(order_id=1, order_no="PDD-1", order_state="packed"), True,
     (rr.OpenReturn(None, 1, None),)),
    ("never_shipped", "PDD-1", rr.ReturnTarget(order_id=1, order_no="PDD-1", order_state="ready"), False, ()),
    ("already_received", "YT900", rr.ReturnTarget(return_id=3, return_state="closed", order_id=1), False, ()),
    ("open_at_another_bench", "YT900", rr.ReturnTarget(return_id=3, return_state="open", return_station="B2"), False, ()),
    ("an_item_first", "6901234567892", rr.ReturnTarget(is_product=True), False, ()),
    ("a_badge", "P-1002", rr.ReturnTarget(is_badge=True), False, ()),
    ("matches_nothing", "YT-UNKNOWN", rr.ReturnTarget(), True, (rr.OpenReturn(None, None, "YT-UNKNOWN"),)),
    ("close_with_nothing_open", "CMD:CLOSE", rr.ReturnTarget(), False, ()),
    ("damaged_with_nothing_open", "CMD:DAMAGED", rr.ReturnTarget(), False, ()),
]


@pytest.mark.parametrize(("text", "target", "accepted", "effects"), [c[1:] for c in OPEN_CASES],
                         ids=[c[0] for c in OPEN_CASES])
def test_a_scan_names_the_returned_parcel(text, target, accepted, effects):
    d = rr.decide_open(OPEN, text, target)
    assert d.accepted is accepted
    assert d.effects == effects


# (id, state, busy, accepted, returns after)
TOGGLE_CASES = [
    ("into_returns", BenchState(user_id=7), False, True, True),
    ("not_with_an_open_order", BenchState(user_id=7, order_id=4), True, False, False),
    ("back_to_packing", OPEN, False, True, False),
    ("not_with_an_open_return", STATE, False, False, True),
]


@pytest.mark.parametrize(("state", "busy", "accepted", "returns"), [c[1:] for c in TOGGLE_CASES],
                         ids=[c[0] for c in TOGGLE_CASES])
def test_cmd_returns_toggles_the_mode(state, busy, accepted, returns):
    d = rr.toggle(state, busy)
    assert d.accepted is accepted and d.state.returns is returns
