"""Background jobs: one registry, three ways to run them.

A job is a plain function registered by name with `@job("app.action")`. It receives ids and
other JSON values, never model instances, and must be safe to run twice. `enqueue()` queues it
after the current transaction commits, on whichever backend is installed:

- `EmbeddedBackend` (no HEADLINES_BROKER_URL): a thread pool inside `headlines run`;
- `CeleryBackend` (HEADLINES_BROKER_URL set): Celery workers started by `headlines worker`;
- `ImmediateBackend`: runs the job in the caller's thread (tests, `manage`-style commands).

The database, not the broker, holds the state a job works on, so a lost message costs a delay,
never a reader: the scheduler's next tick finds the work again.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from django.db import close_old_connections, connections, transaction

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

_REGISTRY: dict[str, Callable[..., Any]] = {}


def job(name: str) -> Callable[[F], F]:
    """Register `func` as the background job `name`."""

    def register(func: F) -> F:
        if name in _REGISTRY and _REGISTRY[name] is not func:
            raise ValueError(f"job {name!r} is registered twice")
        _REGISTRY[name] = func
        return func

    return register


def registered() -> dict[str, Callable[..., Any]]:
    return dict(_REGISTRY)


def run_job(name: str, kwargs: dict[str, Any]) -> Any:
    """Run one job now, in this thread. Unknown names are an error, not a silent no-op."""
    try:
        func = _REGISTRY[name]
    except KeyError:
        raise LookupError(f"no job named {name!r}") from None
    return func(**kwargs)


class Backend(Protocol):
    def submit(self, name: str, kwargs: dict[str, Any]) -> None: ...


class ImmediateBackend:
    def submit(self, name: str, kwargs: dict[str, Any]) -> None:
        run_job(name, kwargs)


class EmbeddedBackend:
    """A small thread pool in the web process: the embedded tier's worker."""

    def __init__(self, threads: int) -> None:
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="headlines-job")

    def submit(self, name: str, kwargs: dict[str, Any]) -> None:
        self.pool.submit(self._run, name, kwargs)

    @staticmethod
    def _run(name: str, kwargs: dict[str, Any]) -> None:
        close_old_connections()
        try:
            run_job(name, kwargs)
        except Exception:
            log.exception("job %s(%s) failed", name, kwargs)
        finally:
            connections.close_all()

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)


class CeleryBackend:
    def submit(self, name: str, kwargs: dict[str, Any]) -> None:
        from headlines.core.celery_app import app

        app.send_task("headlines.run_job", args=[name, kwargs])


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
            from django.conf import settings

            if settings.CONFIG["HEADLINES_BROKER_URL"]:
                _backend = CeleryBackend()
            else:
                # Outside `headlines run` (a one-off command) no pool would be drained: run inline.
                _backend = ImmediateBackend()
        return _backend


def enqueue(name: str, **kwargs: Any) -> None:
    """Queue job `name` once the current transaction commits (at once outside one)."""
    if name not in _REGISTRY:
        raise LookupError(f"no job named {name!r}")
    json.dumps(kwargs)  # ids and plain values only: fail here, not in a worker
    transaction.on_commit(lambda: get_backend().submit(name, kwargs), robust=True)
