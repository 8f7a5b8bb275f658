"""``packgate check-waybill --carrier CODE NUMBER``: is this a valid waybill for that carrier?

Uses the same rules as the bench (``app.carriers``) and needs no database.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.carriers import load_catalogue
from app.errors import ConfigError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check-waybill",
        help="check a waybill number against a carrier's format and check digit",
        description="Check a waybill number against one carrier's rules (pattern and check digit). "
        "Prints 'valid' and exits 0, or prints the reason and exits 1.",
    )
    parser.add_argument(
        "--carrier", required=True, metavar="CODE", help="carrier code or name, e.g. SF, ZTO, UPS, 顺丰"
    )
    parser.add_argument("number", metavar="NUMBER", help="the waybill number as scanned")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Any) -> int:
    catalogue = load_catalogue()
    carrier = catalogue.resolve(args.carrier)
    if carrier is None:
        codes = ", ".join(c.code for c in catalogue.all())
        raise ConfigError(f"unknown carrier {args.carrier!r} (known: {codes})")
    check = catalogue.validate(carrier.code, args.number)
    if check.ok:
        print("valid")
        return 0
    print(f"invalid: {check.message}")
    return 1
