"""Staff pages of engagement: clicks per story of one digest, as a chart. Reads only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from headlines.core.errors import NotFound
from headlines.digests.selectors import digest_get
from headlines.engagement import charts, selectors
from headlines.engagement.models import Click


@admin.register(Click)
class ClickAdmin(admin.ModelAdmin):
    """Clicks are counted, never edited. The list is per digest; the chart is per story."""

    list_display = ("at", "digest", "item", "counted")
    list_filter = ("counted", "digest__edition")
    exclude = ("client_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.digest_view)
        return [
            path("digest/<int:digest_id>/", view, name="engagement_digest_clicks"),
            *super().get_urls(),
        ]

    def digest_view(self, request: HttpRequest, digest_id: int) -> HttpResponse:
        try:
            digest = digest_get(digest_id=digest_id)
        except NotFound:
            raise Http404("no such digest") from None
        rows = selectors.clicks_per_story(digest_id=digest.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Clicks per story · {digest}",
            "digest": digest,
            "rows": rows,
            "total": sum(r.clicks for r in rows),
            "chart": charts.story_bars(rows, label=f"{digest}: clicks per story"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "engagement/digest_clicks.html", context)
