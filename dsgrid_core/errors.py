"""Errors a user can act on.

Every error carries one readable paragraph and the CLI exit code that goes with it:
2 for bad input (the registry is left exactly as it was), 1 for a check that failed.
"""

from __future__ import annotations


class DsgridError(Exception):
    """Base of all errors that are shown to a user without a traceback."""

    exit_code = 2
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        details: list[str] | None = None,
        problems: list[dict[str, str]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.details = list(details or [])
        # {"field": dotted path in the config (or a file name), "message": ...}: lets a form
        # show each problem next to the field it concerns.
        self.problems = list(problems or [])

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  {line}" for line in self.details)

    def to_dict(self) -> dict:
        return {
            "error": type(self).__name__,
            "message": self.message,
            "details": self.details,
            "problems": self.problems,
        }


class InputError(DsgridError):
    """A file, a field or an argument is wrong; the message says which and what to do."""


class ConfigError(InputError):
    """A config file does not match its model."""


class NotFoundError(InputError):
    http_status = 404


class AlreadyExistsError(InputError):
    http_status = 409


class StaleVersionError(InputError):
    http_status = 409


class InUseError(InputError):
    http_status = 409


class ConflictError(InputError):
    """The thing asked for is in the wrong state for it (a finished job cancelled, the result of
    a job that has not succeeded)."""

    http_status = 409


class CheckFailed(DsgridError):
    """Data were read correctly but do not pass a check (exit code 1 for `check` commands,
    2 when the check guards a registration, since nothing was registered)."""

    exit_code = 2
    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        details: list[str] | None = None,
        report_path=None,
        problems: list[dict[str, str]] | None = None,
    ):
        super().__init__(message, details=details, problems=problems)
        self.report_path = report_path


class Notice(UserWarning):
    """Something the user should know about an accepted input (shown as a 'Note:' line by the
    CLI, listed with the result elsewhere); never a refusal."""
