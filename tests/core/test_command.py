"""One exit-code convention for every command (0 done, 1 some inputs failed, 2 nothing done,
3 crashed), and other libraries' log lines only with --verbose."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from headlines import cli


def headlines(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "headlines", *args],
        capture_output=True,
        text=True,
        env={
            "HEADLINES_DATA_DIR": str(cwd / "var"),
            "HEADLINES_ENV_FILE": os.devnull,
            "HEADLINES_LOG_LEVEL": "INFO",
            "PATH": "/usr/bin:/bin",
        },
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize("name", cli.product_commands())
def test_bad_usage_exits_2_for_every_product_command(name: str, capsys) -> None:
    command = load_command_class(get_commands()[name], name)
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["headlines", name, "--no-such-option"])
    assert exited.value.code == 2
    assert f"headlines {name}: error:" in capsys.readouterr().err


def test_other_libraries_log_lines_reach_the_terminal_only_with_verbose(tmp_path: Path) -> None:
    # A page with no article: trafilatura logs about it, and we report it ourselves.
    (tmp_path / "empty.html").write_text("<html><body></body></html>")
    (tmp_path / "good.txt").write_text(
        "date 2025-02-04 The county will reopen the coastal path at Nethercombe next month "
        "after a landslip closed it for most of last year, rangers said on Tuesday.\n"
    )
    quiet = headlines("extract", "good.txt", "empty.html", cwd=tmp_path)
    assert quiet.returncode == 1, quiet.stderr  # done, one input failed
    assert quiet.stderr.splitlines()[0] == "failed: empty.html: no article text found"
    assert "trafilatura" not in quiet.stderr
    loud = headlines("extract", "good.txt", "empty.html", "--verbose", cwd=tmp_path)
    assert loud.returncode == 1
    assert "trafilatura" in loud.stderr
    assert "failed: empty.html: no article text found" in loud.stderr


def test_a_crash_exits_3_with_its_traceback(tmp_path: Path) -> None:
    done = headlines("shell", "-c", "raise RuntimeError('boom')", cwd=tmp_path)
    assert done.returncode == 3
    assert "RuntimeError: boom" in done.stderr and "crashed" in done.stderr


def test_output_cut_short_by_its_reader_stops_quietly(tmp_path: Path) -> None:
    # `headlines extract dumps/ | head`: head leaves after its lines, the pipe closes under the
    # rest of the output. That is no crash: no traceback, the status a shell gives a command
    # SIGPIPE ended.
    records = "".join(
        f"date 2025-02-{1 + n % 28:02d} Record {n}: the county council met on Tuesday to "
        "discuss the coastal path at Nethercombe, closed by a landslip, and the ferry "
        "timetable for the winter months, officials said after the meeting.\n"
        for n in range(600)
    )
    (tmp_path / "records.txt").write_text(records)  # its articles print well past a pipe's 64 KiB
    with subprocess.Popen(
        [sys.executable, "-m", "headlines", "extract", "records.txt"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={
            "HEADLINES_DATA_DIR": str(tmp_path / "var"),
            "HEADLINES_ENV_FILE": os.devnull,
            "PATH": "/usr/bin:/bin",
        },
        cwd=tmp_path,
    ) as done:
        assert done.stdout is not None and done.stderr is not None
        assert done.stdout.readline().startswith(b"# ")
        done.stdout.close()
        stderr = done.stderr.read().decode()
        assert done.wait(timeout=120) == cli.EXIT_OUTPUT_CLOSED == 141, stderr
    assert "Traceback" not in stderr and "crashed" not in stderr, stderr


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("HEADLINES_DATABASE_URL", "nosuch://x"),
        ("HEADLINES_LOG_LEVEL", "LOUD"),
        ("HEADLINES_BROKER_URL", "kafka://x"),
        ("HEADLINES_INTAKE_ALLOW_NETWORKS", "10.0.0.0/33"),
        # A port that is no number crashed start-up with urllib's traceback (exit 3).
        ("HEADLINES_DATABASE_URL", "postgresql://headlines:secret@db:54x2/headlines"),
        ("HEADLINES_SMTP_URL", "smtp://relay.internal:2x5"),
        ("HEADLINES_SMTP_URL", "smtp://relay.internal:25?rates=50"),
        # Taken, and `headlines send` crashed at its first deferral (OverflowError).
        ("HEADLINES_RETRY_BASE_SECONDS", "1e300"),
    ],
)
def test_a_configuration_error_exits_2(tmp_path: Path, name: str, raw: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "headlines", "edition", "list"],
        capture_output=True,
        text=True,
        env={"HEADLINES_DATA_DIR": str(tmp_path), name: raw},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"headlines: configuration error: {name}:"), done.stderr
    assert "Traceback" not in done.stderr and "secret" not in done.stderr


def test_a_dotenv_file_that_is_not_utf8_exits_2_naming_it(tmp_path: Path) -> None:
    # It stopped every command with a UnicodeDecodeError's traceback (exit 3, "crashed").
    (tmp_path / ".env").write_bytes(b"HEADLINES_MAIL_FROM=R\xe9daction <news@example.com>\n")
    done = subprocess.run(
        [sys.executable, "-m", "headlines", "edition", "list"],
        capture_output=True,
        text=True,
        env={"HEADLINES_DATA_DIR": str(tmp_path)},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("headlines: configuration error: .env: expected UTF-8 text")
    assert "Traceback" not in done.stderr


def test_the_system_checks_short_commands_skip_pass_and_run_starts_with_them() -> None:
    from django.core.management import call_command

    from headlines.staff.management.commands.run import Command as Run

    call_command("check", "--fail-level", "WARNING")  # raises SystemCheckError otherwise
    assert Run.requires_system_checks == "__all__"


@pytest.mark.parametrize(
    ("args", "verbosity"),
    [
        (["list"], 1),
        (["list", "--verbose"], 2),
        (["--verbose", "list"], 2),
        (["-v", "0", "list"], 0),
    ],
)
def test_verbose_goes_before_or_after_the_action(args: list[str], verbosity: int) -> None:
    parser = load_command_class("headlines.core", "edition").create_parser("headlines", "edition")
    assert parser.parse_args(args).verbosity == verbosity


def test_a_database_server_that_is_down_is_not_called_unmigrated(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://headlines:secret@127.0.0.1:{port}/headlines"
    done = subprocess.run(
        [sys.executable, "-m", "headlines", "edition", "list"],
        capture_output=True,
        text=True,
        env={"HEADLINES_DATA_DIR": str(tmp_path), "HEADLINES_DATABASE_URL": url},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot use the database (HEADLINES_DATABASE_URL)" in done.stderr
    assert "Connection refused" in done.stderr
    assert "migrate" not in done.stderr  # migrating cannot help a server that is down
    fresh = headlines("edition", "list", cwd=tmp_path)  # SQLite, never migrated: it can
    assert fresh.returncode == 2 and "run `headlines migrate` first" in fresh.stderr
    # Which database: run from another folder, the default data folder is a new one.
    assert f"the database {tmp_path / 'var' / 'headlines.sqlite3'} (in HEADLINES_DATA_DIR)" in (
        " ".join(fresh.stderr.split())
    )


@pytest.mark.parametrize("args", [["migrate"], ["migrate", "--plan"], ["run", "--port", "1"]])
def test_a_sqlite_file_that_is_no_database_is_named_not_a_crash(
    tmp_path: Path, args: list[str]
) -> None:
    # A restore of the wrong file (a random one, a pg_dump's, a truncated copy) into the data
    # folder: `headlines migrate`, Django's own, crashed (exit 3, a traceback), and every
    # command blamed HEADLINES_DATABASE_URL, which the embedded tier leaves unset.
    database = tmp_path / "var" / "headlines.sqlite3"
    database.parent.mkdir()
    database.write_bytes(b"PGDMP" + bytes(range(256)) * 64)
    done = headlines(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert (
        f"cannot use the database {database} (in HEADLINES_DATA_DIR): file is not a database"
        in (done.stderr)
    )
    assert "Traceback" not in done.stderr
    assert database.read_bytes().startswith(b"PGDMP"), "left as it was"


def test_django_commands_on_a_database_server_that_is_down_say_so(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run(
        [sys.executable, "-m", "headlines", "migrate"],
        capture_output=True,
        text=True,
        env={
            "HEADLINES_DATA_DIR": str(tmp_path),
            "HEADLINES_DATABASE_URL": f"postgresql://h:s@127.0.0.1:{port}/h",
            "HEADLINES_ENV_FILE": os.devnull,
        },
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot use the database (HEADLINES_DATABASE_URL)" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["edition", "list", "-v", "2"],
        ["source", "list", "--verbosity", "2"],
        ["webhook", "list", "--verbose"],
        ["topic", "-v", "2", "list"],
        ["subscribers", "export", "-v", "2"],
    ],
)
def test_verbosity_follows_an_action_as_it_precedes_it(args: list[str]) -> None:
    # docs/operations.md: add `--verbose` (or `-v 2`) to any command. `headlines edition list
    # -v 2` was "unrecognized arguments: -v 2".
    name, rest = args[0], args[1:]
    command = load_command_class(get_commands()[name], name)
    parsed = command.create_parser("headlines", name).parse_args(rest)
    assert parsed.verbosity == 2


@pytest.mark.parametrize("args", [["scheduler", "--once"], ["scheduler"], ["worker"]])
def test_the_distributed_tiers_processes_start_only_on_a_database_set_up_for_them(
    tmp_path: Path, args: list[str]
) -> None:
    # Started on a database never migrated, the scheduler logged eight tracebacks every tick
    # (`--once`: then "enqueued: …" and exit 0), and the worker took jobs it could only fail.
    from tests.delivery.children import Installation

    fresh = Installation(tmp_path, HEADLINES_BROKER_URL="redis://127.0.0.1:6379/15")
    done = subprocess.run(
        fresh.command(*args), env=fresh.env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "is not set up for this release yet: run `headlines migrate` first" in done.stderr
    assert "Traceback" not in done.stderr and "enqueued" not in done.stdout
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = subprocess.run(
        fresh.command(*args),
        env={**fresh.env, "HEADLINES_DATABASE_URL": f"postgresql://h:s@127.0.0.1:{port}/h"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert down.returncode == 2, down.stderr
    assert "cannot use the database (HEADLINES_DATABASE_URL)" in down.stderr
    assert "Traceback" not in down.stderr


REFUSING_BROKERS = [
    ("redis://127.0.0.1:6379/99", "DB index is out of range"),
    ("amqp://guest:not-the-password@127.0.0.1:5672//", "ACCESS_REFUSED"),
    ("amqp://guest:guest@127.0.0.1:5672/no-such-vhost", "vhost no-such-vhost not found"),
]


def _brokers_running() -> None:
    from tests.conftest import port_open, require

    for port, name in ((6379, "Redis"), (5672, "RabbitMQ")):
        require(port_open("127.0.0.1", port), f"{name} is not running on 127.0.0.1:{port}")


@pytest.mark.broker
@pytest.mark.parametrize(("url", "said"), REFUSING_BROKERS)
@pytest.mark.parametrize("args", [["scheduler", "--once"], ["worker"]])
def test_a_broker_that_refuses_stops_the_distributed_tiers_processes_at_once(
    tmp_path: Path, args: list[str], url: str, said: str
) -> None:
    # A Redis database the server does not have (`/99`), or a refused login: the worker tried
    # Celery's 100 times, a traceback each, and the scheduler warned at every tick.
    from tests.delivery.children import Installation

    _brokers_running()
    site = Installation(tmp_path, HEADLINES_BROKER_URL=url)
    site.migrate()
    done = subprocess.run(
        site.command(*args), env=site.env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert "the broker refused this process (HEADLINES_BROKER_URL)" in done.stderr
    assert said in done.stderr and "Traceback" not in done.stderr
    assert "not-the-password" not in done.stderr


@pytest.mark.broker
def test_a_broker_that_answers_or_is_not_up_yet_is_no_refusal() -> None:
    from headlines.core.command import broker_refusal

    _brokers_running()
    with socket.socket() as probe:  # a port nothing listens on: down, or not started yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert broker_refusal("redis://127.0.0.1:6379/15") is None
    assert broker_refusal("amqp://guest:guest@127.0.0.1:5672//") is None
    assert broker_refusal(f"redis://127.0.0.1:{port}/0") is None  # Celery keeps trying
    assert broker_refusal(f"amqp://guest:guest@127.0.0.1:{port}//") is None
    for url, said in REFUSING_BROKERS:
        assert said in (broker_refusal(url) or ""), url


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--concurrency", "-3"], "--concurrency"),
        (["--concurrency", "0"], "--concurrency"),
        (["--loglevel", "LOUD"], "--loglevel"),
    ],
)
def test_a_workers_option_out_of_range_is_a_usage_error(
    tmp_path: Path, option: list[str], said: str
) -> None:
    # Was "crashed (a bug)" with a traceback and exit 3; `--concurrency 0` was taken silently.
    done = headlines("worker", *option, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and "Traceback" not in done.stderr


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "args",
    [
        ["edition", "add", "de", "--name", "DE Evening", "--timezone", "Europe/Berlin"],
        ["createsuperuser", "--noinput", "--username", "ed", "--email", "ed@example.org"],
    ],
)
def test_a_database_another_process_keeps_locked_is_named_not_a_crash(
    args: list[str], monkeypatch, capsys
) -> None:
    # A `sqlite3` shell left in a transaction (or a copy holding the write lock) past the busy
    # timeout: every writing command, ours and Django's, crashed with a traceback, exit 3.
    from django.contrib.auth.models import User
    from django.db import connection

    from headlines.core.models import Edition

    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backend only: its single writer's lock")
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)  # not 20 s
    connection.ensure_connection()
    connection.connection.execute("PRAGMA busy_timeout = 200")
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(SystemExit) as exited:
            cli.main(args)
    finally:
        other.execute("ROLLBACK")
        other.close()
    err = capsys.readouterr().err
    assert exited.value.code == 2, err
    assert "Traceback" not in err
    assert f"the database {connection.settings_dict['NAME']} (in HEADLINES_DATA_DIR) is locked" in (
        " ".join(err.split())
    )
    assert not Edition.objects.filter(slug="de").exists()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["send", "--edition", "us", "--edition", "uk"], "--edition given twice ('us', then 'uk')"),
        (
            ["subscribers", "import", "r.csv", "--edition", "us", "--edition", "uk"],
            "--edition given twice ('us', then 'uk')",
        ),
        (
            ["digest", "build", "--edition", "us", "--format", "json", "--format", "html"],
            "--format given twice ('json', then 'html')",
        ),
        (["edition", "add", "fr", "--name", "A", "--name", "B", "--timezone", "UTC"], "--name"),
    ],
)
def test_an_option_that_takes_one_value_given_twice_is_bad_usage(
    args: list[str], said: str, capsys
) -> None:
    # argparse kept the last: `send --edition us --edition uk` mailed the UK's readers alone,
    # and `subscribers import` put the file's readers in one edition, without a word.
    command = load_command_class(get_commands()[args[0]], args[0])
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["headlines", *args])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert f"error: {said}" in err
    assert err.rstrip().endswith("give it once")


def test_an_option_made_to_repeat_still_repeats() -> None:
    imports = load_command_class(get_commands()["import"], "import")
    parser = imports.create_parser("headlines", "import")
    parsed = parser.parse_args(["a.html", "--edition", "us", "--edition", "uk"])
    assert parsed.edition == ["us", "uk"]  # repeatable, as its help says
    stories = load_command_class(get_commands()["stories"], "stories")
    parser = stories.create_parser("headlines", "stories")
    assert parser.parse_args(["--edition", "us", "--verbose", "-v", "3"]).verbosity == 3
