"""Expected errors (tell the operator what to do) versus bugs (log, keep the data).

A KnownError carries a one-line message meant for a person: the CLI prints it on stderr and exits
non-zero, the window shows it in the banner. Anything else is a bug.
"""

from __future__ import annotations


class KnownError(Exception):
    """An error the operator can act on: bad input, printer offline, database unreachable."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class ConfigError(KnownError):
    """A setting or command-line option that cannot be used."""


class DatabaseError(KnownError):
    """The database is unreachable, too new, or refused the operation."""


class DatabaseUnavailable(DatabaseError):
    """The connection to the database is gone; nothing was written."""


class PrinterError(KnownError):
    """A printer refused the job, timed out or is not configured."""


class ImportFileError(KnownError):
    """An import file that cannot be read at all (encoding, format, missing columns)."""
