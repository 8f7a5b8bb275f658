"""The refund rule with plain data: an order whose buyer asked the platform for a refund is never
opened, and one being packed is stopped at its next scan, whatever the scan and the step."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.packing import rules
from app.packing.model import CodeFacts
from app.packing.outcome import Level, Step
from tests.unit.packing.test_rules import BENCH, TEA, USER, ZTO, at, decide, open_state, order

REFUNDED = (2, 3, 4)  # pdd refund_status: in progress, refunding, refunded


@pytest.mark.parametrize("refund_status", REFUNDED)
def test_a_ready_order_with_a_refund_is_refused_and_held(refund_status):
    target = order(state="ready", station=None)
    target = replace(target, platform_refund=refund_status)
    d = decide(None, "O-1", target=target)
    assert not d.accepted and d.level == Level.REFUSED
    assert "refund requested on the platform: do not pack" in d.message.render()
    assert d.effects == (rules.HoldForRefund(1, d.effects[0].reason),)
    assert d.state.order_id is None and d.order_id == 1


@pytest.mark.parametrize("refund_status", (None, 1))
def test_no_refund_opens_the_order(refund_status):
    target = replace(order(state="ready", station=None), platform_refund=refund_status)
    d = decide(None, "O-1", target=target)
    assert d.accepted and isinstance(d.effects[0], rules.ClaimOrder)


SCANS = [("B11", CodeFacts(product=TEA)), ("BOX-M", CodeFacts()), ("500", CodeFacts()), (ZTO, CodeFacts()),
         ("CMD:REPRINT", CodeFacts()), ("CMD:NEWPARCEL", CodeFacts())]


@pytest.mark.parametrize("step", (Step.VERIFY, Step.BOX, Step.WEIGHT, Step.LABEL, Step.WAYBILL))
@pytest.mark.parametrize(("text", "facts"), SCANS, ids=[s[0] for s in SCANS])
def test_an_order_being_packed_is_stopped_at_its_next_scan(step, text, facts):
    o = replace(at(step), platform_refund=3)
    d = decide(o, text, facts)
    assert not d.accepted and d.level == Level.REFUSED
    assert d.effects and isinstance(d.effects[0], rules.HoldForRefund) and len(d.effects) == 1
    assert d.state.order_id is None  # the bench is free for the next order
    assert rules.bench_step(d.state, None) == Step.ORDER


def test_logout_still_works_on_a_refunded_open_order():
    o = replace(at(Step.VERIFY), platform_refund=4)
    d = decide(o, "CMD:LOGOUT")
    assert d.accepted and not d.effects


def test_the_same_scan_without_refund_goes_on():
    o = at(Step.VERIFY)
    d = decide(o, "B11", CodeFacts(product=TEA))
    assert d.accepted and d.effects


def test_an_order_held_by_another_bench_stays_that_refusal():
    target = replace(order(state="packing", station=9), platform_refund=3, holder="BENCH-9")
    d = decide(None, "O-1", target=target, state=USER)
    assert not d.accepted and not d.effects
    assert "BENCH-9" in d.message.render()
    assert open_state(target).order_id == 1  # (helper sanity)
    assert BENCH.station_id == 7


def test_when_the_platform_cannot_be_reached_the_bench_packs_and_says_so():
    target = order(state="ready", station=None)
    stale = replace(BENCH, platform_stale=True)
    d = rules.decide(stale, USER, None, None, "O-1", CodeFacts(), target)
    assert d.accepted and d.level == Level.WARNING and isinstance(d.effects[0], rules.ClaimOrder)
    assert "cannot be reached: packing on what PackGate last knew" in d.message.render()
    d = rules.decide(stale, USER, None, None, "O-1", CodeFacts(), replace(target, platform_refund=3))
    assert not d.accepted and isinstance(d.effects[0], rules.HoldForRefund)  # what it last knew still counts
