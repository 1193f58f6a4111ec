"""The backups of docs/operations.md ("Backups"), taken and restored with the commands it gives."""

from __future__ import annotations

import resource
import shutil
import socket
import sqlite3
import stat
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.conftest import port_open, require
from tests.delivery.children import Installation, drop_postgres, fresh_postgres_url

# Tests marked own_database run installations in other processes on databases they make, never
# the suite's: the PostgreSQL suite deselects them.

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


@pytest.mark.own_database
@pytest.mark.postgres
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


def confirmed(database: Path) -> int:
    with closing(sqlite3.connect(database)) as db:
        query = "SELECT count(*) FROM subscriptions_subscription WHERE status = 'confirmed'"
        return int(db.execute(query).fetchone()[0])


@pytest.mark.own_database
def test_headlines_backup_copies_the_sqlite_database_while_a_writer_holds_it(
    tmp_path: Path,
) -> None:
    # Copying the file of a running service is unsafe (its WAL holds commits the file lacks);
    # `headlines backup` copies one committed snapshot, and the copy runs a service.
    site = Installation(tmp_path / "site")
    site.setup(readers=12)
    assert site.sqlite_path is not None
    backup = tmp_path / "backups" / "headlines.sqlite3"
    backup.parent.mkdir()
    with closing(sqlite3.connect(site.sqlite_path, isolation_level=None)) as writer:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("BEGIN IMMEDIATE")  # the service mid-transaction: the write lock held
        writer.execute("UPDATE subscriptions_subscription SET status = 'unsubscribed'")
        done = site.run("backup", str(backup), timeout=60)
        writer.execute("ROLLBACK")
    assert f"Backed up the database to {backup}" in done.stdout
    assert confirmed(backup) == 12, "the committed state, not the writer's half-done one"
    with closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list(backup.parent.glob(".*partial")), "no leftover beside it"

    restored = Installation(tmp_path / "restored")  # the same secret key, as the docs say
    restored.data_dir.mkdir()
    shutil.copy(backup, restored.data_dir / "headlines.sqlite3")
    exported = restored.run("subscribers", "export", "--edition", "e1").stdout
    assert [row.split(",")[3] for row in exported.splitlines()[1:]] == ["confirmed"] * 12


@pytest.mark.own_database
def test_headlines_backup_never_replaces_a_file(tmp_path: Path) -> None:
    site = Installation(tmp_path / "site")
    site.setup(readers=1)
    kept = tmp_path / "yesterday.sqlite3"
    kept.write_bytes(b"yesterday's backup")
    refused = subprocess.run(
        site.command("backup", str(kept)), env=site.env, capture_output=True, text=True
    )
    assert refused.returncode == 2 and "exists already" in refused.stderr
    assert kept.read_bytes() == b"yesterday's backup"
    missing = subprocess.run(
        site.command("backup", str(tmp_path / "no-such-folder" / "b.sqlite3")),
        env=site.env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "is not a folder" in missing.stderr


@pytest.mark.django_db
def test_headlines_backup_on_postgresql_points_at_pg_dump(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL suite's case")
    with pytest.raises(CommandError, match="pg_dump") as refused:
        call_command("backup", str(tmp_path / "b.sqlite3"))
    assert refused.value.returncode == 2
    assert not (tmp_path / "b.sqlite3").exists()


@pytest.mark.own_database
def test_headlines_backup_is_readable_by_its_owner_alone(tmp_path: Path) -> None:
    # The copy holds readers' addresses and webhooks' signing secrets; made under the usual
    # umask (022) it was 0644, readable by every account on the machine.
    site = Installation(tmp_path / "site")
    site.setup(readers=1)
    backup = tmp_path / "b.sqlite3"
    site.run("backup", str(backup))
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


@pytest.mark.own_database
def test_headlines_backup_without_a_database_says_so(tmp_path: Path) -> None:
    # Run where HEADLINES_DATA_DIR is not the service's (a cron job in another folder, the
    # default ./var): no database there was a traceback and exit 3, and an empty one that
    # another command had made was "backed up" with exit 0.
    site = Installation(tmp_path / "elsewhere")
    assert site.sqlite_path is not None
    backup = tmp_path / "b.sqlite3"
    for _ in range(2):
        refused = subprocess.run(
            site.command("backup", str(backup)), env=site.env, capture_output=True, text=True
        )
        assert refused.returncode == 2, refused.stderr
        assert f"there is no database at {site.sqlite_path} to back up" in refused.stderr
        assert not backup.exists() and not list(tmp_path.glob(".*partial"))
        sqlite3.connect(site.sqlite_path).close()  # an empty database, as another command makes
    site.migrate()
    site.run("backup", str(backup))  # once migrated, whatever else it holds
    assert backup.exists()


@pytest.mark.own_database
def test_headlines_backup_where_it_cannot_write_says_so(tmp_path: Path) -> None:
    site = Installation(tmp_path / "site")
    site.migrate()
    refused = subprocess.run(
        site.command("backup", "/proc/b.sqlite3"), env=site.env, capture_output=True, text=True
    )
    assert refused.returncode == 2 and "cannot write in /proc" in refused.stderr, refused.stderr


@pytest.mark.own_database
@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["migrate"], 0),
        (["migrate", "--plan"], 0),
        (["run", "--port", "PORT"], 2),  # the port taken: it stops once it has said so
        (["scheduler", "--once"], 2),  # a broker that refuses it: the same
    ],
)
def test_a_database_a_newer_release_migrated_is_warned_of(
    tmp_path: Path, args: list[str], status: int
) -> None:
    # A newer release's backup restored, or an upgrade gone back without restoring the one taken
    # before it: `headlines migrate` said only "No migrations to apply", and `headlines run`
    # started on a schema it did not know without a word.
    site = Installation(tmp_path / "site", HEADLINES_BROKER_URL="redis://127.0.0.1:6379/99")
    site.migrate()
    assert site.sqlite_path is not None
    with closing(sqlite3.connect(site.sqlite_path)) as db, db:
        db.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('core', '9999_from_a_newer_release', '2027-01-01')"
        )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        args = [str(taken.getsockname()[1]) if a == "PORT" else a for a in args]
        done = subprocess.run(
            site.command(*args), env=site.env, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == status, done.stderr
    said = " ".join(done.stderr.split())
    assert (
        "was migrated by a newer release of Evening Headlines (core.9999_from_a_newer_release"
        in said
    )
    assert "restore the backup taken before the upgrade" in said and "headlines.W004" in said


@pytest.mark.own_database
def test_headlines_run_says_which_migration_failed_and_keeps_the_ones_before(
    tmp_path: Path,
) -> None:
    # `headlines run` migrates at start; when a migration failed it said the database was "not
    # set up for this release yet: run `headlines migrate` first (or `headlines run`, which
    # migrates)", the very command that had failed.
    site = Installation(tmp_path / "site")
    site.migrate()
    assert site.sqlite_path is not None
    site.run("migrate", "core", "0007")
    with closing(sqlite3.connect(site.sqlite_path)) as db, db:
        db.execute("CREATE INDEX job_kind ON core_job (id)")  # the name 0009 gives its index
    with socket.socket() as taken:  # were it to start, it would stop at once
        taken.bind(("127.0.0.1", 0))
        done = subprocess.run(
            site.command("run", "--port", str(taken.getsockname()[1])),
            env=site.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2, done.stderr
    said = " ".join(done.stderr.split())
    assert (
        "migrating the database stopped at core.0009_admin_filter_indexes: index job_kind "
        "already exists" in said
    )
    assert "not set up" not in said and "Traceback" not in said
    shown = site.run("showmigrations", "core").stdout
    assert "[X] 0008_job_created_index" in shown and "[ ] 0009_admin_filter_indexes" in shown


@pytest.mark.own_database
def test_a_backup_that_fills_the_disk_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    # A full disk (here a file-size limit) was a traceback, exit 3, and left the copy's
    # rollback journal (.NAME.partial-journal) in the backups folder.
    site = Installation(tmp_path / "site")
    site.migrate()
    folder = tmp_path / "backups"
    folder.mkdir()
    small = 64 * 1024

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (small, small))

    refused = subprocess.run(
        site.command("backup", str(folder / "b.sqlite3")),
        env=site.env,
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size,
        timeout=120,
    )
    assert refused.returncode == 2, refused.stderr
    assert "the copy could not be made" in refused.stderr and "Traceback" not in refused.stderr
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("name", ["", " "])
def test_headlines_backup_to_an_empty_argument_names_it(name: str) -> None:
    # Path("") is the working folder: `headlines backup ""` said ". exists already".
    with pytest.raises(CommandError, match="an empty argument names no file") as caught:
        call_command("backup", name)
    assert caught.value.returncode == 2
