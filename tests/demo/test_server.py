import datetime as dt

import httpx
import pytest

from headlines.demo.server import NewsroomServer, newsroom_server

NOW = dt.datetime(2026, 3, 14, 17, 30, tzinfo=dt.UTC)


def test_the_context_manager_serves_on_localhost_then_stops() -> None:
    with newsroom_server(now=NOW) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        home = httpx.get(base_url + "/")
        assert home.status_code == 200 and "The Daily Meridian" in home.text
        assert httpx.get(base_url + "/robots.txt").text.startswith("User-agent: *")
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url + "/", timeout=2)


def test_conditional_get_answers_304_and_head_has_no_body() -> None:
    server = NewsroomServer(now=NOW).start()
    try:
        url = server.base_url + "/wire/rss.xml"
        first = httpx.get(url)
        etag = first.headers["etag"]
        again = httpx.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        stale = httpx.get(url, headers={"If-None-Match": '"something-else"'})
        assert stale.status_code == 200 and stale.content == first.content
        head = httpx.head(url)
        assert head.status_code == 200 and head.content == b""
        assert server.requests["/wire/rss.xml"] == 4
    finally:
        server.stop()


def test_many_parallel_clients_and_junk_requests_do_not_stop_it() -> None:
    import socket
    from concurrent.futures import ThreadPoolExecutor

    with newsroom_server(now=NOW) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(b"\x00\xff garbage \r\n\r\n")
            raw.recv(1024)
        with ThreadPoolExecutor(8) as pool:
            urls = [base_url + f"/{o}/atom.xml" for o in ("meridian", "chronicle", "wire") * 8]
            codes = list(pool.map(lambda u: httpx.get(u).status_code, urls))
        assert codes == [200] * len(urls)


def test_feed_urls_name_every_outlets_feeds() -> None:
    server = NewsroomServer(now=NOW)
    try:
        urls = server.feed_urls()
        assert set(urls) >= {"meridian.rss", "chronicle.atom", "wire.sitemap"}
        assert all(u.startswith(server.base_url) for u in urls.values())
    finally:
        server.stop()
