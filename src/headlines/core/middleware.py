"""Middleware of the project's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.utils.functional import SimpleLazyObject, empty
from django.utils.log import log_response
from django.views.decorators.http import require_http_methods

View = TypeVar("View", bound=Callable[..., HttpResponse])


class LazyMessageMiddleware(MessageMiddleware):
    """Django's messages, with the storage made only when a view or template touches it.

    Django's middleware builds the cookie and session storages for every request, the reader
    pages and the sign-up widget too, which never show a message; that was a tenth of the
    widget's GET (docs/benchmarks.md). A storage never made was neither read nor added to, and
    Django's own `update` does nothing for such a storage either."""

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)


NUL_IN_ADDRESS = "The address holds a NUL character (%00)."


def refuse_nul(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[..., HttpResponse]:
    """400 for an address whose path or query holds a NUL character (`%00`): no page means one,
    and PostgreSQL refuses it in a query, so an admin filter such as `?language=%00` was a
    server error there. Forms and the API check their own fields (Django's and pydantic's
    validators refuse NUL); a file's content is its importer's to judge."""

    def middleware(request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            if request.path.startswith("/api/"):  # as the API answers every error
                return JsonResponse({"detail": NUL_IN_ADDRESS}, status=400)
            return HttpResponseBadRequest(NUL_IN_ADDRESS, content_type="text/plain")
        return get_response(request)

    return middleware


def healthz_first(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[..., HttpResponse]:
    """`/healthz` before any other middleware: a load balancer checks it by the machine's
    address, which HEADLINES_ALLOWED_HOSTS rightly leaves out, and CommonMiddleware then
    answered 400 (Bad Request: DisallowedHost) to a healthy process. It reads no header."""
    from headlines.core.views import healthz

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            response = healthz(request)
            # As CommonMiddleware would: a keep-alive client reads the answer by its length.
            response.headers["Content-Length"] = str(len(response.content))
            return response
        return get_response(request)

    return middleware


def allow_methods(*methods: str) -> Callable[[View], View]:
    """Django's `require_http_methods`, its list kept on the view for `MethodsBeforeCsrf`."""

    def decorate(view: View) -> View:
        checked = require_http_methods(list(methods))(view)
        checked.allowed_methods = methods  # type: ignore[attr-defined]
        return checked

    return decorate


class MethodsBeforeCsrf:
    """405 Method Not Allowed, with its Allow header, for a method a page does not answer, asked
    before the CSRF check: CsrfViewMiddleware runs before the view's own method check, so a PUT,
    DELETE or PATCH on a reader's page (confirm, unsubscribe, the widget) was answered with the
    403 "reload the page and press again" page, which no reload could mend. A POST is checked
    as before; a method the view answers is left to the middleware after this one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        allowed = getattr(view, "allowed_methods", None)
        if allowed is None or request.method in allowed:
            return None
        response = HttpResponseNotAllowed(allowed)
        log_response(
            "Method Not Allowed (%s): %s",
            request.method,
            request.path,
            response=response,
            request=request,
        )
        return response
