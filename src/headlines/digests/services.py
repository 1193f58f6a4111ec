"""Writes on digests. The state machine is draft → approved → sending → sent."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F

from headlines.core import clock, events
from headlines.core.errors import Conflict, DomainError, InvalidInput, NotFound
from headlines.core.models import Edition
from headlines.digests import assembly, rendering, selectors
from headlines.digests.models import Digest, DigestItem
from headlines.stories import selectors as story_selectors
from headlines.stories import services as story_services
from headlines.stories import text as textlib
from headlines.stories.models import Story
from headlines.stories.topics import topic_slugs_clean

State = Digest.State
log = logging.getLogger(__name__)

# A digest is for a real news day: not before the epoch, not more than a year ahead.
EARLIEST_DAY = dt.date(1970, 1, 1)
FUTURE_DAYS = 366


def _locked(digest_id: int) -> Digest:
    try:
        return Digest.objects.select_for_update().get(pk=digest_id)
    except Digest.DoesNotExist:
        raise NotFound(f"no digest {digest_id}") from None


@transaction.atomic
def digest_approve(*, digest_id: int, by: str = "") -> Digest:
    """Approve a draft for sending. Approving an approved digest changes nothing."""
    digest = _locked(digest_id)
    if digest.state == State.APPROVED:
        return digest
    if digest.state != State.DRAFT:
        raise Conflict(
            f"{digest} is {digest.get_state_display().lower()}; only a draft is approved"
        )
    if not digest.html or not digest.text:
        raise Conflict(f"{digest} has not been rendered; build it before approving")
    if not selectors.digest_has_stories(digest=digest):
        raise Conflict(
            f"{digest} has no stories to send (no articles in its window, or every story "
            "dropped): nobody is mailed an empty digest; rebuild it once articles have "
            "arrived, or keep a story"
        )
    digest.state = State.APPROVED
    digest.approved_at = clock.now()
    digest.approved_by = by[:150]
    digest.save(update_fields=["state", "approved_at", "approved_by"])
    _publish(events.DIGEST_APPROVED, digest)
    return digest


def _publish(event_type: str, digest: Digest) -> None:
    events.publish(
        event_type,
        {
            "digest_id": digest.pk,
            "edition": digest.edition.slug,
            "date": digest.date.isoformat(),
            "subject": digest.subject,
        },
    )


@transaction.atomic
def digest_mark_sending(*, digest_id: int) -> Digest:
    """Freeze an approved digest: from here on its content no longer changes."""
    digest = _locked(digest_id)
    if digest.state in (State.SENDING, State.SENT):
        return digest
    if digest.state != State.APPROVED:
        raise Conflict(f"{digest} must be approved before it is sent")
    digest.state = State.SENDING
    digest.sending_started_at = clock.now()
    digest.save(update_fields=["state", "sending_started_at"])
    return digest


@transaction.atomic
def digest_mark_sent(*, digest_id: int) -> Digest:
    digest = _locked(digest_id)
    if digest.state == State.SENT:
        return digest
    if digest.state != State.SENDING:
        raise Conflict(f"{digest} is not sending")
    digest.state = State.SENT
    digest.sent_at = clock.now()
    digest.save(update_fields=["state", "sent_at"])
    _publish(events.DIGEST_SENT, digest)
    return digest


# --- building and editing (the digest work) -----------------------------------------------------


def _edition(edition_id: int) -> Edition:
    try:
        return Edition.objects.get(pk=edition_id)
    except Edition.DoesNotExist:
        raise NotFound(f"no edition {edition_id}") from None


def _render_into(digest: Digest) -> Digest:
    digest.subject, digest.preheader, digest.html, digest.text = rendering.render(digest)
    digest.built_at = clock.now()
    digest.save(update_fields=["subject", "preheader", "html", "text", "story_count", "built_at"])
    return digest


def digest_build(*, edition_id: int, day: dt.date | None = None) -> Digest:
    """Build (or rebuild) the edition's draft for `day` (edition-local; None: today there).

    An approved, sending or sent digest is returned untouched. A rebuild keeps the editor's pins,
    drops and edited words for the stories they were about.
    """
    edition = _edition(edition_id)
    today = story_selectors.edition_today(edition=edition)
    day = day or today
    if not EARLIEST_DAY <= day <= today + dt.timedelta(days=FUTURE_DAYS):
        raise InvalidInput(
            f"no digest can be built for {day.isoformat()}: the day must be between "
            f"{EARLIEST_DAY:%Y-%m-%d} and {FUTURE_DAYS} days from today",
            field="day",
        )
    with transaction.atomic():
        digest, _ = Digest.objects.get_or_create(edition=edition, date=day)
    if digest.state != State.DRAFT:
        return selectors.digest_get(digest_id=digest.pk)
    # The slow part (clustering, summaries) only reads: it runs outside the transaction, so the
    # write lock is held just for the short store-and-render below.
    from headlines.stories import planning  # numpy and scikit-learn: only when building

    drafts = planning.drafts(edition=edition, day=day)
    with transaction.atomic():
        digest = Digest.objects.select_for_update().select_related("edition").get(pk=digest.pk)
        if digest.state != State.DRAFT:
            return digest  # approved while we were planning: left alone
        kept = assembly.decisions(digest)
        stories = story_services.stories_build(edition_id=edition.pk, day=day, drafts=drafts)
        digest.items.all().delete()
        DigestItem.objects.bulk_create(assembly.items_for(digest, stories, kept))
        return _render_into(digest)


def not_rebuilt(digest: Digest) -> str:
    """Why `digest_build` left a digest past its draft as it was, in the editor's words (the
    review screen's message and `digest build`'s note say the same)."""
    why: dict[str, str] = {
        State.APPROVED: "it is approved; only a draft can be rebuilt",
        State.SENDING: "it is being sent; readers are receiving this version",
        State.SENT: "it has been sent; readers already have this version",
    }
    reason = why.get(digest.state, f"it is {digest.get_state_display().lower()}")
    return f"{digest} was not rebuilt: {reason}."


@transaction.atomic
def digest_render(*, digest_id: int) -> Digest:
    """Render a draft again from its items (after an editor's changes)."""
    digest = _locked(digest_id)
    if digest.state != State.DRAFT:
        raise Conflict(f"{digest} is {digest.get_state_display().lower()}; only a draft changes")
    return _render_into(digest)


SUMMARY_MAX = 1000  # characters of an item's summary, as an editor may write it
HEADLINE_MAX = 300  # characters of an item's headline (its column's length)


def item_headline_clean(headline: str) -> str:
    """An editor's headline as it is stored (plain text: markup taken out), or InvalidInput
    saying why: none at all, nothing left once the markup is out (`<b></b>`), too long."""
    clean = textlib.plain(headline)
    if not clean:
        if not headline.strip():
            raise InvalidInput("a headline cannot be empty", field="headline")
        raise InvalidInput(
            f"the headline {headline[:60]!r} has no words once its markup is taken out "
            "(a headline is plain text): type the headline's words",
            field="headline",
        )
    if len(clean) > HEADLINE_MAX:
        raise InvalidInput(
            f"a headline is at most {HEADLINE_MAX} characters (this one is {len(clean)})",
            field="headline",
        )
    return clean


def item_summary_clean(summary: str) -> str:
    """An editor's summary as it is stored (plain text), or InvalidInput when too long."""
    clean = textlib.plain(summary)
    if len(clean) > SUMMARY_MAX:
        raise InvalidInput(
            f"a summary is at most {SUMMARY_MAX} characters (this one is {len(clean)})",
            field="summary",
        )
    return clean


@dataclass(frozen=True)
class ItemChange:
    """An editor's change to one item; None leaves that part as it is."""

    item_id: int
    headline: str | None = None
    summary: str | None = None
    position: int | None = None
    pinned: bool | None = None
    dropped: bool | None = None
    topics: list[str] | None = None


class ItemRefused(DomainError):
    """One item's change of several was refused, and so none of them was stored. `refusal` is
    the service's own error (its `field`, when it names one, is the item's)."""

    def __init__(self, item_id: int, refusal: DomainError) -> None:
        super().__init__(str(refusal))
        self.item_id = item_id
        self.refusal = refusal
        self.field: str | None = getattr(refusal, "field", None)


@transaction.atomic
def digest_item_update(
    *,
    item_id: int,
    headline: str | None = None,
    summary: str | None = None,
    position: int | None = None,
    pinned: bool | None = None,
    dropped: bool | None = None,
    topics: list[str] | None = None,
) -> DigestItem:
    """An editor's change to one item of a draft; the draft is rendered again. Changed topics
    count as an edit: a rebuild keeps them."""
    try:
        item = DigestItem.objects.select_related("digest").get(pk=item_id)
    except DigestItem.DoesNotExist:
        raise NotFound(f"no digest item {item_id}") from None
    digest = _draft_locked(item.digest_id)
    change = ItemChange(item_id, headline, summary, position, pinned, dropped, topics)
    _item_apply(digest, item, change)
    _render_into(digest)
    return item


class Stale(Conflict):
    """The draft changed after the editor's page was made: their Save would undo what another
    editor (or a rebuild, or a story pulled in) did since."""


@transaction.atomic
def digest_items_update(
    *, digest_id: int, changes: Sequence[ItemChange], seen: str | None = None
) -> Digest:
    """An editor's Save of several items of a draft: every change is stored, or none is (the
    first refused one raises ItemRefused naming its item). The draft is rendered once.
    `seen`, when given, is the fingerprint of the page the editor saved from
    (`selectors.digest_seen`): checked under the draft's lock, so that of two Saves from one
    page at the same instant the second raises Stale rather than undoing the first."""
    digest = _draft_locked(digest_id)
    if seen is not None and selectors.digest_seen(digest_id=digest_id) != seen:
        raise Stale(f"{digest} changed after this page was opened")
    items = DigestItem.objects.in_bulk([c.item_id for c in changes if c.item_id])
    for change in changes:
        item = items.get(change.item_id)
        if item is None or item.digest_id != digest.pk:
            raise ItemRefused(change.item_id, NotFound(f"{digest} has no item {change.item_id}"))
        try:
            _item_apply(digest, item, change)
        except DomainError as exc:
            raise ItemRefused(item.pk, exc) from exc
    return _render_into(digest)


def _draft_locked(digest_id: int) -> Digest:
    digest = _locked(digest_id)
    if digest.state != State.DRAFT:
        raise Conflict(f"{digest} is {digest.get_state_display().lower()}; only a draft changes")
    return digest


def _item_apply(digest: Digest, item: DigestItem, change: ItemChange) -> None:
    """Check one change and save it into `item` (the caller renders the draft)."""
    if change.headline is not None:
        clean = item_headline_clean(change.headline)
        item.edited = item.edited or clean != item.headline
        item.headline = clean
    if change.summary is not None:
        clean = item_summary_clean(change.summary)
        item.edited = item.edited or clean != item.summary
        item.summary = clean
    if change.position is not None:
        if change.position < 1:
            raise InvalidInput("positions start at 1", field="position")
        item.position = change.position
    if change.topics is not None:
        clean_topics = topic_slugs_clean(edition_id=digest.edition_id, slugs=change.topics)
        item.edited = item.edited or clean_topics != list(item.topics or [])
        item.topics = clean_topics
    item.pinned = item.pinned if change.pinned is None else change.pinned
    item.dropped = item.dropped if change.dropped is None else change.dropped
    item.save()


@transaction.atomic
def digest_story_pull(*, digest_id: int, story_id: int) -> DigestItem:
    """An editor pulls one of the day's stories into a draft: it goes out, pinned at the last
    place that is sent (items from there on move one down), and the draft is rendered again."""
    digest = _locked(digest_id)
    if digest.state != State.DRAFT:
        raise Conflict(f"{digest} is {digest.get_state_display().lower()}; only a draft changes")
    story = Story.objects.filter(pk=story_id, edition_id=digest.edition_id, day=digest.date).first()
    if story is None:
        raise NotFound(f"no story {story_id} of {digest}")
    sent = list(
        digest.items.filter(dropped=False)
        .exclude(story_id=story.pk)
        .order_by("position", "id")
        .values_list("position", flat=True)[: digest.edition.max_stories]
    )
    full = len(sent) >= digest.edition.max_stories
    place = sent[-1] if full else (sent[-1] + 1 if sent else 1)
    digest.items.filter(position__gte=place).exclude(story_id=story.pk).update(
        position=F("position") + 1
    )
    item = digest.items.filter(story_id=story.pk).first() or DigestItem(
        digest=digest,
        story=story,
        headline=story.headline,
        summary=story.summary,
        url=story.url,
        image_url=story.image_url,
        source_names=story.source_names,
        topics=list(story.topics or []),
    )
    item.position, item.pinned, item.dropped = place, True, False
    item.save()
    _render_into(digest)
    return item


def digests_assemble_due() -> list[int]:
    """The periodic job's body: build drafts whose review window opened; approve at send time.

    Safe to run any number of times and on several machines: building only happens while no
    digest exists, approving only a draft. Tomorrow is looked at too, for editions whose review
    window opens before midnight (a 00:30 send time), and yesterday, for those whose send time
    is just before it (23:59): a tick that comes after midnight still approves it while the
    readers' window is open.
    """
    touched = []
    now = clock.now()
    for edition in Edition.objects.filter(enabled=True):
        today = story_selectors.edition_today(edition=edition)
        for day in (today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)):
            digest_id = _assemble(edition, day, now)
            if digest_id is not None:
                touched.append(digest_id)
    return touched


def _assemble(edition: Edition, day: dt.date, now: dt.datetime) -> int | None:
    send = story_selectors.send_time(edition=edition, day=day)
    if now < send - dt.timedelta(minutes=edition.review_window_minutes):
        return None
    digest = selectors.digest_for(edition_id=edition.pk, day=day)
    if digest is not None and (digest.state != State.DRAFT or not edition.auto_approve):
        return None  # nothing left for the job: it is going out, or waits for an editor
    if now > send + _send_window() and not _readers_still_due(edition, day, now):
        return None  # past every reader's window nothing can go out: no late digest is made
    touched = None
    if digest is None:
        digest = digest_build(edition_id=edition.pk, day=day)
        touched = digest.pk
    if now >= send and edition.auto_approve and digest.state == State.DRAFT:
        if digest_empty_and_outdated(digest=digest):
            digest = digest_build(edition_id=edition.pk, day=day)
            touched = digest.pk
        if not selectors.digest_has_stories(digest=digest):
            _warn_empty(digest)
            return touched
        digest_approve(digest_id=digest.pk, by="auto-approve at send time")
        touched = digest.pk
    return touched


def _send_window() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.CONFIG["HEADLINES_SEND_WINDOW_HOURS"]))


def _readers_still_due(edition: Edition, day: dt.date, now: dt.datetime) -> bool:
    """Is some reader's window for the day's digest still open? Readers west of the edition
    (New York for London) are due hours after its send time: a machine that slept through the
    edition's own evening still owes them the digest."""
    # The audience decides who is due when (delivery fills its ledger from the same rule);
    # read lazily, and only once the edition's own window has closed on a digest not yet out.
    from headlines.subscriptions.audience import audience_last_due

    last = audience_last_due(edition=edition, day=day)
    return last is not None and now <= last + _send_window()


def digest_empty_and_outdated(*, digest: Digest) -> bool:
    """A draft to build again before it is sent: it was never rendered, or it has no story at
    all (nothing of an editor's to lose) and articles of its window arrived since it was built
    (a new edition's first day, feeds that came back late). Once rebuilt it is not rebuilt
    again until more arrive."""
    if digest.state != State.DRAFT:
        return False
    if digest.built_at is None or not digest.html:
        return True
    if digest.items.exists():
        return False
    start, end = story_selectors.digest_window(edition=digest.edition, day=digest.date)
    window = story_selectors.articles_in_window(edition_id=digest.edition_id, start=start, end=end)
    return window.filter(created_at__gt=digest.built_at).exists()


# Digests this process has said it leaves unsent, so that each is said once, not every tick.
_said_empty: set[int] = set()


def _warn_empty(digest: Digest) -> None:
    if digest.pk in _said_empty:
        return
    _said_empty.add(digest.pk)
    log.warning(
        "%s has no stories at send time: not approved, nobody is mailed; check the edition's "
        "sources (`headlines ingest`), then rebuild and approve it in the admin",
        digest,
    )
