"""``packgate users add|list``."""

from __future__ import annotations

import getpass
import os
import sys

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import ConfigError, KnownError


def register(sub) -> None:
    p = sub.add_parser("users", help="add or list packers and supervisors")
    users = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = users.add_parser("add", help="add a user")
    add.add_argument("name")
    add.add_argument("--role", choices=("packer", "supervisor"), required=True)
    add.add_argument("--badge", required=True, metavar="CODE", help="the code on the user's badge (unique)")
    add.add_argument(
        "--pin",
        action="store_true",
        help="ask for a PIN (4-12 digits) on the terminal, or read it from $PACKGATE_PIN; "
        "supervisors need one",
    )
    add.set_defaults(func=run_add)
    ls = users.add_parser("list", help="list users")
    ls.set_defaults(func=run_list)


def _read_pin() -> str:
    pin = os.environ.get("PACKGATE_PIN")
    if pin is None:
        if not sys.stdin.isatty():
            pin = sys.stdin.readline().strip()
        else:
            pin = getpass.getpass("PIN: ")
            if getpass.getpass("PIN again: ") != pin:
                raise ConfigError("The two PINs differ; nothing was saved")
    return pin.strip()


def run_add(args, ctx) -> int:
    from app.models.schema import User
    from app.security import hash_pin

    name, badge = args.name.strip(), args.badge.strip()
    if not name or not badge or not badge.isprintable():
        raise ConfigError("A user needs a name and a printable badge code")
    pin_hash = None
    if args.pin:
        try:
            pin_hash = hash_pin(_read_pin())
        except ValueError as exc:
            raise ConfigError(f"Invalid PIN: {exc}; nothing was saved") from exc
    elif args.role == "supervisor":
        raise ConfigError("A supervisor needs a PIN: add --pin")
    services = ctx.services()
    try:
        with services.uow() as uow:
            if uow.session.scalar(select(User.id).where(User.badge == badge)) is not None:
                raise KnownError(f"Badge {badge} is already used; nothing was saved")
            uow.session.add(User(name=name, role=args.role, badge=badge, pin_hash=pin_hash, created_at=services.clock()))
    except IntegrityError as exc:
        raise KnownError(f"Badge {badge} is already used; nothing was saved") from exc
    print(f"Added {args.role} {name} with badge {badge}{' and a PIN' if pin_hash else ''}")
    return 0


def run_list(args, ctx) -> int:
    from app.models.schema import User

    with ctx.services().read_uow() as uow:
        users = uow.session.scalars(select(User).order_by(User.role, User.name)).all()
        rows = [(u.badge, u.role, "yes" if u.pin_hash else "no", "active" if u.active else "inactive", u.name) for u in users]
    print(f"{'badge':<12} {'role':<11} {'pin':<4} {'status':<9} name")
    for badge, role, pin, status, name in rows:
        print(f"{badge:<12} {role:<11} {pin:<4} {status:<9} {name}")
    return 0
