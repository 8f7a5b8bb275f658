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
    p.add_argument(
        "--max-size",
        type=int,
        default=None,
        metavar="MB",
        help="refuse files larger than this many megabytes (default 64)",
    )
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    from app.imports.orders import import_orders

    report = import_orders(ctx.services(), args.file, max_bytes=max_bytes_option(args.max_size))
    if report.errors:
        for line, reason in report.errors:
            print(f"line {line}: {reason}", file=sys.stderr)
        bad_lines = len({line for line, _reason in report.errors})
        raise ImportRefused(
            f"{report.file_name}: {bad_lines} bad {'row' if bad_lines == 1 else 'rows'}. Nothing was imported."
        )
    print(report.summary())
    return 0
