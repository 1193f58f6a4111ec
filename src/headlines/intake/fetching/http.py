"""Polite, guarded HTTP fetching behind a small protocol.

`Fetcher` is what the rest of intake sees. `HttpFetcher` is the real one (httpx): timeouts, a
byte cap, redirects followed by hand so every hop's address is checked (SSRF), conditional GET,
robots.txt, per-host concurrency and delay, and retries with backoff. Tests hand it a real
localhost server; nothing here is patched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

from headlines.core.untrusted import plain_digits
from headlines.intake.errors import FetchError
from headlines.intake.fetching.addresses import AddressPolicy, Resolver, system_resolve
from headlines.intake.fetching.encodings import ACCEPTED, EncodingError, decoded
from headlines.intake.fetching.waits import duration, retry_after_seconds

if TYPE_CHECKING:  # urllib.request, under robotparser: loaded when robots.txt is first read
    import urllib.robotparser

RETRY_STATUSES = {429, 500, 502, 503, 504}
# A Retry-After up to this long is waited out within the run; a longer one ends the fetch, rests
# the host for the rest of the run, and the scheduler waits it out (waits.MAX_RETRY_AFTER at most).
MAX_WAIT_IN_RUN = 60.0


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str]
    content: bytes = b""
    not_modified: bool = False
    moved_to: str = ""  # where every redirect followed said, permanently (301, 308), it now is

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip("\"'").lower()
        return ""


class Fetcher(Protocol):
    def get(
        self, url: str, *, allow_private: bool = False, etag: str = "", last_modified: str = ""
    ) -> Response: ...

    def close(self) -> None: ...


@dataclass
class FetchOptions:
    user_agent: str
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 1.0
    host_concurrency: int = 2
    host_delay: float = 1.0
    respect_robots: bool = True
    allow_networks: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, **overrides: Any) -> FetchOptions:
        from django.conf import settings

        c = settings.CONFIG
        networks = tuple(
            n.strip() for n in str(c["HEADLINES_INTAKE_ALLOW_NETWORKS"]).split(",") if n.strip()
        )
        values: dict[str, Any] = {
            "user_agent": c["HEADLINES_HTTP_USER_AGENT"],
            "connect_timeout": c["HEADLINES_INTAKE_CONNECT_TIMEOUT"],
            "read_timeout": c["HEADLINES_INTAKE_READ_TIMEOUT"],
            "max_bytes": c["HEADLINES_INTAKE_MAX_BYTES"],
            "max_redirects": c["HEADLINES_INTAKE_MAX_REDIRECTS"],
            "retries": c["HEADLINES_INTAKE_RETRIES"],
            "backoff": c["HEADLINES_INTAKE_BACKOFF_SECONDS"],
            "host_concurrency": c["HEADLINES_INTAKE_HOST_CONCURRENCY"],
            "host_delay": c["HEADLINES_INTAKE_HOST_DELAY_SECONDS"],
            "respect_robots": c["HEADLINES_INTAKE_RESPECT_ROBOTS"],
            "allow_networks": networks,
        }
        values.update(overrides)
        return cls(**values)


@dataclass
class HostGate:
    """At most `limit` requests in flight per host, starts at least `delay` seconds apart."""

    limit: int
    delay: float
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _slots: dict[str, threading.Semaphore] = field(default_factory=dict)
    _next_start: dict[str, float] = field(default_factory=dict)

    def enter(self, host: str) -> threading.Semaphore:
        with self._lock:
            slot = self._slots.setdefault(host, threading.Semaphore(max(1, self.limit)))
        slot.acquire()
        with self._lock:
            start = max(time.monotonic(), self._next_start.get(host, 0.0))
            self._next_start[host] = start + self.delay
        wait = start - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        return slot


class HttpFetcher:
    def __init__(
        self,
        options: FetchOptions,
        *,
        sleep: Callable[[float], None] = time.sleep,
        resolve: Resolver = system_resolve,
    ) -> None:
        self.options = options
        self.sleep = sleep
        self.policy = AddressPolicy(allow_networks=options.allow_networks, resolve=resolve)
        self.gate = HostGate(options.host_concurrency, options.host_delay)
        import httpx  # a twentieth of a second to load: only fetching pays for it

        from headlines.intake.fetching.transport import deadline_transport

        self.client = httpx.Client(
            timeout=httpx.Timeout(
                connect=options.connect_timeout,
                read=options.read_timeout,
                write=options.read_timeout,
                pool=options.read_timeout,
            ),
            follow_redirects=False,
            headers={"User-Agent": options.user_agent, "Accept-Encoding": ACCEPTED},
            trust_env=False,  # proxies from the environment would bypass the address checks
            transport=deadline_transport(),
        )
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._robots_unread: dict[str, str] = {}  # origin -> why its robots.txt was not read
        self._robots_lock = threading.Lock()
        self._resting: dict[str, float] = {}  # host -> time.monotonic() it asked us to wait for
        self._resting_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def get(
        self, url: str, *, allow_private: bool = False, etag: str = "", last_modified: str = ""
    ) -> Response:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        # Refusals name the URL asked for, not its robots.txt.
        self.policy.check_url(url, allow_private=allow_private, within=self.options.connect_timeout)
        self._check_resting(url)
        if self.options.respect_robots:
            self._check_robots(url, allow_private)
        return self._with_retries(url, headers, allow_private)

    # --- retries and redirects -----------------------------------------------------------------

    def _with_retries(self, url: str, headers: dict[str, str], allow_private: bool) -> Response:
        attempt = 0
        while True:
            try:
                response = self._follow(url, headers, allow_private)
            except FetchError as exc:
                if not exc.retryable or attempt >= self.options.retries:
                    raise
                self.sleep(self.options.backoff * 2**attempt)
            else:
                if response.status not in RETRY_STATUSES:
                    return _check_status(response)
                asked = _retry_after(response)
                if asked is not None and asked > MAX_WAIT_IN_RUN:
                    # Not slept through, not asked again: every other page of the host waits too.
                    with self._resting_lock:
                        self._resting[_host(response.url)] = time.monotonic() + asked
                    raise _status_error(response, asked)
                if attempt >= self.options.retries:
                    raise _status_error(response, asked)
                self.sleep(asked or self.options.backoff * 2**attempt)
            attempt += 1

    def _check_resting(self, url: str) -> None:
        host = _host(url)
        with self._resting_lock:
            until = self._resting.get(host)
        left = until - time.monotonic() if until is not None else 0.0
        if left > 0:
            raise FetchError(
                f"{url}: not fetched, {host} asked us to wait {duration(left)} more",
                retry_after=left,
            )

    def _follow(self, url: str, headers: dict[str, str], allow_private: bool) -> Response:
        asked, permanent = url, True
        for _hop in range(self.options.max_redirects + 1):
            response = self._once(url, headers, allow_private)
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("location", "")
                if not location:
                    raise FetchError(f"{url}: redirect ({response.status}) without a Location")
                permanent = permanent and response.status in (301, 308)
                try:
                    url = urljoin(url, location)
                except ValueError:
                    raise FetchError(
                        f"{url}: redirected to an address that is not a valid URL ({location!r})"
                    ) from None
                continue
            if permanent and url != asked and not _loses_credentials(asked, url):
                response.moved_to = url
            return response
        raise FetchError(f"{url}: more than {self.options.max_redirects} redirects")

    def _once(self, url: str, headers: dict[str, str], allow_private: bool) -> Response:
        import httpx

        host = urlsplit(url).hostname or ""
        slot = self.gate.enter(host)
        try:
            # The request's deadline counts from the lookup of its host's name: a resolver that
            # does not answer held the fetch for as long as its own timeouts and retries ran.
            deadline = time.monotonic() + self._budget
            within = min(self.options.connect_timeout, self._budget)
            pinned = self.policy.check_url(url, allow_private=allow_private, within=within)
            return self._read(url, headers, pinned, deadline=deadline)
        except httpx.TimeoutException as exc:
            kind = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for data"
            raise FetchError(f"{url}: timed out {kind}", retryable=True) from None
        except httpx.ConnectError as exc:
            tls = _tls_failure(exc)
            if tls:
                # The same certificate fails the same way a second later: not retried.
                raise FetchError(f"{url}: {tls}", unreachable=True) from None
            refused = "refused" in _plain(exc).lower()
            what = "connection refused" if refused else f"cannot connect ({_plain(exc)})"
            raise FetchError(f"{url}: {what}", retryable=True, unreachable=True) from None
        except httpx.RemoteProtocolError as exc:
            if "location header" in str(exc).lower():
                # httpx reads a redirect's Location as it answers: one it cannot read comes
                # back the same a second later, so it is no connection to retry.
                raise FetchError(
                    f"{url}: redirected to an address that is not a valid URL ({_plain(exc)})"
                ) from None
            raise FetchError(f"{url}: connection failed ({_plain(exc)})", retryable=True) from None
        except httpx.TransportError as exc:
            raise FetchError(f"{url}: connection failed ({_plain(exc)})", retryable=True) from None
        finally:
            slot.release()

    @property
    def _budget(self) -> float:
        """Seconds for a whole request (its name's lookup, connecting, the whole answer,
        however it trickles in)."""
        return 4 * self.options.read_timeout

    def _read(
        self,
        url: str,
        headers: dict[str, str],
        pinned: str | None = None,
        *,
        deadline: float | None = None,
    ) -> Response:
        import httpx

        from headlines.intake.fetching.transport import deadline as network_deadline

        budget = self._budget
        deadline = time.monotonic() + budget if deadline is None else deadline
        try:
            with network_deadline(deadline):
                return self._read_within(url, headers, pinned, deadline)
        except httpx.TimeoutException:
            if time.monotonic() < deadline - 0.01:  # a read timeout of its own
                raise
            raise FetchError(f"{url}: response too slow (over {budget:g} s)") from None

    def _read_within(
        self, url: str, headers: dict[str, str], pinned: str | None, deadline: float
    ) -> Response:
        import httpx

        cap = self.options.max_bytes
        target, headers, extensions = _pin(url, headers, pinned)
        with self.client.stream("GET", target, headers=headers, extensions=extensions) as raw:
            head = {k.lower(): v for k, v in raw.headers.items()}
            if raw.status_code == 304:
                return Response(url, 304, head, not_modified=True)
            if raw.status_code in (301, 302, 303, 307, 308) or raw.status_code >= 400:
                return Response(url, raw.status_code, head)
            declared = head.get("content-length", "")
            if plain_digits(declared) and int(declared) > cap:
                raise FetchError(f"{url}: response of {int(declared)} bytes exceeds {cap} bytes")
            chunks, size = [], 0
            try:
                for chunk in decoded(raw.iter_raw(), head.get("content-encoding", "")):
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(f"{url}: response exceeds {cap} bytes")
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("the whole answer took too long")
                    chunks.append(chunk)
            except EncodingError as exc:
                raise FetchError(f"{url}: {exc}") from None
            return Response(url, raw.status_code, head, b"".join(chunks))

    # --- robots.txt ------------------------------------------------------------------------------

    def _check_robots(self, url: str, allow_private: bool) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            known = origin in self._robots
            rules = self._robots.get(origin)
        if not known:
            try:
                rules = self._load_robots(origin, allow_private)
            except FetchError as exc:
                if not exc.unreachable:
                    raise
                # Nothing answers at the host: say so for the page asked for, not its robots.txt.
                where = f"{origin}/robots.txt"
                message = exc.base.replace(where, url, 1)
                raise FetchError(message, retryable=True, unreachable=True) from None
            with self._robots_lock:
                self._robots[origin] = rules
        if rules is not None and not rules.can_fetch(self.options.user_agent, url):
            unread = self._robots_unread.get(origin)
            if unread:
                # Not the site's rule: ours (RFC 9309) while its robots.txt cannot be read.
                raise FetchError(
                    f"{url}: disallowed until {origin}/robots.txt can be read ({unread})",
                    retryable=True,
                )
            raise FetchError(f"{url}: disallowed by {origin}/robots.txt")

    def _load_robots(
        self, origin: str, allow_private: bool
    ) -> urllib.robotparser.RobotFileParser | None:
        """RFC 9309: a missing robots.txt (4xx) allows everything; one that cannot be read now
        (5xx, 429, a timeout) allows nothing until it can."""
        import urllib.robotparser

        rules = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            response = self._follow(origin + "/robots.txt", {}, allow_private)
        except FetchError as exc:
            if exc.refused or exc.unreachable:
                raise
            self._robots_unread[origin] = _reason(exc.base)
            rules.parse(["User-agent: *", "Disallow: /"])
            return rules
        # 429 (RFC 9309 2.3.1.5: a server that will not answer now) is not a missing file: like
        # a server error, nothing is fetched from the host this run, and the next run asks again.
        if 400 <= response.status < 500 and response.status != 429:
            return None
        if response.status >= 500 or response.status == 429:
            asked = _retry_after(response)
            self._robots_unread[origin] = _reason(str(_status_error(response, asked)))
            rules.parse(["User-agent: *", "Disallow: /"])
            return rules
        rules.parse(response.content.decode("utf-8", "replace").splitlines())
        return rules


def _pin(
    url: str, headers: dict[str, str], pinned: str | None
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """Connect to the address that was checked, still naming the host (Host header, TLS SNI
    and certificate check), so the name cannot be re-resolved to somewhere else."""
    if pinned is None:
        return url, headers, {}
    parts = urlsplit(url)
    host = parts.hostname or ""
    address = f"[{pinned}]" if ":" in pinned else pinned
    netloc = f"{address}:{parts.port}" if parts.port else address
    # `user:password@` is the receiver's or the feed's credential (httpx sends it as Basic
    # auth): dropping it with the host sent every pinned request without it, and only a
    # loopback test, which is never pinned, saw it arrive.
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    # An IPv6 host keeps its brackets in the Host header ("::1:8080" is no host and port).
    named = f"[{host}]" if ":" in host else host
    host_header = f"{named}:{parts.port}" if parts.port else named
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return urlunsplit(parts._replace(netloc=netloc)), {**headers, "Host": host_header}, extensions


def _check_status(response: Response) -> Response:
    if response.status == 304 or 200 <= response.status < 300:
        return response
    raise _status_error(response)


def _status_error(response: Response, retry_after: float | None = None) -> FetchError:
    import httpx

    reason = httpx.codes.get_reason_phrase(response.status) or "error"
    message = f"{response.url}: HTTP {response.status} {reason}"
    if retry_after:
        message += f", asked us to wait {duration(retry_after)}"
    return FetchError(message, retry_after=retry_after)


def _retry_after(response: Response) -> float | None:
    return retry_after_seconds(response.headers.get("retry-after", ""))


def _loses_credentials(old: str, new: str) -> bool:
    """A feed's `user:password@` is not carried to another host: remembering the new address
    would drop it."""
    return "@" in urlsplit(old).netloc and "@" not in urlsplit(new).netloc


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _tls_failure(exc: Exception) -> str:
    """What went wrong with TLS, in words an editor can pass on; "" when it is not TLS."""
    import ssl

    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ssl.SSLError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ssl.SSLCertVerificationError):
        why = cause.verify_message or cause.reason or "not trusted"
        return f"the server's TLS certificate is not trusted ({why})"
    if isinstance(cause, ssl.SSLError):
        return f"TLS handshake failed ({cause.reason or _plain(cause)})"
    return ""


def _reason(message: str) -> str:
    """A fetch error's words after the URL it names (a redirect's hop, maybe, not the one asked)."""
    return message.partition(": ")[2] or message


def _plain(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
