"""The bulk insert shared by import-orders and the order pull (app/models/bulk.py), on SQLite and
PostgreSQL: values as a plain insert stores them, ids found, and the database's refusals kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.bootstrap import bootstrap
from app.config import Settings
from app.models.bulk import insert_many, insert_numbered, one_of
from app.models.schema import Order, PlatformOrder

COLUMNS = ("order_no", "platform", "carrier_code", "created_at", "imported_at", "state", "hold_reason",
           "recipient_name", "recipient_phone", "recipient_address", "note", "ship_by")
AT = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


def order(n: int, **kw) -> tuple:
    values = {"order_no": f"B-{n:05d}", "platform": "pdd", "carrier_code": None, "created_at": AT + timedelta(seconds=n),
              "imported_at": AT, "state": "on_hold", "hold_reason": "no carrier", "recipient_name": f"收件人{n}",
              "recipient_phone": "138****0000", "recipient_address": "浙江省杭州市 'quoted' \"x\" {a,b} \\", "note": "",
              "ship_by": None} | kw
    return tuple(values[c] for c in COLUMNS)


def test_rows_stored_as_given_and_numbered(services):
    rows = [order(n, ship_by=AT + timedelta(days=1) if n % 2 else None) for n in range(2500)]
    with services.uow() as uow:
        ids = insert_numbered(uow.session, Order.__table__, COLUMNS, rows, "order_no")
        insert_many(uow.session, PlatformOrder.__table__, ("order_id", "order_status", "refund_status", "checked_at",
                                                            "updated_at", "pull_hold", "payload"),
                    [(ids[r[0]], 1, None, AT, None, None, None) for r in rows])
    assert len(ids) == 2500
    with services.read_uow() as uow:
        got = {o.order_no: o for o in uow.session.scalars(select(Order))}
        platform = dict(uow.session.execute(select(PlatformOrder.order_id, PlatformOrder.checked_at)).all())
    assert {no: o.id for no, o in got.items()} == ids
    o = got["B-00001"]
    assert (o.created_at, o.ship_by, o.carrier_code, o.recipient_address) == (
        AT + timedelta(seconds=1), AT + timedelta(days=1), None, "浙江省杭州市 'quoted' \"x\" {a,b} \\")
    assert got["B-00002"].ship_by is None
    assert set(platform.values()) == {AT} and set(platform) == set(ids.values())


def test_one_of_finds_the_rows_of_many_keys(services):
    with services.uow() as uow:
        insert_many(uow.session, Order.__table__, COLUMNS, [order(n) for n in range(1500)])
    wanted = [f"B-{n:05d}" for n in range(0, 3000, 2)]  # half of them unknown
    with services.read_uow() as uow:
        s = uow.session
        found = set(s.scalars(select(Order.order_no).where(one_of(s, Order.order_no, wanted))))
        none = list(s.scalars(select(Order.order_no).where(one_of(s, Order.order_no, []))))
    assert found == {f"B-{n:05d}" for n in range(0, 1500, 2)} and none == []


def test_a_taken_order_number_is_refused_whole(services):
    with services.uow() as uow:
        insert_many(uow.session, Order.__table__, COLUMNS, [order(1)])
    with pytest.raises(IntegrityError), services.uow() as uow:  # the import turns this into "run it again"
        insert_many(uow.session, Order.__table__, COLUMNS, [order(2), order(1)])
    with services.read_uow() as uow:
        assert list(uow.session.scalars(select(Order.order_no))) == ["B-00001"]


@pytest.mark.postgres
def test_too_long_a_value_is_refused_not_cut_on_postgresql(pg_url, clock):
    services = bootstrap(pg_url, Settings(station="TEST-BENCH"), clock=clock)
    try:
        with pytest.raises(DBAPIError, match="too long"), services.uow() as uow:
            insert_many(uow.session, Order.__table__, COLUMNS, [order(1, order_no="N" * 65)])
    finally:
        services.close()
