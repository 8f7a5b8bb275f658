"""Carrier catalogue and waybill rules (pattern + check digit), free of Qt.

The carriers and the forms of their waybill numbers are data in ``resources/carriers.toml``; the
check-digit algorithms they name live in :mod:`app.carriers.checksums`.
"""

from app.carriers.catalogue import (
    Carrier,
    CarrierCatalogue,
    WaybillCheck,
    WaybillRule,
    load_catalogue,
    normalize_waybill,
    validate_waybill,
)

__all__ = [
    "Carrier",
    "CarrierCatalogue",
    "WaybillCheck",
    "WaybillRule",
    "load_catalogue",
    "normalize_waybill",
    "validate_waybill",
]
