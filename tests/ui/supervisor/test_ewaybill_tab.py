"""The e-waybill tab of the supervisor view (issue 21): the balances as the platform last reported
them (stored by the sender's loop; here written as it writes them), the one under ``ewaybill_low``
red, a shop whose last call failed with the platform's words, and today's numbers per carrier."""

from __future__ import annotations

from app.models.schema import Ewaybill, Order
from app.platform import shops as shop_store
from app.platform.ewaybill import BranchAccount
from app.platform.ewaybill_balances import store
from app.platform.faults import Verdict
from app.ui.supervisor.ewaybill_tab import LOW


def account(wp: str, branch: str, quantity: int) -> BranchAccount:
    return BranchAccount(wp, branch, f"{wp} 杭州余杭1部", quantity, 40, 3, ())


def test_the_tab_lists_the_balances_the_low_one_red(qtbot, logged_in, demo_services, tmp_path):
    d = logged_in.dashboard
    now = demo_services.clock.now
    with demo_services.uow() as uow:
        s = uow.session
        north = shop_store.save(s, "north", {"client_id": "x"}, now).id
        south = shop_store.save(s, "south", {"client_id": "y"}, now).id
        store(s, north, Verdict("ok"), [account("ZTO", "ZTO-001", 1000), account("YTO", "YTO-001", 150)], now)
        store(s, south, Verdict("stop", "access_token已过期"), [], now)
        order_id = s.query(Order.id).filter(Order.state == "packing").limit(1).scalar() or s.query(Order.id).limit(1).scalar()
        s.add(Ewaybill(order_id=order_id, parcel_seq=1, shop_id=north, carrier_code="ZTO", branch_code="ZTO-001",
                       waybill_code="ZT-TEST-1", print_data="{}", state="taken", taken_at=now))
    d.refresh(force=True)
    tab = d.ewaybill_tab
    qtbot.waitUntil(lambda: tab.balances.rowCount() == 3, timeout=10_000)
    rows = [[tab.balances.item(r, c).text() for c in range(tab.balances.columnCount())]
            for r in range(tab.balances.rowCount())]
    assert rows[0][:6] == ["north", "YTO", "YTO-001 YTO 杭州余杭1部", "150", "40", "3"]
    assert rows[1][:6] == ["north", "ZTO", "ZTO-001 ZTO 杭州余杭1部", "1000", "40", "3"]
    assert rows[0][6] != "-" and rows[2][0] == "south" and "access_token已过期" in rows[2][2]
    assert tab.balances.item(0, 3).foreground().color() == LOW  # 150 < 200 (ewaybill_low)
    assert tab.balances.item(1, 3).foreground().color() != LOW
    assert "200" in tab.balances_title.text()
    today = {tab.today.item(r, 0).text(): [tab.today.item(r, c).text() for c in (1, 2, 3)]
             for r in range(tab.today.rowCount())}
    assert today["ZTO"][0] == "1" and int(today["ZTO"][2]) >= 1
