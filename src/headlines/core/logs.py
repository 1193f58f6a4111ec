"""Whose log lines reach the console: ours and the service's own stack, and other libraries'
only on request (`--verbose`, or HEADLINES_LOG_LEVEL=DEBUG).

An extractor that logs `ERROR empty HTML tree` for a page we then report as unreadable ourselves
only alarms the person at the terminal; the report already names the page and the reason.
"""

from __future__ import annotations

import logging
import threading
import time

# Loggers of the service itself and of the servers and queue it runs on: always shown.
OWN = frozenset({"headlines", "django", "celery", "kombu", "waitress", "py"})

_show_others = False


def show_other_libraries(show: bool) -> None:
    global _show_others
    _show_others = show


class OwnLinesOnly(logging.Filter):
    """The console handler's filter: drops other libraries' records unless asked for them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _show_others or record.name.split(".", 1)[0] in OWN:
            return True
        return logging.getLogger().getEffectiveLevel() <= logging.DEBUG


class AtMostEvery(logging.Filter):
    """Let one record through per `seconds`, saying how many like it were held back since.

    For waitress's "Task queue depth is N": under a burst every request queues behind busy
    threads and waitress logs each time, thousands of identical lines a minute that cost the
    web process CPU exactly when it has none to spare. One a minute still tells the operator.
    """

    def __init__(self, seconds: float = 60.0) -> None:
        super().__init__()
        self.seconds = seconds
        self.shown_at: float | None = None
        self.held = 0
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self.lock:
            if self.shown_at is not None and now - self.shown_at < self.seconds:
                self.held += 1
                return False
            held, self.held, self.shown_at = self.held, 0, now
        if held:
            record.msg = f"{record.msg} ({held} more like it in the last {self.seconds:.0f} s)"
        return True


class WithoutTraceback(logging.Filter):
    """One line for a record, without the traceback it carries.

    For Django's `DisallowedHost`: every request with a Host not in HEADLINES_ALLOWED_HOSTS (a
    scanner, a health check by IP) logged an ERROR with a full traceback of Django's own code,
    which says nothing the message does not. The request is still refused with 400."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
