"""The platform's call ceiling: a token bucket shared by the threads that call one shop's API (the
sender's deliveries, the pickup watch's trace calls)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimit:
    """A token bucket: at most ``per_s`` calls a second, shared by the sender's threads."""

    def __init__(self, per_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_s, self._clock = float(per_s), clock
        self._lock = threading.Lock()
        self._next = clock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            at = max(now, self._next)
            self._next = at + 1.0 / self.per_s
        if at > now:
            time.sleep(at - now)
