"""The stand-in gateway's e-waybill service (电子面单): the shop's waybill accounts at the carriers'
branches, their balances, the numbers taken and cancelled, and the carriers' standard templates.

Shapes as lywzx/pdd-node-sdk ``dianZiMianDan/PddWaybillSearch.ts`` (``wp_code`` ->
``pdd_waybill_search_response.waybill_apply_subscription_cols`` [{``wp_code``, ``wp_type``,
``branch_account_cols`` [{``branch_code``, ``branch_name``, ``quantity``, ``allocated_quantity``,
``cancel_quantity``, ``recycled_quantity``, ``shipp_address_cols`` [{``province``, ``city``,
``district``, ``detail``, ``country``}], ...}]}]), ``PddWaybillGet.ts``
(``param_waybill_cloud_print_apply_new_request`` {``wp_code``, ``sender`` {``name``, ``mobile``,
``address``}, ``trade_order_info_dtos`` [{``object_id``, ``order_info`` {``order_channels_type``,
``trade_order_list``}, ``package_info`` {``id``, ``items``, ``weight``}, ``recipient``,
``template_url``, ``user_id``}]} -> ``pdd_waybill_get_response.modules`` [{``object_id``,
``waybill_code``, ``print_data``, ``parent_waybill_code``}]), ``PddWaybillCancel.ts`` (``wp_code``,
``waybill_code`` -> ``pdd_waybill_cancel_response.cancel_result``) and
``PddCloudprintStdtemplatesGet.ts`` (``wp_code`` -> ``pdd_cloudprint_stdtemplates_get_response.result.datas``
[{``wp_code``, ``standard_templates`` [{``standard_template_id``, ``standard_template_name``,
``standard_template_url``, ``standard_waybill_type``}]}]).

The platform's rules kept here: a number costs one of the branch's ``quantity`` (none left: refused);
the sender address must be one the branch registered, field for field; a branch that cannot serve the
receiver's province gives no routing code (refused); the same order and package asked again gives the
same number (the platform's idempotence) until that number is cancelled; a cancelled number gives
its unit back and is never issued again; a number the order shipped with cannot be cancelled. The
``print_data`` is the unencrypted test form (``need_encrypt`` false), so the stand-in print component
can draw a label whose barcode is the number.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from app.platform.faults import error_response as _error

ADDRESS_FIELDS = ("province", "city", "district", "detail")
DEFAULT_ADDRESS = {"country": "中国", "province": "浙江省", "city": "杭州市", "district": "余杭区",
                   "detail": "仓前街道文一西路 1500 号 3 号仓"}
DEFAULT_BALANCE = 1000
TEMPLATE_URL = "https://file-link.pinduoduo.com/standin/{wp}_76x130"
# Numbers the carriers' rules in resources/carriers.toml accept: prefix + digits.
FORMATS = {"ZTO": ("7", 13), "YTO": ("YT", 13), "STO": ("77", 13), "YUNDA": ("4", 14), "JTSD": ("JT", 13),
           "JT": ("JT", 13), "SF": ("SF", 13), "DEPPON": ("DPK", 12)}
SERIAL_BASE = 731_000_000


@dataclass
class Branch:
    code: str
    name: str
    quantity: int = DEFAULT_BALANCE  # what remains to be taken
    allocated: int = 0  # taken so far
    cancelled: int = 0
    addresses: list[dict[str, str]] = field(default_factory=lambda: [dict(DEFAULT_ADDRESS)])
    unserved: set[str] = field(default_factory=set)  # receivers' provinces the branch cannot route

    def shape(self) -> dict[str, Any]:
        return {"branch_code": self.code, "branch_name": self.name, "quantity": self.quantity,
                "allocated_quantity": self.allocated, "cancel_quantity": self.cancelled, "recycled_quantity": 0,
                "shipp_address_cols": [dict(a) for a in self.addresses], "service_info_cols": [],
                "vas_account_cols": []}


@dataclass
class Issued:
    code: str
    shop: str
    wp_code: str
    branch: str
    object_id: str
    orders: tuple[str, ...]
    package_id: str
    cancelled: bool = False


class WaybillDesk:
    """The e-waybill side of one stand-in gateway (``gw.ewaybills``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accounts: dict[str, dict[str, list[Branch]]] = {}  # shop -> wp_code -> branches
        self.issued: dict[str, Issued] = {}  # waybill_code -> what it was taken for
        self._serial = 0

    def open_account(self, shop: str, wp_code: str, branch: str = "", *, name: str = "", quantity: int = DEFAULT_BALANCE,
                     addresses: list[dict[str, str]] | None = None) -> Branch:
        """The shop subscribes to ``wp_code``'s e-waybills at ``branch`` (a fresh branch by default)."""
        with self.lock:
            branches = self.accounts.setdefault(shop, {}).setdefault(wp_code.upper(), [])
            code = branch or f"{wp_code.upper()}-{len(branches) + 1:03d}"
            found = next((b for b in branches if b.code == code), None)
            if found is None:
                found = Branch(code, name or f"{wp_code.upper()} 杭州余杭{len(branches) + 1}部", quantity)
                branches.append(found)
            found.quantity = quantity
            if addresses is not None:
                found.addresses = [dict(a) for a in addresses]
            return found

    def open_defaults(self, shop: str) -> None:
        """A new shop's accounts: ZTO and YTO, one branch each, with the default sender address."""
        for wp in ("ZTO", "YTO"):
            if wp not in self.accounts.get(shop, {}):
                self.open_account(shop, wp)

    def branch(self, shop: str, wp_code: str, code: str | None = None) -> Branch:
        branches = self.accounts.get(shop, {}).get(wp_code.upper(), [])
        for b in branches:
            if code is None or b.code == code:
                return b
        raise KeyError(f"{shop}/{wp_code}/{code}")

    def set_quantity(self, shop: str, wp_code: str, quantity: int, branch: str | None = None) -> None:
        with self.lock:
            self.branch(shop, wp_code, branch).quantity = quantity

    def unserve(self, shop: str, wp_code: str, province: str, branch: str | None = None) -> None:
        """The branch cannot route parcels to ``province`` (its routing code comes back empty)."""
        with self.lock:
            self.branch(shop, wp_code, branch).unserved.add(province)

    def control(self, wp_code: str, shop: str = "default", quantity: int | None = None,
                unserve: str | None = None) -> None:
        """``POST /_standin/ewaybill``: a balance, or a province the branch cannot route."""
        if quantity is not None:
            self.set_quantity(shop, wp_code, int(quantity))
        if unserve:
            self.unserve(shop, wp_code, str(unserve))

    def state_of(self, code: str) -> str:
        with self.lock:
            issued = self.issued.get(code)
            return "unknown" if issued is None else "cancelled" if issued.cancelled else "issued"

    # ------------------------------------------------------------------ the APIs

    def search(self, shop: str, p: dict[str, str]) -> dict[str, Any]:
        wp = (p.get("wp_code") or "").upper()
        with self.lock:
            cols = [{"wp_code": code, "wp_type": 1, "branch_account_cols": [b.shape() for b in branches]}
                    for code, branches in sorted(self.accounts.get(shop, {}).items()) if not wp or code == wp]
        return {"pdd_waybill_search_response": {"waybill_apply_subscription_cols": cols}}

    def templates(self, p: dict[str, str]) -> dict[str, Any]:
        wps = [(p.get("wp_code") or "").upper()] if p.get("wp_code") else sorted(FORMATS)
        datas = [{"wp_code": wp, "standard_templates": [{
            "standard_template_id": 1000 + i, "standard_template_name": f"{wp} 一联单 76x130",
            "standard_template_url": TEMPLATE_URL.format(wp=wp.lower()), "standard_waybill_type": 1}]}
            for i, wp in enumerate(wps)]
        return {"pdd_cloudprint_stdtemplates_get_response": {"result": {"datas": datas}}}

    def get(self, shop: str, p: dict[str, str], order_province: Any) -> dict[str, Any]:

        try:
            req = json.loads(p.get("param_waybill_cloud_print_apply_new_request") or "")
            wp = str(req["wp_code"]).upper()
            sender = req["sender"]
            address = {k: str(sender["address"].get(k, "")) for k in ADDRESS_FIELDS}
            dtos = req["trade_order_info_dtos"]
            if not isinstance(dtos, list) or not 1 <= len(dtos) <= 10 or not sender.get("name"):
                raise ValueError("trade_order_info_dtos: 1 to 10 entries; sender.name required")
            for dto in dtos:
                _ = (dto["object_id"], dto["order_info"]["trade_order_list"], dto["template_url"], dto["user_id"],
                     dto["package_info"]["items"])
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return _error(10000, "参数错误", "isv.invalid-parameter",
                          f"param_waybill_cloud_print_apply_new_request 不合法: {exc}")
        modules = []
        with self.lock:
            branches = self.accounts.get(shop, {}).get(wp, [])
            if not branches:
                return _error(50010, "业务错误", "waybill_account_not_found", f"未开通 {wp} 电子面单服务")
            branch = next((b for b in branches if any(_same(address, a) for a in b.addresses)), None)
            if branch is None:
                return _error(50010, "业务错误", "sender_address_not_match",
                              "发货地址与网点签约地址不一致, 请使用订购关系中的发货地址")
            known = {TEMPLATE_URL.format(wp=wp.lower())}
            for dto in dtos:
                if dto["template_url"] not in known:
                    return _error(50010, "业务错误", "template_url_invalid", f"模板地址不存在: {dto['template_url']}")
                orders = tuple(str(o) for o in dto["order_info"]["trade_order_list"])
                package = str(dto["package_info"].get("id") or "")
                again = next((i for i in self.issued.values() if not i.cancelled and i.shop == shop and i.wp_code == wp
                              and i.orders == orders and i.package_id == package), None)
                if again is not None:
                    modules.append(self._module(again, dto, sender, wp))
                    continue
                province = str(((dto.get("recipient") or {}).get("address") or {}).get("province")
                               or order_province(orders[0]) or "")
                if province in branch.unserved:
                    return _error(50010, "业务错误", "routing_code_empty",
                                  f"大头笔/路由信息为空: 网点 {branch.name} 无法派送到 {province}")
                if branch.quantity <= 0:
                    return _error(50010, "业务错误", "waybill_balance_insufficient",
                                  f"电子面单余额不足: 网点 {branch.name} 可用单量为 0, 请联系网点充值")
                branch.quantity -= 1
                branch.allocated += 1
                self._serial += 1
                prefix, width = FORMATS.get(wp, (wp[:2], 13))
                code = f"{prefix}{SERIAL_BASE + self._serial:0{width}d}"
                issued = Issued(code, shop, wp, branch.code, str(dto["object_id"]), orders, package)
                self.issued[code] = issued
                modules.append(self._module(issued, dto, sender, wp))
        return {"pdd_waybill_get_response": {"modules": modules}}

    def cancel(self, shop: str, p: dict[str, str], shipped_with: Any) -> dict[str, Any]:

        code, wp = p.get("waybill_code", ""), (p.get("wp_code") or "").upper()
        with self.lock:
            issued = self.issued.get(code)
            if issued is None or issued.shop != shop or issued.wp_code != wp:
                return _error(50010, "业务错误", "waybill_not_found", f"面单号 {code} 不存在")
            if issued.cancelled:
                return _error(50010, "业务错误", "waybill_already_cancelled", f"面单号 {code} 已取消")
            if any(shipped_with(o) == code for o in issued.orders):
                return _error(50010, "业务错误", "waybill_already_used", f"面单号 {code} 已发货, 不能取消")
            issued.cancelled = True
            branch = self.branch(shop, wp, issued.branch)
            branch.cancelled += 1
            branch.quantity += 1
        return {"pdd_waybill_cancel_response": {"cancel_result": True}}

    @staticmethod
    def _module(issued: Issued, dto: dict[str, Any], sender: dict[str, Any], wp: str) -> dict[str, Any]:
        data = {"waybillCode": issued.code, "wpCode": wp, "objectId": str(dto["object_id"]),
                "orders": list(issued.orders), "packageId": issued.package_id,
                "routingInfo": {"bigShotName": "杭州转", "sortCode": "310-01"},
                "sender": {"name": sender.get("name", ""), "mobile": sender.get("mobile") or sender.get("phone") or "",
                           "address": sender.get("address", {})},
                "weight": dto["package_info"].get("weight")}
        print_data = {"data": data, "templateURL": dto["template_url"], "signature": "STANDIN-UNENCRYPTED",
                      "ver": "standin-1"}
        return {"object_id": str(dto["object_id"]), "waybill_code": issued.code, "parent_waybill_code": "",
                "print_data": json.dumps(print_data, ensure_ascii=False)}


def _same(given: dict[str, str], registered: dict[str, str]) -> bool:
    return all(given.get(k, "") == str(registered.get(k, "")) for k in ADDRESS_FIELDS)
