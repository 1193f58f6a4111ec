"""`headlines run` behind a reverse proxy: through the real server (waitress), not the test
client, because waitress strips X-Forwarded-For unless it is told to trust it."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from headlines.config import ConfigError
from headlines.core.webserver import keepalive_checked, waitress_options
from tests.delivery.children import Installation, drop_postgres, fresh_postgres_url

# Its other processes run on databases the test makes (tests.delivery.children), not the
# suite's, and the test itself never touches the suite's: the PostgreSQL suite deselects it.
pytestmark = pytest.mark.own_database


class Server:
    """`headlines run` in a child process on a free port, with one edition `us`."""

    def __init__(
        self, tmp_path: Path, *run_args: str, database_url: str | None = None, **env: str
    ) -> None:
        self.install = Installation(
            tmp_path, database_url=database_url, HEADLINES_SIGNUP_RATE_PER_IP="3", **env
        )
        self.install.migrate()
        self.install.run("edition", "add", "us", "--name", "US", "--timezone", "America/New_York")
        self.process, self.port = self.install.serve(*run_args)
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            # Say which process hung, and where; then leave nothing running behind the test.
            alive = [self.process.pid, *children(self.process.pid)]
            where = {pid: Path(f"/proc/{pid}/wchan").read_text() for pid in alive}
            for pid in alive:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.wait(timeout=20)
            raise AssertionError(
                f"headlines run did not stop within 20 s of SIGTERM (process: where it "
                f"waited): {where}\n{self.install.log()}"
            ) from None

    def sign_up(self, email: str, forwarded_for: str | None) -> int:
        """The widget's GET then its POST, as a reader behind the proxy sends them."""
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        page = self._request("GET", "/widget/us/", headers)[1]
        token = re.search(r'name="token" value="([^"]+)"', page)
        assert token, page
        body = urllib.parse.urlencode({"email": email, "token": token.group(1)}).encode()
        return self._request("POST", "/widget/us/", headers, body)[0]

    def _request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, str]:
        request = urllib.request.Request(
            self.base + path, data=body, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            with exc:  # its connection closed now, not by the collector during a later test
                return exc.code, exc.read().decode()

    def ledger_counts(self, *ips: str) -> list[int]:
        """How many consent records carry each IP's keyed hash (computed in the child's setup)."""
        code = (
            "import django, json; django.setup()\n"
            "from headlines.subscriptions.hashing import ip_hash\n"
            "from headlines.subscriptions.models import ConsentEvent\n"
            f"print(json.dumps([ConsentEvent.objects.filter(ip_hash=ip_hash(ip)).count()"
            f" for ip in {list(ips)!r}]))"
        )
        return [int(n) for n in self.printed(code).strip().strip("[]").split(",")]

    def printed(self, code: str) -> str:
        """What `code` prints, run in a Python process of the installation (its database)."""
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**self.install.env, "DJANGO_SETTINGS_MODULE": "headlines.settings"},
            cwd=self.install.env["PYTHONPATH"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout

    def confirmation_links(self, address: str, timeout: float = 30) -> list[str]:
        """The confirm links of the emails the outbox holds for `address` (sent by the worker
        after the sign-up's commit: waited for)."""
        code = (
            "import django, re; django.setup()\n"
            "from headlines.core.models import OutboxMessage\n"
            f"rows = OutboxMessage.objects.filter(recipients__contains={address!r})\n"
            "raw = b''.join(bytes(m.raw) for m in rows).decode('ascii', 'replace')\n"
            "raw = raw.replace('=\\r\\n', '').replace('=\\n', '').replace('=3D', '=')\n"
            "links = re.findall(r'https?://[^\\s\"<>]*/confirm/[^\\s\"<>]+', raw)\n"
            "print('\\n'.join(sorted(set(links))))"
        )
        deadline = time.monotonic() + timeout
        while True:
            links = self.printed(code).split()
            if links or time.monotonic() > deadline:
                return links
            time.sleep(0.5)

    def web_processes(self, count: int) -> list[int]:
        """The pids of the `count` web processes: the children at the parent's CPU priority.
        The worker lowers its own first thing, but on a loaded machine the web can answer
        /healthz before the freshly forked worker has run at all, so wait for it (a flake in CI
        found three children at the parent's priority)."""
        deadline = time.monotonic() + 20
        while True:
            assert self.process.poll() is None, self.install.log()
            found = children(self.process.pid)
            web = [pid for pid, nice in found.items() if nice == own_nice()]
            if (len(web) == count and len(found) > count) or time.monotonic() > deadline:
                return web
            time.sleep(0.1)


def children(pid: int) -> dict[int, int]:
    """A process's children and their nice values (Linux /proc)."""
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {int(child): nice_of(int(child)) for child in found}


def nice_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def own_nice() -> int:
    return nice_of(os.getpid())


@pytest.fixture
def behind_one_proxy(tmp_path: Path) -> Iterator[Server]:
    server = Server(tmp_path, HEADLINES_TRUSTED_PROXIES="1")
    yield server
    server.stop()


def test_behind_a_proxy_each_reader_has_their_own_rate_limit_and_ledger_hash(
    behind_one_proxy: Server,
) -> None:
    server = behind_one_proxy
    ann, bob = "198.51.100.7", "203.0.113.9"
    assert [server.sign_up(f"a{n}@example.com", ann) for n in range(3)] == [200, 200, 200]
    assert server.sign_up("a4@example.com", ann) == 429
    # A reader cannot escape the limit by sending their own X-Forwarded-For: the proxy
    # appends the address it saw, and only that rightmost entry is believed.
    assert server.sign_up("a5@example.com", f"192.0.2.1, {ann}") == 429
    assert server.sign_up("b1@example.com", bob) == 200
    assert server.ledger_counts(ann, bob, "127.0.0.1", "192.0.2.1") == [3, 1, 0, 0]


def test_without_trusted_proxies_a_forwarded_for_header_is_not_believed(tmp_path: Path) -> None:
    server = Server(tmp_path)
    try:
        codes = [server.sign_up(f"a{n}@example.com", f"198.51.100.{n}") for n in range(4)]
        assert codes == [200, 200, 200, 429]
        assert server.ledger_counts("127.0.0.1", "198.51.100.0") == [3, 0]
    finally:
        server.stop()


def test_a_negative_proxy_count_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="HEADLINES_TRUSTED_PROXIES"):
        waitress_options(trusted_proxies=-1, threads=4)


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_one_readers_limit_holds_when_their_requests_land_on_different_web_processes(
    tmp_path: Path, database: str
) -> None:
    database_url = fresh_postgres_url(migrated=True) if database == "postgresql" else None
    server = Server(
        tmp_path, "--processes", "2", database_url=database_url, HEADLINES_TRUSTED_PROXIES="1"
    )
    try:
        first, second = server.web_processes(2)
        ann = "198.51.100.7"
        codes = []
        # All web processes accept from one socket; a stopped one accepts nothing, so each pair
        # of sign-ups is served by the other process.
        for serving, paused in ((first, second), (second, first)):
            os.kill(paused, signal.SIGSTOP)
            try:
                codes += [server.sign_up(f"{serving}-{n}@example.com", ann) for n in range(2)]
            finally:
                os.kill(paused, signal.SIGCONT)
        assert codes == [200, 200, 200, 429]
        # A burst from one reader, on both processes at once: the limit, not one more.
        bob = "203.0.113.9"
        with ThreadPoolExecutor(8) as pool:
            burst = list(pool.map(lambda n: server.sign_up(f"b{n}@example.com", bob), range(8)))
        assert sorted(burst) == [200] * 3 + [429] * 5
        assert server.ledger_counts(ann, bob) == [3, 3]
    finally:
        server.stop()
        if database_url:
            drop_postgres(database_url)


def _response(sock: socket.socket, buffered: bytearray) -> dict[str, str]:
    """Read one HTTP response with a Content-Length off a raw socket: its lower-cased headers."""
    while b"\r\n\r\n" not in buffered:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection before answering"
        buffered += chunk
    head, _, rest = bytes(buffered).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:])}
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection inside a response"
        rest += chunk
    buffered[:] = rest[length:]
    return {"status": lines[0].split()[1], **headers}


def _keep_alive_answers(port: int, requests: int) -> tuple[list[dict[str, str]], bytes]:
    """`requests` GETs down one raw keep-alive connection: the answers' headers, and what the
    socket gives after the last (b"" when the server has closed it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        buffered = bytearray()
        seen = []
        for _ in range(requests):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            seen.append(_response(sock, buffered))
        sock.settimeout(1)
        try:
            after = sock.recv(1)
        except TimeoutError:
            after = b"(still open)"
        return seen, bytes(buffered) + after


@pytest.mark.parametrize(("setting", "closes_after"), [("", 20), ("7", 7), ("0", None)])
def test_a_keep_alive_connection_is_closed_after_its_share_of_requests(
    tmp_path: Path, setting: str, closes_after: int | None
) -> None:
    """So that connections opened in one burst, all accepted by one web process, spread over
    the others as their clients reconnect (HEADLINES_WEB_KEEPALIVE_REQUESTS, default 20)."""
    env = {"HEADLINES_WEB_KEEPALIVE_REQUESTS": setting} if setting else {}
    server = Server(tmp_path, "--processes", "2", **env)
    try:
        requests = closes_after or 150
        seen, after = _keep_alive_answers(server.port, requests)
        assert [r["status"] for r in seen] == ["200"] * requests
        if closes_after is None:
            assert [r.get("connection") for r in seen] == [None] * requests
            assert after == b"(still open)"
        else:
            assert [r.get("connection") for r in seen[:-1]] == [None] * (requests - 1)
            assert seen[-1]["connection"] == "close"
            assert after == b""  # closed by the server, nothing more
        # The client reconnects and is served as before.
        with urllib.request.urlopen(f"{server.base}/healthz", timeout=20) as response:
            assert response.status == 200
    finally:
        server.stop()


def test_a_negative_keep_alive_count_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="HEADLINES_WEB_KEEPALIVE_REQUESTS"):
        keepalive_checked(-1)
    assert keepalive_checked(0) == 0


def test_waitress_queue_warnings_reach_the_log_at_most_once_a_minute(monkeypatch) -> None:
    """Under a burst waitress warns "Task queue depth is N" for nearly every request."""
    import logging

    from django.conf import settings

    from headlines.core import logs

    config = settings.LOGGING
    assert config["loggers"]["waitress.queue"]["filters"] == ["once_a_minute"]
    assert config["filters"]["once_a_minute"]["()"] == "headlines.core.logs.AtMostEvery"
    now = [1000.0]
    monkeypatch.setattr(logs.time, "monotonic", lambda: now[0])
    queue = logging.getLogger("tests.waitress.queue")
    limit = logs.AtMostEvery(config["filters"]["once_a_minute"]["seconds"])
    queue.addFilter(limit)
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    handler = Keep()
    queue.addHandler(handler)
    try:
        for depth in range(1, 501):
            queue.warning("Task queue depth is %d", depth)
            now[0] += 0.1  # 500 warnings in 50 s, then one more after the minute
        now[0] += 15
        queue.warning("Task queue depth is %d", 7)
    finally:
        queue.removeHandler(handler)
        queue.removeFilter(limit)
    assert seen == [
        "Task queue depth is 1",
        "Task queue depth is 7 (499 more like it in the last 60 s)",
    ]


def test_links_in_emails_point_at_the_port_run_listens_on(tmp_path: Path) -> None:
    # No HEADLINES_BASE_URL: its default names port 8000, and `headlines run --port N` mailed
    # confirmation links to a port nothing listened on.
    server = Server(tmp_path)
    try:
        assert server.port != 8000
        assert server.sign_up("reader@example.com", None) == 200
        links = server.confirmation_links("reader@example.com")
        assert links and all(link.startswith(f"{server.base}/confirm/") for link in links), links
        # The link works: its GET shows the page with the button.
        with urllib.request.urlopen(links[0], timeout=10) as page:
            assert page.status == 200
    finally:
        server.stop()


def test_a_configured_public_url_is_kept_whatever_the_port(tmp_path: Path) -> None:
    server = Server(tmp_path, HEADLINES_BASE_URL="https://news.example")
    try:
        assert server.sign_up("reader@example.com", None) == 200
        links = server.confirmation_links("reader@example.com")
        assert links and all(link.startswith("https://news.example/confirm/") for link in links)
    finally:
        server.stop()


def test_healthz_answers_a_check_by_address_while_allowed_hosts_names_the_site(
    tmp_path: Path,
) -> None:
    # A load balancer checks /healthz by the machine's address; with HEADLINES_ALLOWED_HOSTS
    # set to the public name, a healthy process answered 400, and every refused Host header
    # logged an ERROR with Django's traceback.
    server = Server(tmp_path, "--processes", "1", HEADLINES_ALLOWED_HOSTS="news.example")
    try:
        status, body = server._request("GET", "/healthz", {})
        assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
        assert [server._request("GET", "/", {})[0] for _ in range(3)] == [400, 400, 400]
        assert server._request("GET", "/", {"Host": "news.example"})[0] == 200
        log = server.install.log()
        assert "Traceback" not in log, log
        assert log.count("WARNING django.security.DisallowedHost: Invalid HTTP_HOST") == 1, log
    finally:
        server.stop()


def test_head_answers_with_the_gets_headers_and_no_body_on_a_kept_alive_connection(
    tmp_path: Path,
) -> None:
    """Waitress wrote the page after a HEAD's headers: a monitor or link checker reusing the
    connection read it as the next response's status line (RFC 9110 9.3.2)."""
    import http.client

    server = Server(tmp_path, "--processes", "1")
    paths = ["/", "/signup/us/", "/archive/", "/api/v1/openapi.json", "/static/admin/css/base.css"]
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        for path in paths:
            connection.request("GET", path)
            get = connection.getresponse()
            body = get.read()
            connection.request("HEAD", path)
            head = connection.getresponse()
            assert (head.status, head.read()) == (200, b""), path
            assert head.getheader("Content-Length") == str(len(body)) != "0", path
            # The same connection still speaks HTTP: nothing of the HEAD's page is left on it.
            connection.request("GET", "/healthz")
            after = connection.getresponse()
            assert after.status == 200 and after.read(), path
        connection.close()
    finally:
        server.stop()
