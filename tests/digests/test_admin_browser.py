"""The digest review screen and the outbox preview in Chromium at a newsroom's widths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from headlines.core import clock
from headlines.core.models import OutboxMessage
from headlines.delivery.services import delivery_send_test
from headlines.digests import services
from headlines.digests.models import Digest
from tests import factories
from tests.admin_pages import (
    WIDTHS,
    assert_no_page_overflow,
    assert_not_clipped,
    assert_on_screen,
    staff_login,
)
from tests.digests.factories import NOON, messy_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft() -> Digest:
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(timezone="Europe/London")
    messy_day(edition)
    return services.digest_build(edition_id=edition.pk)


LONG_HEADLINE = (
    "Regional council approves the long-delayed harbour redevelopment plan after a nine-hour "
    "meeting in which residents, fishermen and shop owners argued over flood defences, parking"
)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_review_screen_shows_every_column_and_whole_headlines(
    page,
    live_server,
    tmp_path: Path,
    draft: Digest,
    width: int,
) -> None:
    first = draft.items.order_by("position").first()
    assert first is not None
    services.digest_item_update(item_id=first.pk, headline=LONG_HEADLINE)
    staff_login(page, live_server, width=width)
    page.goto(f"{live_server.url}/admin/digests/digest/{draft.pk}/change/")
    assert_no_page_overflow(page, width)
    items = draft.items.count()
    for column in ("Position", "Headline", "Summary", "Pinned", "Dropped", "Sources"):
        assert_on_screen(page.locator("#items-group th", has_text=column), width, column)
    for name in ("position", "headline", "summary", "pinned", "dropped"):
        fields = page.locator(f"#items-group [name$='-{name}']")
        assert fields.count() == items
        assert_on_screen(fields, width, name)
    assert_not_clipped(page.locator("#items-group textarea"), "headline or summary box")
    assert LONG_HEADLINE in page.locator("#items-group textarea").first.input_value()
    page.screenshot(path=str(tmp_path / f"review-{width}.png"), full_page=True)


def _fitted_frames(page: Any) -> list[list[float]]:
    """[frame width, email width, frame height, email height] once each frame has been fitted."""
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('iframe.email-frame')).every(f => "
        "f.contentDocument && f.contentDocument.readyState === 'complete' && "
        "Math.abs(f.clientHeight - f.contentDocument.documentElement.scrollHeight) <= 4)"
    )
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('iframe.email-frame')).map(f => "
        "[f.clientWidth, f.contentDocument.documentElement.scrollWidth, f.clientHeight, "
        "f.contentDocument.documentElement.scrollHeight])"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_the_outbox_shows_the_whole_email_at_its_real_width(
    page,
    live_server,
    tmp_path: Path,
    draft: Digest,
    width: int,
) -> None:
    delivery_send_test(digest_id=draft.pk, to="editor@newsroom.example")
    message = OutboxMessage.objects.get()
    page.route("https://**/*", lambda route: route.abort())  # no network: images stay out
    staff_login(page, live_server, width=width)
    page.goto(f"{live_server.url}/admin/core/outboxmessage/{message.pk}/change/")
    assert_no_page_overflow(page, width)
    frames = page.locator("iframe.email-frame")
    assert_on_screen(frames, width, "email frame")
    (desk_w, desk_email_w, desk_h, desk_email_h), (phone_w, phone_email_w, *_) = _fitted_frames(
        page
    )
    assert (desk_w, phone_w) == (680, 375)  # a desktop client's width and a phone's, unscaled
    assert desk_email_w <= desk_w and phone_email_w <= phone_w
    assert desk_h >= desk_email_h > 900  # the whole email, not a slot with a scrollbar
    frame = page.frame_locator("iframe.email-frame").first
    assert frame.get_by_text("Unsubscribe").is_visible()
    page.screenshot(path=str(tmp_path / f"outbox-{width}.png"), full_page=True)


def test_the_review_screen_preview_is_fitted_too(
    page,
    live_server,
    draft: Digest,
) -> None:
    page.route("https://**/*", lambda route: route.abort())
    staff_login(page, live_server, width=1280)
    page.goto(f"{live_server.url}/admin/digests/digest/{draft.pk}/change/")
    frames = _fitted_frames(page)
    assert [f[0] for f in frames] == [680, 375]
    assert all(f[1] <= f[0] and f[2] >= f[3] for f in frames)


def test_every_box_of_the_review_screen_says_what_it_is_and_for_which_story(
    page, live_server, draft: Digest
) -> None:
    staff_login(page, live_server, width=1280)
    page.goto(f"{live_server.url}/admin/digests/digest/{draft.pk}/change/")
    boxes = (
        ("Position", "spinbutton"),
        ("Headline", "textbox"),
        ("Summary", "textbox"),
        ("Topics", "textbox"),
        ("Pinned", "checkbox"),
        ("Dropped", "checkbox"),
    )
    items = list(draft.items.order_by("position"))
    assert len({item.position for item in items}) == len(items) > 1
    for item in items:
        for column, role in boxes:
            box = page.get_by_role(role, name=f"{column}, place {item.position}", exact=True)
            assert box.count() == 1, (column, item.position)
    headline = page.get_by_role("textbox", name=f"Headline, place {items[0].position}")
    assert headline.input_value() == items[0].headline


def test_enter_in_a_box_saves_the_edits_and_pulls_no_story_in(
    page, live_server, draft: Digest
) -> None:
    draft.edition.max_stories = 2
    draft.edition.save()
    digest = services.digest_build(edition_id=draft.edition_id, day=draft.date)
    before = {i.pk: (i.pinned, i.dropped) for i in digest.items.all()}
    staff_login(page, live_server, width=1280)
    page.goto(f"{live_server.url}/admin/digests/digest/{digest.pk}/change/")
    pull = page.get_by_role("button", name="Pull into the digest")
    assert pull.count() > 0  # stories of the day that are not sent, each with its button
    first = digest.items.order_by("position").first()
    assert first is not None
    page.get_by_role("textbox", name=f"Headline, place {first.position}").fill("Edited, kept")
    position = page.get_by_role("spinbutton", name=f"Position, place {first.position}")
    position.fill("7")
    position.press("Enter")
    page.wait_for_url("**/admin/digests/digest/")
    first.refresh_from_db()
    assert (first.headline, first.position) == ("Edited, kept", 7)
    assert {i.pk: (i.pinned, i.dropped) for i in digest.items.all()} == before

    page.goto(f"{live_server.url}/admin/digests/digest/{digest.pk}/change/")
    # What the editor typed and had not saved goes in with the pull (it was lost unsaid).
    second = digest.items.order_by("position")[1]
    box = page.get_by_role("textbox", name=f"Headline, place {second.position}")
    box.fill("Typed, then a story pulled in")
    page.get_by_role("button", name="Save and pull into the digest").first.click()
    page.get_by_text("Pulled in at place").wait_for()
    assert digest.items.filter(pinned=True).count() == 1
    second.refresh_from_db()
    assert second.headline == "Typed, then a story pulled in"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_editor_edits_and_approves_from_the_review_screen(
    page, live_server, draft: Digest, width: int
) -> None:
    staff_login(page, live_server, width=width)
    page.goto(f"{live_server.url}/admin/digests/digest/{draft.pk}/change/")
    first = draft.items.order_by("position").first()
    assert first is not None
    page.get_by_role("textbox", name=f"Summary, place {first.position}").fill("A new summary.")
    approve = page.get_by_role("button", name="Save and approve for sending")
    assert_on_screen(approve, width, "approve button")
    assert_on_screen(
        page.get_by_role("button", name="Save and rebuild the draft"), width, "rebuild"
    )
    assert_no_page_overflow(page, width)
    approve.click()
    page.get_by_text(f"Approved {draft} for sending.").wait_for()
    draft.refresh_from_db()
    assert draft.state == Digest.State.APPROVED and "A new summary." in draft.text
    assert page.get_by_role("button", name="Save and approve for sending").count() == 0


@pytest.mark.parametrize("width", WIDTHS)
def test_the_summary_box_is_the_widest_on_the_review_screen(
    page, live_server, draft: Digest, width: int
) -> None:
    staff_login(page, live_server, width=width)
    page.goto(f"{live_server.url}/admin/digests/digest/{draft.pk}/change/")
    first = draft.items.order_by("position").first()
    assert first is not None
    place = first.position
    widths = {
        column: page.get_by_role(role, name=f"{column}, place {place}").bounding_box()["width"]
        for column, role in (("Headline", "textbox"), ("Summary", "textbox"), ("Topics", "textbox"))
    }
    assert widths["Summary"] >= widths["Headline"] > widths["Topics"], widths
    assert widths["Summary"] >= 250, widths  # lines of several words, not a column of one
    assert_no_page_overflow(page, width)


def test_a_save_the_service_refuses_keeps_every_typed_word_and_stores_none(
    page, live_server, draft: Digest
) -> None:
    first, second = draft.items.order_by("position")[:2]
    before = list(draft.items.order_by("id").values_list("headline", "summary", "topics"))
    staff_login(page, live_server, width=1280)
    page.goto(f"{live_server.url}/admin/digests/digest/{draft.pk}/change/")
    page.get_by_role("textbox", name=f"Headline, place {first.position}").fill("Typed first")
    page.get_by_role("textbox", name=f"Summary, place {second.position}").fill("Typed second")
    page.get_by_role("textbox", name=f"Topics, place {second.position}").fill("no-such-topic")
    page.get_by_role("button", name="Save and approve for sending").click()
    page.get_by_text(
        f"Nothing was saved: the story at place {second.position} was refused"
    ).wait_for()
    # Beside the row it is about, and what was typed is still in its boxes.
    row_error = page.locator("#items-1 .errorlist", has_text="Unknown topic no-such-topic")
    assert row_error.is_visible()
    headline = page.get_by_role("textbox", name=f"Headline, place {first.position}")
    assert headline.input_value() == "Typed first"
    summary = page.get_by_role("textbox", name=f"Summary, place {second.position}")
    assert summary.input_value() == "Typed second"
    assert list(draft.items.order_by("id").values_list("headline", "summary", "topics")) == before
    draft.refresh_from_db()
    assert draft.state == Digest.State.DRAFT
    # Corrected, the same page saves every row.
    page.get_by_role("textbox", name=f"Topics, place {second.position}").fill("")
    page.get_by_role("button", name="Save and approve for sending").click()
    page.get_by_text(f"Approved {draft} for sending.").wait_for()
    assert draft.items.filter(headline="Typed first").exists()
    assert draft.items.filter(summary="Typed second").exists()
