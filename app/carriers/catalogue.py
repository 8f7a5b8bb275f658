"""The carrier catalogue: carriers, their names and aliases, and their waybill rules.

Loaded from ``resources/carriers.toml`` so a new carrier is a data change. A waybill is checked
against the carrier the operator (or the import file) named, never against a carrier guessed from
the number. Nothing here repairs a scan: it is normalised (surrounding whitespace, case) and then
either accepted as it is or refused with a reason.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.carriers.checksums import CHECKSUMS
from app.errors import ConfigError
from app.i18n import QT_TRANSLATE_NOOP, Message

CATALOGUE_FILE = "carriers.toml"  # shipped in resources/ (the package app.resources)

# Longer than any real waybill; past this we refuse without running the patterns and shorten
# the number in the message so a runaway scan does not flood the screen.
MAX_WAYBILL_LENGTH = 64

_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")

EMPTY_SCAN = QT_TRANSLATE_NOOP("Outcome", "Empty scan")
UNSENDABLE = QT_TRANSLATE_NOOP("Outcome", "Waybill contains characters a scanner cannot send")
UNKNOWN_CARRIER = QT_TRANSLATE_NOOP("Outcome", "Unknown carrier {carrier}")
WRONG_FORM = QT_TRANSLATE_NOOP("Outcome", "{number} is not a {carrier} waybill number ({expected})")
WRONG_CHECK_DIGIT = QT_TRANSLATE_NOOP("Outcome", "Check digit wrong for {carrier}")


@dataclass(frozen=True)
class Carrier:
    """A carrier the warehouse ships with."""

    code: str
    name_en: str
    name_zh: str
    aliases: tuple[str, ...] = ()
    pdd_logistics_id: int | None = None  # the Pinduoduo platform's id of this carrier (logistics_id)

    @property
    def display_name(self) -> str:
        return self.name_en if self.name_zh == self.name_en else f"{self.name_zh} {self.name_en}"


@dataclass(frozen=True)
class WaybillRule:
    """One accepted form of a carrier's waybill number: a pattern and its check-digit algorithm."""

    description: str
    pattern: re.Pattern[str]
    checksum: str = "none"
    serial_prefix: str = ""

    def accepts(self, match: re.Match[str]) -> bool:
        if self.checksum == "none":
            return True
        return CHECKSUMS[self.checksum](self.serial_prefix + match["serial"], match["check"])


@dataclass(frozen=True)
class WaybillCheck:
    """The verdict on one scanned waybill: ``number`` is the normalised scan, ``message`` the reason
    when it is refused."""

    ok: bool
    number: str
    message: Message | None = None


def normalize_waybill(raw: str) -> str:
    """Strip surrounding whitespace (including a scanner's trailing CR/LF/Tab) and upper-case ASCII
    letters. Never repairs: inner characters stay, no check digit is added."""
    return raw.strip().translate(_UPPER)


def _sendable(number: str) -> bool:
    # A keyboard-wedge scanner sends printable ASCII; anything else is a typing accident or an
    # input method getting in the way, and would never match a carrier's number anyway.
    return all(" " <= c <= "~" for c in number)


def _shown(number: str) -> str:
    return number if len(number) <= MAX_WAYBILL_LENGTH else number[:MAX_WAYBILL_LENGTH] + "..."


class CarrierCatalogue:
    """The carriers we ship with, looked up by code or name, and the check of their waybills."""

    def __init__(self, carriers: list[tuple[Carrier, tuple[WaybillRule, ...]]]) -> None:
        self._carriers: dict[str, Carrier] = {}
        self._rules: dict[str, tuple[WaybillRule, ...]] = {}
        self._names: dict[str, Carrier] = {}
        for carrier, rules in carriers:
            if carrier.code in self._carriers:
                raise ConfigError(f"carrier {carrier.code} is listed twice")
            if not rules:
                raise ConfigError(f"carrier {carrier.code} has no waybill rules")
            self._carriers[carrier.code] = carrier
            self._rules[carrier.code] = rules
            for name in (carrier.code, carrier.name_en, carrier.name_zh, *carrier.aliases):
                key = name.strip().casefold()
                other = self._names.setdefault(key, carrier)
                if other is not carrier:
                    raise ConfigError(f"carrier name {name!r} is used by {other.code} and {carrier.code}")

    def get(self, code: str) -> Carrier | None:
        """The carrier with this code, in any case."""
        if not isinstance(code, str):
            return None
        return self._carriers.get(code.strip().upper())

    def resolve(self, text: str) -> Carrier | None:
        """The carrier named by a code (any case), its English or Chinese name, or an alias."""
        if not isinstance(text, str):
            return None
        return self._names.get(text.strip().casefold())

    def all(self) -> list[Carrier]:
        """Every carrier, in catalogue order."""
        return list(self._carriers.values())

    def rules(self, code: str) -> tuple[WaybillRule, ...]:
        """The accepted waybill forms of a carrier (empty for an unknown code)."""
        carrier = self.get(code)
        return self._rules[carrier.code] if carrier else ()

    def expected(self, code: str) -> str:
        """The accepted forms in words, e.g. ``SF + 13 digits or 12 digits``."""
        return " or ".join(rule.description for rule in self.rules(code))

    def validate(self, carrier_code: str, raw: str) -> WaybillCheck:
        """Check a scanned waybill against the named carrier only. Never raises."""
        number = normalize_waybill(raw) if isinstance(raw, str) else ""
        carrier = self.get(carrier_code)
        if carrier is None:
            return WaybillCheck(False, number, Message(UNKNOWN_CARRIER, {"carrier": str(carrier_code)}))
        if not number:
            return WaybillCheck(False, number, Message(EMPTY_SCAN))
        if not _sendable(number):
            return WaybillCheck(False, number, Message(UNSENDABLE))
        wrong_form = WaybillCheck(
            False,
            number,
            Message(
                WRONG_FORM,
                {"number": _shown(number), "carrier": carrier.code, "expected": self.expected(carrier.code)},
            ),
        )
        if len(number) > MAX_WAYBILL_LENGTH:
            return wrong_form
        matched = False
        for rule in self._rules[carrier.code]:
            match = rule.pattern.fullmatch(number)
            if match is None:
                continue
            if rule.accepts(match):
                return WaybillCheck(True, number)
            matched = True
        if matched:
            return WaybillCheck(False, number, Message(WRONG_CHECK_DIGIT, {"carrier": carrier.code}))
        return wrong_form


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{key}' must be a non-empty text")
    return value


def _rule(table: Any, where: str) -> WaybillRule:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: a rule must be a table")
    description = _text(table, "description", where)
    checksum = table.get("checksum", "none")
    if checksum not in CHECKSUMS:
        raise ConfigError(f"{where}: unknown checksum {checksum!r} (known: {', '.join(CHECKSUMS)})")
    try:
        pattern = re.compile(_text(table, "pattern", where), re.ASCII)
    except re.error as exc:
        raise ConfigError(f"{where}: bad pattern: {exc}") from exc
    if checksum != "none" and not {"serial", "check"} <= set(pattern.groupindex):
        raise ConfigError(f"{where}: a checked pattern needs the groups (?P<serial>...) and (?P<check>...)")
    serial_prefix = table.get("serial_prefix", "")
    if not isinstance(serial_prefix, str) or not re.fullmatch("[0-9]*", serial_prefix):
        raise ConfigError(f"{where}: 'serial_prefix' must be digits")
    return WaybillRule(description, pattern, checksum, serial_prefix)


def _carrier(table: Any, index: int) -> tuple[Carrier, tuple[WaybillRule, ...]]:
    if not isinstance(table, dict):
        raise ConfigError(f"carrier #{index + 1} must be a table")
    code = _text(table, "code", f"carrier #{index + 1}")
    if code != code.strip().upper():
        raise ConfigError(f"carrier {code!r}: the code must be upper case without spaces")
    aliases = table.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ConfigError(f"carrier {code}: 'aliases' must be a list of names")
    carrier = Carrier(
        code=code,
        name_en=_text(table, "name_en", f"carrier {code}"),
        name_zh=_text(table, "name_zh", f"carrier {code}"),
        aliases=tuple(aliases),
        pdd_logistics_id=_logistics_id(table, code),
    )
    rules = table.get("rules", [])
    if not isinstance(rules, list):
        raise ConfigError(f"carrier {code}: 'rules' must be a list of tables")
    return carrier, tuple(_rule(r, f"carrier {code} rule #{i + 1}") for i, r in enumerate(rules))


def _logistics_id(table: dict[str, Any], code: str) -> int | None:
    value = table.get("pdd_logistics_id")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"carrier {code}: 'pdd_logistics_id' must be a whole number")
    return value


def load_catalogue(path: Path | None = None) -> CarrierCatalogue:
    """Read a carrier catalogue; without a path, the bundled ``resources/carriers.toml`` (cached)."""
    if path is None:
        return _default_catalogue()
    return _load(Path(path))


@functools.lru_cache(maxsize=1)
def _default_catalogue() -> CarrierCatalogue:
    from app.config import resource_file

    return _load(resource_file(CATALOGUE_FILE))


def _load(path: Path) -> CarrierCatalogue:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"cannot read the carrier catalogue {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the carrier catalogue {path} is not valid TOML: {exc}") from exc
    carriers = data.get("carriers")
    if not isinstance(carriers, list) or not carriers:
        raise ConfigError(f"the carrier catalogue {path} lists no [[carriers]]")
    try:
        return CarrierCatalogue([_carrier(table, i) for i, table in enumerate(carriers)])
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc.message}") from exc


def validate_waybill(carrier_code: str, raw: str) -> WaybillCheck:
    """Check a scanned waybill against the named carrier, using the bundled catalogue."""
    return load_catalogue().validate(carrier_code, raw)
