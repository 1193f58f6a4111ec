"""Staff admin: subscribers, subscriptions, the read-only consent ledger, suppressions, CSV."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from headlines.core.admin_lists import CappedCount, OwnFilterNames
from headlines.core.errors import DomainError, NotFound
from headlines.core.models import Edition
from headlines.subscriptions import csvfiles, preferences, selectors, services
from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import ConsentEvent, Subscriber, Subscription, Suppression


class ReadOnlyMixin:
    """For records that are evidence: staff may look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConsentInline(ReadOnlyMixin, admin.TabularInline):
    model = ConsentEvent
    fields = ("created_at", "edition", "purpose", "granted", "source", "privacy_version", "wording")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Consent history (read-only)"


class SubscriptionInline(ReadOnlyMixin, admin.TabularInline):
    model = Subscription
    fields = ("edition", "status", "timezone", "send_hour", "created_at", "confirmed_at")
    readonly_fields = (*fields, "unsubscribed_at")
    extra = 0
    can_delete = False


class ImportForm(forms.Form):
    edition = forms.ModelChoiceField(queryset=Edition.objects.all(), to_field_name="slug")
    file = forms.FileField(help_text="UTF-8 CSV with a header line; the columns are above.")


class ExportForm(forms.Form):
    edition = forms.ModelChoiceField(queryset=Edition.objects.all(), required=False)


class _BySubscription(admin.SimpleListFilter):
    """Readers with a subscription matching the filter, by a subquery (`id IN (…)`): through a
    join a reader would be listed once a subscription and the list would need DISTINCT, which
    at a million readers cost the capped count alone 15-70 ms (1-4 ms without)."""

    field = ""

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset
        if value not in {str(key) for key, _ in self.lookup_choices}:
            raise IncorrectLookupParameters(f"no {self.title} {value!r}")
        ids = Subscription.objects.filter(**{self.field: value}).values("subscriber_id")
        return queryset.filter(pk__in=ids)


class ByEdition(_BySubscription):
    title = "edition"
    parameter_name = "subscriptions__edition__id__exact"  # the name Django's own filter used
    field = "edition_id"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(e.pk), str(e)) for e in Edition.objects.order_by("name")]


class ByStatus(_BySubscription):
    title = "status"
    parameter_name = "subscriptions__status__exact"
    field = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(Subscription.Status.choices)


@admin.register(Subscriber)
class SubscriberAdmin(OwnFilterNames, CappedCount):
    list_display = ("email", "name", "marketing", "editions", "created_at")
    search_fields = ("email", "name")
    list_filter = (ByEdition, ByStatus, "marketing")
    fields = ("email", "name", "marketing", "email_hash", "created_at")
    readonly_fields = ("email", "marketing", "email_hash", "created_at")
    inlines = (SubscriptionInline, ConsentInline)
    change_list_template = "admin/subscriptions/subscriber/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # readers arrive by sign-up or by the CSV import, with their consent

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subscriber]:
        return super().get_queryset(request).prefetch_related("subscriptions__edition")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Subscriber], search_term: str
    ) -> tuple[QuerySet[Subscriber], bool]:
        """A whole address ("this reader wrote to us") finds its reader by the unique index on
        the keyed hash (`subscriber_find`), any case; Django's search, `UPPER(email) LIKE '%…%'
        OR UPPER(name) LIKE …`, read every reader for it (0.6-0.7 s at a million). Anything
        else, and a whole address no reader has, is Django's search: a part of an address, a
        name, a longer address."""
        if "@" in search_term:
            try:
                reader = selectors.subscriber_find(email=search_term)
            except NotFound:
                pass
            else:
                return queryset.filter(pk=reader.pk), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="Editions")
    def editions(self, obj: Subscriber) -> str:
        return ", ".join(f"{s.edition.slug} ({s.status})" for s in obj.subscriptions.all())

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # Subscriptions go with their reader; the ledger stays (SET_NULL). Staff allowed to
        # delete a subscriber need no delete right on the read-only records around it.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_model(self, request: HttpRequest, obj: Subscriber) -> None:
        # Deleting a reader is erasing them: the ledger stays and the address stays suppressed.
        preferences.subscriber_erase(subscriber_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            preferences.subscriber_erase(subscriber_id=pk)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "import-csv/",
                self.admin_site.admin_view(self.import_csv),
                name="subscribers_import",
            ),
            path(
                "export-csv/",
                self.admin_site.admin_view(self.export_csv),
                name="subscribers_export",
            ),
        ]
        return own + super().get_urls()

    def import_csv(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request) or not request.user.has_perm(
            "subscriptions.change_subscriber"
        ):
            return HttpResponse(status=403)
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                text = csvfiles.decode(form.cleaned_data["file"].read())
                report = csvfiles.subscribers_import_csv(
                    text=text, edition_slug=form.cleaned_data["edition"].slug
                )
            except DomainError as exc:
                form.add_error("file", str(exc))
            else:
                level = messages.WARNING if report.bad else messages.SUCCESS
                self.message_user(request, report.summary(), level)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import subscribers from CSV",
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/subscriptions/subscriber/import_csv.html", context)

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        form = ExportForm(request.GET or None)
        edition = form.cleaned_data["edition"] if form.is_valid() else None
        out = io.StringIO()
        csvfiles.subscriptions_export_csv(out=out, edition_slug=edition.slug if edition else None)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"subscribers-{edition.slug if edition else 'all'}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyMixin, CappedCount):
    list_display = ("subscriber", "edition", "status", "timezone", "send_hour", "confirmed_at")
    list_filter = ("edition", "status")
    search_fields = ("subscriber__email",)
    list_select_related = ("subscriber", "edition")
    actions = ("unsubscribe",)

    @admin.action(description="Unsubscribe the selected subscriptions")
    def unsubscribe(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for pk in list(queryset.values_list("pk", flat=True)):
            services.subscription_unsubscribe(subscription_id=pk, source=ConsentEvent.Source.ADMIN)
        self.message_user(request, "Unsubscribed; each withdrawal is in the consent history.")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for the action; the fields themselves stay read-only.
        return bool(request.user.has_perm("subscriptions.change_subscription"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Subscription._meta.fields]


class AddressHashSearch:
    """A whole address searched finds its keyed hash's rows (only the hash is stored): staff
    asking "is this reader suppressed?" found none for every address, suppressed or not, and
    an erased reader's consent history (kept by the hash alone) was not found by the address."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        local, at, domain = search_term.strip().rpartition("@")
        if at and local and "." in domain:  # a whole address, not "@example.org"
            found = found | queryset.filter(email_hash=email_hash(search_term))
        return found, duplicates


@admin.register(ConsentEvent)
class ConsentEventAdmin(AddressHashSearch, ReadOnlyMixin, CappedCount):
    list_display = ("created_at", "email_hash_short", "edition", "purpose", "granted", "source")
    list_filter = ("purpose", "granted", "source", "edition")
    search_fields = ("subscriber__email", "email_hash")
    search_help_text = "A whole address, or a part of a hash."

    @admin.display(description="Address hash")
    def email_hash_short(self, obj: ConsentEvent) -> str:
        return f"{obj.email_hash[:12]}…"


class SuppressionForm(forms.ModelForm):
    email = forms.EmailField(help_text="Stored only as a keyed hash.")

    class Meta:
        model = Suppression
        fields = ("detail",)


@admin.register(Suppression)
class SuppressionAdmin(AddressHashSearch, CappedCount):
    list_display = ("email_hash", "reason", "created_at")
    list_filter = ("reason",)
    search_fields = ("email_hash",)
    search_help_text = "A whole address, or a part of a hash."
    form = SuppressionForm

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (
            ["email", "detail"] if obj is None else ["email_hash", "reason", "detail", "created_at"]
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else ["email_hash", "reason", "detail", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only a staff entry can be lifted; bounces, complaints and erasures are the reader's.
        return (
            obj is not None
            and obj.reason == Suppression.Reason.MANUAL
            and bool(request.user.has_perm("subscriptions.delete_suppression"))
        )

    def save_model(self, request: HttpRequest, obj: Suppression, form: Any, change: bool) -> None:
        email = form.cleaned_data["email"]
        already = selectors.is_suppressed(email=email)
        saved = services.suppression_add(
            email=email,
            reason=Suppression.Reason.MANUAL,
            detail=form.cleaned_data.get("detail", ""),
        )
        # The admin's message names what was stored (its hash and reason), not an empty form.
        for field in ("pk", "email_hash", "reason", "detail", "created_at"):
            setattr(obj, field, getattr(saved, field))
        obj.already = already  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: Suppression, post_url_continue: str | None = None
    ) -> HttpResponse:
        if not getattr(obj, "already", False):
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            f"That address was already suppressed ({obj.get_reason_display().lower()}); "
            "nothing changed.",
            messages.INFO,
        )
        return HttpResponseRedirect(reverse("admin:subscriptions_suppression_changelist"))
