"""The staff admin's login, through Django's test client: failed sign-ins are limited per
username and per client address, in a sliding window on the project's clock."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from headlines.core import clock
from headlines.staff.models import StaffLoginFailure

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
PASSWORD = "a long staff passphrase"
WRONG = "not the passphrase"
PAUSED = "Too many failed sign-in attempts"
INVALID = "Please enter the correct username and password"
ANN, BOB = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def fixed_clock() -> clock.FixedClock:
    fixed = clock.FixedClock(START)
    clock.set_clock(fixed)
    return fixed


@pytest.fixture
def limits(settings):
    """3 failures per username, 5 per address, in 15 minutes: small numbers, same rules."""
    settings.CONFIG = {
        **settings.CONFIG,
        "HEADLINES_STAFF_LOGIN_FAILURES_PER_USER": 3,
        "HEADLINES_STAFF_LOGIN_FAILURES_PER_ADDRESS": 5,
        "HEADLINES_STAFF_LOGIN_WINDOW_MINUTES": 15,
    }
    return settings


@pytest.fixture
def editor() -> User:
    return User.objects.create_user("editor", "editor@newsroom.example", PASSWORD, is_staff=True)


def sign_in(username: str, password: str, *, address: str = ANN, **headers: str):
    """One POST to the admin's login page from a fresh browser at `address`."""
    return Client().post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def errors(response) -> list[str]:
    """The form's error messages as the page shows them: above the form, then by the fields."""
    page = response.content.decode()
    notes = re.findall(r'<p class="errornote">\s*(.*?)\s*</p>', page, flags=re.S)
    return notes + re.findall(r'<ul class="errorlist[^"]*"[^>]*><li>(.*?)</li>', page)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_the_next_wrong_password_past_the_limit_is_refused_and_so_is_the_right_one(
    limits, fixed_clock, editor, caplog
) -> None:
    for _ in range(3):
        response = sign_in("editor", WRONG)
        assert response.status_code == 200 and INVALID in response.content.decode()
    with caplog.at_level(logging.WARNING, logger="headlines.staff.loginlimit"):
        refused = sign_in("editor", WRONG)
    page = refused.content.decode()
    # 429 with Retry-After: a script or a log watcher tells it from a wrong password (200).
    assert refused.status_code == 429 and PAUSED in page and INVALID not in page
    assert refused["Retry-After"] == str(15 * 60)
    assert "paused until 08:15 UTC (in 15 minutes)" in page
    # Logged with the address, never the password.
    assert ANN in caplog.text and "editor" in caplog.text and WRONG not in caplog.text
    fixed_clock.advance(minutes=10)
    refused = sign_in("editor", PASSWORD)
    assert not signed_in(refused)
    assert "paused until 08:15 UTC (in 5 minutes)" in refused.content.decode()
    fixed_clock.advance(minutes=5)
    assert signed_in(sign_in("editor", PASSWORD))


def test_the_window_slides_a_pause_ends_when_the_oldest_counted_failure_leaves_it(
    limits, fixed_clock, editor
) -> None:
    for minutes in (0, 6, 6):  # failures at 08:00, 08:06, 08:12
        fixed_clock.advance(minutes=minutes)
        sign_in("editor", WRONG)
    assert "paused until 08:15 UTC" in sign_in("editor", PASSWORD).content.decode()
    fixed_clock.advance(minutes=3)  # 08:15: the 08:00 failure has left the window
    assert signed_in(sign_in("editor", PASSWORD))


def test_a_paused_username_does_not_pause_other_usernames_or_say_whether_it_exists(
    limits, fixed_clock, editor
) -> None:
    User.objects.create_user("desk", password=PASSWORD, is_staff=True)
    for name in ("editor", "nobody-by-this-name"):
        for _ in range(3):
            sign_in(name, WRONG, address=BOB if name == "editor" else ANN)
    shown = [errors(sign_in(name, WRONG)) for name in ("editor", "nobody-by-this-name")]
    assert PAUSED in shown[0][0] and shown[0] == shown[1]  # the same words, existing or not
    assert signed_in(sign_in("desk", PASSWORD, address=BOB))


def test_one_address_guessing_many_usernames_is_paused_and_others_are_not(
    limits, fixed_clock, editor
) -> None:
    for n in range(5):
        assert INVALID in sign_in(f"guess{n}", WRONG, address=ANN).content.decode()
    assert PAUSED in sign_in("guess9", WRONG, address=ANN).content.decode()
    assert PAUSED in sign_in("editor", PASSWORD, address=ANN).content.decode()
    assert signed_in(sign_in("editor", PASSWORD, address=BOB))


def test_a_successful_sign_in_does_not_erase_other_addresses_failures(
    limits, fixed_clock, editor
) -> None:
    for address in (BOB, BOB, ANN):  # at 08:00, 08:01 and 08:02: paused until 08:15
        sign_in("editor", WRONG, address=address)
        fixed_clock.advance(minutes=1)
    fixed_clock.advance(minutes=12)
    assert signed_in(sign_in("editor", PASSWORD, address=ANN))  # 08:15: two failures left
    # Only ANN's own failure is forgotten: whoever guesses from BOB gets no fresh allowance.
    assert not StaffLoginFailure.objects.filter(address=ANN).exists()
    sign_in("editor", WRONG, address=ANN)
    sign_in("editor", WRONG, address=ANN)
    assert PAUSED in sign_in("editor", PASSWORD, address=ANN).content.decode()


def test_behind_trusted_proxies_the_forwarded_address_is_the_one_counted(
    limits, fixed_clock, editor
) -> None:
    limits.CONFIG = {**limits.CONFIG, "HEADLINES_TRUSTED_PROXIES": 1}
    proxy = "10.0.0.2"
    for n in range(5):
        sign_in(f"guess{n}", WRONG, address=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ANN}")
    assert set(StaffLoginFailure.objects.values_list("address", flat=True)) == {ANN}
    # A client cannot escape by adding its own entry: only the proxy's, rightmost, counts.
    refused = sign_in("guess9", WRONG, address=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.5, {ANN}")
    assert PAUSED in refused.content.decode()
    # Another reader behind the same proxy is not affected.
    assert signed_in(sign_in("editor", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=BOB))


def test_a_correct_password_of_an_account_that_is_not_staff_counts_as_a_failure(
    limits, fixed_clock
) -> None:
    User.objects.create_user("reader", password=PASSWORD)
    assert INVALID in sign_in("reader", PASSWORD).content.decode()
    assert StaffLoginFailure.objects.filter(username="reader").count() == 1


def test_usernames_are_counted_as_django_matches_them(limits, fixed_clock, editor) -> None:
    # NFKC and surrounding spaces, as the form's UsernameField and the auth backend treat them:
    # "editor" in full-width letters is "editor", so its failures are the editor's.
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in "editor")
    for name in (full_width, " editor ", "editor"):
        sign_in(name, WRONG)
    assert PAUSED in sign_in("editor", PASSWORD, address=BOB).content.decode()
    # Case is not folded: Django's auth tells "Editor" from "editor", so must the limit.
    assert INVALID in sign_in("Editor", WRONG, address=BOB).content.decode()


@pytest.mark.parametrize(
    ("username", "password", "error"),
    [
        ("edi\x00tor", WRONG, "Null characters are not allowed"),
        ("e" * 10_000, WRONG, "Ensure this value has at most 150 characters"),
        ("rédacteur-en-chef-编辑-🗞️", WRONG, INVALID),
        ("editor", "pass\x00word", "Null characters are not allowed"),
        ("\u202eeditor\U0001f600\u0007", WRONG, INVALID),
    ],
    ids=["nul-username", "10000-characters", "unicode", "nul-password", "bidi-and-control"],
)
def test_hostile_input_gets_a_clean_form_error(
    limits, fixed_clock, editor, username: str, password: str, error: str
) -> None:
    response = sign_in(username, password)
    assert response.status_code == 200
    assert error in response.content.decode()


def test_hostile_usernames_are_limited_like_any_other(limits, fixed_clock) -> None:
    name = "rédacteur-编辑-🗞️-" + "x" * 200  # past any username's length: refused by the form
    for _ in range(3):
        sign_in("rédacteur-编辑-🗞️", WRONG)
    assert PAUSED in sign_in("rédacteur-编辑-🗞️", WRONG).content.decode()
    assert "at most 150 characters" in sign_in(name, WRONG).content.decode()


def test_a_body_that_is_not_utf8_gets_a_clean_form_error(limits, fixed_clock, editor) -> None:
    response = Client().post(
        "/admin/login/",
        b"username=edi%ED%A0%80%FF%00tor&password=x%FF",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert errors(response) == [
        "Please correct the error below.",
        "Null characters are not allowed.",
    ]
