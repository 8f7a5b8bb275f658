"""Scanner noise handling shared by every step: what counts as one clean scan."""

from __future__ import annotations

import re

from app.i18n import QT_TRANSLATE_NOOP, Message

MAX_SCAN_LENGTH = 128
AUDIT_RAW_LIMIT = 512
_WEIGHT = re.compile(r"^\s*(\d{1,6}(?:[.,]\d{1,3})?)\s*(g|kg|G|KG|Kg)?\s*$")


def clean_scan(raw: str, prefix: str = "") -> tuple[str, Message | None]:
    """Strip what a scanner adds around a code; refuse what no barcode PackGate knows can be."""
    text = raw.strip(" \t\r\n")
    if prefix and text.startswith(prefix):
        text = text[len(prefix) :].strip(" \t\r\n")
    if not text:
        return "", Message(QT_TRANSLATE_NOOP("Outcome", "Empty scan: scan again"))
    if len(text) > MAX_SCAN_LENGTH:
        return text[:MAX_SCAN_LENGTH], Message(
            QT_TRANSLATE_NOOP("Outcome", "Scan too long ({length} characters): not a code PackGate knows"),
            {"length": len(text)},
        )
    if not text.isprintable():
        return text, Message(
            QT_TRANSLATE_NOOP("Outcome", "Scan contains control characters: check the scanner and scan again")
        )
    return text, None


def audit_raw(raw: str) -> str:
    """What the audit trail keeps of a scan: everything, escaped, up to a sane length."""
    escaped = raw.encode("unicode_escape").decode("ascii") if not raw.isprintable() else raw
    if len(escaped) > AUDIT_RAW_LIMIT:
        return escaped[:AUDIT_RAW_LIMIT] + f"...(+{len(escaped) - AUDIT_RAW_LIMIT} chars)"
    return escaped


def parse_weight_g(text: str) -> int | None:
    """Grams from ``1250``, ``1250g``, ``1.25kg``, ``1,25 kg``; None when it is not a weight."""
    match = _WEIGHT.match(text)
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "g").lower()
    grams = number * 1000 if unit == "kg" else number
    return round(grams)


def format_grams(grams: int) -> str:
    return f"{grams:,} g"
