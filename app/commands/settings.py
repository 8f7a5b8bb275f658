"""``packgate settings show [--json] | set KEY VALUE --by BADGE``: the site's settings that decide a scan.

Weight tolerance (``weight_tolerance_pct``, ``weight_tolerance_min_g``), ``require_video`` and
``platform_trigger`` are stored once in the database and used by every bench, embedded or behind the
server, from its next scan (:mod:`app.packing.site`). A change needs a supervisor's badge and PIN (asked
as ``users`` asks it) and is audited with its old and new value.
"""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("settings", help="show or set the site's settings that decide a scan (every bench)")
    cmds = p.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    show = cmds.add_parser("show", help="the site's settings, and where each value comes from")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=run_show)
    put = cmds.add_parser("set", help="set one site setting (audited; every bench uses it from its next scan)")
    put.add_argument("key", metavar="KEY", help="weight_tolerance_pct, weight_tolerance_min_g, require_video or "
                                                "platform_trigger")
    put.add_argument("value", metavar="VALUE")
    from app.commands.users import SUPERVISOR_PIN_ENV

    put.add_argument("--by", metavar="BADGE", required=True,
                     help=f"the supervisor's badge; their PIN is asked on the terminal or read from ${SUPERVISOR_PIN_ENV}")
    put.set_defaults(func=run_set)


def run_show(args, ctx) -> int:
    from sqlalchemy import select

    from app.models.schema import SiteSetting
    from app.packing import site

    services = ctx.services()
    with services.read_uow() as uow:
        values = site.load(uow.session, services.settings).as_dict()
        stored = set(uow.session.scalars(select(SiteSetting.key)))
    if args.json:
        print(json.dumps({"settings": values, "set_by_a_supervisor": sorted(stored)}))
        return 0
    for key, value in values.items():
        origin = "site" if key in stored else "default (settings.json)"
        print(f"{key:<24} {json.dumps(value):<12} {origin}")
    return 0


def run_set(args, ctx) -> int:
    from app.commands.users import authority
    from app.packing import site

    services = ctx.services()
    site.parse(args.key, args.value)  # a bad key or value is refused before the PIN is asked
    supervisor = authority(services, args, needed=True, action="site settings")
    old, new = site.change(services, supervisor, args.key, args.value)
    print(f"{args.key}: {json.dumps(old)} -> {json.dumps(new)} (every bench, from its next scan)")
    return 0
