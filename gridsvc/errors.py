"""The domain's exceptions: each carries a message fit for a planner."""

from __future__ import annotations


class GridsvcError(Exception):
    """Base of every error gridsvc reports to a person."""


class ConfigError(GridsvcError):
    """A setting or the machine is not as gridsvc needs it."""


class DatabaseError(GridsvcError):
    """The store could not be started, reached or migrated."""


class InputError(GridsvcError):
    """A file, row, field or parameter is wrong; the message names it."""


class NotFound(GridsvcError):
    """A code that is not in the store."""


class InfeasibleError(GridsvcError):
    """An assignment that cannot be made with the given limits."""


class RunInProgress(GridsvcError):
    """Another assignment run holds the lock."""


class NotAuthenticated(GridsvcError):
    """The caller gave no credentials (or wrong ones) for something that needs them."""


class Forbidden(GridsvcError):
    """The caller's role or scope does not allow this."""


class Conflict(GridsvcError):
    """The store changed under the request (a stale scenario, a duplicate name)."""


class StoreUnavailable(DatabaseError):
    """The database is down or unreachable; the caller may retry later."""


class TooManyRequests(GridsvcError):
    """An abuse limit was reached; the caller may try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
