import datetime as dt

import pytest

from headlines.core import clock
from headlines.core.models import OutboxMessage
from headlines.subscriptions import services
from headlines.subscriptions.models import ConsentEvent, Subscriber

pytestmark = pytest.mark.django_db


def sign_up(edition, email, ip):
    services.subscription_request(
        email=email, edition_id=edition.pk, marketing=False, source=ConsentEvent.Source.FORM, ip=ip
    )


@pytest.fixture
def fixed_clock():
    fixed = clock.FixedClock(dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC))
    clock.set_clock(fixed)
    return fixed


def test_one_ip_is_refused_past_its_hourly_limit_until_the_hour_passes(
    edition, settings, fixed_clock
) -> None:
    settings.CONFIG = {**settings.CONFIG, "HEADLINES_SIGNUP_RATE_PER_IP": 3}
    for n in range(3):
        sign_up(edition, f"r{n}@example.com", "203.0.113.5")
    with pytest.raises(services.RateLimited):
        sign_up(edition, "r9@example.com", "203.0.113.5")
    assert not Subscriber.objects.filter(email="r9@example.com").exists()
    sign_up(edition, "r9@example.com", "203.0.113.6")  # another client is not affected
    fixed_clock.advance(minutes=61)
    sign_up(edition, "r10@example.com", "203.0.113.5")
    assert Subscriber.objects.count() == 5


def test_one_address_gets_no_more_mail_past_its_limit_and_is_not_told(
    edition, settings, fixed_clock, mail_now
) -> None:
    settings.CONFIG = {**settings.CONFIG, "HEADLINES_SIGNUP_RATE_PER_ADDRESS": 2}
    for n in range(5):
        mail_now(lambda n=n: sign_up(edition, "target@example.com", f"198.51.100.{n}"))
    assert OutboxMessage.objects.filter(recipients="target@example.com").count() == 2
    fixed_clock.advance(hours=2)
    mail_now(lambda: sign_up(edition, "target@example.com", "198.51.100.1"))
    assert OutboxMessage.objects.filter(recipients="target@example.com").count() == 3


def test_sign_ups_delete_nothing_and_the_periodic_job_forgets_the_hour_old_attempts(
    edition, settings, fixed_clock
) -> None:
    from headlines.core import jobs
    from headlines.core.scheduler import periodic_jobs
    from headlines.subscriptions.models import SignupAttempt

    settings.CONFIG = {**settings.CONFIG, "HEADLINES_SIGNUP_RATE_PER_IP": 2}
    sign_up(edition, "a@example.com", "203.0.113.5")
    sign_up(edition, "b@example.com", "203.0.113.5")
    fixed_clock.advance(minutes=61)
    sign_up(edition, "c@example.com", "203.0.113.5")  # the hour has passed: allowed again
    assert SignupAttempt.objects.count() == 6  # the hour-old pairs are left for the job
    fixed_clock.advance(minutes=30)
    sign_up(edition, "d@example.com", "203.0.113.5")
    with pytest.raises(services.RateLimited):  # the old rows never counted, the new ones do
        sign_up(edition, "e@example.com", "203.0.113.5")

    assert jobs.run_job("subscriptions.forget_signup_attempts", {}) == 4
    assert (
        sorted(
            created.isoformat()
            for created in SignupAttempt.objects.values_list("created_at", flat=True)
        )
        == ["2026-04-01T09:01:00+00:00"] * 2 + ["2026-04-01T09:31:00+00:00"] * 2
    )
    with pytest.raises(services.RateLimited):  # forgetting changed no count
        sign_up(edition, "e@example.com", "203.0.113.5")
    assert jobs.run_job("subscriptions.forget_signup_attempts", {}) == 0
    assert {p.name: p.seconds for p in periodic_jobs()}[
        "subscriptions.forget_signup_attempts"
    ] == 60


def test_without_a_client_address_only_the_address_is_limited(
    edition, settings, fixed_clock, mail_now
) -> None:
    from headlines.subscriptions.models import SignupAttempt

    settings.CONFIG = {
        **settings.CONFIG,
        "HEADLINES_SIGNUP_RATE_PER_IP": 1,
        "HEADLINES_SIGNUP_RATE_PER_ADDRESS": 2,
    }
    for n in range(3):  # no address to count: the per-IP limit of 1 does not apply
        sign_up(edition, f"r{n}@example.com", None)
    assert Subscriber.objects.count() == 3
    for _ in range(3):
        mail_now(lambda: sign_up(edition, "same@example.com", None))
    assert OutboxMessage.objects.filter(recipients="same@example.com").count() == 2
    assert not SignupAttempt.objects.filter(key__startswith="ip:").exists()
