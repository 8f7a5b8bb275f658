"""``packgate import-products FILE``: the seller's product catalogue (CSV or XLSX), all or nothing."""

from __future__ import annotations

import sys

from app.commands.import_orders import ImportRefused, max_bytes_option


def register(sub) -> None:
    p = sub.add_parser(
        "import-products",
        help="import the product catalogue (SKU, name, barcodes, unit weight, default box) from CSV or XLSX",
    )
    p.add_argument("file", metavar="FILE", help="CSV or XLSX, headers sku/商品编码, name/商品名称, barcode/商品条码, "
                                                "unit_weight_g/单件重量(克), default_box/默认箱型")
    p.add_argument("--max-size", type=int, default=None, metavar="MB",
                   help="refuse files larger than this many megabytes (default 64)")
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    from app.imports.products import import_products

    report = import_products(ctx.services(), args.file, max_bytes=max_bytes_option(args.max_size))
    if report.errors:
        for line, reason in report.errors:
            print(f"line {line}: {reason}", file=sys.stderr)
        bad_lines = len({line for line, _reason in report.errors})
        raise ImportRefused(
            f"{report.file_name}: {bad_lines} bad {'row' if bad_lines == 1 else 'rows'}. Nothing was imported."
        )
    print(report.summary())
    return 0
