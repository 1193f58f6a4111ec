from __future__ import annotations

import os
import stat
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from rich.console import Console
from rich.table import Table
from rich.text import Text

from headlines.core.command import HeadlinesCommand, standard_input, utf8_output
from headlines.core.errors import InvalidInput
from headlines.subscriptions import csvfiles


class Command(HeadlinesCommand):
    path_options = frozenset({"file"})
    help = (
        "Subscribers: `subscribers import FILE.csv --edition SLUG` (rows arrive confirmed), "
        "`subscribers export [--edition SLUG]` (CSV with each subscription's status)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="Import confirmed readers: columns email, consent_source, consent_at "
            "(ISO 8601 with offset), optional marketing (yes/no), timezone, name, topics "
            "(topic slugs separated by ;).",
        )
        imp.add_argument("file", help="The CSV file (UTF-8); - reads standard input.")
        imp.add_argument("--edition", required=True, help="Slug of the edition, e.g. us.")
        exp = sub.add_parser("export", help="Write every subscription as CSV.")
        exp.add_argument("--edition", default=None, help="Only this edition's subscriptions.")
        exp.add_argument(
            "--output", default=None, help="File to write (default, or -: standard output)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options["file"], options["edition"])
        else:
            self._export(options["edition"], options["output"])

    def _import(self, name: str, edition: str) -> None:
        text = csvfiles.decode(_read(name))
        report = csvfiles.subscribers_import_csv(text=text, edition_slug=edition)
        console = Console(file=self.stdout, width=120, highlight=False)  # type: ignore[arg-type]
        console.print(f"Import into {edition}: {report.summary()}", markup=False)
        if not report.bad:
            return
        table = Table("line", "reason", title=f"{len(report.bad)} row(s) not imported")
        for line, reason in report.bad:
            table.add_row(str(line), Text(reason))  # Text: a reason is never markup
        console.print(table)
        raise CommandError(
            f"{len(report.bad)} row(s) were not imported (see above)",
            returncode=1 if report.imported else 2,  # done in part, or nothing done
        )

    def _export(self, edition: str | None, name: str | None) -> None:
        if name is None or name == "-":
            with utf8_output(self.stdout) as out:
                csvfiles.subscriptions_export_csv(out=out, edition_slug=edition)
            return
        # Written beside the target and moved over it once whole: an unknown edition or a
        # failure half-way leaves an existing file as it was, never emptied or cut short.
        output = Path(name)
        if not name.strip() or not output.name or name.endswith("/"):  # "x/" is a folder's
            raise InvalidInput(f"--output {name!r} names no file", field="output")
        if _stream(output):
            # Moved over, a named pipe (or, for root, /dev/null itself) became a plain file.
            raise InvalidInput(
                f"--output {name} is {NOT_A_FILE}: name a file, or leave --output out and "
                "redirect standard output",
                field="output",
            )
        partial = output.with_name(f".{output.name}.partial")
        try:
            # Readers' addresses: for their owner alone (the umask made it 0644), unless it
            # replaces a file whose owner gave it a mode of their own.
            mode = stat.S_IMODE(output.stat().st_mode) if output.is_file() else 0o600
            partial.unlink(missing_ok=True)
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
            os.fchmod(fd, mode)  # the umask may have taken bits off a replaced file's mode
            with open(fd, "w", encoding="utf-8", newline="") as handle:
                count = csvfiles.subscriptions_export_csv(out=handle, edition_slug=edition)
            partial.replace(output)
        except OSError as exc:
            raise InvalidInput(f"cannot write {output}: {exc.strerror}", field="output") from None
        finally:
            partial.unlink(missing_ok=True)
        self.stderr.write(f"Wrote {count} subscription(s) to {output}")


def _read(name: str) -> bytes:
    """The CSV's bytes; `-` is standard input (`… | headlines subscribers import - …`)."""
    if name == "-":
        stdin = standard_input([name])
        assert stdin is not None  # `-` names it
        return stdin.read()
    if not name.strip():
        # Path("") is the working folder: this said "cannot read .: Is a directory".
        raise InvalidInput("an empty argument names no file: give the CSV file, or - for stdin")
    if _stream(Path(name)):
        # A named pipe no one writes to waited for ever; /dev/zero filled the memory.
        raise InvalidInput(f"cannot read {name}: it is {NOT_A_FILE}; pipe the CSV into - instead")
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {name}: {exc.strerror}") from None


# As `import` and `extract` say of their inputs (intake/reading/paths.py).
NOT_A_FILE = "not a file (a device, a pipe or a socket)"


def _stream(path: Path) -> bool:
    """Whether `path` (its link's target) exists and is neither a file nor a folder: a named
    pipe, a device, a socket."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):  # missing, unreachable: the read or write says why
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))
