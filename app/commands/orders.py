"""``packgate orders release|cancel|take-back ORDER`` and ``packgate orders unlink WAYBILL``.

The supervisor view's actions for scripts and for an admin without a screen: the same service
(:mod:`app.packing.supervisor`) and the same audit event as the desk. Each needs ``--by BADGE``
(the supervisor's PIN asked on the terminal, or read from ``$PACKGATE_SUPERVISOR_PIN``, as
``packgate users`` does) and ``--reason TEXT``. A refusal prints one line, exits 2 and changes nothing.
"""

from __future__ import annotations

from app.errors import KnownError

# verb -> (the service's action, the state the order must be in, or None for the service's own rule)
VERBS = {
    "release": ("release_hold", "on_hold", "release an order on hold: back to ready, every scan undone"),
    "take-back": ("release_hold", "packing", "take an order back from the bench packing it: back to ready"),
    "cancel": ("cancel", None, "cancel an order that is ready, on hold or being packed: it must not ship"),
    "unlink": ("unlink", None, "take a wrong waybill off a packed order (not yet handed over): back to packing"),
}


def register(sub) -> None:
    from app.commands.users import SUPERVISOR_PIN_ENV

    p = sub.add_parser("orders", help="a supervisor's actions on an order: release, take-back, cancel, unlink")
    orders = p.add_subparsers(dest="orders_command", metavar="ACTION", required=True)
    for verb, (_, _, helptext) in VERBS.items():
        cmd = orders.add_parser(verb, help=helptext)
        if verb == "unlink":
            cmd.add_argument("target", metavar="WAYBILL",
                             help="the waybill to unlink (or the order number of a one-parcel order)")
        else:
            cmd.add_argument("target", metavar="ORDER", help="the order number")
        cmd.add_argument("--by", metavar="BADGE", required=True,
                         help=f"the supervisor's badge; their PIN is asked on the terminal or read from "
                              f"${SUPERVISOR_PIN_ENV}")
        cmd.add_argument("--reason", metavar="TEXT", required=True, help="why: it goes into the audit trail")
        cmd.set_defaults(func=run, verb=verb)


def run(args, ctx) -> int:
    from app.commands.users import SUPERVISOR_PIN_ENV, _read_secret
    from app.packing.supervisor import (
        ActionRefused,
        NotAuthorized,
        cancel_order,
        release_hold,
        unlink_waybill,
    )

    services = ctx.services()
    action, only_from, _ = VERBS[args.verb]
    if not args.reason.strip():
        raise KnownError("Give a reason with --reason: it goes into the audit trail; nothing was changed")
    pin = _read_secret(SUPERVISOR_PIN_ENV, f"PIN of supervisor {args.by.strip()}: ", confirm=False)
    try:
        if action == "release_hold":
            done = release_hold(services, args.by, pin, args.target, args.reason, only_from=only_from)
        elif action == "cancel":
            done = cancel_order(services, args.by, pin, args.target, args.reason)
        else:
            done = unlink_waybill(services, args.by, pin, args.target, args.reason)
    except NotAuthorized as exc:
        raise KnownError(f"Not authorised: {exc.message.render()}; nothing was changed") from exc
    except ActionRefused as exc:
        raise KnownError(f"{exc.msg.render()}; nothing was changed") from exc
    print(f"{done.message.render()} (by {done.supervisor})")
    return 0
