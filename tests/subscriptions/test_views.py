import html
import re
import time

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from headlines.core import selectors
from headlines.core.models import OutboxMessage
from headlines.subscriptions import formtokens, links
from headlines.subscriptions.models import ConsentEvent, Subscriber, Subscription
from tests.subscriptions import factories
from tests.subscriptions.conftest import outbox, path_of

pytestmark = pytest.mark.django_db
OFFER = "Sign up to our free US Evening Headlines email for your daily guide to the latest news."
MARKETING = "I would like to be emailed about offers, events and updates."
THANKS = "Thanks for signing up to the US Evening Headlines email."


def widget_form(client: Client, slug: str = "us") -> dict[str, str]:
    page = client.get(f"/widget/{slug}/").content.decode()
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    return {"token": token}


def test_the_landing_page_offers_every_enabled_edition_with_its_words(client, edition, uk) -> None:
    hidden = factories_edition_disabled()
    page = client.get("/").content.decode()
    assert OFFER in page
    assert "Sign up to our free UK Evening Headlines email" in page
    assert hidden not in page
    assert MARKETING in page and 'name="marketing" value="on">' in page  # not ticked
    assert '<a href="https://news.example/privacy"' in page and "Read our privacy notice." in page
    assert 'action="/signup/us/"' in page and 'action="/signup/uk/"' in page


def factories_edition_disabled() -> str:
    from tests import factories as base

    edition = base.edition(name="Secret Evening Headlines")
    edition.enabled = False
    edition.save()
    return edition.name


def test_signing_up_says_thanks_and_asks_to_check_the_inbox(client, edition, mail_now) -> None:
    response = mail_now(lambda: client.post("/signup/us/", {"email": "new@example.com"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert THANKS in page and "check your inbox" in page
    assert Subscription.objects.get().status == "pending"
    assert len(outbox("new@example.com")) == 1


def test_an_invalid_address_reshows_the_form_with_what_was_typed(client, edition) -> None:
    response = client.post("/signup/us/", {"email": 'bad"<script>@nowhere', "marketing": "on"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Please enter a valid email address" in page
    assert 'value="bad&quot;&lt;script&gt;@nowhere"' in page
    assert "<script>@" not in page
    assert 'name="marketing" value="on" checked' in page
    assert not Subscriber.objects.exists()


def test_header_injection_is_refused(client, edition) -> None:
    response = client.post("/signup/us/", {"email": "a@b.com\r\nBcc: x@y.com"})
    assert response.status_code == 400
    assert not Subscriber.objects.exists() and not OutboxMessage.objects.exists()


def test_the_response_does_not_reveal_whether_an_address_is_known(
    client, edition, mail_now
) -> None:
    factories.confirmed(edition, email="known@example.com")
    known = mail_now(lambda: client.post("/signup/us/", {"email": "known@example.com"}))
    unknown = mail_now(lambda: client.post("/signup/us/", {"email": "unknown@example.com"}))
    strip = lambda r: r.content.decode().split("csrfmiddlewaretoken")[0]  # noqa: E731
    assert (known.status_code, strip(known)) == (unknown.status_code, strip(unknown))
    assert outbox("known@example.com")[0]["Subject"].startswith("You are already subscribed")


def test_the_honeypot_looks_like_success_and_stores_nothing(client, edition, mail_now) -> None:
    response = mail_now(
        lambda: client.post("/signup/us/", {"email": "bot@example.com", "website": "http://x"})
    )
    assert THANKS in response.content.decode()
    assert not Subscriber.objects.exists() and not OutboxMessage.objects.exists()


def test_the_landing_form_needs_its_csrf_token(edition) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/signup/us/", {"email": "a@example.com"}).status_code == 403
    page = strict.get("/signup/us/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = strict.post("/signup/us/", {"email": "a@example.com", "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and Subscriber.objects.count() == 1


def test_a_form_refused_for_its_missing_cookie_tells_the_reader_what_to_do(edition) -> None:
    # A reader whose browser blocks cookies presses a button: no page written for developers.
    reader = factories.confirmed(edition, email="r@example.com")
    strict = Client(enforce_csrf_checks=True)
    for path in ("/signup/us/", path_of(links.unsubscribe_url(reader.pk))):
        response = strict.post(path, {"email": "a@example.com"})
        assert response.status_code == 403
        page = response.content.decode()
        assert "Please try again" in page and "allow cookies for this site" in page
        assert "CSRF" not in page and "DEBUG" not in page
    assert not Subscriber.objects.filter(email="a@example.com").exists()
    assert Subscription.objects.get().status == "confirmed"


def test_too_many_sign_ups_from_one_ip_get_429(client, edition, settings) -> None:
    settings.CONFIG = {**settings.CONFIG, "HEADLINES_SIGNUP_RATE_PER_IP": 1}
    assert client.post("/signup/us/", {"email": "a@example.com"}).status_code == 200
    response = client.post("/signup/us/", {"email": "b@example.com"})
    assert response.status_code == 429 and "Too many sign-ups" in response.content.decode()
    assert response["Retry-After"] == "3600"  # the limit's window, as the page says: an hour


@pytest.mark.parametrize("path", ["/", "/signup/us/", "/widget/us/", "/healthz", "/favicon.ico"])
def test_head_answers_where_get_does_and_signs_no_one_up(client, edition, path) -> None:
    response = client.head(path)
    assert response.status_code == 200 and response.content == b""
    assert not Subscriber.objects.exists()


def test_unknown_and_disabled_editions_are_404(client, edition) -> None:
    assert client.get("/signup/nope/").status_code == 404
    edition.enabled = False
    edition.save()
    assert client.post("/signup/us/", {"email": "a@example.com"}).status_code == 404
    assert client.get("/widget/us/").status_code == 404


def test_the_widget_may_be_framed_and_sets_no_cookie(edition) -> None:
    response = Client().get("/widget/us/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert response.headers["Content-Security-Policy"] == "frame-ancestors *"
    assert not response.cookies
    page = response.content.decode()
    assert OFFER in page and MARKETING in page and "Read our privacy notice." in page
    # Every other page refuses to be framed.
    assert Client().get("/").headers["X-Frame-Options"] == "DENY"


def test_the_widget_posts_without_cookies_using_its_signed_token(edition, mail_now) -> None:
    browser = Client(enforce_csrf_checks=True)  # CSRF enforced, as in production
    form = widget_form(browser)
    browser.cookies.clear()  # a third-party frame sends no cookie
    response = mail_now(
        lambda: browser.post("/widget/us/", {**form, "email": "w@example.com", "marketing": "on"})
    )
    assert response.status_code == 200
    assert THANKS in response.content.decode()
    assert "X-Frame-Options" not in response.headers
    assert ConsentEvent.objects.filter(source="widget").count() == 2
    assert len(outbox("w@example.com")) == 1


@pytest.mark.parametrize(
    "token",
    ["", "forged", formtokens.form_token(form="widget:uk"), "x" * 600],
)
def test_the_widget_refuses_a_post_without_a_good_token(client, edition, uk, token) -> None:
    response = client.post("/widget/us/", {"token": token, "email": "w@example.com"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Please press the button again" in page and 'value="w@example.com"' in page
    assert not Subscriber.objects.exists()


def test_the_widget_over_the_limit_says_when_to_come_back(client, edition, settings) -> None:
    settings.CONFIG = {**settings.CONFIG, "HEADLINES_SIGNUP_RATE_PER_IP": 1}
    first = client.post("/widget/us/", {**widget_form(client), "email": "a@example.com"})
    assert first.status_code == 200
    response = client.post("/widget/us/", {**widget_form(client), "email": "b@example.com"})
    assert response.status_code == 429 and "Too many sign-ups" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert "X-Frame-Options" not in response.headers


def test_a_widget_invalid_address_stays_in_the_frame(client, edition) -> None:
    response = client.post("/widget/us/", {**widget_form(client), "email": "nope"})
    assert response.status_code == 400
    assert "Please enter a valid email address" in response.content.decode()
    assert "X-Frame-Options" not in response.headers


hostile_text = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=300, max_size=3000),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>@example.com',
            "a@b.com\r\nBcc: victim@example.com",
            "a@b.com\nSubject: hi",
            "\x00\x01\x1b[31m@example.com",
            "\uff46\uff55\uff4c\uff4c\uff20example\uff0ecom"  # full-width,
            "\u202eevil@example.com",
            "{{ 7*7 }}@example.com",
        ]
    ),
)


@hsettings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    email=hostile_text,
    marketing=hostile_text,
    honeypot=st.sampled_from(["", "x"]),
    door=st.sampled_from(["signup", "widget"]),
)
def test_hostile_form_input_never_breaks_the_page_or_leaks_markup(
    client, edition, settings, email, marketing, honeypot, door
) -> None:
    settings.CONFIG = {**settings.CONFIG, "HEADLINES_SIGNUP_RATE_PER_IP": 10_000}
    extra = widget_form(client) if door == "widget" else {}
    response = client.post(
        f"/{door}/us/", {**extra, "email": email, "marketing": marketing, "website": honeypot}
    )
    assert response.status_code in {200, 400}
    page = response.content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    # No character an HTML page may not hold (C0 controls but tab, LF, CR; DEL) is echoed.
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page)
    if response.status_code == 400:
        assert "Please enter a valid email address" in page
        # What was typed comes back, each such character shown as U+FFFD.
        shown = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "\ufffd", email[:1000].strip())
        assert html.escape(shown, quote=True)[:50] in page or not email.strip()
    for subscriber in Subscriber.objects.all():
        assert "\n" not in subscriber.email and "\r" not in subscriber.email
        assert "<" not in subscriber.email


@pytest.mark.parametrize("door", ["signup", "widget"])
def test_a_nul_typed_into_the_form_comes_back_as_a_replacement_character(
    client, edition, door
) -> None:
    extra = widget_form(client) if door == "widget" else {}
    response = client.post(f"/{door}/us/", {**extra, "email": "a\x00b@example.com"})
    page = response.content.decode()
    assert response.status_code == 400 and "\x00" not in page
    assert 'value="a\ufffdb@example.com"' in page


def test_behind_a_trusted_proxy_the_forwarded_client_ip_is_limited(client, edition, settings):
    settings.CONFIG = {
        **settings.CONFIG,
        "HEADLINES_SIGNUP_RATE_PER_IP": 1,
        "HEADLINES_TRUSTED_PROXIES": 1,
    }
    # The client may prepend anything; only the proxy's own (rightmost) entry counts.
    first = {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 198.51.100.20"}
    second = {"HTTP_X_FORWARDED_FOR": "2.2.2.2, 198.51.100.20"}
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.21"}
    assert client.post("/signup/us/", {"email": "a@example.com"}, **first).status_code == 200
    assert client.post("/signup/us/", {"email": "b@example.com"}, **second).status_code == 429
    assert client.post("/signup/us/", {"email": "c@example.com"}, **other).status_code == 200


def test_the_default_privacy_notice_exists(client) -> None:
    from tests import factories as base

    edition = base.edition(name="Plain Evening Headlines")
    page = client.get("/signup/" + edition.slug + "/").content.decode()
    assert f'href="{edition.privacy_link}"' in page
    response = client.get(path_of(edition.privacy_link))
    assert response.status_code == 200 and "keyed hash" in response.content.decode()


def test_the_built_in_privacy_link_follows_the_base_url_set_after_the_edition(
    client, settings
) -> None:
    # An edition made on a laptop (base URL unset: 127.0.0.1), then the service put online: the
    # sign-up form and the confirmation email link to the public host, not the laptop.
    from tests import factories as base

    settings.BASE_URL = "http://127.0.0.1:8000"
    edition = base.edition(name="Early Evening Headlines")
    settings.BASE_URL = "https://news.example"
    page = client.get("/signup/" + edition.slug + "/").content.decode()
    assert 'href="https://news.example/privacy/"' in page
    assert "127.0.0.1" not in page


def test_a_widget_for_several_editions_lets_the_reader_choose(client, edition, uk, mail_now):
    page = client.get("/widget/?editions=us,uk").content.decode()
    assert 'type="radio" name="edition" value="us" checked' in page
    assert "Sign up to our free UK Evening Headlines email" in page
    form = widget_form_from(page)
    response = mail_now(
        lambda: client.post(
            "/widget/?editions=us,uk", {**form, "email": "c@example.com", "edition": "uk"}
        )
    )
    assert "Thanks for signing up to the UK Evening Headlines email." in response.content.decode()
    assert Subscription.objects.get().edition == uk
    assert ConsentEvent.objects.get().wording.startswith("Sign up to our free UK Evening")
    # A choice outside the widget's editions, or none, is refused and nothing is stored.
    for bad in ("nope", ""):
        response = client.post(
            "/widget/?editions=us,uk", {**form, "email": "d@example.com", "edition": bad}
        )
        assert (
            response.status_code == 400
            and "Please choose a newsletter." in response.content.decode()
        )
    # The us,uk form's token does not work on the single-edition widget.
    assert client.post("/widget/us/", {**form, "email": "e@example.com"}).status_code == 403
    assert Subscription.objects.count() == 1


def test_an_expired_widget_form_keeps_the_readers_choice_for_the_second_press(
    client, edition, uk, mail_now
) -> None:
    expired = {"token": "expired", "email": "c@example.com", "edition": "uk"}
    response = client.post("/widget/?editions=us,uk", expired)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Please press the button again" in page
    assert 'type="radio" name="edition" value="uk" checked' in page
    assert 'value="us" checked' not in page
    again = {**widget_form_from(page), "email": "c@example.com", "edition": "uk"}
    mail_now(lambda: client.post("/widget/?editions=us,uk", again))
    assert Subscription.objects.get().edition == uk


def widget_form_from(page: str) -> dict[str, str]:
    return {"token": page.split('name="token" value="', 1)[1].split('"', 1)[0]}


def test_the_sites_allowed_to_frame_the_widget_are_configurable(client, edition, settings):
    settings.CONFIG = {
        **settings.CONFIG,
        "HEADLINES_WIDGET_FRAME_ANCESTORS": "https://news.example https://*.news.example",
    }
    response = client.get("/widget/us/")
    assert response["Content-Security-Policy"] == (
        "frame-ancestors https://news.example https://*.news.example"
    )


def test_a_likely_typo_gets_did_you_mean_without_blocking(client, edition, mail_now) -> None:
    response = mail_now(lambda: client.post("/signup/us/", {"email": "ann@gmial.com"}))
    page = response.content.decode()
    assert response.status_code == 200 and THANKS in page
    assert "Did you mean <strong>ann@gmail.com</strong>?" in page
    assert Subscriber.objects.get().email == "ann@gmial.com"  # signed up as typed
    fix = page.split('class="suggestion"', 1)[1]
    assert 'name="email" value="ann@gmail.com"' in fix
    mail_now(lambda: client.post("/signup/us/", {"email": "ann@gmail.com"}))
    assert outbox("ann@gmail.com")
    assert (
        "Did you mean" not in client.post("/signup/us/", {"email": "bo@gmail.com"}).content.decode()
    )


def test_the_widget_offers_the_fix_with_a_fresh_token(client, edition, mail_now) -> None:
    form = {**widget_form(client), "email": "ann@hotmial.com", "marketing": "on"}
    page = mail_now(lambda: client.post("/widget/us/", form)).content.decode()
    fix = page.split('class="suggestion"', 1)[1]
    token = fix.split('name="token" value="', 1)[1].split('"', 1)[0]
    assert 'name="marketing" value="on"' in fix
    again = {"token": token, "email": "ann@hotmail.com", "marketing": "on"}
    assert THANKS in mail_now(lambda: client.post("/widget/us/", again)).content.decode()
    assert outbox("ann@hotmail.com")


def test_the_landing_page_links_to_the_archive_and_has_an_icon(client, edition) -> None:
    page = client.get("/").content.decode()
    assert 'href="/archive/"' in page and "Read past digests in the archive" in page
    assert '<link rel="icon" href="/favicon.ico" type="image/svg+xml">' in page


def test_the_widget_page_is_reused_but_each_reader_gets_a_fresh_token(edition, mail_now) -> None:
    from headlines.core.models import Edition

    first, second = widget_form(Client()), widget_form(Client())
    assert first["token"] != second["token"]
    page = Client().get("/widget/us/").content.decode()
    assert page.count('name="token"') == 1 and "token-slot" not in page
    # An edit to the edition shows at once: every stored field is in the page's key, and a save
    # (the admin's, the API's) clears the edition the process keeps.
    edition.name = "US Late Headlines"
    edition.save()
    assert "Sign up to our free US Late Headlines email" in Client().get("/widget/us/").text
    # One that no signal tells of (another process's) shows once the kept edition is stale.
    Edition.objects.filter(pk=edition.pk).update(privacy_url="https://news.example/p2")
    time.sleep(selectors.OPEN_SECONDS)
    assert 'href="https://news.example/p2"' in Client().get("/widget/us/").text
    # The path a reader arrived by is the form's action, escaped, whatever it holds.
    hostile = Client().get("/widget/us/?x=%22%3E%3Cscript%3Etoken-slot").text
    assert "<script>" not in hostile and hostile.count('name="token"') == 1
    # Both earlier tokens still sign a reader up; the thanks names neither address.
    pages = []
    for n, form in enumerate([first, second]):
        response = mail_now(
            lambda form=form, n=n: Client().post("/widget/us/", {**form, "email": f"t{n}@x.org"})
        )
        assert response.status_code == 200 and "Thanks for signing up" in response.text
        pages.append(response.text)
    assert pages[0] == pages[1] and "x.org" not in pages[0] and "token" not in pages[0]
    assert Subscription.objects.count() == 2
