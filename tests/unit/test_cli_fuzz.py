"""hypothesis over ``packgate`` argument lists: never a traceback, always an int exit status.

Every sub-command except ``gui`` (which would open a window) gets random options and garbage:
non-ASCII, SQL-looking text, very long strings. The database is a temporary SQLite file.
"""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import cli

TOKENS = st.one_of(
    st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(["--json", "--force", "--from", "--to", "--carrier", "--role", "--badge", "--pin", "--help",
                     "-v", "add", "list", "print", "SF", "ZTO", "2026-13-45", "PDD-1001", "'; DROP TABLE orders;--",
                     "顺丰", "=HYPERLINK(\"http://x\")", "-", "--", "x" * 5000, "\u202e\u200b"]),
)


def _commands() -> list[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")  # noqa: SLF001 - the sub-commands
    return sorted(name for name in sub.choices if name != "gui")


COMMANDS = _commands()


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory) -> str:
    from app.bootstrap import bootstrap

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    bootstrap(url).close()  # migrated once
    return url


@pytest.fixture
def no_gui(monkeypatch):
    import app.commands.gui as gui

    def refuse(args, ctx):  # pragma: no cover - reaching it is the failure
        raise AssertionError("the fuzz opened the window")

    monkeypatch.setattr(gui, "run", refuse)
    # `serve` checks its options, builds its server and serves nothing (it runs uvicorn.Server itself).
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)
    monkeypatch.setattr("uvicorn.Server.run", lambda self, sockets=None: setattr(self, "started", True))
    # `sync` and `platform standin` run until stopped: one pass of the sender, no server loop.
    import app.platform.sender as sender
    import app.platform.standin as standin

    monkeypatch.setattr(sender.Sender, "run", lambda self, stop, idle_s=2.0: (self.run_once(), self.shutdown()))
    monkeypatch.setattr(standin, "serve", lambda *a, **kw: None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), rest=st.lists(TOKENS, max_size=6), verbose=st.booleans())
def test_cli_never_shows_a_traceback(command, rest, verbose, fuzz_db, no_gui, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # whatever a command writes lands here
    monkeypatch.setenv("PACKGATE_PIN", "1234")  # `users add --pin` never waits for a terminal
    argv = ["--db", fuzz_db, *(["-v"] if verbose else []), command, *rest]
    # Real text streams with a binary buffer underneath, like a terminal's (exports write bytes).
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse: --help, or a usage error (exit 2)
            code = exc.code if exc.code is not None else 0
    err.flush()
    errors = err.buffer.getvalue().decode("utf-8", "replace")
    assert isinstance(code, int)
    if not verbose:  # -v may log details on purpose
        assert "Traceback" not in errors, (argv, errors)
    assert code != 70, f"internal error for {argv!r}: {errors}"
    if code != 0:
        lines = [line for line in errors.splitlines() if line.startswith("packgate:")]
        assert len(lines) == 1, (argv, errors)  # one clear line (argparse adds its usage above it)
