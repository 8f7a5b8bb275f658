"""The webhook channel, for an ERP: one JSON POST per job, signed with HMAC-SHA256 of the raw body
in ``X-PackGate-Signature: sha256=<hex>``; any 2xx confirms, 408/429/5xx and network errors retry,
another 4xx fails with the receiver's words."""

from __future__ import annotations

import json
from typing import Any

import httpx

from app.platform.config import masked_urls, read_secret
from app.platform.outbox import Job, Result
from app.platform.signing import webhook_signature

HEADER = "X-PackGate-Signature"


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, secret: str, *, logistics_id=lambda code: None, timeout: float = 10.0) -> None:
        self.url, self._secret, self._logistics_id = url, secret, logistics_id
        self._http = httpx.Client(timeout=timeout)

    @classmethod
    def from_options(cls, options: dict[str, Any], **kw) -> WebhookChannel:
        return cls(options["url"], read_secret(options["secret_file"]), **kw)

    @staticmethod
    def payload(job: Job, logistics_id: int | None) -> dict[str, Any]:
        return {"job": job.id, "event": job.kind, "order_no": job.order_no, "parcel": job.parcel_seq,
                "carrier": job.carrier_code, "logistics_id": logistics_id, "tracking_number": job.tracking_number}

    def send(self, job: Job) -> Result:
        lid = self._logistics_id(job.carrier_code)
        body = json.dumps(self.payload(job, lid), ensure_ascii=False, sort_keys=True).encode()
        try:
            answer = self._http.post(self.url, content=body, headers={"Content-Type": "application/json",
                                                                       HEADER: webhook_signature(body, self._secret)})
        except httpx.HTTPError as exc:
            return Result(job.id, "retry", f"no answer from {masked_urls(self.url)}: {type(exc).__name__}")
        if 200 <= answer.status_code < 300:
            return Result(job.id, "confirmed", platform_number=job.tracking_number, logistics_id=lid)
        text = masked_urls(answer.text.strip().replace("\n", " ")[:200])  # an ERP may quote the URL it was called at
        if answer.status_code in (408, 429) or answer.status_code >= 500:
            return Result(job.id, "retry", f"the ERP answered HTTP {answer.status_code} {text}".strip())
        return Result(job.id, "failed", f"the ERP refused (HTTP {answer.status_code}): {text}".strip())

    def close(self) -> None:
        self._http.close()
