"""Subscribers through the API: the same services, answers and ledger as the form and import."""

from __future__ import annotations

import pytest

from headlines.core.events import EVENTS
from headlines.subscriptions.models import ConsentEvent, Subscriber, Subscription, Suppression
from tests.api.conftest import Api
from tests.subscriptions import factories
from tests.subscriptions.conftest import link_in, outbox, path_of

pytestmark = pytest.mark.django_db


def test_a_sign_up_starts_double_opt_in_as_the_form_does(api: Api, edition, client) -> None:
    response = api.post(
        "/subscribers", {"email": "New@Example.COM", "edition": "us", "marketing": True}
    )
    assert response.status_code == 202
    assert response.json()["status"] == "accepted"
    subscription = Subscription.objects.get(subscriber__email="New@example.com")
    assert subscription.status == "pending" and subscription.marketing_requested
    grants = ConsentEvent.objects.filter(email_hash=subscription.subscriber.email_hash)
    assert {(c.purpose, c.source, c.privacy_version) for c in grants} == {
        ("newsletter", "api", "2026-01"),
        ("marketing", "api", "2026-01"),
    }
    [confirmation] = outbox("New@example.com")
    client.post(path_of(link_in(confirmation, "confirm")))
    subscription.refresh_from_db()
    assert subscription.status == "confirmed"


def test_the_answer_is_the_same_whatever_the_address_history(api: Api, edition) -> None:
    factories.confirmed(edition, email="known@example.com")
    api.post("/subscribers", {"email": "pending@example.com", "edition": "us"})
    answers = [
        api.post("/subscribers", {"email": address, "edition": "us"})
        for address in ("fresh@example.com", "known@example.com", "pending@example.com")
    ]
    first = (answers[0].status_code, answers[0].content)
    assert {(r.status_code, r.content) for r in answers} == {first}
    # Only the inbox's owner learns the difference.
    assert outbox("known@example.com")[-1]["Subject"].startswith("You are already subscribed")
    assert len(outbox("pending@example.com")) == 2


def test_a_sign_up_and_an_import_carry_the_readers_topics(api: Api, edition) -> None:
    from headlines.stories.topics import topic_add

    topic_add(edition="us", slug="world", name="World")
    topic_add(edition="us", slug="business", name="Business")
    answer = api.post(
        "/subscribers",
        {"email": "picky@example.com", "edition": "us", "topics": ["Business", "world"]},
    )
    assert answer.status_code == 202
    pending = Subscription.objects.get(subscriber__email="picky@example.com")
    assert pending.topics == ["world", "business"]  # the editor's order
    imported = api.post(
        "/subscribers",
        {
            "email": "imported-picky@example.com",
            "edition": "us",
            "topics": ["business"],
            "confirmed": True,
            "consent_source": "paywall checkout",
            "consent_at": "2026-03-01T10:00:00Z",
        },
    )
    assert imported.status_code == 201, imported.content
    reader = Subscription.objects.get(subscriber__email="imported-picky@example.com")
    assert (reader.status, reader.topics) == ("confirmed", ["business"])


def test_an_unknown_topic_stores_nothing(api: Api, edition) -> None:
    from headlines.stories.topics import topic_add

    topic_add(edition="us", slug="world", name="World")
    answer = api.post(
        "/subscribers", {"email": "typo@example.com", "edition": "us", "topics": ["wrold"]}
    )
    assert answer.status_code == 422
    assert "unknown topic wrold; this edition's topics: world" in answer.content.decode()
    assert not Subscriber.objects.filter(email="typo@example.com").exists()
    assert outbox("typo@example.com") == []


def _hash(email: str) -> str:
    from headlines.subscriptions.hashing import email_hash

    return email_hash(email)


def test_a_suppressed_address_gets_the_same_answer_and_no_mail(api: Api, edition) -> None:
    Suppression.objects.create(email_hash=_hash("gone@example.com"), reason="complaint")
    fresh = api.post("/subscribers", {"email": "fresh@example.com", "edition": "us"})
    gone = api.post("/subscribers", {"email": "gone@example.com", "edition": "us"})
    assert (gone.status_code, gone.content) == (fresh.status_code, fresh.content)
    assert outbox("gone@example.com") == []


def test_a_confirmed_reader_is_imported_as_the_csv_import_does(api: Api, edition) -> None:
    response = api.post(
        "/subscribers",
        {
            "email": "imported@example.com",
            "edition": "us",
            "confirmed": True,
            "consent_source": "paywall checkout",
            "consent_at": "2026-03-01T10:00:00Z",
            "timezone": "Europe/Paris",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subscriptions"][0]["status"] == "confirmed"
    assert body["subscriptions"][0]["timezone"] == "Europe/Paris"
    event = ConsentEvent.objects.get(email_hash=_hash("imported@example.com"))
    assert event.source == "import" and "paywall checkout" in event.wording
    assert outbox("imported@example.com") == []  # no confirmation needed


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"email": "not-an-address", "edition": "us"}, "email", "valid email"),
        (
            {"email": "a@example.com", "edition": "us", "topics": ["sport"]},
            "topics",
            "unknown topic sport; this edition's topics: none yet",
        ),
        (
            {"email": "a@example.com", "edition": "us", "confirmed": True, "consent_source": "x"},
            "consent_at",
            "consent_at",
        ),
        (
            {
                "email": "a@example.com",
                "edition": "us",
                "confirmed": True,
                "consent_at": "2026-03-01T10:00:00Z",
            },
            "consent_source",
            "consent_source",
        ),
        (
            {
                "email": "a@example.com",
                "edition": "us",
                "confirmed": True,
                "consent_source": "x",
                "consent_at": "2026-03-01T10:00:00",
            },
            None,
            "time zone",
        ),
        (
            {
                "email": "a@example.com",
                "edition": "us",
                "confirmed": True,
                "consent_source": "x",
                "consent_at": "2026-03-01T10:00:00Z",
                "timezone": "Europe",  # a region, not a zone: tzdata holds it as a folder
            },
            "timezone",
            "unknown time zone",
        ),
        *[
            (
                {
                    "email": "a@example.com",
                    "edition": "us",
                    "confirmed": True,
                    "consent_source": "crm",
                    "consent_at": when,
                },
                "consent_at",
                words,
            )
            for when, words in [
                ("0001-01-01T00:00:00+01:00", "before 1970"),  # year 0 in UTC: was a 500
                ("0001-01-01T00:00:00Z", "before 1970"),
                # Year 10000 in UTC: it was refused, as "before 1970".
                ("9999-12-31T23:59:59-23:59", "in the future"),
                ("2026-01-01T09:30:00", "needs a time zone"),
            ]
        ],
        ({"email": "a@example.com"}, "edition", "required"),
        ({"email": "a" * 400 + "@example.com", "edition": "us"}, "email", "at most"),
        ({"email": "a@example.com", "edition": "us", "marketing": "perhaps"}, "marketing", "bool"),
        # A typo is refused, not dropped: the reader's consent or topics would be lost.
        ({"email": "a@example.com", "edition": "us", "marketting": True}, "marketting", "extra"),
        ({"email": "a@example.com", "edition": "us", "topic": ["world"]}, "topic", "extra"),
        # An import's fields in a double opt-in: not stored, so refused rather than dropped.
        *[
            ({"email": "a@example.com", "edition": "us", name: value}, name, "confirmed: true")
            for name, value in [
                ("timezone", "Europe/Paris"),
                ("name", "Ann"),
                ("consent_source", "crm"),
                ("consent_at", "2026-03-01T10:00:00Z"),
            ]
        ],
    ],
)
def test_bad_input_gets_422_naming_the_field_and_stores_nothing(
    api: Api, edition, body, field, words
) -> None:
    response = api.post("/subscribers", body)
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert any(words.lower() in e["msg"].lower() for e in errors), errors
    if field:
        assert any(e["loc"][-1] == field for e in errors), errors
    assert Subscriber.objects.count() == 0 and ConsentEvent.objects.count() == 0


def test_a_double_opt_in_names_every_import_field_it_does_not_take(api: Api, edition) -> None:
    body = {"email": "a@example.com", "edition": "us", "name": "Ann", "timezone": "Europe/Paris"}
    response = api.post("/subscribers", body)
    assert response.status_code == 422, response.content
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "name"], ["body", "timezone"]]
    assert outbox("a@example.com") == []
    # Empty, as a generic client sends every field, they ask for nothing: the sign-up goes on.
    empty = {"email": "a@example.com", "edition": "us", "name": "", "timezone": ""}
    assert api.post("/subscribers", {**empty, "consent_at": None}).status_code == 202


def test_every_refused_field_is_located_as_the_docs_show(api: Api, edition) -> None:
    # The schema's own checks and the sign-up's both answer {"loc": ["body", "email"], …}.
    wrong_type = api.post(
        "/subscribers", {"email": "a@example.com", "edition": "us", "marketing": []}
    )
    not_an_address = api.post("/subscribers", {"email": "nope", "edition": "us"})
    missing = api.post("/subscribers", {"email": "a@example.com"})
    assert [e["loc"] for e in wrong_type.json()["detail"]] == [["body", "marketing"]]
    assert [e["loc"] for e in not_an_address.json()["detail"]] == [["body", "email"]]
    assert [e["loc"] for e in missing.json()["detail"]] == [["body", "edition"]]


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "{",
        "[]",
        "null",
        '"text"',
        "\x00",
        '{"email": {"$ne": 1}, "edition": "us"}',
        # Half of a UTF-16 pair, which JSON can escape and no database can store.
        '{"email": "a\\ud800@example.com", "edition": "us"}',
    ],
)
def test_malformed_bodies_are_refused_without_a_server_error(api: Api, edition, raw) -> None:
    response = api.post("/subscribers", raw)
    assert response.status_code in (400, 422)
    assert "detail" in response.json()
    assert Subscriber.objects.count() == 0


def test_a_body_over_the_size_limit_is_a_json_413_and_stores_nothing(
    api: Api, edition, settings
) -> None:
    body = {"email": "big@example.com", "edition": "us", "source": "x" * 100}
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api.post("/subscribers", body)
    assert response.status_code == 413
    assert response.json() == {"detail": "the request body is larger than 100 bytes"}
    assert Subscriber.objects.count() == 0


def test_a_confirmed_import_names_every_field_it_refuses_at_once(api: Api, edition) -> None:
    # Only the first was named: a script mended it, sent again and was told the next.
    body = {
        "email": "not-an-address",
        "edition": "us",
        "confirmed": True,
        "consent_source": "",
        "consent_at": "2026-03-01T10:00:00Z",
        "timezone": "Mars/Base",
    }
    response = api.post("/subscribers", body)
    assert response.status_code == 422, response.content
    errors = response.json()["detail"]
    assert [e["loc"] for e in errors] == [
        ["body", "consent_source"],
        ["body", "email"],
        ["body", "timezone"],
    ]
    assert "Mars/Base" in errors[2]["msg"] and {e["type"] for e in errors} == {"invalid"}
    assert Subscriber.objects.count() == 0 and ConsentEvent.objects.count() == 0


def test_a_body_of_many_unknown_fields_gets_a_short_answer(api: Api, edition) -> None:
    # Each unknown field is an error: the answer lists the first 20 and counts the rest,
    # rather than growing to several times the size of the body.
    body = {"email": "a@example.com", "edition": "us", **{f"k{n}": 1 for n in range(5000)}}
    response = api.post("/subscribers", body)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert len(errors) == 21
    assert errors[0]["loc"] == ["body", "k0"]
    assert errors[-1] == {"loc": ["body"], "msg": "and 4980 more", "type": "too_many"}
    assert len(response.content) < 5000
    assert Subscriber.objects.count() == 0


def test_a_topic_longer_than_any_slug_is_refused_where_it_is_not_echoed_whole(
    api: Api, edition
) -> None:
    # "unknown topic xxx…" repeated a 2 MB topic back whole; no slug is past 50 characters.
    long = "x" * 100_000
    response = api.post(
        "/subscribers", {"email": "a@example.com", "edition": "us", "topics": ["sport", long]}
    )
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "topics", 1]]
    assert len(response.content) < 1000
    assert Subscriber.objects.count() == 0


def test_an_unknown_or_closed_edition_is_404(api: Api, edition) -> None:
    assert api.post("/subscribers", {"email": "a@x.example", "edition": "zz"}).status_code == 404
    edition.enabled = False
    edition.save()
    closed = api.post("/subscribers", {"email": "a@x.example", "edition": "us"})
    assert closed.status_code == 404 and "not open" in closed.json()["detail"]


def test_read_unsubscribe_export_and_erase_a_reader(api: Api, edition) -> None:
    factories.confirmed(edition, email="reader@example.com", marketing=True)
    read = api.get("/subscribers", email="reader@EXAMPLE.com")
    assert read.status_code == 200
    assert read.json()["subscriptions"][0]["status"] == "confirmed"

    gone = api.post("/subscribers/unsubscribe", {"email": "reader@example.com", "edition": "us"})
    assert gone.status_code == 200
    withdrawal = ConsentEvent.objects.filter(granted=False).get()
    assert withdrawal.source == "api"

    export = api.post("/subscribers/export", {"email": "reader@example.com"})
    assert export.status_code == 200
    assert {c["source"] for c in export.json()["consent_history"]} == {"import", "api"}

    erased = api.post("/subscribers/erase", {"email": "reader@example.com"})
    assert erased.status_code == 200
    assert not Subscriber.objects.exists()
    assert Suppression.objects.filter(reason="erased").count() == 1
    assert api.get("/subscribers", email="reader@example.com").status_code == 404
    assert api.post("/subscribers/erase", {"email": "reader@example.com"}).status_code == 404


def test_a_reader_with_an_international_domain_is_found_as_they_signed_up(
    api: Api, edition
) -> None:
    # Stored in the domain's ASCII form; a CRM asks with the address as the reader typed it
    # (the form it signed them up with) and was told there was no such reader, erase included.
    typed = "reader@bücher.example"
    assert api.post("/subscribers", {"email": typed, "edition": "us"}).status_code == 202
    assert Subscriber.objects.get().email == "reader@xn--bcher-kva.example"
    read = api.get("/subscribers", email=typed)
    assert read.status_code == 200, read.content
    assert read.json()["email"] == "reader@xn--bcher-kva.example"
    assert api.post("/subscribers/export", {"email": typed}).status_code == 200
    gone = api.post("/subscribers/unsubscribe", {"email": typed, "edition": "us"})
    assert gone.status_code == 200, gone.content
    assert api.post("/subscribers/erase", {"email": typed}).status_code == 200
    assert not Subscriber.objects.exists()


def test_unsubscribing_a_reader_without_that_edition_is_404(api: Api, edition) -> None:
    response = api.post("/subscribers/unsubscribe", {"email": "who@example.com", "edition": "us"})
    assert response.status_code == 404


def test_the_events_the_api_causes_are_known_events() -> None:
    assert "subscriber.created" in EVENTS and "digest.sent" in EVENTS


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/subscribers/unsubscribe", {"email": "a@example.com", "edition": "us\x00"}),
        ("/subscribers/unsubscribe", {"email": "a\x00@example.com", "edition": "us"}),
        ("/subscribers", {"email": "a@example.com", "edition": "us", "topics": ["wo\x00rld"]}),
        ("/subscribers/export", {"email": "a\x00b@example.com"}),
    ],
)
def test_a_nul_character_is_a_clear_422_on_every_database(
    api: Api, edition, path: str, body: dict[str, object]
) -> None:
    # PostgreSQL refuses NUL in text outright: it must never reach a query.
    answer = api.post(path, body)
    assert answer.status_code == 422, answer.content
    assert "must not contain a NUL character" in answer.content.decode()
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ('{"email": "a@example.com", "edition": "us"', "the request body is not a JSON document"),
        ("email=a@example.com&edition=us", "the request body is not a JSON document"),
        (
            '{"email": "a@example.com", "edition": "us", "marketing": false, "marketing": true}',
            "the key 'marketing' is given twice",
        ),
        # Python reads these, JSON has none: NaN then failed "less than or equal to 100".
        ('{"email": "a@example.com", "edition": "us", "marketing": NaN}', "NaN is not JSON"),
        ('{"email": "a@example.com", "edition": "us", "x": -Infinity}', "-Infinity is not JSON"),
        # Deep nesting exhausted the parser's recursion: "Cannot parse request body", no more.
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"email": "a@example.com", "topics": ' + "[" * 5000, "nested too deeply"),
    ],
)
def test_a_body_that_is_not_json_says_so_and_where(api: Api, edition, raw, said) -> None:
    response = api.post("/subscribers", raw)
    assert response.status_code == 400
    assert said in response.json()["detail"]
    assert Subscriber.objects.count() == 0
