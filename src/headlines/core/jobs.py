"""Background jobs: durable rows in the database, run by whichever worker claims them.

The public face is small:

- `@job("app.action", long=False, max_attempts=None)` (or `register(name, func, ...)`) declares
  a handler. It receives ids and other JSON values as keyword arguments, never model
  instances, and must be safe to run twice.
- `enqueue("app.action", key="…", delay=seconds, **payload)` writes the job into the job
  table *inside the caller's transaction*: the change and the job that follows from it commit
  together or not at all. After the commit a doorbell rings (see below); the row, not the
  doorbell, is what counts. With a `key`, a job whose key already waits in the queue is not
  queued twice, only brought forward (the periodic ticks and the delivery fan-out rely on this).

Doorbells (`Backend.ring`), one per tier:

- `EmbeddedWorker` (core.worker; no HEADLINES_BROKER_URL): threads inside `headlines run` that
  wake at once for jobs queued in the process and poll for the rest;
- `CeleryBackend` (HEADLINES_BROKER_URL set): publishes the job's id; the Celery task claims
  the row and runs it. A lost message costs a delay: the scheduler rings again for due jobs
  nobody has picked up;
- `ImmediateBackend`: claims and runs the job in the caller's thread once it commits (tests,
  one-off commands).

A job is claimed under a lease (HEADLINES_JOB_LEASE_SECONDS) renewed by its worker's
heartbeat; a worker that dies leaves jobs that another runs again once the lease runs out. A
job that raises is tried again after a doubling backoff and ends `failed`, with its error, in
the admin (Jobs), where staff can retry it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.db import transaction

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Spec:
    name: str
    func: Callable[..., Any]
    long: bool  # runs for minutes (a send, an ingest): kept off the embedded short-job thread
    max_attempts: int | None


_REGISTRY: dict[str, Spec] = {}


def register(
    name: str, func: Callable[..., Any], *, long: bool = False, max_attempts: int | None = None
) -> None:
    """Register `func` as the background job `name`."""
    if name in _REGISTRY and _REGISTRY[name].func is not func:
        raise ValueError(f"job {name!r} is registered twice")
    _REGISTRY[name] = Spec(name, func, long, max_attempts)


def job(name: str, *, long: bool = False, max_attempts: int | None = None) -> Callable[[F], F]:
    """Decorator form of `register`."""

    def decorate(func: F) -> F:
        register(name, func, long=long, max_attempts=max_attempts)
        return func

    return decorate


def registered() -> dict[str, Callable[..., Any]]:
    return {name: spec.func for name, spec in _REGISTRY.items()}


def run_job(name: str, kwargs: dict[str, Any]) -> Any:
    """Call job `name`'s handler now, in this thread, with no row (tests, direct calls)."""
    try:
        spec = _REGISTRY[name]
    except KeyError:
        raise LookupError(f"no job named {name!r}") from None
    return spec.func(**kwargs)


def long_kinds() -> frozenset[str]:
    return frozenset(name for name, spec in _REGISTRY.items() if spec.long)


def distributed() -> bool:
    """True in the Celery tier: jobs may run in many processes on many machines."""
    from django.conf import settings

    return bool(settings.CONFIG["HEADLINES_BROKER_URL"])


def enqueue(name: str, /, *, key: str = "", delay: float = 0.0, **payload: Any) -> int | None:
    """Write job `name` in the current transaction; ring its doorbell once that commits.

    With a `key` that already waits in the queue, no second job is added: the waiting one is
    brought forward if it was due later, its doorbell rings again, and its id is returned.
    """
    from headlines.core import jobqueue

    if not key:
        return enqueue_prepared(name, delay=delay)(**payload)
    spec = _spec(name)
    job_id = jobqueue.insert(
        kind=name,
        key=key,
        payload=json.dumps(payload),  # ids and plain values only: fail here, not in a worker
        max_attempts=_max_attempts(spec),
        run_after=_run_after(delay),
    )
    if job_id is not None:
        _ring_on_commit(job_id, name, delay)
    return job_id


def enqueue_prepared(name: str, /, *, delay: float = 0.0) -> Callable[..., int]:
    """`enqueue` of a job without a key, in two steps: its row is computed now, before the
    caller's write transaction, and the function returned writes it with its payload inside
    that transaction (only the INSERT runs there) and rings its doorbell once it commits."""
    from headlines.core import jobqueue

    spec = _spec(name)
    row = jobqueue.prepared(
        kind=name, max_attempts=_max_attempts(spec), run_after=_run_after(delay)
    )

    def write(**payload: Any) -> int:
        text = json.dumps(payload)  # ids and plain values only: fail here, not in a worker
        job_id = int(row.run(payload=text).pk)
        _ring_on_commit(job_id, name, delay)
        return job_id

    return write


def _spec(name: str) -> Spec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"no job named {name!r}") from None


def _max_attempts(spec: Spec) -> int:
    from django.conf import settings

    return spec.max_attempts or int(settings.CONFIG["HEADLINES_JOB_MAX_ATTEMPTS"])


def _run_after(delay: float) -> dt.datetime:
    from headlines.core import clock

    return clock.now() + dt.timedelta(seconds=max(0.0, delay))


def _ring_on_commit(job_id: int, name: str, delay: float) -> None:
    wait = max(0.0, delay)
    transaction.on_commit(lambda: ring([(job_id, name)], delay=wait), robust=True)


# --- running ----------------------------------------------------------------------------------

_owner: tuple[int, str] | None = None


def process_owner() -> str:
    """This process's lease owner name (a new one after a fork)."""
    global _owner
    if _owner is None or _owner[0] != os.getpid():
        _owner = (os.getpid(), f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    return _owner[1]


def _call(claimed: Any) -> None:
    spec = _REGISTRY.get(claimed.kind)
    if spec is None:
        raise LookupError(f"no job named {claimed.kind!r} is registered in this process")
    spec.func(**json.loads(claimed.payload))


class Stop(Protocol):
    """A worker's stop: a threading.Event in `headlines run`'s worker, a multiprocessing one
    shared by a Celery worker's processes (`celery_app`)."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


# The stop of the worker running this thread's job, for a long job to end early and resume later.
_running = threading.local()


def stop_requested() -> Stop | None:
    """The running job's worker stop (None outside a job, or where a worker has none: Celery).

    A long job that can stop between safe points (a sender, between messages) watches it, so
    a worker stopped mid-job gives back its work instead of being cut off in the middle."""
    return getattr(_running, "stop", None)


# Jobs that ran are marked done together at the batch's end, or as soon as this long has passed
# since the last mark: a batch of quick jobs is one write, and behind a slow relay (a
# confirmation email taking a second) each is marked before the next starts, so a worker
# killed mid-batch runs again only the job in hand, not every one the batch had done.
FINISH_SECONDS = 0.1


def run_claimed(claimed: Iterable[Any], *, owner: str, stop: Stop | None = None) -> int:
    """Run jobs this owner holds, one after another; mark the ones that ran done together
    (at the end, or every FINISH_SECONDS).

    Returns how many succeeded. A job that raises is recorded (retry later or failed) and the
    rest go on. Once `stop` is set the rest are left held, for the worker's stop to give back:
    a stopping worker (a lower-priority process on a busy machine, say) finishes the job in
    hand, not the whole batch, before its stop gives up waiting.
    """
    from headlines.core import jobqueue

    done: list[int] = []
    succeeded = 0
    marked = time.monotonic()
    _running.stop = stop
    try:
        for item in claimed:
            if stop is not None and stop.is_set():
                break
            try:
                _call(item)
            except Exception as exc:
                status = jobqueue.fail(owner=owner, job=item, error=_describe(exc))
                log.warning("job %s #%d failed (%s): %s", item.kind, item.id, status, exc)
            else:
                done.append(item.id)
                succeeded += 1
            if done and time.monotonic() - marked >= FINISH_SECONDS:
                jobqueue.finish(owner=owner, ids=done)
                done, marked = [], time.monotonic()
    finally:
        _running.stop = None
        jobqueue.finish(owner=owner, ids=done)
    return succeeded


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)).strip()


def run_by_id(job_id: int, *, stop: Stop | None = None) -> bool:
    """Claim job `job_id` if it is due and unheld, and run it here (a doorbell's answer);
    `stop`: the worker's own, set when it begins to stop (`celery_app`)."""
    from headlines.core import jobqueue

    owner = process_owner()
    claimed = jobqueue.claim_one(owner=owner, job_id=job_id)
    if claimed is None:
        return False  # done already, not due yet, or another worker holds it
    with heartbeat(owner):
        return run_claimed([claimed], owner=owner, stop=stop) == 1


class _Heartbeat:
    """Renews the leases of a process's running jobs while any runs (one thread a process)."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.active = 0
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> _Heartbeat:
        with self.lock:
            self.active += 1
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._beat, name="headlines-job-heartbeat", daemon=True
                )
                self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.active -= 1

    def _beat(self) -> None:
        from django.conf import settings
        from django.db import connections

        from headlines.core import jobqueue

        every = max(0.5, int(settings.CONFIG["HEADLINES_JOB_LEASE_SECONDS"]) / 3)
        while not self.wake.wait(every):
            with self.lock:
                if self.active <= 0:
                    self.thread = None
                    break
            try:
                jobqueue.renew(owner=self.owner)
            except Exception:
                log.exception("could not renew job leases")
        connections.close_all()


_heartbeats: dict[str, _Heartbeat] = {}
_heartbeats_lock = threading.Lock()


def heartbeat(owner: str) -> _Heartbeat:
    """`with heartbeat(owner):` keeps `owner`'s job leases alive while the block runs."""
    with _heartbeats_lock:
        beat = _heartbeats.get(owner)
        if beat is None:
            beat = _heartbeats[owner] = _Heartbeat(owner)
        return beat


# --- doorbells --------------------------------------------------------------------------------


class Backend(Protocol):
    def ring(self, job_ids: list[int], delay: float = 0.0, long: bool = False) -> None:
        """The jobs are committed and due in `delay` seconds: have them run. `long`: they are
        all long jobs (the Celery tier sends their doorbells to a queue of their own)."""


class ImmediateBackend:
    """Runs each job in the caller's thread as soon as it commits (a delayed one is left for
    a worker)."""

    def ring(self, job_ids: list[int], delay: float = 0.0, long: bool = False) -> None:
        if delay > 0:
            return
        for job_id in job_ids:
            run_by_id(job_id)


# Delayed jobs due within this many seconds get a doorbell with a countdown; later ones are
# rung by the scheduler when they come due (`ring_overdue`).
MAX_COUNTDOWN = 60.0


class CeleryBackend:
    """Publishes job ids; a Celery worker claims the row and runs it."""

    lost_doorbells = True  # the scheduler rings again for due jobs nobody picked up

    def ring(self, job_ids: list[int], delay: float = 0.0, long: bool = False) -> None:
        if delay > MAX_COUNTDOWN:
            return  # held that long by a worker, a message outlives brokers' ack timeouts
        from kombu.exceptions import OperationalError

        from headlines.core.celery_app import app, queue_for

        queue = queue_for(long=long)
        try:
            for job_id in job_ids:
                app.send_task(
                    "headlines.run_job",
                    args=[job_id],
                    countdown=delay or None,
                    queue=queue,
                    # Celery's log lines name the task by this id: the job's own, not a bare UUID.
                    task_id=f"job-{job_id}-{uuid.uuid4().hex[:12]}",
                )
        except (OperationalError, OSError) as exc:
            # The jobs are committed; the scheduler rings again for them (`ring_overdue`).
            # Raised, this printed a 40-line traceback for every sign-up while the broker was
            # down (Django's robust on_commit logged it), and at every tick of the scheduler.
            log.warning(
                "broker unreachable (%s): job(s) %s wait for the scheduler to ring again",
                exc,
                ", ".join(str(j) for j in job_ids),
            )


_backend: Backend | None = None
_backend_lock = threading.Lock()


def set_backend(backend: Backend | None) -> Backend | None:
    global _backend
    with _backend_lock:
        previous, _backend = _backend, backend
    return previous


def get_backend() -> Backend:
    global _backend
    with _backend_lock:
        if _backend is None:
            # A one-off command in the embedded tier runs what it queues before it exits.
            _backend = CeleryBackend() if distributed() else ImmediateBackend()
        return _backend


def ring(jobs: list[tuple[int, str]], delay: float = 0.0) -> None:
    """Ring for committed jobs, given as (id, kind): short and long ones apart."""
    backend, longs = get_backend(), long_kinds()
    for long in (False, True):
        ids = [job_id for job_id, kind in jobs if (kind in longs) == long]
        if ids:
            backend.ring(ids, delay=delay, long=long)


def ring_overdue(*, quiet_seconds: float) -> int:
    """Ring again for due jobs nobody picked up (lost doorbells, retries come due, dead
    workers' leases); only backends whose doorbells can be lost need it."""
    if not getattr(get_backend(), "lost_doorbells", False):
        return 0
    from headlines.core import jobqueue

    overdue = jobqueue.unrung(quiet_seconds=quiet_seconds)
    ring(overdue)
    return len(overdue)


# Long: a backlog a week after a spike takes seconds to delete (core.housekeeping), and a short
# job claimed in the same batch as confirmation emails would hold them back that long.
@job("core.jobs_purge", long=True)
def purge_done(days: int = 7) -> int:
    """Forget done jobs after a week: the table stays small, failed ones stay for staff."""
    from headlines.core import jobqueue

    return jobqueue.purge(older_than=dt.timedelta(days=days))
