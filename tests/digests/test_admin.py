import re
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.utils.html import escape

from headlines.core import clock
from headlines.core.models import OutboxMessage
from headlines.delivery.models import Delivery
from headlines.delivery.services import delivery_send_now
from headlines.digests import services
from headlines.digests.models import Digest
from headlines.stories import topics
from headlines.stories.models import Topic
from tests import factories
from tests.digests.factories import NOON, messy_day
from tests.subscriptions.factories import confirmed

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft() -> Digest:
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(timezone="Europe/London")
    messy_day(edition)
    return services.digest_build(edition_id=edition.pk)


@pytest.fixture
def editor(client: Client) -> Client:
    user = User.objects.create_superuser("ed", "ed@newsroom.example", "pw-long-enough-123")
    client.force_login(user)
    return client


def url(digest: Digest) -> str:
    return f"/admin/digests/digest/{digest.pk}/change/"


def formset(digest: Digest, changes: dict[int, dict[str, object]]) -> dict[str, object]:
    items = list(digest.items.order_by("position", "id"))
    data: dict[str, object] = {
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        row = {
            "id": item.pk,
            "digest": digest.pk,
            "position": item.position,
            "headline": item.headline,
            "summary": item.summary,
        }
        row.update(changes.get(i, {}))
        for key, value in row.items():
            if value is True:
                data[f"items-{i}-{key}"] = "on"
            elif value is not False:
                data[f"items-{i}-{key}"] = value
    return data


def test_the_editor_previews_html_at_two_widths_and_the_text(draft: Digest, editor: Client) -> None:
    page = editor.get(url(draft)).content.decode()
    # Sandboxed: the admin may measure the frame, but nothing in the email runs.
    assert page.count('sandbox="allow-same-origin"') == 2 and "allow-scripts" not in page
    assert "width:680px" in page and "width:375px" in page
    assert "Storm Bella" in page and "Unsubscribe: [[unsubscribe_url]]" in page


def test_the_editor_edits_reorders_drops_and_pins(draft: Digest, editor: Client) -> None:
    items = list(draft.items.order_by("position"))
    data = formset(
        draft,
        {
            0: {"dropped": True},
            1: {"headline": "Libraries lose hours in <b>budget</b>", "position": 1, "pinned": True},
        },
    )
    response = editor.post(url(draft), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert "Libraries lose hours in budget" in draft.html
    assert items[0].headline not in draft.text
    assert draft.subject.endswith("Libraries lose hours in budget")


def test_approve_and_send_a_test_from_the_list(draft: Digest, editor: Client) -> None:
    changelist = "/admin/digests/digest/"
    editor.post(changelist, {"action": "send_test", "_selected_action": [draft.pk]})
    test = OutboxMessage.objects.get()
    assert "ed@newsroom.example" in test.recipients
    assert b"[[unsubscribe_url]]" not in bytes(test.raw)
    editor.post(changelist, {"action": "approve", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.state == Digest.State.APPROVED and draft.approved_by == "ed"


def test_an_approved_digest_cannot_be_edited(draft: Digest, editor: Client) -> None:
    services.digest_approve(digest_id=draft.pk)
    before = draft.items.order_by("position").first()
    editor.post(url(draft), formset(draft, {0: {"headline": "Changed late"}}))
    after = draft.items.order_by("position").first()
    assert before is not None and after is not None and after.headline == before.headline


@pytest.mark.parametrize("state", ["approved", "sent"])
def test_save_on_a_digest_past_its_draft_says_nothing_was_saved(
    draft: Digest, editor: Client, state: str
) -> None:
    services.digest_approve(digest_id=draft.pk, by="ann")
    if state == "sent":
        services.digest_mark_sending(digest_id=draft.pk)
        services.digest_mark_sent(digest_id=draft.pk)
    before = list(draft.items.values_list("headline", "summary", "position"))
    page = editor.get(url(draft)).content.decode()
    assert 'name="_save"' not in page and 'name="_continue"' not in page  # no Save offered
    # Save pressed anyway (a tab opened while it was a draft and reloaded, a script).
    data = {**formset(draft, {0: {"headline": "Changed late"}}), "_seen": seen(editor, draft)}
    response = editor.post(url(draft), {**data, "_save": "Save"}, follow=True)
    messages = said(response)
    assert not any("changed successfully" in m for m in messages)
    reason = {
        "approved": "is approved, and only a draft changes: an approved digest goes out at its "
        "send time as it was approved, and does not go back to being a draft.",
        "sent": "has been sent, and only a draft changes: readers already have this version.",
    }[state]
    assert messages == [f"Nothing was saved: {draft} {reason}"]
    assert list(draft.items.values_list("headline", "summary", "position")) == before
    assert not LogEntry.objects.exists()  # no "Changed" line in the digest's history
    draft.refresh_from_db()
    assert draft.state == state


@pytest.mark.parametrize("typed", ["<b></b>", "<script></script>", "<script>x()</script>"])
def test_a_headline_that_is_only_markup_is_refused_saying_why(
    draft: Digest, editor: Client, typed: str
) -> None:
    before = draft.items.order_by("position", "id").first()
    assert before is not None
    data = formset(draft, {0: {"headline": typed, "summary": "Edited as well"}})
    response = editor.post(url(draft), data)
    page = response.content.decode()
    assert response.status_code == 200  # the form again, with the row's error
    assert (
        f"The headline {escape(repr(typed))} has no words once its markup is taken out "
        "(a headline is plain text): type the headline&#x27;s words." in page
    )
    assert "changed successfully" not in page
    before.refresh_from_db()
    assert before.headline and before.summary != "Edited as well"  # nothing of the row saved


def pull(
    editor: Client, digest: Digest, story: str, typed: dict[int, dict[str, object]] | None = None
) -> Any:
    """The review screen's "Save and pull into the digest" button pressed for `story`, with the
    items as the page shows them (`typed`: what the editor changed first, by row)."""
    return editor.post(url(digest), {**formset(digest, typed or {}), "_pull": story}, follow=True)


def small_digest(draft: Digest) -> Digest:
    """The draft with room for two stories only, so some of the day's stories are not sent."""
    draft.edition.max_stories = 2
    draft.edition.save()
    return services.digest_build(edition_id=draft.edition_id, day=draft.date)


def test_every_story_of_the_day_is_listed_beside_the_digest(draft: Digest, editor: Client) -> None:
    digest = small_digest(draft)
    page = editor.get(url(digest)).content.decode()
    assert "Every story of the day" in page
    for story in digest.edition.stories.filter(day=digest.date):
        assert story.headline.replace("'", "&#x27;") in page
    assert "in the digest" in page and "Save and pull into the digest" in page


def test_a_large_days_stories_are_listed_a_page_at_a_time(draft: Digest, editor: Client) -> None:
    # A day of 20,000 stories was one page of 5.6 MB: the editor pages through them, and a
    # story pulled in from a later page brings the editor back to that page.
    from headlines.digests.admin import STORIES_PER_PAGE
    from headlines.stories.models import Story

    digest = small_digest(draft)
    built = digest.edition.stories.filter(day=digest.date).count()
    Story.objects.bulk_create(
        Story(edition=digest.edition, day=digest.date, rank=1000 + n, headline=f"Filler {n:03}")
        for n in range(2 * STORIES_PER_PAGE)
    )
    count = built + 2 * STORIES_PER_PAGE
    assert 0 < built < STORIES_PER_PAGE  # the built stories lead the first page
    first = editor.get(url(digest)).content.decode()
    assert f"Stories 1-{STORIES_PER_PAGE} of {count}" in first
    assert "Filler 000" in first
    assert f"Filler {2 * STORIES_PER_PAGE - 1:03}" not in first
    assert '<a href="?stories=2">Next</a>' in first and "Previous" not in first
    last = editor.get(url(digest) + "?stories=3").content.decode()
    assert f"Stories {2 * STORIES_PER_PAGE + 1}-{count} of {count}" in last
    assert f"Filler {2 * STORIES_PER_PAGE - 1:03}" in last and "Filler 000" not in last
    assert f"<td>{count}</td>" in last  # ranked across the pages, not from 1 again
    assert "Next" not in last and '<a href="?stories=2">Previous</a>' in last
    for hostile in ("0", "-1", "abc", "9" * 5000, "1.5", "99999999"):
        answer = editor.get(url(digest), {"stories": hostile})
        assert answer.status_code == 200 and "Stories " in answer.content.decode()
    story = Story.objects.get(headline=f"Filler {2 * STORIES_PER_PAGE - 1:03}")
    pulled = editor.post(
        url(digest) + "?stories=3", {**formset(digest, {}), "_pull": str(story.pk)}
    )
    assert pulled.status_code == 302 and pulled["Location"].endswith("?stories=3")
    assert digest.items.get(story=story).pinned


def test_the_editor_pulls_a_story_into_the_digest(draft: Digest, editor: Client) -> None:
    digest = small_digest(draft)
    sent = {i.story_id for i in digest.items.filter(dropped=False).order_by("position")[:2]}
    story = digest.edition.stories.filter(day=digest.date).exclude(pk__in=sent).first()
    assert story is not None and story.headline not in digest.text
    answer = pull(editor, digest, str(story.pk))
    assert answer.status_code == 200 and "Pulled in at place 2" in answer.content.decode()
    digest.refresh_from_db()
    assert story.headline in digest.text  # it goes out now
    item = digest.items.get(story=story)
    assert item.pinned and not item.dropped and item.position == 2


def test_pulling_a_story_in_keeps_what_the_editor_had_typed(draft: Digest, editor: Client) -> None:
    # The pull buttons posted a form of their own: a headline typed in the items and not yet
    # saved was lost when the page came back, without a word.
    digest = small_digest(draft)
    sent = {i.story_id for i in digest.items.filter(dropped=False).order_by("position")[:2]}
    story = digest.edition.stories.filter(day=digest.date).exclude(pk__in=sent).first()
    assert story is not None
    answer = pull(editor, digest, str(story.pk), {0: {"headline": "Typed, then pulled"}})
    assert "Pulled in at place" in answer.content.decode()
    assert digest.items.filter(headline="Typed, then pulled").exists()
    assert digest.items.get(story=story).pinned


@pytest.mark.parametrize(
    "story", ["", "abc", "-1", "1 OR 1=1", "999999", "\u00b2", "9" * 5000, "99999999999999999999"]
)
def test_pulling_a_bad_story_is_a_clear_error_and_changes_nothing(
    draft: Digest, editor: Client, story: str
) -> None:
    digest = small_digest(draft)
    before = list(digest.items.values_list("story_id", "position", "pinned", "dropped"))
    answer = pull(editor, digest, story)
    assert answer.status_code == 200 and "no story" in answer.content.decode().lower()
    assert list(digest.items.values_list("story_id", "position", "pinned", "dropped")) == before


def test_pulling_needs_a_post_a_draft_and_a_staff_login(
    draft: Digest, editor: Client, client: Client
) -> None:
    digest = small_digest(draft)
    story = digest.edition.stories.filter(day=digest.date).last()
    assert story is not None
    assert editor.get(url(digest), {"_pull": str(story.pk)}).status_code == 200
    assert not digest.items.filter(story=story, pinned=True).exists()  # a GET pulls nothing
    services.digest_approve(digest_id=digest.pk, by="ed")
    answer = pull(editor, digest, str(story.pk))
    assert "only a draft changes" in answer.content.decode()
    assert not digest.items.filter(story=story, pinned=True).exists()
    editor.logout()
    anonymous = Client().post(url(digest), {**formset(digest, {}), "_pull": str(story.pk)})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_rebuild_says_why_a_sent_digest_cannot_be_rebuilt(draft: Digest, editor: Client) -> None:
    changelist = "/admin/digests/digest/"
    response = editor.post(
        changelist, {"action": "rebuild", "_selected_action": [draft.pk]}, follow=True
    )
    assert f"Rebuilt {draft}: {draft.items.count()} stories." in response.content.decode()
    services.digest_approve(digest_id=draft.pk)
    services.digest_mark_sending(digest_id=draft.pk)
    services.digest_mark_sent(digest_id=draft.pk)
    before = list(draft.items.values_list("headline", flat=True))
    response = editor.post(
        changelist, {"action": "rebuild", "_selected_action": [draft.pk]}, follow=True
    )
    page = response.content.decode()
    assert f"{draft} was not rebuilt: it has been sent; readers already have this version." in page
    assert list(draft.items.values_list("headline", flat=True)) == before


def said(response: Any) -> list[str]:
    """The messages the admin showed the editor after an action."""
    return [str(m) for m in response.context["messages"]]


def test_approving_says_so_and_a_second_approval_says_it_already_was(
    draft: Digest, editor: Client
) -> None:
    changelist = "/admin/digests/digest/"
    action = {"action": "approve", "_selected_action": [draft.pk]}
    assert said(editor.post(changelist, action, follow=True)) == [f"Approved {draft} for sending."]
    assert said(editor.post(changelist, action, follow=True)) == [f"{draft} was already approved."]


def test_an_empty_draft_is_not_approved_and_the_editor_is_told_why(
    draft: Digest, editor: Client
) -> None:
    for item in draft.items.all():
        services.digest_item_update(item_id=item.pk, dropped=True)
    response = editor.post(
        "/admin/digests/digest/", {"action": "approve", "_selected_action": [draft.pk]}, follow=True
    )
    (message,) = said(response)
    assert "has no stories to send" in message
    draft.refresh_from_db()
    assert draft.state == Digest.State.DRAFT


@pytest.mark.django_db(transaction=True)
def test_a_digest_past_its_draft_cannot_be_deleted_and_its_ledger_stays(
    draft: Digest, editor: Client
) -> None:
    subscription = confirmed(draft.edition)
    services.digest_approve(digest_id=draft.pk)
    delivery_send_now(digest_id=draft.pk)
    assert Delivery.objects.filter(digest=draft, subscription=subscription).count() == 1
    change = editor.get(url(draft)).content.decode()
    assert "deletelink" not in change
    assert editor.get(f"/admin/digests/digest/{draft.pk}/delete/").status_code == 403
    assert (
        editor.post(f"/admin/digests/digest/{draft.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    listing = editor.get("/admin/digests/digest/").content.decode()
    assert "delete_selected" not in listing
    bulk = editor.post(
        "/admin/digests/digest/",
        {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Digest.objects.filter(pk=draft.pk).exists()
    assert Delivery.objects.filter(digest=draft).count() == 1
    delivery_send_now(digest_id=draft.pk)  # a re-run, as `headlines send` would
    mailed = OutboxMessage.objects.filter(recipients__contains=subscription.subscriber.email)
    assert mailed.count() == 1  # the reader had it once, never twice


def test_a_draft_can_still_be_deleted(draft: Digest, editor: Client) -> None:
    assert "deletelink" in editor.get(url(draft)).content.decode()
    editor.post(f"/admin/digests/digest/{draft.pk}/delete/", {"post": "yes"})
    assert not Digest.objects.filter(pk=draft.pk).exists()


def test_the_review_screen_saves_the_edits_then_approves(draft: Digest, editor: Client) -> None:
    data = formset(draft, {0: {"headline": "Edited just before approval"}})
    response = editor.post(url(draft), {**data, "_approve": "Save and approve"}, follow=True)
    assert response.redirect_chain[-1][0] == url(draft)
    assert said(response) == [f"Approved {draft} for sending."]
    draft.refresh_from_db()
    assert draft.state == Digest.State.APPROVED
    assert (
        "Edited just before approval" in draft.html and "Edited just before approval" in draft.text
    )
    page = response.content.decode()
    assert 'name="_approve"' not in page and 'name="_rebuild"' not in page


def test_the_review_screen_saves_the_edits_then_rebuilds_keeping_them(
    draft: Digest, editor: Client
) -> None:
    data = formset(draft, {0: {"headline": "Kept through the rebuild"}})
    response = editor.post(url(draft), {**data, "_rebuild": "Save and rebuild"}, follow=True)
    assert said(response) == [f"Rebuilt {draft}: {draft.items.count()} stories."]
    assert draft.items.filter(headline="Kept through the rebuild").exists()


def test_an_edit_the_review_screen_refuses_is_not_approved(draft: Digest, editor: Client) -> None:
    data = formset(draft, {0: {"position": "-3"}})
    page = editor.post(url(draft), {**data, "_approve": "Save and approve"}).content.decode()
    assert "Please correct the error" in page
    draft.refresh_from_db()
    assert draft.state == Digest.State.DRAFT


def test_too_long_a_summary_is_the_rows_own_error_and_nothing_is_saved(
    draft: Digest, editor: Client
) -> None:
    before = draft.items.order_by("position", "id").first()
    assert before is not None
    data = formset(draft, {0: {"summary": "Word " * 300, "headline": "Edited as well"}})
    response = editor.post(url(draft), data)
    page = response.content.decode()
    assert response.status_code == 200  # the form again, with the row's error
    assert "A summary is at most 1000 characters (this one is 1499)." in page
    assert "changed successfully" not in page
    before.refresh_from_db()
    assert before.headline != "Edited as well"  # nothing of the row saved


def test_an_edit_the_service_refuses_is_not_said_to_have_succeeded(
    draft: Digest, editor: Client
) -> None:
    data = formset(draft, {0: {"topics": "no-such-topic"}})
    response = editor.post(url(draft), data, follow=True)
    messages = said(response)
    assert messages and not any("changed successfully" in m for m in messages)


def seen(editor: Client, digest: Digest) -> str:
    """What the review screen page carries back: the digest as that page showed it."""
    page = editor.get(url(digest)).content.decode()
    match = re.search(r'name="_seen" value="([0-9a-f]+)"', page)
    assert match is not None
    return match.group(1)


def test_a_second_editors_save_does_not_undo_the_firsts_edit(draft: Digest, editor: Client) -> None:
    opened = {**formset(draft, {}), "_seen": seen(editor, draft)}  # the second editor's page
    first = {**formset(draft, {0: {"headline": "The first editor's headline"}})}
    editor.post(url(draft), {**first, "_seen": seen(editor, draft)}, follow=True)
    stale = {**opened, "items-1-summary": "The second editor's summary"}
    response = editor.post(url(draft), stale, follow=True)
    assert said(response) == [
        f"Nothing was saved: {draft} was changed since you opened it (an edit, a rebuild or a "
        "story pulled in). Here it is as it is now: make your changes again."
    ]
    assert draft.items.filter(headline="The first editor's headline").exists()
    assert not draft.items.filter(summary="The second editor's summary").exists()


def test_a_save_from_a_page_opened_before_a_rebuild_changes_nothing(
    draft: Digest, editor: Client
) -> None:
    opened = {**formset(draft, {0: {"headline": "Typed before the rebuild"}})}
    opened["_seen"] = seen(editor, draft)
    services.digest_build(edition_id=draft.edition_id, day=draft.date)  # new items, new ids
    response = editor.post(url(draft), {**opened, "_approve": "Save and approve"}, follow=True)
    assert said(response)[0].startswith(f"Nothing was saved: {draft} was changed since")
    draft.refresh_from_db()
    assert draft.state == Digest.State.DRAFT  # not approved unseen
    assert not draft.items.filter(headline="Typed before the rebuild").exists()


def test_an_edit_from_a_page_opened_before_the_approval_is_not_said_to_be_saved(
    draft: Digest, editor: Client
) -> None:
    opened = {**formset(draft, {0: {"headline": "Typed before the approval"}})}
    opened["_seen"] = seen(editor, draft)
    services.digest_approve(digest_id=draft.pk, by="ann")
    response = editor.post(url(draft), opened, follow=True)
    assert said(response) == [
        f"Nothing was saved: {draft} was approved by ann since you opened it, and only a draft "
        "changes."
    ]
    assert not draft.items.filter(headline="Typed before the approval").exists()


def test_a_save_from_the_page_as_it_is_saves(draft: Digest, editor: Client) -> None:
    data = {**formset(draft, {0: {"headline": "Saved at once"}}), "_seen": seen(editor, draft)}
    response = editor.post(url(draft), data, follow=True)
    assert any("changed successfully" in m for m in said(response))
    assert draft.items.filter(headline="Saved at once").exists()


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ({"slug": "World"}, None),  # stored lower-case, as `topic add` stores it
        ({"slug": "world_news"}, "Slug &#x27;world_news&#x27; must be lower-case letters"),
        ({"name": "World\x07"}, "Name must be 1 to 100 printable characters."),
        ({"sections": "World News, europe,, "}, None),
    ],
)
def test_a_topic_added_in_the_admin_keeps_topic_adds_rules(
    editor: Client, typed: dict[str, str], error: str | None
) -> None:
    edition = factories.edition(slug="us")
    form = {"edition": edition.pk, "slug": "world", "name": "World", "order": "0", **typed}
    response = editor.post("/admin/stories/topic/add/", form)
    if error is not None:
        assert error in response.content.decode()
        assert not Topic.objects.exists()
        return
    assert response.status_code == 302
    topic = Topic.objects.get()
    assert topic.slug == "world"
    assert topic.sections == (["world news", "europe"] if "sections" in typed else [])
    # The command line reads it back, and readers' choices find it.
    assert topics.topic_get(edition="us", slug="world") == topic


def test_a_topics_sections_are_shown_and_changed_as_words(editor: Client) -> None:
    edition = factories.edition(slug="us")
    topic = topics.topic_add(edition="us", slug="world", name="World", sections=["world", "europe"])
    page = editor.get(f"/admin/stories/topic/{topic.pk}/change/").content.decode()
    assert 'value="world, europe"' in page
    form = {"edition": edition.pk, "slug": "world", "name": "World", "order": "0"}
    editor.post(f"/admin/stories/topic/{topic.pk}/change/", {**form, "sections": "5"})
    topic.refresh_from_db()
    assert topic.sections == ["5"]  # a label, never the JSON number that crashed `topic list`


def rows(digest: Digest) -> list[tuple[object, ...]]:
    return list(
        digest.items.order_by("id").values_list("headline", "summary", "position", "topics")
    )


@pytest.mark.parametrize("button", [{}, {"_approve": "Save and approve"}, {"_rebuild": "Rebuild"}])
def test_a_save_with_a_row_the_service_refuses_stores_no_row_and_keeps_what_was_typed(
    draft: Digest, editor: Client, button: dict[str, str]
) -> None:
    # The service checks a row's topics against the edition's topics when it saves it: a later
    # row refused there left the earlier rows saved, under an error, half an edit.
    before, html = rows(draft), draft.html
    data = formset(
        draft,
        {
            0: {"headline": "Typed in the first row", "position": 9},
            1: {"summary": "Typed in the second row", "topics": "no-such-topic"},
        },
    )
    data["_seen"] = seen(editor, draft)
    response = editor.post(url(draft), {**data, **button})
    page = response.content.decode()
    assert response.status_code == 200  # the page again, as it was typed, with the refusal
    assert "Nothing was saved" in page and "changed successfully" not in page
    second = draft.items.order_by("position", "id")[1]
    refusal = "Unknown topic no-such-topic; this edition&#x27;s topics: none yet."
    place = f"Nothing was saved: the story at place {second.position} was refused: {refusal}"
    assert place in page
    row = re.search(r'<tr[^>]*id="items-1".*?</tr>', page, re.S)  # the second row's own
    assert row is not None and refusal in row.group(0)
    assert "Typed in the first row" in page and "Typed in the second row" in page
    assert 'value="no-such-topic"' in page and 'value="9"' in page
    assert re.search(r'name="_seen" value="([0-9a-f]+)"', page)
    assert rows(draft) == before  # not the first row either
    draft.refresh_from_db()
    assert draft.state == Digest.State.DRAFT and draft.html == html
    assert second.summary != "Typed in the second row"
    assert not LogEntry.objects.exists()


def test_a_story_is_not_pulled_in_when_the_save_before_it_is_refused(
    draft: Digest, editor: Client
) -> None:
    digest = small_digest(draft)
    sent = {i.story_id for i in digest.items.filter(dropped=False).order_by("position")[:2]}
    story = digest.edition.stories.filter(day=digest.date).exclude(pk__in=sent).first()
    assert story is not None
    before = rows(digest)
    typed = {0: {"headline": "Typed, then pulled"}, 1: {"topics": "no-such-topic"}}
    answer = editor.post(url(digest), {**formset(digest, typed), "_pull": str(story.pk)})
    page = answer.content.decode()
    assert answer.status_code == 200 and "Pulled in" not in page
    assert "Unknown topic no-such-topic" in page and "Typed, then pulled" in page
    assert rows(digest) == before
    assert not digest.items.filter(story=story, pinned=True).exists()


def test_the_digests_history_says_what_each_save_changed(draft: Digest, editor: Client) -> None:
    # Every Save of the review screen was written to the digest's history as "No fields
    # changed.", a headline rewritten and a story dropped included: the history could not say
    # who had changed what, and said nobody had.
    data = formset(draft, {0: {"headline": "Rewritten by <b>the desk</b>"}, 1: {"dropped": True}})
    editor.post(url(draft), {**data, "_approve": "Save and approve"})
    entry = LogEntry.objects.get()
    said_there = entry.get_change_message()
    assert "No fields changed" not in said_there
    assert "Changed Headline for digest item “Rewritten by the desk”." in said_there
    assert "Changed Dropped for digest item" in said_there
    history = editor.get(f"/admin/digests/digest/{draft.pk}/history/").content.decode()
    assert "Rewritten by the desk" in history and "No fields changed" not in history


def test_pulling_a_story_in_says_which_story_it_pushes_out_of_the_digest(
    draft: Digest, editor: Client
) -> None:
    # The digest is full: the story pulled in takes the last place that is sent, and the one
    # there (pinned by the editor, here) moves into the reserve and no longer goes out. The
    # message only named the story pulled in: the other left the email without a word.
    digest = small_digest(draft)
    second = digest.items.filter(dropped=False).order_by("position", "id")[1]
    services.digest_item_update(item_id=second.pk, pinned=True)
    sent = {i.story_id for i in digest.items.filter(dropped=False).order_by("position")[:2]}
    story = digest.edition.stories.filter(day=digest.date).exclude(pk__in=sent).first()
    assert story is not None
    messages = said(pull(editor, digest, str(story.pk)))
    second.refresh_from_db()
    assert second.position == 3
    assert messages == [
        f"Pulled in at place 2: {story.headline}. “{second.headline}” moves to place 3, "
        "into the reserve: it is not sent unless you move it up or leave out a story above it."
    ]


def test_a_story_is_shown_in_the_admin_and_not_changed_there(draft: Digest, editor: Client) -> None:
    # Stories are made by clustering, and a rebuild makes the day's stories anew: the admin's
    # Story page took any value in every field, and a story saved with its topics as `5`
    # crashed the digest's review screen (500) until the next rebuild, which then dropped
    # every edit made there. The editor's words go in the digest's items.
    story = draft.edition.stories.filter(day=draft.date).order_by("rank").first()
    assert story is not None
    page = editor.get(f"/admin/stories/story/{story.pk}/change/").content.decode()
    assert 'name="headline"' not in page and 'name="_save"' not in page
    assert story.headline.replace("'", "&#x27;") in page
    answer = editor.post(
        f"/admin/stories/story/{story.pk}/change/",
        {"headline": "Typed over", "topics": "5", "source_names": '"x"'},
    )
    assert answer.status_code == 403
    story.refresh_from_db()
    assert story.headline != "Typed over" and story.topics != 5
    assert editor.get(url(draft)).status_code == 200
