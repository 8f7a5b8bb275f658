"""The site's platform channel, stored once in the database (``platform_config``), and its secrets.

Secrets never enter the database or a log: the row holds the *paths* of files that only their
owner may read (mode 0600 or stricter; anything readable by group or others is refused). ``show``
masks every secret.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ConfigError
from app.models.schema import PlatformConfig

PDD_ENDPOINT = "https://gw-api.pinduoduo.com/api/router"
CHANNELS = ("pdd", "file", "webhook")
SECRET_OPTIONS = ("client_secret_file", "access_token_file", "secret_file")


@dataclass
class ChannelConfig:
    channel: str
    options: dict[str, Any] = field(default_factory=dict)
    stopped_reason: str = ""
    stopped_at: datetime | None = None
    last_export_at: datetime | None = None

    def masked(self) -> dict[str, Any]:
        """For ``platform show``: secret files by name with their contents masked."""
        out: dict[str, Any] = {"channel": self.channel}
        for key, value in sorted(self.options.items()):
            out[key] = value
            if key in SECRET_OPTIONS:
                out[key.removesuffix("_file")] = mask(_try_read(value))
        out["stopped"] = self.stopped_reason or None
        return out


def mask(secret: str | None) -> str:
    if not secret:
        return "(unreadable)"
    return "****" + (secret[-2:] if len(secret) >= 12 else "")


def _try_read(path: str) -> str | None:
    try:
        return read_secret(path)
    except ConfigError:
        return None


def read_secret(path: str | os.PathLike[str]) -> str:
    """The secret in ``path``; refused unless only its owner can read it."""
    p = Path(path).expanduser()
    try:
        info = p.stat()
    except OSError as exc:
        raise ConfigError(f"Cannot read the secret file {p}: {exc.strerror}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"The secret file {p} is not a regular file")
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"The secret file {p} can be read by others (mode {stat.S_IMODE(info.st_mode):o}): "
                          f"run chmod 600 {p}")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise ConfigError(f"The secret file {p} belongs to another user")
    try:
        value = p.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the secret file {p}: {exc}") from exc
    if not value:
        raise ConfigError(f"The secret file {p} is empty")
    return value


def load(s: Session) -> ChannelConfig | None:
    row = s.scalar(select(PlatformConfig).where(PlatformConfig.id == 1))
    if row is None:
        return None
    return ChannelConfig(row.channel, json.loads(row.options or "{}"), row.stopped_reason or "", row.stopped_at,
                         row.last_export_at)


def save(s: Session, config: ChannelConfig, now: datetime) -> None:
    """Set the site's channel (replacing the previous one); a new setting restarts a stopped channel."""
    for key in SECRET_OPTIONS:
        if key in config.options:
            config.options[key] = str(Path(config.options[key]).expanduser().resolve())
            read_secret(config.options[key])  # refuse now, not at the first send
    row = s.get(PlatformConfig, 1)
    if row is None:
        row = PlatformConfig(id=1, channel=config.channel)
        s.add(row)
    row.channel = config.channel
    row.options = json.dumps(config.options, ensure_ascii=False, sort_keys=True)
    row.stopped_reason, row.stopped_at, row.updated_at = "", None, now


def stop(s: Session, reason: str, now: datetime) -> None:
    row = s.get(PlatformConfig, 1)
    if row is not None and not row.stopped_reason:
        row.stopped_reason, row.stopped_at = reason, now
