"""The site's platform channel, stored once in the database (``platform_config``), and its secrets.

Secrets never enter the database or a log: the row holds the *paths* of files that only their
owner may read (mode 0600 or stricter; anything readable by group or others is refused). ``show``
masks every secret, and :func:`masked_urls` the secrets a URL carries (a webhook's
``http://user:pass@host/hook?token=...``) wherever a URL or an error quoting one is shown or stored.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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
            out[key] = masked_urls(value) if isinstance(value, str) else value
            if key in SECRET_OPTIONS:
                out[key.removesuffix("_file")] = mask(_try_read(value))
        out["stopped"] = masked_urls(self.stopped_reason) or None
        return out


def mask(secret: str | None) -> str:
    if not secret:
        return "(unreadable)"
    return "****" + (secret[-2:] if len(secret) >= 12 else "")


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
_HIDDEN = "****"


def masked_urls(text: str) -> str:
    """``text`` with every URL in it stripped of its secrets: the user and password
    (``http://****@host/``) and each query value and fragment (``?token=****``). The host and
    path stay, so a supervisor still sees where a job went. A whole URL is a text too."""
    if not text or "://" not in text:
        return text
    return _URL.sub(_masked_url, text)


def _masked_url(match: re.Match[str]) -> str:
    url = match.group(0)
    tail = len(url) - len(url.rstrip(".,;:)]}"))  # the sentence's punctuation, not the URL's
    url, rest = (url[:-tail], url[-tail:]) if tail else (url, "")
    try:
        parts = urlsplit(url)
    except ValueError:  # not even a URL (a broken IPv6 host): nothing of it is shown
        return f"{url.partition('://')[0]}://{_HIDDEN}{rest}"
    netloc = f"{_HIDDEN}@{parts.netloc.rpartition('@')[2]}" if "@" in parts.netloc else parts.netloc
    query = "&".join(f"{pair.partition('=')[0]}={_HIDDEN}" if "=" in pair else _HIDDEN
                     for pair in parts.query.split("&")) if parts.query else ""
    fragment = _HIDDEN if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment)) + rest


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
        row.stopped_reason, row.stopped_at = masked_urls(reason), now
