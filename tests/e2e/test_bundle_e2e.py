"""The one-folder desktop build (``dist/PackGate/``, made by ``bash scripts/dev bundle``) starts in a
real X window away from the checkout and packs one order from badge to waybill.

Building the bundle takes minutes, so the test suite does not do it: this test runs on a bundle
that exists (``scripts/dev bundle`` builds one and then runs this test) and is skipped otherwise,
saying so. ``$PACKGATE_BUNDLE`` names another build to test.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.harness import ROOT, Bench

pytestmark = [pytest.mark.e2e, pytest.mark.bundle]  # run by `scripts/dev bundle`, left out of `scripts/dev test`

BUNDLE = Path(os.environ.get("PACKGATE_BUNDLE", ROOT / "dist" / "PackGate"))
PROGRAM = BUNDLE / ("PackGate.exe" if os.name == "nt" else "PackGate")


@pytest.fixture
def bundled(xserver, tmp_path):
    if not PROGRAM.exists():
        pytest.skip(f"no bundle at {BUNDLE}: build it with `bash scripts/dev bundle` (which runs this test)")
    program = Bench(xserver, tmp_path, program=[str(PROGRAM)])
    try:
        program.start()
        yield program
    finally:
        program.stop()


def test_the_bundle_answers_on_the_command_line(tmp_path):
    if not PROGRAM.exists():
        pytest.skip(f"no bundle at {BUNDLE}")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PACKGATE_DB")}
    env["PACKGATE_HOME"] = str(tmp_path / "home")
    done = subprocess.run([str(PROGRAM), "check-waybill", "--carrier", "SF", "SF1400000000000"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "valid"), done.stderr


def test_the_bundle_packs_one_order(bundled: Bench) -> None:
    bundled.scan("P-1001")
    bundled.scan("PDD-1001")
    units = bundled.db.units("PDD-1001")
    bundled.scan_units((code, qty) for code, qty, _ in units)
    bundled.scan("BOX-M")
    bundled.scan(str(bundled.db.expected_weight_g("PDD-1001", "BOX-M")))
    assert bundled.wait_file("label-PDD-1001-*.pdf").read_bytes().startswith(b"%PDF")
    bundled.scan("SF1400000000000")
    order = bundled.db.order("PDD-1001")
    assert (order["state"], order["waybill"]) == ("packed", "SF1400000000000")
    assert bundled.running()
