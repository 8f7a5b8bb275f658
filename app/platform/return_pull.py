"""The pull of a shop's after-sales cases (``pdd.refund.list.increment.get``) into the returns
expected at the returns bench.

The same rules as the order pull (:mod:`app.platform.puller`): windows of ``updated_at`` of at most
30 minutes ending at least 3 minutes behind the platform's clock, each window's pages read from the
last to the first, its cases and the pull's own cursor (``return_pull_cursors``) written in one
transaction once the window is read whole. Only return-and-refund cases (``after_sales_type`` 3) of
orders PackGate knows are kept: one expected return per case (``id``), the buyer's return waybill
(``tracking_number``) as its return waybill, ``outer_id`` and ``goods_number`` as the claimed line,
``after_sales_status`` and ``after_sale_reason`` as the platform said them. The same case again
updates its status, reason and waybill; it never changes a return already received.

PackGate never agrees to or refuses a refund on the platform: a person decides, with the evidence.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.returns import LineKind, Return, ReturnLine, ReturnPullCursor, ReturnState
from app.models.schema import Order, Product
from app.platform import pull_rules

API = "pdd.refund.list.increment.get"
RETURN_AND_REFUND = 3  # after_sales_type: 1 all, 2 refund only, 3 return and refund, 4 exchange, 5 resend
ALL_STATUSES = 1
WINDOW = timedelta(minutes=30)
LAG = timedelta(minutes=3)


def pull(puller, client: Any, shop, platform_now: datetime, stats) -> None:
    """Read the shop's after-sales cases since its cursor; ``stats.returns`` counts the returns expected anew.
    Raises what :meth:`Puller._call` raises (the order pull's faults)."""
    with puller._read_uow() as uow:
        cursor = uow.session.scalar(select(ReturnPullCursor.pull_cursor).where(ReturnPullCursor.shop_id == shop.id))
    cursor = cursor or shop.pull_cursor or platform_now - timedelta(days=puller.pull_days)
    cursor = max(cursor, platform_now - timedelta(days=90))
    limit = platform_now - LAG
    while cursor < limit:
        end = min(cursor + WINDOW, limit)
        cases = _window(puller, client, stats, cursor, end)
        with puller._uow() as uow:
            stats.returns += apply(uow.session, cases, puller.clock())
            _move(uow.session, shop.id, end)
        cursor = end


def _page(puller, client: Any, stats, start: datetime, end: datetime, page: int) -> tuple[int, list]:
    body = puller._call(client, stats, API, after_sales_status=ALL_STATUSES, after_sales_type=RETURN_AND_REFUND,
                        start_updated_at=int(start.timestamp()), end_updated_at=int(end.timestamp()), page=page,
                        page_size=puller.page_size)
    answer = body.get("refund_increment_get_response") or {}
    cases = answer.get("refund_list") or []
    try:
        total = int(answer.get("total_count") or 0)
    except (TypeError, ValueError):
        total = len(cases)
    return total, cases if isinstance(cases, list) else []


def _window(puller, client: Any, stats, start: datetime, end: datetime) -> list[dict[str, Any]]:
    total, first = _page(puller, client, stats, start, end, 1)
    pages = math.ceil(total / puller.page_size)
    if pages <= 1:
        return [c for c in first if isinstance(c, dict)]
    cases: dict[str, dict[str, Any]] = {}
    for page in range(pages, 0, -1):  # the last page first: nothing shifts into a page not yet read
        for case in _page(puller, client, stats, start, end, page)[1]:
            if isinstance(case, dict):
                cases.setdefault(str(case.get("id") or ""), case)
    return list(cases.values())


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def apply(s: Session, cases: list[dict[str, Any]], now: datetime) -> int:
    """Write the cases as expected returns; returns how many are new."""
    new = 0
    for case in cases:
        case_id = str(case.get("id") or "").strip()
        if not case_id or _int(case.get("after_sales_type")) != RETURN_AND_REFUND:
            continue
        order_id = s.scalar(select(Order.id).where(Order.order_no == str(case.get("order_sn") or "").strip()))
        if order_id is None:  # an order PackGate never had: nothing to check the parcel against
            continue
        waybill = str(case.get("tracking_number") or "").strip().upper() or None
        try:
            expected_at = pull_rules.platform_time(case.get("created_time"), "created_time", required=False)
        except pull_rules.Malformed:
            expected_at = None
        values = {"after_sales_status": _int(case.get("after_sales_status")),
                  "reason": str(case.get("after_sale_reason") or "")[:500]}
        known = s.execute(select(Return.id, Return.state, Return.return_waybill)
                          .where(Return.after_sales_id == case_id)).first()
        if known is not None:
            if known.state == ReturnState.EXPECTED.value and waybill and not known.return_waybill:
                values["return_waybill"] = waybill
            try:
                with s.begin_nested():
                    s.execute(update(Return).where(Return.id == known.id).values(**values))
            except IntegrityError:  # the waybill is another return's: keep the case without it
                values.pop("return_waybill", None)
                s.execute(update(Return).where(Return.id == known.id).values(**values))
            continue
        ret = Return(order_id=order_id, after_sales_id=case_id, after_sales_type=RETURN_AND_REFUND,
                     return_waybill=waybill, state=ReturnState.EXPECTED.value, expected_at=expected_at,
                     created_at=now, **values)
        try:
            with s.begin_nested():
                s.add(ret)
                s.flush()
        except IntegrityError:
            ret = Return(order_id=order_id, after_sales_id=case_id, after_sales_type=RETURN_AND_REFUND,
                         state=ReturnState.EXPECTED.value, expected_at=expected_at, created_at=now, **values)
            s.add(ret)
            s.flush()
        product = s.execute(select(Product.id, Product.sku).where(Product.sku == str(case.get("outer_id") or "").strip())).first()
        qty = _int(case.get("goods_number")) or 0
        if product is not None and qty > 0:
            s.add(ReturnLine(return_id=ret.id, kind=LineKind.CLAIMED.value, product_id=product.id, sku=product.sku,
                             qty=qty, condition="good"))
        new += 1
    s.flush()
    return new


def _move(s: Session, shop_id: int, end: datetime) -> None:
    done = s.execute(update(ReturnPullCursor).where(ReturnPullCursor.shop_id == shop_id).values(pull_cursor=end))
    if done.rowcount == 0:
        s.add(ReturnPullCursor(shop_id=shop_id, pull_cursor=end))
        s.flush()
