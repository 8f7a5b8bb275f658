"""The Simplified Chinese translation is complete: every string of every context is translated."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PySide6.QtCore import QTranslator

from app.config import resource_file

TS = resource_file("translations", "packgate_zh_CN.ts")
QM = resource_file("translations", "packgate_zh_CN.qm")
OLD = ("vanished", "obsolete")  # no longer in the sources: lrelease leaves them out


def messages():
    for context in ET.parse(TS).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            yield name, message


def has_chinese(text: str | None) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text or "")


def test_no_zh_cn_entry_is_unfinished():
    unfinished = [(ctx, m.findtext("source")) for ctx, m in messages()
                  if m.find("translation").get("type") == "unfinished"]
    assert unfinished == []


def test_every_current_zh_cn_entry_has_a_translation():
    empty = []
    for ctx, m in messages():
        tr = m.find("translation")
        if tr.get("type") in OLD:
            continue
        forms = [f.text for f in tr.iter("numerusform")] if m.get("numerus") == "yes" else [tr.text]
        if not all(f and f.strip() for f in forms):
            empty.append((ctx, m.findtext("source")))
    assert empty == []
    assert len([1 for _ in messages()]) > 200


def test_compiled_qm_has_the_supervisor_strings():
    translator = QTranslator()
    assert translator.load(str(QM))
    for ctx, source in (("Dashboard", "Orders packed per hour"), ("TimelinePanel", "REFUSED"),
                        ("LoginForm", "Open the summary"), ("ActionPanel", "Confirm"),
                        ("OrderPanel", "Expected waybill: %1")):
        assert has_chinese(translator.translate(ctx, source)), (ctx, source)
