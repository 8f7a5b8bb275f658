"""Screenshots of each packing step for the README, taken from the real window under Xvfb.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts a private Xvfb and the real program on a fresh demo database (the same harness as the
end-to-end tests), scans through one order with xdotool as a packer would and saves one PNG per
step, then one screenshot of the order step in Simplified Chinese. Needs Debian's ``xvfb`` and
``xdotool``; the screen is grabbed with Pillow (already installed with reportlab).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import Bench, E2EError, XServer, missing_tools, poll  # noqa: E402

ORDER = "PDD-1001"
WAYBILL = "SF1400000000000"
BOX = "BOX-M"
SETTLE_S = 0.15  # the screen must stay unchanged this long to count as painted


class Shooter:
    """Saves the screen once the window has repainted after the last scan."""

    def __init__(self, x: XServer, out: Path) -> None:
        self.x = x
        self.out = out
        self.previous: bytes | None = None
        self.saved: list[Path] = []

    def grab(self):
        from PIL import ImageGrab

        return ImageGrab.grab(xdisplay=self.x.display)

    def shoot(self, name: str) -> Path:
        # The scan is committed before the window renders it: wait until the screen has changed
        # since the last shot and then holds still (the worker's outcome has been painted).
        def settled():
            first = self.grab()
            if first.tobytes() == self.previous or all(lo == hi for lo, hi in first.getextrema()):
                return None  # not repainted yet, or not painted at all (one flat colour)
            time.sleep(SETTLE_S)
            second = self.grab()
            return second if second.tobytes() == first.tobytes() else None

        image = poll(f"the window to repaint for {name}", settled)
        self.previous = image.tobytes()
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, optimize=True)
        self.saved.append(path)
        print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        return path


def wrong_item(bench: Bench, order_no: str) -> str:
    """A demo product's barcode that is not in the order."""
    return bench.db.value(
        "SELECT MIN(b.barcode) FROM product_barcodes b WHERE b.product_id NOT IN"
        " (SELECT l.product_id FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.order_no = ?)",
        order_no)


def english_tour(x: XServer, work: Path, out: Path) -> list[Path]:
    bench = Bench(x, work / "en", station="BENCH-1")
    shots = Shooter(x, out)
    try:
        bench.start()
        shots.shoot("01-login.png")

        bench.scan("P-1001")
        bench.scan(ORDER)
        plan = [code for code, qty, _ in bench.db.units(ORDER) for _ in range(qty)]
        bench.scan(plan[0])
        shots.shoot("02-order.png")

        bench.scan(wrong_item(bench, ORDER), accepted=False)
        shots.shoot("03-wrong-item.png")

        for code in plan[1:]:
            bench.scan(code)
        bench.scan(BOX)
        shots.shoot("04-box-weigh.png")

        bench.scan(str(bench.db.expected_weight_g(ORDER, BOX)))
        bench.wait_file(f"label-{ORDER}-*.pdf")
        shots.shoot("05-waybill.png")

        bench.scan("SF1400000000099", accepted=False)
        shots.shoot("06-wrong-waybill.png")

        bench.scan(WAYBILL)
        shots.shoot("07-done.png")

        bench.scan("CMD:HANDOVER")
        bench.scan(WAYBILL)
        shots.shoot("08-handover.png")

        bench.scan("CMD:CLOSE")
        bench.wait_file("manifest-*.pdf")
        shots.shoot("09-handover-closed.png")
    finally:
        bench.stop()
    return shots.saved


def chinese_order(x: XServer, work: Path, out: Path) -> list[Path]:
    bench = Bench(x, work / "zh", station="BENCH-1", lang="zh_CN.UTF-8")
    shots = Shooter(x, out)
    try:
        bench.start()
        bench.scan("P-1001")
        bench.scan(ORDER)
        bench.scan(bench.db.units(ORDER)[0][0])
        shots.shoot("zh-order.png")
    finally:
        bench.stop()
    return shots.saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNGs")
    args = parser.parse_args(argv)
    missing = missing_tools()
    if missing:
        print(f"screenshots: need {', '.join(missing)} (Debian: apt-get install xvfb xdotool)", file=sys.stderr)
        return 2
    started = time.monotonic()
    x = XServer()
    try:
        with tempfile.TemporaryDirectory(prefix="packgate-shots-") as tmp:
            saved = english_tour(x, Path(tmp), args.out) + chinese_order(x, Path(tmp), args.out)
    except E2EError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    finally:
        x.stop()
    print(f"{len(saved)} screenshots in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
