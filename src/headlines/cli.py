"""The `headlines` console script: the product's commands, grouped by stage, and Django's own.

A new command (a module in `<app>/management/commands/` subclassing
`headlines.core.command.HeadlinesCommand`) declares its stage and its line of help here, in
`COMMANDS`; that is all the grouped help needs, and `headlines --help` reads it without
importing the commands, the models or Django's app registry (so it answers in a blink). A
command missing from `COMMANDS` still shows, under "Other commands", and a test fails until
it is placed.

Exit status, for every command: 0 done; 1 done, but some inputs failed (each one is named);
2 nothing done (bad usage or bad input); 3 crashed (a bug: the traceback says where); 130
interrupted (Ctrl-C); 141 its output's reader left before the end (`| head`).
"""

from __future__ import annotations

import io
import os
import select
import sys
import textwrap
import traceback
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from headlines import __version__

if TYPE_CHECKING:
    from django.core.management import ManagementUtility
    from django.core.management.base import BaseCommand

# The exit statuses every command keeps to (docs/operations.md).
EXIT_DONE, EXIT_PARTLY, EXIT_NOTHING_DONE, EXIT_CRASHED = 0, 1, 2, 3
# Stopped by Ctrl-C, or its output's reader left before the end: a shell's status for a
# command SIGINT or SIGPIPE ended.
EXIT_INTERRUPTED, EXIT_OUTPUT_CLOSED = 128 + 2, 128 + 13

# The stages of PRODUCT.md, in the order the data flows, each with its heading.
GROUPS: dict[str, str] = {
    "service": "Run the service",
    "editions": "Editions and topics",
    "intake": "Intake (sources and articles)",
    "stories": "Stories",
    "digests": "Digests",
    "delivery": "Delivery",
    "subscribers": "Subscribers",
    "integrations": "Integrations (API tokens and webhooks)",
    "maintenance": "Maintenance",
}

# command -> (group, one line of help). Commands PRODUCT.md names that a release does not have
# yet are simply not listed.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("service", "web processes, worker and scheduler; --demo adds a sample newsroom"),
    "worker": ("service", "a Celery worker of the distributed tier"),
    "scheduler": ("service", "the scheduler of the distributed tier"),
    "edition": ("editions", "add and list editions"),
    "topic": ("editions", "add, edit, remove and list an edition's topics, which readers choose"),
    "source": ("intake", "add, list, enable, disable and remove sources"),
    "ingest": ("intake", "fetch the configured sources now"),
    "import": ("intake", "store articles from pages, folders, feeds and dumps"),
    "extract": ("intake", "clean pages, dumps and feeds and print the articles; stores nothing"),
    "stories": ("stories", "a day's stories, ranked, with their articles"),
    "digest": ("digests", "build a day's digest of an edition and print it"),
    "send": ("delivery", "deliver a digest now to every confirmed reader who has not had it"),
    "bounces": ("delivery", "receive bounces, complaints and mailed unsubscribes"),
    "subscribers": ("subscribers", "import confirmed readers from CSV; export subscriptions"),
    "api-token": ("integrations", "create, list and revoke tokens for the JSON API"),
    "webhook": ("integrations", "add, list and remove webhooks"),
    "staff-login": ("maintenance", "list and lift pauses of the admin's failed sign-in limits"),
    "backup": ("maintenance", "copy the SQLite database to a file, online and consistent"),
    "docs": ("maintenance", "regenerate the configuration reference in docs/operations.md"),
}

HELP_WORDS = {"help", "--help", "-h"}

# The arguments (by dest) of Django's own commands that name files, or that are handed to
# another program as they are (dbshell's), kept as Python decoded them, as a product command's
# `path_options` are; their other arguments are made text as the product's (`_as_ours`).
_STARTS = frozenset({"directory", "template", "files"})
DJANGOS_PATH_ARGUMENTS: dict[str, frozenset[str]] = {
    "collectstatic": frozenset({"ignore_patterns"}),
    "compilemessages": frozenset({"ignore_patterns"}),
    "dbshell": frozenset({"parameters"}),
    "dumpdata": frozenset({"output"}),
    "findstatic": frozenset({"args"}),
    "loaddata": frozenset({"args"}),
    "makemessages": frozenset({"ignore_patterns"}),
    "startapp": _STARTS,
    "startproject": _STARTS,
    "test": frozenset({"args", "top_level", "pattern"}),
    "testserver": frozenset({"args"}),
}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    _survive_any_encoding()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headlines.settings")
    from headlines.config import ConfigError

    try:
        if not args or (len(args) == 1 and args[0] in HELP_WORDS):
            try:
                text = main_help()
            except ConfigError:
                # The help that would say how to fix a setting was refused for that setting:
                # the product's commands still show (Django's need the settings), then the
                # error and status 2, as every command gives.
                sys.stdout.write(main_help(settings_usable=False))
                raise
            sys.stdout.write(text)
            return
        if args in (["--version"], ["version"]):
            sys.stdout.write(f"headlines {__version__} (Evening Headlines)\n")
            return
        _utility(["headlines", *args]).execute()
    except ConfigError as exc:
        sys.stderr.write(f"headlines: configuration error: {exc}\n")
        raise SystemExit(EXIT_NOTHING_DONE) from None
    except BrokenPipeError:
        if not _output_closed():
            _crashed()
        # Whoever read the output left (`headlines extract … | head`): stop quietly, as Unix
        # tools do when SIGPIPE ends them, and with their status. Python flushes stdout once
        # more on the way out: into /dev/null, not into the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(EXIT_OUTPUT_CLOSED) from None
    except KeyboardInterrupt:
        # Ctrl-C (on a `headlines send` waiting for a relay that is down, say): what was
        # committed stays, and every command is safe to run again. No traceback: not a bug.
        sys.stderr.write("\nheadlines: interrupted; what was done is kept, run it again to go on\n")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except Exception:
        _crashed()


def _survive_any_encoding() -> None:
    """A terminal or pipe in another encoding than UTF-8 (`LC_ALL=C`, a Latin-1 locale) gets
    each character it cannot take as an escape (`Caf\\xe9`, `\\u65e5`). Python's own choice
    (strict, or surrogateescape in the C locale) ended `headlines extract` of a page titled
    "Café" in a UnicodeEncodeError and a traceback. Machine formats stay whole: JSON is
    written in ASCII escapes and a CSV export in UTF-8 (`core.command`). The arguments, which
    Python decodes there as ASCII and lone surrogates, are made text once parsed
    (`core.command.as_text`; Django's commands' in `_as_ours`): only a command's options say
    which of them name files, to open as given."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _utility(argv: list[str]) -> ManagementUtility:
    """Django's command dispatcher, with an unknown command as bad usage (exit 2): Django
    exits 1, which our convention keeps for "done, but some inputs failed"."""
    from django.core.management import ManagementUtility

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand: str) -> BaseCommand:
            try:
                command = super().fetch_command(subcommand)
            except SystemExit as exc:
                # Its one exit: "Unknown command: 'x'. Did you mean …?", said already.
                raise SystemExit(EXIT_NOTHING_DONE if exc.code == 1 else exc.code) from None
            return command if _is_ours(command) else _as_ours(command, subcommand)

    return Utility(argv)


def _is_ours(command: BaseCommand) -> bool:
    from headlines.core.command import HeadlinesCommand

    return isinstance(command, HeadlinesCommand)


def _as_ours(command: BaseCommand, name: str) -> BaseCommand:
    """Django's own command, run as ours are. Its arguments are made text as ours are
    (`core.command.as_text`) but those naming files (DJANGOS_PATH_ARGUMENTS): where the locale
    is not UTF-8 (LC_ALL=C), `createsuperuser --username Café` and `shell -c "print('é')"`
    crashed on the half characters Python decodes there. Its refusals (`createsuperuser
    --noinput` with a username taken, `check` finding errors, bytes that are not UTF-8) exit 2,
    "nothing done", as ours do: Django gives them 1, which our convention keeps for "done, but
    some inputs failed". An exit a command chose itself (`migrate --check`: 1 while migrations
    are pending) is kept."""
    from django.core.management.base import CommandError
    from django.db import DatabaseError

    from headlines.core.command import (
        argument_names,
        database_down,
        database_locked,
        database_usable,
        is_locked,
        options_as_text,
    )
    from headlines.core.errors import InvalidInput

    execute = command.execute

    def as_ours(*args: Any, **options: Any) -> Any:
        try:
            values = {"args": list(args), **options}
            names = argument_names(command.create_parser("headlines", name))
            options_as_text(values, keep=DJANGOS_PATH_ARGUMENTS.get(name, ()), names=names)
            return execute(*values.pop("args"), **values)
        except InvalidInput as exc:
            raise CommandError(str(exc), returncode=EXIT_NOTHING_DONE) from exc
        except CommandError as exc:
            if exc.returncode == 1:
                exc.returncode = EXIT_NOTHING_DONE
            raise
        except DatabaseError as exc:
            if is_locked(exc):
                raise database_locked() from exc
            # A database it cannot open (a server down, a SQLite file that is none): a setup
            # problem, as ours say, where `headlines migrate` crashed with a traceback.
            if database_usable():
                raise
            raise database_down(exc) from exc

    command.execute = as_ours  # type: ignore[method-assign]
    return command


def _crashed() -> NoReturn:
    traceback.print_exc()
    sys.stderr.write("headlines: crashed (a bug; the traceback above says where)\n")
    raise SystemExit(EXIT_CRASHED) from None


def _output_closed() -> bool:
    """Whether standard output is a pipe whose reader has closed it (rather than a broken pipe
    of the command's own, to a relay or a server, which is a crash like any other)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    except (OSError, ValueError):
        return False


def available_commands() -> dict[str, str]:
    """Every command name → the app it comes from, as Django finds them, without setting Django
    up (which imports every app's models and admin)."""
    from django.conf import settings
    from django.core.management import find_commands

    found = {name: "django.core" for name in find_commands(_package_dir("django.core.management"))}
    for app in reversed(settings.INSTALLED_APPS):
        module = app.rpartition(".apps.")[0] if ".apps." in app else app
        found.update(
            (name, module) for name in find_commands(str(Path(_package_dir(module)) / "management"))
        )
    return found


def _package_dir(module: str) -> str:
    spec = find_spec(module)
    assert spec is not None and spec.submodule_search_locations, module
    return str(next(iter(spec.submodule_search_locations)))


def product_commands() -> list[str]:
    return sorted(n for n, app in available_commands().items() if app.startswith("headlines."))


def main_help(*, settings_usable: bool = True) -> str:
    """The top-level help; without usable settings, the product's commands as COMMANDS lists
    them and no list of Django's (finding those reads INSTALLED_APPS)."""
    ours = product_commands() if settings_usable else sorted(COMMANDS)
    commands = available_commands() if settings_usable else dict.fromkeys(ours, "headlines")
    lines = [
        f"Evening Headlines {__version__}: a self-hosted daily news-digest newsletter.",
        "",
        "Usage: headlines COMMAND [options]       `headlines COMMAND --help` for its options",
        "",
    ]
    width = max(len(name) for name in ours) + 2
    for group, heading in GROUPS.items():
        names = [n for n, (g, _) in COMMANDS.items() if g == group and n in ours]
        if names:
            lines += [f"{heading}:", *(f"  {n:<{width}}{COMMANDS[n][1]}" for n in names), ""]
    unplaced = [n for n in ours if n not in COMMANDS]
    if unplaced:
        lines += ["Other commands:", *(f"  {n:<{width}}{_summary(n)}" for n in unplaced), ""]
    django = sorted(n for n in commands if n not in ours)
    listed = ", ".join(django) if settings_usable else "(listed once the configuration is fixed)"
    lines += [
        "Django's own commands (database, staff accounts, static files):",
        *textwrap.wrap(listed, width=96, initial_indent="  ", subsequent_indent="  "),
        "",
        "Exit status: 0 done; 1 done, but some inputs failed (each is named); 2 nothing done",
        "(bad usage or bad input); 3 crashed (a bug); 130 interrupted (Ctrl-C); 141 its output's",
        "reader left (`| head`). `--verbose` shows other libraries' log lines too.",
        "",
    ]
    return "\n".join(lines)


def _summary(name: str) -> str:
    """The first sentence of an unplaced command's own help (this one imports it)."""
    import django
    from django.core.management import load_command_class

    django.setup()
    command = load_command_class(available_commands()[name], name)
    return str(command.help).split(". ")[0].strip().rstrip(".")
