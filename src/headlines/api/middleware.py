"""Every refusal under /api/ is JSON, including those no API view wrote.

Django answers an unknown path (404), a server error (500) and a body it would not read (400),
and django-ninja a method a path does not take (405), with an HTML or plain-text page; a
script reading `{"detail": …}`, as docs/operations.md promises for every refusal, got markup
it could not parse. Kept free of ninja so a web process imports it without loading the API.

HEAD is answered wherever GET is (RFC 9110 9.3.2): django-ninja routes only the methods an
operation names, and a monitor or link checker's HEAD of /api/v1/editions got 405.
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
        return f"{request.method} is not allowed here; allowed: {_allowed(response)}"
    if status >= 500:
        return "the server failed to answer; the service's log has the details"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "refused"


def _allowed(response: HttpResponse) -> str:
    """The response's Allow, with HEAD wherever GET is (api_head_as_get answers it)."""
    methods = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
    if "GET" in methods and "HEAD" not in methods:
        methods.append("HEAD")
    return ", ".join(methods)


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
        if "Allow" in response:
            answer["Allow"] = _allowed(response)
        return answer

    return middleware


def api_head_as_get(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A HEAD under /api/ goes to the API as a GET; the server (waitress, the test client)
    sends the GET's status and headers without its body. GET operations change nothing, so
    running one for a HEAD is safe; a path with no GET still answers 405."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD" or not request.path.startswith(PREFIX):
            return get_response(request)
        request.method = "GET"
        try:
            return get_response(request)
        finally:
            request.method = "HEAD"  # for the outer middleware's words about a refusal

    return middleware
