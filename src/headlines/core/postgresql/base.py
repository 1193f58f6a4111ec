"""Django's PostgreSQL backend, except that a connection used moments ago is not pinged.

With CONN_HEALTH_CHECKS (database.py), Django sends `SELECT 1` on a kept connection before the
first query of every request and every job, so that a connection the server dropped while it
sat idle (a restart, a failover, an idle timeout) is replaced instead of failing the request.
Under load that ping is one round trip in eight of a sign-up's POST, on connections that answered
a query a few milliseconds before. Here a connection that served a request or a job without a
connection error within the last ALIVE_BYPASS seconds is taken as alive, as HikariCP's
`aliveBypassWindowMs` (500 ms) does for Java's pools; one idle for longer is pinged as before.
A connection lost within that half second fails its next statement: Django marks it
(`errors_occurred`) and closes it at the end of that request, and the next request connects
afresh, as every request would without health checks.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.db.backends.postgresql import base

ALIVE_BYPASS = 0.5  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    health_check_done: bool  # Django's own flag (set in the base class; not in its stubs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered_at = -math.inf  # when a request last used the connection without error

    def close_if_unusable_or_obsolete(self) -> None:
        # Called as each request (and each job) starts and ends: `health_check_done` is set when
        # the request used the connection, and a lost connection would have set errors_occurred.
        if self.connection is not None and self.health_check_done and not self.errors_occurred:
            self.answered_at = time.monotonic()
        super().close_if_unusable_or_obsolete()

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.settings_dict["CONN_HEALTH_CHECKS"]
            and not self.health_check_done
            and time.monotonic() - self.answered_at < ALIVE_BYPASS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
