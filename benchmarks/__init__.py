"""Benchmarks: `make bench` runs them all (python -m benchmarks)."""


def django_setup() -> None:
    """Django set up with the project's settings (those of the environment, if it names any)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headlines.settings")
    import django

    django.setup()


def fresh_postgres(url: str) -> str:
    """`url` (postgresql://…/name, options after `?` kept) with its database dropped and made
    again, empty: BENCH_DATABASE_URL for the benchmarks that run on PostgreSQL too."""
    import psycopg

    maintenance, db = _split(url)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    return url


def postgres_unanswered(url: str) -> str:
    """Why the PostgreSQL server of `url` does not answer within 3 s, or "" when it does."""
    import psycopg

    try:
        psycopg.connect(_split(url)[0], connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        return " ".join(str(exc).split())
    return ""


def _split(url: str) -> tuple[str, str]:
    """`url`'s server with its `postgres` database (to drop and make others from), and its own
    database's name."""
    server, _, db = url.partition("?")[0].rpartition("/")
    return f"{server}/postgres", db
