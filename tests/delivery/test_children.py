"""The harness that starts `headlines run` for the tests that need a real server: it talks only
to a server of its own, even when another suite, running side by side, holds the port it drew."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.delivery import children
from tests.delivery.children import Installation, answers, free_port, listens

pytestmark = pytest.mark.own_database


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another process (this one) listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", free_port()))
        other.listen()
        yield other.getsockname()[1]


def test_listens_names_the_process_that_holds_the_listening_socket(taken_port: int) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert listens(os.getpid(), taken_port)
        assert not listens(sleeper.pid, taken_port)
        assert not listens(os.getpid(), free_port())
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not listens(sleeper.pid, taken_port)  # a process that is gone holds nothing


def test_serve_draws_another_port_when_the_first_is_taken_before_the_child_binds(
    tmp_path: Path, taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = iter([taken_port, free_port()])
    monkeypatch.setattr(children, "free_port", lambda: next(drawn))
    install = Installation(tmp_path)
    install.migrate()
    process, port = install.serve()
    try:
        assert port != taken_port
        assert listens(process.pid, port) and answers(port)
        assert f"cannot listen on 127.0.0.1:{taken_port}" in install.log()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_on_a_given_port_that_is_taken_says_so(tmp_path: Path, taken_port: int) -> None:
    install = Installation(tmp_path)
    install.migrate()
    with pytest.raises(AssertionError, match=f"cannot listen on 127.0.0.1:{taken_port}"):
        install.serve(port=taken_port)
