"""Pages behind the signed links in emails: confirm, unsubscribe, preferences, export, erase.

Every GET only shows a page with a button: mail link scanners open every link, and must not
confirm or unsubscribe anyone. Only a POST acts. Each page names its reader (the address, the
choices, the export): `never_cache` keeps it out of shared caches and the browser's history
cache, so a proxy or the next person at a shared computer cannot see it.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from headlines.core.clients import client_ip
from headlines.core.errors import Conflict, InvalidInput, NotFound
from headlines.core.middleware import allow_methods
from headlines.core.selectors import edition_list
from headlines.subscriptions import links, selectors, services, timezones, wording
from headlines.subscriptions.choices import topic_choices
from headlines.subscriptions.forms import PreferencesForm
from headlines.subscriptions.models import ConsentEvent, Subscription
from headlines.subscriptions.preferences import subscriber_erase, subscriber_preferences_update
from headlines.subscriptions.views import problem, retry_after

Source = ConsentEvent.Source


def _subscription(purpose: str, token: str) -> Subscription:
    if purpose == "confirm":
        subscription_id = links.read_confirm_token(token)
    else:
        subscription_id = links.read_token(purpose, token)
    return selectors.subscription_get(subscription_id=subscription_id)


def _failure(request: HttpRequest, exc: Exception, *, leaving: bool = False) -> HttpResponse:
    status = {InvalidInput: 400, NotFound: 404, Conflict: 409}.get(type(exc), 400)
    return problem(request, str(exc), status=status, leaving=leaving)


@never_cache
@allow_methods("GET", "HEAD", "POST")
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = _subscription("confirm", token)
        if request.method == "POST":
            subscription = services.subscription_confirm(
                subscription_id=subscription.pk, ip=client_ip(request)
            )
    except links.LinkExpired:
        return _confirm_expired(request, token)
    except (InvalidInput, NotFound, Conflict) as exc:
        return _failure(request, exc)
    return _confirm_page(request, subscription)


def _confirm_page(request: HttpRequest, subscription: Subscription) -> HttpResponse:
    if subscription.status == Subscription.Status.UNSUBSCRIBED:
        # Its button could only be refused: say so at once (a scanner's GET changes nothing).
        return _failure(request, Conflict(services.UNSUBSCRIBED_SINCE))
    context = {
        "subscription": subscription,
        "edition": subscription.edition,
        "button": wording.confirm_button(subscription.edition),
        "preferences_url": links.preferences_url(subscription.pk),
    }
    if subscription.status == Subscription.Status.CONFIRMED:
        context.update(_first_digest(subscription))
    return render(request, "subscriptions/confirm.html", context)


def _confirm_expired(request: HttpRequest, token: str) -> HttpResponse:
    """A genuine confirmation link past HEADLINES_CONFIRM_MAX_AGE_DAYS confirms nothing (a
    forwarded email must not confirm a reader months later). Its page offers a new link, sent
    to the address signed up with, on a POST of its own button; an older page's confirm
    button only brings this page back."""
    try:
        subscription = selectors.subscription_get(
            subscription_id=links.read_token("confirm", token)  # genuine: only its age is past
        )
        asked = request.method == "POST" and request.POST.get("action") == "resend"
        sent = asked and services.subscription_confirmation_resend(
            subscription_id=subscription.pk, ip=client_ip(request)
        )
    except services.RateLimited as exc:
        return retry_after(problem(request, str(exc), status=429))
    except (InvalidInput, NotFound) as exc:
        return _failure(request, exc)
    if subscription.status == Subscription.Status.CONFIRMED:
        return _confirm_page(request, subscription)  # confirmed since, by a newer link
    if subscription.status != Subscription.Status.PENDING:
        return _failure(request, Conflict(services.UNSUBSCRIBED_SINCE))
    context = {
        "edition": subscription.edition,
        "email": subscription.subscriber.email,
        "days": links.confirm_max_age_seconds() // 86400,
        "asked": asked,
        "sent": sent,
    }
    status = 200 if sent else 429 if asked else 410
    page = render(request, "subscriptions/confirm_expired.html", context, status=status)
    return retry_after(page)


def _first_digest(subscription: Subscription) -> dict[str, object]:
    """The real moment the reader's first digest is due, in their zone (else the edition's)."""
    at = selectors.subscription_next_digest_at(subscription=subscription)
    zone = subscription.timezone or subscription.edition.timezone
    return {
        "first_digest": wording.first_digest(at, zone),
        "first_digest_at": at,
        "first_digest_zone": zone,
    }


def _unused(request: HttpRequest) -> HttpResponse:
    return HttpResponse()  # the middleware's view argument; never called by process_view


def _is_one_click(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"


def _one_click_done() -> HttpResponse:
    # Nothing here touches the session or the CSRF cookie: the answer sets no cookie.
    return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")


@never_cache
@csrf_exempt  # RFC 8058: the one-click POST comes from a mail provider, with no token or cookie
@allow_methods("GET", "HEAD", "POST")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    one_click = _is_one_click(request)
    if request.method == "POST" and not one_click:
        # The page's own button is a normal form: it gets the normal CSRF check.
        refused = CsrfViewMiddleware(_unused).process_view(request, _unused, (), {})
        if refused is not None:
            return refused
    try:
        subscription = _subscription("unsubscribe", token)
        if request.method == "POST":
            subscription = services.subscription_unsubscribe(
                subscription_id=subscription.pk,
                source=Source.ONE_CLICK if one_click else Source.UNSUBSCRIBE_LINK,
                ip=client_ip(request),
            )
    except NotFound as exc:
        if one_click:
            # A genuine link of a subscription gone (its reader erased): nothing left to mail,
            # so the mail provider hears it is done, as the mailto address's message does.
            return _one_click_done()
        return _failure(request, exc, leaving=True)
    except (InvalidInput, Conflict) as exc:
        return _failure(request, exc, leaving=True)
    if one_click:
        return _one_click_done()
    context = {
        "subscription": subscription,
        "edition": subscription.edition,
        "button": wording.unsubscribe_button(subscription.edition),
        "preferences_url": links.preferences_url(subscription.pk),
    }
    return render(request, "subscriptions/unsubscribe.html", context)


@never_cache
@allow_methods("GET", "HEAD", "POST")
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = _subscription("preferences", token)
    except (InvalidInput, NotFound) as exc:
        return _failure(request, exc)
    subscriber = subscription.subscriber
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    if action == "export":
        return _export(subscriber.pk)
    erase_error = ""
    if action == "erase":
        if request.POST.get("confirm_erase") == "yes":
            subscriber_erase(subscriber_id=subscriber.pk, ip=client_ip(request))
            return render(request, "subscriptions/erased.html")
        # The page again, the box beside its button: a "Sorry" page offered only "Sign up again".
        erase_error = "Tick the box to confirm you want your data erased."
    editions = list(edition_list(enabled_only=True))
    current = selectors.subscriber_subscriptions(subscriber_id=subscriber.pk)
    initial = {
        "editions": [
            str(e.pk) for e in editions if e.pk in current and current[e.pk].status == "confirmed"
        ],
        "marketing": subscriber.marketing,
        "timezone": subscription.timezone,
        "send_hour": "" if subscription.send_hour is None else str(subscription.send_hour),
        "topics": [f"{e}:{slug}" for e, s in current.items() for slug in (s.topics or [])],
    }
    choices = topic_choices(edition_ids=[e.pk for e in editions])
    data = None if erase_error else request.POST or None
    form = PreferencesForm(data, initial=initial, editions=editions, topics=choices)
    saved, status = False, 400 if erase_error else 200
    if action == "save":
        saved = _save(request, form, subscriber.pk)
        status = 200 if saved else 400
    context = {
        "form": form,
        "subscriber": subscriber,
        "saved": saved,
        "erase_error": erase_error,
        "wording": wording,
        "zone_aliases": timezones.BROWSER_ALIASES,
    }
    return render(request, "subscriptions/preferences.html", context, status=status)


def _export(subscriber_id: int) -> HttpResponse:
    data = selectors.subscriber_export(subscriber_id=subscriber_id)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-evening-headlines-data.json"'
    return response


def _save(request: HttpRequest, form: PreferencesForm, subscriber_id: int) -> bool:
    """Apply a valid form; otherwise (or if the service refuses) leave the errors on it."""
    try:
        if not form.is_valid():
            raise InvalidInput("Please check the choices below.")
        subscriber_preferences_update(
            subscriber_id=subscriber_id,
            edition_ids=form.edition_ids(),
            marketing=form.cleaned_data["marketing"],
            timezone=form.cleaned_data["timezone"] or "",
            send_hour=form.cleaned_data["send_hour"],
            ip=client_ip(request),
            topics=form.topics_by_edition(sorted({e for e, _, _ in form.topic_choices})),
        )
    except InvalidInput as exc:
        form.add_error(None, str(exc))
        return False
    return True
