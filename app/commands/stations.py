"""``packgate stations add NAME [--json] | list [--json] | revoke NAME``: benches of a PackGate server."""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("stations", help="enrol benches for the PackGate server: add (one-time code), list, revoke")
    actions = p.add_subparsers(dest="stations_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="a one-time enrolment code for a bench")
    add.add_argument("name")
    add.add_argument("--json", action="store_true", help='print {"station": ..., "code": ...}')
    add.set_defaults(func=run_add)
    ls = actions.add_parser("list", help="the enrolled benches")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)
    revoke = actions.add_parser("revoke", help="refuse this bench from its next call on")
    revoke.add_argument("name")
    revoke.set_defaults(func=run_revoke)


def run_add(args, ctx) -> int:
    from app.server.stations import CODE_HOURS, add_station

    code = add_station(ctx.services(), args.name)
    if args.json:
        print(json.dumps({"station": args.name.strip(), "code": code}, ensure_ascii=False))
    else:
        print(f"Enrolment code for {args.name.strip()}: {code} (valid once, for {CODE_HOURS} hours)")
        print(f"On that bench: packgate enrol --server URL --station {args.name.strip()} --code {code}")
    return 0


def run_list(args, ctx) -> int:
    from app.server.stations import list_stations

    rows = list_stations(ctx.services())

    def state(r) -> str:
        return "revoked" if r.revoked_at else ("enrolled" if r.enrolled_at else "code issued")

    if args.json:
        print(json.dumps([{"station": r.name, "state": state(r),
                           "enrolled_at": r.enrolled_at.isoformat() if r.enrolled_at else None,
                           "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None} for r in rows]))
        return 0
    for r in rows:
        when = r.revoked_at or r.enrolled_at
        print(f"{r.name:<24} {state(r):<12} {when.astimezone():%Y-%m-%d %H:%M}" if when else f"{r.name:<24} {state(r)}")
    return 0


def run_revoke(args, ctx) -> int:
    from app.server.stations import revoke

    revoke(ctx.services(), args.name)
    print(f"Station {args.name.strip()} revoked: it is refused from its next call on")
    return 0
