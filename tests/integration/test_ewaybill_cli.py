"""``packgate ewaybill accounts`` and ``use`` against the stand-in gateway: the shop's branches and
balances as the platform lists them, and a carrier's source stored with the registered address
and the standard template."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from app.cli import main
from app.models.schema import ScanEvent
from app.platform import ewaybill_sources
from app.platform import shops as shop_store
from app.platform.standin import StandIn
from app.platform.standin_ewaybill import DEFAULT_ADDRESS


@pytest.fixture(scope="module")
def gateway():
    with StandIn() as gw:
        gw.add_shop("north", "token-north")
        gw.ewaybills.open_account("north", "ZTO", "ZTO-EAST", quantity=150,
                                  addresses=[DEFAULT_ADDRESS, dict(DEFAULT_ADDRESS, detail="二号仓")])
        yield gw


def add_shop(services, gw, tmp_path) -> int:
    options = gw.shop_options(tmp_path, "token-north")
    with services.uow() as uow:
        return shop_store.save(uow.session, "north", options, services.clock(), default_carrier="ZTO").id


def cli(services, *args) -> tuple[int, str]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["--db", services.db_url, *args])
    return code, buf.getvalue()


def test_accounts_then_use(services, gateway, tmp_path):
    shop_id = add_shop(services, gateway, tmp_path)
    code, out = cli(services, "ewaybill", "accounts", "--shop", "north", "--json")
    assert code == 0
    (shop,) = json.loads(out)
    zto = [a for a in shop["accounts"] if a["wp_code"] == "ZTO"]
    assert {a["branch_code"] for a in zto} == {"ZTO-001", "ZTO-EAST"}
    east = next(a for a in zto if a["branch_code"] == "ZTO-EAST")
    assert (east["quantity"], east["allocated_quantity"], east["cancel_quantity"]) == (150, 0, 0)
    assert east["addresses"][1]["detail"] == "二号仓" and not east["in_use"]

    code, _ = cli(services, "ewaybill", "use", "ZTO", "--shop", "north")
    assert code != 0  # two branches: --branch is needed
    code, out = cli(services, "ewaybill", "use", "ZTO", "--shop", "north", "--branch", "ZTO-EAST", "--address", "2")
    assert code == 0, out
    with services.read_uow() as uow:
        chosen = ewaybill_sources.source_for(uow.session, shop_id, "ZTO")
        audited = uow.session.query(ScanEvent).filter(ScanEvent.kind == "settings").count()
    assert chosen.source == "pdd" and chosen.branch_code == "ZTO-EAST"
    assert chosen.address == {**{k: DEFAULT_ADDRESS[k] for k in ("country", "province", "city", "district")},
                              "detail": "二号仓"}
    assert chosen.template_url.endswith("zto_76x130") and audited == 1
    code, out = cli(services, "ewaybill", "accounts", "--shop", "north")
    assert "ZTO-EAST" in out and "(in use)" in out
    code, _ = cli(services, "ewaybill", "use", "ZTO", "--shop", "north", "--source", "scan")
    with services.read_uow() as uow:
        assert ewaybill_sources.source_for(uow.session, shop_id, "ZTO").source == "scan"
