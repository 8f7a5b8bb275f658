"""Every screen in zh_CN shows no English source text: station steps, handover, settings (both pages),
the supervisor's login, dashboard (every tab, the action panel of every action, a timeline).

A visible text fails when it is, as a whole, one of the English sources of the translation file
(placeholders such as ``%1`` or ``{name}`` match anything) whose Chinese translation differs: a
string marked in one context and looked up in another comes out as the English source.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTabWidget,
    QWidget,
)

from app.config import resource_file
from app.demo import DEMO_USERS
from app.ui.station_window import StationWindow
from tests.ui.conftest import Scanner

SUPERVISOR = next((badge, pin) for _n, role, badge, pin in DEMO_USERS if role == "supervisor")
PLACEHOLDER = re.compile(r"%\d|%n|\{[a-z_]*\}")


def english_sources() -> list[tuple[str, re.Pattern]]:
    sources = []
    for message in ET.parse(resource_file("translations", "packgate_zh_CN.ts")).getroot().iter("message"):
        source, translation = message.findtext("source"), message.find("translation")
        if translation.get("type") in ("vanished", "obsolete") or translation.text == source:
            continue  # "PDF (*.pdf)", "English": the same in both languages
        literal = PLACEHOLDER.sub("", source)
        if sum(c.isalpha() for c in literal) < 2:
            continue
        parts = [re.escape(p) for p in PLACEHOLDER.split(source)]
        sources.append((source, re.compile("(?s)" + ".+".join(parts))))
    return sources


SOURCES = english_sources()


def visible_texts(root: QWidget) -> list[str]:
    texts = [root.windowTitle()]
    for w in [root, *root.findChildren(QWidget)]:
        if w is not root and not w.isVisibleTo(root):
            continue
        if isinstance(w, QLabel | QAbstractButton):
            texts.append(w.text())
        if isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
        if isinstance(w, QComboBox):
            texts.extend(w.itemText(i) for i in range(w.count()))
        if isinstance(w, QTabWidget):
            texts.extend(w.tabText(i) for i in range(w.count()))
        if isinstance(w, QGroupBox):
            texts.append(w.title())
        if isinstance(w, QTableWidget):
            texts.extend(w.horizontalHeaderItem(c).text() for c in range(w.columnCount())
                         if w.horizontalHeaderItem(c) is not None)
            texts.extend(w.item(r, c).text() for r in range(w.rowCount()) for c in range(w.columnCount())
                         if w.item(r, c) is not None)
    return [t for t in texts if t and t.strip()]


def english_in(root: QWidget, where: str) -> list[tuple[str, str]]:
    found = []
    for text in visible_texts(root):
        for line in text.splitlines():
            for _source, pattern in SOURCES:
                if pattern.fullmatch(line.strip()):
                    found.append((where, line))
                    break
    return found


@pytest.fixture
def chinese():
    translator = QTranslator()
    assert translator.load(str(resource_file("translations", "packgate_zh_CN.qm")))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def test_station_steps_and_handover_in_chinese(qtbot, chinese, demo_services):
    win = StationWindow(demo_services, "BENCH-ZH")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    scanner = Scanner(qtbot, win)
    english = english_in(win, "login")
    scanner.scan("P-1001")
    english += english_in(win, "order prompt")
    out = scanner.scan("PDD-1001")
    english += english_in(win, "items")
    for line in out.view.order.lines:
        for _ in range(line.quantity):
            scanner.scan(line.barcode)
    english += english_in(win, "box")
    scanner.scan("BOX-M")
    english += english_in(win, "weight")
    scanner.scan("1")  # a wrong weight: the refusal too
    english += english_in(win, "weight refused")
    scanner.scan(str(win.view.order.expected_weight_g))
    english += english_in(win, "waybill")
    scanner.scan("SF1400000000000")
    english += english_in(win, "done")
    scanner.scan("CMD:HANDOVER")
    english += english_in(win, "handover")
    scanner.scan("SF1400000000000")
    english += english_in(win, "handover parcel")
    assert english == []


def test_settings_in_chinese(qtbot, chinese, demo_services):
    win = StationWindow(demo_services, "BENCH-ZH")
    qtbot.addWidget(win)
    dialog = win.open_settings()
    english = english_in(dialog, "settings: unlock")
    qtbot.keyClicks(dialog.badge, SUPERVISOR[0])
    qtbot.keyClicks(dialog.pin, SUPERVISOR[1])
    with qtbot.waitSignal(dialog.unlock_finished) as blocker:
        dialog.unlock_button.click()
    assert blocker.args == [True]
    english += english_in(dialog, "settings")
    assert english == []


def test_supervisor_view_in_chinese(qtbot, chinese, demo_services):
    from app.ui.supervisor import open_supervisor

    sup = open_supervisor(demo_services, "BENCH-ZH")
    qtbot.addWidget(sup)
    english = english_in(sup, "supervisor login")
    qtbot.keyClicks(sup.login.badge, SUPERVISOR[0])
    qtbot.keyClicks(sup.login.pin, SUPERVISOR[1])
    d = sup.dashboard
    with qtbot.waitSignal(d.refreshed, timeout=10_000):
        sup.login.button.click()
    for i in range(d.tabs.count()):
        d.tabs.setCurrentIndex(i)
        english += english_in(sup, f"dashboard tab {d.tabs.tabText(i)}")
    english += [("chart", t) for t in (d.chart.title(), d.bars.label())
                if any(p.fullmatch(t) for _s, p in SOURCES)]
    for kind in d.action_buttons:
        d.ask_action(kind)
        english += english_in(sup, f"action {kind}")
    with qtbot.waitSignal(d.timeline_loaded, timeout=10_000):
        d.load_timeline("PDD-1002")
    english += english_in(sup, "timeline")
    sup.close()
    assert english == []
