"""The backups of docs/operations.md ("Backups"), taken and restored with the commands it gives."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import port_open, require
from tests.delivery.children import Installation, drop_postgres, fresh_postgres_url

# Its databases are made here, never the suite's: the PostgreSQL suite deselects it.
pytestmark = [pytest.mark.own_database, pytest.mark.postgres]

# What a later release adds: a table whose foreign key points at one of the backup's tables,
# as stories.0006_title_vectors' stories_titlevector points at intake_article.
LATER_RELEASE = """
CREATE TABLE later_release (
    subscription_id bigint REFERENCES subscriptions_subscription (id)
);
INSERT INTO later_release SELECT id FROM subscriptions_subscription;
UPDATE subscriptions_subscription SET status = 'unsubscribed';
"""
COUNT = (
    "SELECT (SELECT count(*) FROM subscriptions_subscription WHERE status = 'confirmed'), "
    "(SELECT count(*) FROM digests_digest)"
)


def psql(url: str, sql: str) -> str:
    done = subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_a_backup_taken_before_an_upgrade_restores_whole_as_documented(tmp_path: Path) -> None:
    # Going back after an upgrade with the restore the docs gave (`pg_restore --clean` over the
    # database in use) failed on the tables the upgrade had added and left a mix of both; the
    # next `headlines migrate` stopped on a table that "already exists".
    require(port_open("127.0.0.1", 5432), "PostgreSQL is not running on 127.0.0.1:5432")
    require(bool(shutil.which("pg_dump")), "pg_dump is not installed")
    live = fresh_postgres_url(migrated=True)
    restored = f"{live}_restored"
    try:
        site = Installation(tmp_path / "site", database_url=live)
        site.setup(readers=7)
        before = psql(live, COUNT)
        backup = tmp_path / "headlines.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={backup}", live], check=True, timeout=60
        )
        psql(live, LATER_RELEASE)  # the upgrade, and a day of work after it

        over_live = subprocess.run(
            ["pg_restore", "--clean", f"--dbname={live}", str(backup)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert over_live.returncode != 0 and "depend on it" in over_live.stderr

        psql(live, f'CREATE DATABASE "{restored.rsplit("/", 1)[1]}"')
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(backup)],
            check=True,
            timeout=60,
        )
        back = Installation(tmp_path / "restored", database_url=restored)
        back.run("migrate", "--noinput")
        assert psql(restored, COUNT) == before == "7|1"
        assert psql(restored, "SELECT to_regclass('later_release')") == ""
    finally:
        drop_postgres(restored)
        drop_postgres(live)
