"""The narrow interface everything that sends mail sees: a `Messenger` and its `SendResult`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SendResult:
    """The relay's reply to one message: 250 means it took responsibility for it."""

    code: int
    reply: str
    relay: str = ""
    # The relay refused our envelope sender (MAIL FROM), before any recipient was named: a
    # refusal about us, whatever its code says (a bounce domain that does not resolve, say).
    sender_refused: bool = False

    @property
    def accepted(self) -> bool:
        return 200 <= self.code < 300

    @property
    def permanent_failure(self) -> bool:
        return 500 <= self.code < 600


class Messenger(Protocol):
    def send(self, *, envelope_from: str, recipients: Sequence[str], raw: bytes) -> SendResult: ...

    def close(self) -> None: ...
