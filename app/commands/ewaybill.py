"""``packgate ewaybill accounts|use``: the shop's e-waybill accounts on the platform (branches,
balances, registered sender addresses) and the choice of where each carrier's waybills come from."""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("ewaybill", help="e-waybills from the platform: the shop's accounts, and which carrier uses one")
    actions = p.add_subparsers(dest="ewaybill_command", metavar="ACTION", required=True)
    acc = actions.add_parser("accounts", help="each carrier's branches, their remaining / used / cancelled counts "
                                              "and registered sender addresses (pdd.waybill.search)")
    acc.add_argument("--shop", metavar="NAME", help="one shop (default: every enabled shop)")
    acc.add_argument("--json", action="store_true", help="print JSON")
    acc.set_defaults(func=run_accounts)
    use = actions.add_parser("use", help="take CARRIER's waybills for the shop from its platform account "
                                         "(or back to scanning couriers' labels with --source scan)")
    use.add_argument("carrier", metavar="CARRIER")
    use.add_argument("--shop", metavar="NAME", required=True)
    use.add_argument("--branch", metavar="CODE", help="the branch (needed when the carrier has several)")
    use.add_argument("--address", metavar="N", type=int, default=1, help="the branch's N-th registered sender address")
    use.add_argument("--source", choices=("pdd", "scan", "pool"), default="pdd")
    use.set_defaults(func=run_use)
    fig = actions.add_parser("figures", help="balance per carrier and branch (red under ewaybill_low), numbers "
                                             "taken and cancelled today, taken but never linked")
    fig.add_argument("--shop", metavar="NAME", help="one shop's balances (default: every enabled shop)")
    fig.add_argument("--json", action="store_true", help="print JSON")
    fig.set_defaults(func=run_figures)


def _shops(ctx, name: str | None):
    from app.errors import KnownError
    from app.platform import shops

    with ctx.services().read_uow() as uow:
        found = [shops.get(uow.session, name)] if name else [s for s in shops.all_shops(uow.session) if s.enabled]
    if name and found[0] is None:
        raise KnownError(f"no shop {name!r}: see `packgate shops list`")
    return found


def _waybills(shop):
    from app.platform.ewaybill import PddWaybills
    from app.platform.pdd import PddClient

    return PddWaybills(PddClient.from_options(shop.options))


def _accounts(shop):
    waybills = _waybills(shop)
    try:
        return waybills.accounts()
    finally:
        waybills.client.close()


def run_accounts(args, ctx) -> int:
    from app.errors import KnownError
    from app.platform import ewaybill_sources

    out = []
    for shop in _shops(ctx, args.shop):
        verdict, accounts = _accounts(shop)
        if verdict.kind != "ok":
            raise KnownError(f"shop {shop.name}: the platform did not list its e-waybill accounts: {verdict.message}")
        with ctx.services().read_uow() as uow:
            chosen = {(c.carrier_code, c.branch_code): c for c in ewaybill_sources.sources(uow.session, shop.id)}
        rows = [dict(a.as_json(), in_use=any(k[1] == a.branch_code and c.source == "pdd" for k, c in chosen.items()))
                for a in accounts]
        out.append({"shop": shop.name, "accounts": rows})
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for shop in out:
        print(f"shop {shop['shop']}:" + ("" if shop["accounts"] else " no e-waybill accounts on the platform"))
        for a in shop["accounts"]:
            print(f"  {a['wp_code']:<6} {a['branch_code']:<12} {a['branch_name']}  remaining {a['quantity']}  "
                  f"used {a['allocated_quantity']}  cancelled {a['cancel_quantity']}"
                  f"{'  (in use)' if a['in_use'] else ''}")
            for i, addr in enumerate(a["addresses"], 1):
                print(f"      --address {i}: {addr['province']} {addr['city']} {addr['district']} {addr['detail']}")
    return 0


def run_use(args, ctx) -> int:
    from app.packing.auth import add_audit_event
    from app.platform import ewaybill_sources

    (shop,) = _shops(ctx, args.shop)
    carrier = args.carrier.strip().upper()
    services = ctx.services()
    account = address = None
    template = ""
    if args.source == "pdd":
        waybills = _waybills(shop)
        try:
            account, address, template = ewaybill_sources.from_platform(waybills, carrier, args.branch, args.address)
        finally:
            waybills.client.close()
    with services.uow() as uow:
        chosen = ewaybill_sources.use(uow.session, shop.id, carrier, args.source, services.clock(), account=account,
                                      address=address, template_url=template)
        what = (f"{carrier} waybills for shop {shop.name}: " +
                (f"e-waybills from branch {chosen.branch_code} {chosen.branch_name}" if args.source == "pdd"
                 else f"source {args.source}"))
        add_audit_event(uow.session, services, None, kind="settings", what=f"{shop.name}/{carrier}", message=what)
    print(what)
    if address:
        print(f"  sender address: {address['province']} {address['city']} {address['district']} {address['detail']}")
    return 0


def run_figures(args, ctx) -> int:
    from app.reports.ewaybills import figures, today

    services = ctx.services()
    low = int(services.settings.ewaybill_low)
    with services.read_uow() as uow:
        out = figures(uow.session, *today(services.clock()))
    from app.platform.ewaybill_balances import store

    balances = []
    for shop in _shops(ctx, args.shop):
        verdict, accounts = _accounts(shop)
        with services.uow() as uow:  # what the platform said, for the supervisor's figures (never call it)
            store(uow.session, shop.id, verdict, accounts, services.clock())
        if verdict.kind != "ok":
            balances.append({"shop": shop.name, "error": verdict.message})
            continue
        balances += [{"shop": shop.name, "wp_code": a.wp_code, "branch_code": a.branch_code,
                      "branch_name": a.branch_name, "quantity": a.quantity, "low": a.quantity < low}
                     for a in accounts]
    out = {"ewaybill_low": low, "balances": balances, **out}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(f"e-waybill balances (low under {low}):")
    for b in balances:
        if "error" in b:
            print(f"  {b['shop']}: {b['error']}")
        else:
            print(f"  {b['shop']:<12} {b['wp_code']:<6} {b['branch_code']:<12} {b['quantity']:>7}"
                  f"{'   LOW' if b['low'] else ''}")
    print(f"today ({out['since'][:10]}):")
    for c in out["carriers"]:
        print(f"  {c['carrier']:<6} taken {c['taken']}  cancelled {c['cancelled']}  taken, not linked "
              f"{c['taken_not_linked']}")
    for u in out["unlinked"]:
        print(f"  not linked: {u['waybill_code']}  order {u['order_no']} parcel {u['parcel']}  "
              f"({'still being packed' if u['open'] else 'order ' + u['order_state'] + ': cancel it'})")
    return 0
