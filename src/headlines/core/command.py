"""The base of every `headlines` command: one exit-code convention, the product's version, and
other libraries' log lines kept off the terminal unless `--verbose`.

Exit status: 0 done; 1 done, but some inputs failed (each is named on stderr); 2 nothing done
(bad usage, bad input, a setup problem). Domain errors become a clear message and 2.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import io
import json
import os
import sqlite3
import sys
import traceback
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, BinaryIO, Literal, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from headlines import __version__
from headlines.cli import EXIT_NOTHING_DONE, EXIT_PARTLY
from headlines.core import logs
from headlines.core.errors import DomainError, InvalidInput
from headlines.core.names import controls_escaped
from headlines.core.storable import SURROGATE

# The options Django reads from the command line itself, before a command runs.
DJANGOS_OWN = frozenset({"settings", "pythonpath"})


class HeadlinesCommand(BaseCommand):
    # Django's system checks (every model, admin and URL pattern: a tenth of a second) run when
    # the service starts (`headlines run`), with `headlines check`, and in the test suite, not
    # before every short command.
    requires_system_checks: list[str] | tuple[str, ...] | Literal["__all__"] = []
    # The arguments (by dest) that name files to open, kept as Python decoded them so the
    # file is found whatever the locale; every other text argument is made text (`as_text`).
    path_options: frozenset[str] = frozenset()

    def get_version(self) -> str:
        return f"headlines {__version__} (Evening Headlines)"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        self.argument_names = argument_names(parser)
        _given_once(parser)
        _add_verbose(parser, default=1)
        # `headlines source list --verbose` (or `-v 2`, as docs/operations.md offers for any
        # command) as well as `headlines source --verbose list`.
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    _add_verbose(sub, default=argparse.SUPPRESS)
                    sub.add_argument(
                        "-v",
                        "--verbosity",
                        type=int,
                        choices=[0, 1, 2, 3],
                        default=argparse.SUPPRESS,
                        help="Verbosity level; 0=minimal output, 1=normal, 2=other libraries' "
                        "log lines too, 3=very verbose.",
                    )
        return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        options.pop(GIVEN, None)  # the parser's own note (`_given_once`), no option
        logs.show_other_libraries(int(options.get("verbosity", 1)) >= 2)
        try:
            names = getattr(self, "argument_names", {})
            options_as_text(options, keep=self.path_options, names=names)
            return super().execute(*args, **options)
        except DomainError as exc:
            raise CommandError(str(exc), returncode=EXIT_NOTHING_DONE) from exc
        except DatabaseError as exc:
            if is_locked(exc):
                raise database_locked() from exc
            pending = _migrations_pending()
            if pending is None:
                raise database_down(exc) from exc
            if pending:
                raise _not_set_up(exc) from exc
            raise
        except (BrokenPipeError, KeyboardInterrupt) as exc:
            # Stopped half-way (`headlines subscribers export | head -1`, Ctrl-C): a query's
            # rows may wait unread in a generator the command's frames hold. Let go of them
            # now, while the connection is open: Django closes it before `headlines` turns
            # this into its exit status, and the generator, closed at the interpreter's exit
            # instead, printed "Exception ignored in: <generator object cursor_iter …>" and
            # a traceback.
            traceback.clear_frames(exc.__traceback__)
            raise

    def json_text(self, payload: object, *, indent: int | None = None) -> str:
        """`payload` as JSON for this command's output: its characters as they are, or as
        `\\u` escapes where the output cannot take them (`LC_ALL=C`), so it stays JSON."""
        return json.dumps(payload, ensure_ascii=not takes_any_text(self.stdout), indent=indent)

    def finish(
        self, *, done: int, failed: Sequence[str], noun: str = "input", summary: str | None = None
    ) -> None:
        """Apply the exit-code convention once the work is over: name every failed input on
        stderr, then exit 1 if something was done as well, 2 if nothing was."""
        if not failed:
            return
        for line in failed:
            self.stderr.write(f"failed: {controls_escaped(line)}")  # one line, no terminal codes
        if done:
            raise CommandError(
                summary or f"{len(failed)} {noun}(s) failed (named above); the rest were done",
                returncode=EXIT_PARTLY,
            )
        raise CommandError(
            summary or f"every {noun} failed (named above): nothing was done",
            returncode=EXIT_NOTHING_DONE,
        )


def options_as_text(
    options: dict[str, Any], *, keep: Collection[str], names: Mapping[str, str]
) -> None:
    """Make each of a command's options text (`as_text`), in place, but those in `keep`, which
    name files, and those Django reads itself; `names` maps an option to the name it is typed
    by, for the message."""
    for dest, value in options.items():
        if dest not in keep and dest not in DJANGOS_OWN:
            options[dest] = as_text(value, name=names.get(dest, dest))


def as_text(value: Any, *, name: str) -> Any:
    """A command-line value as the text it was typed as. Where the locale is not UTF-8
    (`LC_ALL=C`, Python's UTF-8 mode off), Python decodes the arguments as ASCII, each other
    byte a lone surrogate (`--source Café` became `Caf\\udcc3\\udca9`), which no database
    stores: the insert crashed (exit 3). Its bytes read as UTF-8 are what a UTF-8 terminal
    sent; bytes that are not UTF-8 are refused, nothing done. Lists are made text item by item;
    anything else is returned as it is."""
    if isinstance(value, list):
        return [as_text(item, name=name) for item in value]
    if not isinstance(value, str) or value.isascii() or not SURROGATE.search(value):
        return value
    try:
        raw = os.fsencode(value)
    except UnicodeError:  # a half character that no byte stands for: not from a terminal
        raw = value.encode("utf-8", "surrogatepass")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        shown = raw.decode("utf-8", "backslashreplace")
        if codecs.lookup(sys.getfilesystemencoding()).name == "utf-8":
            # The locale is UTF-8 already: the bytes themselves are in another charset.
            raise InvalidInput(
                f"{name}: {shown} is not UTF-8 text (bytes in another charset, such as "
                "Latin-1, pasted or typed?): type it again as UTF-8"
            ) from None
        raise InvalidInput(
            f"{name}: {shown} is not valid text in this terminal's encoding (LC_ALL=C?): "
            "set a UTF-8 locale (LC_ALL=C.UTF-8) and run it again"
        ) from None


def standard_input(values: Sequence[str]) -> BinaryIO | None:
    """Standard input's bytes when `-` names it among a command's `values`, else None: only
    `-` reaches for it, as a service or cron job may run with its input closed (`0<&-`, no
    `sys.stdin` at all). `-` named twice, or with standard input closed, is refused."""
    if "-" not in values:
        return None
    if list(values).count("-") > 1:
        raise InvalidInput("- (standard input) can be read once: name it once")
    if sys.stdin is None:
        raise InvalidInput("- names standard input, which is closed: pipe the input in")
    return sys.stdin.buffer


def takes_any_text(stream: object) -> bool:
    """Whether `stream` can write every character: its encoding is a UTF, or it holds text,
    not bytes (a StringIO)."""
    encoding = getattr(stream, "encoding", None)
    return not encoding or codecs.lookup(encoding).name.startswith("utf")


@contextmanager
def utf8_output(stream: Any) -> Iterator[TextIO]:
    """`stream`, or a UTF-8 writer on its bytes where its encoding cannot write every
    character (`LC_ALL=C`): a file format that is UTF-8 (a CSV export) stays UTF-8, and
    whole, whatever the locale."""
    if takes_any_text(stream):
        yield stream
        return
    stream.flush()
    writer = io.TextIOWrapper(stream.buffer, encoding="utf-8", newline="")
    try:
        yield writer
    finally:
        writer.flush()
        writer.detach()  # the stream's bytes stay open for whatever is written after


def argument_names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each argument's dest, its subcommands' included, and the name a user typed it by
    (`--source`, or a positional's `name`), for messages about its value."""
    names: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                names.update(argument_names(sub))
        else:
            names.setdefault(action.dest, max(action.option_strings, key=len, default=action.dest))
    return names


# Where a parse notes the options given so far (`_StoreOnce`); taken out before `handle`.
GIVEN = "_headlines_given"


class _StoreOnce(argparse._StoreAction):
    """An option that takes one value, refused when given again: argparse kept the last, so
    `send --edition us --edition uk` mailed the UK's readers alone and said nothing."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        given = namespace.__dict__.setdefault(GIVEN, {})
        if self.dest in given:
            parser.error(
                f"{option_string} given twice ({given[self.dest]!r}, then {values!r}): give it once"
            )
        given[self.dest] = values
        super().__call__(parser, namespace, values, option_string)


def _given_once(parser: argparse.ArgumentParser) -> None:
    """Every option of a product command (its actions' too) that takes one value, but those
    Django reads itself, refuses to be given twice (`_StoreOnce`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _given_once(sub)
        elif (
            type(action) is argparse._StoreAction
            and action.option_strings
            and action.dest not in DJANGOS_OWN | {"verbosity"}
        ):
            action.__class__ = _StoreOnce


def _add_verbose(parser: argparse.ArgumentParser, *, default: Any) -> None:
    parser.add_argument(
        "--verbose",
        action="store_const",
        const=2,
        default=default,
        dest="verbosity",
        help="More output, other libraries' log lines included (same as -v 2).",
    )


def require_database() -> None:
    """For a process that runs until stopped (`worker`, `scheduler`): its database reachable
    and set up for this release now, or the same one-line error and exit 2 as any command.
    Started without, each logged a traceback for every job of every tick, and `scheduler
    --once` said it had enqueued what it had not, and exited 0."""
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        raise database_down(exc) from exc  # one attempt: a host that drops it takes seconds
    try:
        executor = MigrationExecutor(connection)  # the migration files read once, for both
        pending = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        raise _not_set_up() from None
    warn_of_a_newer_database(executor.loader)
    if pending:
        raise _not_set_up()


def warn_of_a_newer_database(loader: MigrationLoader | None = None) -> None:
    """A database a newer release has migrated (an upgrade gone back without restoring the
    backup taken before it, a newer release's backup restored): this release's processes
    started on it as on their own, and nothing said so. Warned of on stderr (headlines.W004),
    not refused: a release's migrations keep the one before it serving meanwhile."""
    from headlines.core.checks import newer_migrations, newer_release_text

    names = newer_migrations(loader)
    if names:
        text = newer_release_text(names, database=_database_named())
        sys.stderr.write(f"warning: {text} (headlines.W004)\n")


def require_broker() -> None:
    """For `worker` and `scheduler`: the broker answers, or, when it answered and refused (a
    wrong password, a virtual host or Redis database it does not have), the one-line error and
    exit 2. A broker not reachable yet is left to Celery, which keeps trying (brokers start
    after workers on a machine's boot); one that said no would say it again at every one of
    Celery's hundred attempts, each a traceback, and a scheduler warned of it at every tick."""
    reason = broker_refusal(str(settings.CONFIG["HEADLINES_BROKER_URL"]))
    if reason:
        raise CommandError(
            f"the broker refused this process (HEADLINES_BROKER_URL): {reason}",
            returncode=EXIT_NOTHING_DONE,
        )


def broker_refusal(url: str, *, timeout: float = 5.0) -> str | None:
    """Why the broker at `url` refused a connection it answered, or None: it took it, or it
    could not be reached (down, or not up yet: not a refusal)."""
    from amqp.exceptions import AccessRefused, NotAllowed
    from kombu import Connection
    from redis.exceptions import AuthenticationError, ResponseError

    try:
        with Connection(url, connect_timeout=timeout) as conn:
            # One attempt, no pause before it (kombu waits 2 s between its tries by default).
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, interval_max=0)
            conn.default_channel  # noqa: B018 (Redis selects its database here)
    except (AccessRefused, NotAllowed) as exc:
        return str(exc.reply_text or exc)
    except Exception as exc:  # kombu wraps Redis's answer: it is the error or its cause
        said_no = (AuthenticationError, ResponseError)
        if any(isinstance(e, said_no) for e in (exc, exc.__cause__ or exc.__context__)):
            return str(exc)
    return None


def database_down(reason: object) -> CommandError:
    """A server that is down is not one waiting for `migrate`; nor is a SQLite file that is no
    database (a restore of a truncated or wrong file: "file is not a database"), named."""
    named = _database_named() if connection.vendor == "sqlite" else "(HEADLINES_DATABASE_URL)"
    return CommandError(f"cannot use the database {named}: {reason}", returncode=EXIT_NOTHING_DONE)


def is_locked(exc: BaseException) -> bool:
    """Whether `exc` is SQLite's "database is locked": another connection kept the write lock
    past the busy timeout (core/sqlite)."""
    cause = exc.__cause__ if isinstance(exc, DatabaseError) else exc
    return (
        isinstance(cause, sqlite3.OperationalError)
        and cause.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # extended codes too
    )


def database_locked() -> CommandError:
    """Another process held the SQLite database's write lock for the whole busy timeout (a
    `sqlite3` shell left in a transaction, a file copy holding it): not a bug, and the
    command is safe to run again. Every writing command crashed here with a traceback and
    exit 3."""
    waited = float(connection.settings_dict["OPTIONS"].get("timeout", 5.0))
    return CommandError(
        f"the database {_database_named()} is locked: another process held its write lock "
        f"for {waited:g} seconds (a `sqlite3` shell in a transaction?); run this again once "
        "it lets go (what this run stored before is kept)",
        returncode=EXIT_NOTHING_DONE,
    )


def _not_set_up(reason: object = "") -> CommandError:
    """A new data dir or a new release: what to do, instead of a "no such table" trace."""
    said = f" ({reason})" if str(reason) else ""
    return CommandError(
        f"the database {_database_named()} is not set up for this release yet: run "
        f"`headlines migrate` first (or `headlines run`, which migrates).{said}",
        returncode=EXIT_NOTHING_DONE,
    )


def database_usable() -> bool:
    """Whether the database opens at all (its server up and letting us in, a SQLite file that
    is one)."""
    try:
        connection.ensure_connection()
    except DatabaseError:
        return False
    return True


def _migrations_pending() -> bool | None:
    """Whether this release has migrations the database lacks; None when the database
    cannot even be asked (its server down, its credentials refused)."""
    if not database_usable():
        return None
    try:
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return True


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse `type=`: a whole number from `low` to `high`, or a usage error (exit 2)
    that says so. (A bare `int` took a port of 99999, which the resolver wrapped round to
    34463, and 100000 web threads.)"""

    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(
                f"{value!r}: expected a whole number from {low} to {high}"
            )
        return number

    return parse


def parse_day(value: str | None) -> dt.date | None:
    """A command's `--date YYYY-MM-DD` (None when not given); a clear error otherwise."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"--date {value!r} must be a date like 2026-11-25", field="date"
        ) from None


def _database_named() -> str:
    """Which database a command used, for a message: run from another folder, the default
    data folder (`./var`) is a new, empty one, and "not set up" alone did not say why."""
    named = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"{os.path.abspath(str(named['NAME']))} (in HEADLINES_DATA_DIR)"
    host = named.get("HOST") or "its local socket"
    return f"{named['NAME']!r} on {host} (HEADLINES_DATABASE_URL)"


def unset_base_url_note() -> str | None:
    """For a command that renders emails' links outside `headlines run` (`digest build`,
    `send`, `worker`): without HEADLINES_BASE_URL, `headlines run` links to its own --host and
    --port, but another process cannot know them and links to the default, port 8000, so one
    email held story links to :8000 beside unsubscribe links to the server's own port."""
    from django.conf import settings

    from headlines.config import given

    if given("HEADLINES_BASE_URL"):
        return None
    return (
        f"note: HEADLINES_BASE_URL is unset, so links rendered here point at {settings.BASE_URL}; "
        "set it (environment or .env) to the address readers open, for every process."
    )
