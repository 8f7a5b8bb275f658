"""Keystrokes to scans, for each scanner suffix (Qt-free)."""

from __future__ import annotations

from app.hardware.burst import BACKSPACE, ENTER, ESCAPE, TAB, ScanBurst


def feed(burst: ScanBurst, keys) -> list[str]:
    out = []
    for key in keys:
        if key in (ENTER, TAB, BACKSPACE, ESCAPE):
            scan = burst.feed_key(key)
            if scan:
                out.append(scan)
        else:
            burst.feed_text(key)
    return out


def test_enter_suffix():
    assert feed(ScanBurst(), list("P-1001") + [ENTER] + list("X1") + [ENTER]) == ["P-1001", "X1"]


def test_tab_suffix_and_enter_still_works_by_hand():
    burst = ScanBurst(suffix="tab")
    assert feed(burst, list("AB") + [TAB] + list("CD") + [ENTER]) == ["AB", "CD"]
    assert not ScanBurst(suffix="tab").wants(TAB)  # an empty buffer: Tab moves the focus as usual


def test_enter_then_tab_is_one_scan():
    burst = ScanBurst(suffix="enter+tab")
    assert feed(burst, list("AB") + [ENTER, TAB] + list("CD") + [ENTER, TAB]) == ["AB", "CD"]
    assert burst.buffer == ""


def test_prefix_backspace_escape():
    burst = ScanBurst(prefix="]C1")
    assert feed(burst, list("]C1ABX") + [BACKSPACE, ENTER]) == ["AB"]
    assert feed(burst, list("junk") + [ESCAPE] + list("OK") + [ENTER]) == ["OK"]
