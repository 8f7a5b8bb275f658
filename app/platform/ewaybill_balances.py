"""E-waybill balances kept as the platform last reported them (issue 21): ``pdd.waybill.search`` per
enabled shop, read by the sender's loop every ``ewaybill_balance_minutes`` and by ``packgate ewaybill
figures``, stored in ``ewaybill_balances`` so the supervisor's figures (run at every push) read the
database only. A shop whose call failed keeps its balances last read, with the platform's words
beside them until a call succeeds again."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models.schema import EwaybillBalance, Shop
from app.platform.config import masked_urls
from app.platform.ewaybill import BranchAccount
from app.platform.faults import Verdict

log = logging.getLogger(__name__)


def store(s: Session, shop_id: int, verdict: Verdict, accounts: Sequence[BranchAccount], now: datetime) -> None:
    """What one ``pdd.waybill.search`` of the shop answered: its branch accounts replace the stored
    ones; a failure replaces only the shop's error row."""
    s.execute(delete(EwaybillBalance).where(EwaybillBalance.shop_id == shop_id, EwaybillBalance.wp_code == ""))
    if verdict.kind != "ok":
        s.add(EwaybillBalance(shop_id=shop_id, error=masked_urls(verdict.message) or verdict.kind, read_at=now))
        return
    s.execute(delete(EwaybillBalance).where(EwaybillBalance.shop_id == shop_id))
    seen: set[tuple[str, str]] = set()
    for a in accounts:
        if not a.wp_code or (a.wp_code, a.branch_code) in seen:
            continue
        seen.add((a.wp_code, a.branch_code))
        s.add(EwaybillBalance(shop_id=shop_id, wp_code=a.wp_code, branch_code=a.branch_code,
                              branch_name=a.branch_name, quantity=a.quantity, used=max(0, a.allocated),
                              cancelled=max(0, a.cancelled), read_at=now))


def stored(s: Session, low: int) -> list[dict[str, Any]]:
    """Every enabled shop's stored rows, by shop, carrier and branch: ``{shop, wp_code, branch_code, branch_name,
    quantity, used, cancelled, read_at, low}`` or, for a shop whose last call failed, ``{shop, error,
    read_at}``."""
    rows = s.execute(select(Shop.name, EwaybillBalance).join(Shop, Shop.id == EwaybillBalance.shop_id)
                     .where(Shop.enabled)
                     .order_by(Shop.name, EwaybillBalance.wp_code, EwaybillBalance.branch_code)).all()
    out: list[dict[str, Any]] = []
    for name, b in rows:
        read_at = b.read_at.isoformat(timespec="seconds") if b.read_at else None
        if not b.wp_code:
            out.append({"shop": name, "error": b.error, "read_at": read_at})
            continue
        out.append({"shop": name, "wp_code": b.wp_code, "branch_code": b.branch_code, "branch_name": b.branch_name,
                    "quantity": int(b.quantity), "used": int(b.used), "cancelled": int(b.cancelled),
                    "read_at": read_at, "low": int(b.quantity) < int(low)})
    return out


def _waybills(options: dict[str, Any]) -> Any:
    from app.platform.ewaybill import PddWaybills
    from app.platform.pdd_client import PddClient

    return PddWaybills(PddClient.from_options(options))


class BalanceWatch:
    """One pass (``run_once``): every enabled shop's accounts read and stored, one transaction per shop."""

    def __init__(self, uow: Callable[[], Any], clock: Callable[[], datetime], *,
                 read_uow: Callable[[], Any] | None = None,
                 waybills_for: Callable[[dict[str, Any]], Any] = _waybills) -> None:
        self._uow, self._read_uow, self.clock, self.waybills_for = uow, read_uow or uow, clock, waybills_for

    def refresh(self, shop: Any) -> Verdict:
        try:
            waybills = self.waybills_for(shop.options)
        except Exception as exc:  # noqa: BLE001 - a shop without readable credentials: its error, stored
            verdict, accounts = Verdict("stop", f"no e-waybill client: {exc}"), []
        else:
            try:
                verdict, accounts = waybills.accounts()
            finally:
                waybills.client.close()
        with self._uow() as uow:
            store(uow.session, shop.id, verdict, accounts, self.clock())
        return verdict

    def run_once(self, shop_names: Sequence[str] | None = None) -> dict[str, Verdict]:
        from app.platform import shops

        with self._read_uow() as uow:
            found = [s for s in shops.all_shops(uow.session)
                     if (s.name in shop_names if shop_names is not None else s.enabled)]
        return {shop.name: self.refresh(shop) for shop in found}

    def close(self) -> None:
        pass


def make_balance_watch(services: Any, **kw) -> BalanceWatch:
    return BalanceWatch(services.uow, services.clock, read_uow=services.read_uow, **kw)
