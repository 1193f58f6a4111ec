"""Middleware of the project's own."""

from __future__ import annotations

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty


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
