"""The narrow port the bench's printer takes a parcel's e-waybill through (SQLAlchemy-free, like the
bench's port): implemented over the platform in :mod:`app.platform.ewaybill_bench`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class TakeAnswer:
    """``ok``: the number and print data; else ``message`` in the platform's words (``kind``:
    refused, stop (credentials), retry (no answer in time))."""

    ok: bool
    waybill_code: str = ""
    print_data: str = ""
    message: str = ""
    kind: str = "ok"


class EwaybillTaker(Protocol):
    def take(self, order_id: int, seq: int) -> TakeAnswer:
        """Ask the platform for the parcel's number (or give back the one stored), never inside a
        database transaction; store it before answering."""
        ...
