"""The built wheel works on its own: installed in a fresh virtual environment away from the checkout.

The wheel is built once per session (``pip wheel --no-deps``) and installed with its dependencies
from the package index pip is configured with (a local one on the build machine, so this runs
offline). Every command runs with the working directory and ``PACKGATE_HOME`` in a temporary folder
and without ``PYTHONPATH``, so nothing can be read from the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 300


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("installed-wheel")
    # Built from a clean copy of the sources: a stale build/ folder in the checkout cannot hide a
    # file the packaging configuration forgot.
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "demo", "docs", "*.egg-info", "__pycache__", ".hypothesis", "bench"))
    wheels = base / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
                   check=True, capture_output=True, timeout=TIMEOUT_S)
    (wheel,) = wheels.glob("packgate-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=TIMEOUT_S)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True, timeout=TIMEOUT_S)
    work = base / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PACKGATE_DB", "VIRTUAL_ENV")}
    env.update(PACKGATE_HOME=str(work / "home"), QT_QPA_PLATFORM="offscreen")
    return {"bin": bindir, "cwd": work, "env": env, "db": f"sqlite:///{work / 'bench.db'}"}


def packgate(installed: dict, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(installed["bin"] / "packgate"), *args], cwd=installed["cwd"],
                          env={**installed["env"], **(env or {})}, capture_output=True, text=True, timeout=120)


def test_the_installed_package_is_not_the_checkout(installed):
    done = subprocess.run([str(installed["bin"] / "python"), "-c",
                           "import app; from app.config import resource_file as f; print(app.__file__); "
                           "[print(f(*p)) for p in (('carriers.toml',), ('sounds', 'accept.wav'), "
                           "('translations', 'packgate_zh_CN.qm')) if f(*p).is_file()]"],
                          cwd=installed["cwd"], env=installed["env"], capture_output=True, text=True, check=True)
    assert len(done.stdout.splitlines()) == 4, done.stdout
    for line in done.stdout.splitlines():
        assert str(ROOT) not in line
        assert "site-packages" in line


def test_every_migration_is_installed(installed):
    done = subprocess.run([str(installed["bin"] / "python"), "-c",
                           "from app.models.db import MIGRATIONS; print(*sorted(p.name for p in "
                           "(MIGRATIONS / 'versions').glob('0*.py')))"],
                          cwd=installed["cwd"], env=installed["env"], capture_output=True, text=True, check=True)
    shipped = sorted(p.name for p in (ROOT / "app" / "models" / "migrations" / "versions").glob("0*.py"))
    assert done.stdout.split() == shipped


def test_check_waybill_reads_the_shipped_catalogue(installed):
    done = packgate(installed, "check-waybill", "--carrier", "SF", "SF1400000000000")
    assert (done.returncode, done.stdout.strip()) == (0, "valid"), done.stderr
    refused = packgate(installed, "check-waybill", "--carrier", "SF", "ZTO123")
    assert refused.returncode == 1, refused.stderr


def test_demo_summary_and_the_window(installed):
    demo = packgate(installed, "--db", installed["db"], "demo")
    assert demo.returncode == 0, demo.stderr
    summary = packgate(installed, "--db", installed["db"], "summary", "--json")
    assert summary.returncode == 0, summary.stderr
    assert json.loads(summary.stdout)["packed_without_waybill"] == 0

    home = Path(installed["env"]["PACKGATE_HOME"])
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "settings.json").write_text(json.dumps({"language": "zh_CN", "sounds": True}))
    window = packgate(installed, "--db", installed["db"], "gui", "--station", "BENCH-WHEEL",
                      "--printer", f"pdf:{installed['cwd'] / 'prints'}",
                      env={"PACKGATE_QUIT_WHEN_READY": "1", "PACKGATE_STARTUP_TIMING": "1"})
    assert window.returncode == 0, window.stderr
    assert "ready for scan" in window.stdout
    assert "translation not found" not in window.stderr
