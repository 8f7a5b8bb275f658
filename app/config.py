"""Every setting in one typed place, with its default, and every file path.

Settings live in ``settings.json`` in the user config folder (platformdirs); the environment
variable ``PACKGATE_HOME`` moves data and config under one folder (tests, portable installs).
The database URL comes from ``--db``, else ``$PACKGATE_DB``, else a SQLite file in the data folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import platformdirs

from app.errors import ConfigError

APP_NAME = "PackGate"
REPO_ROOT = Path(__file__).resolve().parent.parent
RESOURCES = REPO_ROOT / "resources"


def data_dir() -> Path:
    home = os.environ.get("PACKGATE_HOME")
    path = Path(home) / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    home = os.environ.get("PACKGATE_HOME")
    path = Path(home) / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def settings_path() -> Path:
    return config_dir() / "settings.json"


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'packgate.db'}"


def resolve_db_url(cli_url: str | None) -> str:
    """``--db`` wins, then ``$PACKGATE_DB``, then the default SQLite file."""
    return cli_url or os.environ.get("PACKGATE_DB") or default_db_url()


@dataclass
class Settings:
    """Per-bench settings. Each field's comment is its description in the settings dialog."""

    station: str = ""  # bench name shown in the title and the audit trail; asked at first start
    printer: str = ""  # printer spec: pdf:DIR, system:NAME, zpl:HOST:PORT, zpl-cups:QUEUE; "" = pdf in data dir
    label_size: str = "100x150"  # 100x150, 76x130, 100x180 (mm)
    zpl_dpi: int = 203  # 203 or 300
    label_font: str = ""  # path to a CJK font file; "" = search the system
    language: str = ""  # "", "en" or "zh_CN"; "" follows the system locale
    sounds: bool = True  # play a sound for every scan
    scanner_prefix: str = ""  # characters the scanner sends before each code (stripped)
    scanner_suffix: str = "enter"  # "enter", "tab" or "enter+tab": what ends a scan
    weight_tolerance_pct: float = 10.0  # weight check: ± this percentage ...
    weight_tolerance_min_g: int = 50  # ... or ± this many grams, whichever is larger
    scale_port: str = ""  # serial port of a scale (e.g. /dev/ttyUSB0); "" = type or scan the weight
    scale_baud: int = 9600
    sender_name: str = ""
    sender_phone: str = ""
    sender_address: str = ""
    late_hours: int = 24  # an order still ready/packing this long after creation is late
    pickup_warn_hours: int = 4  # packed but not handed over after this long is an exception
    refresh_seconds: int = 5  # supervisor view refresh period
    platform_trigger: str = "packed"  # when the platform learns a waybill: "packed" or "handed_over"
    platform_grace_minutes: int = 30  # the supervisor's platform tiles turn red after this long
    platform_sender: bool = True  # single bench: run the platform sender inside the window's process
    platform_rate_per_s: float = 100.0  # the sender's ceiling on calls per second to the platform
    platform_file_minutes: int = 30  # file channel: export the waiting jobs at least this often

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or settings_path()
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"Cannot read settings {path}: {exc}") from exc
        known = {f.name: f for f in fields(cls)}
        values = {}
        for key, value in raw.items():
            if key in known:
                values[key] = value
        settings = cls(**values)
        settings.validate()
        return settings

    def save(self, path: Path | None = None) -> None:
        self.validate()
        path = path or settings_path()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    def validate(self) -> None:
        if self.label_size not in ("100x150", "76x130", "100x180"):
            raise ConfigError(f"label_size must be 100x150, 76x130 or 100x180, not {self.label_size!r}")
        if self.zpl_dpi not in (203, 300):
            raise ConfigError(f"zpl_dpi must be 203 or 300, not {self.zpl_dpi!r}")
        if self.scanner_suffix not in ("enter", "tab", "enter+tab"):
            raise ConfigError(f"scanner_suffix must be enter, tab or enter+tab, not {self.scanner_suffix!r}")
        if not (0 <= float(self.weight_tolerance_pct) <= 100):
            raise ConfigError("weight_tolerance_pct must be between 0 and 100")
        if self.platform_trigger not in ("packed", "handed_over"):
            raise ConfigError(f"platform_trigger must be packed or handed_over, not {self.platform_trigger!r}")
        if not float(self.platform_rate_per_s) > 0:
            raise ConfigError("platform_rate_per_s must be above 0")
        if int(self.platform_grace_minutes) < 0 or int(self.platform_file_minutes) < 1:
            raise ConfigError("platform_grace_minutes must not be negative and platform_file_minutes at least 1")
        if int(self.weight_tolerance_min_g) < 0:
            raise ConfigError("weight_tolerance_min_g must not be negative")

    def printer_spec(self) -> str:
        return self.printer or f"pdf:{data_dir() / 'prints'}"
