"""The pickup watch's rules the database enforces (migration 0020), in raw SQL on SQLite and
PostgreSQL: the handover enrols an order's parcels (a trigger), a reopened manifest takes them away,
and parcel_tracking refuses a pickup without its source, a picked-up or lost parcel still followed,
an exception without its time, a negative count and a row for no parcel."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.integration.test_constraints import _refused, engine  # noqa: F401 - the migrated databases (fixture)

HANDOVER = ["UPDATE parcels SET waybill = '75310000000011' WHERE id = 2",
            "UPDATE parcels SET waybill = '75310000000012' WHERE id = 3",
            "UPDATE orders SET state = 'packed', waybill = '75310000000011' WHERE id = 2",
            "UPDATE orders SET state = 'handed_over', handed_over_at = '2026-01-02 03:00:00' WHERE id = 2"]
ROW = ("INSERT INTO parcel_tracking (parcel_id, order_id, handed_over_at, next_check_at, checks, picked_up_at, "
       "picked_up_by, exception_action, exception_time, lost, trace_desc, exception_desc, last_error) "
       "VALUES (1, 1, '2026-01-02 03:00:00', {next}, {checks}, {picked}, {by}, {exc}, {exc_time}, {lost}, '', '', '')")


def row(next="NULL", checks=0, picked="NULL", by="NULL", exc="NULL", exc_time="NULL", lost="FALSE") -> str:
    return ROW.format(next=next, checks=checks, picked=picked, by=by, exc=exc, exc_time=exc_time, lost=lost)


def test_the_handover_enrols_every_parcel_and_a_reopening_takes_them_away(engine):  # noqa: F811
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            for statement in HANDOVER:
                conn.execute(text(statement))
            rows = conn.execute(text("SELECT parcel_id, order_id, checks, picked_up_at, lost FROM parcel_tracking "
                                     "ORDER BY parcel_id")).all()
            assert [tuple(r) for r in rows] == [(2, 2, 0, None, False), (3, 2, 0, None, False)]
            due = conn.execute(text("SELECT count(*) FROM parcel_tracking WHERE next_check_at = handed_over_at")).scalar()
            assert due == 2  # due at once: the tracker sets the first look without a call
            conn.execute(text("UPDATE orders SET state = 'packed', handed_over_at = NULL WHERE id = 2"))
            assert conn.execute(text("SELECT count(*) FROM parcel_tracking")).scalar() == 0
        finally:
            tx.rollback()


CASES = [
    ("pickup_without_source", row(), row(picked="'2026-01-02 05:00:00'"), "pickup_has_source"),
    ("source_not_known", row(picked="'2026-01-02 05:00:00'", by="'trace'"),
     row(picked="'2026-01-02 05:00:00'", by="'guess'"), "pickup_source_known"),
    ("picked_up_still_followed", row(next="'2026-01-02 05:00:00'"),
     row(next="'2026-01-02 05:00:00'", picked="'2026-01-02 05:00:00'", by="'hand'"), "picked_up_not_followed"),
    ("lost_still_followed", row(lost="TRUE"), row(next="'2026-01-02 05:00:00'", lost="TRUE"), "lost_not_followed"),
    ("exception_without_time", row(exc="'FAIL'", exc_time="'2026-01-02 05:00:00'"), row(exc="'FAIL'"),
     "exception_has_time"),
    ("negative_checks", row(checks=3), row(checks=-1), "checks_not_negative"),
    ("two_rows_for_one_parcel", [], f"{row()}; {row()}", r"pk_parcel_tracking|UNIQUE|unique"),
]


@pytest.mark.parametrize(("legal", "statement", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_parcel_tracking_refuses(engine, legal, statement, names):  # noqa: F811
    legal = [legal] if isinstance(legal, str) else legal
    if legal:  # the legal variant really goes in (then is taken away again inside the same transaction)
        legal = [*legal, "DELETE FROM parcel_tracking"]
    error = _refused(engine, legal, statement)
    assert re.search(names, str(error.orig)), str(error.orig)


def test_a_row_for_no_parcel_is_refused(engine):  # noqa: F811
    error = _refused(engine, [], ROW.replace("VALUES (1, 1,", "VALUES (999, 1,").format(
        next="NULL", checks=0, picked="NULL", by="NULL", exc="NULL", exc_time="NULL", lost="FALSE"))
    assert re.search("foreign key|FOREIGN KEY", str(error.orig)), str(error.orig)
