"""``packgate returns [--from DATE] [--to DATE] [--json]``: the returns received and expected, each
with its lines, conditions, missing and foreign items and clips, and a ``restock`` count per SKU of
the good items; ``packgate returns attach RETURN ORDER --by BADGE --reason TEXT``: a supervisor
attaches an unmatched return (by its waybill or ``#id``) to its order."""

from __future__ import annotations

import json

from app.errors import KnownError


def register(sub) -> None:
    from app.commands.users import SUPERVISOR_PIN_ENV

    p = sub.add_parser("returns", help="returned parcels: lines, conditions, missing, foreign, clips, restock")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD, local time)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day, inclusive (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run, period=None)
    actions = p.add_subparsers(dest="returns_command", metavar="ACTION")
    attach = actions.add_parser("attach", help="attach an unmatched return to its order (a supervisor)")
    attach.add_argument("target", metavar="RETURN", help="the unmatched return's waybill, or #ID")
    attach.add_argument("order_no", metavar="ORDER", help="the order it belongs to")
    attach.add_argument("--by", metavar="BADGE", required=True,
                        help=f"the supervisor's badge; their PIN is asked on the terminal or read from ${SUPERVISOR_PIN_ENV}")
    attach.add_argument("--reason", metavar="TEXT", required=True, help="why: it goes into the audit trail")
    attach.set_defaults(func=run_attach)


def run(args, ctx) -> int:
    from app.commands.summary import period_of
    from app.reports.returns import restock, returns_list

    services = ctx.services()
    period = period_of(args, services.clock())
    with services.read_uow() as uow:
        returns = returns_list(uow.session, period.start, period.end)
    report = {"period": period.as_dict(), "returns": returns, "restock": restock(returns)}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    if not returns:
        print("No returns in the period")
    for r in returns:
        name = r["order_no"] or f"unmatched {r['return_waybill']}"
        flag = "  DISCREPANCY" if r["discrepancy"] else ""
        print(f"#{r['id']} {name}  {r['state']}  waybill {r['return_waybill'] or '-'}  "
              f"{r['closed_at'] or r['expected_at'] or '-'}  {r['station'] or '-'} {r['packer'] or ''}{flag}")
        for line in r["lines"]:
            print(f"    back     {line['sku']:<16} x{line['qty']}  {line['condition']}")
        for key, label in (("missing", "missing"), ("foreign", "foreign"), ("claimed", "claimed")):
            for line in r[key]:
                print(f"    {label:<8} {line['sku']:<16} x{line['qty']}")
        for clip in r["clips"]:
            print(f"    clip     {clip['path']}  sha256 {clip['sha256'] or '-'}")
    print("Restock: " + (", ".join(f"{sku} {n}" for sku, n in report["restock"].items()) or "nothing"))
    return 0


def run_attach(args, ctx) -> int:
    from app.commands.users import SUPERVISOR_PIN_ENV, _read_secret
    from app.packing.return_actions import attach_return
    from app.packing.supervisor import ActionRefused, NotAuthorized

    services = ctx.services()
    if not args.reason.strip():
        raise KnownError("Give a reason with --reason: it goes into the audit trail; nothing was changed")
    pin = _read_secret(SUPERVISOR_PIN_ENV, f"PIN of supervisor {args.by.strip()}: ", confirm=False)
    try:
        done = attach_return(services, args.by, pin, args.target, args.order_no, args.reason)
    except NotAuthorized as exc:
        raise KnownError(f"Not authorised: {exc.message.render()}; nothing was changed") from exc
    except ActionRefused as exc:
        raise KnownError(f"{exc.msg.render()}; nothing was changed") from exc
    print(f"{done.message.render()} (by {done.supervisor})")
    return 0
