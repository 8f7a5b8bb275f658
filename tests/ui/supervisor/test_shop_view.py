"""The supervisor view with several shops (issue 20): the shop beside each order, a filter by shop
that narrows the lists and the state tiles, the ready list by ship-by, a stopped shop named in red.

The demo's orders are spread over two shops here; ship-by times are set from the tests' clock.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app.models.schema import Order, Shop
from app.platform import shops

OPTIONS = {"client_id": "c", "endpoint": "http://127.0.0.1:9/api/router"}


def two_shops(services) -> dict[str, list[str]]:
    """Shops 北京店 and Shanghai; ready orders alternate between them (the last one keeps no shop).
    Returns each shop's ready order numbers, the earliest ship-by first."""
    now = services.clock.now
    with services.uow() as uow:
        s = uow.session
        ids = {name: shops.save(s, name, OPTIONS, now).id for name in ("北京店", "Shanghai")}
        ready = s.execute(select(Order.id, Order.order_no).where(Order.state == "ready").order_by(Order.id)).all()
        assert len(ready) >= 5
        placed: dict[str, list[tuple]] = {"北京店": [], "Shanghai": []}
        for i, (order_id, order_no) in enumerate(ready[:-1]):
            name = ("北京店", "Shanghai")[i % 2]
            # Ship-by times in the reverse of the ids, one without any: the list must sort them.
            ship_by = None if i == 0 else now + timedelta(hours=10 - i)
            s.execute(update(Order).where(Order.id == order_id).values(shop_id=ids[name], ship_by=ship_by))
            placed[name].append((ship_by is None, ship_by, order_no))
    return {name: [no for *_, no in sorted(rows, key=lambda r: (r[0], r[1] or now))] for name, rows in placed.items()}


def refreshed(qtbot, dashboard) -> dict:
    with qtbot.waitSignal(dashboard.refreshed, timeout=10_000) as blocker:
        dashboard.refresh(force=True)
    return blocker.args[0]


def column(table, col: int) -> list[str]:
    return [table.item(r, col).text() for r in range(table.rowCount())]


def test_the_ready_list_is_sorted_by_ship_by_with_the_shop_beside_each_order(qtbot, logged_in, demo_services):
    placed = two_shops(demo_services)
    d = logged_in.dashboard
    figures = refreshed(qtbot, d)
    rows = figures["ready_orders"]
    dated = [r["ship_by"] for r in rows if r["ship_by"]]
    assert dated == sorted(dated) and len(dated) == len(placed["北京店"]) + len(placed["Shanghai"]) - 1
    undated = [i for i, r in enumerate(rows) if not r["ship_by"]]
    assert undated == list(range(len(dated), len(rows)))  # orders without a ship-by after the others
    assert column(d.ready_orders, 0) == [r["order_no"] for r in rows]
    assert column(d.ready_orders, 1) == [r["shop"] or "" for r in rows]
    shop_of = {no: name for name, nos in placed.items() for no in nos}
    assert {r["order_no"]: r["shop"] for r in rows if r["shop"]} == shop_of
    # The exceptions carry their order's shop too (the demo's late orders are ready ones).
    late = [d.exception_row(r) for r in range(d.exceptions.rowCount())]
    assert late and all(cell == (row.get("shop") or "") for cell, row in zip(column(d.exceptions, 2), late, strict=True))


def test_the_shop_filter_shows_only_that_shops_orders_and_figures(qtbot, logged_in, demo_services):
    placed = two_shops(demo_services)
    d = logged_in.dashboard
    figures = refreshed(qtbot, d)
    names = [d.shop_box.itemText(i) for i in range(d.shop_box.count())]
    assert names[0] == "All shops" and {"北京店", "Shanghai"} <= set(names)
    all_ready = d.tiles["ready"].value.text()

    d.set_shop("北京店")
    assert column(d.ready_orders, 0) == placed["北京店"]  # only its orders, the earliest ship-by first
    assert set(column(d.ready_orders, 1)) == {"北京店"}
    assert d.tiles["ready"].value.text() == str(len(placed["北京店"])) == str(figures["by_shop"]["北京店"]["ready"])
    for key in ("packing", "packed", "on_hold", "cancelled"):
        assert d.tiles[key].value.text() == str(figures["by_shop"]["北京店"][key]), key
    for key in ("due_soon", "overdue"):  # the shop's own ship-by figures, red when not zero
        own = figures["by_shop"]["北京店"][key]
        assert d.tiles[key].value.text() == str(own) and d.tiles[key].alarm == (own != 0), key
        assert sum(row[key] for row in figures["by_shop"].values()) == figures[key], key
    assert figures["by_shop"]["北京店"]["due_soon"] < figures["due_soon"]  # the other shop has its own
    assert d.tiles["not_on_platform"].value.text() == "–"  # the whole site's figure
    assert all(d.exception_row(r).get("shop") == "北京店" for r in range(d.exceptions.rowCount()))

    refreshed(qtbot, d)  # a refresh keeps the filter
    assert d.shop() == "北京店" and column(d.ready_orders, 0) == placed["北京店"]
    d.set_shop("Shanghai")
    assert column(d.ready_orders, 0) == placed["Shanghai"]
    d.set_shop(None)
    assert d.tiles["ready"].value.text() == all_ready
    assert d.ready_orders.rowCount() == len(figures["ready_orders"])


def test_a_stopped_shop_is_named_in_red(qtbot, logged_in, demo_services):
    two_shops(demo_services)
    d = logged_in.dashboard
    refreshed(qtbot, d)
    assert not d.stopped_shops.isVisibleTo(logged_in)
    with demo_services.uow() as uow:
        shop_id = uow.session.scalar(select(Shop.id).where(Shop.name == "Shanghai"))
        shops.stop(uow.session, shop_id, "the access token expired (code 10019)", demo_services.clock())
    refreshed(qtbot, d)
    assert d.stopped_shops.isVisibleTo(logged_in)
    assert d.stopped_shops.text() == "Shop Shanghai stopped: the access token expired (code 10019)"
    assert "#c62828" in d.stopped_shops.styleSheet()
    states = dict(zip(column(d.shop_channels, 0), column(d.shop_channels, 1), strict=True))
    assert states == {"Shanghai": "Stopped", "北京店": "Pulling"}


def test_a_shop_filter_lists_the_shops_own_ready_orders_beyond_the_sites_first_rows(qtbot, logged_in, demo_services,
                                                                                    monkeypatch):
    """The site's ready list stops at its limit; a shop chosen in the filter gets its own first rows,
    not the part of the site's first rows that happens to be its (here: none of them)."""
    import app.reports.summary as summary

    placed = two_shops(demo_services)
    real = summary.ready_list
    monkeypatch.setattr(summary, "ready_list", lambda s, lim=summary.EXCEPTION_LIMIT, shop_id=summary._ANY_SHOP:
                        real(s, 1, shop_id))  # every list stops at one row
    d = logged_in.dashboard
    figures = refreshed(qtbot, d)
    [first] = figures["ready_orders"]
    other = next(name for name in placed if name != first["shop"])  # the shop with no row in the site's list
    d.set_shop(other)
    assert column(d.ready_orders, 0) == placed[other][:1]
    d.set_shop(first["shop"])
    assert column(d.ready_orders, 0) == [first["order_no"]] == placed[first["shop"]][:1]
