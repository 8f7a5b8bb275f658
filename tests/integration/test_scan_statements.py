"""The item scan's statements on SQLite and PostgreSQL (issue 19: "count the round trips of a
PostgreSQL scan and remove the ones a single statement can do"): on PostgreSQL the order with its
lines and parcels is one statement, a unit's two counts are one more and the audit event's link
and insert one more. SQLite, in-process, keeps plain statements (no round trips to save). The guards stay in the database: an over-scan that the
decision did not see writes nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import event, text

from app.demo import DEMO_PRODUCTS, seed_demo
from app.packing import repository as repo
from app.packing import rules
from app.packing.outcome import Step
from app.packing.workflow import BenchWorkflow

BARCODE = {sku: codes[0] for sku, _name, _g, codes in DEMO_PRODUCTS}
BOTTLE = BARCODE["BOTTLE-500"]


@pytest.fixture
def flow(services):
    seed_demo(services)
    flow = BenchWorkflow(services, "BENCH-STMT")
    assert flow.handle("P-1001").accepted
    assert flow.handle("PDD-2001").view.step == Step.VERIFY  # two bottles, nuts, tea
    return flow


class Statements:
    def __init__(self, engine) -> None:
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self.seen

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, params, context, executemany):
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            self.seen.append(" ".join(statement.split()[:2]).upper())


def test_an_item_scan_is_five_statements_on_postgresql_and_nine_on_sqlite(services, flow):
    """The first bottle makes the parcel; the second adds to its line (both cases of the unit's write)."""
    pg = services.engine.dialect.name == "postgresql"
    assert flow.handle(BOTTLE).accepted
    with Statements(services.engine) as seen:
        out = flow.handle(BOTTLE)
    assert out.accepted, out.message.render()
    unit = ["WITH COUNTED"] if pg else ["UPDATE ORDER_LINES", "UPDATE PARCEL_LINES"]
    audit = ["WITH MOVED"] if pg else ["UPDATE AUDIT_CHAIN_HEADS", "INSERT INTO"]
    order = ["SELECT ORDERS.ID,"] if pg else ["SELECT ORDERS.ID,", "SELECT ORDER_LINES.ID,", "SELECT PARCELS.ID,"]
    assert seen == ["SELECT SITE_SETTINGS.KEY," if pg else "SELECT SITE_SETTINGS.\"KEY\",", *order,
                    "SELECT PRODUCTS.ID,", *unit, *audit]
    nuts = BARCODE["SNACK-NUT"]
    with Statements(services.engine) as seen:
        assert flow.handle(nuts).accepted  # its first unit in the parcel: a new parcel line
    unit = ["WITH COUNTED"] if pg else ["UPDATE ORDER_LINES", "INSERT INTO"]
    assert seen[len(order) + 2:] == [*unit, *audit]
    with services.read_uow() as uow:
        rows = uow.session.execute(text(
            "SELECT p.seq, pl.quantity, ol.scanned FROM parcel_lines pl JOIN parcels p ON p.id = pl.parcel_id "
            "JOIN order_lines ol ON ol.id = pl.order_line_id JOIN orders o ON o.id = p.order_id "
            "WHERE o.order_no = 'PDD-2001' ORDER BY ol.id")).all()
    assert [tuple(r) for r in rows] == [(1, 2, 2), (1, 1, 1)]


def test_an_over_scan_the_decision_did_not_see_writes_nothing(services, flow):
    """The database has the last word on a line's quantity: a unit over it is a conflict, and
    neither the line nor its parcel line moves (one statement on PostgreSQL, two on SQLite)."""
    assert flow.handle(BOTTLE).accepted
    order_id = flow.state.order_id
    with services.uow() as uow:
        snap = repo.load_order(uow.session, order_id)
    bottle = next(line for line in snap.lines if line.barcode == BOTTLE)
    parcel = snap.parcel(1)
    with services.engine.begin() as conn:  # the second bottle counted behind the decision's back
        conn.execute(text("UPDATE order_lines SET scanned = quantity WHERE id = :id"), {"id": bottle.id})
    effect = rules.AddUnit(order_id, bottle.id, 1, parcel.id, True)
    with pytest.raises(repo.Conflict) as caught, services.uow() as uow:
        repo.apply(uow.session, [effect], repo.Actor(snap.station_id, None, services.clock))
    assert caught.value.reason == "over_scan"
    with services.uow() as uow:
        after = repo.load_order(uow.session, order_id)
    assert after.parcel(1).units == parcel.units == ((bottle.id, 1),)
    assert next(line for line in after.lines if line.id == bottle.id).scanned == 2


def test_the_order_as_read_is_the_order_with_its_lines_and_parcels_in_their_order(services, flow):
    """Lines in line order, parcels in parcel order with their units in line order, as before."""
    for code in (BOTTLE, BOTTLE, "CMD:NEWPARCEL", "BOX-M"):
        assert flow.handle(code).accepted, code
    assert flow.handle(str(flow.last_view.order.expected_weight_g)).accepted
    order_id = flow.state.order_id
    with services.read_uow() as uow:
        snap = repo.load_order(uow.session, order_id)
        by_no = repo.load_order_by_no(uow.session, "PDD-2001")
        lines = uow.session.execute(text(
            "SELECT id, quantity, scanned FROM order_lines WHERE order_id = :o ORDER BY id"), {"o": order_id}).all()
        parcels = uow.session.execute(text(
            "SELECT seq, box_code, weight_g, sealed FROM parcels WHERE order_id = :o ORDER BY seq"), {"o": order_id}).all()
    assert by_no == replace(snap, holder="BENCH-STMT")  # by number: and which bench holds it
    assert [(x.id, x.quantity, x.scanned) for x in snap.lines] == [tuple(r) for r in lines]
    assert [(p.seq, p.box_code, p.weight_g, p.sealed) for p in snap.parcels] == [
        (r[0], r[1], r[2], bool(r[3])) for r in parcels]
    assert snap.parcel(1).units == ((snap.lines[0].id, 2),)
    assert snap.lines[0].barcode == BOTTLE and snap.lines[0].sku == "BOTTLE-500"
    with services.read_uow() as uow:
        assert repo.load_order(uow.session, 10**9) is None
        assert repo.load_order_by_no(uow.session, "NO-SUCH-ORDER") is None


def test_a_workflow_that_scanned_is_freed_without_the_garbage_collector(services, flow):
    """The server builds a workflow per request: one without a reference cycle is freed when the
    request lets it go, not by a collection later in another request's time."""
    import gc
    import weakref

    flow = BenchWorkflow(services, "BENCH-STMT", print_at_bench=True)  # as the server builds it
    assert flow.handle("P-1001").accepted and flow.handle(BOTTLE).accepted  # its open order, resumed
    gone = weakref.ref(flow)
    gc.disable()
    try:
        del flow
        assert gone() is None
    finally:
        gc.enable()
