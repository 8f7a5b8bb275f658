"""The site's settings: the few settings that decide a scan, one value for every bench.

Weight tolerance (% and g), "video required" and the platform trigger are stored once in the
database (table ``site_settings``), so the embedded bench and every bench behind the server decide
with the same values. A setting never changed by a supervisor has no row: the bench's settings.json
(or the default in :mod:`app.config`) holds. Every scan reads them in its own transaction (one
primary-key read of at most four rows), so a change applies at the next scan with no restart.
A change is made by a supervisor and audited (a ``settings`` event with the old and new value) in
the same transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.errors import ConfigError
from app.models.schema import SITE_SETTING_KEYS, SiteSetting
from app.packing.auth import Supervisor, add_audit_event
from app.packing.ports import Services

KEYS = SITE_SETTING_KEYS
log = logging.getLogger(__name__)
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


@dataclass(frozen=True)
class SiteSettings:
    """The values a scan is decided with (each field: a key of ``site_settings``)."""

    weight_tolerance_pct: float = 10.0  # weight check: ± this percentage ...
    weight_tolerance_min_g: int = 50  # ... or ± this many grams, whichever is larger
    require_video: bool = False  # refuse to open an order while the bench's camera does not work
    platform_trigger: str = "packed"  # when the platform learns a waybill: packed or handed_over

    @classmethod
    def defaults(cls, settings: Settings) -> SiteSettings:
        """What holds before a supervisor sets a site value: the bench's (or server's) settings.json."""
        return cls(**{f.name: parse(f.name, getattr(settings, f.name)) for f in fields(cls)})

    def tolerance_g(self) -> Callable[[int], int]:
        pct, floor = float(self.weight_tolerance_pct), int(self.weight_tolerance_min_g)
        return lambda expected: max(round(expected * pct / 100), floor)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


assert tuple(f.name for f in fields(SiteSettings)) == SITE_SETTING_KEYS


def parse(key: str, value: Any) -> Any:
    """``value`` (typed, or text from the command line) as the setting's type, checked; ConfigError if not."""
    if key not in SITE_SETTING_KEYS:
        raise ConfigError(f"{key} is not a site setting: {', '.join(SITE_SETTING_KEYS)}")
    kind = type(getattr(SiteSettings(), key))
    try:
        if kind is bool:
            if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
                value = value.strip().lower() in _TRUE
            if not isinstance(value, bool):
                raise ValueError
        elif kind is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            value = int(value.strip()) if isinstance(value, str) else int(value)
        elif kind is float:
            if isinstance(value, bool):
                raise ValueError
            value = float(value.strip()) if isinstance(value, str) else float(value)
        else:
            value = str(value).strip()
    except (TypeError, ValueError):
        words = {bool: "true or false", int: "a whole number", float: "a number"}[kind]
        raise ConfigError(f"{key} must be {words}, not {str(value)[:40]!r}") from None
    if key == "weight_tolerance_pct" and not 0 <= value <= 100:
        raise ConfigError("weight_tolerance_pct must be between 0 and 100")
    if key == "weight_tolerance_min_g" and not 0 <= value <= 100_000:
        raise ConfigError("weight_tolerance_min_g must be between 0 and 100000")
    if key == "platform_trigger" and value not in ("packed", "handed_over"):
        raise ConfigError(f"platform_trigger must be packed or handed_over, not {value!r}")
    return value


_READ = select(SiteSetting.key, SiteSetting.value).order_by(SiteSetting.key)
# What the rows and the bench's own values gave last time: a scan that reads the same (almost every
# scan) reuses the parsed values instead of parsing the JSON and building them again.
_parsed: dict[tuple[tuple, tuple], SiteSettings] = {}


def load(s: Session, settings: Settings) -> SiteSettings:
    """The site's values in ``s`` (one read), the settings' own for those never set."""
    rows = tuple((name, text) for name, text in s.connection().execute(_READ))  # Core: no ORM work per read
    key = (rows, tuple(getattr(settings, name) for name in KEYS))
    values = _parsed.get(key)
    if values is not None:
        return values
    values = SiteSettings.defaults(settings)
    stored = {}
    for name, text in rows:
        try:
            stored[name] = parse(name, json.loads(text))
        except (ValueError, ConfigError) as exc:  # written by hand in the database: the default holds
            log.warning("site setting %s ignored (%s): the default holds", name, exc)
    values = replace(values, **stored) if stored else values
    if len(_parsed) >= 64:  # values come and go (tests, a supervisor's changes): keep it small
        _parsed.clear()
    _parsed[key] = values
    return values


def read(services: Services) -> SiteSettings:
    with services.read_uow() as uow:
        return load(uow.session, services.settings)


def change(services: Services, supervisor: Supervisor, key: str, value: Any, *, station: str | None = None) -> tuple:
    """Set one site setting and audit it (old and new value) in one transaction: ``(old, new)``."""
    new = parse(key, value)
    with services.uow() as uow:
        s = uow.session
        old = getattr(load(s, services.settings), key)
        row = s.get(SiteSetting, key, with_for_update=True)
        if row is None:
            row = SiteSetting(key=key, value="")
            s.add(row)
        row.value, row.changed_at, row.changed_by = json.dumps(new), services.clock(), supervisor.user_id
        add_audit_event(s, services, supervisor, kind="settings", what=key, station=station,
                        message=f"{supervisor.name} changed the site setting {key}: {old!r} -> {new!r}"
                                + (f" (at {station})" if station else ""))
    return old, new
