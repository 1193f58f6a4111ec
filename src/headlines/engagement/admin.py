"""Staff pages of engagement: clicks per story of one digest, as a chart. Reads only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from headlines.core.admin_lists import CappedCount
from headlines.core.errors import InvalidInput, NotFound
from headlines.digests.selectors import digest_get
from headlines.engagement import charts, selectors, services
from headlines.engagement.models import Click, EditionTracking


@admin.register(Click)
class ClickAdmin(CappedCount):
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


class EditionTrackingForm(forms.ModelForm):
    class Meta:
        model = EditionTracking
        fields = ("edition", "per_reader", "privacy_version")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # On a change the edition is read-only (not in the form): the row's own.
        edition = data.get("edition") or (self.instance.edition if self.instance.pk else None)
        if edition is not None:
            try:
                with transaction.atomic():
                    services.edition_tracking_set(
                        edition_id=edition.pk,
                        per_reader=bool(data.get("per_reader")),
                        privacy_version=str(data.get("privacy_version", "")),
                    )
                    transaction.set_rollback(True)  # only checked here; saved by save_model
            except InvalidInput as exc:
                raise forms.ValidationError(str(exc)) from None
        return data


@admin.register(EditionTracking)
class EditionTrackingAdmin(admin.ModelAdmin):
    """An edition's opt-in to per-reader opens and clicks (off unless set here)."""

    form = EditionTrackingForm
    list_display = ("edition", "per_reader", "privacy_version", "active", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Another edition chosen on a row's change page opted that one in and left this one
        # on, as a second row: a row stays its edition's (switch it off, or delete it).
        return ("edition",) if obj is not None else ()

    @admin.display(boolean=True, description="In force")
    def active(self, obj: EditionTracking) -> bool:
        return obj.active

    def save_model(
        self, request: HttpRequest, obj: EditionTracking, form: Any, change: bool
    ) -> None:
        services.edition_tracking_set(
            edition_id=obj.edition_id,
            per_reader=obj.per_reader,
            privacy_version=obj.privacy_version,
        )
        obj.pk = EditionTracking.objects.get(edition_id=obj.edition_id).pk
