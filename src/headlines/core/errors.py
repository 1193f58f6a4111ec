"""Domain exceptions. The edges (views, commands, tasks) turn them into responses, exit codes."""


class DomainError(Exception):
    """Something a user asked for cannot be done; the message says why, in plain words."""


class InvalidInput(DomainError):
    """Input failed validation. `field` names the offending field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """The thing named does not exist."""


class Conflict(DomainError):
    """The thing already exists or is in a state that forbids the action."""
