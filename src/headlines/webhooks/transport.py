"""How a webhook leaves: an HTTP POST behind a small protocol, through intake's SSRF guard.

The address of every send is resolved and checked as source fetching does (private, loopback
and other special addresses refused unless HEADLINES_WEBHOOK_ALLOW_PRIVATE), and the connection
goes to the checked address. Redirects are not followed: a receiver that moved is a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from headlines.intake.errors import FetchError
from headlines.intake.fetching.addresses import AddressPolicy
from headlines.intake.fetching.http import _pin as pin_to_checked_address


@dataclass(frozen=True)
class Reply:
    status: int | None  # None: no HTTP answer at all
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Transport(Protocol):
    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> Reply: ...

    def close(self) -> None: ...


class HttpTransport:
    def __init__(self, *, allow_private: bool | None = None, timeout: float | None = None) -> None:
        c = settings.CONFIG
        self.allow_private = (
            bool(c["HEADLINES_WEBHOOK_ALLOW_PRIVATE"]) if allow_private is None else allow_private
        )
        seconds = float(c["HEADLINES_WEBHOOK_TIMEOUT_SECONDS"]) if timeout is None else timeout
        self.policy = AddressPolicy()
        # httpx loads on the first send, not when the job registry starts a command.
        import httpx

        self.client = httpx.Client(timeout=seconds, follow_redirects=False)
        self.user_agent = str(c["HEADLINES_HTTP_USER_AGENT"])

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> Reply:
        try:
            pinned = self.policy.check_url(url, allow_private=self.allow_private)
        except FetchError as exc:
            return Reply(None, str(exc))
        import httpx

        headers = {**headers, "User-Agent": self.user_agent, "Content-Type": "application/json"}
        target, headers, extensions = pin_to_checked_address(url, headers, pinned)
        try:
            response = self.client.post(
                target, content=body, headers=headers, extensions=extensions
            )
        except httpx.TimeoutException:
            return Reply(None, "timed out")
        except httpx.HTTPError as exc:
            return Reply(None, f"connection failed ({exc or type(exc).__name__})")
        if 200 <= response.status_code < 300:
            return Reply(response.status_code)
        return Reply(response.status_code, f"HTTP {response.status_code}: {response.text[:200]}")

    def close(self) -> None:
        self.client.close()
