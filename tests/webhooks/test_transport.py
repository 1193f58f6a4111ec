"""The webhook transport against hostile receivers on 127.0.0.1: one that never finishes its
answer, one that answers without end, one that redirects. Each delivery ends within
HEADLINES_WEBHOOK_TIMEOUT_SECONDS, whatever the receiver does, so one bad receiver cannot hold
the runner (and every message queued behind it)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from headlines.intake.fetching.addresses import AddressPolicy
from headlines.webhooks.transport import (
    READ_CAP,
    HttpTransport,
    Reply,
    pin_to_checked_address,
)
from tests.webhooks.conftest import Receiver

Behaviour = Callable[[socket.socket], None]


def _serve(behaviour: Behaviour) -> Iterator[str]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            try:
                conn.recv(65536)  # the request: small enough to arrive in one read here
                behaviour(conn)
            except OSError:
                pass  # the sender hung up, as it should

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listener closed: the test is over
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    stop.set()
    listener.close()


def _trickle(conn: socket.socket, data: bytes) -> None:
    for byte in data:
        conn.sendall(bytes([byte]))
        time.sleep(0.2)  # each byte well within the read timeout, the whole far past it


def _headers_trickle(conn: socket.socket) -> None:
    _trickle(conn, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 500 + b"\r\n\r\n")


def _error_body_trickle(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 500\r\n\r\noops ")
    _trickle(conn, b"x" * 495)


def _endless_error_body(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\n")
    chunk = b"no " * 20_000
    while True:
        conn.sendall(chunk)


def _redirect(conn: socket.socket) -> None:
    conn.sendall(
        b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://10.0.0.1/hooks\r\n"
        b"Content-Length: 0\r\n\r\n"
    )


def _send(url: str, timeout: float = 1.0) -> tuple[Reply, float]:
    transport = HttpTransport(allow_private=True, timeout=timeout)
    started = time.monotonic()
    try:
        reply = transport.post(url, body=b"{}", headers={})
    finally:
        transport.close()
    return reply, time.monotonic() - started


@pytest.fixture
def peer(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _serve(request.param)


@pytest.mark.parametrize("peer", [_headers_trickle, _error_body_trickle], indirect=True)
def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_timeout(peer: str) -> None:
    reply, took = _send(peer, timeout=1.0)
    assert not reply.ok
    assert took < 3, f"the delivery took {took:.1f} s against a 1 s timeout"


@pytest.mark.parametrize("peer", [_endless_error_body], indirect=True)
def test_an_endless_answer_is_read_only_as_far_as_the_error_needs(peer: str) -> None:
    reply, took = _send(peer, timeout=5.0)
    assert reply.status == 500
    assert reply.error.startswith("HTTP 500: no no")
    assert len(reply.error) < 300
    assert took < 3
    assert READ_CAP <= 1024 * 1024


@pytest.mark.parametrize("peer", [_redirect], indirect=True)
def test_a_redirect_is_a_failure_that_says_where_it_pointed_and_is_not_followed(peer: str) -> None:
    reply, _ = _send(peer)
    assert reply.status == 307
    assert not reply.ok
    assert "redirects to http://10.0.0.1/hooks; not followed" in reply.error


def test_a_password_in_the_url_reaches_a_public_receiver(receiver: Receiver) -> None:
    # Public receivers are the pinned ones (loopback in tests is not): the credential must
    # survive the pin, or a CRM behind Basic auth refuses every event.
    transport = HttpTransport(allow_private=False, timeout=5)
    transport.policy = AddressPolicy(
        allow_networks=["127.0.0.1/32"], resolve=lambda host, _port: ["127.0.0.1"]
    )
    try:
        url = f"http://hook:s3cret@crm.test:{receiver.port}/hooks"
        assert transport.post(url, body=b"{}", headers={}).ok
    finally:
        transport.close()
    [got] = receiver.received
    headers = {k.lower(): v for k, v in got.headers.items()}
    assert headers["authorization"] == "Basic aG9vazpzM2NyZXQ="  # hook:s3cret
    assert headers["host"] == f"crm.test:{receiver.port}"


@pytest.mark.parametrize("address", ["100.100.100.200", "100.64.0.1", "100.127.255.254"])
def test_a_name_resolving_to_a_shared_address_is_refused(address: str) -> None:
    # 100.64.0.0/10 is neither private nor global to Python 3.11, so it passed the guard: a
    # cloud's metadata service (Alibaba's 100.100.100.200) or a Tailscale peer took the POST.
    transport = HttpTransport(allow_private=False, timeout=5)
    transport.policy = AddressPolicy(resolve=lambda host, _port: [address])
    try:
        reply = transport.post("http://crm.test/hooks", body=b"{}", headers={})
    finally:
        transport.close()
    assert reply.status is None
    assert f"resolves to {address}, a shared (carrier-grade NAT) address" in reply.error
    assert "HEADLINES_WEBHOOK_ALLOW_PRIVATE=true allows it" in reply.error


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://[2001:db8::1]:8080/hooks", "[2001:db8::1]:8080"),
        ("https://[2001:db8::1]/hooks", "[2001:db8::1]"),
        ("https://crm.example:8443/hooks", "crm.example:8443"),
    ],
)
def test_a_pinned_send_names_an_ipv6_host_in_brackets(url: str, host: str) -> None:
    # The pin moved the host to the Host header without its brackets: "2001:db8::1:8080",
    # which no receiver can split into a host and a port.
    target, headers, _ = pin_to_checked_address(url, {}, "2001:db8::1")
    assert headers["Host"] == host
    assert "[2001:db8::1]" in target
