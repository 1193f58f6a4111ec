"""A thread serving a test's own HTTP server (`http.server`, `socketserver`)."""

from __future__ import annotations

import socketserver
import threading

# How often the serving thread looks for `shutdown()`. serve_forever's default, half a second,
# made every stop of a test's server take that long: 77 stops, about 38 s of each suite's run.
POLL_SECONDS = 0.05


def serving(server: socketserver.BaseServer) -> threading.Thread:
    """A daemon thread, not yet started, that serves `server` until `server.shutdown()`, which
    then returns within POLL_SECONDS."""
    return threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True
    )
