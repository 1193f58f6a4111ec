"""`headlines run` on a database other web machines share: their migrations do not collide."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import port_open, require
from tests.delivery.children import (
    Installation,
    answers,
    drop_postgres,
    free_port,
    fresh_postgres_url,
    listens,
)

# Its processes run on a database the test makes, never the suite's.
pytestmark = [pytest.mark.own_database, pytest.mark.postgres]


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, not migrated: a new installation, or one a release's
    migrations have not reached yet."""
    require(port_open("127.0.0.1", 5432), "PostgreSQL is not running on 127.0.0.1:5432")
    url = fresh_postgres_url()
    yield url
    drop_postgres(url)


def test_two_web_machines_starting_at_once_both_serve(
    tmp_path: Path, empty_postgres_url: str
) -> None:
    # The docs' distributed tier: `headlines run` on as many web machines as you like, each
    # migrating at start. Started together (replicas after an upgrade), both created
    # django_migrations at once and one stopped with "duplicate key value violates unique
    # constraint" dressed as "the database is not set up for this release yet".
    installs = [
        Installation(
            tmp_path / name, database_url=empty_postgres_url, HEADLINES_BROKER_URL="redis://x"
        )
        for name in ("web1", "web2")
    ]
    ports = [free_port(), free_port()]
    for install in installs:
        install.data_dir.mkdir()
    children = [
        install.popen("run", "--port", str(port), "--processes", "1")
        for install, port in zip(installs, ports, strict=True)
    ]
    try:
        deadline = time.monotonic() + 120
        serving = list(zip(children, ports, strict=True))
        while not all(answers(port) and listens(child.pid, port) for child, port in serving):
            for child, install in zip(children, installs, strict=True):
                assert child.poll() is None, install.log()
            assert time.monotonic() < deadline, [install.log() for install in installs]
            time.sleep(0.2)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=60)
    for install in installs:
        assert "Traceback" not in install.log() and "CommandError" not in install.log()
