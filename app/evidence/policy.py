"""When to record: a pure mapping from what the bench shows to recorder commands (no Qt, no I/O).

The bench window hands every view it renders, and every scan's Outcome, to :class:`RecordingPolicy`,
which answers with commands for the recorder. It keys on the few facts every version of the
workflow keeps (the open order's number, the order just completed, the packer, whether a scan was
accepted, the outcome kinds 'order', 'item', 'box', 'weight', 'waybill', 'command'), so the
workflow can grow (several parcels per order, each with its waybill) without changing this file:

- an order appears in the view (opened, or resumed after a login): start a clip;
- every scan while a clip runs, accepted or refused: a mark;
- an accepted waybill scan: add the waybill (one per parcel: each is added); parcel boundaries
  (a box scan begins a parcel, its waybill seals it) are marks of kind ``parcel``;
- the order leaves the view: stop, ``tail_s`` seconds later if it was completed (packed), at once
  otherwise (cancelled, put on hold, logged out, taken away);
- the returns bench: a return opened (its ``return_view``) starts a clip of kind ``return`` under its
  order's number (an unmatched parcel's: its waybill), with the return waybill in the overlay; its
  close stops it ``tail_s`` later.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from app.evidence.commands import AddWaybill, Command, Mark, StartClip, StopClip
from app.i18n import QT_TRANSLATE_NOOP, Message
from app.packing.outcome import Level, Outcome, Step

PARCEL_KINDS = ("box", "weight", "waybill")  # a parcel's boundaries in the clip's marks
NOT_MARKED = ("offline",)
_CLEAN = re.compile(r"\s+")


class RecordingPolicy:
    def __init__(self, station: str, tail_s: float = 3.0, clock: Callable[[], float] = time.time) -> None:
        self.station, self.tail_s, self.clock = station, tail_s, clock
        self.order_no: str | None = None  # the order being recorded
        self.waybills: list[str] = []
        self.parcels = 0  # parcels begun in this clip (a box scan begins one)
        self.kind = "packing"  # or "return": the returns bench's open return

    def on_view(self, view: Any) -> list[Command]:
        """A view the bench rendered (after a scan, a refresh, a login that resumed an order)."""
        order = getattr(view, "order", None)
        current = getattr(order, "order_no", None) if order is not None else None
        ret = getattr(view, "return_view", None) if current is None else None
        kind = "packing"
        if ret is not None:  # the returns bench: a returned parcel is recorded from its open to its close
            current, kind = ret.order_no or ret.return_waybill or "?", "return"
        if current == self.order_no and kind == self.kind:
            return []
        commands: list[Command] = []
        now = self.clock()
        if self.order_no is not None:
            if self.kind == "return":
                closed = getattr(view, "user_name", None) is not None
                commands.append(StopClip(self.tail_s if closed else 0.0, "return closed" if closed else _why(view), now))
            else:
                packed = getattr(view, "completed_order", None) == self.order_no
                commands.append(StopClip(self.tail_s if packed else 0.0, "packed" if packed else _why(view), now))
        self.order_no, self.waybills, self.parcels, self.kind = current, [], 0, kind
        if current is not None:
            known = getattr(order, "waybill", None) if ret is None else getattr(ret, "return_waybill", None)
            self.waybills = [known] if known else []
            commands.append(StartClip(current, self.station, getattr(view, "user_name", None) or "",
                                      tuple(self.waybills), now, kind))
        return commands

    def on_outcome(self, outcome: Any) -> list[Command]:
        """A scan's Outcome: its mark and waybill, then whatever its view implies."""
        commands: list[Command] = []
        now = self.clock()
        recording = self.order_no
        view = outcome.view
        if recording is not None and outcome.kind not in NOT_MARKED:
            commands.append(Mark(outcome.kind, bool(outcome.accepted), _code(outcome), _text(outcome), now))
            if outcome.accepted and outcome.kind == "box":
                self.parcels += 1
                commands.append(Mark("parcel", True, "", f"parcel {self.parcels} begun", now))
            if outcome.accepted and outcome.kind == "waybill":
                waybill = _waybill(outcome)
                if waybill and waybill not in self.waybills:
                    self.waybills.append(waybill)
                    commands.append(AddWaybill(waybill))
                    commands.append(Mark("parcel", True, waybill,
                                         f"parcel {max(self.parcels, len(self.waybills))} sealed", now))
        after = self.on_view(view)
        if recording is None and self.order_no is not None and outcome.kind not in NOT_MARKED:
            # the scan that opened the order is the clip's first mark
            after.append(Mark(outcome.kind, bool(outcome.accepted), _code(outcome), _text(outcome), now))
        return commands + after


def _why(view: Any) -> str:
    if getattr(view, "user_name", None) is None:
        return "logged out"
    return "order closed"  # cancelled, on hold, or taken away by a supervisor


def _code(outcome: Any) -> str:
    if outcome.kind in ("pin", "badge"):
        return ""
    return _CLEAN.sub(" ", (outcome.raw or "").strip())[:80]


def _text(outcome: Any) -> str:
    message = getattr(outcome, "message", None)
    try:
        return message.render() if message is not None else ""
    except Exception:  # noqa: BLE001 - a mark without text is better than no mark
        return ""


def _waybill(outcome: Any) -> str | None:
    """The waybill an accepted waybill scan linked: from the outcome if it says, else the scan."""
    extra = getattr(outcome, "extra", None) or {}
    for value in (extra.get("waybill"), getattr(getattr(outcome, "message", None), "params", {}).get("number")):
        if value:
            return str(value)
    raw = (outcome.raw or "").strip().upper()
    return raw or None


NO_CAMERA = QT_TRANSLATE_NOOP(
    "Outcome", "No working camera ({reason}): this bench records every order on video, so {code} cannot be opened")


def video_required(view: Any, default: bool) -> bool:
    """The site's "video required" as the last view read it; ``default`` (settings.json) before any was read."""
    required = getattr(view, "require_video", None)
    return bool(default) if required is None else bool(required)


def video_gate(raw: str, view: Any, camera_ok: bool, reason: str) -> Outcome | None:
    """With ``require_video``: refuse a scan that would open an order while the camera does not work.

    Decided before the scan reaches the workflow: at the order step, anything but a command is an
    order number. Returns the refusal to show, or None to let the scan through.
    """
    step = getattr(view, "step", None)
    # The returns bench with no return open: a scan there opens one (the return's video is the evidence too).
    opens_return = step == Step.RETURNS and getattr(view, "return_view", None) is None
    if camera_ok or (step != Step.ORDER and not opens_return) or getattr(view, "user_name", None) is None:
        return None
    code = raw.strip()
    if not code or code.upper().startswith("CMD:"):
        return None
    message = Message(NO_CAMERA, {"reason": reason or "-", "code": code})
    return Outcome(False, Level.REFUSED, message, "order", view, raw=raw, extra={"video_required": True})
