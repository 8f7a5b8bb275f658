"""Scanner noise handling: what counts as one clean scan, what the audit keeps, what a weight is."""

from __future__ import annotations

import pytest

from app.packing.scan import (
    AUDIT_RAW_LIMIT,
    MAX_SCAN_LENGTH,
    audit_raw,
    clean_scan,
    format_grams,
    parse_weight_g,
)


@pytest.mark.parametrize(
    ("raw", "prefix", "clean", "problem"),
    [
        ("PDD-1001", "", "PDD-1001", None),
        ("  PDD-1001\r\n", "", "PDD-1001", None),
        ("PDD-1001\t", "", "PDD-1001", None),
        ("]C1PDD-1001", "]C1", "PDD-1001", None),
        ("]C1", "]C1", "", "Empty scan"),
        ("", "", "", "Empty scan"),
        (" \r\n", "", "", "Empty scan"),
        ("A" * MAX_SCAN_LENGTH, "", "A" * MAX_SCAN_LENGTH, None),
        ("A" * (MAX_SCAN_LENGTH + 1), "", "A" * MAX_SCAN_LENGTH, "Scan too long (129 characters)"),
        ("PDD\x001001", "", "PDD\x001001", "control characters"),
        ("PDD\x1b[31m", "", "PDD\x1b[31m", "control characters"),
        ("订单 1001", "", "订单 1001", None),
    ],
)
def test_clean_scan(raw, prefix, clean, problem):
    text, message = clean_scan(raw, prefix)
    assert text == clean
    if problem is None:
        assert message is None
    else:
        assert message is not None and problem in message.render()


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("PDD-1001", "PDD-1001"),
        ("a\x00b", "a\\x00b"),
        ("x\r\n", "x\\r\\n"),
        ("订单", "订单"),
        ("订单\n", "\\u8ba2\\u5355\\n"),
    ],
)
def test_audit_raw_keeps_everything_escaped(raw, kept):
    assert audit_raw(raw) == kept


def test_audit_raw_is_bounded():
    kept = audit_raw("9" * 10_000)
    assert kept.startswith("9" * AUDIT_RAW_LIMIT) and kept.endswith(f"...(+{10_000 - AUDIT_RAW_LIMIT} chars)")


@pytest.mark.parametrize(
    ("text", "grams"),
    [
        ("1250", 1250), ("1250g", 1250), ("1250 g", 1250), ("1250G", 1250), ("1.25kg", 1250), ("1.25 KG", 1250),
        ("1,25kg", 1250), ("1.2505kg", None), ("0.001kg", 1), ("12.4", 12), ("12.6g", 13), ("999999", 999999),
        ("1000000", None), ("1250lb", None), ("-5", None), ("", None), ("kg", None), ("1 250", None),
        ("1250gg", None), ("1.", None), (".5kg", None), ("'; DROP TABLE orders;--", None),
    ],
)
def test_parse_weight(text, grams):
    assert parse_weight_g(text) == grams


def test_format_grams():
    assert format_grams(1250) == "1,250 g" and format_grams(50) == "50 g"
