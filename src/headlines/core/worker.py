"""The embedded tier's worker: threads in `headlines run` that claim jobs from the job table.

Thread 0 runs only short jobs (confirmation emails and the like), so a sign-up is answered while
a digest goes out; thread 1 takes a due long job (`long=True`: sends, ingest, builds,
housekeeping) first and short ones when none is due, so a sign-up spike whose emails outrun the
worker never holds the evening's send back until it drains; the other threads take short jobs
first and long ones when no short job waits. A worker of one thread takes each kind first in
turn. Short jobs are claimed in batches of HEADLINES_JOB_BATCH in one short write transaction,
and marked done together (or every tenth of a second, `jobs.FINISH_SECONDS`, when they are
slow). A job queued in this process wakes the threads at once, and so does one committed in a
web process of the same `headlines run` (its `Doorbell` writes a byte down a pipe that `listen`
reads); others (retries coming due, jobs queued by a command in another process) are found by
polling every HEADLINES_JOB_POLL_SECONDS.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import close_old_connections, connections

from headlines.core import jobqueue, jobs

if TYPE_CHECKING:
    from headlines.core.scheduler import Scheduler

log = logging.getLogger(__name__)

# The longest a pipe read waits before looking again (see read_until_closed).
READ_WAKE_SECONDS = 0.5


class EmbeddedWorker:
    def __init__(self, *, threads: int, batch: int = 10, poll_seconds: float = 1.0) -> None:
        self.threads = max(1, threads)
        self.batch = max(1, batch)
        self.poll_seconds = max(0.05, poll_seconds)
        self.owner = jobs.process_owner()
        self.event = threading.Event()
        self.stopping = threading.Event()
        self.workers: list[threading.Thread] = []
        self.beat = jobs.heartbeat(self.owner)

    @classmethod
    def from_settings(cls) -> EmbeddedWorker:
        from django.conf import settings

        config = settings.CONFIG
        return cls(
            threads=int(config["HEADLINES_WORKER_THREADS"]),
            batch=int(config["HEADLINES_JOB_BATCH"]),
            poll_seconds=float(config["HEADLINES_JOB_POLL_SECONDS"]),
        )

    # The doorbell: a job committed in this process.
    def ring(self, job_ids: list[int], delay: float = 0.0, long: bool = False) -> None:
        if delay <= 0:  # a delayed job is found by the poll when it comes due
            self.event.set()

    def listen(self, fd: int, stop: Callable[[], bool] | None = None) -> None:
        """Wake the threads for every byte read from `fd` (another process's `Doorbell`);
        returns when the pipe's write ends are all closed, the worker stops, or `stop()`."""

        def stopped() -> bool:
            return self.stopping.is_set() or (stop is not None and stop())

        read_until_closed(fd, self.event.set, stop=stopped)

    def start(self) -> EmbeddedWorker:
        self.beat.__enter__()
        for n in range(self.threads):
            thread = threading.Thread(
                target=self._run, args=(n,), name=f"headlines-job-{n}", daemon=True
            )
            thread.start()
            self.workers.append(thread)
        return self

    def _run(self, n: int) -> None:
        alone = self.threads == 1
        short_only = not alone and n == 0
        long_first = n == 1
        try:
            while not self.stopping.is_set():
                self.event.clear()
                close_old_connections()
                try:
                    worked = self.work_once(short_only=short_only, long_first=long_first)
                    if alone and worked:
                        long_first = not long_first
                except Exception:
                    log.exception("the job worker could not claim jobs; trying again")
                    worked = False
                    self.stopping.wait(self.poll_seconds)
                if not worked:
                    self.event.wait(self.poll_seconds)
        finally:
            connections.close_all()

    def work_once(self, *, short_only: bool = False, long_first: bool = False) -> bool:
        """Claim and run one batch of short jobs, or else one long job (`long_first`: one long
        job, or else a batch of short ones); False if none was due."""
        long = jobs.long_kinds()

        def shorts() -> list[jobqueue.Claimed]:
            return jobqueue.claim(owner=self.owner, limit=self.batch, exclude=long)

        def one_long() -> list[jobqueue.Claimed]:
            if short_only or not long:
                return []
            return jobqueue.claim(owner=self.owner, limit=1, kinds=long)

        claimed = (one_long() or shorts()) if long_first else (shorts() or one_long())
        if not claimed:
            return False
        jobs.run_claimed(claimed, owner=self.owner, stop=self.stopping)
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the jobs in hand (up to `timeout`), then give back what is still held."""
        self.stopping.set()
        self.event.set()
        for thread in self.workers:
            thread.join(timeout)
        self.beat.__exit__(None, None, None)
        try:
            released = jobqueue.release(owner=self.owner)
        finally:
            connections.close_all()
        if released:
            log.info("gave back %d jobs still held at stop", released)


class Doorbell:
    """The web processes' job backend in `headlines run`: one byte down the worker's pipe per
    commit. The job row is what counts; a byte that cannot be written (the pipe is full, so the
    worker has wake-ups waiting, or it is restarting) costs at most one poll interval."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def ring(self, job_ids: list[int], delay: float = 0.0, long: bool = False) -> None:
        if delay > 0:  # a delayed job is found by the worker's poll when it comes due
            return
        with contextlib.suppress(BlockingIOError, BrokenPipeError):
            os.write(self.fd, b"!")


def worker_process_main(
    doorbell: int, *, nice: int, tick_seconds: float, scheduler_gate: int | None = None
) -> None:
    """The worker process of `headlines run`: the embedded worker and the scheduler, at a
    lower CPU priority than the web processes, until SIGTERM (KeyboardInterrupt).

    With a `scheduler_gate` (the read end of a pipe), the scheduler starts only once that pipe's
    writers have all closed it: `run --demo` ingests and builds before the first tick would."""
    from headlines.core import scheduler, supervisor

    if nice > 0:
        try:
            os.nice(nice)
        except OSError:  # not permitted here: run at the same priority
            log.warning("could not lower the worker process's CPU priority")
    worker = EmbeddedWorker.from_settings().start()
    jobs.set_backend(worker)
    sched = scheduler.Scheduler(tick_seconds)
    if scheduler_gate is None:
        sched.start_thread()
    else:
        threading.Thread(
            target=_start_when_open,
            args=(scheduler_gate, sched),
            name="headlines-gate",
            daemon=True,
        ).start()
    try:
        # Until SIGTERM's KeyboardInterrupt, or its stop written down if that was lost.
        worker.listen(doorbell, stop=supervisor.stop_requested)
    finally:
        sched.stop()
        worker.stop()


def _start_when_open(gate: int, sched: Scheduler) -> None:
    read_until_closed(gate)
    sched.start_thread()


def read_until_closed(
    fd: int, on_data: Callable[[], object] | None = None, *, stop: Callable[[], bool] | None = None
) -> None:
    """Read `fd` (a pipe's read end) until every write end is closed (or it fails, or `stop()`
    is true), calling `on_data` for each read. The os retries reads a signal interrupts (PEP 475).

    It never blocks longer than READ_WAKE_SECONDS: in the main thread, a SIGTERM that lands just
    before a blocking read has its handler (the process's stop) run only when the read returns,
    which on a quiet doorbell could be never (supervisor.WAIT_POLL_SECONDS says the same)."""
    waiting = select.poll()
    waiting.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while stop is None or not stop():
        try:
            if not waiting.poll(READ_WAKE_SECONDS * 1000):
                continue
            if not os.read(fd, 4096):
                return
        except OSError:
            return
        if on_data is not None:
            on_data()
