"""``packgate orders release|take-back|cancel|unlink``: the desk's supervisor actions from a terminal,
with the same service and audit event, and a refusal that changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.cli import main
from app.demo import seed_demo
from app.models.schema import Order, Parcel, ScanEvent, User
from app.packing.workflow import BenchWorkflow

SUP, PIN = "S-9001", "123456"
YTO_LINKED = "YT0000002000022"  # the demo links this number to PDD-1023 (packed, not handed over)


@pytest.fixture
def demo(sqlite_services, sqlite_url, monkeypatch):
    seed_demo(sqlite_services)
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", PIN)
    return sqlite_services


def orders(url, *args) -> int:
    return main(["--db", url, "orders", *args])


def state(services, order_no):
    with services.read_uow() as uow:
        return uow.session.scalar(select(Order.state).where(Order.order_no == order_no))


def audit(services, kind):
    with services.read_uow() as uow:
        return uow.session.execute(select(ScanEvent.raw, ScanEvent.reason, User.badge)
                                   .join(User, User.id == ScanEvent.user_id)
                                   .where(ScanEvent.kind == kind).order_by(ScanEvent.id)).all()


def open_at_bench(services, order_no, *, hold=False):
    flow = BenchWorkflow(services, "BENCH-1")
    flow.handle("P-1001")
    out = flow.handle(order_no)
    assert out.accepted, out.message.render()
    flow.handle(out.view.order.lines[0].barcode)
    if hold:
        assert flow.handle("CMD:SHORT").accepted
    return flow


def test_release_and_take_back_each_accept_only_their_own_state(demo, sqlite_url, capsys):
    open_at_bench(demo, "PDD-1002", hold=True)
    open_at_bench(demo, "PDD-1003")
    assert state(demo, "PDD-1002") == "on_hold" and state(demo, "PDD-1003") == "packing"

    # The wrong verb for the state is refused and changes nothing.
    assert orders(sqlite_url, "release", "PDD-1003", "--by", SUP, "--reason", "x") == 2
    assert "not on hold" in capsys.readouterr().err and state(demo, "PDD-1003") == "packing"
    assert orders(sqlite_url, "take-back", "PDD-1002", "--by", SUP, "--reason", "x") == 2
    assert "not held by a bench" in capsys.readouterr().err and state(demo, "PDD-1002") == "on_hold"

    assert orders(sqlite_url, "release", "PDD-1002", "--by", SUP, "--reason", "mug found") == 0
    assert "released from hold" in capsys.readouterr().out
    assert orders(sqlite_url, "take-back", "PDD-1003", "--by", SUP, "--reason", "bench died") == 0
    assert "taken back from its bench" in capsys.readouterr().out
    assert state(demo, "PDD-1002") == state(demo, "PDD-1003") == "ready"
    # The same audit event as the desk's action: kind, reason and the supervisor.
    assert audit(demo, "release_hold") == [("PDD-1002", "mug found", SUP), ("PDD-1003", "bench died", SUP)]


def test_cancel_and_unlink(demo, sqlite_url, capsys):
    assert orders(sqlite_url, "cancel", "PDD-1001", "--by", SUP, "--reason", "buyer cancelled") == 0
    assert state(demo, "PDD-1001") == "cancelled"
    assert orders(sqlite_url, "unlink", YTO_LINKED, "--by", SUP, "--reason", "label on the wrong box") == 0
    assert f"Waybill {YTO_LINKED} unlinked" in capsys.readouterr().out
    assert state(demo, "PDD-1023") == "packing"
    with demo.read_uow() as uow:
        assert uow.session.scalar(select(Parcel.id).where(Parcel.waybill == YTO_LINKED)) is None
    assert audit(demo, "cancel") == [("PDD-1001", "buyer cancelled", SUP)]
    assert audit(demo, "unlink") == [(YTO_LINKED, "label on the wrong box", SUP)]


@pytest.mark.parametrize("args, pin, text", [
    (["cancel", "PDD-1001", "--by", SUP, "--reason", "x"], "000000", "Not authorised: Wrong PIN"),
    (["cancel", "PDD-1001", "--by", "P-1001", "--reason", "x"], PIN, "is not a supervisor"),
    (["cancel", "PDD-1001", "--by", SUP, "--reason", "  "], PIN, "Give a reason"),
    (["cancel", "NO-SUCH", "--by", SUP, "--reason", "x"], PIN, "Unknown order NO-SUCH"),
    (["unlink", "PDD-1022", "--by", SUP, "--reason", "x"], PIN, "handed over"),
])
def test_refusals_say_why_and_change_nothing(demo, sqlite_url, monkeypatch, capsys, args, pin, text):
    monkeypatch.setenv("PACKGATE_SUPERVISOR_PIN", pin)
    with demo.read_uow() as uow:
        before = uow.session.execute(select(Order.order_no, Order.state, Order.waybill).order_by(Order.id)).all()
    assert orders(sqlite_url, *args) == 2
    err = capsys.readouterr().err
    assert text in err and "nothing was changed" in err
    with demo.read_uow() as uow:
        assert uow.session.execute(select(Order.order_no, Order.state, Order.waybill).order_by(Order.id)).all() == before
        assert uow.session.scalar(select(ScanEvent.id).where(ScanEvent.kind.in_(("cancel", "unlink")))) is None


def test_by_and_reason_are_required(sqlite_url, capsys):
    with pytest.raises(SystemExit) as exc:
        orders(sqlite_url, "cancel", "PDD-1001")
    assert exc.value.code == 2 and "--by" in capsys.readouterr().err
