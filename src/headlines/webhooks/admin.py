"""Webhook endpoints in the admin: add, remove, re-enable; each one's failures and messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from headlines.core import clock
from headlines.core.admin_lists import CappedCount, IndexedValuesFilter
from headlines.core.errors import InvalidInput
from headlines.core.events import EVENTS
from headlines.webhooks import services
from headlines.webhooks.models import Endpoint, Message

INLINE_MESSAGES = 50


class EndpointForm(forms.ModelForm):
    url = forms.CharField(max_length=2000, help_text="http(s) URL of the receiver.")
    events = forms.CharField(
        help_text="Comma-separated: " + ", ".join(EVENTS),
        widget=forms.TextInput(attrs={"size": 80}),
    )

    class Meta:
        model = Endpoint
        fields = ("url", "events", "description")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["events"] = ",".join(self.instance.events or [])

    def clean_events(self) -> list[str]:
        try:
            return services.events_parse(self.cleaned_data["events"])
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_description(self) -> str:
        try:
            return services.description_check(self.cleaned_data["description"])
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_url(self) -> str:
        try:
            return services.url_check(self.cleaned_data["url"])
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from None


class MessageInline(admin.TabularInline):
    """The endpoint's latest messages. All of them (thousands a day at a busy newsroom, kept
    30 days) made a page of 30 MB that took 24 s for 20,000; the rest are under Messages."""

    model = Message
    verbose_name_plural = f"latest {INLINE_MESSAGES} messages (all of them: Webhooks → Messages)"
    endpoint: Endpoint | None = None
    fields = ("created_at", "event_type", "state", "attempts", "last_status", "last_error")
    readonly_fields = fields
    extra = 0
    max_num = 0
    ordering = ("-created_at",)
    show_change_link = False

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        self.endpoint = obj  # an inline is made for each request: this one's endpoint
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        shown = super().get_queryset(request).order_by("-created_at", "-id")
        if self.endpoint is None:
            return shown
        latest = shown.filter(endpoint=self.endpoint).values_list("pk", flat=True)
        return shown.filter(pk__in=list(latest[:INLINE_MESSAGES]))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "url_shown",
        "enabled",
        "consecutive_failures",
        "last_success_at",
        "last_failure_at",
        "disabled_reason",
    )
    fields = (
        "url",
        "events",
        "description",
        "secret",
        "previous_secret_until",
        "enabled",
        "disabled_reason",
        "last_error",
    )

    readonly_fields = (
        "secret",
        "previous_secret_until",
        "enabled",
        "disabled_reason",
        "last_error",
    )

    @admin.display(description="URL", ordering="url")
    def url_shown(self, obj: Endpoint) -> str:
        return obj.shown_url  # a password in it is not shown in the list

    actions = ["enable", "rotate"]
    inlines = [MessageInline]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return [MessageInline] if obj is not None else []  # a new endpoint has no messages

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        for endpoint in Endpoint.objects.filter(enabled=False).exclude(disabled_reason=""):
            messages.warning(request, f"Webhook {endpoint}: {endpoint.disabled_reason}")
        return super().changelist_view(request, extra_context)

    form = EndpointForm

    def save_model(self, request: HttpRequest, obj: Endpoint, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.webhook_endpoint_update(
                endpoint_id=obj.pk,
                url=data["url"],
                events=data["events"],
                description=data["description"],
            )
        else:
            obj.pk = services.webhook_endpoint_add(
                url=data["url"], events=data["events"], description=data["description"]
            ).pk
        obj.refresh_from_db()
        # As `webhook add` warns: stored, but every send to it refused until private is allowed.
        private = services.private_address(obj.url)
        if private and not settings.CONFIG["HEADLINES_WEBHOOK_ALLOW_PRIVATE"]:
            messages.warning(
                request,
                f"{private}: every event to it will be refused while "
                "HEADLINES_WEBHOOK_ALLOW_PRIVATE is off (see docs/operations.md, Webhooks).",
            )

    @admin.action(description="Enable the selected endpoints again")
    def enable(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            services.webhook_endpoint_enable(endpoint_id=endpoint.pk)
        messages.success(request, f"Enabled {queryset.count()} endpoint(s).")

    @admin.action(description="Rotate the signing secret (the old one still signs for 24 h)")
    def rotate(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        for endpoint in queryset:
            rotated = services.webhook_endpoint_rotate(endpoint_id=endpoint.pk)
            until = rotated.previous_secret_until or clock.now()
            messages.success(
                request,
                f"Webhook {rotated}: new signing secret {rotated.secret}; the old one signs each "
                f"message too until {until.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC.",
            )


@admin.register(Message)
class MessageAdmin(CappedCount):
    list_display = ("created_at", "endpoint", "event_type", "state", "attempts", "last_status")
    list_filter = ("state", ("event_type", IndexedValuesFilter), "endpoint")
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
