"""The sign-up widget in the frame the operations guide tells publishers to paste, in Chromium.

Whatever the reader does (nothing yet, a bad address, a sign-up, a likely typo), the whole widget
shows inside the frame at a phone's width and a desktop's: nothing is cut off at its bottom or
right edge, so no reader has to find a scrollbar inside an article to reach SIGN UP.
"""

from __future__ import annotations

import http.server
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from headlines.subscriptions.models import Subscriber
from tests import factories
from tests.serving import serving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPERATIONS = Path(__file__).parents[2] / "docs" / "operations.md"
PHONE, DESKTOP = 390, 1280


def documented_frame() -> str:
    """The `<iframe …>` the guide's "Embedding the widget" section gives, as written there."""
    guide = OPERATIONS.read_text(encoding="utf-8")
    section = guide.split("### Embedding the widget in article pages", 1)[1]
    found = re.search(r"```html\n(<iframe.*?</iframe>)\n```", section, re.S)
    assert found, "the guide gives no frame to paste"
    return found.group(1)


def documented_chooser_height() -> int:
    """The height the guide gives a frame offering two editions."""
    guide = OPERATIONS.read_text(encoding="utf-8")
    found = re.search(r"two editions, `height:(\d+)px`", guide)
    assert found, "the guide gives no height for a frame offering two editions"
    return int(found.group(1))


class Article:
    """A publisher's article page on another site holding one frame."""

    def __init__(self, frame: str) -> None:
        body = (
            '<!doctype html><html><head><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><title>News</title></head>'
            '<body style="margin:0;padding:16px"><article><h1>Storm hits the coast</h1>'
            f"<p>Story text.</p>{frame}<p>More story text.</p></article></body></html>"
        ).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        serving(self.server).start()
        self.url = f"http://localhost:{self.server.server_address[1]}/article.html"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service(live_server) -> str:
    factories.edition(slug="us", name="US Evening Headlines", timezone="America/New_York")
    factories.edition(slug="uk", name="UK Evening Headlines", timezone="Europe/London")
    return live_server.url.replace("localhost", "127.0.0.1")


@pytest.fixture
def open_article(service: str) -> Iterator[Any]:
    opened: list[Article] = []

    def open_(frame: str) -> Article:
        frame = frame.replace("https://headlines.example.com", service)
        opened.append(Article(frame))
        return opened[-1]

    yield open_
    for article in opened:
        article.close()


def assert_whole(page: Any, state: str) -> None:
    frame = page.frames[1]
    frame.wait_for_load_state()
    scroll_w, client_w, scroll_h, client_h = frame.evaluate(
        "() => { const d = document.documentElement;"
        " return [d.scrollWidth, d.clientWidth, d.scrollHeight, d.clientHeight] }"
    )
    assert scroll_w <= client_w, f"{state}: the widget runs {scroll_w - client_w}px off the side"
    assert scroll_h <= client_h, f"{state}: the widget's last {scroll_h - client_h}px are cut off"


def walk(page: Any, article: Article, *, width: int, chooser: bool = False) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(article.url)
    widget = page.frame_locator("iframe")
    email = widget.get_by_placeholder("Email address")
    email.wait_for()
    assert_whole(page, "the blank form")
    email.fill("not an address")
    widget.get_by_role("button", name="SIGN UP").click()
    widget.get_by_text("Please enter a valid email address").wait_for()
    assert_whole(page, "a bad address")
    if chooser:
        widget.get_by_label(re.compile("UK Evening Headlines")).check()
    email.fill("ann.reader@gmial.com")
    widget.get_by_role("button", name="SIGN UP").click()
    widget.get_by_text("Did you mean").wait_for()
    assert_whole(page, "the thanks with a likely typo")
    widget.get_by_role("button", name=re.compile("Sign up at gmail.com")).click()
    widget.get_by_text("Did you mean").wait_for(state="detached")  # the thanks, again
    widget.get_by_text("Thanks for signing up").wait_for()
    assert_whole(page, "the thanks")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_documented_frame_holds_the_whole_widget(page, open_article, width: int) -> None:
    frame = documented_frame()
    assert 'src="https://headlines.example.com/widget/us/"' in frame
    walk(page, open_article(frame), width=width)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_a_frame_offering_two_editions_holds_the_whole_chooser(
    page, open_article, width: int
) -> None:
    frame = re.sub(r"height:\d+px", f"height:{documented_chooser_height()}px", documented_frame())
    frame = frame.replace("/widget/us/", "/widget/?editions=us,uk")
    walk(page, open_article(frame), width=width, chooser=True)


# The longest address a reader can sign up with whose domain is a likely typo: a local part of
# RFC 5321's 64 octets at the longest well-known domain, one letter off.
LONGEST_TYPO = "evening.headlines.reader.with.the.longest.name.anyone.ever.typed@virginmedia.con"


@pytest.mark.parametrize("width", [375, DESKTOP])
def test_did_you_mean_for_the_longest_address_shows_whole_in_the_documented_frame(
    page, open_article, width: int
) -> None:
    """The question and its button ran 395 px off the side of a phone's frame and 140 px
    below it: the reader saw neither the domain asked about nor the button."""
    assert len(LONGEST_TYPO.partition("@")[0]) == 64
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(open_article(documented_frame()).url)
    widget = page.frame_locator("iframe")
    widget.get_by_placeholder("Email address").fill(LONGEST_TYPO)
    widget.get_by_role("button", name="SIGN UP").click()
    question = widget.get_by_text("Did you mean")
    question.wait_for()
    assert_whole(page, "the thanks with a likely typo in the longest address")
    assert "virginmedia.con" in question.inner_text()
    assert "Did you mean virginmedia.com?" in question.inner_text()
    frame = page.locator("iframe").bounding_box()
    button = widget.get_by_role("button", name="Sign up at virginmedia.com")
    box = button.bounding_box()
    assert frame and box
    assert box["y"] + box["height"] <= frame["y"] + frame["height"], "the button is cut off"
    button.click()
    # The page that asks already says "Thanks for signing up": wait for the one after it.
    button.wait_for(state="detached")
    widget.get_by_text("Thanks for signing up").wait_for()
    assert Subscriber.objects.filter(email=LONGEST_TYPO.replace(".con", ".com")).exists()


# Edition names are up to 120 characters (core.services.edition_name_clean).
LONG_NAMES = {
    "metro": (
        "Greater Metropolitan Area Evening Headlines and Late Briefing for Commuters, "
        "Night-Shift Workers and All Others, Nightly"
    ),
    "coast": (
        "Northern Coastal Counties, Islands and Highlands Evening Headlines with Weather, "
        "Ferries, Roads and Regional Sport Score"
    ),
}


def assert_button_in_frame(page: Any, button: Any, state: str) -> None:
    frame, box = page.locator("iframe").bounding_box(), button.bounding_box()
    assert frame and box, f"{state}: no button to press"
    assert box["y"] >= frame["y"] and box["x"] >= frame["x"], f"{state}: the button is cut off"
    assert box["y"] + box["height"] <= frame["y"] + frame["height"], f"{state}: button cut off"
    assert box["x"] + box["width"] <= frame["x"] + frame["width"], f"{state}: button cut off"


@pytest.mark.parametrize("width", [375, DESKTOP])
@pytest.mark.parametrize("chooser", [False, True], ids=["one edition", "two editions"])
def test_an_edition_with_the_longest_name_fits_the_documented_frame(
    page, open_article, width: int, chooser: bool
) -> None:
    for slug, name in LONG_NAMES.items():
        assert len(name) == 120
        factories.edition(slug=slug, name=name, timezone="Europe/London")
    frame = documented_frame().replace("/widget/us/", "/widget/metro/")
    if chooser:
        frame = re.sub(r"height:\d+px", f"height:{documented_chooser_height()}px", frame)
        frame = frame.replace("/widget/metro/", "/widget/?editions=metro,coast")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(open_article(frame).url)
    widget = page.frame_locator("iframe")
    email = widget.get_by_placeholder("Email address")
    email.wait_for()
    button = widget.get_by_role("button", name="SIGN UP")
    assert_whole(page, "the blank form")
    assert_button_in_frame(page, button, "the blank form")
    # A name cut short on screen is still there whole, for the mouse and for a screen reader.
    for slug, name in list(LONG_NAMES.items())[: 2 if chooser else 1]:
        assert widget.locator(f'[title*="{name}"]').count() == 1, slug
    if chooser:
        widget.get_by_role("radio", name=re.compile("Northern Coastal Counties")).check()
    email.fill("not an address")
    button.click()
    widget.get_by_text("Please enter a valid email address").wait_for()
    assert_whole(page, "a bad address")
    assert_button_in_frame(page, button, "a bad address")
    email.fill("ann.reader@gmial.com")
    button.click()
    again = widget.get_by_role("button", name="Sign up at gmail.com")
    again.wait_for()
    assert_whole(page, "the thanks with a likely typo")
    assert_button_in_frame(page, again, "the thanks with a likely typo")
    again.click()
    again.wait_for(state="detached")  # the thanks, again, without the question
    widget.get_by_text("Thanks for signing up").wait_for()
    assert_whole(page, "the thanks")
    chosen = "coast" if chooser else "metro"
    assert Subscriber.objects.filter(
        email="ann.reader@gmail.com", subscriptions__edition__slug=chosen
    ).exists()
