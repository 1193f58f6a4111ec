"""The editor's desk: preview a digest (desktop, phone, text), edit, reorder, drop, pin, approve.

Thin: every change goes through digests.services, which renders the draft again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.forms.utils import pretty_name
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from headlines.core import emailpreview
from headlines.core.admin import checked, refusal
from headlines.core.errors import DomainError
from headlines.core.services import slug_clean
from headlines.core.untrusted import plain_id
from headlines.digests import selectors, services
from headlines.digests.models import Digest, DigestItem
from headlines.stories import listing, topics
from headlines.stories.models import RelevanceTerm, Story, Topic
from headlines.subscriptions import choices


class DigestItemForm(forms.ModelForm):
    """The review screen's row: topics as slugs separated by commas (checked on save)."""

    topics = forms.CharField(
        required=False, help_text="Topic slugs, separated by commas (see `headlines topic list`)."
    )

    class Meta:
        model = DigestItem
        fields = ("position", "headline", "summary", "pinned", "dropped")
        # Wrapping boxes: a headline is read whole, not through a one-line slot.
        widgets = {
            "headline": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
            "summary": forms.Textarea(attrs={"rows": 7, "maxlength": services.SUMMARY_MAX}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["topics"] = ", ".join(self.instance.topics or [])
            # A table's column heading names no field for a screen reader: each box says
            # what it is and which row it belongs to ("Headline, place 2").
            for name, field in self.fields.items():
                label = field.label or pretty_name(name)
                field.widget.attrs["aria-label"] = f"{label}, place {self.instance.position}"

    def clean_headline(self) -> str:
        """A headline that is only markup (`<b></b>`) is the row's own error, and nothing is
        saved: refused by the service after the form had passed, it was said as "a headline is
        1 to 300 characters" over a box that held 7."""
        headline = str(self.cleaned_data.get("headline") or "")
        checked(services.item_headline_clean, headline)
        return headline

    def clean_summary(self) -> str:
        """Too long a summary is the row's own error, shown beside it, and nothing is saved:
        refused by the service after the form had passed, the edit was lost under both "at
        most 1000 characters" and "was changed successfully"."""
        summary = str(self.cleaned_data.get("summary") or "")
        checked(services.item_summary_clean, summary)  # the service's own check, before any save
        return summary

    def topic_list(self) -> list[str]:
        return [s.strip() for s in self.cleaned_data.get("topics", "").split(",") if s.strip()]


def _topics_changed(form: Any) -> list[str] | None:
    if isinstance(form, DigestItemForm) and "topics" in form.changed_data:
        return form.topic_list()
    return None


class DigestItemFormSet(BaseInlineFormSet):
    """The items table. `refused` is what the service refused of this very Save (the page is
    shown again with it beside its row, and with everything typed)."""

    refused: services.ItemRefused | None = None

    def clean(self) -> None:
        super().clean()
        refused = self.refused
        if refused is None:
            return
        said = refusal(refused.refusal)
        for form in self.forms:
            if form.instance.pk == refused.item_id:
                form.add_error(refused.field if refused.field in form.fields else None, said)
                return
        raise forms.ValidationError(said)  # a row the page does not hold: said above the table


class DigestItemInline(admin.TabularInline):
    model = DigestItem
    form = DigestItemForm
    formset = DigestItemFormSet
    extra = 0
    can_delete = False
    fields = ("position", "headline", "summary", "topics", "pinned", "dropped", "sources")
    readonly_fields = ("sources",)
    ordering = ("position", "id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.state == Digest.State.DRAFT

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        refused = getattr(request, "digest_items_refused", None)
        return type(formset.__name__, (formset,), {"refused": refused}) if refused else formset

    @admin.display(description="Sources")
    def sources(self, obj: DigestItem) -> str:
        return ", ".join(str(s) for s in obj.source_names or [])


class _SaveRefused(Exception):
    """The service refused a Save of the review screen: raised out of the admin's transaction
    so that it is rolled back, and caught in DigestAdmin.change_view."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(str(error))
        self.error = error


def _not_edited(digest: Digest) -> str:
    """Why a Save on the review screen of a digest past its draft saved nothing."""
    why: dict[str, str] = {
        Digest.State.APPROVED: (
            "is approved, and only a draft changes: an approved digest goes out at its send "
            "time as it was approved, and does not go back to being a draft"
        ),
        Digest.State.SENDING: "is being sent, and only a draft changes: readers are receiving "
        "this version",
        Digest.State.SENT: "has been sent, and only a draft changes: readers already have this "
        "version",
    }
    reason = why.get(digest.state, f"is {digest.get_state_display().lower()}")
    return f"Nothing was saved: {digest} {reason}."


def _changed_since_seen(digest: Digest) -> str:
    """Why the review screen saved nothing of a page the digest has moved on from."""
    if digest.state != Digest.State.DRAFT:
        approved = digest.state == Digest.State.APPROVED and digest.approved_by
        by = f" by {digest.approved_by}" if approved else ""
        return (
            f"Nothing was saved: {digest} was {digest.get_state_display().lower()}{by} "
            "since you opened it, and only a draft changes."
        )
    return (
        f"Nothing was saved: {digest} was changed since you opened it (an edit, a rebuild or "
        "a story pulled in). Here it is as it is now: make your changes again."
    )


# The day's stories beside the digest, a page at a time (`?stories=N`).
STORIES_PER_PAGE = 100


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ("__str__", "state", "subject", "built_at", "approved_by", "sent_at")
    list_filter = ("state", "edition")
    date_hierarchy = "date"
    inlines = [DigestItemInline]
    actions = ["approve", "rebuild", "send_test"]
    fields = (
        "edition",
        "date",
        "state",
        "subject",
        "preheader",
        "preview",
        "text_preview",
        "day_stories",
    )
    readonly_fields = fields

    class Media:
        css = {"all": ("headlines/admin/digest-review.css",)}
        js = emailpreview.MEDIA_JS

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Digest | None:
        digest = super().get_object(request, object_id, from_field)
        if digest is not None:  # which page of the day's stories this request shows
            digest.stories_page = request.GET.get("stories")
        return digest

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # digests are built, not typed in: `headlines digest build` or the job

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An approved, sending or sent digest holds the delivery ledger (who has had it):
        # deleting it would let the next send mail every reader again. A draft may go (the
        # next build makes it anew); the list has no bulk delete.
        return (
            obj is not None
            and obj.state == Digest.State.DRAFT
            and super().has_delete_permission(request, obj)
        )

    @admin.display(description="Email preview")
    def preview(self, obj: Digest) -> str:
        if not obj.html:
            return "Not rendered yet."
        return format_html(
            "{}{}",
            emailpreview.email_frame(obj.html, label="Desktop"),
            emailpreview.email_frame(obj.html, width=emailpreview.PHONE, label="Phone"),
        )

    @admin.display(description="Plain-text part")
    def text_preview(self, obj: Digest) -> str:
        return format_html("<pre style='white-space:pre-wrap;max-width:80ch'>{}</pre>", obj.text)

    @admin.display(description="Every story of the day")
    def day_stories(self, obj: Digest) -> str:
        """The day's stories as `headlines stories` lists them, each with a button that pulls it
        into the digest, STORIES_PER_PAGE at a time (a day of 20,000 stories was one page of
        5.6 MB). The buttons are the page's own (`_pull`): the edits typed in the items
        are saved first, as Approve and Rebuild save them (a form of their own lost them
        unsaid). The page's first button is a hidden Save (see the change_form template), so
        Enter in a position or topics box saves the edits and never pulls a story in."""
        shown = Paginator(listing.stored_of_day(obj.edition_id, obj.date), STORIES_PER_PAGE)
        if not shown.count:
            return "No stories stored for this day yet: build the digest."
        page = shown.get_page(getattr(obj, "stories_page", None))
        stories = listing.listed_stories(edition_id=obj.edition_id, stories=page.object_list)
        status = _statuses(obj)
        editable = obj.state == Digest.State.DRAFT
        rows = [
            format_html(
                "<tr><td>{}</td><td><strong>{}</strong><br>{}<br><small>{}</small></td>"
                "<td>{}</td><td>{}</td></tr>",
                rank,
                story.headline,
                story.summary,
                ", ".join(sorted({a.source for a in story.articles})),
                status.get(story.story_id or 0, "not in the digest"),
                format_html(
                    '<button type="submit" class="button" name="_pull" '
                    'value="{}">Save and pull into the digest</button>',
                    story.story_id,
                )
                if editable and status.get(story.story_id or 0) != "in the digest"
                else "",
            )
            for rank, story in enumerate(stories, start=page.start_index())
        ]
        return format_html(
            "{}<table><thead><tr><th>#</th><th>Story</th><th>Now</th><th></th></tr></thead>"
            "<tbody>{}</tbody></table>{}",
            _story_pages(page),
            format_html_join("", "{}", ((row,) for row in rows)),
            _story_pages(page) if page.has_other_pages() else "",
        )

    def pull(self, request: HttpRequest, digest: Digest, raw: str) -> None:
        """Pull the story `raw` names into the digest (after the page's edits are saved)."""
        if not plain_id(raw):
            self.message_user(request, f"no story {raw[:40]!r} to pull in", messages.ERROR)
            return
        before = _sent(digest)
        item = self._run(
            request, services.digest_story_pull, digest_id=digest.pk, story_id=int(raw)
        )
        if item is None:
            return
        said = f"Pulled in at place {item.position}: {item.headline}"
        # A full digest: the story at the last place that is sent moves into the reserve and
        # no longer goes out, pinned or not. Said, so that it does not leave the email unseen.
        pushed = DigestItem.objects.filter(pk__in=before - _sent(digest))
        for out in pushed.order_by("position", "id"):
            said += (
                f". “{out.headline}” moves to place {out.position}, into the reserve: it is not "
                "sent unless you move it up or leave out a story above it."
            )
        self.message_user(request, said)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Two editors on one draft: the second one's Save sent back the words of the page they
        # had opened, and undid the first one's edits unseen (or, after a rebuild or an
        # approval, was lost with "changed successfully"). The page carries what it showed;
        # a POST from a page the digest has moved on from changes nothing and says why.
        if not plain_id(object_id):
            return super().change_view(request, object_id, form_url, extra_context)
        seen = selectors.digest_seen(digest_id=int(object_id))
        sent_back = request.POST.get("_seen") if request.method == "POST" else None
        digest = Digest.objects.select_related("edition").filter(pk=int(object_id)).first()
        if digest is not None and sent_back is not None and sent_back != seen:
            self.message_user(request, _changed_since_seen(digest), messages.ERROR)
            return HttpResponseRedirect(request.path)
        # Past its draft nothing on the page can change: a Save said "changed successfully"
        # (and wrote that to the history) though nothing had. The page offers no Save; a POST
        # that comes anyway (another tab, a script) saves nothing and says why.
        past_draft = digest is not None and digest.state != Digest.State.DRAFT
        if past_draft and request.method == "POST":
            assert digest is not None
            self.message_user(request, _not_edited(digest), messages.WARNING)
            return HttpResponseRedirect(request.path)
        context = {**(extra_context or {}), "digest_seen": seen}
        if past_draft:
            context.update(show_save=False, show_save_and_continue=False)
        try:
            return super().change_view(request, object_id, form_url, context)
        except _SaveRefused as refused:
            # Raised out of the admin's transaction, which is rolled back: nothing of this
            # Save is stored, and no button's action ran. The page again, as it was typed.
            return self._refused(request, object_id, form_url, context, refused.error)

    def _refused(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str,
        context: dict[str, Any],
        error: DomainError,
    ) -> HttpResponse:
        """Say why a Save stored nothing, and show the page with what the editor typed (the
        refused row's box marked), so that nothing typed is lost."""
        digest = Digest.objects.select_related("edition").get(pk=int(object_id))
        if digest.state != Digest.State.DRAFT or isinstance(error, services.Stale):
            self.message_user(request, _changed_since_seen(digest), messages.ERROR)
            return HttpResponseRedirect(request.path)
        if isinstance(error, services.ItemRefused):
            place = (
                DigestItem.objects.filter(pk=error.item_id).values_list("position", flat=True)
            ).first()
            where = f" the story at place {place} was refused:" if place is not None else ""
            said = f"Nothing was saved:{where} {refusal(error.refusal)} " + (
                "What you typed is still below: correct it and save again."
            )
            request.digest_items_refused = error  # type: ignore[attr-defined]
        else:
            said = f"Nothing was saved: {refusal(error)}"
        self.message_user(request, said, messages.ERROR)
        return super().change_view(request, object_id, form_url, context)

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool
    ) -> None:
        # The admin's change message reads these; the service did the saving. One Save is one
        # call, every row or none: row by row, a row refused after others were saved left half
        # an edit stored under an error.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        changes = [
            services.ItemChange(
                item_id=item_form.instance.pk,
                headline=item_form.cleaned_data.get("headline"),
                summary=item_form.cleaned_data.get("summary"),
                position=item_form.cleaned_data.get("position"),
                pinned=item_form.cleaned_data.get("pinned"),
                dropped=item_form.cleaned_data.get("dropped"),
                topics=_topics_changed(item_form),
            )
            for item_form in formset.forms
            if item_form.has_changed() and item_form.instance.pk is not None
        ]
        if not changes:
            return
        try:
            services.digest_items_update(
                digest_id=form.instance.pk, changes=changes, seen=request.POST.get("_seen")
            )
        except DomainError as exc:
            raise _SaveRefused(exc) from exc
        # Stored: the history says which rows changed and how ("Changed Headline for digest
        # item …"); it said "No fields changed." of every Save, a rewritten headline included.
        changed = [
            item_form
            for item_form in formset.forms
            if item_form.has_changed() and item_form.instance.pk is not None
        ]
        stored = DigestItem.objects.in_bulk([item_form.instance.pk for item_form in changed])
        formset.changed_objects = [
            (stored.get(item_form.instance.pk, item_form.instance), item_form.changed_data)
            for item_form in changed
        ]

    def save_model(self, request: HttpRequest, obj: Digest, form: Any, change: bool) -> None:
        return None  # the digest's own fields are read-only; its items are saved above

    def response_change(self, request: HttpRequest, obj: Digest) -> HttpResponse:
        # The review screen's own buttons: the edits are saved by now; then the button's action,
        # and back to the page.
        back_to = reverse("admin:digests_digest_change", args=[obj.pk])
        if plain_id(request.GET.get("stories", "")):  # the page of stories it was pressed on
            back_to += f"?stories={request.GET['stories']}"
        back = HttpResponseRedirect(back_to)
        for button, action in (("_approve", self.approve), ("_rebuild", self.rebuild)):
            if button in request.POST:
                action(request, Digest.objects.filter(pk=obj.pk))
                return back
        if "_pull" in request.POST:
            self.pull(request, obj, str(request.POST["_pull"]))
            return back
        return super().response_change(request, obj)

    @admin.action(description="Approve for sending")
    def approve(self, request: HttpRequest, queryset: QuerySet[Digest]) -> None:
        for digest in queryset:
            already = digest.state == Digest.State.APPROVED
            approved = self._run(
                request,
                services.digest_approve,
                digest_id=digest.pk,
                by=request.user.get_username(),
            )
            if approved is None:
                continue  # _run said why
            if already:
                self.message_user(request, f"{approved} was already approved.", messages.INFO)
            else:
                self.message_user(request, f"Approved {approved} for sending.")

    @admin.action(description="Rebuild the draft (keeps pins, drops and edits)")
    def rebuild(self, request: HttpRequest, queryset: QuerySet[Digest]) -> None:
        for digest in queryset:
            if digest.state != Digest.State.DRAFT:
                self.message_user(request, services.not_rebuilt(digest), messages.WARNING)
                continue
            built = self._run(
                request, services.digest_build, edition_id=digest.edition_id, day=digest.date
            )
            if built is not None:
                self.message_user(request, f"Rebuilt {built}: {built.items.count()} stories.")

    @admin.action(description="Send a test to me")
    def send_test(self, request: HttpRequest, queryset: QuerySet[Digest]) -> None:
        # The test send is delivery's: the same builder and channel as a real send. Imported
        # here, at the edge, because delivery depends on digests and not the other way round.
        from headlines.delivery.services import delivery_send_test

        to = getattr(request.user, "email", "")
        for digest in queryset:
            result = self._run(request, delivery_send_test, digest_id=digest.pk, to=to)
            if result is not None:
                level = messages.SUCCESS if result.verdict == "sent" else messages.ERROR
                self.message_user(request, f"Test of {digest} to {to}: {result.text}", level)

    def _run(self, request: HttpRequest, service: Any, **kwargs: Any) -> Any:
        try:
            return service(**kwargs)
        except DomainError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None


def _sent(digest: Digest) -> set[int]:
    """The ids of the items that go out: the first `max_stories` not left out."""
    items = digest.items.filter(dropped=False).order_by("position", "id")
    return set(items.values_list("pk", flat=True)[: digest.edition.max_stories])


def _statuses(digest: Digest) -> dict[int, str]:
    """Story id → where it stands in the digest: sent, in the reserve, or left out."""
    status = {}
    sent = 0
    for item in digest.items.order_by("position", "id"):
        if item.story_id is None:
            continue
        if item.dropped:
            status[item.story_id] = "left out"
        elif sent < digest.edition.max_stories:
            status[item.story_id] = "in the digest"
            sent += 1
        else:
            status[item.story_id] = "in the reserve"
    return status


def _story_pages(page: Page) -> str:
    """Where the page is in the day's stories ("Stories 101-200 of 20,000"), with links to the
    first, previous, next and last pages (`?stories=N`)."""
    count = page.paginator.count
    said = (
        format_html("Stories {}-{} of {}", page.start_index(), page.end_index(), f"{count:,}")
        if page.has_other_pages()
        else format_html("{} {}", count, "story" if count == 1 else "stories")
    )
    links = [
        format_html('<a href="?stories={}">{}</a>', number, text)
        for number, text, shown in (
            (1, "First", page.number > 2),
            (page.number - 1, "Previous", page.has_previous()),
            (page.number + 1, "Next", page.has_next()),
            (page.paginator.num_pages, "Last", page.number < page.paginator.num_pages - 1),
        )
        if shown
    ]
    return format_html(
        '<p class="day-stories-pages">{} {}</p>',
        said,
        format_html_join(" · ", "{}", ((link,) for link in links)),
    )


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("headline", "edition", "day", "rank", "score", "source_count", "developed")
    list_filter = ("edition", "developed")
    search_fields = ("headline",)
    date_hierarchy = "day"
    raw_id_fields = ("articles", "continues")
    # Named, so that the page is laid out without building a form of every field to find them.
    fields = (
        "edition", "day", "rank", "headline", "summary", "topics", "source_names", "url",
        "image_url", "score", "developed", "elsewhere", "continues", "source_count",
        "article_count", "latest_at", "articles",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # stories are made by clustering, not typed in

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Shown, not changed: a rebuild makes the day's stories anew (an edit here was lost
        # with it), and a field typed here was checked by nothing (topics saved as `5` broke
        # the digest's review screen). The editor's words go in the digest's items.
        return False


@admin.register(RelevanceTerm)
class RelevanceTermAdmin(admin.ModelAdmin):
    list_display = ("term", "edition", "weight")
    list_filter = ("edition",)


class TopicForm(forms.ModelForm):
    """A topic held to `topic add`'s rules (stories.topics), its sections typed as the command
    takes them: a slug saved here with a capital (`World`) was one no reader, import or digest
    item could choose, and sections typed as JSON that is not a list of words (`5`) crashed
    `topic list` and the digest build."""

    sections = forms.CharField(
        required=False,
        help_text="Article sections and feed categories that mean this topic, comma-separated.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["sections"] = ", ".join(self.instance.sections or [])

    def clean_slug(self) -> str:
        return checked(slug_clean, str(self.cleaned_data.get("slug") or ""))

    def clean_name(self) -> str:
        return checked(topics.topic_name_clean, str(self.cleaned_data.get("name") or ""))

    def clean_sections(self) -> list[str]:
        typed = str(self.cleaned_data.get("sections") or "").split(",")
        return checked(topics.topic_sections_clean, [s for s in typed if s.strip()])


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    form = TopicForm
    list_display = ("name", "slug", "edition", "order", "sections")
    list_filter = ("edition",)
    ordering = ("edition", "order")

    # Deleting a topic here takes it out of readers' choices too, as `headlines topic remove`.
    def delete_model(self, request: HttpRequest, obj: Topic) -> None:
        with transaction.atomic():
            choices.forget(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Topic]) -> None:
        with transaction.atomic():
            for topic in queryset:
                choices.forget(topic)
