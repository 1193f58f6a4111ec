"""Editions, digests, stories and sources through the API."""

from __future__ import annotations

import datetime as dt

import pytest

from headlines.api.models import AuditEntry
from headlines.core.models import Edition
from headlines.digests.models import Digest
from headlines.intake.models import Source
from headlines.stories.listing import stored_stories
from headlines.stories.models import Story
from headlines.stories.topics import topic_add
from tests.api import factories
from tests.api.conftest import Api
from tests.api.factories import DAY
from tests.delivery import factories as delivery_factories
from tests.subscriptions import factories as readers

pytestmark = pytest.mark.django_db


def test_editions_list_and_read(api: Api, edition) -> None:
    listed = api.get("/editions").json()
    assert [e["slug"] for e in listed] == ["us"]
    one = api.get("/editions/us").json()
    assert one["name"] == "US Evening Headlines" and one["send_at"] == "18:00"
    assert api.get("/editions/zz").status_code == 404
    assert api.get("/editions/../admin").status_code in (404, 422)


@pytest.mark.django_db(transaction=True)  # the sender's threads need their own connections
def test_digests_list_read_approve_and_send(api: Api, edition, client) -> None:
    digest = factories.digest(edition)
    readers.confirmed(edition, email="one@example.com")
    listed = api.get("/digests", edition="us").json()
    assert [(d["id"], d["state"]) for d in listed] == [(digest.pk, "draft")]
    read = api.get(f"/digests/{digest.pk}").json()
    assert [i["headline"] for i in read["items"]] == [f"Story {n} headline" for n in (1, 2, 3)]
    assert read["web_url"].endswith("/archive/us/2026-11-25/")

    early = api.post(f"/digests/{digest.pk}/send")
    assert early.status_code == 409 and "approve it first" in early.json()["detail"]
    approved = api.post(f"/digests/{digest.pk}/approve")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert Digest.objects.get().approved_by == "api token cms"
    sending = api.post(f"/digests/{digest.pk}/send")
    assert sending.status_code == 202
    assert Digest.objects.get().state == "sent"  # jobs run inline in tests
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "status"))
    assert actions == [("digest.send", 409), ("digest.approve", 200), ("digest.send", 202)]


def test_a_digest_with_every_story_dropped_is_not_approved(api: Api, edition) -> None:
    digest = factories.digest(edition)
    digest.items.update(dropped=True)
    refused = api.post(f"/digests/{digest.pk}/approve")
    assert refused.status_code == 409 and "no stories to send" in refused.json()["detail"]
    assert Digest.objects.get().state == "draft"


def test_digest_ids_that_do_not_exist_or_are_absurd(api: Api, edition) -> None:
    assert api.get("/digests/999").status_code == 404
    assert api.get("/digests/0").status_code == 422
    assert api.get("/digests/99999999999999999999999").status_code == 422
    assert api.get("/digests/abc").status_code == 422
    assert api.post("/digests/999/approve").status_code == 404
    assert api.get("/digests", edition="zz").status_code == 404
    assert api.get("/digests", limit="100000").status_code == 422


def test_stories_of_a_day(api: Api, edition) -> None:
    factories.stories(edition)
    body = api.get("/stories", edition="us", date="2026-11-25").json()
    assert body["date"] == "2026-11-25"
    assert [s["headline"] for s in body["stories"]] == [f"Story {n} headline" for n in (1, 2, 3)]
    first = body["stories"][0]
    assert first["topics"] == []
    assert first["articles"][0]["source"] == "Coast Daily"
    assert first["articles"][0]["url"] == "https://news.example/1"
    assert api.get("/stories", edition="us", date="2026-13-45").status_code == 422
    assert api.get("/stories").status_code == 422
    assert api.get("/stories", edition="us", date="2026-11-24").json()["stories"] == []


def test_a_large_days_stories_are_read_a_page_at_a_time(api: Api, edition) -> None:
    made = factories.stories(edition, count=5)
    Story.objects.filter(pk__in=[made[1].pk, made[2].pk]).update(rank=2)  # a tie on the edge
    whole = api.get("/stories", edition="us", date="2026-11-25").json()["stories"]
    assert len(whole) == 5  # no limit: the whole day, as before
    read, after = [], None
    while True:
        query = {"edition": "us", "date": "2026-11-25", "limit": "2"}
        if after is not None:
            query["after"] = str(after)
        page = api.get("/stories", **query).json()["stories"]
        if not page:
            break
        assert len(page) <= 2
        read += page
        after = page[-1]["id"]
    assert [s["id"] for s in read] == [s["id"] for s in whole]  # none skipped or repeated
    for hostile in ({"limit": "0"}, {"limit": "100000"}, {"after": "0"}, {"after": "x"}):
        answer = api.get("/stories", edition="us", date="2026-11-25", **hostile)
        assert answer.status_code == 422
    other_day = api.get("/stories", edition="us", date="2026-11-24", after=str(made[0].pk))
    assert other_day.status_code == 404 and "to page after" in other_day.json()["detail"]
    assert api.get("/stories", edition="us", date="2026-11-25", after="999999").status_code == 404


def test_a_story_credits_the_outlet_a_mixed_dump_named_as_the_command_does(
    api: Api, edition
) -> None:
    story = factories.stories(edition, count=1)[0]
    story.articles.update(outlet="Harbour Wire")  # a record of a mixed dump named its outlet
    body = api.get("/stories", edition="us", date="2026-11-25").json()
    assert body["stories"][0]["articles"][0]["source"] == "Harbour Wire"
    listed = stored_stories(edition_id=edition.pk, day=story.day)
    assert listed[0].articles[0].source == "Harbour Wire"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_out_of_range_is_refused_where_it_was_given(api: Api, edition, day) -> None:
    response = api.get("/stories", edition="us", date=day)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "date"]]


def test_sources_list_add_and_disable(api: Api, edition) -> None:
    added = api.post(
        "/sources",
        {"name": "Metro Wire", "url": "https://metro.example/feed.xml", "editions": ["us"]},
    )
    assert added.status_code == 201, added.content
    assert added.json()["slug"] == "metro-wire" and added.json()["editions"] == ["us"]
    assert [s["slug"] for s in api.get("/sources").json()] == ["metro-wire"]
    disabled = api.post("/sources/metro-wire/disable")
    assert disabled.json()["enabled"] is False and disabled.json()["health"] == "disabled"
    assert api.post("/sources/metro-wire/enable").json()["enabled"] is True
    assert api.post("/sources/nope/disable").status_code == 404
    assert AuditEntry.objects.filter(action="source.add", status=201).count() == 1


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"name": "X", "url": "ftp://x.example/feed"}, 422, "http(s) URL"),
        ({"name": "X", "url": "https://x.example/f", "kind": "dump"}, 422, "feed"),
        ({"name": "X", "url": "https://x.example/f", "editions": ["zz"]}, 404, "no edition"),
        ({"name": "   ", "url": "https://x.example/f"}, 422, "name"),
        ({"name": "X", "url": "https://x.example/f", "weight": -1}, 422, "greater"),
        # A week at most, as `source add --interval` (past it, 2880 meant daily).
        (
            {"name": "X", "url": "https://x.example/f", "fetch_interval_minutes": 10081},
            422,
            "10080",
        ),
        ({"name": "X", "url": "https://x.example/f", "fetch_interval_minutes": 0}, 422, "greater"),
        ({"name": "X", "url": "javascript:alert(1)"}, 422, "http(s) URL"),
        ({"name": "X", "url": "https://x.example/f", "language": "<b>en</b>"}, 422, "language"),
        ({"name": "X", "url": "https://x.example/f", "language": "english"}, 422, "language"),
        ({"name": "X", "url": "https://x.example:99999/feed"}, 422, "port is a number"),
        ({"name": "X", "url": "https://x.example:0/feed"}, 422, "port is a number"),
        # Refused for its port: the brackets were what was wrong.
        ({"name": "X", "url": "http://[::1"}, 422, "not a valid URL (a host in [ ]"),
        ({"name": "X", "url": "http://[zz]/feed"}, 422, "not a valid URL (a host in [ ]"),
        # `edition` for `editions`: refused, not a source added to no edition.
        ({"name": "X", "url": "https://x.example/f", "edition": ["us"]}, 422, "extra inputs"),
        # Never local through the API: every fetch of these would be refused.
        ({"name": "X", "url": "http://127.0.0.1:8000/feed"}, 422, "127.0.0.1 is a loopback"),
        ({"name": "X", "url": "http://localhost/feed"}, 422, "--local"),
        ({"name": "X", "url": "http://10.1.2.3/feed"}, 422, "10.1.2.3 is a private"),
        ({"name": "X", "url": "http://0x7f.1/feed"}, 422, "loopback"),
        ({"name": "X", "url": "http://[::1]/feed"}, 422, "loopback"),
    ],
)
def test_bad_sources_are_refused_and_nothing_is_stored(api: Api, edition, body, status, words):
    response = api.post("/sources", body)
    assert response.status_code == status, response.content
    assert words.lower() in str(response.json()["detail"]).lower()
    assert not Source.objects.exists()


def test_a_network_the_fetcher_is_allowed_may_be_a_sources(api: Api, edition, settings) -> None:
    settings.CONFIG = {**settings.CONFIG, "HEADLINES_INTAKE_ALLOW_NETWORKS": "10.0.0.0/8"}
    added = api.post("/sources", {"name": "Intranet", "url": "http://10.1.2.3/feed"})
    assert added.status_code == 201, added.content


def test_a_sources_password_is_masked_in_the_api(api: Api, edition) -> None:
    url = "https://reader:s3cret-pw@partner.example/feed.xml"
    added = api.post("/sources", {"name": "Partner", "url": url})
    assert added.status_code == 201, added.content
    assert added.json()["url"] == "https://reader:***@partner.example/feed.xml"
    assert "s3cret-pw" not in api.get("/sources").content.decode()
    assert Source.objects.get().url == url  # kept whole: it goes with every request


def test_a_sources_error_recorded_raw_is_given_escaped(api: Api, edition) -> None:
    # Recorded before errors were escaped: ESC, BEL and a C1 CSI from a file's name.
    added = api.post("/sources", {"name": "Wire", "url": "https://wire.example/feed.xml"})
    assert added.status_code == 201, added.content
    Source.objects.update(last_error="first: evil\x1b[2J\x07\x9b.html: binary data")
    shown = api.get("/sources").json()[0]["last_error"]
    assert shown == "first: evil\\x1b[2J\\x07\\x9b.html: binary data"


def test_a_duplicate_source_is_a_conflict(api: Api, edition) -> None:
    body = {"name": "Metro Wire", "url": "https://metro.example/feed.xml"}
    assert api.post("/sources", body).status_code == 201
    again = api.post("/sources", body)
    assert again.status_code == 409 and "already exists" in again.json()["detail"]


def test_the_docs_page_serves_swagger_from_our_own_static_files(client, db) -> None:
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/subscribers" in schema["paths"]


def test_digests_page_on_without_skipping_or_repeating_one(api: Api, edition) -> None:
    # Two editions, a digest each per day for five days: pages of three cut days in half.
    uk = Edition.objects.create(slug="uk", name="UK Evening Headlines", timezone="Europe/London")
    made = {
        delivery_factories.digest(e, day=DAY - dt.timedelta(days=n)).pk
        for n in range(5)
        for e in (edition, uk)
    }
    seen: list[int] = []
    page = api.get("/digests", limit="3").json()
    for _ in range(len(made)):  # bounded: a cursor that did not move on would loop for ever
        if not page:
            break
        seen += [d["id"] for d in page]
        page = api.get("/digests", limit="3", after=str(page[-1]["id"])).json()
    assert page == []
    assert sorted(seen) == sorted(made) and len(seen) == len(made)
    days = [Digest.objects.get(pk=i).date for i in seen]
    assert days == sorted(days, reverse=True)
    only_uk = api.get("/digests", edition="uk", limit="2", after=str(seen[0])).json()
    assert all(d["edition"] == "uk" for d in only_uk)


def test_a_hostile_page_cursor_is_refused_where_it_was_given(api: Api, edition) -> None:
    assert api.get("/digests", after="999").status_code == 404
    for bad in ("0", "-1", "99999999999999999999999", "abc", "1.5"):
        refused = api.get("/digests", after=bad)
        assert refused.status_code == 422, bad
        assert refused.json()["detail"][0]["loc"] == ["query", "after"]


def test_a_misspelt_query_parameter_is_refused_not_ignored(api: Api, edition) -> None:
    # `day` for `date` answered today's stories, and `editon` every edition's digests, as if
    # the filter had been applied: a script could not tell.
    factories.stories(edition, count=1)
    refused = api.get("/stories", edition="us", day="2026-11-24")
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {
            "loc": ["query", "day"],
            "msg": "not a parameter of this operation, which takes: edition, date, limit, after",
            "type": "extra_forbidden",
        }
    ]
    assert api.get("/digests", editon="us").json()["detail"][0]["loc"] == ["query", "editon"]
    nothing = api.get("/editions", limit="1").json()["detail"][0]
    assert nothing["msg"] == "not a parameter of this operation, which takes none"
    assert api.get("/stories", edition="us", date="2026-11-25").status_code == 200


def test_a_write_refused_for_its_query_is_audited_and_changes_nothing(api: Api, edition) -> None:
    body = {"name": "Metro Wire", "url": "https://metro.example/feed.xml"}
    refused = api.post("/sources?dry_run=1", body)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "dry_run"]
    assert api.get("/sources").json() == []
    assert AuditEntry.objects.filter(action="source.add", status=422).count() == 1


def test_an_edition_longer_than_any_slug_is_refused_where_it_is_not_echoed_whole(
    api: Api, edition
) -> None:
    long = "x" * 100_000
    body = {"name": "Metro Wire", "url": "https://metro.example/feed.xml", "editions": [long]}
    response = api.post("/sources", body)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "editions", 0]]
    assert len(response.content) < 1000
    assert not Source.objects.exists()
    served = api.client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert served["SourceIn"]["properties"]["editions"]["items"]["maxLength"] == 50
    assert served["SignupIn"]["properties"]["topics"]["items"]["maxLength"] == 50


@pytest.mark.django_db(transaction=True)  # were it sent, the sender's threads need connections
def test_a_body_sent_to_an_operation_that_takes_none_is_refused_and_sends_nothing(
    api: Api, edition
) -> None:
    # `send` takes no options: {"to": "editor@…"} (a test send, the caller thought) was
    # ignored, and the digest went to every reader.
    digest = factories.digest(edition, state="approved")
    readers.confirmed(edition, email="one@example.com")
    refused = api.post(f"/digests/{digest.pk}/send", {"to": "editor@example.com"})
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {"loc": ["body"], "msg": "this operation takes no body", "type": "extra_forbidden"}
    ]
    assert Digest.objects.get().state == "approved"
    assert api.post("/sources/nope/disable", "not json").status_code == 422
    assert AuditEntry.objects.filter(action="digest.send", status=422).count() == 1
    assert api.post("/digests/999/approve", "").status_code == 404  # no body, or {}, is none
    assert api.post("/digests/999/approve", {}).status_code == 404


def test_a_source_url_with_its_scheme_in_capitals_is_an_http_url(api: Api, edition) -> None:
    # A scheme is case-insensitive (RFC 3986 3.1): HTTPS://… was refused as "a feed source
    # needs an http(s) URL", which it is.
    added = api.post("/sources", {"name": "Metro Wire", "url": "HTTPS://metro.example/feed.xml"})
    assert added.status_code == 201, added.content
    assert added.json()["url"] == "https://metro.example/feed.xml"
    assert Source.objects.get().url == "https://metro.example/feed.xml"
    private = api.post("/sources", {"name": "Inside", "url": "HTTP://127.0.0.1/feed.xml"})
    assert private.status_code == 422 and "loopback" in private.json()["detail"][0]["msg"]


def test_a_query_parameter_given_twice_is_refused_not_resolved_by_taking_the_last(
    api: Api, edition
) -> None:
    # ?edition=us&edition=uk (both editions, the caller meant) answered uk's digests alone.
    Edition.objects.create(slug="uk", name="UK Evening Headlines", timezone="Europe/London")
    factories.digest(edition)
    response = api.client.get(
        "/api/v1/digests?edition=us&edition=uk", HTTP_AUTHORIZATION=f"Bearer {api.token}"
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["query", "edition"],
            "msg": "given 2 times; this operation takes one",
            "type": "repeated",
        }
    ]


def test_a_query_of_more_parameters_than_django_reads_says_so(api: Api, edition) -> None:
    # Django stops reading a query past DATA_UPLOAD_MAX_NUMBER_FIELDS; the refusal said only
    # "Bad Request".
    query = "&".join(f"k{n}=1" for n in range(1500))
    response = api.client.get(f"/api/v1/digests?{query}", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert response.status_code == 400
    assert response.json() == {"detail": "the query string has more than 1000 parameters"}


def test_stories_are_listed_in_their_rank_with_the_editions_topics_as_the_admin_lists_them(
    api: Api, edition
) -> None:
    # A day's order is the ranking's (diversity at the head, repeats of earlier days last), not
    # the score's; the API sorted by score, so ranks came back 1, 0, 2, and kept a topic the
    # editor had removed, which no reader can choose.
    topic_add(edition="us", slug="world", name="World")
    made = factories.stories(edition)
    for story, rank in zip(made, (1, 0, 2), strict=True):
        story.rank = rank
        story.topics = ["world", "gone"]
        story.save()
    body = api.get("/stories", edition="us", date="2026-11-25").json()
    assert [s["rank"] for s in body["stories"]] == [0, 1, 2]
    assert [s["headline"] for s in body["stories"]] == [
        "Story 2 headline",
        "Story 1 headline",
        "Story 3 headline",
    ]
    assert {tuple(s["topics"]) for s in body["stories"]} == {("world",)}
    listed = stored_stories(edition_id=edition.pk, day=DAY)
    assert [s["id"] for s in body["stories"]] == [s.story_id for s in listed]
