"""The site's shops on the platform (``packgate shops ...``), stored in ``shops``.

A shop holds its own credentials: the client id and endpoint in the row, the client secret and the
access token only as paths of owner-only files (read as :func:`app.platform.config.read_secret`
reads the site channel's). ``platform set pdd`` keeps the site channel and sets up (or updates) the
shop ``default`` with the same credentials. A stopped shop (an expired token) stops its own pull and
its own jobs; the other shops carry on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.errors import ConfigError, KnownError
from app.models.schema import Carrier, Shop
from app.platform.config import PDD_ENDPOINT, mask, masked_urls, read_secret

DEFAULT_SHOP = "default"
SECRET_OPTIONS = ("client_secret_file", "access_token_file")
OPTION_KEYS = ("client_id", "client_secret_file", "access_token_file", "endpoint")


@dataclass
class ShopConfig:
    """A shop as plain data (the sender and the puller never hold an ORM object across threads)."""

    id: int
    name: str
    platform: str
    options: dict[str, Any] = field(default_factory=dict)
    default_carrier: str | None = None
    enabled: bool = True
    stopped_reason: str = ""
    pull_cursor: datetime | None = None
    last_pull_at: datetime | None = None
    last_pull_error: str = ""
    pull_failures: int = 0
    next_pull_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.enabled and not self.stopped_reason

    def key(self) -> str:
        """Changes whenever the credentials do: a channel built from the old ones is rebuilt."""
        return json.dumps(self.options, sort_keys=True)

    def channel(self) -> dict[str, Any]:
        """The shop's channel as the supervisor view shows it: no secrets, not even masked ones."""
        return {"name": self.name, "enabled": self.enabled, "stopped": masked_urls(self.stopped_reason) or None,
                "last_pull": _iso(self.last_pull_at), "last_error": masked_urls(self.last_pull_error) or None}

    def listed(self) -> dict[str, Any]:
        """For ``shops list --json``: secrets masked, the pull's last state."""
        o = self.options
        return {"name": self.name, "platform": self.platform, "enabled": self.enabled,
                "client_id": o.get("client_id"), "endpoint": masked_urls(str(o.get("endpoint") or PDD_ENDPOINT)),
                "client_secret_file": o.get("client_secret_file"), "client_secret": mask(_try(o, "client_secret_file")),
                "access_token_file": o.get("access_token_file"), "access_token": mask(_try(o, "access_token_file")),
                "default_carrier": self.default_carrier,
                "stopped": masked_urls(self.stopped_reason) or None,
                "last_pull": _iso(self.last_pull_at), "cursor": _iso(self.pull_cursor),
                "last_error": masked_urls(self.last_pull_error) or None}


def _try(options: dict[str, Any], key: str) -> str | None:
    try:
        return read_secret(options[key])
    except (ConfigError, KeyError):
        return None


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


def _plain(row: Shop) -> ShopConfig:
    return ShopConfig(row.id, row.name, row.platform, json.loads(row.options or "{}"), row.default_carrier,
                      bool(row.enabled), row.stopped_reason or "", row.pull_cursor, row.last_pull_at,
                      row.last_pull_error or "", row.pull_failures or 0, row.next_pull_at)


def all_shops(s: Session) -> list[ShopConfig]:
    return [_plain(r) for r in s.scalars(select(Shop).order_by(Shop.name))]


def get(s: Session, name: str) -> ShopConfig | None:
    row = s.scalar(select(Shop).where(Shop.name == name.strip()))
    return _plain(row) if row is not None else None


def checked_options(client_id: str, client_secret_file: str, access_token_file: str, endpoint: str | None) -> dict:
    """The shop's options with its secret files resolved and read once (refused now, not at the first pull)."""
    if not client_id.strip():
        raise ConfigError("--client-id must not be empty")
    endpoint = endpoint or PDD_ENDPOINT
    if not endpoint.startswith(("http://", "https://")):
        raise ConfigError(f"--endpoint {masked_urls(endpoint)!r} is not an http(s) URL")
    options = {"client_id": client_id.strip(), "endpoint": endpoint}
    for key, path in (("client_secret_file", client_secret_file), ("access_token_file", access_token_file)):
        options[key] = str(Path(path).expanduser().resolve())
        read_secret(options[key])
    return options


def save(s: Session, name: str, options: dict[str, Any], now: datetime, *, default_carrier: str | None = None,
         platform: str = "pdd", replace_carrier: bool = True) -> ShopConfig:
    """Add the shop ``name`` or update its credentials (a new setting restarts a stopped shop)."""
    name = name.strip()
    if not name or len(name) > 64:
        raise ConfigError("a shop's name must be 1 to 64 characters")
    if default_carrier is not None:
        default_carrier = default_carrier.strip().upper()
        if s.get(Carrier, default_carrier) is None:
            raise ConfigError(f"--default-carrier {default_carrier}: no such carrier in the catalogue")
    row = s.scalar(select(Shop).where(Shop.name == name))
    if row is None:
        row = Shop(name=name, platform=platform, created_at=now, enabled=True, stopped_reason="", last_pull_error="",
                   pull_failures=0)
        s.add(row)
    row.options = json.dumps({k: options[k] for k in OPTION_KEYS if k in options}, sort_keys=True)
    if replace_carrier or default_carrier is not None:
        row.default_carrier = default_carrier
    row.stopped_reason, row.stopped_at, row.updated_at = "", None, now
    row.pull_failures, row.next_pull_at = 0, None
    s.flush()
    return _plain(row)


def set_enabled(s: Session, name: str, enabled: bool, now: datetime) -> None:
    count = s.execute(update(Shop).where(Shop.name == name.strip()).values(enabled=enabled, updated_at=now)
                      .execution_options(synchronize_session=False)).rowcount
    if count != 1:
        raise KnownError(f"no shop named {name.strip()!r} (packgate shops list)")


def stop(s: Session, shop_id: int, reason: str, now: datetime) -> str:
    """This shop's channel stops (pull and jobs); the other shops carry on."""
    name = s.scalar(select(Shop.name).where(Shop.id == shop_id)) or "NAME"
    reason = reason.replace("`packgate platform set pdd --access-token-file FILE`",
                            f"`packgate shops add {name} ... --access-token-file FILE`")
    s.execute(update(Shop).where(Shop.id == shop_id, Shop.stopped_reason == "")
              .values(stopped_reason=masked_urls(reason), stopped_at=now, last_pull_error=masked_urls(reason))
              .execution_options(synchronize_session=False))
    return masked_urls(reason)
