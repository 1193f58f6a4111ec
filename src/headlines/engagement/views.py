"""The click redirect, the open pixel, and the reader's own choice about per-reader counting.

A click GET counts; a HEAD (scanners, previews) only answers. Per-reader parts exist only in the
emails of readers who, like their edition, said yes.
"""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from headlines.core.clients import client_ip
from headlines.core.errors import Conflict, InvalidInput, NotFound
from headlines.core.middleware import allow_methods
from headlines.engagement.models import ReaderEvent
from headlines.engagement.readers import reader_says_yes, tracking_active
from headlines.engagement.services import (
    READER_WORDS,
    click_record,
    reader_event_record,
    reader_tracking_choose,
)
from headlines.subscriptions import links, selectors
from headlines.subscriptions.views import problem

GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@allow_methods("GET", "HEAD")
def click(request: HttpRequest, token: str, reader: str = "") -> HttpResponse:
    try:
        url = click_record(
            token=token, ip=client_ip(request), count=request.method == "GET", reader=reader
        )
    except NotFound as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@allow_methods("GET")
def open_pixel(request: HttpRequest, reader: str) -> HttpResponse:
    reader_event_record(token=reader, kind=ReaderEvent.Kind.OPEN)
    response = HttpResponse(GIF, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


@never_cache  # a reader's own page, as the preferences page it is linked from
@allow_methods("GET", "HEAD", "POST")
def reader_choice(request: HttpRequest, token: str) -> HttpResponse:
    """Linked from the preferences page: per edition that counts per reader, the reader's yes."""
    try:
        subscription = selectors.subscription_get(
            subscription_id=links.read_token("preferences", token)
        )
    except (InvalidInput, NotFound) as exc:
        return problem(request, str(exc), status=404)
    subscriber = subscription.subscriber
    offered = [
        s
        for s in subscriber.subscriptions.select_related("edition").order_by("id")
        if s.status == "confirmed" and tracking_active(s.edition)
    ]
    saved = False
    if request.method == "POST":
        for s in offered:
            wanted = request.POST.get(f"edition-{s.edition_id}") == "yes"
            if wanted != reader_says_yes(subscriber_id=subscriber.pk, edition_id=s.edition_id):
                try:
                    reader_tracking_choose(subscription_id=s.pk, yes=wanted, ip=client_ip(request))
                except Conflict as exc:
                    return problem(request, str(exc), status=409)
        saved = True
    choices = [
        (s, reader_says_yes(subscriber_id=subscriber.pk, edition_id=s.edition_id)) for s in offered
    ]
    context = {"choices": choices, "words": READER_WORDS, "saved": saved}
    return render(request, "engagement/reader_choice.html", context)
