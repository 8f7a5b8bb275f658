"""Order import from the shop's CSV or XLSX export (Qt-free)."""

from app.imports.orders import (
    DEFAULT_MAX_BYTES,
    ImportReport,
    ImportRow,
    ParsedImport,
    import_orders,
    read_order_file,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ImportReport",
    "ImportRow",
    "ParsedImport",
    "import_orders",
    "read_order_file",
]
