"""Every setting in one typed place, with its default, and every file path.

Settings live in ``settings.json`` in the user config folder (platformdirs); the environment
variable ``PACKGATE_HOME`` moves data and config under one folder (tests, portable installs).
The database URL comes from ``--db``, else ``$PACKGATE_DB``, else a SQLite file in the data folder.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.resources
import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import platformdirs

from app.errors import ConfigError
from app.hardware.avspec import check_audio, parse_camera

APP_NAME = "PackGate"
REPO_ROOT = Path(__file__).resolve().parent.parent  # only meaningful in a checkout (load tests)
_RESOURCE_FILES = contextlib.ExitStack()
atexit.register(_RESOURCE_FILES.close)


def resource_file(*parts: str) -> Path:
    """A file PackGate ships: the carrier catalogue, a sound, a translation.

    They live in the repository's ``resources/`` folder, which is installed as the package
    ``app.resources`` (setup.py), so they are read with ``importlib.resources`` whether PackGate runs
    from a checkout, an installed wheel or a bundle. Qt wants real file names: a resource inside a
    zip is extracted once and kept until exit.
    """
    item = importlib.resources.files("app.resources").joinpath(*parts)
    if isinstance(item, Path):
        return item
    return _RESOURCE_FILES.enter_context(importlib.resources.as_file(item))


def data_path() -> Path:
    """Where PackGate keeps its data, without making the folder (what a name needs, not a file)."""
    home = os.environ.get("PACKGATE_HOME")
    return Path(home) / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@functools.lru_cache(maxsize=8)
def _default_printer(home: str | None) -> str:
    """The PDF folder printer's spec for PackGate's home (``home``, or the platform's data folder).
    A name only, read for every scan's audit: the PDF printer makes its folder when it writes."""
    return f"pdf:{data_path() / 'prints'}"


def data_dir() -> Path:
    path = data_path()
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
    ewaybill_low: int = 200  # supervisor view: an e-waybill branch with fewer numbers left shows red
    ewaybill_balance_minutes: int = 10  # the sender's loop stores the platform's e-waybill balances this often; 0 = never
    late_hours: int = 24  # an order still ready/packing this long after creation is late
    pickup_warn_hours: int = 4  # packed but not handed over after this long is an exception
    refresh_seconds: int = 60  # supervisor view: the slow refresh besides the push (late, awaiting pickup)
    server: str = ""  # the PackGate server this bench scans through (https://HOST:8650); "" = embedded SQLite
    default_carrier: str = ""  # carrier for imported orders whose carrier is blank (e.g. ZTO); "" = a bad row
    # Packing video evidence (app/evidence). camera: v4l2:/dev/video0, dshow:video=NAME, avfoundation:0,
    # rtsp://..., http://... (MJPEG), "test" (synthetic moving pattern) or "none".
    camera: str = "none"
    evidence_dir: str = ""  # folder of the clips; "" = evidence/ in the data folder
    video_size: str = "1280x720"  # WIDTHxHEIGHT of the clips
    video_fps: int = 15
    video_tail_seconds: float = 3.0  # recording goes on this long after the order is packed
    require_video: bool = False  # refuse to open an order while the camera does not work
    audio: bool = False  # record sound too, AAC in the same clip (off unless the site turns it on)
    # where the sound comes from: "" = the camera's own (IP camera, test camera), alsa:default, pulse:default,
    # dshow:audio=NAME, avfoundation::0 or "test" (a 440 Hz tone)
    audio_source: str = ""
    video_preview: bool = True  # show the live camera picture at the bench (the packer can still hide it)
    retention_days: int = 90  # clips older than this are deleted (never a flagged one); 0 = keep
    retention_gb: float = 50.0  # at most this much video per bench, oldest deleted first; 0 = no limit
    evidence_min_free_mb: int = 500  # recording stops (with a banner) below this much free disk space
    # The server's evidence store: what a bench's uploads may take before they are verified.
    upload_quota_mb: int = 4096  # per bench: its unfinished uploads, the clip arriving included; 0 = no limit
    upload_reserve_mb: int = 2048  # an upload never leaves less free disk than this (the database's room)
    upload_expire_hours: float = 24.0  # an unfinished upload nobody added to for this long is deleted
    platform_trigger: str = "packed"  # when the platform learns a waybill: "packed" or "handed_over"
    platform_grace_minutes: int = 30  # the supervisor's platform tiles turn red after this long
    platform_sender: bool = True  # single bench: run the platform sender inside the window's process
    platform_rate_per_s: float = 100.0  # the sender's ceiling on calls per second to the platform
    platform_file_minutes: int = 30  # file channel: export the waiting jobs at least this often
    platform_pull_minutes: int = 2  # the sender's loop pulls every shop's new and changed orders this often; 0 = never
    platform_pull_days: int = 3  # a shop's first pull goes back this many days (the platform keeps 90)
    due_soon_hours: int = 4  # summary: orders not yet packed whose ship-by time is this close are due soon
    # The pickup watch (app/platform/tracker.py): each handed-over parcel's carrier trace until the courier's pickup scan.
    pickup_first_check_minutes: int = 60  # the first look at a parcel's trace, this long after its handover
    pickup_watch_days: int = 7  # no pickup scan this long after the handover: lost_in_transit?, for a person
    pickup_alert_hours: int = 12  # summary: handed over this long ago without a pickup scan is "not picked up"
    pickup_rate_per_s: float = 10.0  # the tracker's ceiling on trace calls per second, per shop
    pickup_track_minutes: int = 5  # the sender's loop runs a tracking pass this often; 0 = never
    share_days: int = 14  # a share link of an order's evidence (packgate evidence share, the floor page) lasts this long
    share_base_url: str = ""  # the server's address in share links (https://HOST:8650); "" = the server setting

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or settings_path()
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"Cannot read settings {path}: {exc}") from exc
        if not isinstance(raw, dict):
            raise ConfigError(f"Settings {path} must be a JSON object of settings, not {type(raw).__name__}")
        values = {}
        for f in fields(cls):
            if f.name in raw:
                values[f.name] = _typed(f.name, raw[f.name], type(f.default), path)
        settings = cls(**values)
        try:
            settings.validate()
        except ConfigError as exc:
            raise ConfigError(f"Settings {path}: {exc.message}") from exc
        return settings

    def changes(self, other: Settings) -> dict[str, tuple]:
        """``{name: (old, new)}`` for every setting that differs in ``other`` (for the audit trail)."""
        return {f.name: (getattr(self, f.name), getattr(other, f.name)) for f in fields(self)
                if getattr(self, f.name) != getattr(other, f.name)}

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
        if int(self.ewaybill_balance_minutes) < 0:
            raise ConfigError("ewaybill_balance_minutes must not be negative")
        if int(self.platform_grace_minutes) < 0 or int(self.platform_file_minutes) < 1:
            raise ConfigError("platform_grace_minutes must not be negative and platform_file_minutes at least 1")
        if int(self.platform_pull_minutes) < 0 or not 1 <= int(self.platform_pull_days) <= 90:
            raise ConfigError("platform_pull_minutes must not be negative and platform_pull_days must be 1..90")
        if int(self.pickup_first_check_minutes) < 0 or not 1 <= int(self.pickup_watch_days) <= 30:
            raise ConfigError("pickup_first_check_minutes must not be negative and pickup_watch_days must be 1..30")
        if int(self.pickup_alert_hours) < 0 or int(self.pickup_track_minutes) < 0 or not float(self.pickup_rate_per_s) > 0:
            raise ConfigError("pickup_alert_hours and pickup_track_minutes must not be negative, pickup_rate_per_s above 0")
        if int(self.due_soon_hours) < 0:
            raise ConfigError("due_soon_hours must not be negative")
        if not 1 <= int(self.share_days) <= 365:
            raise ConfigError("share_days must be 1..365")
        if int(self.weight_tolerance_min_g) < 0:
            raise ConfigError("weight_tolerance_min_g must not be negative")
        self.video_dimensions()
        check_audio(bool(self.audio), self.audio_source, parse_camera(self.camera))  # ConfigError with the expected forms
        if not (1 <= int(self.video_fps) <= 60):
            raise ConfigError("video_fps must be between 1 and 60")
        if float(self.retention_days) < 0 or float(self.retention_gb) < 0:
            raise ConfigError("retention_days and retention_gb must not be negative")

    def video_dimensions(self) -> tuple[int, int]:
        try:
            width, height = (int(n) for n in str(self.video_size).lower().split("x"))
        except ValueError:
            raise ConfigError(f"video_size must be WIDTHxHEIGHT, e.g. 1280x720, not {self.video_size!r}") from None
        if width < 160 or height < 120 or width % 2 or height % 2:
            raise ConfigError(f"video_size {self.video_size!r}: even sizes of at least 160x120")
        return width, height

    def evidence_path(self) -> Path:
        return Path(self.evidence_dir).expanduser() if self.evidence_dir else data_dir() / "evidence"

    def printer_spec(self) -> str:
        return self.printer or _default_printer(os.environ.get("PACKGATE_HOME"))


_KINDS = {str: "text", bool: "true or false", int: "a whole number", float: "a number"}


def _typed(name: str, value, kind: type, path: Path):
    """``value`` as the setting's type, or a ConfigError naming the setting (JSON has no int/float split)."""
    ok = (isinstance(value, kind) and not (kind is int and isinstance(value, bool))) or (
        kind is float and isinstance(value, int | float) and not isinstance(value, bool))
    if not ok:
        raise ConfigError(f"Settings {path}: {name} must be {_KINDS[kind]}, not {json.dumps(value)[:40]}")
    return float(value) if kind is float else value
