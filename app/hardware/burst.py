"""Turn a keyboard-wedge scanner's keystrokes into whole scans (Qt-free).

A wedge scanner types the code, then its suffix (Enter, Tab, or Enter then Tab), sometimes after a
configured prefix. :class:`ScanBurst` is fed one key at a time and returns the finished scan when
the suffix arrives. Enter always ends a scan so that a packer can type a damaged barcode by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

ENTER = "enter"
TAB = "tab"
BACKSPACE = "backspace"
ESCAPE = "escape"


@dataclass
class ScanBurst:
    suffix: str = "enter"  # "enter", "tab" or "enter+tab" (Settings.scanner_suffix)
    prefix: str = ""  # stripped from the start of a scan when present
    buffer: str = ""
    _swallow_tab: bool = False  # enter+tab: the Tab after Enter belongs to the scan just ended

    def wants(self, key: str) -> bool:
        """Whether ``key`` (ENTER, TAB, ...) belongs to the scan path rather than to the widgets."""
        if key == TAB:
            return "tab" in self.suffix and (bool(self.buffer) or self._swallow_tab)
        if key in (BACKSPACE, ESCAPE):
            return bool(self.buffer)
        return True

    def feed_text(self, text: str) -> None:
        self._swallow_tab = False
        self.buffer += text

    def feed_key(self, key: str) -> str | None:
        """Feed a special key; returns the finished scan (possibly "") or None."""
        if key == BACKSPACE:
            self.buffer = self.buffer[:-1]
            return None
        if key == ESCAPE:
            self.buffer = ""
            return None
        if key == TAB:
            if self._swallow_tab:
                self._swallow_tab = False
                return None
            return self._finish() if "tab" in self.suffix else None
        if key == ENTER:
            scan = self._finish()
            self._swallow_tab = self.suffix == "enter+tab"
            return scan
        return None

    def _finish(self) -> str:
        scan, self.buffer = self.buffer, ""
        if self.prefix and scan.startswith(self.prefix):
            scan = scan[len(self.prefix) :]
        return scan
