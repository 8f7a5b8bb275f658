"""``packgate import-orders FILE``: import the shop's orders (CSV or XLSX), all or nothing."""

from __future__ import annotations

import sys

from app.errors import ConfigError, KnownError


class ImportRefused(KnownError):
    """The file had bad rows; they were listed and nothing was imported."""

    exit_code = 1


def max_bytes_option(megabytes: int | None) -> int:
    from app.imports.orders import DEFAULT_MAX_BYTES

    if megabytes is None:
        return DEFAULT_MAX_BYTES
    if megabytes <= 0:
        raise ConfigError("--max-size must be a positive number of megabytes")
    return megabytes * 1024 * 1024


def register(sub) -> None:
    p = sub.add_parser(
        "import-orders",
        help="import orders from a CSV (UTF-8 or GBK) or XLSX file; one bad row imports nothing",
    )
    p.add_argument("file", metavar="FILE", help="CSV or XLSX, one row per order line, English or Chinese headers")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--profile", metavar="NAME",
                        help="the file is a platform's own export: pdd (Pinduoduo), ... (resources/profiles/)")
    source.add_argument("--columns", metavar="MAP.toml",
                        help="a column map naming which header feeds which field, and fixed values")
    p.add_argument("--default-carrier", metavar="CODE",
                   help="carrier for orders whose carrier is blank (default: the default_carrier setting)")
    p.add_argument(
        "--max-size",
        type=int,
        default=None,
        metavar="MB",
        help="refuse files larger than this many megabytes (default 64)",
    )
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    from app.imports.columnmap import load_column_map, load_profile
    from app.imports.orders import import_orders

    column_map = None
    if args.profile:
        column_map = load_profile(args.profile)
    elif args.columns:
        column_map = load_column_map(args.columns)
    report = import_orders(ctx.services(), args.file, max_bytes=max_bytes_option(args.max_size),
                           column_map=column_map, default_carrier=args.default_carrier)
    if report.errors:
        for line, reason in report.errors:
            print(f"line {line}: {reason}", file=sys.stderr)
        bad_lines = len({line for line, _reason in report.errors})
        raise ImportRefused(
            f"{report.file_name}: {bad_lines} bad {'row' if bad_lines == 1 else 'rows'}. Nothing was imported."
        )
    if report.unknown_products:
        for line in report.details():
            print(line, file=sys.stderr)
        n = len(report.unknown_products)
        raise ImportRefused(f"{report.file_name}: {n} unknown {'product' if n == 1 else 'products'}: import them "
                            "with packgate import-products, then this file again. Nothing was imported.")
    print(report.summary())
    return 0
