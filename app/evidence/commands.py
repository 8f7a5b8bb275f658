"""What goes to the recorder process (commands) and what comes back (events): plain picklable data."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.i18n import Message

# ---------------------------------------------------------------- commands (bench -> recorder)

@dataclass(frozen=True)
class StartClip:
    """Record the order now open at the bench (ends any clip still running)."""

    order_no: str
    station: str
    packer: str
    waybills: tuple[str, ...] = ()
    at: float = 0.0  # wall-clock time.time() when the bench opened the order
    kind: str = "packing"  # or "return": a returned parcel opened at the returns bench


@dataclass(frozen=True)
class Mark:
    """A moment in the clip's index: a scan (accepted or refused), a parcel boundary, an event."""

    kind: str
    accepted: bool
    code: str = ""
    text: str = ""
    at: float = 0.0  # wall-clock time.time() of the scan's outcome


@dataclass(frozen=True)
class AddWaybill:
    """A waybill was linked: from now on it is in the overlay, the QR code and the index."""

    waybill: str


@dataclass(frozen=True)
class StopClip:
    """End the clip ``after_s`` seconds from now (the sealed parcel and its waybill in view)."""

    after_s: float = 0.0
    reason: str = ""
    at: float = 0.0  # wall-clock time.time() of the outcome that ends the clip (0: now)


@dataclass(frozen=True)
class Shutdown:
    pass


@dataclass(frozen=True)
class Tick:
    """Move a stepped recorder's clock (``RecorderConfig.stepped``) on by ``frames`` frame intervals, one
    frame each: the tests' way to say how long something took in the clip's own time, whatever the
    machine's speed. A recorder on the real clock ignores it."""

    frames: int = 1


Command = StartClip | Mark | AddWaybill | StopClip | Shutdown | Tick


# ---------------------------------------------------------------- events (recorder -> bench)

@dataclass(frozen=True)
class CameraState:
    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class ClipStarted:
    clip_id: int | None
    order_no: str
    path: str


@dataclass(frozen=True)
class ClipEnded:
    clip_id: int | None
    order_no: str
    path: str
    state: str
    reason: str
    duration_s: float
    frames: int
    bytes: int
    sha256: str
    waybills: tuple[str, ...] = ()
    marks: tuple[dict, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DiskFull:
    folder: str
    free_mb: int


@dataclass(frozen=True)
class RecorderProblem:
    text: str  # English, for the log
    message: Message | None = None  # what the bench shows, translated (None: ``text`` as it is)


@dataclass(frozen=True)
class ClipUploaded:
    """The server verified a clip's SHA-256 and holds it in its evidence store; the bench's copy is gone."""

    key: str
    order_no: str
    bench_path: str
    server_path: str
    sha256: str
