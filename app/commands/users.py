"""``packgate users add|list|disable|enable|set-pin|unlock``.

Adding a supervisor, or disabling, enabling or setting the PIN of one, needs an existing
supervisor's badge (``--by``) and PIN at that moment; only the first supervisor (of an empty
database, or of one with packers only) needs no one. Every change is audited as a ``users`` event naming who did it. PINs are read from the
terminal or the environment, never from the command line (``ps`` shows command lines).
Disabling a user or setting a PIN ends the user's sessions (bench and desk).

``users unlock BADGE --owner`` is the database owner's way back when every supervisor is locked
out: it needs no PIN but the database itself (the SQLite file, or PostgreSQL's role that owns the
tables; never the server's role), and is audited as done by the database owner.
"""

from __future__ import annotations

import getpass
import os
import sys

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.errors import ConfigError, KnownError

PIN_ENV = "PACKGATE_PIN"  # the new PIN (users add --pin, users set-pin)
SUPERVISOR_PIN_ENV = "PACKGATE_SUPERVISOR_PIN"  # the PIN of the supervisor named by --by


def register(sub) -> None:
    p = sub.add_parser("users", help="add, list, disable or enable packers and supervisors; set a PIN")
    users = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    def by(parser) -> None:
        parser.add_argument("--by", metavar="BADGE",
                            help="the badge of the supervisor authorising this (needed for anything about a "
                                 f"supervisor); their PIN is asked on the terminal or read from ${SUPERVISOR_PIN_ENV}")

    add = users.add_parser("add", help="add a user")
    add.add_argument("name")
    add.add_argument("--role", choices=("packer", "supervisor"), required=True)
    add.add_argument("--badge", required=True, metavar="CODE", help="the code on the user's badge (unique)")
    add.add_argument(
        "--pin",
        action="store_true",
        help=f"ask for a PIN on the terminal, or read it from ${PIN_ENV} (packers 4-12 digits, "
        "supervisors 6-12; supervisors need one)",
    )
    by(add)
    add.set_defaults(func=run_add)
    ls = users.add_parser("list", help="list users, with who is disabled or locked")
    ls.set_defaults(func=run_list)
    for name, helptext, run in (
        ("disable", "disable a user: the badge no longer logs in", run_disable),
        ("enable", "enable a user again (also lifts a lockout after wrong PINs)", run_enable),
        ("set-pin", f"give a user a new PIN (asked on the terminal or read from ${PIN_ENV})", run_set_pin),
    ):
        cmd = users.add_parser(name, help=helptext)
        cmd.add_argument("badge", metavar="BADGE")
        by(cmd)
        cmd.set_defaults(func=run)
    unlock = users.add_parser("unlock", help="the database owner lifts a user's PIN lockout without any PIN "
                                             "(when every supervisor is locked out)")
    unlock.add_argument("badge", metavar="BADGE")
    unlock.add_argument("--owner", action="store_true", required=True,
                        help="act as the database's owner: needs the SQLite file itself, or PostgreSQL's role that "
                             "owns PackGate's tables")
    unlock.set_defaults(func=run_unlock)


def _read_secret(env: str, prompt: str, *, confirm: bool) -> str:
    pin = os.environ.get(env)
    if pin is None:
        if not sys.stdin.isatty():
            pin = sys.stdin.readline().strip()
        else:
            pin = getpass.getpass(prompt)
            if confirm and getpass.getpass(prompt.replace(":", " again:")) != pin:
                raise ConfigError("The two PINs differ; nothing was saved")
    return pin.strip()


def _new_pin_hash(role: str) -> str:
    from app.security import hash_pin

    try:
        return hash_pin(_read_secret(PIN_ENV, "New PIN: ", confirm=True), role)
    except ValueError as exc:
        raise ConfigError(f"Invalid PIN: {exc}; nothing was saved") from exc


def authority(services, args, *, needed: bool, action: str):
    """The supervisor named by ``--by`` (checked with their PIN, audited), or None when not needed."""
    from app.packing.auth import NotAuthorized, authorize_supervisor

    if not args.by:
        if needed:
            raise ConfigError(f"{action} needs a supervisor: add --by BADGE (their PIN is asked, or read from "
                              f"${SUPERVISOR_PIN_ENV}); nothing was changed")
        return None
    pin = _read_secret(SUPERVISOR_PIN_ENV, f"PIN of supervisor {args.by.strip()}: ", confirm=False)
    try:
        return authorize_supervisor(services, args.by, pin, action=action)
    except NotAuthorized as exc:
        raise KnownError(f"Not authorised: {exc.message.render()}; nothing was changed") from exc


def _audit(s, services, supervisor, badge: str, message: str) -> None:
    """The change's audit event, in the change's own transaction."""
    from app.packing.auth import add_audit_event

    who = supervisor.name if supervisor else "packgate users (no supervisor needed)"
    add_audit_event(s, services, supervisor, kind="users", what=badge, message=f"{who}: {message}")


def run_add(args, ctx) -> int:
    from app.models.schema import User

    name, badge = args.name.strip(), args.badge.strip()
    if not name or not badge or not badge.isprintable():
        raise ConfigError("A user needs a name and a printable badge code")
    if args.role == "supervisor" and not args.pin:
        raise ConfigError("A supervisor needs a PIN: add --pin")
    services = ctx.services()
    with services.read_uow() as uow:
        # Nobody to ask: the very first user of an empty database, or the first supervisor of one
        # that has packers only (the last active supervisor can never be disabled).
        first = not _active_supervisors(uow.session)
        taken = uow.session.scalar(select(User.id).where(User.badge == badge)) is not None
    if taken:
        raise KnownError(f"Badge {badge} is already used; nothing was saved")
    supervisor = authority(services, args, needed=args.role == "supervisor" and not first,
                            action=f"adding {args.role} {badge}")
    pin_hash = _new_pin_hash(args.role) if args.pin else None
    try:
        with services.uow() as uow:
            if supervisor is None and args.role == "supervisor" and _active_supervisors(uow.session):
                raise ConfigError("Someone added a user meanwhile: adding a supervisor now needs --by BADGE; "
                                  "nothing was saved")
            uow.session.add(User(name=name, role=args.role, badge=badge, pin_hash=pin_hash, created_at=services.clock()))
            _audit(uow.session, services, supervisor, badge,
                   f"added {args.role} {name} ({badge}){' with a PIN' if pin_hash else ''}")
    except IntegrityError as exc:
        raise KnownError(f"Badge {badge} is already used; nothing was saved") from exc
    print(f"Added {args.role} {name} with badge {badge}{' and a PIN' if pin_hash else ''}")
    return 0


def _active_supervisors(s) -> int:
    from app.models.schema import User

    return s.scalar(select(func.count()).select_from(User).where(User.role == "supervisor", User.active.is_(True)))


def _change(args, ctx, action: str, change) -> int:
    """Load the user with ``args.badge``, check authority, apply ``change(user) -> message``, audit."""
    from app.models.schema import User

    badge = args.badge.strip()
    services = ctx.services()
    with services.read_uow() as uow:
        target = uow.session.scalar(select(User).where(User.badge == badge))
        role = target.role if target is not None else None
    if role is None:
        raise KnownError(f"No user with badge {badge}; nothing was changed")
    supervisor = authority(services, args, needed=role == "supervisor", action=f"{action} {badge}")
    prepared = change.prepare(role) if hasattr(change, "prepare") else None
    with services.uow() as uow:
        user = uow.session.scalar(select(User).where(User.badge == badge).with_for_update())
        message = change(uow.session, user, prepared)
        _audit(uow.session, services, supervisor, badge, message)
    print(message[0].upper() + message[1:])
    return 0


def run_disable(args, ctx) -> int:
    from app.models.schema import User

    def disable(s, user, _prepared) -> str:
        if user.role == "supervisor" and user.active:
            others = s.scalar(select(func.count()).select_from(User).where(
                User.role == "supervisor", User.active.is_(True), User.id != user.id))
            if not others:
                raise KnownError(f"{user.name} is the last active supervisor; nothing was changed")
        user.active = False
        user.session_epoch += 1  # the user's sessions end with it
        return f"disabled {user.role} {user.name} ({user.badge})"

    return _change(args, ctx, "disabling", disable)


def run_enable(args, ctx) -> int:
    def enable(_s, user, _prepared) -> str:
        user.active, user.failed_pins, user.lockouts, user.locked_until = True, 0, 0, None
        return f"enabled {user.role} {user.name} ({user.badge}); no lockout"

    return _change(args, ctx, "enabling", enable)


class _SetPin:
    """Reads and hashes the new PIN after the authority is checked, before the write transaction."""

    def prepare(self, role: str) -> str:
        return _new_pin_hash(role)

    def __call__(self, _s, user, pin_hash: str) -> str:
        user.pin_hash, user.failed_pins, user.lockouts, user.locked_until = pin_hash, 0, 0, None
        user.session_epoch += 1  # whoever knew the old PIN is logged out everywhere
        return f"set a new PIN for {user.role} {user.name} ({user.badge})"


def run_set_pin(args, ctx) -> int:
    return _change(args, ctx, "setting the PIN of", _SetPin())


def _database_owner(s) -> str | None:
    """Who owns the database behind ``s`` (a name for the audit trail), or None when this connection
    is not its owner (PostgreSQL: a role that is not, or is not a member of, the owner of the users
    table, such as the server's role). A SQLite file: whoever can write it."""
    conn = s.connection()
    if conn.dialect.name == "sqlite":
        return "the owner of the database file"
    row = conn.exec_driver_sql(
        "SELECT current_user, pg_has_role(current_user, tableowner, 'MEMBER') FROM pg_tables "
        "WHERE schemaname = current_schema() AND tablename = 'users'").first()
    return f"database owner (role {row[0]})" if row is not None and row[1] else None


def run_unlock(args, ctx) -> int:
    from app.models.schema import User

    badge = args.badge.strip()
    services = ctx.services()
    with services.uow() as uow:
        s = uow.session
        owner = _database_owner(s)
        if owner is None:
            raise KnownError("users unlock --owner needs the database's owner (the role that owns PackGate's "
                             "tables); this connection is not it; nothing was changed")
        user = s.scalar(select(User).where(User.badge == badge).with_for_update())
        if user is None:
            raise KnownError(f"No user with badge {badge}; nothing was changed")
        user.failed_pins, user.lockouts, user.locked_until = 0, 0, None
        user.session_epoch += 1
        message = f"unlocked {user.role} {user.name} ({user.badge}): no lockout"
        from app.packing.auth import add_audit_event

        add_audit_event(s, services, None, kind="users", what=badge, message=f"{owner}: {message}")
    print(message[0].upper() + message[1:] + f" (as {owner})")
    return 0


def run_list(args, ctx) -> int:
    from app.models.schema import User

    services = ctx.services()
    now = services.clock()
    with services.read_uow() as uow:
        users = uow.session.scalars(select(User).order_by(User.role, User.name)).all()
        rows = []
        for u in users:
            if not u.active:
                status = "disabled"
            elif u.locked_until is not None and u.locked_until > now:
                status = f"locked until {u.locked_until.astimezone():%H:%M}"
            else:
                status = "active"
            rows.append((u.badge, u.role, "yes" if u.pin_hash else "no", status, u.name))
    print(f"{'badge':<12} {'role':<11} {'pin':<4} {'status':<19} name")
    for badge, role, pin, status, name in rows:
        print(f"{badge:<12} {role:<11} {pin:<4} {status:<19} {name}")
    return 0
