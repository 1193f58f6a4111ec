"""The failed staff sign-in limits as a service: what the admin's form and the command call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from headlines.core import clock
from headlines.staff.loginlimit import (
    SignInPaused,
    staff_login_begin,
    staff_login_pauses,
    staff_login_unlock,
)
from headlines.staff.models import StaffLoginFailure

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
ANN, BOB = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def fixed_clock(settings) -> clock.FixedClock:
    settings.CONFIG = {
        **settings.CONFIG,
        "HEADLINES_STAFF_LOGIN_FAILURES_PER_USER": 2,
        "HEADLINES_STAFF_LOGIN_FAILURES_PER_ADDRESS": 3,
        "HEADLINES_STAFF_LOGIN_WINDOW_MINUTES": 15,
    }
    fixed = clock.FixedClock(START)
    clock.set_clock(fixed)
    return fixed


def fail(username: str, address: str | None = ANN) -> None:
    staff_login_begin(username=username, address=address)  # never succeeded: a failure


def test_old_failures_are_forgotten_by_the_periodic_job_not_by_a_sign_in(fixed_clock) -> None:
    from headlines.core import jobs
    from headlines.core.scheduler import periodic_jobs

    fail("editor")
    fixed_clock.advance(minutes=20)
    fail("desk")
    assert StaffLoginFailure.objects.count() == 2
    assert jobs.run_job("staff.forget_login_failures", {}) == 1
    assert list(StaffLoginFailure.objects.values_list("username", flat=True)) == ["desk"]
    assert {p.name: p.seconds for p in periodic_jobs()}["staff.forget_login_failures"] == 60


def test_without_a_client_address_only_the_username_is_limited(fixed_clock) -> None:
    for n in range(5):
        fail(f"guess{n}", None)
    fail("editor", None)
    fail("editor", None)
    with pytest.raises(SignInPaused, match="until 08:15 UTC"):
        fail("editor", None)


def test_pauses_are_listed_and_lifted_by_username_or_address(fixed_clock) -> None:
    fail("editor", BOB)
    fail("editor", BOB)
    fail("desk", ANN)
    fail("web", ANN)
    fail("night", ANN)
    pauses = [(p.kind, p.value, p.failures, p.until) for p in staff_login_pauses()]
    until = START + dt.timedelta(minutes=15)
    assert pauses == [("username", "editor", 2, until), ("address", ANN, 3, until)]
    assert staff_login_unlock(username="editor") == 2
    staff_login_begin(username="editor", address=BOB)
    assert staff_login_unlock(address=ANN) == 3
    staff_login_begin(username="night", address=ANN)
    assert staff_login_pauses() == []


def test_the_command_lists_and_lifts_a_pause(fixed_clock, capsys) -> None:
    fail("editor", BOB)
    fail("editor", ANN)
    call_command("staff-login", "list")
    assert "username 'editor': 2 failed sign-ins, paused until 2026-04-01 08:15 UTC" in (
        capsys.readouterr().out
    )
    call_command("staff-login", "unlock", "--username", "editor")
    assert "Forgot 2 failed sign-in(s)" in capsys.readouterr().out
    call_command("staff-login", "list")
    assert "No username or address is paused." in capsys.readouterr().out
    with pytest.raises(CommandError, match="--username, --address") as caught:
        call_command("staff-login", "unlock")
    assert caught.value.returncode == 2
    fail("editor", ANN)
    for typo in ("notanip", "203.0.113", ""):
        with pytest.raises(CommandError, match="is not an IP address") as caught:
            call_command("staff-login", "unlock", "--address", typo)
        assert caught.value.returncode == 2
    assert StaffLoginFailure.objects.count() == 1  # nothing forgotten
    call_command("staff-login", "unlock", "--address", f" {ANN} ")
    assert "Forgot 1 failed sign-in(s)" in capsys.readouterr().out


def test_an_administrator_lifts_a_colleagues_pause_in_the_admin(fixed_clock) -> None:
    User.objects.create_superuser("chief", "chief@newsroom.example", "chief's passphrase")
    fail("editor", BOB)
    fail("editor", ANN)
    fail("desk", ANN)
    admin = Client()
    admin.force_login(User.objects.get(username="chief"))
    listing = admin.get("/admin/staff/staffloginfailure/").content.decode()
    assert "editor" in listing and BOB in listing and "Lift the pause" in listing
    selected = StaffLoginFailure.objects.filter(username="editor", address=ANN)
    response = admin.post(
        "/admin/staff/staffloginfailure/",
        {"action": "unlock_usernames", "_selected_action": [selected.get().pk]},
        follow=True,
    )
    assert "Forgot 2 failed sign-in(s) of 1 username(s)." in response.content.decode()
    assert list(StaffLoginFailure.objects.values_list("username", flat=True)) == ["desk"]
