"""Which addresses intake may connect to: the SSRF guard.

Every hop of every request (redirects included) is resolved and each address checked before the
connection is made, and the connection then goes to the checked address (pinned), so a DNS
answer that changes in between (rebinding) cannot slip a private address in. Private,
loopback, link-local and other special addresses are refused unless the source is marked local
or the address is in HEADLINES_INTAKE_ALLOW_NETWORKS.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable

from headlines.core import urls
from headlines.intake.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


def system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def describe(address: IPAddress) -> str | None:
    """Why `address` is not a public internet address, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return describe(address.ipv4_mapped)
    checks = [
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "an unspecified address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    ]
    for attribute, reason in checks:
        if getattr(address, attribute):
            return reason
    # Neither private nor public to Python 3.11: carrier-grade NAT's 100.64.0.0/10, where cloud
    # metadata (Alibaba's 100.100.100.200) and overlay networks (Tailscale) live.
    if address in SHARED:
        return "a shared (carrier-grade NAT) address"
    return None


SHARED = ipaddress.ip_network("100.64.0.0/10")


class AddressPolicy:
    def __init__(
        self, *, allow_networks: Iterable[str] = (), resolve: Resolver = system_resolve
    ) -> None:
        self.allowed = [ipaddress.ip_network(n, strict=False) for n in allow_networks]
        self.resolve = resolve

    def refusal(self, address: IPAddress) -> str | None:
        """Why `address` is refused (`describe`), or None: public, or in an allowed network."""
        reason = describe(address)
        return None if reason is None or any(address in n for n in self.allowed) else reason

    def named_refusal(self, url: str) -> str | None:
        """Why `url`'s host, as written, is refused ("127.0.0.1 is a loopback address"), or
        None: an IP address in any form the resolver reads as one, or `localhost`. Names are
        not looked up: what they resolve to is checked at every request (`check_url`)."""
        try:
            host = (urls.split(url).hostname or "").rstrip(".").lower()
        except ValueError:
            return None
        if host == "localhost" or host.endswith(".localhost"):
            return "localhost is a loopback address"
        try:
            infos = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
        except (OSError, UnicodeError):
            return None  # a name
        for info in infos:
            reason = self.refusal(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
            if reason:
                return f"{host} is {reason}"
        return None

    def check_url(
        self, url: str, *, allow_private: bool, within: float | None = None
    ) -> str | None:
        """The checked address to connect to (None for local sources: no check, no pin).
        `within`: seconds the name's lookup may take (None: as long as the resolver takes)."""
        try:
            parts = urls.split(url)
        except ValueError as exc:
            raise FetchError(f"{url}: {exc}", refused=True) from None
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"{url}: only http and https URLs are fetched", refused=True)
        host = parts.hostname
        if not host:
            raise FetchError(f"{url}: the URL has no host", refused=True)
        if allow_private:
            return None
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchError(
                f"{url}: the port is not a number from 1 to 65535", refused=True
            ) from None
        try:
            addresses = self._lookup(host, port, within)
        except TimeoutError:
            over = f" (over {within:g} s)" if within is not None else ""
            raise FetchError(
                f"{url}: timed out looking up host {host}{over}", retryable=True
            ) from None
        except (OSError, UnicodeError):
            raise FetchError(f"{url}: cannot resolve host {host}", retryable=True) from None
        if not addresses:
            raise FetchError(f"{url}: cannot resolve host {host}", retryable=True)
        for raw in addresses:
            address = ipaddress.ip_address(raw.split("%")[0])
            reason = self.refusal(address)
            if reason:
                raise FetchError(
                    f"{url}: refused, {host} resolves to {address}, {reason}",
                    refused=True,
                    private=True,
                    hint="a source that may reach it is added with `headlines source add … "
                    "--local`, or marked Local in the admin",
                )
        return addresses[0].split("%")[0]

    def _lookup(self, host: str, port: int, within: float | None) -> list[str]:
        """`resolve(host, port)`, or TimeoutError after `within` seconds. The system resolver
        cannot be interrupted: its lookup goes on in a daemon thread until its own timeout,
        and its answer is dropped."""
        if within is None:
            return self.resolve(host, port)
        done = threading.Event()
        answer: list[list[str]] = []
        failure: list[BaseException] = []

        def look_up() -> None:
            try:
                answer.append(self.resolve(host, port))
            except BaseException as exc:  # handed to the caller's thread, as it was raised
                failure.append(exc)
            finally:
                done.set()

        threading.Thread(target=look_up, name=f"intake-dns {host}", daemon=True).start()
        if not done.wait(max(0.0, within)):
            raise TimeoutError(host)
        if failure:
            raise failure[0]
        return answer[0]
