"""E-waybill balances kept as the platform last reported them (issue 21), against the stand-in
gateway on SQLite and PostgreSQL: the sender's loop stores every enabled shop's branch accounts
(a failed call: the platform's words beside the balances last read), ``packgate ewaybill figures``
stores what it read, and the desk's figures carry the stored rows without calling the platform;
the table's constraints, by raw SQL."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.cli import main
from app.config import Settings
from app.desk.local import LocalDesk
from app.errors import ConfigError
from app.platform import shops as shop_store
from app.platform.sender import Sender, make_balance_watch
from app.platform.standin import StandIn
from app.reports.summary import Period


@pytest.fixture
def gateway():
    with StandIn() as gw:
        for name in ("north", "south"):
            gw.add_shop(name, f"token-{name}")
        gw.ewaybills.open_account("north", "ZTO", "ZTO-EAST", quantity=150)
        yield gw


def add_shops(services, gw, tmp_path) -> dict[str, int]:
    with services.uow() as uow:
        return {name: shop_store.save(uow.session, name, gw.shop_options(tmp_path, f"token-{name}"), services.clock(),
                                      default_carrier="ZTO").id for name in ("north", "south")}


def rows(figures) -> dict[tuple, dict]:
    return {(b["shop"], b.get("wp_code"), b.get("branch_code")): b for b in figures["ewaybills"]["balances"]}


def test_the_senders_loop_stores_the_balances_and_the_figures_carry_them(services, gateway, tmp_path):
    add_shops(services, gateway, tmp_path)
    desk = LocalDesk(services, None)
    assert desk.figures(Period())["ewaybills"]["balances"] == []  # nothing read yet: the desk never asks
    sender = Sender(services.uow, services.catalogue, services.clock, read_uow=services.read_uow,
                    balances=make_balance_watch(services), balance_minutes=10)
    try:
        reading = sender.balances_if_due()  # on a thread of its own: the shipments never wait on it
        reading.join(timeout=30)
        assert not reading.is_alive()
        assert sender.balances_if_due() is None  # not due again for 10 minutes
    finally:
        sender.shutdown()
    fig = desk.figures(Period())
    got = rows(fig)
    assert fig["ewaybills"]["ewaybill_low"] == 200
    assert set(got) == {("north", "ZTO", "ZTO-001"), ("north", "ZTO", "ZTO-EAST"), ("north", "YTO", "YTO-001"),
                        ("south", "ZTO", "ZTO-001"), ("south", "YTO", "YTO-001")}
    east = got[("north", "ZTO", "ZTO-EAST")]
    assert (east["quantity"], east["used"], east["cancelled"], east["low"]) == (150, 0, 0, True)
    assert not got[("north", "ZTO", "ZTO-001")]["low"] and east["read_at"]

    # The platform's balance moves; south's token expires: its balances last read stay, its error beside them.
    gateway.ewaybills.set_quantity("north", "ZTO", 90, "ZTO-001")
    gateway.expire("south")
    watch = make_balance_watch(services)
    verdicts = watch.run_once()
    assert verdicts["north"].kind == "ok" and verdicts["south"].kind != "ok"
    got = rows(desk.figures(Period()))
    assert got[("north", "ZTO", "ZTO-001")]["quantity"] == 90 and got[("north", "ZTO", "ZTO-001")]["low"]
    assert got[("south", "ZTO", "ZTO-001")]["quantity"] == 1000
    assert got[("south", None, None)]["error"]
    assert len(got) == 6

    # `packgate ewaybill figures` stores what it read too (and clears the error once a call succeeds).
    gateway.expired.discard("south")
    gateway.ewaybills.set_quantity("south", "YTO", 12)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["--db", services.db_url, "ewaybill", "figures", "--json"]) == 0
    printed = json.loads(buf.getvalue())
    assert any(b.get("branch_code") == "YTO-001" and b["quantity"] == 12 for b in printed["balances"])
    got = rows(desk.figures(Period()))
    assert ("south", None, None) not in got and got[("south", "YTO", "YTO-001")]["quantity"] == 12
    assert len(got) == 5

    with services.uow() as uow:  # a disabled shop's balances leave the view
        shop_store.set_enabled(uow.session, "south", False, services.clock())
    assert {b["shop"] for b in desk.figures(Period())["ewaybills"]["balances"]} == {"north"}


def test_never_when_the_setting_says_0(sqlite_services):
    services = sqlite_services
    sender = Sender(services.uow, services.catalogue, services.clock, read_uow=services.read_uow,
                    balances=make_balance_watch(services), balance_minutes=0)
    try:
        assert sender.balances_if_due() is None
    finally:
        sender.shutdown()
    with pytest.raises(ConfigError):
        Settings(ewaybill_balance_minutes=-1).validate()


def test_the_balance_rows_are_constrained(services, gateway, tmp_path):
    shop_id = add_shops(services, gateway, tmp_path)["north"]
    insert = ("INSERT INTO ewaybill_balances (shop_id, wp_code, branch_code, branch_name, quantity, used, cancelled, "
              "error, read_at) VALUES (:s, :wp, :b, '', :q, :u, 0, :e, '2026-12-05 10:00:00')")
    ok = {"s": shop_id, "wp": "ZTO", "b": "ZTO-001", "q": 5, "u": 0, "e": ""}
    with services.engine.begin() as conn:
        conn.execute(text(insert), ok)
    for bad in (dict(ok),  # the same branch twice
                dict(ok, b="ZTO-002", e="boom"),  # a branch row with an error
                dict(ok, wp="", b="", e=""),  # an error row without its error
                dict(ok, b="ZTO-003", u=-1),  # a negative count
                dict(ok, s=shop_id + 999, b="ZTO-004")):  # no such shop
        with pytest.raises(IntegrityError), services.engine.begin() as conn:
            conn.execute(text(insert), bad)
