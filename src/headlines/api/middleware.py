"""Every refusal under /api/ is JSON, including those no API view wrote.

Django answers an unknown path (404), a server error (500) and a body it would not read (400),
and django-ninja a method a path does not take (405), with an HTML or plain-text page; a
script reading `{"detail": …}`, as docs/operations.md promises for every refusal, got markup
it could not parse. Kept free of ninja so a web process imports it without loading the API.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse

PREFIX = "/api/"
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def _detail(request: HttpRequest, response: HttpResponse) -> str:
    status = response.status_code
    if status == 404:
        return f"no API operation at {request.path}; they are listed at /api/v1/docs"
    if status == 405:
        return f"{request.method} is not allowed here; allowed: {response.get('Allow', '')}"
    if status >= 500:
        return "the server failed to answer; the service's log has the details"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "refused"


def api_refusals_as_json(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        answer = JsonResponse({"detail": _detail(request, response)}, status=response.status_code)
        for name in KEPT_HEADERS:
            if name in response:
                answer[name] = response[name]
        return answer

    return middleware
