"""The click redirect. A GET counts; a HEAD (scanners, previews) only answers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from headlines.core.errors import NotFound
from headlines.engagement.services import click_record
from headlines.subscriptions.views import client_ip


@require_http_methods(["GET", "HEAD"])
def click(request: HttpRequest, token: str) -> HttpResponse:
    try:
        url = click_record(token=token, ip=client_ip(request), count=request.method == "GET")
    except NotFound as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response
