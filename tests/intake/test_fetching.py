import datetime as dt
import gzip
import socket
import time
import tracemalloc
import zlib

import pytest

from headlines.intake.errors import FetchError
from headlines.intake.fetching.http import HttpFetcher

from .conftest import LocalWeb, RawServer, Route, short_options
from .factories import page


def test_fetches_a_page_with_an_honest_user_agent(web: LocalWeb, fetcher: HttpFetcher) -> None:
    url = web.serve("/story", page())
    response = fetcher.get(url, allow_private=True)
    assert b"Warehouse blaze" in response.content
    story_headers = next(h for p, h in web.requests if p == "/story")
    assert story_headers["user-agent"] == "EveningHeadlinesTest/1.0"


def test_the_default_user_agent_names_this_release_and_robots_rules_for_it_apply(
    web: LocalWeb,
) -> None:
    import headlines
    from headlines.intake.fetching.http import FetchOptions

    web.serve(
        "/robots.txt",
        "User-agent: *\nAllow: /\n\nUser-agent: EveningHeadlines\nDisallow: /members/\n",
        headers={"Content-Type": "text/plain"},
    )
    news = web.serve("/news/1", page())
    members = web.serve("/members/1", page())
    default = HttpFetcher(FetchOptions.from_settings(retries=0, host_delay=0.0))
    try:
        assert default.get(news, allow_private=True).status == 200
        with pytest.raises(FetchError, match="disallowed by"):
            default.get(members, allow_private=True)
    finally:
        default.close()
    agent = next(h for p, h in web.requests if p == "/news/1")["user-agent"]
    assert agent.startswith(f"EveningHeadlines/{headlines.__version__} (+")


def test_loopback_is_refused_unless_the_source_is_local(
    web: LocalWeb, fetcher: HttpFetcher
) -> None:
    url = web.serve("/story", page())
    with pytest.raises(FetchError, match="loopback address"):
        fetcher.get(url)
    with pytest.raises(FetchError, match="loopback address"):
        fetcher.get(url.replace("127.0.0.1", "localhost"))
    assert web.requests == []


def test_every_redirect_hop_is_checked(web: LocalWeb) -> None:
    port = web.server.server_address[1]
    url = web.serve("/hop", "", status=302, headers={"Location": f"http://127.0.0.2:{port}/x"})
    allowed = HttpFetcher(short_options(allow_networks=("127.0.0.1/32",)))
    try:
        with pytest.raises(FetchError, match=r"127\.0\.0\.2, a loopback address"):
            allowed.get(url)
    finally:
        allowed.close()
    assert web.paths() == ["/robots.txt", "/hop"]


def test_redirects_are_followed_up_to_the_limit(web: LocalWeb, fetcher: HttpFetcher) -> None:
    web.serve("/final", page())
    web.serve("/r1", "", status=301, headers={"Location": "/final"})
    assert fetcher.get(web.url("/r1"), allow_private=True).url.endswith("/final")
    for n in range(1, 6):
        web.serve(f"/loop{n}", "", status=302, headers={"Location": f"/loop{n + 1}"})
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetcher.get(web.url("/loop1"), allow_private=True)


@pytest.mark.parametrize("location", ["http://[::1", "http://[zz]/x"])
def test_a_redirect_to_no_valid_url_is_refused_at_once(
    web: LocalWeb, fetcher: HttpFetcher, location: str
) -> None:
    web.serve("/bad", "", status=302, headers={"Location": location})
    with pytest.raises(FetchError, match="redirected to an address that is not a valid URL") as got:
        fetcher.get(web.url("/bad"), allow_private=True)
    assert not got.value.retryable  # the same Location comes back a second later
    assert web.paths().count("/bad") == 1


@pytest.mark.parametrize(("status", "reason"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500")])
def test_error_statuses_have_clear_reasons(
    web: LocalWeb, fetcher: HttpFetcher, status: int, reason: str
) -> None:
    url = web.serve("/broken", "oops", status=status)
    with pytest.raises(FetchError, match=reason):
        fetcher.get(url, allow_private=True)


def test_slow_and_oversized_responses_are_cut_off(web: LocalWeb, fetcher: HttpFetcher) -> None:
    impatient = HttpFetcher(short_options(read_timeout=0.3))
    try:
        slow = web.serve("/slow", page(), delay=1.0)
        with pytest.raises(FetchError, match="timed out waiting for data"):
            impatient.get(slow, allow_private=True)
        # Every chunk arrives within the read timeout, the whole answer not within 4 of them.
        trickle = web.serve("/trickle", "x" * 64 * 40, drip=0.1)
        with pytest.raises(FetchError, match=r"response too slow \(over 1\.2 s\)"):
            impatient.get(trickle, allow_private=True)
    finally:
        impatient.close()
    big = web.serve("/big", b"x" * 150_000)
    with pytest.raises(FetchError, match="exceeds 100000 bytes"):
        fetcher.get(big, allow_private=True)


def test_a_server_dripping_its_headers_is_cut_off_in_time(raw: RawServer) -> None:
    def drip(conn: socket.socket) -> None:
        # Each byte well inside the read timeout; all 10 KB of headers would take ten minutes.
        for byte in b"HTTP/1.1 200 OK\r\nX-Filler: " + b"a" * 10_000:
            conn.sendall(bytes([byte]))
            time.sleep(0.05)

    url = raw.serve(drip)
    impatient = HttpFetcher(short_options(read_timeout=0.3, respect_robots=False))
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match=r"response too slow \(over 1\.2 s\)"):
            impatient.get(url, allow_private=True)
    finally:
        impatient.close()
    assert time.monotonic() - started < 5


def _gzip_of_zeros(megabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1_000_000)
    return b"".join([*(packer.compress(block) for _ in range(megabytes)), packer.flush()])


def test_a_gzip_bomb_stops_at_the_byte_cap_in_little_memory(
    web: LocalWeb, fetcher: HttpFetcher
) -> None:
    # 200 MB of zeros gzipped twice: under a kilobyte on the wire.
    bomb = gzip.compress(_gzip_of_zeros(200), 9)
    assert len(bomb) < 2000
    url = web.serve("/feed.xml", bomb, headers={"Content-Encoding": "gzip, gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="response exceeds 100000 bytes"):
            fetcher.get(url, allow_private=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw deflate", "gzip, gzip"])
def test_compressed_answers_are_read(web: LocalWeb, fetcher: HttpFetcher, coding: str) -> None:
    html = page().encode()
    if coding == "raw deflate":
        packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        body, header = packer.compress(html) + packer.flush(), "deflate"
    elif coding == "deflate":
        body, header = zlib.compress(html), "deflate"
    else:
        body, header = html, coding
        for _ in coding.split(","):
            body = gzip.compress(body)
    url = web.serve("/story", body, headers={"Content-Encoding": header})
    assert fetcher.get(url, allow_private=True).content == html
    story_headers = next(h for p, h in web.requests if p == "/story")
    assert story_headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("header", "reason"),
    [("br", "encoded as 'br', which we do not read"), ("gzip", "gzip data is damaged")],
)
def test_an_unreadable_encoding_is_named(
    web: LocalWeb, fetcher: HttpFetcher, header: str, reason: str
) -> None:
    url = web.serve(
        "/feed.xml", b"\x1f\x8b\x08 not really compressed", headers={"Content-Encoding": header}
    )
    with pytest.raises(FetchError, match=reason):
        fetcher.get(url, allow_private=True)


@pytest.mark.parametrize("robots", [True, False])
def test_a_self_signed_certificate_is_named_and_not_retried(
    self_signed_web: LocalWeb, robots: bool
) -> None:
    url = self_signed_web.serve("/feed.xml", "<rss/>")
    sleeps: list[float] = []
    strict = HttpFetcher(short_options(retries=2, respect_robots=robots), sleep=sleeps.append)
    try:
        with pytest.raises(FetchError) as caught:
            strict.get(url, allow_private=True)
    finally:
        strict.close()
    assert str(caught.value) == (
        f"{url}: the server's TLS certificate is not trusted (self-signed certificate)"
    )
    assert sleeps == []
    assert self_signed_web.requests == []


def test_retries_after_a_5xx_then_succeeds(web: LocalWeb) -> None:
    url = web.serve_in_turn("/flaky", Route(b"busy", 503), Route(page().encode()))
    patient = HttpFetcher(short_options(retries=1))
    try:
        assert patient.get(url, allow_private=True).status == 200
    finally:
        patient.close()
    assert web.paths().count("/flaky") == 2


def test_conditional_get_answers_not_modified(web: LocalWeb, fetcher: HttpFetcher) -> None:
    url = web.serve("/feed", "<rss/>", headers={"ETag": '"v1"'})
    first = fetcher.get(url, allow_private=True)
    second = fetcher.get(url, allow_private=True, etag=first.headers["etag"])
    assert not first.not_modified
    assert second.not_modified


def test_robots_txt_is_obeyed(web: LocalWeb, fetcher: HttpFetcher) -> None:
    web.serve(
        "/robots.txt",
        "User-agent: *\nDisallow: /private/\n",
        headers={"Content-Type": "text/plain"},
    )
    url = web.serve("/private/story", page())
    with pytest.raises(FetchError, match=r"disallowed by .*robots\.txt"):
        fetcher.get(url, allow_private=True)
    assert "/private/story" not in web.paths()


def test_non_http_schemes_are_refused(fetcher: HttpFetcher) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetcher.get("file:///etc/passwd", allow_private=True)


def test_robots_txt_that_cannot_be_read_disallows(web: LocalWeb, fetcher: HttpFetcher) -> None:
    web.serve("/robots.txt", "down", status=503)
    url = web.serve("/story", page())
    with pytest.raises(FetchError, match="disallowed"):
        fetcher.get(url, allow_private=True)


def test_robots_txt_that_cannot_be_read_is_named_as_the_reason(
    web: LocalWeb, fetcher: HttpFetcher, raw: RawServer
) -> None:
    web.serve("/robots.txt", "down", status=503)
    url = web.serve("/story", page())
    with pytest.raises(FetchError) as caught:
        fetcher.get(url, allow_private=True)
    origin = url.removesuffix("/story")
    assert str(caught.value) == (
        f"{url}: disallowed until {origin}/robots.txt can be read (HTTP 503 Service Unavailable)"
    )

    def silent(conn: socket.socket) -> None:
        time.sleep(2)  # accepts, never answers

    slow = raw.serve(silent) + "feed.xml"
    impatient = HttpFetcher(short_options(read_timeout=0.2))
    try:
        with pytest.raises(FetchError, match=r"robots\.txt can be read \(timed out waiting"):
            impatient.get(slow, allow_private=True)
    finally:
        impatient.close()


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (Route(b"slow down", 429, {"Retry-After": "120"}), "HTTP 429 Too Many Requests, asked "
         "us to wait 2 min"),
        (Route(b"down", 500), "HTTP 500 Internal Server Error"),
    ],
)  # fmt: skip
def test_robots_txt_that_says_not_now_fetches_nothing_this_run_and_asks_again_next_run(
    web: LocalWeb, answer: Route, reason: str
) -> None:
    # A robots.txt answering 429 was taken for a missing one, and every page was fetched from
    # a host that had just asked us to slow down (RFC 9309: 5xx and 429 mean "not now").
    web.serve_in_turn("/robots.txt", answer, Route(b"User-agent: *\nAllow: /\n"))
    url = web.serve("/story", page())
    origin = url.removesuffix("/story")
    for run in ("this run", "the next run"):
        fetcher = HttpFetcher(short_options())
        try:
            if run == "this run":
                with pytest.raises(FetchError) as caught:
                    fetcher.get(url, allow_private=True)
                assert str(caught.value) == (
                    f"{url}: disallowed until {origin}/robots.txt can be read ({reason})"
                )
                assert caught.value.retryable
            else:
                assert fetcher.get(url, allow_private=True).status == 200
        finally:
            fetcher.close()
    assert web.paths() == ["/robots.txt", "/robots.txt", "/story"]


def test_a_robots_txt_that_is_missing_or_forbidden_allows_everything(web: LocalWeb) -> None:
    for status in (404, 403):
        web.serve("/robots.txt", "no", status=status)
        url = web.serve("/story", page())
        fetcher = HttpFetcher(short_options())
        try:
            assert fetcher.get(url, allow_private=True).status == 200
        finally:
            fetcher.close()


def test_a_host_whose_name_lookup_hangs_fails_within_the_requests_bound(web: LocalWeb) -> None:
    # The lookup had only the system resolver's timeouts (tries x servers x seconds): a
    # silent DNS server held the fetch, the source's lease and every source after it.
    released = __import__("threading").Event()
    lookups: list[str] = []

    def resolver_that_hangs_after_the_first_answer(host: str, _port: int) -> list[str]:
        lookups.append(host)
        if len(lookups) > 1:
            released.wait(30)
        return ["127.0.0.1"]

    port = web.server.server_address[1]
    web.serve("/story", page())
    stalled = HttpFetcher(
        short_options(connect_timeout=0.3, allow_networks=("127.0.0.1/32",), respect_robots=False),
        resolve=resolver_that_hangs_after_the_first_answer,
    )
    started = time.monotonic()
    try:
        with pytest.raises(FetchError) as caught:
            stalled.get(f"http://news.test:{port}/story")
    finally:
        released.set()
        stalled.close()
    assert time.monotonic() - started < 2.0
    assert str(caught.value) == (
        f"http://news.test:{port}/story: timed out looking up host news.test (over 0.3 s)"
    )
    assert caught.value.retryable and web.requests == []


def test_at_most_the_host_limit_is_in_flight(web: LocalWeb) -> None:
    from concurrent.futures import ThreadPoolExecutor

    urls = [web.serve(f"/p{n}", page(), delay=0.05) for n in range(6)]
    polite = HttpFetcher(short_options(host_concurrency=1))
    in_flight, most = 0, 0
    lock = __import__("threading").Lock()

    def fetch(url: str) -> int:
        nonlocal in_flight, most
        slot = polite.gate.enter("127.0.0.1")
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        try:
            return polite._read(url, {}).status
        finally:
            with lock:
                in_flight -= 1
            slot.release()

    try:
        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(fetch, urls)) == [200] * 6
    finally:
        polite.close()
    assert most == 1


def test_the_checked_address_is_the_one_connected_to(web: LocalWeb) -> None:
    """A name is resolved once, checked, and pinned: no second lookup can redirect it."""
    port = web.server.server_address[1]
    web.serve("/story", page())
    answers = {"news.test": ["127.0.0.1"]}
    pinned = HttpFetcher(
        short_options(allow_networks=("127.0.0.1/32",)),
        resolve=lambda host, _port: answers[host],
    )
    try:
        response = pinned.get(f"http://news.test:{port}/story")
    finally:
        pinned.close()
    assert response.url == f"http://news.test:{port}/story"
    story_headers = next(h for p, h in web.requests if p == "/story")
    assert story_headers["host"] == f"news.test:{port}"


def test_429_with_retry_after_is_retried(web: LocalWeb) -> None:
    url = web.serve_in_turn(
        "/busy", Route(b"slow down", 429, {"Retry-After": "0"}), Route(page().encode())
    )
    patient = HttpFetcher(short_options(retries=2))
    try:
        assert patient.get(url, allow_private=True).status == 200
    finally:
        patient.close()


@pytest.mark.parametrize("status", [429, 503])
def test_a_long_retry_after_is_not_slept_through_nor_asked_again(
    web: LocalWeb, status: int
) -> None:
    url = web.serve("/feed.xml", "slow down", status=status, headers={"Retry-After": "3600"})
    other = web.serve("/news/1", page())
    sleeps: list[float] = []
    patient = HttpFetcher(short_options(retries=2), sleep=sleeps.append)
    try:
        with pytest.raises(FetchError, match=r"HTTP \d+ .*, asked us to wait 1 h$") as caught:
            patient.get(url, allow_private=True)
        assert caught.value.retry_after == 3600
        # The rest of the run leaves the host alone.
        with pytest.raises(FetchError, match=r"not fetched, 127\.0\.0\.1 asked us to wait"):
            patient.get(other, allow_private=True)
    finally:
        patient.close()
    assert sleeps == []
    assert web.paths() == ["/robots.txt", "/feed.xml"]


def test_a_retry_after_as_an_http_date_counts_from_our_clock(web: LocalWeb) -> None:
    from headlines.core import clock

    clock.set_clock(clock.FixedClock(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)))
    url = web.serve(
        "/feed.xml", "busy", status=503, headers={"Retry-After": "Mon, 02 Mar 2026 14:30:00 GMT"}
    )
    patient = HttpFetcher(short_options(retries=2), sleep=lambda _: None)
    try:
        with pytest.raises(FetchError, match=r"HTTP 503 Service Unavailable, .* wait 2\.5 h$"):
            patient.get(url, allow_private=True)
    finally:
        patient.close()


def test_a_retry_after_in_digits_int_does_not_read_is_no_delay_at_all() -> None:
    from headlines.intake.fetching.http import Response, _retry_after

    # "²".isdigit() is true; float("²") raised ValueError and stopped the fetch.
    for odd in ("\u00b2", "\u0663", "1\u00b9"):
        assert _retry_after(Response("http://x.test/", 429, {"retry-after": odd})) is None
    assert _retry_after(Response("http://x.test/", 429, {"retry-after": "7"})) == 7.0


def test_a_pinned_fetch_still_sends_the_urls_credentials(web: LocalWeb) -> None:
    # A partner feed behind Basic auth, on a public name: resolved, checked and pinned.
    port = web.server.server_address[1]
    web.serve("/feed", page())
    pinned = HttpFetcher(
        short_options(allow_networks=("127.0.0.1/32",)),
        resolve=lambda host, _port: ["127.0.0.1"],
    )
    try:
        assert pinned.get(f"http://partner:s3cret@news.test:{port}/feed").status == 200
    finally:
        pinned.close()
    feed_headers = next(h for p, h in web.requests if p == "/feed")
    assert feed_headers["authorization"] == "Basic cGFydG5lcjpzM2NyZXQ="  # partner:s3cret
    assert feed_headers["host"] == f"news.test:{port}"
