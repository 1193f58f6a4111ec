"""A reader's whole path in a real browser, starting in a widget on another site's article."""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from typing import Any

import pytest

from headlines.subscriptions.models import ConsentEvent, Subscription
from tests import factories as base_factories
from tests.serving import serving
from tests.subscriptions.conftest import link_in, outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
THANKS = "Thanks for signing up to the US Evening Headlines email."


class ArticleSite:
    """A publisher's article page on http://localhost:<port>, embedding our widget."""

    def __init__(self, widget_url: str) -> None:
        page = (
            "<!doctype html><html><head><title>Big news</title></head><body>"
            "<article><h1>Something happened today</h1><p>Story text.</p>"
            f'<iframe id="signup" src="{widget_url}" title="Newsletter sign-up" '
            'style="border:0;width:100%;height:260px"></iframe></article></body></html>'
        ).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = serving(self.server)

    @property
    def url(self) -> str:
        # "localhost" and "127.0.0.1" are different sites to the browser: a real third party.
        return f"http://localhost:{self.server.server_address[1]}/article.html"


@pytest.fixture
def service(live_server, settings) -> str:
    url = live_server.url.replace("localhost", "127.0.0.1")
    settings.BASE_URL = url  # the links in emails point at the live service
    return url


@pytest.fixture
def article(service) -> Iterator[ArticleSite]:
    site = ArticleSite(f"{service}/widget/us/")
    site.thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()


def test_sign_up_in_a_widget_on_another_site_confirm_change_preferences_unsubscribe(
    page, service, article
) -> None:
    base_factories.edition(
        slug="us",
        name="US Evening Headlines",
        timezone="America/New_York",
        privacy_url="https://news.example/privacy",
    )
    page.goto(article.url)
    widget = page.frame_locator("#signup")
    widget.get_by_text(
        "Sign up to our free US Evening Headlines email for your daily guide to the latest news."
    ).wait_for()
    assert (
        widget.get_by_role("link", name="Read our privacy notice.").get_attribute("href")
        == "https://news.example/privacy"
    )
    marketing = widget.get_by_label("I would like to be emailed about offers, events and updates.")
    assert not marketing.is_checked()

    widget.get_by_placeholder("Email address").fill("not an address")
    widget.get_by_role("button", name="SIGN UP").click()
    widget.get_by_text("Please enter a valid email address").wait_for()
    assert widget.get_by_placeholder("Email address").input_value() == "not an address"

    widget.get_by_placeholder("Email address").fill("reader@example.com")
    widget.get_by_label("I would like to be emailed about offers, events and updates.").check()
    widget.get_by_role("button", name="SIGN UP").click()
    widget.get_by_text(THANKS).wait_for()
    assert widget.get_by_text("check your inbox").is_visible()
    assert ConsentEvent.objects.filter(source="widget").count() == 2

    [confirmation] = outbox("reader@example.com")
    page.goto(link_in(confirmation, "confirm"))
    assert Subscription.objects.get().status == "pending"  # opening the link changes nothing
    page.get_by_role("button", name="Yes, send me the US Evening Headlines email.").click()
    page.get_by_text("You are subscribed to the US Evening Headlines email.").wait_for()
    assert Subscription.objects.get().status == "confirmed"

    welcome = outbox("reader@example.com")[1]
    page.goto(link_in(welcome, "preferences"))
    page.get_by_label("Delivery time zone").select_option("Europe/Berlin")
    page.get_by_label("Delivery hour").select_option("7")
    page.get_by_role("button", name="Save my preferences").click()
    page.get_by_text("Your preferences are saved.").wait_for()
    subscription = Subscription.objects.get()
    assert (subscription.timezone, subscription.send_hour) == ("Europe/Berlin", 7)

    # RFC 8058: the mail provider POSTs the one-click body to the List-Unsubscribe URL.
    unsubscribe = link_in(welcome, "unsubscribe")
    assert f"<{unsubscribe}>" in str(welcome["List-Unsubscribe"])
    response = page.request.post(unsubscribe, form={"List-Unsubscribe": "One-Click"})
    assert response.status == 200
    assert Subscription.objects.get().status == "unsubscribed"
    page.goto(unsubscribe)
    page.get_by_text("You are unsubscribed from the US Evening Headlines email.").wait_for()


# 64 characters before the @ (the most RFC 5321 allows) and no hyphen or dot to break at.
LONG_TYPO = "christopheralexandermontgomeryfitzwilliamsonhargreaves1984xyzab@gmial.com"


@pytest.mark.parametrize("width", [320, 375])
def test_a_long_address_with_a_likely_typo_stays_inside_a_phones_width(
    page, service, width: int
) -> None:
    # The "Did you mean …?" and its button hold the address twice: they ran 500 px off the side.
    base_factories.edition(slug="us", name="US Evening Headlines", timezone="America/New_York")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{service}/signup/us/")
    page.get_by_placeholder("Email address").fill(LONG_TYPO)
    page.get_by_role("button", name="SIGN UP").click()
    page.get_by_text("Did you mean").wait_for()
    scroll_w, client_w = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_w <= client_w, f"the page runs {scroll_w - client_w}px off the side"
