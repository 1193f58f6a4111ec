"""Periodic jobs: what runs every N seconds, and the loop that runs it.

Apps register periodic jobs with `every(seconds, "app.job")` in their `jobs.py`. Each tick
enqueues the jobs that are due, and (Celery tier) rings again for due jobs whose doorbell was
lost. Several schedulers may run at once (one per machine): a periodic job is enqueued once per
period of the project's clock, by whichever scheduler ticks first in it (the job table says
whether one did), so a second scheduler, or one restarted, adds no runs. Two ticking at the same
instant can still both write one; every periodic job is idempotent and works from database
state, so that is only wasted work.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from headlines.core import jobs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    seconds: float


_PERIODIC: dict[str, Periodic] = {}


def every(seconds: float, name: str) -> None:
    _PERIODIC[name] = Periodic(name, seconds)


every(3600, "core.jobs_purge")


def periodic_jobs() -> list[Periodic]:
    return sorted(_PERIODIC.values(), key=lambda p: p.name)


def _enqueue_once_per_period(periodic: Periodic) -> bool:
    """Enqueue `periodic` unless a scheduler already did in this period (periods counted from
    the epoch on the project's clock, so every scheduler on every machine agrees on them).

    Keyed, too: a tick while the last one still waits (no worker free) leaves one waiting
    job, not a pile. Two schedulers used to run every periodic job twice a period (the key
    only holds while a job waits: `intake.ingest_due` ran twice a minute), and a restarted one
    ran all of them at once, the hourly purge included."""
    from headlines.core import clock, jobqueue

    key = f"periodic:{periodic.name}"
    epoch = clock.now().timestamp()
    start = dt.datetime.fromtimestamp(epoch - epoch % periodic.seconds, tz=dt.UTC)
    if jobqueue.created_since(kind=periodic.name, key=key, since=start):
        return False
    jobs.enqueue(periodic.name, key=key)
    return True


class Scheduler:
    def __init__(self, tick_seconds: float) -> None:
        self.tick_seconds = tick_seconds
        self.last_run: dict[str, float] = {}
        self.stop_event = threading.Event()

    def tick(self, now: float | None = None) -> list[str]:
        """Enqueue every due job; returns their names."""
        from django.db import close_old_connections

        now = time.monotonic() if now is None else now
        # As a request or a job does at its start and end: a connection the server dropped
        # since the last tick (a failover, an idle timeout, `pg_terminate_backend`) is pinged
        # and replaced, and one that failed a tick is closed. Without it every tick failed on
        # it for good, "the connection is closed", and no lost doorbell was rung again: a send
        # whose workers had lost their connections stalled until someone restarted it.
        close_old_connections()
        try:
            return self._tick(now)
        finally:
            close_old_connections()

    def _tick(self, now: float) -> list[str]:
        due = []
        for periodic in periodic_jobs():
            last = self.last_run.get(periodic.name)
            if last is None or now - last >= periodic.seconds:
                try:
                    enqueued = _enqueue_once_per_period(periodic)
                except Exception as exc:
                    # Tried again at the next tick (counted as run, an hourly purge waited an
                    # hour after a database blip), in one line: a database down said it with
                    # a traceback for every job of every tick.
                    log.warning("could not enqueue %s, trying again: %s", periodic.name, exc)
                    continue
                if not enqueued:
                    continue  # another scheduler did, this period: ask again at the next tick
                self.last_run[periodic.name] = now
                due.append(periodic.name)
        try:
            jobs.ring_overdue(quiet_seconds=max(10.0, self.tick_seconds))
        except Exception as exc:
            log.warning("could not ring for overdue jobs: %s", exc)
        return due

    def run_forever(self) -> None:
        log.info("scheduler started: %s", ", ".join(p.name for p in periodic_jobs()) or "no jobs")
        while not self.stop_event.is_set():
            self.tick()
            self.stop_event.wait(self.tick_seconds)

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="headlines-scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stop_event.set()
