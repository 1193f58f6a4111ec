"""A stop signal that arrives inside the first one's handler, for the tests of each command's
handler (a second SIGTERM handled there once waited forever for a lock the first held)."""

from __future__ import annotations

import os
import signal
import threading


def signalled_inside_set() -> tuple[type[threading.Event], list[bool]]:
    """An Event whose `set()` is interrupted by a SIGTERM to this process (handled at the next
    bytecode: inside that call) before it sets; and the list every `set()` call appends to."""
    entered: list[bool] = []

    class Interrupted(threading.Event):
        def set(self) -> None:
            entered.append(True)
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):
                pass
            super().set()

    return Interrupted, entered
