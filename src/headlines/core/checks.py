"""Start-up checks of settings a public service must not run with (Django's system checks:
`headlines run` and `headlines check` print them before anything starts).

Warnings, not refusals: an installation that already runs with a weak key has sent links
signed with it, and refusing to start would stop every one of them working at the upgrade.
Off with HEADLINES_DEBUG, a developer's machine. A database a newer release has migrated
(headlines.W004) is warned of by `headlines migrate`, and by `headlines run`, `worker` and
`scheduler` at start (`core.command`): a release's migrations keep the one before it working
while it still serves, so it is no refusal either. A data folder's key or SQLite database
that other local accounts may read (headlines.W005: made so by a release before they were made
0600) is named with the `chmod` that mends it, and never changed unasked.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import stat
import urllib.parse
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader

# Django's own yardstick for a secret key (security.W009, `check --deploy`).
KEY_MIN_LENGTH = 50
KEY_MIN_DIFFERENT = 5
# Words people type when a key is asked for: found first in any guessing list.
KEY_DEFAULTS = frozenset(
    {"changeme", "change-me", "change_me", "secret", "secretkey", "secret-key", "password",
     "default", "test", "development", "insecure", "headlines", "xxx", "todo"}
)  # fmt: skip
GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def weak_key_reason(key: str) -> str | None:
    """Why `key` is guessable, in words that never repeat it; None when it is not."""
    if key.strip().lower() in KEY_DEFAULTS or key.startswith("django-insecure-"):
        return "is a well-known default"
    if len(key) < KEY_MIN_LENGTH:
        length = f"{len(key)} character{'s' if len(key) > 1 else ''}"
        return f"is {length} long (fewer than {KEY_MIN_LENGTH})"
    if len(set(key)) < KEY_MIN_DIFFERENT:
        return f"has {len(set(key))} different characters (fewer than {KEY_MIN_DIFFERENT})"
    return None


@checks.register(checks.Tags.security)
def secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG or not settings.CONFIG["HEADLINES_SECRET_KEY"]:
        return []  # unset: generated, 50 random bytes, into DATA_DIR/secret_key
    reason = weak_key_reason(str(settings.CONFIG["HEADLINES_SECRET_KEY"]))
    if reason is None:
        return []
    return [
        checks.Warning(
            f"HEADLINES_SECRET_KEY {reason}: whoever guesses it can forge the confirmation, "
            "unsubscribe and preferences links of any reader, and the CSRF tokens.",
            hint=f"Set 50 or more random characters (`{GENERATE}`), the same on every "
            "machine, or leave it unset to have one generated into DATA_DIR/secret_key. "
            "Links already sent stop working when the key changes.",
            id="headlines.W001",
        )
    ]


@checks.register(checks.Tags.security)
def shared_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The distributed tier without a key of its own: each machine's processes generate one
    into their data dir, and a link a worker on one signed is refused by the web on another
    ("This link is not valid"), with nothing to say why."""
    config = settings.CONFIG
    if settings.DEBUG or config["HEADLINES_SECRET_KEY"] or not config["HEADLINES_BROKER_URL"]:
        return []
    return [
        checks.Warning(
            "HEADLINES_SECRET_KEY is unset while HEADLINES_BROKER_URL is set: this process "
            f"signs links with the key generated into {settings.DATA_DIR}/secret_key, and a "
            "web process with another data dir (another machine) refuses the confirmation and "
            "unsubscribe links this one's emails carry.",
            hint="Set HEADLINES_SECRET_KEY to one value on every machine: the content of the "
            "web machine's DATA_DIR/secret_key keeps the links already sent working.",
            id="headlines.W003",
        )
    ]


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_port(parts: urllib.parse.SplitResult) -> str:
    """The URL's host and port, never a user or password it may hold."""
    return parts.netloc.rpartition("@")[2]


@checks.register(checks.Tags.security)
def base_url_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A public http:// base URL: RFC 8058 one-click unsubscribe needs an HTTPS target."""
    parts = urllib.parse.urlsplit(settings.BASE_URL)
    if settings.DEBUG or parts.scheme.lower() != "http" or _loopback(parts.hostname or ""):
        return []
    return [
        checks.Warning(
            f"HEADLINES_BASE_URL is http://{_host_port(parts)}: RFC 8058 one-click unsubscribe "
            "needs an https:// List-Unsubscribe URL, so mailbox providers show no one-click "
            "unsubscribe button for these emails, and readers' confirm, unsubscribe and "
            "preferences links (and the staff admin) travel unencrypted.",
            hint="Put the service behind a TLS-terminating proxy and set HEADLINES_BASE_URL "
            "to its https:// address.",
            id="headlines.W002",
        )
    ]


def newer_migrations(loader: MigrationLoader | None = None) -> list[str]:
    """The migrations the database has applied that this release does not have (of its own
    apps; a migration squashed into one it has is known): a newer release migrated it. Read
    with `loader` when the caller has one (each reads every migration file)."""
    loader = loader or MigrationLoader(connection, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    known.update(old for migration in loader.disk_migrations.values() for old in migration.replaces)
    applied = loader.applied_migrations or {}
    return sorted(
        f"{app}.{name}"
        for app, name in applied
        if app in loader.migrated_apps and (app, name) not in known
    )


def newer_release_text(names: list[str], *, database: str = "") -> str:
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    named = f"the database {database} " if database else "the database "
    return (
        f"{named}was migrated by a newer release of Evening Headlines ({shown}, which this "
        "release does not have): a release's migrations keep only the one before it working. "
        "To go back to this release, restore the backup taken before the upgrade "
        "(docs/operations.md, Upgrades)."
    )


@checks.register(checks.Tags.database)
def newer_release_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Run by `headlines migrate` (and `headlines check --database default`), which otherwise
    said only "No migrations to apply" on a database from a newer release."""
    if not kwargs.get("databases"):
        return []
    try:
        names = newer_migrations()
    except DatabaseError:
        return []  # a database it cannot open: the command says so itself
    return [checks.Warning(newer_release_text(names), id="headlines.W004")] if names else []


def exposed_data_files() -> list[tuple[Path, int]]:
    """The data folder's secret key and SQLite database (with its -wal and -shm) that group or
    others may read or write, each with its mode. Releases before these files were made 0600
    made them 0644 by the usual umask, and a file's mode does not change at an upgrade: every
    local account could read readers' addresses and the key that signs their links."""
    data_dir = Path(settings.DATA_DIR)
    names = [data_dir / "secret_key"]
    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    if "sqlite" in str(database.get("ENGINE", "")) and name and not name.startswith("file:"):
        path = Path(name)
        if name != ":memory:" and path.resolve().parent == data_dir.resolve():
            names += [path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")]
    exposed = []
    for path in names:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue  # not there (yet): made 0600 when it is
        if mode & 0o077:
            exposed.append((path, mode))
    return exposed


@checks.register(checks.Tags.security)
def data_file_modes_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG or os.name != "posix":
        return []
    exposed = exposed_data_files()
    if not exposed:
        return []
    shown = ", ".join(f"{path} ({mode:04o})" for path, mode in exposed)
    command = "chmod 600 " + " ".join(shlex.quote(str(path)) for path, _ in exposed)
    return [
        checks.Warning(
            f"the data folder's files are readable or writable by other local accounts: {shown}. "
            "The database holds readers' addresses and secret_key signs their links (an "
            "earlier release made them so; new installations make them 0600).",
            hint=f"Run `{command}` as the account the service runs as (docs/operations.md, "
            "Upgrades).",
            id="headlines.W005",
        )
    ]
