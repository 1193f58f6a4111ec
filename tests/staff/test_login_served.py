"""The staff login's limits through the real server, `headlines run` with two web processes:
the count lives in the database, so guesses spread over the processes are counted together."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.core.test_webserver import Server
from tests.delivery.children import drop_postgres, fresh_postgres_url

# Its processes run on databases the test makes, never the suite's.
pytestmark = pytest.mark.own_database

PASSWORD = "a long staff passphrase"
PAUSED = "Too many failed sign-in attempts"
INVALID = "Please enter the correct username and password"


def sign_in(server: Server, username: str, password: str, forwarded_for: str) -> str:
    """A browser behind the proxy: the login page, then its form posted back. "in" when
    signed in, else "paused", "invalid" or the page."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
    )
    headers = {"X-Forwarded-For": forwarded_for}
    with opener.open(urllib.request.Request(f"{server.base}/admin/login/", headers=headers)) as r:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.read().decode())
    assert token, "no CSRF token on the login page"
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
    ).encode()
    request = urllib.request.Request(
        f"{server.base}/admin/login/?next=/admin/", data=body, headers=headers
    )
    try:
        with opener.open(request, timeout=30) as response:
            page, url = response.read().decode(), response.url
    except urllib.error.HTTPError as exc:
        with exc:  # its connection closed now, not by the collector during a later test
            refused = exc.read().decode()
        # A pause is answered 429 with Retry-After; any other refusal is unexpected here.
        if exc.code == 429 and PAUSED in refused and int(exc.headers["Retry-After"]) > 0:
            return "paused"
        return f"{exc.code}: {refused[:500]}"
    if urllib.parse.urlsplit(url).path == "/admin/":
        return "in"
    return "invalid" if INVALID in page else page[:500]


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_limit_holds_across_web_processes(tmp_path: Path, database: str) -> None:
    database_url = fresh_postgres_url(migrated=True) if database == "postgresql" else None
    server = Server(
        tmp_path,
        "--processes",
        "2",
        database_url=database_url,
        HEADLINES_TRUSTED_PROXIES="1",
        HEADLINES_STAFF_LOGIN_FAILURES_PER_USER="3",
    )
    try:
        server.install.run(
            "createsuperuser",
            "--noinput",
            "--username=editor",
            "--email=editor@newsroom.example",
            DJANGO_SUPERUSER_PASSWORD=PASSWORD,
        )
        first, second = server.web_processes(2)
        ann = "198.51.100.7"
        seen = []
        # All web processes accept from one socket; a stopped one accepts nothing, so each
        # pair of sign-ins is served by the other process.
        for paused in (second, first):
            os.kill(paused, signal.SIGSTOP)
            try:
                seen += [
                    sign_in(server, "editor", "wrong", ann),
                    sign_in(server, "editor", "x", ann),
                ]
            finally:
                os.kill(paused, signal.SIGCONT)
        assert seen == ["invalid", "invalid", "invalid", "paused"]
        # The right password from elsewhere is refused too while the username is paused.
        assert sign_in(server, "editor", PASSWORD, "203.0.113.9") == "paused"
        # Guesses at another username all at once, on both processes: the limit, not one more
        # (each is counted before its password is checked, which takes the hasher's time).
        with ThreadPoolExecutor(8) as pool:
            burst = list(
                pool.map(lambda n: sign_in(server, "desk", f"guess{n}", "192.0.2.4"), range(8))
            )
        assert sorted(burst) == ["invalid"] * 3 + ["paused"] * 5
    finally:
        server.stop()
        if database_url:
            drop_postgres(database_url)
