"""Cells of an import file as text: the helpers the order reader and the column maps share."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def _blank(values: list[Any]) -> bool:
    return not any(_text(v) for v in values)


def _shown(text: str, limit: int = 40) -> str:
    short = text if len(text) <= limit else text[:limit] + "..."
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in short)
