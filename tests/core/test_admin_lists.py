"""Admin lists that grow with readers count at most a capped number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from headlines.core.admin_lists import CappedPaginator
from headlines.core.models import Edition, Job

pytestmark = pytest.mark.django_db

# Each list holds a row (or several) per reader, per reader per digest, or per email sent.
GROWING = [
    "/admin/subscriptions/subscriber/",
    "/admin/subscriptions/subscription/",
    "/admin/subscriptions/consentevent/",
    "/admin/subscriptions/suppression/",
    "/admin/delivery/delivery/",
    "/admin/delivery/bounceevent/",
    "/admin/engagement/click/",
    "/admin/webhooks/message/",
    "/admin/api/auditentry/",
    "/admin/core/job/",
    "/admin/core/outboxmessage/",
    # Not with readers but with the days: thousands of articles a day at a large newsroom.
    "/admin/intake/article/",
]


@pytest.mark.parametrize("url", GROWING)
def test_no_list_that_grows_with_readers_counts_every_row(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setattr(CappedPaginator, "CAP", 7)
    for query in ("", "?q=someone%40example.com"):
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url + query).status_code == 200
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        assert counts and all("LIMIT 8" in sql for sql in counts), (url, counts)


def test_the_jobs_list_says_more_than_the_cap_and_its_filters_count_exactly(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every sign-up leaves a confirmation job and a welcome job, kept after they ran."""
    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    now = dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC)
    Job.objects.bulk_create(
        [Job(kind="subscriptions.send_welcome", run_after=now, status="done") for _ in range(5)]
        + [Job(kind="subscriptions.send_confirmation", run_after=now, status="failed")]
    )
    page = admin_client.get("/admin/core/job/").content.decode()
    assert "more than 3 jobs" in page and "Select all 3" not in page
    page = admin_client.get("/admin/core/job/?status__exact=failed").content.decode()
    assert "1 job" in page and "more than" not in page
    page = admin_client.get("/admin/core/job/?q=send_confirmation").content.decode()
    assert "1 result" in page and "more than" not in page


def test_the_count_beside_the_search_box_is_shown_for_a_search_or_a_filter_only(
    admin_client: Client,
) -> None:
    # With no full count, Django printed "6 results (Show all)" beside the box on the whole
    # list, the link leading to the page the editor was on.
    now = dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC)
    Job.objects.bulk_create(
        [Job(kind="subscriptions.send_welcome", run_after=now, status="done") for _ in range(5)]
        + [Job(kind="subscriptions.send_confirmation", run_after=now, status="failed")]
    )
    page = admin_client.get("/admin/core/job/").content.decode()
    assert "6 results" not in page and "Show all" not in page
    page = admin_client.get("/admin/core/job/?status__exact=failed").content.decode()
    assert "1 result (" in page and "Show all" in page
    page = admin_client.get("/admin/core/job/?q=send_welcome").content.decode()
    assert "5 results (" in page and "Show all" in page


def _offers_without_distinct(admin_client: Client, url: str, wanted: list[str]) -> None:
    """The list at `url` offers each of `wanted` in its filters, once and in order, and no
    statement of the page reads a column's values by DISTINCT but the drill-down's dates."""
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(url).content.decode()
    # (the date drill-down of a list this short is Django's own, DISTINCT of its dates)
    distinct = [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]
    assert all("created_at" in sql for sql in distinct), (url, distinct)
    offered = [v for v in wanted if f">{v}</a>" in page]
    assert offered == wanted, (url, offered)
    positions = [page.index(f">{v}</a>") for v in wanted]
    assert positions == sorted(positions)


def _drill_down(admin_client: Client, query: str) -> tuple[list[str], list[str]]:
    """The date drill-down's choices on the jobs list, and the statements of the page."""
    import re

    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(f"/admin/core/job/{query}").content.decode()
    nav = re.search(r'<nav class="toplinks">(.*?)</nav>', page, re.S)
    choices = re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1)) if nav else []
    return [c.strip() for c in choices], [q["sql"] for q in queries]


@pytest.mark.parametrize("cap", [3, 10_000])
def test_the_date_drill_down_offers_the_periods_that_hold_rows_without_reading_every_row(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    """Past the cap the years, months and days are found one probe a period (Django's own
    read the date of every row: a scan of a million jobs on every page load); a list the cap
    counts exactly is read as Django does. Either way the same choices."""
    monkeypatch.setattr(CappedPaginator, "CAP", cap)
    when = [
        dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 20, 23, 59, tzinfo=dt.UTC),
        dt.datetime(2026, 2, 3, 12, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC),
    ]
    jobs = Job.objects.bulk_create(
        [Job(kind="subscriptions.send_welcome", run_after=at, status="done") for at in when]
    )
    for job, at in zip(jobs, when, strict=True):
        Job.objects.filter(pk=job.pk).update(created_at=at)

    years, statements = _drill_down(admin_client, "")
    assert years == ["2025", "2026"]
    probed = not any("DISTINCT" in sql.upper() and "created_at" in sql for sql in statements)
    assert probed is (cap == 3)
    months, _ = _drill_down(admin_client, "?created_at__year=2026")
    assert months[1:] == ["January 2026", "February 2026", "November 2026"]  # after "All dates"
    days, _ = _drill_down(admin_client, "?created_at__year=2026&created_at__month=1")
    assert days[1:] == ["January 5", "January 20"]
    one_year, _ = _drill_down(admin_client, "?status__exact=done&created_at__year=2025")
    assert one_year[1:] == ["March 2025"]


def test_the_filters_by_value_offer_every_value_held_without_distinct(
    admin_client: Client,
) -> None:
    """The jobs' kinds and the audit trail's actions, statuses and tokens are found by a skip
    scan of an index on each (DISTINCT read a million rows per filter per page load); the
    choices are the same: each value present, once, in order, and each narrows the list."""
    from headlines.api.models import AuditEntry

    now = dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC)
    kinds = ["webhooks.deliver", "delivery.send", "webhooks.deliver", "intake.ingest"]
    Job.objects.bulk_create([Job(kind=kind, run_after=now) for kind in kinds])
    AuditEntry.objects.bulk_create(
        AuditEntry(token_name=name, action=action, method="POST", path="/api/v1/x", status=status)
        for name, action, status in [
            ("desk", "subscriber.create", 201),
            ("partner", "subscriber.create", 422),
            ("desk", "source.create", 201),
        ]
    )
    for url, wanted in [
        ("/admin/core/job/", ["delivery.send", "intake.ingest", "webhooks.deliver"]),
        ("/admin/api/auditentry/", ["source.create", "subscriber.create", "201", "422"]),
        ("/admin/api/auditentry/", ["desk", "partner"]),
    ]:
        _offers_without_distinct(admin_client, url, wanted)
    page = admin_client.get("/admin/core/job/?kind=webhooks.deliver").content.decode()
    assert "2 jobs" in page
    page = admin_client.get("/admin/api/auditentry/?status=422").content.decode()
    assert "1 audit entry" in page


def test_articles_and_webhook_messages_filter_by_value_without_distinct(
    admin_client: Client,
) -> None:
    """An article's language and duplicate reason and a webhook message's event type are found
    by a skip scan of an index on each, as the jobs' kinds are: DISTINCT read every article
    (millions after a year) and every webhook message on each page load."""
    from headlines.webhooks.models import Endpoint, Message
    from tests.stories import factories

    edition = Edition.objects.create(slug="us", name="US", timezone="America/New_York")
    wire = factories.source(name="Wire", edition=edition)
    for language in ["fr", "en", "de", "en"]:
        factories.article(source=wire, edition=edition, language=language)
    factories.article(source=wire, edition=edition, language="en", duplicate_reason="same_text")
    endpoint = Endpoint.objects.create(url="https://hooks.example/in", events=["*"], secret="s")
    now = dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC)
    for n, event in enumerate(["subscriber.confirmed", "digest.sent", "subscriber.confirmed"]):
        Message.objects.create(
            endpoint=endpoint, msg_id=f"msg_{n}", event_type=event, payload={}, next_attempt_at=now
        )
    for url, wanted in [
        ("/admin/intake/article/", ["de", "en", "fr"]),
        ("/admin/intake/article/", ["same_text"]),
        ("/admin/webhooks/message/", ["digest.sent", "subscriber.confirmed"]),
    ]:
        _offers_without_distinct(admin_client, url, wanted)
    page = admin_client.get("/admin/intake/article/?language=en").content.decode()
    assert "3 articles" in page
    page = admin_client.get("/admin/webhooks/message/?event_type=subscriber.confirmed").content
    assert "2 messages" in page.decode()
