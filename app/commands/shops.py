"""``packgate shops add|list|disable|enable``: the site's shops on the platform, each with its own
credentials (secrets in owner-only files), default carrier and order pull."""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("shops", help="the site's shops on the platform: add, list, disable, enable")
    actions = p.add_subparsers(dest="shops_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a shop (or renew the credentials of one)")
    add.add_argument("name")
    add.add_argument("--platform", choices=("pdd",), default="pdd")
    add.add_argument("--client-id", required=True)
    add.add_argument("--client-secret-file", required=True, metavar="FILE", help="owner-only file holding the client secret")
    add.add_argument("--access-token-file", required=True, metavar="FILE", help="owner-only file holding the shop's access token")
    add.add_argument("--endpoint", default=None,
                     help="the router URL (default: the platform's); a stand-in: http://127.0.0.1:PORT/api/router")
    add.add_argument("--default-carrier", metavar="CODE", help="the carrier of this shop's orders (e.g. ZTO)")
    add.set_defaults(func=run_add)
    ls = actions.add_parser("list", help="the shops: secrets masked, last pull, last error")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=run_list)
    for action, text in (("disable", "stop pulling this shop's orders and sending its jobs"),
                         ("enable", "pull and send for this shop again")):
        a = actions.add_parser(action, help=text)
        a.add_argument("name")
        a.set_defaults(func=run_enable, enable=action == "enable")


def run_add(args, ctx) -> int:
    from app.platform import shops

    options = shops.checked_options(args.client_id, args.client_secret_file, args.access_token_file, args.endpoint)
    services = ctx.services()
    with services.uow() as uow:
        existed = shops.get(uow.session, args.name) is not None
        shop = shops.save(uow.session, args.name, options, services.clock(), default_carrier=args.default_carrier,
                          platform=args.platform, replace_carrier=not existed or args.default_carrier is not None)
    print(f"shop {shop.name}: {'updated' if existed else 'added'} ({shop.platform}, client {options['client_id']}"
          f"{', carrier ' + shop.default_carrier if shop.default_carrier else ''})")
    return 0


def run_list(args, ctx) -> int:
    from app.platform import shops

    with ctx.services().read_uow() as uow:
        rows = [shop.listed() for shop in shops.all_shops(uow.session)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no shops: add one with `packgate shops add NAME --client-id ID --client-secret-file FILE "
              "--access-token-file FILE`")
    for r in rows:
        state = "STOPPED" if r["stopped"] else ("enabled" if r["enabled"] else "disabled")
        print(f"{r['name']:<16} {r['platform']:<4} {state:<8} client {r['client_id']}  token {r['access_token']}  "
              f"carrier {r['default_carrier'] or '-'}  last pull {r['last_pull'] or '-'}")
        if r["stopped"] or r["last_error"]:
            print(f"  {r['stopped'] or r['last_error']}")
    return 0


def run_enable(args, ctx) -> int:
    from app.platform import shops

    services = ctx.services()
    with services.uow() as uow:
        shops.set_enabled(uow.session, args.name, args.enable, services.clock())
    print(f"shop {args.name.strip()}: {'enabled' if args.enable else 'disabled'}")
    return 0
