"""Tokens: shown once, stored hashed, revocable; no valid token, no API; a limit per token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from headlines.api.models import ApiToken, AuditEntry
from headlines.api.services import api_token_create, token_hash
from headlines.core import clock
from headlines.subscriptions.models import Subscriber
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_token_once_and_stores_only_its_hash(capsys) -> None:
    call_command("api-token", "create", "crm")
    out = capsys.readouterr()
    raw = out.out.strip()
    assert raw.startswith("hl_") and len(raw) > 40
    assert "shown only now" in out.err
    stored = ApiToken.objects.get(name="crm")
    assert stored.token_hash == token_hash(raw) and raw not in str(stored.__dict__)
    call_command("api-token", "list")
    listing = capsys.readouterr().out
    assert "crm" in listing and "active" in listing and raw not in listing


@pytest.mark.parametrize("name", ["", "a\x1bb", "a\x9bb", "a\x7f", "n" * 101])
def test_a_token_name_that_is_not_one_printable_line_is_refused(name: str) -> None:
    with pytest.raises(CommandError, match="1 to 100 printable characters") as caught:
        call_command("api-token", "create", name)
    assert caught.value.returncode == 2
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer hl_not-a-token",
        "Bearer " + "x" * 5000,
        "Bearer hl_\x00\x01",
        "Token hl_abc",
    ],
)
def test_a_request_without_a_valid_token_gets_401(client, token, header) -> None:
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.get("/api/v1/editions", **extra)
    assert response.status_code == 401
    assert "token" in response.json()["detail"]


def test_a_revoked_token_stops_working_at_once(api: Api, capsys) -> None:
    assert api.get("/editions").status_code == 200
    call_command("api-token", "revoke", "cms")
    assert "revoked" in capsys.readouterr().out
    assert api.get("/editions").status_code == 401
    call_command("api-token", "list")
    assert "revoked" in capsys.readouterr().out


def test_revoking_an_unknown_token_and_a_duplicate_name_are_clear_errors(token) -> None:
    with pytest.raises(CommandError, match="no API token named 'ghost'"):
        call_command("api-token", "revoke", "ghost")
    with pytest.raises(CommandError, match="already exists"):
        call_command("api-token", "create", "cms")
    with pytest.raises(CommandError, match="printable"):
        call_command("api-token", "create", "bad\x07name")
    assert ApiToken.objects.count() == 1


def test_revoking_twice_or_reusing_a_revoked_name_says_what_happened(token, capsys) -> None:
    revoked_at = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
    at = clock.FixedClock(revoked_at)
    clock.set_clock(at)  # the autouse isolation fixture puts the real clock back
    call_command("api-token", "revoke", "cms")
    assert capsys.readouterr().out == "Token cms revoked.\n"
    at.advance(days=2)
    call_command("api-token", "revoke", "cms")
    out = capsys.readouterr().out
    assert out == "Token cms was already revoked on 2026-11-25; nothing changed.\n"
    assert ApiToken.objects.get(name="cms").revoked_at == revoked_at  # not moved by the second
    with pytest.raises(CommandError) as caught:
        call_command("api-token", "create", "cms")
    said = str(caught.value)
    assert "was revoked on 2026-11-25" in said and "pick another name" in said
    assert "revoke it" not in said  # revoking is what the reader already did
    assert ApiToken.objects.count() == 1


def test_each_token_has_its_own_rate_limit(api: Api, settings, monkeypatch) -> None:
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_API_RATE_PER_MINUTE", 3)
    clock.set_clock(clock.FixedClock(dt.datetime(2026, 12, 1, 12, 0, 5, tzinfo=dt.UTC)))
    assert [api.get("/editions").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/editions")
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 55
    other = api_token_create(name="other")[1]
    assert api.get("/editions", token=other).status_code == 200
    clock.get_clock().advance(minutes=1)  # type: ignore[attr-defined]
    assert api.get("/editions").status_code == 200


def test_writes_are_in_the_audit_trail_with_their_token_and_outcome(api: Api, edition) -> None:
    api.post("/subscribers", {"email": "a@example.com", "edition": "us"})
    api.post("/subscribers", {"email": "a@example.com", "edition": "nope"})
    entries = list(AuditEntry.objects.order_by("id"))
    assert [(e.token_name, e.action, e.status) for e in entries] == [
        ("cms", "subscriber.create", 202),
        ("cms", "subscriber.create", 404),
    ]
    assert "a@example.com" not in entries[0].target  # a hash, so erasure leaves nothing


def test_the_audit_trail_shows_in_the_admin(api: Api, edition, admin_client) -> None:
    api.post("/subscribers", {"email": "a@example.com", "edition": "us"})
    page = admin_client.get("/admin/api/auditentry/").content.decode()
    assert "subscriber.create" in page and "cms" in page
    tokens = admin_client.get("/admin/api/apitoken/").content.decode()
    assert "cms" in tokens


def test_staff_create_a_token_in_the_admin_and_see_it_once(admin_client, db) -> None:
    response = admin_client.post("/admin/api/apitoken/add/", {"name": "paywall"}, follow=True)
    page = response.content.decode()
    raw = page.split("Token for paywall: ", 1)[1].split(" ", 1)[0]
    assert ApiToken.objects.get(name="paywall").token_hash == token_hash(raw)
    again = admin_client.get("/admin/api/apitoken/").content.decode()
    assert raw not in again


def test_a_write_refused_over_the_limit_is_audited_with_its_token(
    api: Api, edition, settings, monkeypatch
) -> None:
    # The trail named no token for a 429: the one integration hammering the API was the one
    # thing it could not say.
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_API_RATE_PER_MINUTE", 1)
    clock.set_clock(clock.FixedClock(dt.datetime(2026, 12, 1, 12, 0, 5, tzinfo=dt.UTC)))
    assert api.get("/editions").status_code == 200
    refused = api.post("/subscribers", {"email": "a@example.com", "edition": "us"})
    assert refused.status_code == 429
    entry = AuditEntry.objects.get()
    assert (entry.token_name, entry.token.name, entry.status) == ("cms", "cms", 429)
    assert not Subscriber.objects.exists()


def test_a_token_after_more_than_one_space_is_still_the_token(client, token) -> None:
    # RFC 9110 11.4 separates the scheme from the token by one or more spaces; a header built
    # as f"Bearer  {token}" was refused as if the token were wrong.
    response = client.get("/api/v1/editions", HTTP_AUTHORIZATION=f"Bearer   {token}")
    assert response.status_code == 200
