"""The staff admin's login page, as Django's admin serves it, with the sign-in limit's status."""

from __future__ import annotations

import math

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from headlines.core import clock


def login(request: HttpRequest) -> HttpResponse:
    """Django's admin login; a sign-in refused by the failed sign-in limit (`loginlimit`) is
    answered 429 with Retry-After, so a script or a log watcher (fail2ban) can tell it from a
    wrong password (200), whose page it otherwise shares."""
    response = admin.site.login(request)
    form = (getattr(response, "context_data", None) or {}).get("form")
    until = getattr(form, "paused_until", None)
    if until is not None:
        response.status_code = 429
        seconds = math.ceil((until - clock.now()).total_seconds())
        response["Retry-After"] = str(max(1, seconds))
    return response
