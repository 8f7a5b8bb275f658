"""Fixtures for the end-to-end tests: a private Xvfb, and the real program in a real window on it.

Without Xvfb or xdotool these tests are skipped with the reason; with CI=true they fail instead, so
CI never passes without having run them (``scripts/dev test`` installs both on Debian).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.e2e.harness import Bench, XServer, missing_tools


@pytest.fixture(scope="session")
def xserver() -> Iterator[XServer]:
    missing = missing_tools()
    if missing:
        reason = f"end-to-end tests need {', '.join(missing)} (Debian: apt-get install xvfb xdotool)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason}; CI must run them")
        pytest.skip(reason)
    x = XServer()
    try:
        yield x
    finally:
        x.stop()


@pytest.fixture
def bench(xserver, tmp_path) -> Iterator[Bench]:
    """The program started on a fresh demo database, window mapped and focused; killed afterwards."""
    program = Bench(xserver, tmp_path)
    try:
        program.start()
        yield program
    finally:
        program.stop()
