"""The recording policy against the real workflow (no Qt, no camera): which commands each scan gives."""

from __future__ import annotations

from dataclasses import replace

from app.demo import seed_demo
from app.evidence.commands import AddWaybill, Mark, StartClip, StopClip
from app.evidence.policy import RecordingPolicy
from app.packing.workflow import BenchWorkflow


def _pack_until_waybill(flow: BenchWorkflow, policy: RecordingPolicy, order_no: str) -> list:
    commands = policy.on_outcome(flow.handle(order_no))
    for line in flow.last_view.order.lines:
        for _ in range(line.quantity):
            commands += policy.on_outcome(flow.handle(line.barcode))
    commands += policy.on_outcome(flow.handle("BOX-M"))
    commands += policy.on_outcome(flow.handle(f"{flow.last_view.order.expected_weight_g}g"))
    return commands


def test_an_order_is_recorded_from_opening_to_a_tail_after_its_waybill(sqlite_services):
    seed_demo(sqlite_services)
    flow = BenchWorkflow(sqlite_services, "BENCH-1")
    policy = RecordingPolicy("BENCH-1", tail_s=3.0, clock=lambda: 100.0)
    assert policy.on_outcome(flow.handle("P-1001")) == []  # logged in, no order: nothing to record
    commands = _pack_until_waybill(flow, policy, "PDD-1001")
    start = commands[0]
    assert isinstance(start, StartClip) and start.order_no == "PDD-1001" and start.packer == "李娜 Li Na"
    assert start.station == "BENCH-1" and start.at == 100.0
    marks = [c for c in commands if isinstance(c, Mark)]
    assert marks[0].kind == "order" and marks[0].code == "PDD-1001"
    assert {m.kind for m in marks} >= {"order", "item", "box", "weight"}
    refused = policy.on_outcome(flow.handle("0000000000000"))  # a wrong item at the waybill step
    assert [type(c) for c in refused] == [Mark] and refused[0].accepted is False
    done = policy.on_outcome(flow.handle("SF1400000000000"))
    assert done[0] == Mark("waybill", True, "SF1400000000000", done[0].text, 100.0)
    assert done[1] == AddWaybill("SF1400000000000")
    assert done[2] == Mark("parcel", True, "SF1400000000000", "parcel 1 sealed", 100.0)
    assert done[3] == StopClip(3.0, "packed", 100.0)
    assert Mark("parcel", True, "", "parcel 1 begun", 100.0) in commands
    assert policy.on_outcome(flow.handle("CMD:HANDOVER")) == []  # no order: handover is not recorded


def test_cancel_and_logout_stop_at_once_and_a_resumed_order_records_again(sqlite_services):
    seed_demo(sqlite_services)
    flow = BenchWorkflow(sqlite_services, "BENCH-1")
    policy = RecordingPolicy("BENCH-1", tail_s=3.0, clock=lambda: 5.0)
    policy.on_outcome(flow.handle("P-1001"))
    assert isinstance(policy.on_outcome(flow.handle("PDD-1001"))[0], StartClip)
    cancelled = policy.on_outcome(flow.handle("CMD:CANCEL"))
    assert cancelled[-1] == StopClip(0.0, "order closed", 5.0)
    policy.on_outcome(flow.handle("PDD-1001"))
    out = policy.on_outcome(flow.handle("CMD:LOGOUT"))
    assert out[-1] == StopClip(0.0, "logged out", 5.0)
    # Logging in again resumes the unfinished order: a new clip starts, no extra scan needed.
    resumed = policy.on_outcome(flow.handle("P-1001"))
    assert [type(c) for c in resumed] == [StartClip, Mark] and resumed[0].order_no == "PDD-1001"


def test_several_waybills_of_one_order_are_all_added_and_the_clip_ends_when_it_leaves_the_view():
    """The multi-parcel workflow (being written) keeps the order open between parcels: plain views."""
    from app.i18n import Message
    from app.packing.outcome import BenchView, Level, OrderView, Outcome, Step

    order = OrderView("PDD-9", "SF", "SF", "n", "p", "a", "", "packing", None, None, ())
    open_view = BenchView("B", Step.WAYBILL, user_name="王芳", order=order)
    policy = RecordingPolicy("B", tail_s=2.0, clock=lambda: 1.0)
    assert isinstance(policy.on_view(open_view)[0], StartClip)
    first = Outcome(True, Level.ACCEPTED, Message("x", {"number": "SF1"}), "waybill", replace(open_view, step=Step.BOX),
                    raw="SF1")
    assert AddWaybill("SF1") in policy.on_outcome(first)
    second = Outcome(True, Level.COMPLETE, Message("x"), "waybill",
                     BenchView("B", Step.ORDER, user_name="王芳", completed_order="PDD-9"), raw=" sf2 ",
                     extra={"waybill": "SF2"})
    commands = policy.on_outcome(second)
    assert AddWaybill("SF2") in commands and commands[-1] == StopClip(2.0, "packed", 1.0)
    assert policy.waybills == [] and policy.order_no is None


def test_a_return_is_recorded_from_its_open_to_its_close(sqlite_services):
    seed_demo(sqlite_services)
    flow = BenchWorkflow(sqlite_services, "BENCH-1")
    policy = RecordingPolicy("BENCH-1", tail_s=3.0, clock=lambda: 7.0)
    policy.on_outcome(flow.handle("P-1001"))
    assert policy.on_outcome(flow.handle("CMD:RETURNS")) == []  # returns mode, nothing open: nothing recorded
    opened = policy.on_outcome(flow.handle("PDD-1021"))
    assert opened[0] == StartClip("PDD-1021", "BENCH-1", "李娜 Li Na", (), 7.0, "return")
    assert opened[1].kind == "return" and opened[1].code == "PDD-1021"
    item = policy.on_outcome(flow.handle("6903456789018"))  # a foreign sock: a refused mark
    assert [type(c) for c in item] == [Mark] and item[0].accepted is False and item[0].kind == "return_item"
    closed = policy.on_outcome(flow.handle("CMD:CLOSE"))
    assert closed[-1] == StopClip(3.0, "return closed", 7.0)
    unmatched = policy.on_outcome(flow.handle("YT9990000000001"))  # an unmatched parcel: under its waybill
    assert unmatched[0] == StartClip("YT9990000000001", "BENCH-1", "李娜 Li Na", ("YT9990000000001",), 7.0, "return")
    assert policy.on_outcome(flow.handle("CMD:LOGOUT"))[-1] == StopClip(0.0, "logged out", 7.0)
