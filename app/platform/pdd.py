"""The Pinduoduo Open Platform channel (``POST`` form to the router endpoint, httpx).

Request and response shapes checked against the TypeScript definitions of lywzx/pdd-node-sdk
(``packages/pdd-origin-api/src/wuLiu/PddLogisticsOnlineSend.ts``: ``order_sn``, ``logistics_id``,
``tracking_number`` -> ``logistics_online_send_response.is_success``;
``dingDan/PddOrderUploadExtraLogistics.ts``: ``order_sn``, ``extra_track_list`` [{``shipping_id``,
``tracking_number``}] -> ``upload_extra_logistics_response.success``; ``dingDan/PddOrderStatusGet.ts``:
``order_sns`` (comma separated, up to 50) -> ``order_status_get_response.order_status_list``
[{``orderSn``, ``order_status``, ``refund_status``}]) and the C# models of niltor/open-pdd-net-sdk
(``order_info_get_response.order_info``); errors as ``error_response`` {``error_code``,
``error_msg``, ``sub_code``, ``sub_msg``, ``request_id``} (dtapps/go-library ``ApiError``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from app.platform.faults import Verdict
from app.platform.outbox import Job, Result
from app.platform.pdd_client import PddClient  # re-exported: app.platform.pdd.PddClient

STATUS_BATCH = 50  # pdd.order.status.get takes up to 50 order numbers


class PddChannel:
    name = "pdd"

    def __init__(self, client: PddClient, logistics_id: Callable[[str], int | None]) -> None:
        self.client = client
        self._logistics_id = logistics_id

    def send(self, job: Job) -> Result:
        if job.kind == "ewaybill_cancel":
            return self._cancel_ewaybill(job)
        if job.kind in ("unlink", "cancel"):
            what = "unlinked" if job.kind == "unlink" else "cancelled the order after"
            return Result(job.id, "failed", f"PackGate {what} {job.tracking_number} but the platform may hold it for "
                                            f"order {job.order_no}: correct the shipment in the shop's back office",
                          went_out=False)
        lid = self._logistics_id(job.carrier_code)
        if lid is None:
            return Result(job.id, "failed", f"no pdd_logistics_id for carrier {job.carrier_code}: add it to "
                                            f"carriers.toml or run `packgate platform carriers`", went_out=False)
        if job.kind == "ship":
            verdict, body = self.client.call("pdd.logistics.online.send", order_sn=job.order_no, logistics_id=lid,
                                             tracking_number=job.tracking_number)
            ok = verdict.kind == "ok" and bool((body or {}).get("logistics_online_send_response", {}).get("is_success"))
        else:
            verdict, body = self.client.call("pdd.order.upload.extra.logistics", order_sn=job.order_no,
                                             extra_track_list=[{"shipping_id": lid, "tracking_number": job.tracking_number}])
            ok = verdict.kind == "ok" and bool((body or {}).get("upload_extra_logistics_response", {}).get("success"))
        if ok:
            return Result(job.id, "confirmed", logistics_id=lid, platform_number=job.tracking_number)
        if verdict.kind == "ok":
            return Result(job.id, "failed", "the platform did not confirm the shipment (is_success false)", logistics_id=lid)
        if verdict.kind == "shipped" and job.kind == "ship":
            return self._check_shipped(job, lid, verdict)
        kind = {"retry": "retry", "stop": "stop"}.get(verdict.kind, "failed")
        return Result(job.id, kind, verdict.message, logistics_id=lid, went_out=kind != "stop")

    def _cancel_ewaybill(self, job: Job) -> Result:
        """An unused e-waybill back to the platform (``pdd.waybill.cancel``); a repeat is no error."""
        from app.platform.ewaybill import PddWaybills, wp_code

        verdict = PddWaybills(self.client).cancel(wp_code(job.carrier_code), job.tracking_number)
        if verdict.kind == "ok":
            return Result(job.id, "confirmed", platform_number=job.tracking_number)
        kind = {"retry": "retry", "stop": "stop"}.get(verdict.kind, "failed")
        return Result(job.id, kind, f"the platform did not cancel e-waybill {job.tracking_number}: {verdict.message}",
                      went_out=kind != "stop")

    def _check_shipped(self, job: Job, lid: int, verdict: Verdict) -> Result:
        """Already shipped: read the platform's number back instead of assuming it is ours."""
        check, body = self.client.call("pdd.order.information.get", order_sn=job.order_no)
        if check.kind != "ok" or body is None:
            kind = "stop" if check.kind == "stop" else "retry"
            return Result(job.id, kind, f"already shipped on the platform; reading its number back failed: {check.message}",
                          logistics_id=lid)
        info = body.get("order_info_get_response", {}).get("order_info", {}) or {}
        theirs = str(info.get("tracking_number") or "")
        if theirs.upper() == job.tracking_number.upper():
            return Result(job.id, "confirmed", logistics_id=lid, platform_number=theirs)
        return Result(job.id, "failed", f"the platform holds {theirs or '(no number)'} for this order; PackGate "
                                        f"linked {job.tracking_number}", logistics_id=lid, platform_number=theirs or None)

    def order_states(self, order_nos: Sequence[str]) -> tuple[Verdict, dict[str, tuple[int, int]]]:
        """``order_no -> (order_status, refund_status)`` for up to 50 orders."""
        verdict, body = self.client.call("pdd.order.status.get", order_sns=",".join(order_nos[:STATUS_BATCH]))
        out: dict[str, tuple[int, int]] = {}
        if verdict.kind == "ok" and body:
            for row in body.get("order_status_get_response", {}).get("order_status_list", []) or []:
                try:
                    out[str(row["orderSn"])] = (int(row["order_status"]), int(row["refund_status"]))
                except (KeyError, TypeError, ValueError):
                    continue
        return verdict, out

    def companies(self) -> tuple[Verdict, list[dict[str, Any]]]:
        verdict, body = self.client.call("pdd.logistics.companies.get")
        rows = (body or {}).get("logistics_companies_get_response", {}).get("logistics_companies", []) or []
        return verdict, [r for r in rows if isinstance(r, dict)]

    def close(self) -> None:
        self.client.close()
