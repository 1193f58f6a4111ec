from __future__ import annotations

import datetime as dt
import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from headlines.config import SETTINGS, ConfigError
from headlines.core.command import HeadlinesCommand
from headlines.core.errors import InvalidInput
from headlines.core.selectors import edition_get
from headlines.delivery.selectors import DigestProgress, digest_progress
from headlines.delivery.services import delivery_send_now
from headlines.digests.models import Digest
from headlines.digests.selectors import digest_for, digest_has_stories
from headlines.digests.services import digest_approve, digest_empty_and_outdated

# `--threads` takes what HEADLINES_DELIVERY_THREADS may be: 0 or -3 were taken as the default
# or as 1 without a word, and 100000 started as many threads and locked the database.
THREADS = next(s for s in SETTINGS if s.name == "HEADLINES_DELIVERY_THREADS")


def _threads(value: str) -> int:
    try:
        return int(THREADS.parse(value))
    except ConfigError:
        raise ArgumentTypeError(f"{value!r}: expected {THREADS.range_text}") from None


# Where the output is no terminal (cron, a log file), a progress line this often.
LINE_SECONDS = 10.0


def _day(value: str | None, timezone: str) -> dt.date:
    if value is None:
        from zoneinfo import ZoneInfo

        from headlines.core import clock

        return clock.now().astimezone(ZoneInfo(timezone)).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--date must be YYYY-MM-DD, got {value!r}", field="date") from None


def _build(edition_id: int, day: dt.date) -> Digest:
    """The digest app builds digests; imported here, when needed, not at start-up."""
    from headlines.digests.services import digest_build

    digest: Digest = digest_build(edition_id=edition_id, day=day)
    return digest


class Command(HeadlinesCommand):
    help = (
        "Deliver an edition's digest now (building and approving it first if needed) to every "
        "confirmed reader who has not had it, whatever their local time. Safe to re-run and to "
        "run on several machines at once; exits 0 once nothing is left to send."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--edition", required=True, help="Edition slug, e.g. us.")
        parser.add_argument("--date", help="The edition-local day, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--threads",
            type=_threads,
            default=None,
            help=f"Sender threads, {THREADS.bounds_text} (default HEADLINES_DELIVERY_THREADS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        edition = edition_get(slug=options["edition"])
        day = _day(options["date"], edition.timezone)
        digest = digest_for(edition_id=edition.pk, day=day)
        if digest is None or digest_empty_and_outdated(digest=digest):
            digest = _build(edition.pk, day)
        if digest.state == Digest.State.DRAFT:
            if not digest_has_stories(digest=digest):
                # Nothing to send is not a failure: scripts that re-run this until it exits 0
                # stop, and the line says why nobody was mailed.
                self.stdout.write(
                    f"{digest}: no stories to send (no articles in its window, or every story "
                    "dropped); nobody was mailed, and the draft waits for articles or an editor."
                )
                return
            digest = digest_approve(digest_id=digest.pk, by="headlines send")
        # What earlier runs (or the scheduler) sent: the closing line tells this run's part.
        before = digest_progress(digest_id=digest.pk).sent
        console = Console(file=self.stdout, width=100)  # type: ignore[arg-type]
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TextColumn("{task.fields[detail]}"),
            TimeRemainingColumn(),
        )
        # Into a log or a pipe a bar is drawn only at the end: a line every LINE_SECONDS instead.
        lines = not console.is_terminal
        said = time.monotonic()
        with Progress(*columns, console=console, transient=False, disable=lines) as bar:
            task = bar.add_task(str(digest), total=None, detail="")

            def show(p: DigestProgress) -> None:
                nonlocal said
                detail = f"deferred {p.deferred} failed {p.failed} · {p.rate:.0f}/s"
                bar.update(task, total=p.total, completed=p.done, detail=detail)
                if lines and time.monotonic() - said >= LINE_SECONDS:
                    said = time.monotonic()
                    self.stdout.write(f"{digest}: {p.done}/{p.total} done, {detail}")

            final = delivery_send_now(
                digest_id=digest.pk, progress=show, threads=options["threads"]
            )
        now = final.sent - before
        earlier = f" ({now} now, {before} before)" if before else ""
        self.stdout.write(
            f"{digest}: sent {final.sent}{earlier}, failed {final.failed}, suppressed "
            f"{final.suppressed}, skipped {final.skipped}, of {final.total} readers; nothing "
            "left to send."
        )
