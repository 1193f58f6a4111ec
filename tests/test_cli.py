"""`headlines` speaks the product: grouped help, its own version, help for every option."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from headlines import __version__, cli


def headlines(
    *args: str, data_dir: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "headlines", *args],
        capture_output=True,
        text=True,
        env={
            "HEADLINES_DATA_DIR": str(data_dir),
            "HEADLINES_ENV_FILE": os.devnull,
            "PATH": "/usr/bin:/bin",
            "HOME": str(data_dir),
            **(env or {}),
        },
        cwd=data_dir,
        timeout=120,
    )


def test_every_product_command_has_a_group_and_a_line() -> None:
    ours = sorted(name for name, app in get_commands().items() if app.startswith("headlines."))
    assert cli.product_commands() == ours
    unplaced = [name for name in ours if name not in cli.COMMANDS]
    assert not unplaced, f"add these to headlines.cli.COMMANDS with a group and a line: {unplaced}"
    for name, (group, line) in cli.COMMANDS.items():
        assert group in cli.GROUPS, name
        assert line and "\n" not in line and len(line) <= 80, name


def test_the_help_lists_the_commands_by_stage_and_djangos_under_one_heading(tmp_path) -> None:
    text = headlines(data_dir=tmp_path).stdout
    for args in (["--help"], ["help"], ["-h"]):
        done = headlines(*args, data_dir=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout == text
    headings = [line for line in text.splitlines() if line and not line.startswith(" ")]
    shown = [f"{heading}:" for heading in cli.GROUPS.values() if f"{heading}:" in headings]
    assert shown[:2] == ["Run the service:", "Editions and topics:"]
    assert "Django's own commands (database, staff accounts, static files):" in headings
    for name in cli.product_commands():
        group, line = cli.COMMANDS[name]
        block = text.split(f"\n{cli.GROUPS[group]}:\n", 1)[1].split("\n\n", 1)[0]
        assert f"  {name} " in block and line in block, name
    django_part = text.split("Django's own commands", 1)[1]
    assert "migrate" in django_part and "createsuperuser" in django_part
    assert not any(f" {name}," in django_part for name in cli.product_commands())
    assert "0 done; 1 done, but some inputs failed" in text


def test_the_help_still_lists_the_commands_when_a_setting_is_bad(tmp_path) -> None:
    # `headlines --help` printed only the configuration error: the help that names the
    # commands was refused for the very setting the operator was trying to fix.
    good = headlines(data_dir=tmp_path).stdout
    (tmp_path / "bad.env").write_text("HEADLINES_LOG_LEVEL=LOUD\n")
    done = headlines(
        "--help", data_dir=tmp_path, env={"HEADLINES_ENV_FILE": str(tmp_path / "bad.env")}
    )
    assert done.returncode == cli.EXIT_NOTHING_DONE
    assert done.stderr == (
        "headlines: configuration error: HEADLINES_LOG_LEVEL: expected DEBUG, INFO, WARNING, "
        "ERROR or CRITICAL, got 'LOUD'\n"
    )
    ours = good.split("Django's own commands", 1)[0]
    assert done.stdout.startswith(ours)
    assert "(listed once the configuration is fixed)" in done.stdout


def test_an_unplaced_product_command_still_shows_with_its_own_help(monkeypatch) -> None:
    monkeypatch.delitem(cli.COMMANDS, "ingest")
    text = cli.main_help()
    other = text.split("\nOther commands:\n", 1)[1].split("\n\n", 1)[0]
    line = "ingest Fetch the configured sources now (all enabled ones, or --source SLUG)"
    assert " ".join(other.split()) == line


def test_the_help_does_not_set_django_up(tmp_path) -> None:
    code = (
        "import sys, io, contextlib\n"
        "from headlines import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()): cli.main(['--help'])\n"
        "from django.apps import apps\n"
        "print(apps.ready, 'headlines.intake.models' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"HEADLINES_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        timeout=60,
    )
    assert done.stdout.split() == ["False", "False"], done.stderr


def test_version_is_the_products(tmp_path) -> None:
    assert headlines("--version", data_dir=tmp_path).stdout == (
        f"headlines {__version__} (Evening Headlines)\n"
    )
    sub = headlines("edition", "--version", data_dir=tmp_path)
    assert sub.stdout == f"headlines {__version__} (Evening Headlines)\n"


def _actions(parser: argparse.ArgumentParser, path: str) -> Iterator[tuple[str, str | None]]:
    """(where, help) for every option, argument and sub-command under `parser`."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield f"{path} {name}", helps.get(name)
                yield from _actions(sub, f"{path} {name}")
        else:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help


@pytest.mark.parametrize("name", cli.product_commands())
def test_every_option_of_every_product_command_has_help(name: str) -> None:
    parser = load_command_class(get_commands()[name], name).create_parser("headlines", name)
    missing = [where for where, help in _actions(parser, f"headlines {name}") if not help]
    assert not missing, f"no help text: {missing}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "99999"], "--port: '99999': expected a whole number from 1 to 65535"),
        (["--port", "-1"], "--port: '-1': expected a whole number from 1 to 65535"),
        (["--threads", "0"], "--threads: '0': expected a whole number from 1 to 256"),
        (["--threads", "100000"], "--threads: '100000': expected a whole number from 1 to 256"),
        (["--processes", "-1"], "--processes: '-1': expected a whole number from 0 to 64"),
        (["--host", "nosuch.invalid"], "cannot listen on nosuch.invalid:8000"),
    ],
)
def test_run_refuses_an_address_or_size_it_cannot_use_as_bad_usage(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = headlines("run", *args, data_dir=tmp_path)
    assert done.returncode == cli.EXIT_NOTHING_DONE, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert "Evening Headlines on http" not in done.stdout  # it never claimed to be serving


@pytest.mark.parametrize("args", [["edtion", "list"], ["--nonsense"], ["help", "nosuch"]])
def test_an_unknown_command_is_bad_usage(tmp_path: Path, args: list[str]) -> None:
    done = headlines(*args, data_dir=tmp_path)
    assert done.returncode == cli.EXIT_NOTHING_DONE  # not 1, which means "done in part"
    assert "Unknown command" in done.stderr and "Traceback" not in done.stderr
    if args[0] == "edtion":
        assert "Did you mean edition?" in done.stderr


def test_a_data_dir_that_cannot_be_one_is_a_configuration_error(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    for data_dir, reason in [(a_file, "it is a file, not a folder"), (a_file / "var", "")]:
        done = subprocess.run(
            [sys.executable, "-m", "headlines", "edition", "list"],
            capture_output=True,
            text=True,
            env={"HEADLINES_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
            cwd=tmp_path,
            timeout=60,
        )
        assert done.returncode == cli.EXIT_NOTHING_DONE and "Traceback" not in done.stderr
        said = f"headlines: configuration error: HEADLINES_DATA_DIR: {data_dir} cannot be"
        assert said in done.stderr and reason in done.stderr


def test_djangos_own_commands_keep_the_exit_convention(tmp_path: Path) -> None:
    # `headlines createsuperuser --noinput` without a username exited 1, which the convention
    # keeps for "done, but some inputs failed"; nothing was done.
    refused = headlines("createsuperuser", "--noinput", data_dir=tmp_path)
    assert refused.returncode == cli.EXIT_NOTHING_DONE == 2, refused.stderr
    assert refused.stderr == "CommandError: You must use --username with --noinput.\n"
    # An exit a command chooses itself stays Django's: `migrate --check` is 1 while migrations
    # are pending, as deploy scripts expect.
    assert headlines("migrate", "--check", data_dir=tmp_path).returncode == 1


# A terminal or pipe that is not UTF-8, with Python's own remedies (PEP 538's coercion, PEP 540's
# UTF-8 mode) turned off, as on a server whose locale is unset.
NOT_UTF8 = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def test_an_ascii_terminal_gets_escapes_not_a_traceback(tmp_path: Path) -> None:
    # Printing an article about a café in Nîmes ended in a UnicodeEncodeError (exit 3).
    page = tmp_path / "cafe.html"
    page.write_text(
        "<html><head><title>Café à Nîmes, 日本</title></head><body><article>"
        "<h1>Café à Nîmes, 日本</h1><p>The café on the harbour in Nîmes reopened on Monday after "
        "six weeks of repairs, and visitors from 日本 queued from before dawn to get in.</p>"
        "<p>The owner said the menu would return to normal by the end of the week.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    missing = tmp_path / "absent-été.html"
    done = headlines("extract", str(page), str(missing), data_dir=tmp_path, env=NOT_UTF8)
    assert done.returncode == 1, done.stderr  # done, one input failed: not a crash (3)
    assert "Traceback" not in done.stderr and "absent-" in done.stderr
    assert "# Caf\\xe9 \\xe0 N\\xeemes, \\u65e5\\u672c" in done.stdout
    done = headlines("extract", "--json", str(page), data_dir=tmp_path, env=NOT_UTF8)
    assert done.returncode == 0, done.stderr
    assert done.stdout.isascii()  # and still JSON, whole
    assert json.loads(done.stdout)["title"] == "Café à Nîmes, 日本"


def test_a_non_ascii_name_typed_in_an_ascii_terminal_is_stored_as_typed(tmp_path: Path) -> None:
    # Python reads the arguments of a non-UTF-8 locale as ASCII, each other byte half a
    # character (`Caf\udcc3\udca9`): `--source Café` reached the database as that and crashed
    # the insert (exit 3). The files named keep working, whatever their names.
    page = tmp_path / "plain.html"
    page.write_text(
        "<html><head><title>Harbour</title></head><body><article><h1>The harbour reopens</h1>"
        "<p>The café on the harbour reopened on Monday after six weeks of repairs, and "
        "visitors queued from before dawn to get in.</p></article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "été.html").write_text(
        "<html><head><title>Summer</title></head><body><article><h1>A dry summer ends</h1>"
        "<p>Rain fell across the south on Tuesday for the first time since June, and farmers "
        "said the harvest would still be smaller than last year's.</p></article></body></html>",
        encoding="utf-8",
    )
    assert headlines("migrate", data_dir=tmp_path, env=NOT_UTF8).returncode == 0
    done = headlines("import", "plain.html", "--source", "Café", data_dir=tmp_path, env=NOT_UTF8)
    assert done.returncode == 0, done.stderr
    done = headlines("import", "été.html", "--source", "Café", data_dir=tmp_path, env=NOT_UTF8)
    assert done.returncode == 0, done.stderr
    done = headlines(
        "edition", "add", "fr", "--name", "Édition", "--timezone", "Europe/Paris",
        data_dir=tmp_path, env=NOT_UTF8,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # Bytes that are not UTF-8 (a Latin-1 terminal's "é") are refused, and nothing is stored.
    latin1 = os.fsdecode(b"Caf\xe9 2")
    refused = headlines("import", "plain.html", "--source", latin1, data_dir=tmp_path, env=NOT_UTF8)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr == (
        "CommandError: --source: Caf\\xe9 2 is not valid text in this terminal's encoding "
        "(LC_ALL=C?): set a UTF-8 locale (LC_ALL=C.UTF-8) and run it again\n"
    )
    # A dump source keeps its path as text: a UTF-8 name given in this locale is refused with
    # what to do, not called "not UTF-8".
    refused = headlines(
        "source", "add", "Port", "--kind", "dump", "--path", "été.html",
        data_dir=tmp_path, env=NOT_UTF8,
    )  # fmt: skip
    assert refused.returncode == 2, refused.stderr
    assert "set a UTF-8 locale" in refused.stderr and "not UTF-8" not in refused.stderr
    with sqlite3.connect(tmp_path / "headlines.sqlite3") as db:
        assert db.execute("SELECT name, path FROM intake_source").fetchall() == [
            ("Café", str(tmp_path / "plain.html"))  # kept from the root, read from anywhere
        ]
        assert db.execute("SELECT count(*) FROM intake_article").fetchone() == (2,)
        assert db.execute("SELECT name FROM core_edition").fetchall() == [("Édition",)]


def test_bytes_that_are_not_utf8_in_a_utf8_terminal_are_called_so(tmp_path: Path) -> None:
    # A Latin-1 "é" pasted into a UTF-8 terminal was answered "set a UTF-8 locale", which
    # that terminal had: the advice could not help.
    latin1 = os.fsdecode(b"Caf\xe9")
    refused = headlines(
        "edition", "add", "fr", "--name", latin1, "--timezone", "Europe/Paris",
        data_dir=tmp_path, env={"LC_ALL": "C.UTF-8"},
    )  # fmt: skip
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr == (
        "CommandError: --name: Caf\\xe9 is not UTF-8 text (bytes in another charset, such "
        "as Latin-1, pasted or typed?): type it again as UTF-8\n"
    )


def test_every_argument_naming_a_file_keeps_its_name_as_decoded() -> None:
    # A file's name made text in an ASCII locale is no longer the file's name: such
    # arguments are named in `path_options` and left as Python decoded them.
    from headlines.core.command import DJANGOS_OWN, HeadlinesCommand

    def arguments(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from arguments(sub)
            else:
                yield action

    for name, app in get_commands().items():
        command = load_command_class(app, name) if app.startswith("headlines.") else None
        if not isinstance(command, HeadlinesCommand):
            continue
        for action in arguments(command.create_parser("headlines", name)):
            if action.dest in DJANGOS_OWN:
                continue
            said = f"{action.dest} {action.metavar or ''}".lower()
            names_a_file = any(word in said for word in ("path", "file", "dir", "input"))
            if names_a_file and action.type is None and action.nargs != 0:
                assert action.dest in command.path_options, f"{name} {action.dest}"


def test_djangos_own_commands_take_non_ascii_arguments_in_an_ascii_terminal(tmp_path: Path) -> None:
    # Django's commands ran on the arguments as Python decodes them there (`Caf\udcc3\udca9`):
    # `createsuperuser --username Café` and `shell -c "print('é')"` crashed (exit 3) on the
    # half characters. A fixture's file name is kept as given, so the file is still found.
    assert headlines("migrate", data_dir=tmp_path, env=NOT_UTF8).returncode == 0
    done = headlines(
        "createsuperuser", "--noinput", "--username", "Café", "--email", "ana@café.example",
        data_dir=tmp_path, env={**NOT_UTF8, "DJANGO_SUPERUSER_PASSWORD": "a long harbour pass"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = headlines("shell", "-c", "print('é' == '\\xe9')", data_dir=tmp_path, env=NOT_UTF8)
    assert (done.returncode, done.stdout.splitlines()[-1:]) == (0, ["True"]), done.stderr
    fields = {"slug": "fr", "name": "Édition", "created_at": "2026-12-04T20:00:00Z"}
    fixture = [{"model": "core.edition", "fields": fields}]
    (tmp_path / "éditions.json").write_text(json.dumps(fixture))
    done = headlines("loaddata", "éditions.json", data_dir=tmp_path, env=NOT_UTF8)
    assert done.returncode == 0, done.stderr
    # Bytes that are not UTF-8 (a Latin-1 terminal's "é") are refused, nothing done.
    latin1 = os.fsdecode(b"Caf\xe9")
    refused = headlines("changepassword", latin1, data_dir=tmp_path, env=NOT_UTF8)
    assert refused.returncode == 2, refused.stderr
    assert "Caf\\xe9 is not valid text in this terminal's encoding" in refused.stderr
    with sqlite3.connect(tmp_path / "headlines.sqlite3") as db:
        assert db.execute("SELECT username, email FROM auth_user").fetchall() == [
            ("Café", "ana@café.example")
        ]
        assert db.execute("SELECT slug, name FROM core_edition").fetchall() == [("fr", "Édition")]


def test_every_argument_of_djangos_commands_naming_a_file_keeps_its_name_as_decoded() -> None:
    # As the product's commands' `path_options`: a file's name made text in an ASCII locale is
    # no longer the file's name, nor an argument handed on to another program (dbshell's).
    from headlines.core.command import DJANGOS_OWN

    words = ("path", "file", "dir", "input", "output", "fixture", "template", "top")
    commands = {n: app for n, app in get_commands().items() if not app.startswith("headlines.")}
    for name, app in commands.items():
        actions = load_command_class(app, name).create_parser("headlines", name)._actions
        kept = cli.DJANGOS_PATH_ARGUMENTS.get(name, frozenset())
        assert kept <= {action.dest for action in actions}, name
        for action in actions:
            said = f"{action.dest} {action.metavar or ''}".lower()
            names_a_file = action.dest == "parameters" or any(word in said for word in words)
            takes_text = action.type is action.choices is None and action.nargs != 0
            if names_a_file and takes_text and action.dest not in DJANGOS_OWN:
                assert action.dest in kept, f"{name} {action.dest}"
    assert set(cli.DJANGOS_PATH_ARGUMENTS) <= set(commands)
