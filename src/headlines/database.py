"""Turn HEADLINES_DATABASE_URL into a Django DATABASES entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, parse_qsl, unquote

from headlines.config import PARSERS, SQLITE_SYNCHRONOUS, ConfigError
from headlines.core import urls


def sqlite_pragmas(synchronous: str) -> str:
    """What each SQLite connection is set up with. WAL lets readers (the web) run while a worker
    writes. `synchronous` (HEADLINES_SQLITE_SYNCHRONOUS): NORMAL loses no committed transaction
    when a process dies, only those since the last checkpoint on a power cut; FULL syncs the
    WAL at every commit, so none then either, at an fsync a commit under the write lock
    (docs/operations.md, "Durability on SQLite")."""
    if synchronous not in SQLITE_SYNCHRONOUS:
        expected = " or ".join(SQLITE_SYNCHRONOUS)
        raise ConfigError(f"HEADLINES_SQLITE_SYNCHRONOUS: expected {expected}, got {synchronous!r}")
    return (
        "PRAGMA journal_mode=WAL;"
        f"PRAGMA synchronous={synchronous};"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA busy_timeout=20000;"
    )


def sqlite_database(path: Path, synchronous: str) -> dict[str, Any]:
    return {
        # Django's SQLite backend but for how BEGIN IMMEDIATE waits (core/sqlite/base.py).
        "ENGINE": "headlines.core.sqlite",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": sqlite_pragmas(synchronous),
            # Every atomic block takes the write lock at BEGIN, so two writers queue up on
            # busy_timeout instead of failing to upgrade a read lock ("database is locked").
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Kept open across requests (each web and worker thread holds one): opening a SQLite
        # connection and registering Django's functions on it cost more CPU than the widget's
        # whole GET (docs/benchmarks.md). Nothing is held between requests: outside a
        # transaction a connection keeps no lock and no snapshot.
        "CONN_MAX_AGE": None,
        # Tests get a file beside the real one, not Django's shared-cache in-memory database:
        # there a second writing thread fails at once ("table is locked") instead of waiting on
        # busy_timeout, so threaded tests would exercise a database the product never runs on.
        "TEST": {"NAME": str(path.with_name(f"{path.stem}-test{path.suffix}"))},
    }


def parse_database_url(
    url: str | None, data_dir: Path, sqlite_synchronous: str = SQLITE_SYNCHRONOUS[0]
) -> dict[str, Any]:
    """`sqlite_synchronous`: HEADLINES_SQLITE_SYNCHRONOUS (SQLite only)."""
    if not url:
        return sqlite_database(data_dir / "headlines.sqlite3", sqlite_synchronous)
    try:
        parts = urls.split(url)
    except ValueError as exc:  # the URL is not shown: it may hold the password
        raise ConfigError(f"HEADLINES_DATABASE_URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme in {"sqlite", "sqlite3"}:
        path = unquote(parts.path)
        if not path or path == "/":
            raise ConfigError("HEADLINES_DATABASE_URL: sqlite URL needs a path, sqlite:///var/db")
        # sqlite:///relative and sqlite:////absolute, as SQLAlchemy and dj-database-url read them.
        where = Path(path[1:] if path.startswith("/") else path)
        return sqlite_database(where, sqlite_synchronous)
    if scheme in {"postgres", "postgresql", "postgresql+psycopg", "pgsql"}:
        port = _port(parts)  # first: a `#` in a password also cuts off the database name
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError("HEADLINES_DATABASE_URL: PostgreSQL URL needs a database name")
        options = _postgres_options(parse_qsl(parts.query, keep_blank_values=True))
        return {
            "ENGINE": "headlines.core.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigError(
        f"HEADLINES_DATABASE_URL: unsupported scheme {scheme!r}; use sqlite:/// or postgresql://"
    )


def _port(parts: SplitResult) -> int | None:
    """The URL's port; `db:54x2` (or past 65535) stopped every command with a traceback."""
    try:
        return urls.port(parts, "HEADLINES_DATABASE_URL")
    except ValueError as refused:
        raise ConfigError(str(refused)) from None


# Options of a PostgreSQL URL that Django reads as Python values, not text: Django enables
# server-side binding only for `True`, and psycopg wants a number of runs (or None: never)
# before it prepares a statement. They are read as the settings are (`config.PARSERS`), but
# for `none` and for an empty value, which here is a mistake, not "the default". Every other
# option (sslmode, connect_timeout, …) goes to libpq as text.
TYPED: dict[str, type] = {"server_side_binding": bool, "prepare_threshold": int}
POSTGRES_DEFAULTS: dict[str, Any] = {
    # Each statement planned once per connection, then run prepared: PostgreSQL spends about a
    # quarter less CPU on a sign-up (docs/benchmarks.md, "Seventh pass"). Behind a pooler
    # that cannot keep prepared statements (PgBouncer's transaction pooling before 1.21), set
    # ?server_side_binding=false&prepare_threshold=none.
    "server_side_binding": True,
    "prepare_threshold": 5,
}


def _postgres_options(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    options: dict[str, Any] = dict(POSTGRES_DEFAULTS)
    for name, text in pairs:
        kind = TYPED.get(name)
        if kind is None:
            if text:  # `?sslmode=`: left to libpq's default
                options[name] = text
            continue
        if kind is int and text.strip().lower() == "none":
            options[name] = None
            continue
        try:
            if not text.strip():
                raise ConfigError(f"expected a value, got {text!r}")
            value = PARSERS[kind](text)
            if kind is int and value < 0:
                raise ConfigError(f"expected a count, got {text!r}")
        except ConfigError as exc:
            raise ConfigError(f"HEADLINES_DATABASE_URL: {name}: {exc}") from None
        options[name] = value
    return options
