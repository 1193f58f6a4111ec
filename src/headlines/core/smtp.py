"""SMTP relays: parsed from HEADLINES_SMTP_URL, pooled, rate-limited, tried in order.

Re-exported by `headlines.core.mail`, which is where callers import these names from.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import smtplib
import ssl
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import SplitResult, parse_qs, unquote

from headlines.core import urls
from headlines.core.errors import InvalidInput
from headlines.core.messenger import SendResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Relay:
    """One SMTP relay parsed from HEADLINES_SMTP_URL."""

    host: str
    port: int
    security: str = "none"  # none | starttls | tls
    username: str = ""
    password: str = field(default="", repr=False)
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


def parse_smtp_urls(value: str) -> list[Relay]:
    relays = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            url = urls.split(part)
        except ValueError as exc:  # the URL is not shown: it may hold the password
            raise InvalidInput(f"HEADLINES_SMTP_URL: {exc}", field="HEADLINES_SMTP_URL") from None
        scheme = url.scheme.lower()
        if scheme not in {"smtp", "smtp+starttls", "smtps"} or not url.hostname:
            raise InvalidInput(
                "HEADLINES_SMTP_URL: expected smtp://host:port, smtp+starttls://… or smtps://…",
                field="HEADLINES_SMTP_URL",
            )
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        _check_options(query)
        security = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "tls"}[scheme]
        if query.get("starttls", "").lower() in {"1", "true", "yes"}:
            security = "starttls"
        default_port = {"none": 25, "starttls": 587, "tls": 465}[security]
        relays.append(
            Relay(
                host=url.hostname,
                port=_port(url) or default_port,
                security=security,
                username=unquote(url.username or ""),
                password=unquote(url.password or ""),
                options=query,
            )
        )
    if not relays:
        raise InvalidInput("HEADLINES_SMTP_URL names no relay", field="HEADLINES_SMTP_URL")
    return relays


# What a relay URL's query may say. A misspelt limit (`?rates=50`) was dropped without a word,
# and the relay was then sent to as fast as it would take.
RELAY_OPTIONS = ("concurrency", "rate", "hourly", "verify", "starttls")


def _port(url: SplitResult) -> int | None:
    """The URL's port; `smtp://relay:25x` (or past 65535) stopped start-up with a traceback."""
    try:
        return urls.port(url, "HEADLINES_SMTP_URL")
    except ValueError as refused:
        raise InvalidInput(str(refused), field="HEADLINES_SMTP_URL") from None


def _check_options(query: Mapping[str, str]) -> None:
    """Only the known options; ?concurrency=N&rate=N&hourly=N must be positive numbers."""
    unknown = sorted(set(query) - set(RELAY_OPTIONS))
    if unknown:
        raise InvalidInput(
            f"HEADLINES_SMTP_URL: unknown option {unknown[0]}= (expected "
            f"{', '.join(o + '=' for o in RELAY_OPTIONS)})",
            field="HEADLINES_SMTP_URL",
        )
    for name in ("concurrency", "rate", "hourly"):
        if name not in query:
            continue
        try:
            # `inf` stopped the first send with a traceback (an endless pool of connections).
            ok = math.isfinite(float(query[name])) and float(query[name]) > 0
        except ValueError:
            ok = False
        if not ok:
            raise InvalidInput(
                f"HEADLINES_SMTP_URL: {name}= must be a positive number, got {query[name]!r}",
                field="HEADLINES_SMTP_URL",
            )


@functools.cache
def tls_context(*, verify: bool) -> ssl.SSLContext:
    """One TLS context a process for each kind of relay, shared by every connection (a context is
    safe to share between threads). Making one loads the system's certificates: about 20 ms of
    CPU, which every new connection used to pay, TLS or not: most of what a confirmation email
    cost the worker."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def open_smtp(relay: Relay, *, timeout: float = 30.0) -> smtplib.SMTP:
    """A logged-in connection to `relay`, with TLS as its URL asks."""
    verify = relay.options.get("verify", "").lower() not in {"0", "false", "no"}
    conn: smtplib.SMTP
    if relay.security == "tls":
        conn = smtplib.SMTP_SSL(
            relay.host, relay.port, timeout=timeout, context=tls_context(verify=verify)
        )
    else:
        conn = smtplib.SMTP(relay.host, relay.port, timeout=timeout)
    try:
        conn.ehlo()
        if relay.security == "starttls":
            conn.starttls(context=tls_context(verify=verify))
            conn.ehlo()
        if relay.username:
            conn.login(relay.username, relay.password)
    except BaseException:
        conn.close()
        raise
    return conn


class RateLimiter:
    """A token bucket: `per_second` sustained, bursts of one second's worth; thread-safe."""

    def __init__(self, per_second: float, *, capacity: float | None = None) -> None:
        self.rate = per_second
        self.capacity = capacity if capacity is not None else max(1.0, per_second)
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def try_take(self) -> float:
        """Take a token and return 0, or return the seconds until one is available."""
        with self.lock:
            now = time.monotonic()
            self._refill(now)
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate

    def take(self, *, max_wait: float) -> bool:
        """Wait (up to `max_wait` seconds) for a token."""
        deadline = time.monotonic() + max_wait
        while True:
            wait = self.try_take()
            if wait == 0:
                return True
            if time.monotonic() + wait > deadline:
                return False
            time.sleep(wait)


class RelayPool:
    """The connections to one relay: at most `concurrency` at once, kept open between messages.

    Limits come from the relay URL: `?concurrency=4&rate=50&hourly=100000` (rate per second).
    """

    # A relay that refused a connection is left alone this long before it is tried again.
    RETRY_DOWN_SECONDS = 5.0

    def __init__(self, relay: Relay, *, timeout: float) -> None:
        self.relay = relay
        self.timeout = timeout
        options = relay.options
        self.concurrency = max(1, int(float(options.get("concurrency", "4"))))
        self.slots = threading.BoundedSemaphore(self.concurrency)
        self.idle: list[smtplib.SMTP] = []
        self.lock = threading.Lock()
        rate = float(options.get("rate", "0") or 0)
        hourly = float(options.get("hourly", "0") or 0)
        self.per_second = RateLimiter(rate) if rate > 0 else None
        self.per_hour = RateLimiter(hourly / 3600.0, capacity=hourly) if hourly > 0 else None
        self.down_until = 0.0

    def available(self) -> bool:
        return time.monotonic() >= self.down_until

    def admit(self) -> bool:
        """Take this message's share of the relay's hourly and per-second budgets."""
        if self.per_hour is not None and self.per_hour.try_take() > 0:
            return False  # the hour's budget is spent: fail over rather than wait an hour
        return self.per_second is None or self.per_second.take(max_wait=self.timeout)

    def checkout(self) -> smtplib.SMTP:
        with self.lock:
            if self.idle:
                return self.idle.pop()
        return open_smtp(self.relay, timeout=self.timeout)

    def checkin(self, conn: smtplib.SMTP) -> None:
        with self.lock:
            self.idle.append(conn)

    def mark_down(self) -> None:
        self.down_until = time.monotonic() + self.RETRY_DOWN_SECONDS

    def close(self) -> None:
        with self.lock:
            conns, self.idle = self.idle, []
        for conn in conns:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                conn.quit()
            with contextlib.suppress(OSError):
                conn.close()


# How long the reply to a message's final "." is awaited: RFC 5321 (4.5.3.2.6) asks for 10
# minutes, because a client that gives up earlier sends the message again although the relay
# (scanning it, writing it to disk) is about to accept it: a reader gets it twice.
DATA_REPLY_TIMEOUT = 600.0


class SMTPMessenger:
    """Sends through the first relay that answers, over persistent pooled connections.

    Per relay: a connection limit, a per-second and a per-hour rate. A relay that cannot be
    reached, or whose hourly budget is spent, hands the message to the next one; when none can
    take it the result is a 4xx, which the delivery ledger retries later. Thread-safe.
    """

    def __init__(
        self,
        relays: Sequence[Relay],
        *,
        timeout: float = 30.0,
        data_timeout: float = DATA_REPLY_TIMEOUT,
    ) -> None:
        self.relays = list(relays)
        self.timeout = timeout
        self.data_timeout = data_timeout
        self.pools = [RelayPool(relay, timeout=timeout) for relay in self.relays]

    def send(self, *, envelope_from: str, recipients: Sequence[str], raw: bytes) -> SendResult:
        last = SendResult(421, "4.4.1 no relay reachable")
        for pool in self.pools:
            if not pool.available():
                continue
            if not pool.admit():
                last = SendResult(421, f"4.7.0 {pool.relay.label}: rate limit reached")
                continue
            result = self._send_on(pool, envelope_from, recipients, raw)
            if result is not None:
                return result
            last = SendResult(421, f"4.4.1 {pool.relay.label}: connection failed")
        return last

    def _send_on(
        self, pool: RelayPool, envelope_from: str, recipients: Sequence[str], raw: bytes
    ) -> SendResult | None:
        """The relay's reply, or None when it could not be reached (fail over)."""
        label = pool.relay.label
        with pool.slots:
            for attempt in range(2):  # a stale persistent connection gets one reconnect
                try:
                    conn = pool.checkout()
                except (OSError, smtplib.SMTPException) as exc:
                    log.warning("relay %s: cannot connect: %s", label, exc)
                    pool.mark_down()
                    return None
                try:
                    refused = transact(
                        conn, envelope_from, list(recipients), raw, data_timeout=self.data_timeout
                    )
                except smtplib.SMTPRecipientsRefused as exc:
                    _reset(conn, pool)
                    code, reply = next(iter(exc.recipients.values()))
                    return SendResult(code, _text(reply), label)
                except smtplib.SMTPResponseException as exc:
                    if exc.smtp_code == 421:
                        _discard(conn)
                    else:
                        _reset(conn, pool)
                    sender = isinstance(exc, smtplib.SMTPSenderRefused)  # MAIL FROM: about us
                    return SendResult(
                        exc.smtp_code, _text(exc.smtp_error), label, sender_refused=sender
                    )
                except (OSError, smtplib.SMTPException) as exc:
                    _discard(conn)
                    if attempt == 0:
                        continue
                    # Dropped mid-message: the relay may or may not have it; retry later.
                    return SendResult(421, f"4.4.2 {label}: {exc}", label)
                pool.checkin(conn)
                if refused:
                    code, reply = next(iter(refused.values()))
                    return SendResult(code, _text(reply), label)
                return SendResult(250, "2.0.0 Ok", label)
        return None

    def close(self) -> None:
        for pool in self.pools:
            pool.close()


def _dot_stuffed(raw: bytes) -> bytes:
    """The DATA payload: CRLF line ends, leading dots doubled, ending in CRLF."""
    if raw.count(b"\n") != raw.count(b"\r\n"):  # bare LF (as_bytes() output): normalise
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    raw = raw.replace(b"\r\n.", b"\r\n..")
    return b"." + raw if raw.startswith(b".") else raw


def transact(
    conn: smtplib.SMTP,
    envelope_from: str,
    recipients: list[str],
    raw: bytes,
    *,
    data_timeout: float = 0.0,
) -> dict[str, tuple[int, bytes]]:
    """One SMTP mail transaction; returns refused recipients like `sendmail`, raises like it.

    The reply to the end of the message is awaited up to `data_timeout` (if longer than the
    connection's timeout): the relay has the whole message by then, and giving up on a slow
    250 means sending the message again.

    With PIPELINING (RFC 2920) MAIL, RCPT and DATA go in one write and their replies are read
    together: two round trips a message instead of four. smtplib's `sendmail` also re-parses
    both addresses and runs two regular expressions over the whole message, which at
    1,500 messages a second is most of a core.
    """
    addresses = [envelope_from, *recipients]
    if not (conn.does_esmtp and conn.has_extn("pipelining")) or not all(
        a.isascii() and "<" not in a and ">" not in a for a in addresses
    ):
        with _patience(conn, data_timeout):
            return conn.sendmail(envelope_from, recipients, raw)
    payload = _dot_stuffed(raw)
    size = f" SIZE={len(payload)}" if conn.has_extn("size") else ""
    commands = [f"MAIL FROM:<{envelope_from}>{size}", *(f"RCPT TO:<{r}>" for r in recipients)]
    conn.send(("\r\n".join([*commands, "DATA"]) + "\r\n").encode("ascii"))
    mail_code, mail_reply = conn.getreply()
    refused = {}
    for rcpt in recipients:
        code, reply = conn.getreply()
        if code not in (250, 251):
            refused[rcpt] = (code, reply)
    data_code, data_reply = conn.getreply()
    if data_code == 354 and (mail_code != 250 or len(refused) == len(recipients)):
        conn.send(b".\r\n")  # the server took DATA with nobody to deliver to: end it empty
        conn.getreply()
    if mail_code != 250:
        conn.rset()
        raise smtplib.SMTPSenderRefused(mail_code, mail_reply, envelope_from)
    if len(refused) == len(recipients):
        raise smtplib.SMTPRecipientsRefused(refused)
    if data_code != 354:
        conn.rset()
        raise smtplib.SMTPDataError(data_code, data_reply)
    conn.send(payload + b".\r\n")
    with _patience(conn, data_timeout):
        code, reply = conn.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return refused


@contextlib.contextmanager
def _patience(conn: smtplib.SMTP, seconds: float) -> Iterator[None]:
    """Wait up to `seconds` for the replies read inside, if that is longer than the usual."""
    sock = conn.sock
    usual = sock.gettimeout() if sock is not None else None
    if sock is None or usual is None or seconds <= usual:
        yield
        return
    sock.settimeout(seconds)
    try:
        yield
    finally:
        if conn.sock is sock:
            sock.settimeout(usual)


def _discard(conn: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        conn.close()


def _reset(conn: smtplib.SMTP, pool: RelayPool) -> None:
    """After a refused message the session goes on: RSET, and keep the connection."""
    try:
        conn.rset()
    except (OSError, smtplib.SMTPException):
        _discard(conn)
        return
    pool.checkin(conn)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
