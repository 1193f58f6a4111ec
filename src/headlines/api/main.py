"""The JSON API under /api/v1/: django-ninja, bearer tokens, OpenAPI 3 at /api/v1/openapi.json."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.operation import Operation

from headlines.api.edge import StrictJSON, TokenAuth, declared_parameters_only, install_handlers
from headlines.api.routes_catalogue import router as catalogue
from headlines.api.routes_subscribers import router as subscribers


class OfflineSwagger(Swagger):
    """Swagger UI from the files ninja ships (settings.STATICFILES_DIRS), never from a CDN:
    ninja picks its CDN page unless "ninja" is an installed app, which we keep it out of."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": False,  # bearer tokens only: no cookie session to protect
        }
        return render(request, self.template, context)


class HeadlinesAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The view's own name (digests_list), unique across the API and part of its interface:
        # ninja's default prefixed the module path, so a client generated from the schema named
        # its methods after our files, and a view moved to another module renamed them.
        return operation.view_func.__name__


api = HeadlinesAPI(
    title="Evening Headlines API",
    version="1",
    description=(
        "Editions, subscribers, digests, stories and sources. Every request needs "
        "`Authorization: Bearer <token>` (`headlines api-token create NAME`)."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs=OfflineSwagger(),
    parser=StrictJSON(),
)
install_handlers(api)
# After auth and the declared parameters' checks, inside the audit: a refused write is audited.
api.add_decorator(declared_parameters_only)
api.add_router("", subscribers)
api.add_router("", catalogue)
