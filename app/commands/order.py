"""``packgate order ORDER_NO [--json]``: one order with its lines and its audit trail."""

from __future__ import annotations

import json

from app.errors import KnownError


def register(sub) -> None:
    p = sub.add_parser("order", help="show one order: state, waybill, lines and every scan")
    p.add_argument("order_no")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    from app.reports.orders import order_details

    with ctx.services().read_uow() as uow:
        details = order_details(uow.session, args.order_no.strip())
    if details is None:
        raise KnownError(f"No order {args.order_no}")
    if args.json:
        print(json.dumps(details, ensure_ascii=False, indent=2))
        return 0
    print(f"Order {details['order_no']}  {details['state']}  carrier {details['carrier']}  "
          f"waybill {details['waybill'] or '-'}")
    print(f"Station {details['station'] or '-'}  packer {details['packer'] or '-'}  "
          f"recipient {details['recipient_name']}  {details['recipient_address']}")
    if details["note"]:
        print(f"Note: {details['note']}")
    print("Lines:")
    for line in details["lines"]:
        print(f"  {line['sku']:<14} {line['barcode']:<15} {line['scanned']}/{line['qty']}  {line['name']}")
    print("Events:")
    for ev in details["events"]:
        mark = "OK " if ev["accepted"] else "NO "
        print(f"  {ev['at']}  {mark} {ev['kind']:<9} {ev['code']:<20} {ev['message']}  "
              f"({ev['user'] or '-'} @ {ev['station'] or '-'})")
    return 0
