"""Intake's failures, each with a reason a member of staff can read in the admin."""

from __future__ import annotations

from headlines.core.errors import DomainError


class IntakeError(DomainError):
    """An input could not be turned into an article; the message says why."""


class FetchError(IntakeError):
    """A URL could not be fetched. `retryable` failures may succeed later; `refused` ones never.

    `private`: refused because the address is private or loopback; `unreachable`: nothing
    answered (connection refused, no route) or not over trusted TLS. `hint` says how to go on,
    in words that depend on the door (a source is marked local, `extract` takes
    --allow-local); `base` is the message without it. `retry_after`: the seconds the server
    asked us to wait (Retry-After) before asking again.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        refused: bool = False,
        private: bool = False,
        unreachable: bool = False,
        hint: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{message} ({hint})" if hint else message)
        self.retry_after = retry_after
        self.base = message
        self.retryable = retryable
        self.refused = refused
        self.private = private
        self.unreachable = unreachable


class ParseError(IntakeError):
    """The bytes arrived but are not a feed, sitemap, page or dump we can read."""
