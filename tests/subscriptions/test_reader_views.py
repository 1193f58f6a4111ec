import datetime as dt
import json

import pytest
import time_machine
from django.test import Client

from headlines.core import clock
from headlines.subscriptions import links, preferences
from headlines.subscriptions.models import ConsentEvent, Subscriber, Subscription, Suppression
from tests.subscriptions import factories
from tests.subscriptions.conftest import link_in, outbox, path_of

pytestmark = pytest.mark.django_db
Status = Subscription.Status


@pytest.fixture
def pending(edition, client, mail_now) -> Subscription:
    mail_now(lambda: client.post("/signup/us/", {"email": "p@example.com"}))
    return Subscription.objects.get()


def test_opening_the_confirmation_link_changes_nothing(client, pending) -> None:
    url = path_of(links.confirm_url(pending.pk))
    for _ in range(3):  # a link scanner, then the reader, then the scanner again
        response = client.get(url)
    assert response.status_code == 200
    assert "Yes, send me the US Evening Headlines email." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_head_request_on_a_readers_link_answers_and_changes_nothing(client, pending) -> None:
    # Some link checkers ask HEAD before GET: it was refused (405); it answers as GET does,
    # without a body, and acts no more than GET.
    for url in (
        links.confirm_url(pending.pk),
        links.unsubscribe_url(pending.pk),
        links.preferences_url(pending.pk),
    ):
        response = client.head(path_of(url))
        assert response.status_code == 200 and response.content == b""
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_a_method_a_reader_page_does_not_answer_is_405_not_a_csrf_refusal(
    pending, method: str
) -> None:
    # The CSRF check ran first: a PUT got the 403 page telling the reader to reload and press
    # again, which no reload could mend. Only POST is checked for its token.
    strict = Client(enforce_csrf_checks=True)
    for url, allowed in (
        (path_of(links.confirm_url(pending.pk)), "GET, HEAD, POST"),
        (path_of(links.unsubscribe_url(pending.pk)), "GET, HEAD, POST"),
        (path_of(links.preferences_url(pending.pk)), "GET, HEAD, POST"),
        (path_of(links.preferences_url(pending.pk)) + "engagement/", "GET, HEAD, POST"),
        ("/widget/us/", "GET, HEAD, POST"),
        ("/widget/", "GET, HEAD, POST"),
        ("/signup/us/", "GET, HEAD, POST"),
        ("/", "GET, HEAD"),
        ("/privacy/", "GET, HEAD"),
        ("/archive/", "GET, HEAD"),
    ):
        response = getattr(strict, method)(url, "email=x@example.com")
        assert (response.status_code, response.get("Allow")) == (405, allowed), (method, url)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert strict.post(path_of(links.confirm_url(pending.pk))).status_code == 403  # as before


def test_the_confirm_button_confirms_and_needs_csrf(pending, mail_now) -> None:
    strict = Client(enforce_csrf_checks=True)
    url = path_of(links.confirm_url(pending.pk))
    assert strict.post(url).status_code == 403
    page = strict.get(url).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = mail_now(lambda: strict.post(url, {"csrfmiddlewaretoken": token}))
    assert "You are subscribed to the US Evening Headlines email." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.CONFIRMED
    assert outbox("p@example.com")[-1]["Subject"] == "Welcome to US Evening Headlines"


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe", "preferences"])
@pytest.mark.parametrize("token", ["garbage", "MQ:1xW3Zs:forgedsignature", "%0d%0aX", "a" * 300])
def test_bad_link_tokens_get_a_clear_page(client, pending, kind, token) -> None:
    for method in (client.get, client.post):
        response = method(f"/{kind}/{token}/")
        assert response.status_code in {400, 404}
        assert "not valid" in response.content.decode() or response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_broken_unsubscribe_link_tells_the_reader_how_to_leave_not_to_sign_up(
    client, edition
) -> None:
    # A link cut short by a mail app: the reader who came to leave was offered "Sign up again".
    subscription = factories.confirmed(edition)
    url = path_of(links.unsubscribe_url(subscription.pk))
    for method in (client.get, client.post):
        page = method(url[:-6] + "/").content.decode()
        assert "This link is not valid. Please check you copied all of it." in page
        assert "Sign up again" not in page
        assert "use the Unsubscribe link at the foot of any of our emails" in page
    subscription.refresh_from_db()
    assert subscription.status == Status.CONFIRMED
    # A confirmation link that does not work still offers a new sign-up.
    assert "Sign up again" in client.get("/confirm/garbage/").content.decode()


def test_a_token_for_one_action_does_not_work_for_another(client, pending) -> None:
    token = links.make_token("unsubscribe", pending.pk)
    assert client.post(f"/confirm/{token}/").status_code == 400


def test_unsubscribe_get_changes_nothing_and_the_button_needs_csrf(edition) -> None:
    subscription = factories.confirmed(edition)
    url = path_of(links.unsubscribe_url(subscription.pk))
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(url).content.decode()
    assert "Unsubscribe me from the US Evening Headlines email." in page
    assert strict.post(url).status_code == 403
    subscription.refresh_from_db()
    assert subscription.status == Status.CONFIRMED
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = strict.post(url, {"csrfmiddlewaretoken": token})
    assert "You are unsubscribed" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED
    assert ConsentEvent.objects.filter(granted=False).get().source == "unsubscribe_link"


@pytest.mark.parametrize("multipart", [False, True])
def test_rfc8058_one_click_needs_no_csrf_and_sets_no_cookie(edition, multipart) -> None:
    subscription = factories.confirmed(edition)
    url = path_of(links.unsubscribe_url(subscription.pk))
    mail_provider = Client(enforce_csrf_checks=True)
    if multipart:
        response = mail_provider.post(url, {"List-Unsubscribe": "One-Click"})
    else:
        response = mail_provider.post(
            url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 200
    assert not response.cookies and "Set-Cookie" not in response.headers
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED
    assert ConsentEvent.objects.filter(granted=False).get().source == "one_click"


def test_one_click_from_an_old_digest_of_an_erased_reader_is_answered_done(edition) -> None:
    # The mail provider's button on a digest from before the reader erased themselves: the
    # POST got a 404 page, as if leaving had failed, while the address was suppressed for good.
    # (Mail to the List-Unsubscribe mailto address is accepted the same way.)
    subscription = factories.confirmed(edition)
    url = path_of(links.unsubscribe_url(subscription.pk))
    preferences.subscriber_erase(subscriber_id=subscription.subscriber_id)
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert (response.status_code, response.content) == (200, b"Unsubscribed.\n")
    assert not Subscriber.objects.exists() and not response.cookies
    # A forged token is still refused; the reader's own page still says what happened.
    forged = url.replace("/unsubscribe/", "/unsubscribe/x")
    assert Client().post(forged, {"List-Unsubscribe": "One-Click"}).status_code == 400
    assert "no longer exists" in Client().get(url).content.decode()


def test_preferences_page_changes_editions_marketing_and_time(client, edition, uk) -> None:
    subscription = factories.confirmed(edition)
    url = path_of(links.preferences_url(subscription.pk))
    page = client.get(url).content.decode()
    assert "Send me the US Evening Headlines email." in page
    response = client.post(
        url,
        {
            "action": "save",
            "editions": [str(edition.pk), str(uk.pk)],
            "marketing": "on",
            "timezone": "Australia/Sydney",
            "send_hour": "6",
        },
    )
    assert (
        response.status_code == 200 and "Your preferences are saved." in response.content.decode()
    )
    rows = Subscription.objects.filter(subscriber=subscription.subscriber)
    assert {(s.edition.slug, s.status, s.timezone, s.send_hour) for s in rows} == {
        ("us", "confirmed", "Australia/Sydney", 6),
        ("uk", "confirmed", "Australia/Sydney", 6),
    }
    assert Subscriber.objects.get().marketing


def test_the_hour_left_to_the_newsletter_says_which_hour_in_the_readers_words(
    client, edition, uk
) -> None:
    # Its choice read "The edition's send time": a word of the newsroom's, and no hour, beside
    # the zone's "The newsletter's own (New York)".
    subscription = factories.confirmed(edition)
    url = path_of(links.preferences_url(subscription.pk))
    page = client.get(url).content.decode()
    assert '<option value="" selected>The newsletter\'s own (18:00)</option>' in page.replace(
        "&#x27;", "'"
    )
    assert "edition" not in page.split('id="id_send_hour"', 1)[1].split("</select>", 1)[0]
    uk.send_at = dt.time(7, 30)
    uk.save()
    page = client.get(url).content.decode().replace("&#x27;", "'")
    assert '<option value="" selected>Each newsletter\'s own send time</option>' in page


@pytest.mark.parametrize(
    "data",
    [
        {"editions": ["999999"]},
        {"timezone": "Mars/Olympus"},
        {"send_hour": "25"},
        {"send_hour": "<script>"},
        {"timezone": "Europe/London\r\nX: y"},
        {"timezone": "Europe"},  # a region, not a zone
        {"timezone": "A" * 300},  # longer than any file name tzdata could hold
    ],
)
def test_bad_preferences_are_refused_and_nothing_changes(client, edition, data) -> None:
    subscription = factories.confirmed(edition)
    url = path_of(links.preferences_url(subscription.pk))
    response = client.post(url, {"action": "save", **data})
    assert response.status_code == 400
    assert "<script>" not in response.content.decode()
    subscription.refresh_from_db()
    assert (subscription.status, subscription.timezone, subscription.send_hour) == (
        "confirmed",
        "",
        None,
    )


def test_a_readers_own_pages_are_never_kept_by_a_cache(client, edition) -> None:
    # Each is reached by the reader's own link and shows their address or their choices.
    subscription = factories.confirmed(edition, email="me@example.com")
    pages = [
        ("get", links.confirm_url(subscription.pk), {}),
        ("get", links.unsubscribe_url(subscription.pk), {}),
        ("get", links.preferences_url(subscription.pk), {}),
        ("post", links.preferences_url(subscription.pk), {"action": "export"}),
        ("get", links.preferences_url(subscription.pk) + "engagement/", {}),
        ("post", links.unsubscribe_url(subscription.pk), {"List-Unsubscribe": "One-Click"}),
    ]
    for method, url, data in pages:
        response = getattr(client, method)(path_of(url), data)
        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, url


def test_export_gives_everything_held_as_json(client, edition) -> None:
    subscription = factories.confirmed(edition, email="me@example.com", marketing=True)
    url = path_of(links.preferences_url(subscription.pk))
    response = client.post(url, {"action": "export"})
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["email"] == "me@example.com" and data["marketing"] is True
    assert data["subscriptions"][0]["edition"] == "us"
    assert [c["purpose"] for c in data["consent_history"]] == ["newsletter", "marketing"]


@pytest.mark.django_db(transaction=True)  # the senders are threads with their own connections
def test_export_includes_what_sending_left_deliveries_bounces_and_suppression(
    client, smtp_messenger
) -> None:
    # The export gave the address, subscriptions and consents, but not the digests sent to the
    # reader, their bounces, their topics or that they are suppressed: all kept about them.
    from headlines.delivery import bounces, services
    from headlines.delivery.message import verp_address
    from tests.delivery import factories as delivery
    from tests.delivery.test_bounces import SOFT_DSN

    ed = delivery.edition(slug="us")
    sub = delivery.reader(ed, email="me@example.com", topics=["politics"])
    digest = delivery.digest(ed)
    assert services.delivery_send_now(digest_id=digest.pk).sent == 1
    verp = verp_address(digest_id=digest.pk, subscription_id=sub.pk, domain="news.example")
    raw = SOFT_DSN.format(verp=verp, rcpt="me@example.com").encode()
    assert bounces.bounce_process(raw=raw, recipients=[verp]).kind == "soft"
    bounces.bounce_note(email="me@example.com", kind="hard", delivery_id=None, detail="5.1.1")

    url = path_of(links.preferences_url(sub.pk))
    data = json.loads(client.post(url, {"action": "export"}).content)

    assert data["subscriptions"][0]["topics"] == ["politics"]
    [sent] = data["deliveries"]
    assert (sent["edition"], sent["digest"], sent["state"]) == ("us", "2026-11-25", "sent")
    assert sent["sent_at"] and sent["message_id"].startswith("<headlines.")
    assert [b["kind"] for b in data["bounces"]] == ["soft", "hard"]
    assert data["suppressed"]["reason"] == "hard_bounce"
    assert data["opens_and_clicks"] == []


def test_erase_needs_the_box_ticked_then_removes_the_reader(client, edition) -> None:
    subscription = factories.confirmed(edition, email="me@example.com")
    url = path_of(links.preferences_url(subscription.pk))
    assert client.post(url, {"action": "erase"}).status_code == 400
    assert Subscriber.objects.exists()
    response = client.post(url, {"action": "erase", "confirm_erase": "yes"})
    assert "Your data is erased" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert Suppression.objects.get().reason == "erased"
    assert client.get(url).status_code == 404


def test_erase_without_the_box_shows_the_preferences_again_with_what_to_do(client, edition) -> None:
    # It was a "Sorry" page whose only link was "Sign up again": the reader had no way back.
    subscription = factories.confirmed(edition, email="me@example.com")
    url = path_of(links.preferences_url(subscription.pk))
    response = client.post(url, {"action": "erase"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Sign up again" not in page
    assert 'id="erase-error">Tick the box to confirm you want your data erased.' in page
    assert 'name="confirm_erase"' in page and "Your preferences" in page
    assert 'value="save"' in page  # the rest of the page is there too, nothing saved
    assert Subscriber.objects.get().subscriptions.get().status == Status.CONFIRMED


def test_the_confirmed_page_states_the_real_first_send_time(client, pending, mail_now) -> None:
    clock.set_clock(clock.FixedClock(dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC)))
    url = path_of(links.confirm_url(pending.pk))
    response = mail_now(lambda: client.post(url))
    page = response.content.decode()
    # 18:30 in New York: tonight's 18:00 has passed, so it is tomorrow's.
    expected = "Your first digest arrives on Thursday 26 November at 18:00 (New York time)."
    assert expected in page
    assert 'datetime="2026-11-26T23:00:00+00:00"' in page
    assert "this evening" not in page


def test_the_welcome_email_states_the_real_first_send_time(client, pending, mail_now) -> None:
    clock.set_clock(clock.FixedClock(dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC)))
    mail_now(lambda: client.post(path_of(links.confirm_url(pending.pk))))
    [welcome] = [m for m in outbox(pending.subscriber.email) if "Welcome" in m["Subject"]]
    # Tonight's 18:00 in New York has passed: the email names tomorrow, not "this evening".
    expected = "Your first digest arrives on Thursday 26 November at 18:00 (New York time)."
    for part in ("text/plain", "text/html"):
        body = welcome.get_body(preferencelist=(part.split("/")[1],)).get_content()
        assert expected in " ".join(body.split())  # the text part is wrapped at 72 columns
        assert "this evening" not in body


@pytest.mark.parametrize(
    ("zone", "now", "hour", "expected", "utc"),
    [
        # Clocks go forward at 02:00: the evening is on EDT (UTC-4), not the morning's EST.
        ("America/New_York", "2026-03-08T05:00", None, "Sunday 8 March at 18:00", "22:00"),
        # 02:00 does not exist that night: the reader's digest comes at 03:00 EDT, said so.
        ("America/New_York", "2026-03-08T05:00", 2, "Sunday 8 March at 03:00", "07:00"),
        # Clocks go back at 02:00: the evening is on EST (UTC-5).
        ("America/New_York", "2026-11-01T04:00", None, "Sunday 1 November at 18:00", "23:00"),
        # 01:00 happens twice: the first one (EDT), never an hour later than it says.
        ("America/New_York", "2026-11-01T04:00", 1, "Sunday 1 November at 01:00", "05:00"),
        ("Europe/London", "2026-03-29T00:30", None, "Sunday 29 March at 18:00", "17:00"),
        ("Europe/London", "2026-03-29T00:30", 1, "Sunday 29 March at 02:00", "01:00"),
    ],
)
def test_on_a_day_the_clocks_change_the_first_digest_is_given_in_true_local_time(
    client, edition, mail_now, zone: str, now: str, hour: int | None, expected: str, utc: str
) -> None:
    edition.timezone = zone
    edition.save()
    with time_machine.travel(dt.datetime.fromisoformat(now + "+00:00"), tick=False):
        mail_now(lambda: client.post("/signup/us/", {"email": "dst@example.com"}))
        pending = Subscription.objects.get()
        Subscription.objects.filter(pk=pending.pk).update(send_hour=hour)
        page = mail_now(lambda: client.post(path_of(links.confirm_url(pending.pk))))
    place = zone.rpartition("/")[2].replace("_", " ")
    sentence = f"Your first digest arrives on {expected} ({place} time)."
    assert sentence in page.content.decode()
    assert f'datetime="{now[:10]}T{utc}:00+00:00"' in page.content.decode()
    [welcome] = [m for m in outbox("dst@example.com") if "Welcome" in m["Subject"]]
    assert sentence in welcome.get_body(preferencelist=("plain",)).get_content()


def test_a_confirmation_link_opened_after_leaving_says_so_without_a_button(
    client, pending, mail_now
) -> None:
    # The reader confirmed, left in one click, then found the confirmation email again: the
    # page asked "Please confirm …" with a button whose press only brought "Sorry, you have
    # unsubscribed since".
    url = path_of(links.confirm_url(pending.pk))
    mail_now(lambda: client.post(url))
    client.post(path_of(links.unsubscribe_url(pending.pk)), {"List-Unsubscribe": "One-Click"})
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 409 and "<button" not in body
    assert "You have unsubscribed since this link was sent. Please sign up again." in body
    assert client.post(url).status_code == 409
    pending.refresh_from_db()
    assert pending.status == Status.UNSUBSCRIBED


def _csrf(page: str) -> str:
    return page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def test_an_expired_confirmation_link_confirms_nothing_and_offers_a_new_one(
    edition, mail_now
) -> None:
    # A forwarded confirmation must not confirm a reader months later; the reader who comes
    # back late is offered a new link instead of "sign up again" on an error page.
    strict = Client(enforce_csrf_checks=True)
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False) as t:
        mail_now(lambda: Client().post("/signup/us/", {"email": "late@example.com"}))
        pending = Subscription.objects.get()
        url = path_of(links.confirm_url(pending.pk))
        opened = strict.get(url)  # the confirm page, opened in time
        t.shift(dt.timedelta(days=7, minutes=1))

        page = strict.get(url)
        assert page.status_code == 410
        body = page.content.decode()
        assert "This confirmation link has expired" in body and "late@example.com" in body
        assert 'value="resend"' in body
        # The button of the page opened in time confirms nothing now, and sends nothing.
        stale = mail_now(
            lambda: strict.post(url, {"csrfmiddlewaretoken": _csrf(opened.content.decode())})
        )
        assert stale.status_code == 410
        assert strict.post(url, {"action": "resend"}).status_code == 403  # CSRF, as every form
        pending.refresh_from_db()
        assert pending.status == Status.PENDING and len(outbox("late@example.com")) == 1

        sent = mail_now(
            lambda: strict.post(url, {"action": "resend", "csrfmiddlewaretoken": _csrf(body)})
        )
        assert sent.status_code == 200
        assert "We have sent a new confirmation link to late@example.com" in sent.content.decode()
        first, second = outbox("late@example.com")
        assert second["Subject"] == first["Subject"]
        fresh = path_of(link_in(second, "confirm"))
        assert fresh != url
        mail_now(lambda: Client().post(fresh))
    pending.refresh_from_db()
    assert pending.status == Status.CONFIRMED


def test_an_expired_link_of_a_reader_confirmed_since_shows_them_subscribed(
    client, edition, mail_now
) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False) as t:
        mail_now(lambda: client.post("/signup/us/", {"email": "p@example.com"}))
        pending = Subscription.objects.get()
        old = path_of(links.confirm_url(pending.pk))
        t.shift(dt.timedelta(days=9))
        mail_now(lambda: client.post(path_of(links.confirm_url(pending.pk))))
        sent_before = len(outbox("p@example.com"))
        page = mail_now(lambda: client.post(old, {"action": "resend"}))
    assert page.status_code == 200
    assert "You are subscribed to the US Evening Headlines email." in page.content.decode()
    assert len(outbox("p@example.com")) == sent_before


def test_new_links_for_one_address_keep_to_the_sign_up_limit(
    client, edition, mail_now, settings, monkeypatch
) -> None:
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SIGNUP_RATE_PER_ADDRESS", 2)
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False) as t:
        mail_now(lambda: client.post("/signup/us/", {"email": "p@example.com"}))
        url = path_of(links.confirm_url(Subscription.objects.get().pk))
        t.shift(dt.timedelta(days=8))
        answers = [
            mail_now(lambda: client.post(url, {"action": "resend"})).status_code for _ in range(3)
        ]
        refused = client.post(url, {"action": "resend"})
        assert "Too many links were asked for this address" in refused.content.decode()
    assert answers == [200, 200, 429]
    assert refused["Retry-After"] == "3600"  # when to come back, as the widget's refusal says
    assert len(outbox("p@example.com")) == 3
