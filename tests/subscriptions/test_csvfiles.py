import csv
import io

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from headlines.core.errors import InvalidInput, NotFound
from headlines.subscriptions import csvfiles, services
from headlines.subscriptions.models import ConsentEvent, Subscriber, Subscription, Suppression
from tests.subscriptions import factories

pytestmark = pytest.mark.django_db
HEADER = "email,consent_source,consent_at,marketing,timezone,name\n"


def test_good_rows_are_imported_and_each_bad_row_is_reported_with_its_line(edition) -> None:
    services.suppression_add(email="bounced@example.com", reason=Suppression.Reason.HARD_BOUNCE)
    text = (
        HEADER
        + "ann@example.com,website,2024-05-01T09:30:00Z,yes,Europe/Paris,Ann\n"  # 2 good
        + "not-an-email,website,2024-05-01T09:30:00Z,,,\n"  # 3
        + "bob@example.com,website,yesterday,,,\n"  # 4
        + "cat@example.com,website,2024-05-01T09:30:00Z,perhaps,,\n"  # 5
        + "\n"  # 6 blank, ignored
        + 'dan@example.com,website,2024-05-01T09:30:00+02:00,no,,"Dan, ""the"" man"\n'  # 7
        + "ann@example.com,again,2024-05-01T09:30:00Z,,,\n"  # 8 duplicate
        + "eve@example.com,website,2024-05-01T09:30:00Z,,Mars/Base,\n"  # 9
        + "bounced@example.com,website,2024-05-01T09:30:00Z,,,\n"  # 10
        + "fay@example.com,website\n"  # 11
        + "gus@example.com,,2024-05-01T09:30:00Z,,,\n"  # 12
        + "hal@example.com,website,2024-05-01T09:30:00,,,\n"  # 13 no offset
    )
    report = csvfiles.subscribers_import_csv(text=text, edition_slug="us")
    assert report.imported == 2
    lines = [line for line, _ in report.bad]
    assert lines == [3, 4, 5, 8, 9, 10, 11, 12, 13]
    reasons = dict(report.bad)
    assert "not a valid address" in reasons[3]
    assert "ISO 8601" in reasons[4]
    assert "yes or no" in reasons[5]
    assert "line 2" in reasons[8]
    assert "time zone" in reasons[9]
    assert "suppressed" in reasons[10]
    assert "fields" in reasons[11]
    assert "consent_source is empty" in reasons[12]
    assert "time zone" in reasons[13]
    assert set(Subscriber.objects.values_list("email", "name")) == {
        ("ann@example.com", "Ann"),
        ("dan@example.com", 'Dan, "the" man'),
    }
    assert set(Subscription.objects.values_list("status", flat=True)) == {"confirmed"}
    assert Subscriber.objects.get(email="ann@example.com").marketing


def test_a_file_without_the_required_columns_imports_nothing(edition) -> None:
    with pytest.raises(InvalidInput, match="consent_at"):
        csvfiles.subscribers_import_csv(
            text="email,consent_source\na@example.com,x\n", edition_slug="us"
        )
    with pytest.raises(NotFound):
        csvfiles.subscribers_import_csv(text=HEADER, edition_slug="nope")
    assert not Subscriber.objects.exists()


def test_nul_bytes_and_bad_encodings_are_reported(edition) -> None:
    text = (
        HEADER
        + "a@example.com,x,2024-05-01T00:00:00Z,,,\x00\nb@example.com,x,2024-05-01T00:00:00Z,,,\n"
    )
    report = csvfiles.subscribers_import_csv(text=text, edition_slug="us")
    assert report.bad == [(2, "contains a NUL character")] and report.imported == 1
    with pytest.raises(InvalidInput, match="UTF-8"):
        csvfiles.decode(b"email\n\xff\xfe")


def test_export_lists_each_subscription_with_its_status_and_defuses_formulas(edition, uk) -> None:
    factories.confirmed(edition, email="a@example.com")
    other = factories.confirmed(uk, email="a@example.com")
    services.subscription_unsubscribe(subscription_id=other.pk, source="admin")
    services.subscription_import_confirmed(
        email="=cmd@example.com",
        edition_id=edition.pk,
        consent_source="x",
        consent_at=other.confirmed_at,
        name="@SUM(A1)",
    )
    out = io.StringIO()
    assert csvfiles.subscriptions_export_csv(out=out) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["email"], r["edition"], r["status"]) for r in rows] == [
        ("a@example.com", "us", "confirmed"),
        ("a@example.com", "uk", "unsubscribed"),
        ("'=cmd@example.com", "us", "confirmed"),
    ]
    assert rows[2]["name"] == "'@SUM(A1)"
    only_uk = io.StringIO()
    assert csvfiles.subscriptions_export_csv(out=only_uk, edition_slug="uk") == 1


nasty = st.one_of(
    st.text(max_size=80),
    st.text(min_size=200, max_size=2000),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "a@b.com\r\nBcc: x@y.com",
            '"quoted, with comma"',
            '=HYPERLINK("http://evil")',
            "\u202e\u200b\ufeff",
            "\x1b[31mred\x1b[0m",
            "ok@example.com",
            "2024-05-01T09:30:00Z",
            "Europe/London",
            "yes",
        ]
    ),
)


@hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(nasty, min_size=0, max_size=8), min_size=1, max_size=6))
def test_hostile_csv_either_imports_a_row_whole_or_reports_its_line(edition, rows) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "consent_source", "consent_at", "marketing", "timezone", "name"])
    writer.writerows(rows)
    before = Subscriber.objects.count()
    report = csvfiles.subscribers_import_csv(text=out.getvalue(), edition_slug=edition.slug)
    last_line = len(io.StringIO(out.getvalue(), newline="").readlines())
    assert all(1 < line <= last_line for line, _ in report.bad)
    assert all(reason and "\n" not in reason for _, reason in report.bad)
    assert Subscriber.objects.count() - before <= report.imported
    # Nothing half-written: every subscriber has its subscription and its consent.
    for subscriber in Subscriber.objects.all():
        assert "\n" not in subscriber.email and "\r" not in subscriber.name
        assert subscriber.subscriptions.filter(status="confirmed").exists()
        assert ConsentEvent.objects.filter(subscriber=subscriber, source="import").exists()


def test_known_and_new_addresses_mix_in_one_import(edition, uk) -> None:
    factories.confirmed(uk, email="known@example.com")
    lines = [HEADER.strip()] + [
        f"r{n}@example.com,web,2024-05-01T09:30:00Z,,," for n in range(1200)
    ]
    lines.insert(700, "known@example.com,web,2024-05-01T09:30:00Z,yes,,")
    report = csvfiles.subscribers_import_csv(text="\n".join(lines), edition_slug="us")
    assert (report.imported, report.bad) == (1201, [])
    known = Subscriber.objects.get(email="known@example.com")
    assert set(known.subscriptions.values_list("edition__slug", flat=True)) == {"us", "uk"}
    assert known.marketing
