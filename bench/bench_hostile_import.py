"""How fast hostile XLSX files are dealt with (not a test): `.venv/bin/python bench/bench_hostile_import.py`.

A 20,000-row file declaring the full sheet (``A1:XFD1048576``: every row was 16,384 cells wide
before, 29 s of CPU), and a shared-strings zip bomb (65 MB unpacked from ~250 kB): the first is read
at the header's width, the second refused before openpyxl opens it. Medians of 5 runs, beside an
ordinary file of the same rows (the floor).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "unit" / "imports")]

from import_helpers import EN, line  # noqa: E402

from app.errors import ImportFileError  # noqa: E402
from app.imports.orders import read_order_file  # noqa: E402
from tests.unit.imports.test_hostile_xlsx import write_raw_xlsx  # noqa: E402


def timed(fn, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        rows = [list(EN)] + [line(order_no=f"PDD-{i}") for i in range(20_000)]
        wide = write_raw_xlsx(Path(folder) / "wide.xlsx", rows, dimension="A1:XFD1048576")
        plain = write_raw_xlsx(Path(folder) / "plain.xlsx", rows)
        bomb = write_raw_xlsx(Path(folder) / "bomb.xlsx", [list(EN), line()], shared_strings="A" * 65_000_000)

        def refuse() -> None:
            try:
                read_order_file(bomb)
            except ImportFileError:
                return
            raise AssertionError("the zip bomb was read")

        print(f"20,000 rows, full-sheet dimension ({wide.stat().st_size / 1024:.0f} kB): "
              f"{timed(lambda: read_order_file(wide)):.2f} s; the same rows without it: "
              f"{timed(lambda: read_order_file(plain)):.2f} s")
        print(f"shared-strings bomb ({bomb.stat().st_size / 1024:.0f} kB, 65 MB unpacked): refused in "
              f"{timed(refuse) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
