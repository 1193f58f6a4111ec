import csv
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from headlines.core import clock
from headlines.core.errors import InvalidInput, NotFound
from headlines.subscriptions import csvfiles, selectors, services
from headlines.subscriptions.hashing import email_hash
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
        + "ivy@example.com,website, ,,,\n"  # 14 no consent time
    )
    report = csvfiles.subscribers_import_csv(text=text, edition_slug="us")
    assert report.imported == 2
    lines = [line for line, _ in report.bad]
    assert lines == [3, 4, 5, 8, 9, 10, 11, 12, 13, 14]
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
    assert reasons[14] == "consent_at is empty: give the time the reader consented"
    assert set(Subscriber.objects.values_list("email", "name")) == {
        ("ann@example.com", "Ann"),
        ("dan@example.com", 'Dan, "the" man'),
    }
    assert set(Subscription.objects.values_list("status", flat=True)) == {"confirmed"}
    assert Subscriber.objects.get(email="ann@example.com").marketing


def test_a_row_with_several_problems_is_reported_with_all_of_them(edition) -> None:
    # Only the first was named: the list's owner mended it, imported again and was told the
    # next problem of the same row.
    text = (
        HEADER
        + "not-an-email,,2024-05-01T09:30:00,maybe,Mars/Base,Ann\x07\n"  # 2: six problems
        + "bob@example.com,website,yesterday,perhaps,,\n"  # 3: two, one a time not read
        + "cat@example.com,website,2999-05-01T09:30:00Z,,,\n"  # 4: one
        + "ännä@example.de,website,2024-05-01T09:30:00Z,,,\n"  # 5: valid, but not for every relay
    )
    report = csvfiles.subscribers_import_csv(text=text, edition_slug="us")
    assert report.imported == 0
    reasons = dict(report.bad)
    assert reasons[2].split(" | ") == [
        "marketing 'maybe' must be yes or no",
        "consent_at needs a time zone, e.g. 2024-05-01T09:30:00Z",
        "consent_source is empty",
        "email 'not-an-email' is not a valid address",
        "unknown time zone 'Mars/Base'; use an IANA name such as Europe/London",
        "name must not contain control characters",
    ]
    assert reasons[3] == (
        "marketing 'perhaps' must be yes or no | "
        "consent_at 'yesterday' is not an ISO 8601 time, e.g. 2024-05-01T09:30:00Z"
    )
    assert reasons[4] == "consent_at 2999-05-01T09:30:00+00:00 is in the future"
    assert reasons[5] == (
        "email 'ännä@example.de' has accented or non-Latin letters before the @, which not every "
        "mail relay delivers to"
    )
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("control", ["\x07", "\x1b[2J", "\x7f", "\x9b2J"])
def test_a_name_or_consent_source_with_a_control_character_is_a_bad_row(edition, control) -> None:
    # DEL and the C1 controls too: "\x9b" is a terminal's CSI, as ESC [ is, and the name is
    # printed by the export and greets the reader.
    text = (
        HEADER
        + f"ann@example.com,web{control}site,2024-05-01T09:30:00Z,,,Ann\n"
        + f"bob@example.com,website,2024-05-01T09:30:00Z,,,Bob{control}\n"
    )
    report = csvfiles.subscribers_import_csv(text=text, edition_slug="us")
    reasons = dict(report.bad)
    assert report.imported == 0 and sorted(reasons) == [2, 3]
    assert "consent_source must not contain control characters" in reasons[2]
    assert "name must not contain control characters" in reasons[3]


def test_a_file_without_the_required_columns_imports_nothing(edition) -> None:
    with pytest.raises(InvalidInput, match="consent_at"):
        csvfiles.subscribers_import_csv(
            text="email,consent_source\na@example.com,x\n", edition_slug="us"
        )
    with pytest.raises(NotFound):
        csvfiles.subscribers_import_csv(text=HEADER, edition_slug="nope")
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "line 1: the file has no header; its first line names the columns, at least email"),
        ("\r\n", "the file has no header"),
        (
            "email;consent_source;consent_at\r\na@example.com;web;2024-05-01T09:30:00Z\r\n",
            "its columns are separated by ';': save it as comma-separated CSV",
        ),
        (
            "email,consent_source,consent_at,email\na@example.com,web,2024-05-01T09:30:00Z,b@x.org\n",
            "line 1: the header names the column(s) email twice",
        ),
    ],
)
def test_a_header_that_cannot_be_read_one_way_says_why_and_imports_nothing(
    edition, text: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        csvfiles.subscribers_import_csv(text=text, edition_slug="us")
    assert reason in str(caught.value)
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
    latin1 = "email,name\na@example.com,Ann\nb@example.com,Zoë Brûlé\n".encode("latin-1")
    with pytest.raises(InvalidInput, match=r"line 3, character 17 \(byte 0xeb\)"):
        csvfiles.decode(latin1)
    # Counted in characters: "Zoë" written right before the stray byte is one, not two.
    mixed = "email,name\nzoë@example.com,".encode() + b"Br\xfbl\xe9\n"
    with pytest.raises(InvalidInput, match=r"line 2, character 19 \(byte 0xfb\)"):
        csvfiles.decode(mixed)


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


def test_every_reader_an_import_confirms_is_told_to_webhooks_new_or_known(edition, uk) -> None:
    # New addresses go in by the bulk path, which told webhooks of none of them: a CRM
    # following subscriber.confirmed missed the readers of every first import.
    from headlines.webhooks.models import Message
    from headlines.webhooks.services import webhook_endpoint_add

    factories.confirmed(uk, email="known@example.com")
    webhook_endpoint_add(url="https://crm.example/hooks", events=["subscriber.confirmed"])
    text = HEADER + "".join(
        f"{who}@example.com,web,2024-05-01T09:30:00Z,,,\n" for who in ("ann", "known", "bob")
    )
    report = csvfiles.subscribers_import_csv(text=text, edition_slug="us")
    assert (report.imported, report.bad) == (3, [])
    told = [m.payload for m in Message.objects.order_by("id")]
    assert {m["type"] for m in told} == {"subscriber.confirmed"}
    assert sorted(m["data"]["email"] for m in told) == [
        "ann@example.com",
        "bob@example.com",
        "known@example.com",
    ]
    assert {(m["data"]["edition"], m["data"]["status"]) for m in told} == {("us", "confirmed")}


def test_an_unterminated_quote_or_a_nul_costs_only_its_own_line(edition) -> None:
    good = "{}@example.com,web,2024-05-01T09:30:00Z,,,"
    lines = [
        good.format("a"),  # 2
        'b@example.com,"web,2024-05-01T09:30:00Z,,,',  # 3: quote never closed
        good.format("c"),  # 4
        good.format("d"),  # 5
        "e@example.com,web,2024-05-01T09:30:00Z,,,\x00",  # 6: NUL
        good.format("f"),  # 7
        'g@example.com,"web"x,2024-05-01T09:30:00Z,,,',  # 8: text after a closing quote
        good.format("h") + '"Ann',  # 9: a name whose quote runs onto the next line
        'Smith"',  # 10: the rest of it
        good.format("i"),  # 11
        good.format("j"),  # 12
    ]
    report = csvfiles.subscribers_import_csv(text=HEADER + "\n".join(lines), edition_slug="us")
    reasons = dict(report.bad)
    assert sorted(reasons) == [3, 6, 8, 9, 10]
    assert "quote is opened and never closed" in reasons[3]
    assert "NUL" in reasons[6]
    assert "closing quote is followed by more text" in reasons[8]
    assert "never closed" in reasons[9]
    assert (report.rows, report.new) == (11, 6)
    emails = set(Subscriber.objects.values_list("email", flat=True))
    assert emails == {f"{c}@example.com" for c in "acdfij"}


def test_a_consent_time_in_the_future_is_refused(edition) -> None:
    clock.set_clock(clock.FixedClock(dt.datetime(2026, 3, 14, 12, 0, tzinfo=dt.UTC)))
    text = (
        HEADER
        + "past@example.com,web,2026-03-14T11:59:59Z,,,\n"
        + "soon@example.com,web,2026-03-14T12:00:01Z,,,\n"
        + "swapped@example.com,web,2026-12-03T09:00:00+01:00,,,\n"
    )
    report = csvfiles.subscribers_import_csv(text=text, edition_slug="us")
    assert [line for line, _ in report.bad] == [3, 4]
    assert all("is in the future" in reason for _, reason in report.bad)
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["past@example.com"]


def test_a_consent_time_before_1970_is_refused_not_a_crash(edition) -> None:
    # 0001-01-01 is what some systems write for "unknown"; at +01:00 it is year 0 in UTC.
    text = (
        HEADER
        + "ok@example.com,web,1999-03-14T11:59:59Z,,,\n"
        + "blank@example.com,web,0001-01-01T00:00:00Z,,,\n"
        + "zero@example.com,web,0001-01-01T00:00:00+01:00,,,\n"
        + "epoch@example.com,web,1969-12-31T23:59:59Z,,,\n"
    )
    report = csvfiles.subscribers_import_csv(text=text, edition_slug="us")
    assert [line for line, _ in report.bad] == [3, 4, 5]
    assert all("is before 1970" in reason for _, reason in report.bad)
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["ok@example.com"]


def test_a_re_import_says_what_was_new_changed_or_already_there(edition) -> None:
    first = (
        HEADER
        + "ann@example.com,web,2024-05-01T09:30:00Z,no,,Ann\n"
        + "bob@example.com,web,2024-05-01T09:30:00Z,no,,\n"
    )
    report = csvfiles.subscribers_import_csv(text=first, edition_slug="us")
    assert (report.new, report.changed, report.unchanged) == (2, 0, 0)
    again = csvfiles.subscribers_import_csv(text=first, edition_slug="us")
    assert (again.new, again.changed, again.unchanged, again.bad) == (0, 0, 2, [])
    assert again.summary() == "2 row(s) read: 0 new, 0 changed, 2 already there, 0 not imported."
    second = (
        HEADER
        + "ann@example.com,web,2024-05-01T09:30:00Z,no,,Ann\n"  # the same
        + "bob@example.com,web,2024-05-01T09:30:00Z,yes,Europe/Paris,\n"  # now opted in
        + "cat@example.com,web,2024-05-01T09:30:00Z,no,,\n"  # new
    )
    third = csvfiles.subscribers_import_csv(text=second, edition_slug="us")
    assert (third.new, third.changed, third.unchanged) == (1, 1, 1)
    bob = Subscription.objects.get(subscriber__email="bob@example.com")
    assert bob.timezone == "Europe/Paris" and bob.subscriber.marketing


@pytest.mark.parametrize("held_name", ["", "Ann"])
@pytest.mark.parametrize("held_zone", ["", "Europe/London"])
@pytest.mark.parametrize("held_marketing", [False, True])
@pytest.mark.parametrize("name", ["", "Ann", "Bea"])
@pytest.mark.parametrize("zone", ["", "Europe/London", "America/New_York"])
@pytest.mark.parametrize("marketing", [False, True])
def test_a_held_reader_is_already_there_without_a_write_exactly_when_importing_changes_nothing(
    edition, held_name, held_zone, held_marketing, name, zone, marketing
) -> None:
    # A re-import reads a batch's confirmed readers once and writes only where a row changes
    # something; what it predicts must be what importing the row one by one reports.
    sub = factories.confirmed(edition, email="ann@example.com", marketing=held_marketing)
    Subscription.objects.filter(pk=sub.pk).update(timezone=held_zone)
    Subscriber.objects.filter(pk=sub.subscriber_id).update(name=held_name)
    reader = services.ImportedReader(
        "ann@example.com", "web", dt.datetime(2024, 5, 1, tzinfo=dt.UTC), marketing, zone, name
    ).cleaned()
    standing = selectors.import_standing(edition_id=edition.pk, hashes=[email_hash(reader.email)])
    held = standing.held
    predicted = services.import_changes(reader, held[email_hash(reader.email)])
    _, outcome = services.subscription_import(edition_id=edition.pk, reader=reader)
    assert outcome is (
        services.ImportOutcome.CHANGED if predicted else services.ImportOutcome.UNCHANGED
    )


def test_a_list_imported_again_writes_nothing_and_counts_a_topics_change_as_a_change(
    edition,
) -> None:
    from headlines.stories.topics import topic_add

    topic_add(edition="us", slug="sport", name="Sport")
    topic_add(edition="us", slug="business", name="Business")
    header = HEADER.strip() + ",topics\n"
    rows = [f"r{n}@example.com,web,2024-05-01T09:30:00Z,no,,Reader {n},sport\n" for n in range(3)]
    first = csvfiles.subscribers_import_csv(text=header + "".join(rows), edition_slug="us")
    assert (first.new, first.changed, first.unchanged) == (3, 0, 0)
    consents = ConsentEvent.objects.count()
    again = csvfiles.subscribers_import_csv(text=header + "".join(rows), edition_slug="us")
    assert again.summary() == "3 row(s) read: 0 new, 0 changed, 3 already there, 0 not imported."
    assert ConsentEvent.objects.count() == consents  # nothing granted twice
    rows[1] = rows[1].replace(",sport", ",sport;business")
    third = csvfiles.subscribers_import_csv(text=header + "".join(rows), edition_slug="us")
    assert (third.new, third.changed, third.unchanged) == (0, 1, 2)
    chosen = Subscription.objects.get(subscriber__email="r1@example.com").topics
    assert set(chosen) == {"sport", "business"}
    services.suppression_add(email="r2@example.com", reason="manual")
    fourth = csvfiles.subscribers_import_csv(text=header + "".join(rows), edition_slug="us")
    assert (fourth.unchanged, [line for line, _ in fourth.bad]) == (2, [4])
    assert "suppressed" in fourth.bad[0][1]


def _line_strategy() -> st.SearchStrategy[str]:
    """A line of a hostile file: printable junk, quotes left open, NULs, stray delimiters."""
    junk = st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
        max_size=60,
    )
    pieces = st.lists(
        st.one_of(
            junk, st.sampled_from(['"', '""', ",", "\x00", "\ufeff", "2024-05-01T09:30:00Z"])
        ),
        min_size=1,
        max_size=8,
    )
    return pieces.map("".join).filter(lambda s: any(not (c.isspace() or c in ',"') for c in s))


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kinds=st.lists(st.one_of(st.none(), _line_strategy()), min_size=1, max_size=12),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_every_row_of_a_hostile_file_is_imported_or_reported(edition, kinds, ending) -> None:
    """None stands for a good row; every good row must survive whatever surrounds it."""
    Subscriber.objects.all().delete()
    lines = [HEADER.strip()]
    good_lines = {}
    for n, kind in enumerate(kinds):
        if kind is None:
            good_lines[len(lines) + 1] = f"good{n}@example.com"
            lines.append(f"good{n}@example.com,web,2024-05-01T09:30:00Z,,,")
        else:
            lines.append(kind)
    report = csvfiles.subscribers_import_csv(text=ending.join(lines), edition_slug=edition.slug)
    bad_lines = [line for line, _ in report.bad]
    assert len(bad_lines) == len(set(bad_lines))
    assert report.rows == len(kinds) == report.imported + len(report.bad)
    assert all(1 < line <= len(lines) for line in bad_lines)
    assert not set(bad_lines) & set(good_lines)
    imported = set(Subscriber.objects.values_list("email", flat=True))
    assert set(good_lines.values()) <= imported
    assert all(reason and "\n" not in reason for _, reason in report.bad)
