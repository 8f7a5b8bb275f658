"""The returns bench in the window, driven by scans: the mode in large letters on its own colour,
what was shipped and what came back, a foreign item in red; CMD:RETURNS and CMD:LOGOUT leave it."""

from __future__ import annotations

from app.packing.outcome import Level, Step

TEA, MUG, SOCK = "6901234567892", "6902345678905", "6903456789018"  # PDD-1021 (packed by the demo): tea and mug


def test_a_return_received_at_the_window(window, scanner, demo_services):
    scanner.scan("P-1001")
    scanner.scan("CMD:RETURNS")
    panel = window.returns_panel
    assert window.view.step == Step.RETURNS and window.panels.currentWidget() is panel
    assert panel.mode.isVisible() and "#6a1b9a" in panel.mode.styleSheet() and panel.mode.text() == "RETURNS"
    assert not window.step_bar.isVisible()
    scanner.scan("PDD-1021")
    assert "PDD-1021" in panel.title.text() and "SF1400000000020" in panel.shipped.text()
    assert panel.lines.rowCount() == 2 and panel.lines.item(0, 2).text() == "1"
    scanner.scan("CMD:DAMAGED")
    assert panel.damaged_next.isVisible()
    scanner.scan(TEA)
    assert panel.lines.item(0, 4).text() == "0 / 1" and not panel.damaged_next.isVisible()
    out = scanner.scan(SOCK)
    assert not out.accepted and window.banner.level == Level.REFUSED
    assert panel.foreign.isVisible() and "SOCK-BLK-L" in panel.foreign.text()
    out = scanner.scan("CMD:CLOSE")
    assert out.level == Level.WARNING and "MUG-CER-01" in window.banner.text()
    assert window.panels.currentWidget() is panel and panel.lines.rowCount() == 0
    scanner.scan("CMD:RETURNS")
    assert window.view.step == Step.ORDER and window.panels.currentWidget() is not panel
    scanner.scan("CMD:RETURNS")
    scanner.scan("CMD:LOGOUT")
    assert window.view.step == Step.LOGIN
