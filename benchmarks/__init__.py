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

    server, _, db = url.partition("?")[0].rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    return url
