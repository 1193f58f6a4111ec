import csv
import io
import re

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from headlines.subscriptions import csvfiles
from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import ConsentEvent, Subscriber, Suppression
from tests.subscriptions import factories
from tests.subscriptions.conftest import rows_naming

pytestmark = pytest.mark.django_db
BASE = "/admin/subscriptions/"


@pytest.fixture
def staff(client):
    User.objects.create_superuser("editor", "editor@example.com", "pw-for-tests")
    client.login(username="editor", password="pw-for-tests")
    return client


def test_subscribers_can_be_searched_and_filtered_by_edition_and_status(staff, edition, uk) -> None:
    factories.confirmed(edition, email="alice@example.com")
    factories.confirmed(uk, email="bob@example.com")
    page = staff.get(f"{BASE}subscriber/?q=alice").content.decode()
    assert "alice@example.com" in page and "bob@example.com" not in page
    page = staff.get(
        f"{BASE}subscriber/?subscriptions__edition__id__exact={uk.pk}"
        "&subscriptions__status__exact=confirmed"
    ).content.decode()
    assert "bob@example.com" in page and "alice@example.com" not in page


def test_consent_history_is_shown_and_cannot_be_edited(staff, edition) -> None:
    subscription = factories.confirmed(edition, email="alice@example.com")
    subscriber = subscription.subscriber
    page = staff.get(f"{BASE}subscriber/{subscriber.pk}/change/").content.decode()
    assert "Consent history (read-only)" in page and "test list" in page
    assert 'name="consents-0-wording"' not in page  # shown as text, not as a field
    event = ConsentEvent.objects.get()
    assert staff.get(f"{BASE}consentevent/{event.pk}/delete/").status_code == 403
    response = staff.post(f"{BASE}consentevent/{event.pk}/change/", {"granted": ""})
    assert response.status_code in {200, 403}
    assert ConsentEvent.objects.get().granted is True
    assert staff.get(f"{BASE}consentevent/add/").status_code == 403


def test_csv_import_in_the_admin_reports_bad_rows(staff, edition) -> None:
    upload = SimpleUploadedFile(
        "list.csv",
        b"email,consent_source,consent_at\n"
        b"ok@example.com,web,2024-01-01T00:00:00Z\n"
        b"<b>x</b>,web,2024-01-01T00:00:00Z\n",
    )
    response = staff.post(f"{BASE}subscriber/import-csv/", {"edition": "us", "file": upload})
    page = response.content.decode()
    assert "2 row(s) read: 1 new, 0 changed, 0 already there, 1 not imported." in page
    assert (
        "<td>3</td>" in page and "&#x27;&lt;b&gt;x&lt;/b&gt;&#x27; is not a valid address" in page
    )
    assert Subscriber.objects.get().email == "ok@example.com"


def test_csv_re_import_in_the_admin_counts_every_row(staff, edition) -> None:
    body = (
        b"email,consent_source,consent_at\n"
        b"ok@example.com,web,2024-01-01T00:00:00Z\n"
        b'open@example.com,"web,2024-01-01T00:00:00Z\n'
        b"next@example.com,web,2024-01-01T00:00:00Z\n"
    )
    for _ in range(2):
        upload = SimpleUploadedFile("list.csv", body)
        response = staff.post(f"{BASE}subscriber/import-csv/", {"edition": "us", "file": upload})
    page = response.content.decode()
    assert "3 row(s) read: 0 new, 0 changed, 2 already there, 1 not imported." in page
    assert "<td>3</td><td>cannot be read as CSV: a quote is opened and never closed" in page
    assert Subscriber.objects.count() == 2


def test_csv_export_in_the_admin(staff, edition, uk) -> None:
    factories.confirmed(edition, email="a@example.com")
    factories.confirmed(uk, email="b@example.com")
    response = staff.get(f"{BASE}subscriber/export-csv/?edition={uk.pk}")
    assert response["Content-Disposition"] == 'attachment; filename="subscribers-uk.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["email"], r["status"]) for r in rows] == [("b@example.com", "confirmed")]


def test_deleting_a_subscriber_in_the_admin_erases_and_suppresses(staff, edition) -> None:
    subscriber = factories.confirmed(edition, email="gone@example.com").subscriber
    staff.post(f"{BASE}subscriber/{subscriber.pk}/delete/", {"post": "yes"})
    assert not Subscriber.objects.exists()
    assert Suppression.objects.get().email_hash == email_hash("gone@example.com")
    assert ConsentEvent.objects.filter(granted=False).exists()


def test_a_reader_staff_edited_then_erased_is_named_nowhere_not_even_in_the_history(
    staff, edition
) -> None:
    # The admin's history kept each entry under the row's str(): the reader's address, written
    # there by the erasure itself and kept for ever.
    subscription = factories.confirmed(edition, email="Gone.Reader@example.com")
    subscriber = subscription.subscriber
    change = f"{BASE}subscriber/{subscriber.pk}/change/"
    form = dict(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', staff.get(change).text)
    )
    assert staff.post(change, {**form, "name": "Gone Reader"}).status_code == 302
    staff.post(
        f"{BASE}subscription/",
        {"action": "unsubscribe", "_selected_action": [subscription.pk]},
    )
    assert LogEntry.objects.exists()
    staff.post(f"{BASE}subscriber/{subscriber.pk}/delete/", {"post": "yes"})
    assert not Subscriber.objects.exists()
    assert rows_naming("gone.reader@example.com") == []
    assert LogEntry.objects.filter(action_flag=DELETION).get().object_repr == "(subscriber erased)"
    staff.get("/admin/")  # shows (and so clears) the pending "was deleted" notices
    recent_actions = staff.get("/admin/").content.decode()
    assert "(subscriber erased)" in recent_actions
    assert "gone.reader" not in recent_actions.lower()


def test_staff_add_a_suppression_by_address_stored_only_as_a_hash(staff) -> None:
    staff.post(
        f"{BASE}suppression/add/", {"email": "noway@example.com", "detail": "asked by phone"}
    )
    suppression = Suppression.objects.get()
    assert suppression.email_hash == email_hash("noway@example.com")
    assert suppression.reason == "manual"
    assert "noway" not in staff.get(f"{BASE}suppression/").content.decode()


def test_anonymous_visitors_cannot_reach_the_csv_doors(client, edition) -> None:
    assert client.get(f"{BASE}subscriber/export-csv/").status_code == 302
    assert client.get(f"{BASE}subscriber/import-csv/").status_code == 302


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_adding_a_suppression_names_what_was_stored_and_a_repeat_changes_nothing(staff) -> None:
    added = staff.post(
        f"{BASE}suppression/add/",
        {"email": "NoWay@Example.com", "detail": "asked by phone"},
        follow=True,
    )
    stored = Suppression.objects.get()
    assert said(added) == [
        f"The suppression “{stored.email_hash[:12]}… (manual)” was added successfully."
    ]
    Suppression.objects.update(reason=Suppression.Reason.COMPLAINT)
    again = staff.post(f"{BASE}suppression/add/", {"email": "noway@example.com"}, follow=True)
    assert said(again) == ["That address was already suppressed (spam complaint); nothing changed."]
    assert again.redirect_chain[-1][0] == f"{BASE}suppression/"
    kept = Suppression.objects.get()
    assert (kept.reason, kept.detail) == (Suppression.Reason.COMPLAINT, "asked by phone")
    assert "noway" not in again.content.decode().lower()


def test_a_suppression_needs_a_real_address(staff) -> None:
    page = staff.post(f"{BASE}suppression/add/", {"email": "<script>x</script>"}).content.decode()
    assert "Enter a valid email address." in page and "<script>x" not in page
    assert not Suppression.objects.exists()


def test_the_import_page_names_every_column_a_file_may_carry(staff, edition) -> None:
    page = staff.get(f"{BASE}subscriber/import-csv/").content.decode()
    for column in csvfiles.REQUIRED + csvfiles.OPTIONAL:
        assert f"<code>{column}</code>" in page, column


def test_deleting_a_subscriber_says_first_that_it_erases_them_for_good(staff, edition) -> None:
    subscription = factories.confirmed(edition, email="leaving@example.com")
    subscriber = subscription.subscriber
    one = staff.get(f"{BASE}subscriber/{subscriber.pk}/delete/").content.decode()
    several = staff.post(
        f"{BASE}subscriber/",
        {"action": "delete_selected", "_selected_action": [subscriber.pk]},
    ).content.decode()
    for page in (one, several):
        assert 'id="erase-note"' in page
        assert "the address is never mailed again" in page
        assert "unsubscribe their subscriptions instead" in page
    staff.post(f"{BASE}subscriber/{subscriber.pk}/delete/", {"post": "yes"})
    assert not Subscriber.objects.filter(email="leaving@example.com").exists()
    assert Suppression.objects.get().email_hash == email_hash("leaving@example.com")


@pytest.fixture
def cap_of_3(monkeypatch):
    """The lists' count cap (10,000) lowered so a handful of readers passes it."""
    from headlines.core.admin_lists import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "CAP", 3)


def _counts(staff, url: str) -> tuple[str, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = staff.get(url)
    assert page.status_code == 200
    return page.content.decode(), [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize(
    ("model", "plural"),
    [
        ("subscriber", "subscribers"),
        ("subscription", "subscriptions"),
        ("consentevent", "consent events"),
        ("suppression", "suppressions"),
    ],
)
def test_the_reader_lists_count_at_most_a_capped_number_of_rows(
    staff, edition, cap_of_3, model, plural
) -> None:
    """A million readers are not counted whole on every page load: past the cap the page says
    "more than", and a search narrows the list to an exact count."""
    from headlines.subscriptions import services

    for n in range(5):
        factories.confirmed(edition, email=f"reader{n}@example.com")
        services.suppression_add(
            email=f"reader{n}@example.com", reason=Suppression.Reason.MANUAL, detail="test"
        )
    page, counts = _counts(staff, f"{BASE}{model}/")
    assert counts and all("LIMIT 4" in sql for sql in counts), counts
    assert f"more than 3 {plural}" in page
    query = email_hash("reader1@example.com") if model == "suppression" else "reader1@example.com"
    page, counts = _counts(staff, f"{BASE}{model}/?q={query}")
    assert "more than" not in page and re.search(r"\b[12] results?\b", page) is not None


def test_a_capped_subscriber_list_keeps_its_filters_and_exact_counts_below_the_cap(
    staff, edition, uk, cap_of_3
) -> None:
    for n in range(5):
        factories.confirmed(edition, email=f"us{n}@example.com")
    factories.confirmed(uk, email="bob@example.com")
    page, _ = _counts(staff, f"{BASE}subscriber/")
    assert "more than 3 subscribers" in page
    page, _ = _counts(staff, f"{BASE}subscriber/?q=example.com")
    assert "more than 3 results" in page  # the search's own count says so too
    page, _ = _counts(staff, f"{BASE}subscriber/?subscriptions__edition__id__exact={uk.pk}")
    assert "bob@example.com" in page and "1 subscriber" in page and "more than" not in page
    page, _ = _counts(
        staff, f"{BASE}subscription/?edition__id__exact={uk.pk}&status__exact=confirmed"
    )
    assert "bob@example.com" in page and "1 subscription" in page and "more than" not in page


def test_the_subscriber_list_filters_by_subscription_without_distinct(staff, edition, uk) -> None:
    """A reader of two editions is listed once under each filter, by a subquery: the list and
    its count never need DISTINCT (15-70 ms of the count alone at a million readers)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    both = factories.confirmed(edition, email="both@example.com").subscriber
    factories.confirmed(uk, email="both@example.com")
    factories.confirmed(edition, email="alice@example.com")
    for query in ("", "?subscriptions__status__exact=confirmed", "?q=example.com"):
        with CaptureQueriesContext(connection) as queries:
            page = staff.get(f"{BASE}subscriber/{query}").content.decode()
        assert page.count(f"/admin/subscriptions/subscriber/{both.pk}/change/") == 1, query
        assert "2 subscribers" in page or "2 results" in page, query
        assert not [q for q in queries if "DISTINCT" in q["sql"].upper()], query
    page = staff.get(f"{BASE}subscriber/?subscriptions__edition__id__exact={uk.pk}")
    assert "1 subscriber" in page.content.decode()
    page = staff.get(f"{BASE}subscriber/?subscriptions__status__exact=unsubscribed")
    assert "0 subscribers" in page.content.decode()
    # A filter value that names nothing: the admin's "bad filter" page, not an error.
    response = staff.get(f"{BASE}subscriber/?subscriptions__edition__id__exact=x")
    assert response.status_code == 302 and response["Location"].endswith("?e=1")


def test_an_action_on_every_row_of_a_capped_list_is_refused(staff, edition, cap_of_3) -> None:
    """ "Select all 3" would unsubscribe every reader past the cap too: it is not offered, and a
    request for it does nothing but say why. Rows picked on the page still work."""
    from headlines.subscriptions.models import Subscription

    subs = [factories.confirmed(edition, email=f"r{n}@example.com") for n in range(5)]
    page, _ = _counts(staff, f"{BASE}subscription/")
    assert "more than 3 subscriptions" in page and "Select all 3" not in page
    response = staff.post(
        f"{BASE}subscription/",
        {
            "action": "unsubscribe",
            "index": "0",
            "select_across": "1",
            "_selected_action": [subs[0].pk],
        },
        follow=True,
    )
    assert "More than 3 rows match" in response.content.decode()
    assert not Subscription.objects.exclude(status=Subscription.Status.CONFIRMED).exists()
    staff.post(
        f"{BASE}subscription/",
        {
            "action": "unsubscribe",
            "index": "0",
            "select_across": "0",
            "_selected_action": [subs[0].pk],
        },
    )
    assert Subscription.objects.exclude(status=Subscription.Status.CONFIRMED).count() == 1
    filtered = f"{BASE}subscription/?q=r1%40example.com"
    staff.post(
        filtered,
        {
            "action": "unsubscribe",
            "index": "0",
            "select_across": "1",
            "_selected_action": [subs[1].pk],
        },
    )
    assert Subscription.objects.exclude(status=Subscription.Status.CONFIRMED).count() == 2


def test_a_whole_address_finds_its_reader_by_the_unique_indexes_any_case(staff, edition) -> None:
    """Staff search for the address a reader wrote from: the reader, found by the stored
    address's keyed hash (any case), not `LIKE '%…%'` over every reader (which also
    listed the longer addresses holding it). A part of an address, a name, or a whole address
    no reader has is Django's search, as before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.confirmed(edition, email="ann@example.org")
    factories.confirmed(edition, email="joann@example.org")
    bob = factories.confirmed(edition, email="Bob@EXAMPLE.com").subscriber
    Subscriber.objects.filter(pk=bob.pk).update(name="Robert Ann-Marie")
    assert Subscriber.objects.get(pk=bob.pk).email == "Bob@example.com"
    factories.confirmed(edition, email="cy@xn--bcher-kva.example")

    def listed(query: str) -> tuple[list[str], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            page = staff.get(f"{BASE}subscriber/", {"q": query}).content.decode()
        emails = re.findall(r'<th class="field-email"><a href="[^"]+">([^<]+)</a>', page)
        return sorted(emails), [q["sql"] for q in queries.captured_queries if "LIKE" in q["sql"]]

    assert listed("ann@example.org") == (["ann@example.org"], [])
    assert listed(" ANN@Example.ORG ") == (["ann@example.org"], [])
    assert listed("bob@example.com") == (["Bob@example.com"], [])
    # As the reader writes it: the international domain the sign-up stored in ASCII.
    assert listed("cy@bücher.example") == (["cy@xn--bcher-kva.example"], [])
    emails, likes = listed("nn@example.org")  # no reader's whole address: Django's search
    assert emails == ["ann@example.org", "joann@example.org"] and likes
    assert listed("joann")[0] == ["joann@example.org"]
    assert listed("Ann-Marie")[0] == ["Bob@example.com"]
    assert listed("example.org")[0] == ["ann@example.org", "joann@example.org"]


def test_staff_find_a_suppression_by_the_readers_whole_address(staff) -> None:
    # Only the hash is stored: "is this reader suppressed?" found no suppression for any
    # address, suppressed or not, and staff concluded they were not.
    from headlines.subscriptions.services import suppression_add

    suppression_add(email="Gone@example.com", reason=Suppression.Reason.ERASED)
    suppression_add(email="other@example.com", reason=Suppression.Reason.COMPLAINT)
    found = staff.get(f"{BASE}suppression/", {"q": " Gone@EXAMPLE.com "}).content.decode()
    assert email_hash("gone@example.com") in found
    assert email_hash("other@example.com") not in found
    missing = staff.get(f"{BASE}suppression/", {"q": "nobody@example.com"}).content.decode()
    assert email_hash("gone@example.com") not in missing
    part = staff.get(f"{BASE}suppression/", {"q": email_hash("other@example.com")[:10]})
    assert email_hash("other@example.com") in part.content.decode()


def test_staff_find_an_erased_readers_consent_history_by_the_whole_address(staff, edition) -> None:
    # The history outlives the reader, kept by the address's hash: a search by the address
    # looked in `subscriber__email`, gone with the reader, and found none of it.
    from headlines.subscriptions.preferences import subscriber_erase

    gone = factories.confirmed(edition, email="gone@example.org")
    factories.confirmed(edition, email="stays@example.org")
    subscriber_erase(subscriber_id=gone.subscriber_id)
    found = staff.get(f"{BASE}consentevent/", {"q": "Gone@example.org"}).content.decode()
    assert email_hash("gone@example.org")[:12] in found
    assert email_hash("stays@example.org")[:12] not in found
    live = staff.get(f"{BASE}consentevent/", {"q": "stays@example.org"}).content.decode()
    assert email_hash("stays@example.org")[:12] in live
    domain = staff.get(f"{BASE}consentevent/", {"q": "@example.org"}).content.decode()
    assert email_hash("stays@example.org")[:12] in domain  # a part of an address as before
