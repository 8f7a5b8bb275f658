"""An e-waybill as the print component takes it: the platform's ``print_data`` (encrypted on the real
platform; only its component renders it) and a custom area with the order's items.

The components' protocols are in :mod:`app.printing.component`; this is the plain document both
doors carry (an Outcome's print request on the wire)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EwaybillData:
    order_no: str
    seq: int
    carrier_code: str
    waybill_code: str = ""  # "" until taken from the platform
    print_data: str = ""  # the platform's print data, as it gave it (a JSON text)
    items: tuple[tuple[str, int], ...] = ()  # (name, count): the custom area under the carrier's part

    @property
    def taken(self) -> bool:
        return bool(self.waybill_code and self.print_data)

    @property
    def document_id(self) -> str:
        return f"{self.order_no}-{self.seq}-{self.waybill_code}"

    def contents(self, custom_template_url: str = "") -> list[dict[str, Any]]:
        """The document's ``contents``: the platform's print data as given, then the custom area."""
        try:
            platform: Any = json.loads(self.print_data)
        except ValueError:
            platform = self.print_data
        out: list[dict[str, Any]] = [platform]
        if self.items:
            out.append({"templateURL": custom_template_url,
                        "data": {"orderNo": self.order_no, "parcel": self.seq,
                                 "items": [{"name": n, "count": c} for n, c in self.items]}})
        return out
