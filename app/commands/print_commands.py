"""``packgate print-commands [--demo] [--out FILE] [--printer SPEC]``: the bench's command sheet.

An A4 sheet of Code 128 barcodes the packer scans instead of typing: the commands (CMD:CANCEL,
CMD:REPRINT, ...), the active box codes and, with ``--demo``, the demo badges, the demo orders
still ready to pack and the demo item barcodes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.errors import KnownError
from app.fileutil import write_atomic


def register(sub) -> None:
    p = sub.add_parser(
        "print-commands",
        help="print the command sheet: command barcodes and box codes (with --demo: badges, orders, items)",
    )
    p.add_argument("--demo", action="store_true",
                   help="add the demo badges, demo orders still ready to pack and demo item barcodes")
    p.add_argument("--out", metavar="FILE", type=Path, help="write the PDF to FILE instead of printing it")
    p.add_argument("--printer", metavar="SPEC",
                   help="pdf:DIR, system:NAME, zpl:HOST:PORT, zpl-cups:QUEUE (default: the settings' printer)")
    p.set_defaults(func=run)


def sheet_entries(services, demo: bool) -> dict[str, list[tuple[str, str]]]:
    """The (code, caption) pairs of each section of the sheet, read from the database."""
    from sqlalchemy import select

    from app.demo import DEMO_ORDERS, DEMO_PRODUCTS, DEMO_SPLIT_ORDERS, DEMO_SPLIT_WAYBILLS, DEMO_USERS
    from app.models.schema import BoxType, Order, OrderState, ProductBarcode, User
    from app.printing.command_sheet import DEFAULT_COMMANDS

    with services.read_uow() as uow:
        s = uow.session
        boxes = [(b.code, f"{b.length_mm}×{b.width_mm}×{b.height_mm} mm")
                 if b.length_mm else (b.code, b.code)
                 for b in s.scalars(select(BoxType).where(BoxType.active.is_(True)).order_by(BoxType.tare_g,
                                                                                             BoxType.code))]
        entries: dict[str, list[tuple[str, str]]] = {
            "commands": list(DEFAULT_COMMANDS), "boxes": boxes, "badges": [], "orders": [], "items": []}
        if not demo:
            return entries
        known_badges = set(s.scalars(select(User.badge).where(User.active.is_(True))))
        # PINs stay off the sheet: a badge is meant to be seen, a PIN is not.
        entries["badges"] = [(badge, f"{name} · {role}") for name, role, badge, _pin in DEMO_USERS
                             if badge in known_badges]
        ready = dict(s.execute(select(Order.order_no, Order.carrier_code).where(
            Order.order_no.in_([o.order_no for o in (*DEMO_ORDERS, *DEMO_SPLIT_ORDERS)]),
            Order.state == OrderState.READY.value)).all())
        demo_barcodes = [p[3][0] for p in DEMO_PRODUCTS]
        known_items = set(s.scalars(select(ProductBarcode.barcode).where(ProductBarcode.barcode.in_(demo_barcodes))))
    entries["orders"] = [(o.order_no, f"{ready[o.order_no]}" + (f" · {o.waybill}" if o.waybill else ""))
                         for o in DEMO_ORDERS if o.order_no in ready]
    for o in DEMO_SPLIT_ORDERS:  # two parcels: both waybills are on the sheet
        if o.order_no in ready:
            entries["orders"].append((o.order_no, f"{ready[o.order_no]} · 2 parcels / 两个包裹"))
            entries["orders"].extend((w, f"{o.order_no} parcel {n} waybill") for n, w in
                                     enumerate(DEMO_SPLIT_WAYBILLS[o.order_no], start=1))
    entries["items"] = [(barcodes[0], name) for _sku, name, _g, barcodes in DEMO_PRODUCTS
                        if barcodes[0] in known_items]
    from app.demo import DEMO_RETURN  # the demo's return to receive at the returns bench (CMD:RETURNS)

    entries["orders"].append((DEMO_RETURN["return_waybill"], f"{DEMO_RETURN['order_no']} return / 退货运单"))
    return entries


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise KnownError(f"Cannot write {path}: {exc.strerror or exc}") from exc


def run(args, ctx) -> int:
    from app.printing.command_sheet import render_command_sheet_pdf

    services = ctx.services()
    entries = sheet_entries(services, args.demo)
    if args.demo and not (entries["badges"] or entries["items"]):
        print("packgate: no demo data in this database (run packgate demo first): "
              "only commands and boxes are on the sheet", file=sys.stderr)
    pdf = render_command_sheet_pdf(
        entries["commands"], entries["boxes"], entries["badges"], entries["orders"], entries["items"],
        font_path=services.settings.label_font or None,
    )
    counts = ", ".join(f"{len(v)} {k}" for k, v in entries.items() if v)
    if args.out is not None:
        _write_atomic(args.out, pdf)
        print(f"Command sheet ({counts}) written to {args.out}")
        return 0
    job = services.printer(args.printer).print_document("command-sheet", pdf)
    print(f"Command sheet ({counts}): {job.description}")
    return 0
