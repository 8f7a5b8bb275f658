"""Recorder processes for the evidence tests: started by a test, always stopped after it."""

from __future__ import annotations

import pytest

from app.evidence.recorder import Recorder
from tests.integration.evidence.recorder_helpers import Events


@pytest.fixture
def recorders():
    started: list[Recorder] = []

    def make(cfg) -> tuple[Recorder, Events]:
        rec = Recorder(cfg)
        rec.start()
        started.append(rec)
        return rec, Events(rec)

    yield make
    for rec in started:
        rec.stop(timeout=15)
