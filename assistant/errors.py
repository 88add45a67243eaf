"""Errors a user can act on: the CLI and UI print their message, never a traceback."""


class UserError(Exception):
    """Bad input or environment, with a message that says what to do."""

    exit_code = 2


class BackendUnavailable(UserError):
    """A model server that cannot be reached."""

    exit_code = 3
