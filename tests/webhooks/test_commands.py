"""`headlines webhook add|list|enable|remove`, the admin form, and the job after each event."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from headlines.core import jobs
from headlines.core.scheduler import periodic_jobs
from headlines.subscriptions import services as subscriptions
from headlines.webhooks import services
from headlines.webhooks.models import Endpoint, Message
from headlines.webhooks.runner import webhooks_deliver_due
from tests import factories
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db


def test_add_list_remove(capsys) -> None:
    call_command(
        "webhook",
        "add",
        "https://crm.example/hooks",
        "--events",
        "subscriber.confirmed,digest.sent",
    )
    out = capsys.readouterr().out
    endpoint = Endpoint.objects.get()
    assert (
        f"#{endpoint.pk}" in out and endpoint.secret in out and endpoint.secret.startswith("whsec_")
    )
    assert endpoint.events == ["digest.sent", "subscriber.confirmed"]
    call_command("webhook", "list")
    listing = capsys.readouterr().out
    assert "crm.example" in listing and "enabled" in listing
    call_command("webhook", "remove", str(endpoint.pk))
    assert not Endpoint.objects.exists()


def test_a_disabled_endpoint_is_enabled_again_from_the_command_line(capsys, now) -> None:
    # Its reason says "Fix the receiver, then enable it again", and only the admin could: an
    # operator without a browser had no way back but remove and add (a new secret, the
    # backlog lost).
    endpoint = services.webhook_endpoint_add(url="https://crm.example/h", events="digest.sent")
    Endpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False, consecutive_failures=40, disabled_reason="Disabled …: enable it again"
    )
    call_command("webhook", "enable", str(endpoint.pk))
    assert f"Enabled webhook #{endpoint.pk}" in capsys.readouterr().out
    endpoint.refresh_from_db()
    assert endpoint.enabled and not endpoint.disabled_reason and endpoint.consecutive_failures == 0
    with pytest.raises(CommandError, match="no webhook #999") as caught:
        call_command("webhook", "enable", "999")
    assert caught.value.returncode == 2


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://127.0.0.1:9000/hook", "127.0.0.1 is a loopback address"),
        ("https://10.0.0.1/hook", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest", "169.254.169.254 is a link-local address"),
        ("http://[::1]/hook", "::1 is a loopback address"),
        ("http://100.100.100.200/latest", "100.100.100.200 is a shared (carrier-grade NAT)"),
        ("http://localhost:8080/hook", "localhost is a loopback address"),
    ],
)
def test_adding_a_private_address_warns_that_events_will_be_refused(capsys, url, said) -> None:
    call_command("webhook", "add", url, "--events", "digest.sent")
    err = capsys.readouterr().err
    assert said in err and "HEADLINES_WEBHOOK_ALLOW_PRIVATE" in err
    assert Endpoint.objects.get().url == url  # stored: staff may allow private addresses


def test_a_public_address_or_a_name_adds_without_a_warning(capsys, settings) -> None:
    call_command("webhook", "add", "https://crm.example/h", "--events", "digest.sent")
    call_command("webhook", "add", "https://93.184.216.34/h", "--events", "digest.sent")
    settings.CONFIG = {**settings.CONFIG, "HEADLINES_WEBHOOK_ALLOW_PRIVATE": True}
    call_command("webhook", "add", "http://127.0.0.1:9000/h", "--events", "digest.sent")
    assert capsys.readouterr().err == ""


def test_a_password_in_the_url_is_used_but_never_printed(capsys, admin_client) -> None:
    url = "https://hooks:s3cret-pass@crm.example:8443/in?x=1"
    call_command("webhook", "add", url, "--events", "digest.sent")
    call_command("webhook", "list")
    out = capsys.readouterr().out
    assert "s3cret-pass" not in out
    assert "hooks:***@crm.example:8443/in?x=1" in out
    assert Endpoint.objects.get().url == url  # kept whole: the receiver needs it
    listing = admin_client.get("/admin/webhooks/endpoint/").content.decode()
    assert "hooks:***@crm.example" in listing and "s3cret-pass" not in listing


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["add", "https://crm.example/h", "--events", "subscriber.exploded"], "unknown event"),
        (["add", "https://crm.example/h", "--events", ","], "unknown event"),
        (["add", "ftp://crm.example/h", "--events", "digest.sent"], r"http\(s\) URL"),
        (["add", "https://crm.example/a b", "--events", "digest.sent"], "spaces"),
        (["add", "https://crm.example/a\x9b2J", "--events", "digest.sent"], "control characters"),
        (["add", "https://crm.example/a\x7f", "--events", "digest.sent"], "control characters"),
        # 2001 characters of a good URL were "not an http(s) URL with a host".
        (["add", "https://crm.example/" + "a" * 1982, "--events", "digest.sent"], "at most 2000"),
        (["add", "https:///nohost", "--events", "digest.sent"], r"http\(s\) URL"),
        (["add", "https://crm.example:99999/h", "--events", "digest.sent"], "port is a number"),
        (["add", "https://crm.example:0/h", "--events", "digest.sent"], "port is a number"),
        (["add", "https://crm.example:https/h", "--events", "digest.sent"], "port is a number"),
        # urlsplit's "Invalid IPv6 URL" crashed `webhook add` with a traceback.
        (["add", "http://[::1", "--events", "digest.sent"], r"is not a valid URL \(a host in \["),
        (["add", "http://[zz]/h", "--events", "digest.sent"], "is not a valid URL"),
        (["remove", "999"], "no webhook #999"),
        (
            [
                "add",
                "https://crm.example/h",
                "--events",
                "digest.sent",
                "--description",
                "a\x1b[2Jb",
            ],
            "printable characters on one line",
        ),
        (
            ["add", "https://crm.example/h", "--events", "digest.sent", "--description", "x" * 201],
            "at most 200",
        ),
    ],
)
def test_bad_input_is_a_clear_error_and_stores_nothing(args, words) -> None:
    with pytest.raises(CommandError, match=words) as caught:
        call_command("webhook", *args)
    assert caught.value.returncode == 2
    assert not Endpoint.objects.exists()


def test_staff_add_an_endpoint_in_the_admin_with_checked_events(admin_client) -> None:
    bad = admin_client.post(
        "/admin/webhooks/endpoint/add/",
        {"url": "https://crm.example/h", "events": "nope", "description": ""},
    )
    assert bad.status_code == 200 and "unknown event" in bad.content.decode()
    assert not Endpoint.objects.exists()
    bad = admin_client.post(
        "/admin/webhooks/endpoint/add/",
        {"url": "https://crm.example/h", "events": "digest.sent", "description": "a\x07b"},
    )
    assert bad.status_code == 200 and "printable characters" in bad.content.decode()
    assert not Endpoint.objects.exists()
    admin_client.post(
        "/admin/webhooks/endpoint/add/",
        {"url": "https://crm.example/h", "events": "digest.sent", "description": "CRM"},
    )
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["digest.sent"] and endpoint.secret.startswith("whsec_")


def test_the_admin_warns_of_a_private_address_as_the_command_does(admin_client) -> None:
    # `webhook add` warned that every event would be refused; the admin stored it silently.
    for url in ("http://10.0.0.5/hooks", "https://crm.example/h"):
        page = admin_client.post(
            "/admin/webhooks/endpoint/add/",
            {"url": url, "events": "digest.sent", "description": ""},
            follow=True,
        )
        said = page.content.decode()
        private = "10.0.0.5 is a private address" in said
        assert private == url.startswith("http://10."), said
        assert ("HEADLINES_WEBHOOK_ALLOW_PRIVATE is off" in said) == private
    assert Endpoint.objects.count() == 2


def test_each_event_queues_the_runner_after_commit(
    receiver: Receiver, loopback_allowed, now, django_capture_on_commit_callbacks
) -> None:
    assert isinstance(jobs.get_backend(), jobs.ImmediateBackend)
    edition = factories.edition(slug="us")
    call_command("webhook", "add", receiver.url, "--events", "subscriber.created")
    with django_capture_on_commit_callbacks(execute=True):
        subscriptions.subscription_request(
            email="r@example.com", edition_id=edition.pk, marketing=False, source="form"
        )
    assert Message.objects.get().state == "delivered"
    assert len(receiver.received) == 1
    assert "webhooks.deliver" in {p.name for p in periodic_jobs()}


def test_a_refused_send_names_the_url_without_its_password(capsys, settings, now) -> None:
    # The address check refuses a private receiver before any connection; its reason goes to
    # the endpoint's last error, which `webhook list`, the admin and the log all show.
    settings.CONFIG = {**settings.CONFIG, "HEADLINES_WEBHOOK_ALLOW_PRIVATE": False}
    edition = factories.edition(slug="us")
    url = "http://hooks:s3cret-pass@10.0.0.7/in"
    call_command("webhook", "add", url, "--events", "subscriber.created")
    subscriptions.subscription_request(
        email="reader@example.com", edition_id=edition.pk, marketing=False, source="form"
    )
    assert webhooks_deliver_due()["retrying"] == 1
    error = Endpoint.objects.get().last_error
    assert "hooks:***@10.0.0.7" in error and "s3cret-pass" not in error
    assert "HEADLINES_WEBHOOK_ALLOW_PRIVATE=true allows it" in error
    assert "--local" not in error  # a source's remedy, not a webhook's
    call_command("webhook", "list")
    assert "s3cret-pass" not in capsys.readouterr().out


def test_the_help_lists_each_event_whole(capsys) -> None:
    # Joined with "," and no space, argparse broke the list mid-word ("subscriber.confirm ed").
    from headlines.core.events import EVENTS

    with pytest.raises(SystemExit):
        call_command("webhook", "add", "--help")
    words = capsys.readouterr().out.split()
    assert all(event in words or f"{event}," in words for event in EVENTS)


def test_an_endpoints_page_shows_its_latest_messages_not_all(admin_client) -> None:
    # Every message was an inline row: 20,000 made a page of 30 MB that took 24 s to render.
    from headlines.core import clock
    from headlines.webhooks.admin import INLINE_MESSAGES

    endpoint = services.webhook_endpoint_add(url="https://crm.example/h", events="digest.sent")
    other = services.webhook_endpoint_add(url="https://other.example/h", events="digest.sent")
    total = INLINE_MESSAGES + 10
    Message.objects.bulk_create(
        Message(
            endpoint=endpoint if n < total else other,
            msg_id=f"msg_{n}",
            event_type="digest.sent",
            payload={},
            next_attempt_at=clock.now(),
            last_error=f"error-{n:04}-",
        )
        for n in range(total + 5)
    )
    page = admin_client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/")
    said = page.content.decode()
    shown = [n for n in range(total + 5) if f"error-{n:04}-" in said]
    assert shown == list(range(10, total))  # the newest, and only this endpoint's
    assert "Webhooks → Messages" in said
    saved = admin_client.post(
        f"/admin/webhooks/endpoint/{endpoint.pk}/change/",
        {
            "url": "https://crm.example/moved",
            "events": "digest.sent",
            "description": "",
            "messages-TOTAL_FORMS": str(INLINE_MESSAGES),
            "messages-INITIAL_FORMS": str(INLINE_MESSAGES),
            "messages-MIN_NUM_FORMS": "0",
            "messages-MAX_NUM_FORMS": "0",
            **{
                f"messages-{i}-id": str(pk)
                for i, pk in enumerate(
                    Message.objects.filter(endpoint=endpoint).values_list("pk", flat=True)[
                        :INLINE_MESSAGES
                    ]
                )
            },
            **{f"messages-{i}-endpoint": str(endpoint.pk) for i in range(INLINE_MESSAGES)},
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert Endpoint.objects.get(pk=endpoint.pk).url == "https://crm.example/moved"
