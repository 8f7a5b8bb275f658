"""Serial scales: MT-SICS (``S S     100.00 g``) and the common ``ST,GS,+0001.250kg`` format.

:func:`parse_scale_line` turns one line into grams, or None when the reading is not stable or not
a weight. :class:`ScaleReader` reads lines from a serial port (pyserial) on a daemon thread and
calls back with each stable weight. Qt-free: the window bridges the callback to a signal.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

_SICS = re.compile(r"^S\s+S\s+([+-]?\d+(?:\.\d+)?)\s*(g|kg|mg|lb|oz)?$", re.IGNORECASE)
_STGS = re.compile(r"^ST\s*,\s*(?:GS|NT|TR)\s*,\s*([+-]?\s*\d+(?:\.\d+)?)\s*(g|kg)?$", re.IGNORECASE)
_TO_GRAMS = {"g": 1.0, "kg": 1000.0, "mg": 0.001}


def parse_scale_line(line: str | bytes) -> int | None:
    """Grams from a stable reading; None for unstable (``S D``, ``US,GS``), overload, or noise."""
    if isinstance(line, bytes):
        line = line.decode("ascii", errors="replace")
    text = line.strip()
    match = _SICS.match(text) or _STGS.match(text)
    if match is None:
        return None
    unit = (match.group(2) or "g").lower()
    if unit not in _TO_GRAMS:
        return None
    value = float(match.group(1).replace(" ", ""))
    grams = round(value * _TO_GRAMS[unit])
    return grams if grams > 0 else None


class ScaleReader:
    """Read a serial scale on a daemon thread; ``on_weight(grams)`` for each stable reading.

    ``open_serial`` builds the port (default: pyserial's ``serial.Serial``); tests hand in a fake
    object with ``readline()`` and ``close()``. A stable weight is reported once, until it changes.
    """

    def __init__(self, port: str, on_weight: Callable[[int], None], *, baud: int = 9600,
                 open_serial: Callable[..., object] | None = None, poll: bytes | None = b"SI\r\n") -> None:
        self.port, self.baud, self.on_weight = port, baud, on_weight
        self._open = open_serial or _pyserial
        self._poll = poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last: int | None = None
        self.error: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=f"scale {self.port}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        try:
            port = self._open(self.port, self.baud, timeout=0.5)
        except Exception as exc:  # noqa: BLE001 - a missing scale must not stop the bench
            self.error = f"Cannot open scale {self.port}: {exc}"
            log.warning(self.error)
            return
        try:
            while not self._stop.is_set():
                if self._poll and hasattr(port, "write"):
                    port.write(self._poll)  # MT-SICS "send stable weight"; harmless for streaming scales
                line = port.readline()
                if not line:
                    if getattr(port, "exhausted", False):
                        break
                    continue
                grams = parse_scale_line(line)
                if grams is None:
                    self.last = None if line.strip() else self.last
                    continue
                if grams != self.last:
                    self.last = grams
                    self.on_weight(grams)
        except Exception as exc:  # noqa: BLE001 - unplugged cable: say so, keep the bench running
            self.error = f"Scale {self.port} stopped: {exc}"
            log.warning(self.error)
        finally:
            close = getattr(port, "close", None)
            if close:
                close()


def _pyserial(port: str, baud: int, timeout: float):
    import serial  # pyserial, imported only when a scale is configured

    return serial.Serial(port, baud, timeout=timeout)
