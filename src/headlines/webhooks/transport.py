"""How a webhook leaves: an HTTP POST behind a small protocol, through intake's SSRF guard.

The address of every send is resolved and checked as source fetching does (private, loopback
and other special addresses refused unless HEADLINES_WEBHOOK_ALLOW_PRIVATE), and the connection
goes to the checked address. Redirects are not followed: a receiver that moved is a failure.

HEADLINES_WEBHOOK_TIMEOUT_SECONDS bounds the whole delivery, not each read: httpx's read timeout
restarts with every byte, so a receiver that trickled its answer held the runner (and every
message queued behind it) for as long as it liked. A timer shuts the socket at the deadline, and
at most READ_CAP bytes of the answer are read (only its first words are kept, for the error).
The name's lookup counts too: a silent DNS server held the runner for the resolver's own
timeouts (tries x servers x seconds); it now gets the delivery's seconds, and the connection
what is left of them.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

from headlines.core.urls import masked_url
from headlines.intake.errors import FetchError
from headlines.intake.fetching.addresses import AddressPolicy
from headlines.intake.fetching.http import _pin as pin_to_checked_address

READ_CAP = 64 * 1024


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


class _Deadline:
    """Shuts the delivery's socket when its time is up, whatever httpx is waiting for."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.passed = False
        self._stream: Any = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def trace(self, event: str, info: dict[str, Any]) -> None:
        # httpcore's trace hook: the TCP stream, then the TLS stream that replaces it.
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            with self._lock:
                self._stream = info.get("return_value")
                if self.passed:
                    self._shut()

    def _cut(self) -> None:
        with self._lock:
            self.passed = True
            self._shut()

    def _shut(self) -> None:
        sock = self._stream.get_extra_info("socket") if self._stream is not None else None
        if sock is None:
            return
        with contextlib.suppress(OSError):  # already closed: nothing is waiting on it
            sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


class HttpTransport:
    def __init__(self, *, allow_private: bool | None = None, timeout: float | None = None) -> None:
        c = settings.CONFIG
        self.allow_private = (
            bool(c["HEADLINES_WEBHOOK_ALLOW_PRIVATE"]) if allow_private is None else allow_private
        )
        self.seconds = float(c["HEADLINES_WEBHOOK_TIMEOUT_SECONDS"]) if timeout is None else timeout
        self.policy = AddressPolicy()
        # httpx loads on the first send, not when the job registry starts a command.
        import httpx

        # No kept-alive connections: each delivery's deadline watches the socket it opened.
        self.client = httpx.Client(
            timeout=self.seconds,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self.user_agent = str(c["HEADLINES_HTTP_USER_AGENT"])

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> Reply:
        started = time.monotonic()
        try:
            pinned = self.policy.check_url(
                url, allow_private=self.allow_private, within=self.seconds
            )
        except FetchError as exc:
            return Reply(None, _refusal(exc, url))
        left = self.seconds - (time.monotonic() - started)
        if left <= 0:
            return Reply(None, f"timed out (no complete answer in {self.seconds:g} s)")
        import httpx

        headers = {**headers, "User-Agent": self.user_agent, "Content-Type": "application/json"}
        target, headers, extensions = pin_to_checked_address(url, headers, pinned)
        with _Deadline(left) as deadline:
            try:
                with self.client.stream(
                    "POST",
                    target,
                    content=body,
                    headers=headers,
                    extensions={**extensions, "trace": deadline.trace},
                ) as response:
                    if 200 <= response.status_code < 300:
                        return Reply(response.status_code)
                    return Reply(response.status_code, _error(response))
            except httpx.TimeoutException:
                return Reply(None, "timed out")
            except httpx.HTTPError as exc:
                if deadline.passed:
                    return Reply(None, f"timed out (no complete answer in {self.seconds:g} s)")
                return Reply(None, f"connection failed ({exc or type(exc).__name__})")

    def close(self) -> None:
        self.client.close()


def _refusal(exc: FetchError, url: str) -> str:
    """The address check's refusal in a webhook's words: the URL as lists show it (its password
    went into the endpoint's last error, `webhook list`, the admin and the log), and the
    setting that allows a private receiver rather than the source's "mark it local"."""
    said = exc.base.replace(url, masked_url(url))
    if exc.private:
        said += " (HEADLINES_WEBHOOK_ALLOW_PRIVATE=true allows it)"
    return said


def _error(response: Any) -> str:
    """`HTTP 500: <the answer's first words>`, read within the cap and the deadline; a redirect
    names where it pointed (a moved receiver is updated with `webhook add`, never followed)."""
    import httpx

    said = f"HTTP {response.status_code}"
    if 300 <= response.status_code < 400 and response.headers.get("location"):
        said += f" (redirects to {response.headers['location'][:200]}; not followed)"
    read = b""
    try:
        for chunk in response.iter_raw():
            read += chunk
            if len(read) >= READ_CAP:
                break
    except httpx.HTTPError:
        pass  # the status is the answer; a body cut short only loses its words
    text = read[:READ_CAP].decode("utf-8", "replace")[:200]
    return f"{said}: {text}" if text else said
