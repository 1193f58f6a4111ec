"""What every test runs under: jobs inline, mail to the outbox, a clock of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from headlines.core import clock, jobs, mail, selectors


@contextmanager
def inline_jobs_and_outbox(at: clock.Clock) -> Iterator[None]:
    """Jobs run inline, mail goes to the outbox and `at` tells the time until the block ends;
    what the sign-up doors kept of earlier editions is forgotten (a rolled-back database tells
    no signal)."""
    previous_backend = jobs.set_backend(jobs.ImmediateBackend())
    previous_messenger = mail.set_messenger(None)
    previous_clock = clock.set_clock(at)
    selectors.edition_open_forget()
    try:
        yield
    finally:
        jobs.set_backend(previous_backend)
        mail.set_messenger(previous_messenger)
        clock.set_clock(previous_clock)
