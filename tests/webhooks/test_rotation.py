"""A webhook's signing secret rotated: the old one signs beside the new for an overlap, so the
receiver's owner can deploy the new secret without one refused event; then only the new."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from standardwebhooks import Webhook

from headlines import cli
from headlines.core.errors import InvalidInput
from headlines.subscriptions import services as subscriptions
from headlines.webhooks import services
from headlines.webhooks.models import Endpoint
from headlines.webhooks.runner import webhooks_deliver_due
from tests import factories
from tests.webhooks.conftest import Receiver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]


def _sign_up(edition_id: int, email: str) -> None:
    subscriptions.subscription_request(
        email=email, edition_id=edition_id, marketing=False, source="form"
    )


def _signatures(hit_headers: dict[str, str]) -> list[str]:
    return hit_headers["webhook-signature"].split(" ")


def test_during_the_overlap_either_secret_verifies_then_only_the_new(
    receiver: Receiver, now, capsys
) -> None:
    edition = factories.edition(slug="us")
    endpoint = services.webhook_endpoint_add(url=receiver.url, events="subscriber.created")
    old = endpoint.secret
    call_command("webhook", "rotate", str(endpoint.pk))
    out = capsys.readouterr().out
    endpoint.refresh_from_db()
    new = endpoint.secret
    assert new != old and new.startswith("whsec_")
    assert f"New signing secret for webhook #{endpoint.pk}" in out and new in out
    until = (now.now() + dt.timedelta(hours=24)).astimezone(dt.UTC)
    assert f"until {until:%Y-%m-%d %H:%M} UTC" in out

    _sign_up(edition.pk, "first@example.com")
    assert webhooks_deliver_due()["delivered"] == 1
    [hit] = receiver.received
    # A receiver still on the old secret and one already on the new both accept it.
    assert Webhook(old).verify(hit.body, hit.headers)["data"]["email"] == "first@example.com"
    assert Webhook(new).verify(hit.body, hit.headers)["data"]["email"] == "first@example.com"
    assert len(_signatures(hit.headers)) == 2

    now.advance(hours=24, seconds=1)  # the overlap is over
    _sign_up(edition.pk, "second@example.com")
    assert webhooks_deliver_due()["delivered"] == 1
    second = receiver.received[1]
    at = dt.datetime.fromtimestamp(int(second.headers["webhook-timestamp"]), dt.UTC)
    msg_id, body = second.headers["webhook-id"], second.body.decode()
    assert _signatures(second.headers) == [Webhook(new).sign(msg_id, at, body)]
    assert Webhook(old).sign(msg_id, at, body) not in second.headers["webhook-signature"]


def test_a_leaked_secret_stops_at_once(receiver: Receiver, now, capsys) -> None:
    edition = factories.edition(slug="us")
    endpoint = services.webhook_endpoint_add(url=receiver.url, events="subscriber.created")
    old = endpoint.secret
    call_command("webhook", "rotate", str(endpoint.pk), "--overlap-hours", "0")
    assert "The old secret no longer signs anything." in capsys.readouterr().out
    endpoint.refresh_from_db()
    assert not endpoint.previous_secret and endpoint.previous_secret_until is None
    _sign_up(edition.pk, "reader@example.com")
    webhooks_deliver_due()
    [hit] = receiver.received
    assert Webhook(endpoint.secret).verify(hit.body, hit.headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(old).verify(hit.body, hit.headers)


def test_rotating_again_during_an_overlap_drops_the_oldest(now) -> None:
    endpoint = services.webhook_endpoint_add(url="https://crm.example/h", events="digest.sent")
    first = endpoint.secret
    second = services.webhook_endpoint_rotate(endpoint_id=endpoint.pk).secret
    third = services.webhook_endpoint_rotate(endpoint_id=endpoint.pk)
    assert third.secrets_at(now.now()) == [third.secret, second]
    assert first not in third.secrets_at(now.now())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["rotate", "999"], "no webhook #999"),
        (["rotate", "{id}", "--overlap-hours", "-1"], "from 0 to 720 hours"),
        (["rotate", "{id}", "--overlap-hours", "721"], "from 0 to 720 hours"),
        (["rotate", "{id}", "--overlap-hours", "nan"], "from 0 to 720 hours"),
        (["rotate", "{id}", "--overlap-hours", "1e300"], "from 0 to 720 hours"),
        (["rotate", "{id}", "--overlap-hours", "soon"], "invalid float value"),
    ],
)
@pytest.mark.django_db(transaction=True)  # `headlines` closes the connection on its way out
def test_bad_rotations_are_clear_errors_and_change_nothing(args, words, capsys) -> None:
    endpoint = services.webhook_endpoint_add(url="https://crm.example/h", events="digest.sent")
    with pytest.raises(SystemExit) as exited:  # through `headlines`, as typed
        cli.main(["webhook", *[a.format(id=endpoint.pk) for a in args]])
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert exited.value.code == 2  # nothing done (an overlap out of range exited 1)
    kept = Endpoint.objects.get()
    assert kept.secret == endpoint.secret and not kept.previous_secret


def test_the_service_refuses_an_overlap_out_of_range() -> None:
    endpoint = services.webhook_endpoint_add(url="https://crm.example/h", events="digest.sent")
    for hours in (-0.001, 720.5, float("nan"), float("inf"), 1e300):
        with pytest.raises(InvalidInput, match="from 0 to 720 hours"):
            services.webhook_endpoint_rotate(endpoint_id=endpoint.pk, overlap_hours=hours)
    assert Endpoint.objects.get().secret == endpoint.secret


def test_an_old_secret_past_its_overlap_is_not_kept(now) -> None:
    endpoint = services.webhook_endpoint_add(url="https://crm.example/h", events="digest.sent")
    services.webhook_endpoint_rotate(endpoint_id=endpoint.pk, overlap_hours=2)
    services.webhook_messages_purge()
    assert Endpoint.objects.get().previous_secret  # still in its overlap
    now.advance(hours=2, seconds=1)
    services.webhook_messages_purge()
    kept = Endpoint.objects.get()
    assert not kept.previous_secret and kept.previous_secret_until is None


def test_staff_rotate_a_secret_in_the_admin(admin_client, now) -> None:
    endpoint = services.webhook_endpoint_add(url="https://crm.example/h", events="digest.sent")
    old = endpoint.secret
    page = admin_client.post(
        "/admin/webhooks/endpoint/",
        {"action": "rotate", "_selected_action": [endpoint.pk]},
        follow=True,
    ).content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert f"new signing secret {endpoint.secret}" in page
    assert "the old one signs each message too until" in page
    change = admin_client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/").content.decode()
    assert "Old secret also signs until" in change
