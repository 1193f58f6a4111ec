"""Intake's failures, each with a reason a member of staff can read in the admin."""

from __future__ import annotations

from headlines.core.errors import DomainError


class IntakeError(DomainError):
    """An input could not be turned into an article; the message says why."""


class FetchError(IntakeError):
    """A URL could not be fetched. `retryable` failures may succeed later; `refused` ones never."""

    def __init__(self, message: str, *, retryable: bool = False, refused: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.refused = refused


class ParseError(IntakeError):
    """The bytes arrived but are not a feed, sitemap, page or dump we can read."""
