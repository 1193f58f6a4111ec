from __future__ import annotations

import datetime as dt
import signal
import threading
import time
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from headlines.config import SETTINGS, ConfigError
from headlines.core.command import HeadlinesCommand, unset_base_url_note
from headlines.core.errors import InvalidInput
from headlines.core.selectors import edition_get
from headlines.delivery.models import Delivery
from headlines.delivery.selectors import DigestProgress, digest_progress
from headlines.delivery.sender import Tally
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


@dataclass
class Stop:
    event: threading.Event = field(default_factory=threading.Event)
    signum: int | None = None


@contextmanager
def _stop_on_signal() -> Iterator[Stop]:
    """Ctrl-C or SIGTERM (systemd, docker stop) during a send sets the sender's stop: the message
    on the wire is finished and every reply in hand is recorded before it exits. Killed outright
    instead, the readers whose replies were not yet written (a tenth of a second's, at most
    HEADLINES_DELIVERY_FLUSH a thread) had the digest with no row saying so, and the next run
    mailed them again. A second signal stops at once, as before."""
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop  # signals reach only the main thread (a test calling the command in a thread)
        return

    def on_signal(signum: int, _: FrameType | None) -> None:
        # The second signal is told by `signum`, set before the event: one arriving inside
        # `stop.event.set()` (which holds a lock) stops at once instead of waiting forever
        # for that lock in this same thread.
        if stop.signum is not None:
            raise KeyboardInterrupt
        stop.signum = signum
        stop.event.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


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
        if note := unset_base_url_note():
            self.stderr.write(note)
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
        mine = Tally()
        console = Console(file=self.stdout, width=100)  # type: ignore[arg-type]
        columns = (
            # Not markup: the description is the edition's name ("[/x] News" crashed the bar).
            TextColumn("{task.description}", style="bold", markup=False),
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

            with _stop_on_signal() as stop:
                final = delivery_send_now(
                    digest_id=digest.pk,
                    progress=show,
                    threads=options["threads"],
                    stop=stop.event,
                    tally=mine,
                )
        # This run's own sends: workers (or another `send`) may have sent meanwhile.
        now = mine.counts.get(Delivery.State.SENT, 0)
        if stop.signum is not None:
            self.stdout.write(
                f"{digest}: stopped after {final.sent} sent ({now} by this run), "
                f"{final.remaining} waiting; every reply is recorded: run it again to "
                "go on."
            )
            if stop.signum == signal.SIGINT:
                raise KeyboardInterrupt  # the shell's Ctrl-C: status 130, as every command
            raise SystemExit(128 + stop.signum)
        others = final.sent - before - now
        meanwhile = f", {others} by other senders meanwhile" if others > 0 else ""
        earlier = f" ({now} now, {before} before{meanwhile})" if before or meanwhile else ""
        self.stdout.write(
            f"{digest}: sent {final.sent}{earlier}, failed {final.failed}, suppressed "
            f"{final.suppressed}, skipped {final.skipped}, of {final.total} readers; nothing "
            "left to send."
        )
