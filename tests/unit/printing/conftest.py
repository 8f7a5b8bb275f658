"""Fixtures for the printing tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# pyproject.toml has no `pythonpath = ["."]` yet, so plain `pytest` cannot import `app`.
_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from printing_helpers import make_label  # noqa: E402

from app.printing.base import LabelData  # noqa: E402


@pytest.fixture
def label() -> LabelData:
    return make_label()
