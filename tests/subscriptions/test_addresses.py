import socket
import threading
from collections.abc import Iterator

import dns.message
import dns.rcode
import dns.resolver
import pytest

from headlines.core.errors import InvalidInput
from headlines.subscriptions.addresses import email_validate, likely_typo
from headlines.subscriptions.wording import INTERNATIONAL_EMAIL, INVALID_EMAIL


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Reader@Example.COM", "Reader@example.com"),
        ("  a.b+news@example.org ", "a.b+news@example.org"),
        ("a&b@example.com", "a&b@example.com"),
        ("someone@bücher.example", "someone@xn--bcher-kva.example"),
    ],
)
def test_good_addresses_are_normalised(raw: str, expected: str) -> None:
    assert email_validate(raw, check_dns=False) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not an address",
        "a@b",
        "a@b.com\r\nBcc: x@y.com",
        "a@b.com\nBcc: x@y.com",
        "a@b.com\x00",
        "<script>alert(1)</script>@example.com",
        "a\u200b@example.com",
        "ünï code@example.com",  # not an address, international or not
        "x" * 250 + "@example.com",
        # RFC 5321 allows 64 octets before the @: a relay refuses a longer one at RCPT TO.
        "x" * 65 + "@example.com",
        None,
        42,
    ],
)
def test_bad_addresses_get_the_reader_facing_message(raw: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        email_validate(raw, check_dns=False)
    assert str(caught.value) == INVALID_EMAIL
    assert caught.value.field == "email"


@pytest.mark.parametrize("raw", ["ünïcode@example.com", "ännä@bücher.de", "用户@例子.广告"])
def test_an_international_address_is_told_why_it_is_refused(raw: str) -> None:
    # Refused (not every relay speaks SMTPUTF8), but "Please enter a valid email address." told
    # a reader whose address is valid to look for a typo that is not there.
    with pytest.raises(InvalidInput) as caught:
        email_validate(raw, check_dns=False)
    assert str(caught.value) == INTERNATIONAL_EMAIL
    assert "accented or non-Latin letters before the @" in str(caught.value)


def test_a_local_part_of_64_characters_is_an_address() -> None:
    assert email_validate("x" * 64 + "@example.com", check_dns=False) == "x" * 64 + "@example.com"


def _silent_udp_port() -> tuple[socket.socket, int]:
    """A bound UDP socket that never answers: a DNS server that cannot be reached in time."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    return sock, sock.getsockname()[1]


def test_unreachable_dns_falls_back_to_the_syntax_check() -> None:
    sock, port = _silent_udp_port()
    try:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = port
        resolver.lifetime = 0.3
        address = email_validate("reader@example.com", check_dns=True, resolver=resolver)
    finally:
        sock.close()
    assert address == "reader@example.com"


def test_dns_check_still_refuses_bad_syntax_first() -> None:
    with pytest.raises(InvalidInput):
        email_validate("reader@@example.com", check_dns=True)


@pytest.fixture
def nxdomain_dns() -> Iterator[dns.resolver.Resolver]:
    """A real DNS server on loopback that answers every question: no such domain."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except OSError:
                continue
            reply = dns.message.make_response(dns.message.from_wire(data))
            reply.set_rcode(dns.rcode.NXDOMAIN)
            sock.sendto(reply.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = sock.getsockname()[1]
    resolver.lifetime = 2
    yield resolver
    stop.set()
    thread.join()
    sock.close()


def test_with_dns_on_a_domain_that_does_not_exist_is_refused(nxdomain_dns) -> None:
    with pytest.raises(InvalidInput, match="valid email address"):
        email_validate("reader@no-such-domain.example", check_dns=True, resolver=nxdomain_dns)
    # With the check off (the default) the same address passes on its syntax.
    assert email_validate("reader@no-such-domain.example", check_dns=False)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("ann@gmial.com", "ann@gmail.com"),
        ("ann@gmail.con", "ann@gmail.com"),
        ("ann@hotmial.co.uk", "ann@hotmail.co.uk"),
        ("ann@yahoo.cm", "ann@yahoo.com"),
        ("ann@outlok.com", "ann@outlook.com"),
        ("ann@aol.co", "ann@aol.com"),
        ("Ann.Smith@GMIAL.COM", "Ann.Smith@gmail.com"),
        ("ann@gmail.com", None),  # right already
        ("ann@newsroom.example", None),  # nothing like a provider
        ("ann@mo.com", None),  # short and not me.com's name: a real domain, likely
        ("ann@gmx.org", None),  # two slips away
        ("not an address", None),
    ],
)
def test_a_likely_typo_in_a_well_known_domain_is_suggested(typed, meant) -> None:
    assert likely_typo(typed) == meant


@pytest.mark.django_db
def test_an_international_domain_is_one_reader_and_one_suppression_in_either_form() -> None:
    # Sign-up stores the ASCII (IDNA) form; an address typed in the reader's own script was
    # another hash: the API and admin answered "no subscriber", and a suppression made from the
    # stored form did not hold the address as typed.
    from headlines.subscriptions.hashing import email_hash
    from headlines.subscriptions.selectors import is_suppressed
    from headlines.subscriptions.services import suppression_add

    stored = email_validate("Ann@Bücher.example", check_dns=False)
    assert stored == "Ann@xn--bcher-kva.example"
    assert email_hash("Ann@BÜCHER.example") == email_hash(stored)
    suppression_add(email=stored, reason="complaint")
    assert is_suppressed(email="Ann@bücher.example")
    assert email_hash("x@not a domain ü") == email_hash("  x@not a domain ü ")  # kept as typed
