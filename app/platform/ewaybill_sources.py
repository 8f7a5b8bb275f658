"""Where each shop's carrier takes its waybills from (``waybill_sources``): ``scan``, ``pool`` or
``pdd`` (an e-waybill from the shop's platform account at a branch, with the sender address exactly
as the branch registered it and the carrier's standard template, refreshed daily).

``packgate ewaybill accounts`` lists what the platform offers (:meth:`PddWaybills.accounts`);
``packgate ewaybill use`` stores the choice here, audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import KnownError
from app.models.schema import WAYBILL_SOURCES, Carrier, WaybillSource
from app.platform.ewaybill import BranchAccount, PddWaybills, wp_code

TEMPLATE_MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class SourceConfig:
    """A source as plain data (the worker taking numbers never holds an ORM object)."""

    shop_id: int
    carrier_code: str
    source: str
    branch_code: str = ""
    branch_name: str = ""
    address: dict[str, str] | None = None
    template_url: str = ""
    template_at: datetime | None = None

    def template_stale(self, now: datetime) -> bool:
        return not self.template_url or self.template_at is None or now - self.template_at > TEMPLATE_MAX_AGE

    def as_json(self) -> dict[str, Any]:
        return {"carrier": self.carrier_code, "source": self.source, "branch_code": self.branch_code,
                "branch_name": self.branch_name, "address": self.address, "template_url": self.template_url}


def _plain(row: WaybillSource) -> SourceConfig:
    return SourceConfig(row.shop_id, row.carrier_code, row.source, row.branch_code, row.branch_name,
                        json.loads(row.sender_address) if row.sender_address else None, row.template_url,
                        row.template_at)


def sources(s: Session, shop_id: int) -> list[SourceConfig]:
    rows = s.scalars(select(WaybillSource).where(WaybillSource.shop_id == shop_id).order_by(WaybillSource.carrier_code))
    return [_plain(r) for r in rows]


def source_for(s: Session, shop_id: int | None, carrier_code: str | None) -> SourceConfig | None:
    if shop_id is None or carrier_code is None:
        return None
    row = s.scalar(select(WaybillSource).where(WaybillSource.shop_id == shop_id,
                                               WaybillSource.carrier_code == carrier_code))
    return _plain(row) if row is not None else None


def choose(accounts: list[BranchAccount], wp_code: str, branch: str | None, address: int) -> tuple[BranchAccount, dict]:
    """The branch (the only one, or ``branch``) and its ``address``-th registered address (1-based)."""
    mine = [a for a in accounts if a.wp_code.upper() == wp_code.upper()]
    if not mine:
        raise KnownError(f"the shop has no e-waybill account for {wp_code}: subscribe on the platform first "
                         f"(`packgate ewaybill accounts` lists what it has)")
    if branch:
        mine = [a for a in mine if a.branch_code == branch]
        if not mine:
            raise KnownError(f"no branch {branch} for {wp_code}: see `packgate ewaybill accounts`")
    elif len(mine) > 1:
        raise KnownError(f"{wp_code} has {len(mine)} branches ({', '.join(a.branch_code for a in mine)}): "
                         f"choose one with --branch CODE")
    account = mine[0]
    if not 1 <= address <= len(account.addresses):
        raise KnownError(f"branch {account.branch_code} registered {len(account.addresses)} sender address(es): "
                         f"--address 1..{len(account.addresses)}")
    return account, dict(account.addresses[address - 1])


def from_platform(waybills: PddWaybills, carrier_code: str, branch: str | None = None,
                  address: int = 1) -> tuple[BranchAccount, dict, str]:
    """The branch, its registered address and the carrier's standard template, as the platform lists them."""
    wp = wp_code(carrier_code)
    verdict, accounts = waybills.accounts(wp)
    if verdict.kind != "ok":
        raise KnownError(f"the platform did not list the shop's e-waybill accounts: {verdict.message}")
    account, chosen = choose(accounts, wp, branch, address)
    verdict, templates = waybills.templates(wp)
    template = templates.get(wp, "")
    if not template:
        raise KnownError(f"the platform gave no standard template for {carrier_code}: {verdict.message}")
    return account, chosen, template


def use(s: Session, shop_id: int, carrier_code: str, source: str, now: datetime, *,
        account: BranchAccount | None = None, address: dict[str, str] | None = None,
        template_url: str = "") -> SourceConfig:
    """Set the carrier's source for the shop (insert or update)."""
    if source not in WAYBILL_SOURCES:
        raise KnownError(f"unknown waybill source {source!r}: {', '.join(WAYBILL_SOURCES)}")
    if s.get(Carrier, carrier_code) is None:
        raise KnownError(f"unknown carrier {carrier_code}")
    row = s.scalar(select(WaybillSource).where(WaybillSource.shop_id == shop_id,
                                               WaybillSource.carrier_code == carrier_code))
    if row is None:
        row = WaybillSource(shop_id=shop_id, carrier_code=carrier_code)
        s.add(row)
    row.source = source
    row.branch_code = account.branch_code if account and source == "pdd" else ""
    row.branch_name = account.branch_name if account and source == "pdd" else ""
    row.sender_address = json.dumps(address, ensure_ascii=False, sort_keys=True) if address and source == "pdd" else ""
    row.template_url = template_url if source == "pdd" else ""
    row.template_at = now if template_url and source == "pdd" else None
    row.updated_at = now
    s.flush()
    return _plain(row)


def refresh_template(s: Session, shop_id: int, carrier_code: str, url: str, now: datetime) -> None:
    row = s.scalar(select(WaybillSource).where(WaybillSource.shop_id == shop_id,
                                               WaybillSource.carrier_code == carrier_code))
    if row is not None and url:
        row.template_url, row.template_at = url, now
