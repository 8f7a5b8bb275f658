"""``packgate export-shipments``: orders with their linked waybills, for the platform's bulk upload."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, time
from pathlib import Path

from app.errors import ConfigError, KnownError


def register(sub) -> None:
    p = sub.add_parser("export-shipments", help="export every order with a linked waybill (CSV or XLSX)")
    p.add_argument("--out", metavar="FILE", help="write here (default: CSV on standard output)")
    p.add_argument("--since", metavar="DATE", help="only orders packed on or after this day (YYYY-MM-DD, local)")
    p.add_argument("--format", choices=("csv", "xlsx"), help="default: from the --out extension, else csv")
    p.add_argument("--profile", choices=("pdd",), help="pdd: Pinduoduo's bulk shipping columns 订单号, 快递公司, 快递单号")
    p.add_argument("--parcels", action="store_true",
                   help="one row per parcel (its own waybill) with an extra column parcel_seq; "
                        "default: one row per order with its first waybill")
    p.set_defaults(func=run)


def _local_midnight(text: str) -> datetime:
    from app.commands.summary import parse_day

    return datetime.combine(parse_day(text, "--since"), time()).astimezone()


def run(args, ctx) -> int:
    from app.reports.export import shipment_rows, table, write_csv, write_xlsx

    fmt = args.format or ("xlsx" if args.out and args.out.lower().endswith((".xlsx", ".xlsm")) else "csv")
    if fmt == "xlsx" and not args.out:
        raise ConfigError("--format xlsx needs --out FILE")
    since = _local_midnight(args.since) if args.since else None
    services = ctx.services()
    with services.read_uow() as uow:
        rows = shipment_rows(uow.session, since, parcels=args.parcels)
    header, cells = table(rows, args.profile, parcels=args.parcels)
    if not args.out:
        sys.stdout.flush()
        write_csv(sys.stdout.buffer, header, cells)
        sys.stdout.buffer.flush()
        return 0
    out = Path(args.out)
    if out.is_dir():
        raise ConfigError(f"--out {out} is a folder: give a file name")
    # Write beside the target and rename, so a failed export never leaves half a file.
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".export-", suffix=out.suffix, dir=out.parent if str(out.parent) else ".")
    except OSError as exc:
        raise KnownError(f"Cannot write {out}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    try:
        if fmt == "xlsx":
            os.close(fd)
            write_xlsx(tmp, header, cells)
        else:
            with os.fdopen(fd, "wb") as f:
                write_csv(f, header, cells)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise KnownError(f"Cannot write {out}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    print(f"Exported {len(cells)} shipment{'' if len(cells) == 1 else 's'} to {out}")
    return 0
