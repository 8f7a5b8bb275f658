"""The bench rules for an e-waybill carrier, with plain data: the weight asks for the number (no
PackGate label), the label step waits for the print, the gate takes only this parcel's e-waybill,
CMD:REPRINT prints the same one (or asks for a first one), and linking marks the e-waybill."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.packing import rules
from app.packing.model import CodeFacts
from app.packing.outcome import Level, Step
from tests.unit.packing.test_rules import at, decide

CODE = "73100000000007"


def e(step: Step, state: str | None = None, code: str | None = None):
    snap = replace(at(step), ewaybills=True)
    parcel = replace(snap.parcels[0], ewaybill=code, ewaybill_state=state, label_prints=0)
    return snap.with_parcel(parcel)


@pytest.mark.parametrize(("state", "step"), [(None, Step.LABEL), ("requested", Step.LABEL), ("taken", Step.LABEL),
                                             ("printed", Step.WAYBILL), ("linked", Step.WAYBILL)])
def test_the_label_step_waits_for_the_printed_e_waybill(state, step):
    assert rules.order_step(e(Step.LABEL, state, CODE if state not in (None, "requested") else None)) == step


def test_weight_asks_for_the_e_waybill_and_prints_no_packgate_label():
    d = decide(e(Step.WEIGHT), "510g")
    assert d.accepted and d.print_ewaybill == 1 and d.print_label is None
    assert [type(x) for x in d.effects] == [rules.SetWeight, rules.RequestEwaybill]
    assert d.message.render() == "Weight 510 g OK. Label printing\u2026"


def test_weight_again_keeps_the_number_it_has():
    d = decide(e(Step.WEIGHT, "printed", CODE), "510g")
    assert [type(x) for x in d.effects] == [rules.SetWeight] and d.print_ewaybill == 1


def test_nothing_is_linked_before_the_label_is_out():
    d = decide(e(Step.LABEL, "taken", CODE), CODE)
    assert not d.accepted and "has not printed yet" in d.message.render()


def test_only_this_parcels_e_waybill_passes_the_gate():
    snap = e(Step.WAYBILL, "printed", CODE)
    other = decide(snap, "73100000000009", CodeFacts(ewaybill_of=("O-9", 2)))
    assert not other.accepted and other.level == Level.REFUSED
    assert other.message.render() == "This label belongs to order O-9 parcel 2: stick this parcel's own label on"
    courier = decide(snap, "73100000000009")
    assert not courier.accepted and CODE in courier.message.render()
    ok = decide(snap, CODE)
    assert ok.level == Level.COMPLETE
    (link,) = ok.effects
    assert isinstance(link, rules.LinkWaybill) and link.ewaybill and link.number == CODE


def test_reprint_prints_the_same_e_waybill_or_asks_for_a_first_one():
    same = decide(e(Step.WAYBILL, "printed", CODE), "CMD:REPRINT")
    assert same.accepted and same.effects == () and same.print_ewaybill == 1 and same.reprint
    first = decide(e(Step.LABEL, None), "CMD:REPRINT")
    assert [type(x) for x in first.effects] == [rules.RequestEwaybill] and first.print_ewaybill == 1
