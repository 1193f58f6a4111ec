"""`headlines run`'s processes, through the real command: the web processes asked for and one
worker process at a lower CPU priority; a web process that dies is replaced; SIGTERM, or the
parent's death, stops every child and leaves the port free."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.core.test_webserver import children, own_nice
from tests.delivery.children import Installation, answers

# Its other processes run on databases the test makes (tests.delivery.children), not the
# suite's, and the test itself never touches the suite's: the PostgreSQL suite deselects it.
pytestmark = pytest.mark.own_database

WORKER_NICE = 7


class Service:
    """`headlines run --processes 2` in a process group of its own."""

    def __init__(self, tmp_path: Path) -> None:
        self.install = Installation(tmp_path, HEADLINES_WORKER_NICE=str(WORKER_NICE))
        self.install.migrate()
        self.process, self.port = self.install.serve("--processes", "2", new_session=True)

    def answers(self) -> bool:
        if answers(self.port):
            return True
        assert self.process.poll() is None, self.install.log()
        return False

    def until(self, condition: object, message: str, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while not condition():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise AssertionError(f"{message}\n{self.install.log()}")
            time.sleep(0.2)

    def stopped(self) -> int:
        """The exit status of `headlines run` once it has stopped (within a minute); if it has
        not, every process's stacks (SIGUSR1) in the failure, to show what it waits on."""
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            for pid in [self.process.pid, *self.children()]:  # one at a time: dumps interleave
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGUSR1)
                time.sleep(1)
            log = self.whole_log()[-20000:]
            raise AssertionError(f"headlines run did not stop\n{log}") from None

    def whole_log(self) -> str:
        """All of `headlines run`'s output so far (`install.log()` keeps only its end)."""
        return (self.install.data_dir / "children.log").read_text(errors="replace")

    def children(self) -> dict[int, int]:
        return children(self.process.pid)

    def group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def port_free(self) -> bool:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", self.port))
            except OSError:
                return False
        return True


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    running = Service(tmp_path)
    yield running
    if running.group_alive():
        os.killpg(running.process.pid, signal.SIGKILL)
    running.process.wait(timeout=60)


def test_two_web_processes_and_one_worker_at_a_lower_priority(service: Service) -> None:
    # The first web process may answer before the last child is forked, and the worker lowers
    # its priority only once it runs.
    expected = [own_nice(), own_nice(), min(19, own_nice() + WORKER_NICE)]
    service.until(
        lambda: sorted(service.children().values()) == expected,
        f"the children's priorities are not {expected}",
    )
    assert sorted(service.children().values()) == expected


def test_sigterm_stops_every_process_and_frees_the_port(service: Service) -> None:
    service.process.send_signal(signal.SIGTERM)
    assert service.stopped() == 0
    service.until(lambda: not service.group_alive(), "a child outlived `headlines run`")
    assert service.port_free()


def test_a_second_stop_signal_during_the_stop_changes_nothing(service: Service) -> None:
    # `make run` stopped by SIGTERM to its process group (systemd, docker stop): every process
    # has one, then make passes one more on to `headlines run` while it is stopping its
    # children (and a Ctrl-C pressed twice does the same). The stop goes on quietly: no
    # KeyboardInterrupt out of the stop, no "Signal 15 ignored due to race condition".
    os.killpg(service.process.pid, signal.SIGTERM)
    time.sleep(0.05)
    service.process.send_signal(signal.SIGTERM)
    assert service.stopped() == 0, service.install.log()
    service.until(lambda: not service.group_alive(), "a child outlived `headlines run`")
    assert service.port_free()
    assert "Traceback" not in service.install.log(), service.install.log()


def test_sigusr1_prints_a_process_stacks_and_it_goes_on(service: Service) -> None:
    service.until(lambda: len(service.children()) == 3, "not two web processes and a worker")
    # Its banner is printed once every child is started and just before it waits: on a loaded
    # CI the third child was seen while the parent was still returning from its fork, and the
    # dump showed `_fork`, not the wait.
    service.until(lambda: "Ctrl-C stops." in service.whole_log(), "no banner")
    children = service.children()
    dumps = []
    # One process at a time: dumps written at once to one log interleave character by character.
    for pid in [service.process.pid, *sorted(children)]:
        start = len(service.whole_log())
        os.kill(pid, signal.SIGUSR1)
        service.until(
            lambda start=start: "most recent call first" in service.whole_log()[start:], "no dump"
        )
        time.sleep(0.5)  # the rest of that dump
        dumps.append(service.whole_log()[start:])
    parent, *others = dumps
    assert "in wait" in parent and "supervisor.py" in parent, parent
    assert sum("waitress" in dump for dump in others) == 2, others  # the web processes
    assert sum("worker.py" in dump for dump in others) == 1, others  # the worker
    assert service.answers() and service.process.poll() is None
    # Nobody stopped or was started again: the same processes. (Not their nice values: a
    # loaded CI took the first look before the fresh worker had lowered its priority, 0 then 7.)
    assert set(service.children()) == set(children)
    service.process.send_signal(signal.SIGTERM)
    assert service.stopped() == 0


def test_a_web_process_that_dies_is_replaced(service: Service) -> None:
    service.until(
        lambda: (
            sorted(service.children().values()).count(own_nice()) == 2
            and len(service.children()) == 3
        ),
        "not two web processes and a worker at a lower priority",
    )
    web = [pid for pid, nice in service.children().items() if nice == own_nice()]
    os.kill(web[0], signal.SIGKILL)
    service.until(
        lambda: len(service.children()) == 3 and web[0] not in service.children(),
        "the killed web process was not replaced",
    )
    assert service.answers()
    assert (
        "the web process" in service.install.log() and "starting another" in service.install.log()
    )


def test_when_the_parent_is_killed_its_children_stop_too(service: Service) -> None:
    # SIGKILL leaves no chance to clean up: the children notice their lifeline closing.
    service.process.send_signal(signal.SIGKILL)
    service.process.wait(timeout=60)
    service.until(lambda: not service.group_alive(), "children outlived their parent")
    assert service.port_free()


def test_wait_ends_when_stopping_is_set_though_no_child_has_ended() -> None:
    """The parent never blocks in waitpid: a stop asked for (by a signal's handler that ran
    late, or another thread) is seen while every child still runs."""
    from headlines.core.supervisor import Role, Supervisor

    supervisor = Supervisor([Role("sleeper", lambda: time.sleep(120))]).start()
    try:
        (child,) = supervisor.pids()
        timer = threading.Timer(0.5, lambda: setattr(supervisor, "stopping", True))
        timer.start()
        began = time.monotonic()
        supervisor.wait()
        assert time.monotonic() - began < 60  # not until the child's two minutes are up
        assert supervisor.pids() == [child]  # it still runs: wait() returned for the stop
    finally:
        supervisor.stop()
    assert supervisor.pids() == []


def in_a_child(value: Callable[[], object]) -> str:
    """What `value()` gives inside a child the supervisor starts, as its repr."""
    from headlines.core.supervisor import Role, Supervisor

    read, write = os.pipe()

    def report() -> None:
        os.write(write, repr(value()).encode())

    supervisor = Supervisor([Role("reporter", report)]).start()
    try:
        os.close(write)
        with os.fdopen(read) as pipe:
            return pipe.read()
    finally:
        supervisor.stop()


def test_a_child_starts_with_what_the_parent_loaded_frozen_out_of_its_collections() -> None:
    """A web process's full collection does not walk Django and the app the parent loaded (a
    stop of 70-130 ms per collection before); the parent's own collections still see all."""
    import gc

    frozen = int(in_a_child(gc.get_freeze_count) or 0)
    assert frozen > 10_000  # the test process's modules, Django's included
    assert gc.get_freeze_count() == 0


def test_a_child_hands_the_interpreter_lock_on_sooner_than_python_does() -> None:
    """A thread back from SQLite with the write lock waits at most SWITCH_INTERVAL for the
    interpreter lock, not Python's 5 ms, while its process's other threads run."""
    import sys

    from headlines.core.supervisor import SWITCH_INTERVAL

    interval = float(in_a_child(sys.getswitchinterval) or "nan")
    assert interval == SWITCH_INTERVAL < 0.005
    assert sys.getswitchinterval() == 0.005  # the parent's own is Python's


def test_a_stop_signal_whose_interrupt_is_lost_still_ends_the_watch() -> None:
    # Caught on CI: the first SIGTERM came while `headlines run` forked, and its
    # KeyboardInterrupt was raised inside the fork's own handlers (logging's lock release),
    # where Python ignores exceptions; the second found the stop "under way", and the parent
    # watched on, restarting the children the signal had stopped, until the test gave up.
    from headlines.core import supervisor as sv

    child = subprocess.Popen(["sleep", "30"])
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    watcher = sv.Supervisor([])
    watcher.children = {child.pid: sv.Role("web", lambda: None)}
    try:
        with contextlib.suppress(KeyboardInterrupt):  # where the interrupt was lost
            sv.stop_on_signal(signal.SIGTERM, None)
        watching = threading.Thread(target=watcher.wait, daemon=True)
        watching.start()
        watching.join(timeout=5)
        assert not watching.is_alive(), "the stop signal was forgotten"
        assert list(watcher.children) == [child.pid]  # nothing restarted
    finally:
        child.kill()
        child.wait()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        sv._stop_requested.clear()


def test_a_stop_signal_arriving_inside_the_first_ones_handler_is_left_to_the_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Seen at `make run`: SIGTERM to the process group, then the parent's own SIGTERM, reached
    # the worker while its handler was inside threading.Event.set(); the handler ran again in
    # the same thread and waited forever for the lock its outer frame held.
    from headlines.core import supervisor as sv

    entered: list[bool] = []

    class Interrupted(sv._Flag):
        def set(self) -> None:
            entered.append(True)
            os.kill(os.getpid(), signal.SIGTERM)  # the second signal, handled at the next
            for _ in range(1000):  # bytecode of this thread: inside this call
                pass
            super().set()

    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    monkeypatch.setattr(sv, "_stop_requested", Interrupted())
    try:
        signal.signal(signal.SIGTERM, sv.stop_on_signal)
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):
                pass
        assert entered == [True], "the second signal ran the stop handler again"
        assert sv._stop_requested.is_set()
        assert signal.getsignal(signal.SIGTERM) is sv._stopping
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def test_a_web_process_whose_stop_interrupt_is_lost_still_stops() -> None:
    # A KeyboardInterrupt raised where Python ignores exceptions (a finaliser, the collector's
    # callbacks) is lost; the web process served on until the parent's SIGKILL 30 s later.
    from waitress import wasyncore
    from waitress.server import create_server

    from headlines.core import supervisor as sv
    from headlines.core.webserver import serve_until_stopped

    def app(environ: dict, start_response: Callable) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"served"]

    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    port = server.socket.getsockname()[1]
    serving = threading.Thread(target=serve_until_stopped, args=(server,), daemon=True)
    serving.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.read() == b"served"
        assert serving.is_alive()
        sv._stop_requested.set()  # what the handler writes down before its interrupt
        serving.join(timeout=5)
        assert not serving.is_alive(), "the web process went on serving"
    finally:
        sv._stop_requested.clear()
        serving.join(timeout=5)
        # Every socket it holds (listening, its trigger, the request's channel), now: left to
        # the collector, one closed during a later test as a ResourceWarning, an error there.
        wasyncore.close_all(server._map)


def test_the_worker_process_whose_stop_interrupt_is_lost_still_stops() -> None:
    from headlines.core import supervisor as sv
    from headlines.core.worker import EmbeddedWorker

    read_end, write_end = os.pipe()  # the doorbell: its web processes still hold it open
    worker = EmbeddedWorker(threads=1)
    listening = threading.Thread(
        target=worker.listen, args=(read_end,), kwargs={"stop": sv.stop_requested}, daemon=True
    )
    listening.start()
    try:
        os.write(write_end, b"!")
        time.sleep(0.2)
        assert listening.is_alive() and worker.event.is_set()  # a ring wakes, and it goes on
        sv._stop_requested.set()
        listening.join(timeout=5)
        assert not listening.is_alive(), "the worker went on listening"
    finally:
        sv._stop_requested.clear()
        os.close(write_end)
        listening.join(timeout=5)
        os.close(read_end)
