"""Domain exceptions. The edges (views, commands, tasks) turn them into responses, exit codes."""

from __future__ import annotations


class DomainError(Exception):
    """Something a user asked for cannot be done; the message says why, in plain words."""


class InvalidInput(DomainError):
    """Input failed validation. `field` names the offending field when there is one; `also`
    holds the other fields' problems found at the same time (an edge that can list them, as
    the API's 422 does, lists them all)."""

    def __init__(
        self, message: str, *, field: str | None = None, also: tuple[InvalidInput, ...] = ()
    ) -> None:
        super().__init__(message)
        self.field = field
        self.also = also


class NotFound(DomainError):
    """The thing named does not exist."""


class Conflict(DomainError):
    """The thing already exists or is in a state that forbids the action."""


def invalid_input_from(exc: Exception) -> InvalidInput:
    """A Django ValidationError as our InvalidInput, naming its first field and message."""
    message_dict = getattr(exc, "message_dict", None)
    if message_dict:
        field, messages = next(iter(message_dict.items()))
        return InvalidInput(f"{field}: {messages[0]}", field=field)
    return InvalidInput(str(exc))
