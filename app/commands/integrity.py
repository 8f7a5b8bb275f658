"""``packgate integrity [--json]``: check the database against PackGate's promises.

Runs the checks of :mod:`app.models.integrity` (every packed order has its waybills, units in
parcels match the units scanned, handed-over orders are on closed manifests, ...). Exit 0 and
``ok`` when nothing is wrong; exit 1 with one line per broken promise otherwise.
"""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("integrity", help="check the database against PackGate's promises (exit 1 if any is broken)")
    p.add_argument("--json", action="store_true", help="print JSON: {\"ok\": bool, \"problems\": [...]}")
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    from app.models.integrity import violations

    services = ctx.services()
    with services.engine.connect() as conn:
        problems = violations(conn)
    if args.json:
        print(json.dumps({"ok": not problems, "problems": problems}, ensure_ascii=False))
    elif problems:
        print("\n".join(problems))
    else:
        print("ok")
    return 1 if problems else 0
