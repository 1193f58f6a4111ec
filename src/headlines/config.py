"""Every setting of Evening Headlines, declared once.

Each `Setting` names an environment variable, its type, its default and its help text. Django's
settings module, `headlines run --help`, the admin and `docs/operations.md` are all derived from
`SETTINGS`; a test fails when the docs fall behind this list.
"""

from __future__ import annotations

import difflib
import ipaddress
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from headlines import __version__


class ConfigError(ValueError):
    """A setting's value from the environment cannot be used."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"expected true or false, got {raw!r}")


def _int(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ConfigError(f"expected a whole number, got {raw!r}") from None


def _float(raw: str) -> float:
    try:
        return float(raw.strip())
    except ValueError:
        raise ConfigError(f"expected a number, got {raw!r}") from None


def _plain(value: float | None) -> str | None:
    """1.0 as "1", 0.5 as "0.5", 1000000 as "1000000" (not "1e+06")."""
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _str(raw: str) -> str:
    return raw.strip()


def _path(raw: str) -> Path:
    return Path(raw.strip()).expanduser()


def _networks(value: str) -> None:
    for part in (p.strip() for p in value.split(",")):
        try:
            if part:
                ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ConfigError(
                f"expected comma-separated networks such as 10.0.0.0/8, got {part!r}"
            ) from None


def _public_url(value: str) -> None:
    from headlines.core import urls  # urllib only: no Django needed

    try:
        parts = urls.split(value)
    except ValueError:
        raise ConfigError(f"expected a valid URL ({urls.BRACKETS}), got {value!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"expected http://… or https://… (e.g. https://news.example.com), got {value!r}"
        )
    # Every link is this address with a path after it: a query or fragment made them
    # `https://news.example?x=1/confirm/…`, and a space or a port past 65535 no link at all.
    try:
        port_ok = parts.port != 0
    except ValueError:
        port_ok = False
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        raise ConfigError(f"expected an address without ?query or #fragment, got {value!r}")
    if not port_ok or any(ch.isspace() or not ch.isprintable() for ch in value):
        raise ConfigError(
            f"expected a URL without spaces and with a port from 1 to 65535, got {value!r}"
        )


def _smtp_urls(value: str) -> None:
    from headlines.core.errors import InvalidInput
    from headlines.core.smtp import parse_smtp_urls  # smtplib and ssl: no Django needed

    try:
        parse_smtp_urls(value)
    except InvalidInput as exc:  # its messages name the form, never the URL's password
        raise ConfigError(str(exc).removeprefix("HEADLINES_SMTP_URL: ")) from None


def _mail_address(value: str) -> None:
    from email.utils import parseaddr

    address = parseaddr(value)[1]
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in address):
        raise ConfigError(
            f"expected an address such as 'Evening Headlines <news@example.com>', got {value!r}"
        )


def _host_port(value: str) -> None:
    host, _, port = value.rpartition(":")
    if not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"expected host:port such as 0.0.0.0:25, got {value!r}")


def _dkim_key_file(value: Path) -> None:
    """Readable, and a private key DKIM can sign with: a bad one was found only at the first
    send, after `headlines send` had approved the digest."""
    try:
        pem = value.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"expected a readable file, got {str(value)!r} ({exc.strerror})"
        ) from None
    from headlines.core import dkim
    from headlines.core.errors import InvalidInput

    try:
        dkim.load_key(selector="check", domain="example.com", pem=pem)
    except InvalidInput as exc:
        raise ConfigError(f"{value}: {exc}") from None


# RFC 6376 3.1: a selector is one or more DNS labels. One with a space or a `;` passed start-up
# (the key was checked under another name) and stopped the first send instead. A host name's
# labels are the same less the underscore, at most 63 characters.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?"
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SELECTOR = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")


def _dkim_selector(value: str) -> None:
    if len(value) > 253 or not _SELECTOR.fullmatch(value):
        raise ConfigError(f"expected DNS labels such as eh2026 or news.2026, got {value!r}")


def _domain(value: str) -> None:
    """A mail domain: a VERP Return-Path and a mailto unsubscribe address are built on it. `not
    a domain` was taken and every digest carried `mailto:unsubscribe+…@not a domain`. ASCII
    only: an envelope sender must pass relays that do not speak SMTPUTF8."""
    if len(value) > 253 or not re.fullmatch(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})*", value):
        raise ConfigError(
            "expected a domain such as bounces.news.example.com (an international name in its "
            f"xn-- form), got {value!r}"
        )


_FACTORY = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _factory(value: str) -> None:
    # The form alone: importing the package here would load a model into every command.
    if not _FACTORY.fullmatch(value):
        raise ConfigError(f"expected package.module:factory, got {value!r}")


# CSP 3 source expressions a frame-ancestors list may hold: a scheme (`https:`), or a host
# with an optional scheme, `*.` wildcard, port and path.
_FRAME_SOURCE = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.-]*:|(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:\*\.)?[A-Za-z0-9.-]+"
    r"(?::(?:[0-9]+|\*))?(?:/[^\s;,']*)?)"
)


def _frame_ancestors(value: str) -> None:
    """`'none'; script-src *` went into the header as it came: a `;` starts another directive
    of the policy, and browsers ignore a source they cannot read without a word."""
    sources = value.split()
    for source in sources:
        if source in ("*", "'self'") or _FRAME_SOURCE.fullmatch(source):
            continue
        if source == "'none'" and len(sources) == 1:
            continue
        raise ConfigError(
            "expected sites separated by spaces, such as https://news.example "
            f"https://*.news.example, or * or 'self' or 'none' (alone), got {source!r}"
        )


# Kombu's names for the two transports the project installs (py-amqp and redis).
BROKER_SCHEMES = ("amqp", "amqps", "pyamqp", "redis", "rediss", "sentinel")


def _broker(value: str) -> None:
    # Celery takes several URLs separated by ";" (failover). Only the scheme is echoed: the
    # rest may hold a password.
    for url in (u.strip() for u in value.split(";")):
        scheme, found, _ = url.partition("://")
        if not found or scheme.lower() not in BROKER_SCHEMES:
            raise ConfigError(
                f"expected amqp://… or redis://… (schemes: {', '.join(BROKER_SCHEMES)}), "
                f"got {scheme + '://…' if found else 'no scheme'}"
            )


PARSERS: dict[type, Callable[[str], Any]] = {
    bool: _bool,
    int: _int,
    float: _float,
    str: _str,
    Path: _path,
}


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    secret: bool = False
    group: str = "general"
    # The values a number may take (either end open where None): a negative batch, a similarity
    # of `nan` or `inf`, a summary cap of 0 were taken as they came and showed up as nonsense, or
    # a traceback, far from where they were set. Every number has both ends: a retry wait or a
    # lease of 1e300 seconds, or a rate of 10**20, was taken and crashed the first send (or
    # sign-up) with an OverflowError.
    minimum: float | None = None
    maximum: float | None = None
    # The words a text may be, in any case (stored upper-case): a log level of `LOUD` was taken
    # as it came and stopped every command with logging's traceback instead of naming it.
    choices: tuple[str, ...] = ()
    # Raises ConfigError when a text is not of its form. An unknown broker scheme, or a network
    # that is not one, was taken as it came and crashed the worker or the first fetch with a
    # traceback.
    check: Callable[[Any], None] | None = None

    def parse(self, raw: str) -> Any:
        try:
            value = PARSERS[self.type](raw)
        except ConfigError as exc:
            raise ConfigError(f"{self.name}: {exc}") from None
        if self.type in (int, float) and not self.allows(value):
            raise ConfigError(f"{self.name}: expected {self.range_text}, got {raw.strip()!r}")
        if self.choices:
            if value.upper() not in self.choices:
                raise ConfigError(f"{self.name}: expected {self.choices_text}, got {raw.strip()!r}")
            value = value.upper()
        if self.check is not None and value:
            try:
                self.check(value)
            except ConfigError as exc:
                raise ConfigError(f"{self.name}: {exc}") from None
        return value

    @property
    def choices_text(self) -> str:
        """The words a text may be: "DEBUG, INFO or ERROR"; "" when any."""
        *most, last = self.choices or ("",)
        return f"{', '.join(most)} or {last}" if most else last

    def allows(self, value: float) -> bool:
        return (
            math.isfinite(value)
            and (self.minimum is None or value >= self.minimum)
            and (self.maximum is None or value <= self.maximum)
        )

    @property
    def bounds_text(self) -> str:
        """The values a number may take, in words: "0 to 1", "1 or more"; "" when any."""
        low, high = (_plain(v) for v in (self.minimum, self.maximum))
        if low is not None and high is not None:
            return f"{low} to {high}"
        if low is not None:
            return f"{low} or more"
        return f"{high} or less" if high is not None else ""

    @property
    def range_text(self) -> str:
        """What the number may be: "a number from 0 to 1", "a whole number, 1 or more"."""
        kind = "a whole number" if self.type is int else "a finite number"
        bounds = self.bounds_text
        if self.minimum is not None and self.maximum is not None:
            return f"{kind} from {bounds}"
        return f"{kind}, {bounds}" if bounds else kind

    @property
    def default_text(self) -> str:
        if self.default is None:
            return "(unset)"
        if self.secret:
            return "(generated)"
        return str(self.default)


# What HEADLINES_SQLITE_SYNCHRONOUS may be, its default first (`database.sqlite_pragmas` sets it
# on each connection).
SQLITE_SYNCHRONOUS = ("NORMAL", "FULL")

SETTINGS: tuple[Setting, ...] = (
    # --- the ones PRODUCT.md names ------------------------------------------------------------
    Setting(
        "HEADLINES_DATA_DIR",
        Path,
        Path("./var"),
        "Folder for the SQLite database, the secret key and other local state.",
    ),
    Setting(
        "HEADLINES_DATABASE_URL",
        str,
        None,
        "Database URL. Unset: SQLite (WAL) at DATA_DIR/headlines.sqlite3. "
        "`postgresql://user:pass@host:5432/name` for PostgreSQL; options after `?` go to libpq "
        "(`sslmode=require`, `connect_timeout=5`), except `server_side_binding` (true or false, "
        "default true) and `prepare_threshold` (a count or `none`, default 5), which decide "
        'whether statements are prepared (see "PostgreSQL connections").',
        group="database",
    ),
    Setting(
        "HEADLINES_SQLITE_SYNCHRONOUS",
        str,
        SQLITE_SYNCHRONOUS[0],
        "SQLite only: NORMAL (WAL synced at each checkpoint: a process that dies loses no "
        "committed transaction, a power cut or kernel crash those since the last checkpoint) or "
        "FULL (synced at every commit: nothing lost then either, at an fsync a commit taken under "
        'SQLite\'s single write lock; see "Durability on SQLite").',
        group="database",
        choices=SQLITE_SYNCHRONOUS,
    ),
    Setting(
        "HEADLINES_BROKER_URL",
        str,
        None,
        "Unset: the embedded worker and scheduler (their own process in `headlines run`). "
        "`amqp://…` or `redis://…`: Celery workers (`headlines worker`) and `headlines scheduler`.",
        group="jobs",
        check=_broker,
    ),
    Setting(
        "HEADLINES_SMTP_URL",
        str,
        None,
        "Unset: every email goes to the built-in outbox (readable in the admin). "
        "`smtp://host:port`, `smtp+starttls://user:pass@host:587`, `smtps://user:pass@host:465`; "
        "several, comma-separated, for failover in that order.",
        secret=True,
        check=_smtp_urls,
        group="mail",
    ),
    Setting(
        "HEADLINES_BASE_URL",
        str,
        "http://127.0.0.1:8000",
        "Public URL of the web service (a path may follow the host; no query or fragment), "
        "used in every link of every email. Unset, `headlines run` links to its own --host "
        "and --port, and other processes (`digest build`, `send`, `worker`) to this default, "
        "with a note on stderr: set it for every process. An http:// one (other than "
        "loopback) is warned of at start-up (headlines.W002): RFC 8058 one-click unsubscribe "
        "needs https://.",
        check=_public_url,
    ),
    Setting(
        "HEADLINES_SECRET_KEY",
        str,
        None,
        "Key for signed links and CSRF. Unset: generated once into DATA_DIR/secret_key (with "
        "HEADLINES_BROKER_URL set, warned of at start-up, headlines.W003: set one value on "
        "every machine). Set: 50 or more random characters; a shorter or default-looking one "
        "(`changeme`) is warned of at start-up (headlines.W001).",
        secret=True,
    ),
    Setting(
        "HEADLINES_DKIM_SELECTOR",
        str,
        None,
        "DKIM selector (the `s=` tag); signing is on when this and the key file are set, and "
        "one set without the other is a configuration error.",
        group="mail",
        check=_dkim_selector,
    ),
    Setting(
        "HEADLINES_DKIM_KEY_FILE",
        Path,
        None,
        "PEM private key (RSA-2048 or Ed25519) used to DKIM-sign every message; checked at start.",
        group="mail",
        check=_dkim_key_file,
    ),
    # --- ours -----------------------------------------------------------------------------------
    Setting("HEADLINES_DEBUG", bool, False, "Django debug pages. Never on in production."),
    Setting(
        "HEADLINES_ALLOWED_HOSTS",
        str,
        "*",
        "Comma-separated host names the web service answers to.",
    ),
    Setting(
        "HEADLINES_LOG_LEVEL",
        str,
        "INFO",
        "Logging level (in any case).",
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
    ),
    Setting(
        "HEADLINES_MAIL_FROM",
        str,
        "Evening Headlines <headlines@localhost>",
        (
            "From address of the emails (digests and sign-up emails alike) of editions that set "
            "none; they show the edition's sender name, else its name."
        ),
        group="mail",
        check=_mail_address,
    ),
    Setting(
        "HEADLINES_BOUNCE_DOMAIN",
        str,
        None,
        "Domain of the VERP Return-Path (`bounce+<token>@domain`). Unset: the From domain.",
        group="mail",
        check=_domain,
    ),
    Setting(
        "HEADLINES_EMAIL_CHECK_DNS",
        bool,
        False,
        "Check that a sign-up address's domain accepts mail (DNS). When DNS cannot be "
        "reached the address is accepted on its syntax alone.",
        group="subscriptions",
    ),
    Setting(
        "HEADLINES_CONFIRM_MAX_AGE_DAYS",
        int,
        7,
        "Days a confirmation link stays valid; an expired link's page offers to send a new one.",
        group="subscriptions",
        minimum=1,
        maximum=365,
    ),
    Setting(
        "HEADLINES_SIGNUP_RATE_PER_IP",
        int,
        20,
        "Sign-ups accepted per client IP per hour.",
        group="subscriptions",
        minimum=1,
        maximum=1_000_000,
    ),
    Setting(
        "HEADLINES_SIGNUP_RATE_PER_ADDRESS",
        int,
        3,
        "Sign-ups accepted per email address per hour.",
        group="subscriptions",
        minimum=1,
        maximum=1_000_000,
    ),
    Setting(
        "HEADLINES_WEB_PROCESSES",
        int,
        0,
        "Web processes of `headlines run` (0: one per CPU core). Each serves on its own "
        "threads (`--threads`) from the one listening socket; `--processes` overrides this.",
        group="jobs",
        minimum=0,
        maximum=64,
    ),
    Setting(
        "HEADLINES_WEB_KEEPALIVE_REQUESTS",
        int,
        20,
        "Requests `headlines run` serves on one keep-alive connection before closing it (0: "
        "never). Connections opened in one burst can all land on one web process; closed "
        "after a while, their clients reconnect to whichever process has time.",
        group="jobs",
        minimum=0,
        maximum=1_000_000,
    ),
    Setting(
        "HEADLINES_WORKER_NICE",
        int,
        10,
        "How much lower the CPU priority of `headlines run`'s worker process is than its web "
        "processes' (os.nice; 0: the same): under a sign-up spike the requests get the CPU and "
        "the queued emails drain right after.",
        group="jobs",
        minimum=-20,
        maximum=19,
    ),
    Setting(
        "HEADLINES_WORKER_THREADS",
        int,
        4,
        "Threads of the embedded worker (embedded tier only); one is always kept for short "
        "jobs such as confirmation emails, a second takes a due long job (sends, ingest, "
        "builds, housekeeping) before short ones, the others take short ones first; with 1, "
        "the one thread takes each kind first in turn.",
        group="jobs",
        minimum=1,
        maximum=256,
    ),
    Setting(
        "HEADLINES_JOB_BATCH",
        int,
        10,
        "Short jobs an embedded worker thread claims at once, marked done together, or every "
        "tenth of a second when they are slow. Also the most that can run twice per thread "
        "when the process is killed (the in-flight window): with slow jobs, the one in hand.",
        group="jobs",
        minimum=1,
        maximum=10000,
    ),
    Setting(
        "HEADLINES_JOB_LEASE_SECONDS",
        int,
        30,
        "How long a claimed job stays with its worker without a heartbeat; a job whose worker "
        "died runs again after this.",
        group="jobs",
        minimum=1,
        maximum=86400,
    ),
    Setting(
        "HEADLINES_JOB_POLL_SECONDS",
        float,
        1.0,
        "How often the embedded worker looks for due jobs when nothing woke it (retries, jobs "
        "queued by other processes). Jobs queued in the same process wake it at once.",
        group="jobs",
        minimum=0.01,
        maximum=3600,
    ),
    Setting(
        "HEADLINES_JOB_MAX_ATTEMPTS",
        int,
        5,
        "Tries before a failing job is marked failed (visible in the admin, with its error); "
        "the wait between tries doubles from 5 s up to an hour.",
        group="jobs",
        minimum=1,
        maximum=1000,
    ),
    Setting(
        "HEADLINES_SCHEDULER_TICK_SECONDS",
        int,
        30,
        "Seconds between scheduler ticks.",
        group="jobs",
        minimum=1,
        maximum=3600,
    ),
    Setting(
        "HEADLINES_HTTP_USER_AGENT",
        str,
        # The version is the running one: a publisher reading its logs (or writing robots.txt
        # rules) sees which release asked, not a number typed once and left behind.
        f"EveningHeadlines/{__version__} (+https://github.com/evening-headlines; "
        "news digest fetcher)",
        "User-Agent sent when fetching sources.",
        group="intake",
    ),
    Setting(
        "HEADLINES_SEND_WINDOW_HOURS",
        float,
        3.0,
        "Hours after a reader's send time a digest may still go out; later is skipped and "
        "reported, never sent at night.",
        group="delivery",
        minimum=0,
        maximum=24,
    ),
    # --- stories and digests --------------------------------------------------------------------
    Setting(
        "HEADLINES_STORY_SIMILARITY",
        float,
        0.22,
        "Similarity at which two articles tell the same story: the cosine of TF-IDF of the "
        "whole text's words, of the title and lead's words and of the names and numbers, in "
        "each article's language, or, in a window of 200 articles or more, a learned pair "
        "scorer's probability (0.55 counts as 0.26, so 0.22 is a probability of 0.47), "
        "whichever is higher; reports naming different weekdays, or naming people and places "
        "none of which they share, count half; in a window of fewer than 200, two texts "
        "published within a day of each other are linked at 86 % of it, and where those guards "
        "speak count a quarter (chosen on half of the public clustering-dev stories, see "
        "docs/benchmarks.md; higher splits more).",
        group="stories",
        minimum=0,
        maximum=1,
    ),
    Setting(
        "HEADLINES_STORY_EMBEDDING_WEIGHT",
        float,
        0.35,
        "In a window of headlines (a dump of titles without texts), share of the similarity "
        "from the sentence embedding (all-MiniLM-L6-v2, run in numpy) of each English title, "
        "made once per article and stored; 0 turns it off. The pair scorers were fitted at "
        "the default. Windows of articles with their texts are clustered on words. Without "
        "the model package (requirements/model.txt) headlines are clustered on words alone.",
        group="stories",
        minimum=0,
        maximum=0.95,
    ),
    Setting(
        "HEADLINES_STORY_STATIC_WEIGHT",
        float,
        0.0,
        "Share of the similarity from a static word-piece embedding of the same model (its word "
        "pieces' vectors, IDF-weighted over an English article's title and lead; microseconds "
        "per article; left out in windows of under 20 English articles). Its table is made once "
        "from the model package (about 10 s of CPU) into DATA_DIR/models; 0 turns it off "
        "(off by default: no general gain on clustering-dev, see docs/benchmarks.md).",
        group="stories",
        minimum=0,
        maximum=0.95,
    ),
    Setting(
        "HEADLINES_STORY_CONTINUATION_SIMILARITY",
        float,
        0.75,
        "Cosine at which a story continues one of the previous days' stories, over its "
        "articles' titles and leads with names and numbers counted twice (chosen on the "
        "two-day digest benchmark; lower links more).",
        group="stories",
        minimum=0,
        maximum=1,
    ),
    Setting(
        "HEADLINES_STORY_LOOKBACK_DAYS",
        int,
        3,
        "Days back a story may continue from.",
        group="stories",
        minimum=0,
        maximum=60,
    ),
    Setting(
        "HEADLINES_SUMMARY_MAX_CHARS",
        int,
        320,
        "Length cap of a story summary; it always ends on a whole sentence.",
        group="stories",
        minimum=40,
        maximum=10000,
    ),
    Setting(
        "HEADLINES_SUMMARY_MODEL",
        str,
        None,
        "Optional stronger summariser, `package.module:factory` returning an object with "
        "`summarise(*, headline, texts, max_chars) -> str | None`. Unset: extractive, lead-based. "
        "Nothing is downloaded; the package must already be installed.",
        group="stories",
        check=_factory,
    ),
    Setting(
        "HEADLINES_DIGEST_WINDOW_HOURS",
        float,
        24.0,
        "Hours of articles before an edition's send time that go into its digest.",
        group="digests",
        minimum=1,
        maximum=168,
    ),
)

SETTINGS += (
    # --- subscriptions (sign-up) -------------------------------------------------------------
    Setting(
        "HEADLINES_WIDGET_FRAME_ANCESTORS",
        str,
        "*",
        "Sites allowed to embed the sign-up widget in a frame (CSP frame-ancestors), "
        "space-separated, e.g. `https://news.example https://*.news.example`; `*` allows any.",
        group="subscriptions",
        check=_frame_ancestors,
    ),
    Setting(
        "HEADLINES_WIDGET_FORM_MAX_AGE_HOURS",
        int,
        12,
        "Hours a sign-up widget form stays valid after the page loaded it (its anti-forgery "
        "token); an older form is shown again, fresh, with what the reader typed.",
        group="subscriptions",
        minimum=1,
        maximum=8760,
    ),
    Setting(
        "HEADLINES_TRUSTED_PROXIES",
        int,
        0,
        "Reverse proxies in front of the web service. 0: the client IP (for rate limits and "
        "the consent ledger's IP hash) is the connection's address; N: the Nth address from "
        "the right of X-Forwarded-For (`headlines run` tells waitress to trust that header).",
        group="subscriptions",
        minimum=0,
        maximum=16,
    ),
    # --- staff (the admin's sign-in) -------------------------------------------------------------
    Setting(
        "HEADLINES_STAFF_LOGIN_FAILURES_PER_USER",
        int,
        10,
        "Failed staff sign-ins for one username, from any address, within "
        "HEADLINES_STAFF_LOGIN_WINDOW_MINUTES after which that username is refused, even with "
        "the right password, until the oldest of them leaves the window.",
        group="staff",
        minimum=1,
        maximum=10000,
    ),
    Setting(
        "HEADLINES_STAFF_LOGIN_FAILURES_PER_ADDRESS",
        int,
        30,
        "Failed staff sign-ins from one client address, for any usernames, within the window "
        "after which that address is refused (the address as HEADLINES_TRUSTED_PROXIES says).",
        group="staff",
        minimum=1,
        maximum=10000,
    ),
    Setting(
        "HEADLINES_STAFF_LOGIN_WINDOW_MINUTES",
        int,
        15,
        "The sliding window, in minutes, in which failed staff sign-ins are counted.",
        group="staff",
        minimum=1,
        maximum=1440,
    ),
    # --- delivery -------------------------------------------------------------------------------
    Setting(
        "HEADLINES_DELIVERY_BATCH",
        int,
        200,
        "Deliveries a sender claims under one lease.",
        group="delivery",
        minimum=1,
        maximum=100000,
    ),
    Setting(
        "HEADLINES_DELIVERY_LEASE_SECONDS",
        int,
        20,
        "How long a claimed batch stays with its sender without a heartbeat (renewed every "
        "quarter of it while the sender works); a dead sender's rows return to the queue after "
        "this.",
        group="delivery",
        minimum=1,
        maximum=86400,
    ),
    Setting(
        "HEADLINES_DELIVERY_THREADS",
        int,
        4,
        "Sender threads per process (each holds its own SMTP connection).",
        group="delivery",
        minimum=1,
        maximum=256,
    ),
    Setting(
        "HEADLINES_DELIVERY_FLUSH",
        int,
        50,
        "A sender thread writes relay replies to the ledger after this many messages, or a "
        "tenth of a second, whichever comes first (each one is in the sender's journal at "
        "once, so a killed sender's successor on the same machine sends none of them again; "
        "elsewhere, per thread, the most a killed sender can send twice). The audience is read "
        "again every this many messages.",
        group="delivery",
        minimum=1,
        maximum=100000,
    ),
    Setting(
        "HEADLINES_RETRY_BASE_SECONDS",
        float,
        60.0,
        "First wait after a temporary failure (4xx, dropped connection); doubles each attempt.",
        group="delivery",
        minimum=0,
        maximum=86400,
    ),
    Setting(
        "HEADLINES_RETRY_MAX_SECONDS",
        float,
        1800.0,
        "Longest wait between two attempts at one delivery.",
        group="delivery",
        minimum=0,
        maximum=86400,
    ),
    Setting(
        "HEADLINES_SOFT_BOUNCE_LIMIT",
        int,
        3,
        "Soft bounces within 30 days after which an address is suppressed; a digest counts once, "
        "the sign-up emails once together.",
        group="delivery",
        minimum=1,
        maximum=1000,
    ),
    Setting(
        "HEADLINES_BOUNCE_LISTEN",
        str,
        "127.0.0.1:2525",
        "host:port of `headlines bounces serve`, the SMTP endpoint of the bounce domain.",
        group="delivery",
        check=_host_port,
    ),
    Setting(
        "HEADLINES_CELERY_QUEUE",
        str,
        "headlines",
        "Broker queue the Celery tier's jobs go through (one per installation sharing a broker).",
        group="jobs",
    ),
    Setting(
        "HEADLINES_BOUNCE_IMAP_URL",
        str,
        None,
        "`imaps://user:pass@host/INBOX` mailbox that `headlines bounces poll` reads bounces from.",
        secret=True,
        group="delivery",
    ),
    # --- intake (issue 3) -----------------------------------------------------------------------
    Setting(
        "HEADLINES_INTAKE_CONNECT_TIMEOUT",
        float,
        5.0,
        "Seconds to wait for a source's host name to be looked up, and for its server to accept "
        "a connection.",
        group="intake",
        minimum=0.1,
        maximum=600,
    ),
    Setting(
        "HEADLINES_INTAKE_READ_TIMEOUT",
        float,
        15.0,
        "Seconds to wait for each read from a source's server; also bounds a whole response "
        "at four times this.",
        group="intake",
        minimum=0.1,
        maximum=600,
    ),
    Setting(
        "HEADLINES_INTAKE_MAX_BYTES",
        int,
        5_000_000,
        "Largest response body read from a source; larger ones fail with a clear reason.",
        group="intake",
        minimum=1000,
        maximum=1_000_000_000,
    ),
    Setting(
        "HEADLINES_INTAKE_MAX_REDIRECTS",
        int,
        5,
        "Redirects followed per request (each hop is checked against the address rules).",
        group="intake",
        minimum=0,
        maximum=50,
    ),
    Setting(
        "HEADLINES_INTAKE_RETRIES",
        int,
        2,
        "Retries after a timeout, a dropped connection, 429 or 5xx, with exponential backoff.",
        group="intake",
        minimum=0,
        maximum=20,
    ),
    Setting(
        "HEADLINES_INTAKE_BACKOFF_SECONDS",
        float,
        1.0,
        "First retry delay; doubles on each retry. A Retry-After up to 60 s is waited out; a "
        "longer one (up to a week) ends the fetch and the scheduler waits it out.",
        group="intake",
        minimum=0,
        maximum=600,
    ),
    Setting(
        "HEADLINES_INTAKE_HOST_CONCURRENCY",
        int,
        2,
        "Requests in flight at once to any one host.",
        group="intake",
        minimum=1,
        maximum=64,
    ),
    Setting(
        "HEADLINES_INTAKE_HOST_DELAY_SECONDS",
        float,
        1.0,
        "Least time between the starts of two requests to the same host.",
        group="intake",
        minimum=0,
        maximum=600,
    ),
    Setting(
        "HEADLINES_INTAKE_CONCURRENCY",
        int,
        4,
        "Article pages fetched at once during one ingest (across hosts).",
        group="intake",
        minimum=1,
        maximum=256,
    ),
    Setting(
        "HEADLINES_INTAKE_RESPECT_ROBOTS",
        bool,
        True,
        "Obey robots.txt (RFC 9309) for our User-Agent.",
        group="intake",
    ),
    Setting(
        "HEADLINES_INTAKE_ALLOW_NETWORKS",
        str,
        "",
        "Comma-separated CIDR networks fetched even though private (e.g. an internal feed "
        "server). Sources marked local may use any address.",
        group="intake",
        check=_networks,
    ),
    Setting(
        "HEADLINES_INTAKE_MAX_ITEMS",
        int,
        100,
        "Most new article pages fetched from one feed or sitemap per ingest; the next run "
        "fetches the rest, and the run's report says how many it held back.",
        group="intake",
        minimum=1,
        maximum=100_000,
    ),
    Setting(
        "HEADLINES_INTAKE_DEDUP_WINDOW_DAYS",
        int,
        7,
        "Days of stored articles the near-duplicate index is rebuilt from.",
        group="intake",
        minimum=0,
        maximum=3650,
    ),
    Setting(
        "HEADLINES_INTAKE_NEAR_DUPLICATE_THRESHOLD",
        float,
        0.8,
        "Estimated Jaccard similarity of word shingles above which two texts are duplicates.",
        group="intake",
        minimum=0.01,
        maximum=1,
    ),
    Setting(
        "HEADLINES_INTAKE_REPEATED_LINE_MIN",
        int,
        3,
        "A short line seen in this many articles of one source is page furniture and scrubbed.",
        group="intake",
        minimum=2,
        maximum=1_000_000,
    ),
)

SETTINGS += (
    # --- integrations: API, webhooks, engagement (issue 14) -----------------------------------
    Setting(
        "HEADLINES_API_RATE_PER_MINUTE",
        int,
        120,
        "Requests one API token may make per minute; more get 429 with Retry-After.",
        group="api",
        minimum=1,
        maximum=1_000_000,
    ),
    Setting(
        "HEADLINES_WEBHOOK_TIMEOUT_SECONDS",
        float,
        10.0,
        "Seconds a webhook receiver has to answer one delivery.",
        group="api",
        minimum=0.1,
        maximum=600,
    ),
    Setting(
        "HEADLINES_WEBHOOK_RETRY_BASE_SECONDS",
        float,
        30.0,
        "First wait after a failed webhook delivery; doubles each attempt (at most an hour).",
        group="api",
        minimum=0,
        maximum=3600,
    ),
    Setting(
        "HEADLINES_WEBHOOK_RETRY_HOURS",
        float,
        24.0,
        "Hours a webhook message is retried; then it fails, and so does its endpoint, which is "
        "disabled with a notice in the admin.",
        group="api",
        minimum=0,
        maximum=8760,
    ),
    Setting(
        "HEADLINES_WEBHOOK_KEEP_DAYS",
        float,
        30.0,
        "Days a delivered or failed webhook message is kept (for staff to look at); then it is "
        "deleted, and with it the reader's address its payload names.",
        group="api",
        minimum=1,
        maximum=3650,
    ),
    Setting(
        "HEADLINES_WEBHOOK_ALLOW_PRIVATE",
        bool,
        False,
        "Let webhooks reach private and loopback addresses (tests, an internal CRM). Off: "
        "they follow the same address rules as source fetching.",
        group="api",
    ),
    Setting(
        "HEADLINES_CLICK_SCANNER_LINKS",
        int,
        3,
        "Different links of one digest opened from one address within "
        "HEADLINES_CLICK_SCANNER_SECONDS that mark a link scanner: none of them are counted.",
        group="api",
        minimum=1,
        maximum=1000,
    ),
    Setting(
        "HEADLINES_CLICK_SCANNER_SECONDS",
        float,
        10.0,
        "The burst window of the link-scanner rule.",
        group="api",
        minimum=0,
        maximum=3600,
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def read_dotenv(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines; `#` comments, `export ` prefixes and simple quotes allowed.

    No file there is nothing to read (`_dotenv_path` refuses a missing file that was named;
    tests name `os.devnull` to read none). A folder there,
    or a file that cannot be read, was passed over without a word and the defaults ran instead;
    one that was not UTF-8 stopped every command with a traceback."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM, as Windows editors write one
    except OSError as exc:
        reason = "it is a folder, not a file" if path.is_dir() else exc.strerror
        raise ConfigError(f"{path}: cannot read the settings file: {reason}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: expected UTF-8 text, byte {exc.start + 1} is not") from None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def given(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether the environment or `.env` sets `name`, as `load` reads them (empty is unset): a
    setting left at its default may be chosen for the user (`headlines run`'s links)."""
    env = dict(os.environ if environ is None else environ)
    return _raw(name, env, read_dotenv(_dotenv_path(env))) not in (None, "")


def _dotenv_path(env: Mapping[str, str]) -> Path:
    """`.env` in the working folder, read when it is there; a file HEADLINES_ENV_FILE names
    must be there: a misspelt path ran every command on the defaults without a word."""
    named = env.get("HEADLINES_ENV_FILE", "")
    if not named:
        return Path(".env")
    path = Path(named)
    if not path.exists():
        raise ConfigError(f"HEADLINES_ENV_FILE names {path}, and there is no such file")
    return path


def _raw(name: str, env: Mapping[str, str], file_values: Mapping[str, str]) -> str | None:
    """The environment wins over `.env`."""
    return env.get(name, file_values.get(name))


def unknown_in_file(names: Iterable[str]) -> list[str]:
    """What to tell about the HEADLINES_ names of `.env` (or of the environment) that are no
    setting: a misspelt one (`HEADLINES_SMPT_URL`) was passed over without a word and its
    default ran instead."""
    said = []
    for key in names:
        if (
            key.startswith("HEADLINES_")
            and key not in BY_NAME
            and key not in NOT_SETTINGS
            and not key.startswith(NOT_SETTINGS_PREFIXES)
        ):
            near = difflib.get_close_matches(key, BY_NAME, n=1, cutoff=0.8)
            hint = f" (did you mean {near[0]}?)" if near else ""
            said.append(f"{key} is no setting and is not read{hint}")
    return said


# Read from the environment by the tests, benchmarks and this module, not settings.
NOT_SETTINGS = frozenset({"HEADLINES_ENV_FILE", "HEADLINES_SHARED_DATA"})
NOT_SETTINGS_PREFIXES = ("HEADLINES_TEST_", "HEADLINES_BENCH_")


def load(environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> dict[str, Any]:
    """Resolve every setting: the environment wins over `.env`, which wins over defaults."""
    env = dict(os.environ if environ is None else environ)
    path = dotenv if dotenv is not None else _dotenv_path(env)
    file_values = read_dotenv(path)
    for said in unknown_in_file(file_values):
        print(f"warning: {path}: {said}", file=sys.stderr)
    for said in unknown_in_file(key for key in env if key not in file_values):
        print(f"warning: the environment: {said}", file=sys.stderr)
    resolved: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = _raw(setting.name, env, file_values)
        resolved[setting.name] = setting.default if raw in (None, "") else setting.parse(raw)
    dkim = ("HEADLINES_DKIM_SELECTOR", "HEADLINES_DKIM_KEY_FILE")
    if bool(resolved[dkim[0]]) != bool(resolved[dkim[1]]):
        # Half of the pair left every message unsigned without a word.
        given, missing = dkim if resolved[dkim[0]] else dkim[::-1]
        raise ConfigError(f"{given} is set but {missing} is not: DKIM signing needs both")
    shares = ("HEADLINES_STORY_EMBEDDING_WEIGHT", "HEADLINES_STORY_STATIC_WEIGHT")
    if sum(resolved[name] for name in shares) >= 1:
        raise ConfigError(f"{' + '.join(shares)} must leave a share to words (sum under 1)")
    return resolved
