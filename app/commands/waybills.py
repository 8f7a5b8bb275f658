"""``packgate waybills import FILE --carrier CODE`` and ``packgate waybills list [--carrier CODE]``.

A supervisor imports the numbers a carrier allocated to the shop; the bench gives the next free one
to an order at the label step. An import adds every number of the file or none (see
:mod:`app.imports.waybill_pool`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.errors import ConfigError, KnownError


def register(sub) -> None:
    p = sub.add_parser("waybills", help="import or list waybill pools (numbers a carrier allocated)")
    waybills = p.add_subparsers(dest="waybills_command", metavar="ACTION", required=True)
    imp = waybills.add_parser(
        "import",
        help="import a carrier's waybill numbers (all or nothing; safe to run twice)",
        description="Read one number per line, or a CSV with a column named waybill or 运单号. Every number "
        "is checked against the carrier's rules; if any line is bad nothing is imported and every bad "
        "line is listed. Numbers already in this carrier's pool are skipped.",
    )
    imp.add_argument("file", metavar="FILE", type=Path)
    imp.add_argument("--carrier", required=True, metavar="CODE", help="carrier code or name, e.g. SF, ZTO, 顺丰")
    imp.set_defaults(func=run_import)
    ls = waybills.add_parser("list", help="free and taken pool numbers per carrier")
    ls.add_argument("--carrier", metavar="CODE", help="only this carrier")
    ls.set_defaults(func=run_list)


def _carrier_code(services, name: str) -> str:
    carrier = services.catalogue.resolve(name)
    if carrier is None:
        codes = ", ".join(c.code for c in services.catalogue.all())
        raise ConfigError(f"Unknown carrier {name!r} (known: {codes})")
    return carrier.code


def run_import(args, ctx) -> int:
    from app.imports.waybill_pool import import_pool, read_pool_file

    lines = read_pool_file(args.file)  # before opening the database: a missing file is quick to say
    if not lines:
        raise KnownError(f"{args.file}: no waybill numbers found; nothing was imported")
    services = ctx.services()
    code = _carrier_code(services, args.carrier)
    with services.uow() as uow:
        result = import_pool(uow.session, services.catalogue, code, lines, services.clock())
        if not result.ok:
            uow.rollback()
    if not result.ok:
        for problem in result.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        raise KnownError(
            f"{len(result.problems)} bad line{'s' if len(result.problems) != 1 else ''} in {args.file}; "
            "nothing was imported"
        )
    skipped = f" ({result.already_in_pool} already in the pool)" if result.already_in_pool else ""
    print(f"Added {len(result.new)} {code} waybill number{'s' if len(result.new) != 1 else ''} "
          f"to the pool{skipped}")
    return 0


def run_list(args, ctx) -> int:
    from app.imports.waybill_pool import pool_status

    services = ctx.services()
    code = _carrier_code(services, args.carrier) if args.carrier else None
    with services.read_uow() as uow:
        rows = pool_status(uow.session, code)
    if not rows:
        print("No waybill pools: import one with packgate waybills import FILE --carrier CODE")
        return 0
    print(f"{'carrier':<8} {'free':>7} {'taken':>7}  next free")
    for row in rows:
        print(f"{row.carrier_code:<8} {row.free:>7} {row.taken:>7}  {row.next_free or '-'}")
    return 0
