"""The JSON API under /api/v1/: django-ninja, bearer tokens, OpenAPI 3 at /api/v1/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

from headlines.api.edge import TokenAuth, install_handlers
from headlines.api.routes_catalogue import router as catalogue
from headlines.api.routes_subscribers import router as subscribers

api = NinjaAPI(
    title="Evening Headlines API",
    version="1",
    description=(
        "Editions, subscribers, digests, stories and sources. Every request needs "
        "`Authorization: Bearer <token>` (`headlines api-token create NAME`)."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
)
install_handlers(api)
api.add_router("", subscribers)
api.add_router("", catalogue)
