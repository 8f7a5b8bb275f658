"""One signed call to the Pinduoduo Open Platform's router (``POST`` form, httpx): the client every
PDD caller shares (the channel, the order pull, the pickup watch, the e-waybill service). Shapes
and sources: :mod:`app.platform.pdd`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from app.platform.config import PDD_ENDPOINT, read_secret
from app.platform.faults import Verdict, classify
from app.platform.signing import pdd_sign


class PddClient:
    """Signs and posts one call; the secret and token are read from their files when built."""

    def __init__(self, client_id: str, secret: str, token: str, endpoint: str = PDD_ENDPOINT, *,
                 timeout: float = 10.0, clock: Callable[[], float] = time.time) -> None:
        self.client_id, self._secret, self._token, self.endpoint = client_id, secret, token, endpoint
        self._clock = clock
        self._http = httpx.Client(timeout=timeout, limits=httpx.Limits(max_connections=32, max_keepalive_connections=32))

    @classmethod
    def from_options(cls, options: dict[str, Any], **kw) -> PddClient:
        return cls(str(options["client_id"]), read_secret(options["client_secret_file"]),
                   read_secret(options["access_token_file"]), options.get("endpoint") or PDD_ENDPOINT, **kw)

    def params(self, api: str, business: dict[str, Any]) -> dict[str, str]:
        params = {"type": api, "client_id": self.client_id, "access_token": self._token,
                  "timestamp": str(int(self._clock())), "data_type": "JSON", "version": "V1"}
        params.update({k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict)
                       else str(v) for k, v in business.items()})
        params["sign"] = pdd_sign(params, self._secret)
        return params

    def call(self, api: str, **business) -> tuple[Verdict, dict[str, Any] | None]:
        try:
            answer = self._http.post(self.endpoint, data=self.params(api, business))
        except httpx.HTTPError as exc:  # connect, read, timeout, dropped connection
            return classify(None, None, f"{type(exc).__name__}: {exc}".strip(": ")), None
        try:
            body = answer.json()
        except ValueError:
            body = None
        return classify(answer.status_code, body), body if isinstance(body, dict) else None

    def close(self) -> None:
        self._http.close()
