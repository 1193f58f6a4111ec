"""`headlines run`'s processes: web processes sharing one listening socket, and (embedded tier)
one worker process at a lower CPU priority, started, watched and stopped together.

Waitress serves a process's requests on threads that share one interpreter lock, so one process
uses at most one core. The parent binds the socket, then forks HEADLINES_WEB_PROCESSES web
processes that all accept from it (the kernel hands each connection to one of them), and a worker
process that runs the embedded worker and scheduler under `os.nice(HEADLINES_WORKER_NICE)`: under
a spike the sign-ups get the CPU and the confirmation emails, durable rows in the job table,
drain right after. A web process rings the worker's doorbell (one byte down a pipe) when it
commits a job; the worker also polls, so a lost byte costs at most HEADLINES_JOB_POLL_SECONDS.

Each child holds the read end of a lifeline pipe whose only write end the parent keeps: when the
parent dies, even by SIGKILL, the children read end-of-file and stop as if sent SIGTERM, so none
is left behind holding the port. SIGTERM or Ctrl-C on the parent stops every child the same way
(web: finish the requests in hand; worker: finish or give back its jobs) and waits for them.
A child that dies on its own is started again; children that keep dying stop the service.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections

log = logging.getLogger(__name__)

# More restarts than this within RESTART_WINDOW seconds: something is wrong, stop the service.
MAX_RESTARTS, RESTART_WINDOW = 5, 60.0
# How often the parent looks for ended children. It never blocks in waitpid: Python runs a
# signal's handler (SIGTERM's stop) only between bytecodes, and a signal that lands just before
# a blocking call leaves its handler waiting until that call returns - in waitpid, until a child
# ends. A fresh-clone CI run once left a parent in waitpid after SIGTERM, its children serving.
WAIT_POLL_SECONDS = 0.2
# How long a child's thread may keep the interpreter lock while another thread waits for it
# (Python's default: 5 ms). A thread holding SQLite's write lock gives up the interpreter lock
# around every statement and waits to get it back from the process's busy threads: at 5 ms a
# turn, a sign-up's 0.3 ms transaction held the database's one write lock 40-50 ms at its 99th
# percentile under a spike, every other writer waiting. At 1 ms, 12 ms (docs/benchmarks.md,
# "Sixth pass").
SWITCH_INTERVAL = 0.001


class ChildrenFailing(RuntimeError):
    """Children of `headlines run` keep dying; the service stops rather than spin."""


@dataclass
class Role:
    name: str  # "web" or "worker", shown in the log and the process list
    main: Callable[[], None]  # runs in the child until SIGTERM, then returns


def cpu_count() -> int:
    """Cores this process may run on (a container's CPU set, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class _Flag:
    """A yes or no that a signal handler may set: an attribute, no lock. `threading.Event`
    takes a lock in `set()`, and a second stop signal arriving while the first handler was inside
    it ran the handler again in the same thread, which waited forever for the lock its own outer
    frame held: `headlines run`'s worker hung at SIGTERM until the parent's SIGKILL."""

    def __init__(self) -> None:
        self._on = False

    def set(self) -> None:
        self._on = True

    def clear(self) -> None:
        self._on = False

    def is_set(self) -> bool:
        return self._on


# Set by the first stop signal, whether or not its KeyboardInterrupt reaches anyone: one raised
# while the process forks lands in the fork's own handlers (logging's lock release), where
# Python ignores exceptions ("Exception ignored in: <function _releaseLock>"), and `headlines
# run` went on watching, restarting the children the same signal had stopped.
_stop_requested = _Flag()


def stop_requested() -> bool:
    """Whether a stop signal reached this process. A child's main loop reads it too (web:
    `webserver.web_process_main`, worker: `worker.worker_process_main`): a KeyboardInterrupt
    raised where Python ignores exceptions (a finaliser, a callback of the collector, a fork's
    handlers) is lost, and such a child went on serving until the parent's SIGKILL 30 s later."""
    return _stop_requested.is_set()


def stop_on_signal(signum: int, frame: object) -> None:
    """SIGTERM's and SIGINT's handler in `headlines run` and its children: stop, once.

    A second signal (Ctrl-C reaches the whole process group, then the parent sends SIGTERM;
    `make run` passes on a SIGTERM its process group already had) must not cut the clean stop
    short, such as the worker giving back its jobs or the parent reaping its children. Later
    signals go to a handler that does nothing rather than to SIG_IGN: one already delivered
    when this runs would find no handler and print "Signal 15 ignored due to race condition".
    The request is also written down (`Supervisor.wait` reads it), in case the interrupt is
    lost. The handlers are swapped first, so that a signal arriving while this runs finds
    `_stopping`, not this handler again.
    """
    signal.signal(signal.SIGTERM, _stopping)
    signal.signal(signal.SIGINT, _stopping)
    _stop_requested.set()
    raise KeyboardInterrupt


def stacks_on_request(signum: int = signal.SIGUSR1) -> None:
    """`kill -USR1 PID` prints the stack of every thread of that process to its stderr (the
    service's log), and the process goes on: what a process that does not stop, or does not
    answer, is doing. Processes forked afterwards (`headlines run`'s children) keep it."""
    faulthandler.register(signum, all_threads=True, chain=False)


def _stopping(signum: int, frame: object) -> None:
    """A stop signal after the first: the stop is under way already."""


def _watch_parent(lifeline: int) -> None:
    """Block until the parent's end of the lifeline closes, then stop this process."""
    while True:
        try:
            if not os.read(lifeline, 1):
                break
        except InterruptedError:
            continue
        except OSError:
            break
    os.kill(os.getpid(), signal.SIGTERM)


class Supervisor:
    """Forks the roles, restarts one that dies, stops them all on `stop()`."""

    def __init__(
        self, roles: list[Role], *, parent_only: tuple[int, ...] = (), stop_timeout: float = 30.0
    ) -> None:
        """`parent_only`: file descriptors the children close at once (write ends of pipes
        whose end-of-file tells the children something, like the lifeline's)."""
        self.roles = roles
        self.parent_only = parent_only
        self.stop_timeout = stop_timeout
        self.children: dict[int, Role] = {}
        self.restarts: list[float] = []
        self.stopping = False
        self._lifeline_read, self._lifeline_write = os.pipe()

    def close(self, fd: int) -> None:
        """Close one of the `parent_only` descriptors here (children started later no longer
        inherit it, so they must not close its number)."""
        self.parent_only = tuple(other for other in self.parent_only if other != fd)
        os.close(fd)

    def start(self) -> Supervisor:
        gc.collect()
        for role in self.roles:
            self._fork(role)
        return self

    def pids(self, name: str | None = None) -> list[int]:
        return [pid for pid, role in self.children.items() if name in (None, role.name)]

    def _fork(self, role: Role) -> int:
        # No database connection may cross a fork: SQLite's and libpq's handles are not
        # fork-safe, and the child opens its own on first use.
        connections.close_all()
        # What the parent has loaded (Django, the URL map, templates, the app's modules) lives
        # as long as the child: frozen, the child's full collections skip it. Without this a
        # web process's full collection walked the whole heap, 70-130 ms with every thread of
        # the process stopped, holding SQLite's write lock if it had it: the sign-up spike's
        # slowest 1 % (docs/benchmarks.md, "Fourth pass"). Shared pages also stay shared.
        # (`start` collects the parent's garbage once, before the first fork.)
        gc.freeze()
        pid = os.fork()
        if pid:
            gc.unfreeze()  # the parent's own garbage is still collected
        if pid == 0:  # the child never returns from here
            code = 0
            try:
                for fd in (self._lifeline_write, *self.parent_only):
                    os.close(fd)
                signal.signal(signal.SIGTERM, stop_on_signal)
                signal.signal(signal.SIGINT, stop_on_signal)
                sys.setswitchinterval(SWITCH_INTERVAL)
                threading.Thread(
                    target=_watch_parent, args=(self._lifeline_read,), daemon=True
                ).start()
                role.main()
            except KeyboardInterrupt:
                pass
            except BaseException:
                log.exception("the %s process crashed", role.name)
                code = 1
            finally:
                try:
                    connections.close_all()
                finally:
                    logging.shutdown()
                    os._exit(code)
        self.children[pid] = role
        return pid

    def wait(self) -> None:
        """Watch the children until `stop()` (from a signal handler or another thread) or a
        stop signal (`stop_on_signal`)."""
        while self.children and not self.stopping and not _stop_requested.is_set():
            pid, status = os.waitpid(-1, os.WNOHANG)
            if not pid:
                time.sleep(WAIT_POLL_SECONDS)
                continue
            role = self.children.pop(pid, None)
            if role is None or self.stopping or _stop_requested.is_set():
                continue
            log.warning(
                "the %s process %d ended (%s); starting another",
                role.name,
                pid,
                _describe(status),
            )
            now = time.monotonic()
            self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW] + [now]
            if len(self.restarts) > MAX_RESTARTS:
                raise ChildrenFailing(
                    f"{len(self.restarts)} processes of `headlines run` ended within "
                    f"{RESTART_WINDOW:.0f} s; see the log above"
                )
            self._fork(role)

    def stop(self) -> None:
        """SIGTERM every child, wait for them (SIGKILL after `stop_timeout`), reap them."""
        self.stopping = True
        for pid in list(self.children):
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while self.children:
            for pid in list(self.children):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    self.children.pop(pid, None)
            if self.children and time.monotonic() > deadline:
                for pid in self.children:
                    log.warning("process %d did not stop in time; killing it", pid)
                    _signal(pid, signal.SIGKILL)
                deadline = float("inf")
            time.sleep(0.05)
        for fd in (self._lifeline_read, self._lifeline_write):
            with contextlib.suppress(OSError):
                os.close(fd)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
