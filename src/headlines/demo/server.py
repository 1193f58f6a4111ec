"""The sample newsroom on localhost: a small threaded HTTP server, startable and stoppable.

    with newsroom_server() as base_url:
        httpx.get(f"{base_url}/meridian/rss.xml")

It answers conditional GETs (ETag, If-None-Match) as a real site would, so intake's polite
fetching is exercised too.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from headlines.demo.content import Newsroom
from headlines.demo.routes import render

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(include_body=True)

    def do_HEAD(self) -> None:
        self._answer(include_body=False)

    def _answer(self, *, include_body: bool) -> None:
        newsroom = self.server.newsroom
        response = render(newsroom.room, newsroom.base_url, self.path)
        newsroom.count(self.path)
        if response.status == 200 and self.headers.get("If-None-Match") == response.etag:
            self.send_response(304)
            self.send_header("ETag", response.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("ETag", response.etag)
        self.send_header("Cache-Control", "max-age=60")
        self.end_headers()
        if include_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("newsroom: " + format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    newsroom: NewsroomServer


class NewsroomServer:
    """The newsroom served on `host:port` (port 0: any free one) from a daemon thread."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, now: dt.datetime | None = None
    ) -> None:
        self.room = Newsroom(now=now)
        self._httpd = _Server((host, port), _Handler)
        self._httpd.newsroom = self
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.requests: dict[str, int] = {}

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        host = str(self._httpd.server_address[0])
        return f"http://{host}:{self.port}"

    def feed_urls(self) -> dict[str, str]:
        """Each outlet's feeds and sitemap, by `<outlet>.<kind>` (kind: rss, atom, sitemap)."""
        urls = {}
        for outlet in ("meridian", "chronicle", "wire"):
            urls[f"{outlet}.rss"] = f"{self.base_url}/{outlet}/rss.xml"
            urls[f"{outlet}.atom"] = f"{self.base_url}/{outlet}/atom.xml"
            urls[f"{outlet}.sitemap"] = f"{self.base_url}/{outlet}/sitemap-news.xml"
        return urls

    def count(self, path: str) -> None:
        with self._lock:
            self.requests[path] = self.requests.get(path, 0) + 1

    def start(self) -> NewsroomServer:
        # The thread looks for stop() every POLL_SECONDS: serve_forever's default, half a
        # second, was how long every stop took.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": POLL_SECONDS},
            name="newsroom",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        # shutdown() waits for serve_forever(), so it is only called when the thread runs.
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()


@contextmanager
def newsroom_server(
    *, host: str = "127.0.0.1", port: int = 0, now: dt.datetime | None = None
) -> Iterator[str]:
    """Serve the newsroom for the length of a `with` block; yields its base URL."""
    server = NewsroomServer(host=host, port=port, now=now).start()
    try:
        yield server.base_url
    finally:
        server.stop()
