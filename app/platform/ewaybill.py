"""The platform's e-waybill service (电子面单) through the PDD gateway: the shop's accounts at the
carriers' branches (``pdd.waybill.search``), the carriers' standard templates
(``pdd.cloudprint.stdtemplates.get``), a number for one parcel (``pdd.waybill.get``) and its cancel
(``pdd.waybill.cancel``).

Shapes as lywzx/pdd-node-sdk ``dianZiMianDan/PddWaybillSearch.ts``, ``PddWaybillGet.ts``,
``PddWaybillCancel.ts`` and ``PddCloudprintStdtemplatesGet.ts`` (field by field in
:mod:`app.platform.standin_ewaybill`). Answers are sorted by :func:`app.platform.faults.classify`:
a refusal keeps the platform's own words; only network faults and a busy platform are retried, with
backoff, within :data:`TAKE_DEADLINE_S`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.platform.faults import Verdict
from app.platform.pdd_client import PddClient

ADDRESS_FIELDS = ("province", "city", "district", "detail")
TAKE_DEADLINE_S = 10.0
ALREADY_CANCELLED = frozenset({"waybill_already_cancelled"})
WP_CODES = {"JT": "JTSD"}  # PackGate's carrier code -> the platform's wp_code, where they differ


def wp_code(carrier_code: str) -> str:
    return WP_CODES.get(carrier_code.upper(), carrier_code.upper())


@dataclass(frozen=True)
class BranchAccount:
    """One branch of a carrier the shop takes e-waybills from, with its balance and the sender
    addresses registered with it (to be sent exactly as registered)."""

    wp_code: str
    branch_code: str
    branch_name: str
    quantity: int
    allocated: int
    cancelled: int
    addresses: tuple[dict[str, str], ...]

    def as_json(self) -> dict[str, Any]:
        return {"wp_code": self.wp_code, "branch_code": self.branch_code, "branch_name": self.branch_name,
                "quantity": self.quantity, "allocated_quantity": self.allocated, "cancel_quantity": self.cancelled,
                "addresses": [dict(a) for a in self.addresses]}


@dataclass(frozen=True)
class WaybillAsk:
    """What ``pdd.waybill.get`` needs for one parcel."""

    wp_code: str
    sender_name: str
    sender_mobile: str
    address: dict[str, str]  # exactly as the branch registered it
    object_id: str  # ours, echoed back: the parcel's id
    order_no: str
    package_id: str  # the parcel's seq
    items: Sequence[tuple[str, int]]
    weight_g: int | None
    template_url: str
    user_id: str = ""
    recipient: dict[str, Any] | None = None

    def request(self) -> dict[str, Any]:
        package: dict[str, Any] = {"id": self.package_id,
                                   "items": [{"name": name, "count": int(count)} for name, count in self.items]}
        if self.weight_g:
            package["weight"] = int(self.weight_g)
        dto: dict[str, Any] = {"object_id": self.object_id,
                               "order_info": {"order_channels_type": "PDD", "trade_order_list": [self.order_no]},
                               "package_info": package, "template_url": self.template_url, "user_id": self.user_id}
        if self.recipient:
            dto["recipient"] = self.recipient
        return {"wp_code": self.wp_code, "need_encrypt": False,
                "sender": {"name": self.sender_name, "mobile": self.sender_mobile, "address": dict(self.address)},
                "trade_order_info_dtos": [dto]}


@dataclass(frozen=True)
class Taken:
    waybill_code: str
    print_data: str  # the platform's print data, as given (encrypted on the real platform)


@dataclass(frozen=True)
class TakeResult:
    """``kind``: ok (``taken`` set), refused (the platform's words), stop (credentials), retry (no
    answer within the deadline)."""

    kind: str
    message: str = ""
    taken: Taken | None = None
    attempts: int = 1


@dataclass
class PddWaybills:
    client: PddClient
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    deadline_s: float = TAKE_DEADLINE_S
    templates_seen: dict[str, str] = field(default_factory=dict)

    def accounts(self, wp_code: str | None = None) -> tuple[Verdict, list[BranchAccount]]:
        verdict, body = self.client.call("pdd.waybill.search", **({"wp_code": wp_code} if wp_code else {}))
        out: list[BranchAccount] = []
        cols = (body or {}).get("pdd_waybill_search_response", {}).get("waybill_apply_subscription_cols", []) or []
        for col in cols:
            for b in col.get("branch_account_cols", []) or []:
                out.append(BranchAccount(
                    str(col.get("wp_code", "")), str(b.get("branch_code", "")), str(b.get("branch_name", "")),
                    _int(b.get("quantity")), _int(b.get("allocated_quantity")), _int(b.get("cancel_quantity")),
                    tuple({k: str(a.get(k, "")) for k in ("country", *ADDRESS_FIELDS)}
                          for a in b.get("shipp_address_cols", []) or [])))
        return verdict, out

    def templates(self, wp_code: str | None = None) -> tuple[Verdict, dict[str, str]]:
        """wp_code -> the URL of its first standard template."""
        verdict, body = self.client.call("pdd.cloudprint.stdtemplates.get", **({"wp_code": wp_code} if wp_code else {}))
        datas = (body or {}).get("pdd_cloudprint_stdtemplates_get_response", {}).get("result", {}).get("datas", []) or []
        out = {str(d.get("wp_code")): str(t.get("standard_template_url"))
               for d in datas for t in (d.get("standard_templates") or [])[:1]}
        return verdict, out

    def get(self, ask: WaybillAsk) -> tuple[Verdict, Taken | None]:
        verdict, body = self.client.call("pdd.waybill.get", param_waybill_cloud_print_apply_new_request=ask.request())
        if verdict.kind != "ok":
            return verdict, None
        modules = (body or {}).get("pdd_waybill_get_response", {}).get("modules", []) or []
        mine = next((m for m in modules if str(m.get("object_id")) == ask.object_id), None)
        if mine is None or not mine.get("waybill_code"):
            return Verdict("failed", "the platform answered without a number for this parcel"), None
        data = mine.get("print_data")
        return verdict, Taken(str(mine["waybill_code"]), data if isinstance(data, str) else json.dumps(data))

    def take(self, ask: WaybillAsk) -> TakeResult:
        """``get`` with the network's faults retried (backoff 0.5, 1, 2, 4 s) within the deadline."""
        start, attempts, wait = self.monotonic(), 0, 0.5
        while True:
            attempts += 1
            verdict, taken = self.get(ask)
            if taken is not None:
                return TakeResult("ok", taken=taken, attempts=attempts)
            if verdict.kind != "retry":
                return TakeResult("stop" if verdict.kind == "stop" else "refused", verdict.message, attempts=attempts)
            if self.monotonic() - start + wait > self.deadline_s:
                return TakeResult("retry", verdict.message, attempts=attempts)
            self.sleep(wait)
            wait *= 2

    def cancel(self, wp_code: str, waybill_code: str) -> Verdict:
        """ok when the platform cancelled it (or had already: a cancel is sent at least once)."""
        verdict, body = self.client.call("pdd.waybill.cancel", wp_code=wp_code, waybill_code=waybill_code)
        if verdict.kind == "ok":
            if (body or {}).get("pdd_waybill_cancel_response", {}).get("cancel_result"):
                return verdict
            return Verdict("failed", "the platform did not cancel the number (cancel_result false)")
        sub = str(((body or {}).get("error_response") or {}).get("sub_code") or "")
        return Verdict("ok", verdict.message) if sub in ALREADY_CANCELLED else verdict


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
