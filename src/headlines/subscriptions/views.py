"""Reader-facing pages. Foundation scaffolding: the sign-up issue fills these in."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404("not built yet")


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404("not built yet")


def preferences(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404("not built yet")
