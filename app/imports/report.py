"""The report of an order import: what was added, skipped, held or refused, and its text (Qt-free)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HeldOrder:
    """An order the file shows with an after-sales case (or as no longer to ship while PackGate still
    has it ready), and what the import did about it."""

    line: int
    order_no: str
    status: str  # the file's after-sales or order state text, e.g. 退款中
    outcome: str  # "held" (new, imported on hold), "put on hold", "already on hold", "already packed", ...


@dataclass
class ImportReport:
    """The outcome of one import. ``errors`` or ``unknown_products`` non-empty: nothing was imported."""

    file_name: str
    orders_added: int = 0
    lines_added: int = 0
    products_added: int = 0
    barcodes_added: int = 0
    orders_unchanged: int = 0  # already present, ready, identical: skipped
    orders_in_progress: int = 0  # already packing or later (or on hold, cancelled): left alone
    errors: list[tuple[int, str]] = field(default_factory=list)
    profile: str = ""  # the column map's name; "" for PackGate's own format
    sku_sources: dict[str, int] = field(default_factory=dict)  # header -> lines whose SKU came from it
    skipped: dict[str, int] = field(default_factory=dict)  # reason (shipped, cancelled, ...) -> orders
    held: list[HeldOrder] = field(default_factory=list)
    unknown_products: list[tuple[int, str, str]] = field(default_factory=list)  # (line, sku, name)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unknown_products

    @property
    def orders_held(self) -> int:
        return sum(1 for h in self.held if h.outcome in ("held", "put on hold"))

    def summary(self) -> str:
        text = (f"Imported {self.file_name}{f' ({self.profile} profile)' if self.profile else ''}: "
                f"{_plural(self.orders_added - self.orders_held_new, 'order')}, "
                f"{_plural(self.lines_added, 'line')}, {_plural(self.products_added, 'product')} added")
        skipped = []
        if self.orders_unchanged:
            skipped.append(f"{_plural(self.orders_unchanged, 'order')} already present, unchanged")
        if self.orders_in_progress:
            skipped.append(f"{_plural(self.orders_in_progress, 'order')} already in packing or later, left as they are")
        out = [text + (f" ({'; '.join(skipped)})" if skipped else "")]
        out.extend(self.details())
        return "\n".join(out)

    @property
    def orders_held_new(self) -> int:
        return sum(1 for h in self.held if h.outcome == "held")

    def details(self) -> list[str]:
        """The lines after the first: SKU columns, skipped states, holds, unknown products."""
        out = []
        if self.sku_sources:
            out.append("  SKU from " + ", ".join(f"{header} on {_plural(n, 'line')}"
                                                 for header, n in self.sku_sources.items()))
        for reason, n in self.skipped.items():
            out.append(f"  skipped {_plural(n, 'order')} the file shows as {reason}")
        if self.held:
            out.append(f"  {_plural(len(self.held), 'order')} with an after-sales case, or no longer to ship "
                       "(not imported as ready):")
            out.extend(f"    line {h.line}: order {h.order_no} ({h.status}): {h.outcome}" for h in self.held)
        if self.unknown_products:
            out.append(f"  {_plural(len(self.unknown_products), 'product')} unknown: import them with "
                       "packgate import-products first (nothing was imported):")
            out.extend(f"    line {line}: SKU {sku}{f' ({name})' if name else ''}"
                       for line, sku, name in self.unknown_products)
        return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
