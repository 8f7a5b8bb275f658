"""The ``packgate`` command.

``packgate [--db URL] COMMAND ...``; without a command it opens the window (``gui``). Every expected
error is one line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app import __version__
from app.errors import KnownError

if TYPE_CHECKING:
    from app.bootstrap import Services

log = logging.getLogger("packgate")

# Each module registers its own sub-commands; order here is the order in --help.
COMMAND_MODULES = (
    "app.commands.gui",
    "app.commands.demo",
    "app.commands.import_products",
    "app.commands.import_orders",
    "app.commands.export",
    "app.commands.users",
    "app.commands.settings",
    "app.commands.order",
    "app.commands.orders",
    "app.commands.summary",
    "app.commands.check_waybill",
    "app.commands.waybills",
    "app.commands.manifests",
    "app.commands.print_commands",
    "app.commands.backup",
    "app.commands.integrity",
    "app.commands.serve",
    "app.commands.stations",
    "app.commands.enrol",
    "app.commands.audit",
    "app.commands.evidence",
    "app.commands.platform",
    "app.commands.shops",
    "app.commands.ewaybill",
    "app.commands.printcomponent",
    "app.commands.sync",
    "app.commands.returns",
)


@dataclass
class Context:
    """What a sub-command gets: the parsed global options and a lazily built set of services."""

    db_url: str | None = None
    _services: Any = field(default=None, repr=False)

    def services(self) -> Services:
        """Open the database (migrating it if needed) the first time a command asks for it."""
        if self._services is None:
            from app.bootstrap import bootstrap

            self._services = bootstrap(db_url=self.db_url)
        return self._services

    def close(self) -> None:
        if self._services is not None:
            self._services.close()
            self._services = None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, exit 2, like every other error
        self.print_usage(sys.stderr)
        self.exit(2, f"packgate: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="packgate",
        description="PackGate packing bench: scan, verify, pack, label, waybill, handover.",
    )
    parser.add_argument("--version", action="version", version=f"packgate {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $PACKGATE_DB, else a SQLite file in the user data folder); "
        "e.g. sqlite:///bench.db or postgresql+psycopg://packgate@dbhost/packgate "
        "(passwords from $PGPASSWORD or ~/.pgpass, never on the command line)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        args = parser.parse_args([*argv, "gui"])
    ctx = Context(db_url=args.db)
    try:
        return int(args.func(args, ctx) or 0)
    except KnownError as exc:
        print(f"packgate: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("packgate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: say so in one line, full details only with -v
        log.debug("unexpected error", exc_info=True)
        print(
            f"packgate: internal error: {type(exc).__name__}: {_first_line(exc)} (run with -v for details)",
            file=sys.stderr,
        )
        return 70
    finally:
        ctx.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
