"""Admin lists that grow with readers count at most a capped number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from headlines.core.admin_lists import CappedPaginator
from headlines.core.models import Job

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
