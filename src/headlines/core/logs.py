"""Whose log lines reach the console: ours and the service's own stack, and other libraries'
only on request (`--verbose`, or HEADLINES_LOG_LEVEL=DEBUG).

An extractor that logs `ERROR empty HTML tree` for a page we then report as unreadable ourselves
only alarms the person at the terminal; the report already names the page and the reason.
"""

from __future__ import annotations

import logging

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
