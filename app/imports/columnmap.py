"""Column maps: read another system's order export as it comes (a platform, an ERP), Qt-free.

A map is a small TOML file (``--columns MAP.toml``, or ``--profile NAME`` for one shipped in
``resources/profiles/``) naming which of the file's headers feeds which PackGate field, fixed values,
and how the file's order states decide what is imported::

    name = "my-erp"
    [columns]
    order_no = "单据编号"                          # one header
    sku = ["规格编码", "商品编码"]                 # several: the first non-blank cell of the row wins
    quantity = "数量"
    recipient_address = "收货地址"
    address_parts = ["省", "市", ["区", "区县"], "详细地址"]   # used when the combined address is blank
    note = ["卖家备注", "买家留言"]                 # note joins every non-blank cell
    state = "订单状态"                             # optional: without it every order is ready
    after_sales = "售后状态"                       # optional
    [fixed]
    carrier = "ZTO"                                # a value for every row
    [states]
    ready = ["待发货"]                             # these orders are imported as ready
    skip.shipped = ["已发货"]                      # these are skipped and counted, per reason
    skip.cancelled = ["已取消"]
    [after_sales]
    none = ["", "无售后或售后取消"]                # anything else is an after-sales case

A list entry may itself be a list of spellings of one column (``["区", "区县"]``). Headers are
matched ignoring spaces, case and full-width brackets. Fields: the order file's (``order_no``,
``carrier``, ``recipient_name``, ``recipient_phone``, ``recipient_address``, ``sku``, ``barcode``,
``product_name``, ``quantity``, ``unit_weight_g``, ``waybill``, ``note``, ``created_at``) plus
``spec`` (shown after the product name), ``address_parts``, ``state`` and ``after_sales``.

:class:`MappedReader` turns the file's records into records of PackGate's own order format, so the
one order checker validates them; rows of orders the file says are shipped or cancelled never reach
it (they are counted), and orders with an after-sales case are remembered so the import holds them.
"""

from __future__ import annotations

import operator
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config import resource_file
from app.errors import ImportFileError
from app.imports.cells import _blank, _shown, _text


def _profiles():
    """The column maps PackGate ships (resources/profiles, installed as app.resources.profiles)."""
    return resource_file("profiles")
ORDER_FIELDS = ("order_no", "carrier", "recipient_name", "recipient_phone", "recipient_address", "sku", "barcode",
                "product_name", "quantity", "unit_weight_g", "waybill", "note", "created_at")
EXTRA_FIELDS = ("spec", "address_parts", "state", "after_sales")
REQUIRED = ("order_no", "sku", "quantity")
JOINED = frozenset({"note"})  # every non-blank cell, joined; other fields take the first non-blank one
NOTE_SEPARATOR = " / "


def _key(text: str) -> str:
    return (text.strip().lstrip("\ufeff").replace("（", "(").replace("）", ")").replace("，", ",")
            .replace(" ", "").casefold())


@dataclass(frozen=True)
class ColumnMap:
    """Which headers feed which field; fixed values; what the file's states mean."""

    name: str
    columns: dict[str, tuple[tuple[str, ...], ...]]  # field -> columns, each a tuple of spellings
    fixed: dict[str, str] = field(default_factory=dict)
    ready_states: frozenset[str] = frozenset()
    skip_states: dict[str, str] = field(default_factory=dict)  # state key -> reason ("shipped", ...)
    no_after_sales: frozenset[str] = frozenset({""})
    source: str = ""

    @property
    def label(self) -> str:
        return self.name


def available_profiles() -> list[str]:
    return sorted(p.stem for p in _profiles().glob("*.toml"))


def load_profile(name: str) -> ColumnMap:
    path = _profiles() / f"{name}.toml"
    if not name.replace("-", "").replace("_", "").isalnum() or not path.is_file():
        raise ImportFileError(f"No import profile {name!r}: the profiles are {', '.join(available_profiles())} "
                              "(or give your own map with --columns MAP.toml)")
    return load_column_map(path)


def load_column_map(path: str | Path) -> ColumnMap:
    """Read and check a map file; a mistake in it is one clear ImportFileError."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportFileError(f"Cannot read the column map {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"The column map {path.name} is not valid TOML: {exc}") from exc
    where = f"column map {path.name}"
    unknown = set(raw) - {"name", "description", "columns", "fixed", "states", "after_sales"}
    if unknown:
        raise ImportFileError(f"{where}: unknown section {', '.join(sorted(unknown))}")
    columns: dict[str, tuple[tuple[str, ...], ...]] = {}
    for name, value in dict(raw.get("columns", {})).items():
        if name not in ORDER_FIELDS and name not in EXTRA_FIELDS:
            raise ImportFileError(f"{where}: [columns] {name} is not a field PackGate knows "
                                  f"({', '.join(ORDER_FIELDS + EXTRA_FIELDS)})")
        columns[name] = _columns(where, name, value)
    fixed: dict[str, str] = {}
    for name, value in dict(raw.get("fixed", {})).items():
        if name not in ORDER_FIELDS:
            raise ImportFileError(f"{where}: [fixed] {name} is not a field PackGate knows")
        if not isinstance(value, str | int):
            raise ImportFileError(f"{where}: [fixed] {name} must be text")
        fixed[name] = str(value)
    missing = [name for name in REQUIRED if name not in columns and name not in fixed]
    if missing:
        raise ImportFileError(f"{where} does not say which column holds {', '.join(missing)}")
    states = raw.get("states", {})
    ready = frozenset(_key(s) for s in _texts(where, "states.ready", states.get("ready", [])))
    skip: dict[str, str] = {}
    for reason, values in dict(states.get("skip", {})).items():
        for state in _texts(where, f"states.skip.{reason}", values):
            skip[_key(state)] = reason
    if "state" in columns and not ready:
        raise ImportFileError(f"{where}: a state column needs [states] ready = [...] (the states to import)")
    none = frozenset(_key(s) for s in _texts(where, "after_sales.none", raw.get("after_sales", {}).get("none", [""])))
    return ColumnMap(name=str(raw.get("name") or path.stem), columns=columns, fixed=fixed, ready_states=ready,
                     skip_states=skip, no_after_sales=none | {""}, source=str(path))


def _texts(where: str, name: str, value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ImportFileError(f"{where}: {name} must be text or a list of texts")
    return value


def _columns(where: str, name: str, value: Any) -> tuple[tuple[str, ...], ...]:
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, list) or not entries:
        raise ImportFileError(f"{where}: [columns] {name} must be a header or a list of headers")
    out = []
    for entry in entries:
        spellings = [entry] if isinstance(entry, str) else entry
        if not isinstance(spellings, list) or not spellings or not all(isinstance(s, str) and s.strip()
                                                                       for s in spellings):
            raise ImportFileError(f"{where}: [columns] {name} must be a header or a list of headers")
        out.append(tuple(spellings))
    return tuple(out)


@dataclass
class MappedFacts:
    """What the file said beyond the order lines, for the report and the holds."""

    profile: str
    skipped: dict[str, set[str]] = field(default_factory=dict)  # reason -> order numbers
    skipped_at: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # order_no -> (line, state, reason)
    after_sales: dict[str, tuple[int, str]] = field(default_factory=dict)  # order_no -> (line, status)
    sku_sources: dict[str, int] = field(default_factory=dict)  # header -> lines whose SKU came from it
    errors: list[tuple[int, str]] = field(default_factory=list)


class MappedReader:
    """Translates a file's records into PackGate's order format under a :class:`ColumnMap`."""

    def __init__(self, column_map: ColumnMap, file_name: str) -> None:
        self.map = column_map
        self.file_name = file_name
        self.facts = MappedFacts(column_map.name)

    def records(self, source: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
        header: dict[str, int] | None = None
        for line, values in source:
            if _blank(values):
                continue
            header = {_key(_text(v)): i for i, v in reversed(list(enumerate(values))) if _text(v)}
            yield line, list(ORDER_FIELDS)
            break
        if header is None:
            return
        m = self.map
        found = self._resolve(header)
        order_states: dict[str, tuple[str, int]] = {}
        facts = self.facts
        skipped, after_sales, sku_sources, errors = facts.skipped, facts.after_sales, facts.sku_sources, facts.errors
        skipped_at = facts.skipped_at
        fixed = [(ORDER_FIELDS.index(name), value) for name, value in m.fixed.items()]
        simple = [(ORDER_FIELDS.index(name), cols) for name, cols in found.items()
                  if name in ORDER_FIELDS and name not in m.fixed and name not in JOINED and name != "sku"]
        joined = [(ORDER_FIELDS.index(name), cols) for name, cols in found.items()
                  if name in JOINED and name not in m.fixed]
        sku_cols = [] if "sku" in m.fixed else found.get("sku", [])
        sku_names = [name for name, _i in sku_cols]
        i_sku, i_name, i_address = (ORDER_FIELDS.index(n) for n in ("sku", "product_name", "recipient_address"))
        spec_cols = found.get("spec", [])
        part_cols = found.get("address_parts", [])
        state_cols = found.get("state", [])
        sale_cols = found.get("after_sales", [])
        i_order = ORDER_FIELDS.index("order_no")
        width = len(ORDER_FIELDS)

        # The loop below runs once per line (100,000s): cells are looked up by position, each state
        # text is classified once, and a row whose cells are all text (CSV) pads only when short.
        need = 1 + max((i for cols in found.values() for _n, i in cols), default=0)
        state_kind: dict[str, str | None] = {}  # state text -> "" (ready), a skip reason, or None (unknown)
        sale_open: dict[str, bool] = {}  # after-sales text -> is a case

        def cell(v: Any) -> str:
            return v.strip() if v.__class__ is str else _text(v)

        def first(cells: list[Any], cols: list[tuple[str, int]]) -> str:
            if len(cols) == 1:
                v = cells[cols[0][1]]
                return v.strip() if v.__class__ is str else _text(v)
            for _name, i in cols:
                v = cells[i]
                text = v.strip() if v.__class__ is str else _text(v)
                if text:
                    return text
            return ""

        single = dict((i, cols[0][1]) for i, cols in simple if len(cols) == 1)
        # One C-level call builds a translated row: each field's cell, or the pad cell (index need,
        # which no field reads) for a field without a single column; the loop then fills the rest.
        pick_row = operator.itemgetter(*(single.get(i, need) for i in range(width)))

        def picker(cols: list[tuple[str, int]]) -> Any:
            getter = operator.itemgetter(*(c for _n, c in cols))
            return getter if len(cols) > 1 else (lambda values: (getter(values),))

        def join(separator: str, cells: tuple[Any, ...]) -> str:
            try:
                return separator.join(filter(None, map(str.strip, cells)))
            except TypeError:  # a cell that is not text (XLSX, padding)
                return separator.join(t for t in map(cell, cells) if t)

        joined_pick = [(i, picker(cols)) for i, cols in joined]
        parts_pick = picker(part_cols) if part_cols else None
        several = [(i, cols) for i, cols in simple if len(cols) > 1]
        names: dict[tuple[Any, str], str] = {}  # (product cell, spec) -> the name shown
        for line, values in source:
            head = values[0] if values else None
            if not (head.__class__ is str and head.strip()) and _blank(values):
                continue
            n = len(values)
            if n <= need:
                values = [*values, *([""] * (need + 1 - n))]
            else:
                values[need] = ""
            out: list[Any] = list(pick_row(values))
            for i, cols in several:
                out[i] = first(values, cols)
            for i, pick in joined_pick:
                out[i] = join(NOTE_SEPARATOR, pick(values))
            for i, value in fixed:
                out[i] = value
            order_no = cell(out[i_order])
            if state_cols:
                state = first(values, state_cols)
                kind = state_kind.get(state, "?")
                if kind == "?":
                    key = _key(state)
                    kind = state_kind[state] = "" if key in m.ready_states else m.skip_states.get(key)
                seen = order_states.setdefault(order_no, (state, line))
                if seen[0] != state:
                    errors.append((line, f"订单状态 {state!r} differs from line {seen[1]} of order {order_no}"))
                    continue
                if kind:
                    skipped.setdefault(kind, set()).add(order_no)
                    if order_no not in skipped_at:
                        skipped_at[order_no] = (line, state, kind)
                    continue
                if kind is None:
                    errors.append((line, f"order state {_shown(state)!r} is not one the {m.name} profile knows "
                                         f"(ready: {', '.join(sorted(m.ready_states))}; skipped: "
                                         f"{', '.join(sorted(m.skip_states))})"))
                    continue
            if sale_cols:
                status = first(values, sale_cols)
                case = sale_open.get(status)
                if case is None:
                    case = sale_open[status] = _key(status) not in m.no_after_sales
                if case and order_no not in after_sales:
                    after_sales[order_no] = (line, status)
            if sku_cols:
                for name, i in sku_cols:
                    text = cell(values[i])
                    if text:
                        out[i_sku] = text
                        sku_sources[name] = sku_sources.get(name, 0) + 1
                        break
                else:
                    errors.append((line, f"no SKU: {' and '.join(sku_names)} "
                                         f"{'are' if len(sku_names) > 1 else 'is'} empty (give the product its "
                                         "merchant code, 商家编码, in the shop's back office)"))
                    continue
            if spec_cols:
                spec = first(values, spec_cols)
                if spec:
                    raw_name = out[i_name]
                    named = names.get((raw_name, spec))
                    if named is None:
                        name = cell(raw_name)
                        named = name if spec in name else f"{name} ({spec})"[:200] if name else spec[:200]
                        if len(names) < 100_000:
                            names[(raw_name, spec)] = named
                    out[i_name] = named
            if parts_pick is not None:
                address = out[i_address]
                if not (address.__class__ is str and address.strip()) and not cell(address):
                    out[i_address] = join(" ", parts_pick(values))
            yield line, out

    def _resolve(self, header: dict[str, int]) -> dict[str, list[tuple[str, int]]]:
        """For each field, the file's columns that feed it (header text, position), in the map's order."""
        found: dict[str, list[tuple[str, int]]] = {}
        for name, columns in self.map.columns.items():
            for spellings in columns:
                for spelling in spellings:
                    i = header.get(_key(spelling))
                    if i is not None:
                        found.setdefault(name, []).append((spelling, i))
                        break
        missing = [name for name in REQUIRED if name not in found and name not in self.map.fixed]
        if not ("recipient_address" in found or "address_parts" in found or "recipient_address" in self.map.fixed):
            missing.append("recipient_address")
        for name in ("recipient_name", "recipient_phone"):
            if name not in found and name not in self.map.fixed:
                missing.append(name)
        if missing:
            wanted = "; ".join(
                f"{name}: {' or '.join('/'.join(s) for s in self.map.columns.get(name, ()) or (('?',),))}"
                for name in missing)
            raise ImportFileError(f"{self.file_name} does not have the columns the {self.map.name} profile needs "
                                  f"({wanted})")
        return found
