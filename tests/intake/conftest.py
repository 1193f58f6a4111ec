"""A real HTTP server on localhost that tests script route by route, and a fetcher tuned short."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from headlines.intake.fetching.http import FetchOptions, HttpFetcher
from tests.serving import serving


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drip: float = 0.0  # seconds between chunks of 64 bytes: a server that trickles its answer


class LocalWeb:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, list[Route]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.arrivals: list[float] = []  # time.monotonic() of each request, in order
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                web.arrivals.append(time.monotonic())
                web.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                queue = web.routes.get(self.path) or [Route(b"not found", 404)]
                route = queue.pop(0) if len(queue) > 1 else queue[0]
                etag = route.headers.get("ETag")
                if route.status == 200 and etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                if route.delay:
                    time.sleep(route.delay)  # the server is slow; the test is not
                self.send_response(route.status)
                headers = {"Content-Type": "text/html; charset=utf-8", **route.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if not route.drip:
                        self.wfile.write(route.body)
                        return
                    for start in range(0, len(route.body), 64):
                        self.wfile.write(route.body[start : start + 64])
                        self.wfile.flush()
                        time.sleep(route.drip)

            def log_message(self, *args: object) -> None:
                return None

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.scheme = "https" if tls else "http"
        if tls:
            # The handshake happens in the request's thread, where a client's refusal of the
            # certificate ends only that request.
            self.server.socket = tls.wrap_socket(
                self.server.socket, server_side=True, do_handshake_on_connect=False
            )
        self.thread = serving(self.server)

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}{path}"

    def serve(self, path: str, body: bytes | str, **kwargs: object) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = [Route(data, **kwargs)]  # type: ignore[arg-type]
        return self.url(path)

    def serve_in_turn(self, path: str, *routes: Route) -> str:
        """Answer each request with the next route; the last one stays."""
        self.routes[path] = list(routes)
        return self.url(path)

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


@pytest.fixture
def web() -> Iterator[LocalWeb]:
    local = LocalWeb()
    local.thread.start()
    yield local
    local.server.shutdown()
    local.server.server_close()


@pytest.fixture
def self_signed_web(tmp_path: Path) -> Iterator[LocalWeb]:
    """HTTPS with a certificate nobody vouches for (signed by itself, for 127.0.0.1)."""
    from tests.core.test_mail import _tls_context

    local = LocalWeb(tls=_tls_context(tmp_path))
    local.thread.start()
    yield local
    local.server.shutdown()
    local.server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client that refuses the test certificate or hangs up mid-body is what those tests
        # are about: its traceback on stderr is not a failure.
        return None


class RawServer:
    """A TCP server that answers each connection with a test's own function: for answers no
    HTTP server library would give (headers a byte at a time, bodies that never end)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.handler: Callable[[socket.socket], None] = lambda conn: None
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return  # closed at the end of the test
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)  # the request
            self.handler(conn)

    def serve(self, handler: Callable[[socket.socket], None]) -> str:
        self.handler = handler
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/"


@pytest.fixture
def raw() -> Iterator[RawServer]:
    server = RawServer()
    server.thread.start()
    yield server
    server.listener.close()


def short_options(**overrides: object) -> FetchOptions:
    values: dict[str, object] = {
        "user_agent": "EveningHeadlinesTest/1.0",
        "connect_timeout": 1.0,
        # Long enough that a loaded machine (three suites side by side) still reads a local
        # page in time; the tests of slow servers ask for a short one.
        "read_timeout": 5.0,
        "max_bytes": 100_000,
        "max_redirects": 3,
        "retries": 0,
        "backoff": 0.0,
        "host_delay": 0.0,
        "host_concurrency": 4,
    }
    values.update(overrides)
    return FetchOptions(**values)  # type: ignore[arg-type]


@pytest.fixture
def fetcher() -> Iterator[HttpFetcher]:
    real = HttpFetcher(short_options())
    yield real
    real.close()
