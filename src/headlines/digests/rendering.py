"""A digest as email HTML, plain text and web page: rendered once, personalised by substitution.

Article-derived text reaches the templates as plain text only (stories.text.plain strips every
tag with nh3) and the templates escape it; links pass `safe_url` (http and https only). So a
hostile feed's script, event handlers, forms, `javascript:` links or CSS expressions can only
ever appear as visible, escaped characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from headlines.core.models import Edition
from headlines.digests.models import (
    OPEN_PLACEHOLDER,
    PREFERENCES_PLACEHOLDER,
    READER_PLACEHOLDER,
    UNSUBSCRIBE_PLACEHOLDER,
    Digest,
    DigestItem,
)
from headlines.stories import text as textlib
from headlines.stories.assembly import safe_url

SUBJECT_MAX = 150
PREHEADER_MAX = 140


@cache
def _inliner() -> Any:
    import css_inline  # only a process that renders an email loads it

    # Remote stylesheets are never fetched: our CSS is all inline in the template.
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


@dataclass(frozen=True)
class ItemView:
    headline: str
    summary: str
    url: str
    image_url: str
    sources: Sequence[str]
    developing: bool
    link: str = ""  # in emails: the signed redirect that counts clicks per story (engagement)
    topics: Sequence[str] = ()

    @property
    def sources_line(self) -> str:
        names = list(self.sources)
        if not names:
            return ""
        if len(names) == 1:
            return f"Reported by {names[0]}"
        if len(names) <= 3:
            return f"Reported by {', '.join(names[:-1])} and {names[-1]}"
        return f"Reported by {', '.join(names[:3])} and {len(names) - 3} more"


# A word joiner (U+2060, invisible and unbreakable) between two opening brackets of a story's
# own words: a feed's title "Why [[unsubscribe_url]] matters" was filled in with each reader's
# own link at send time, and "[[open_pixel]]" in a summary put our open pixel in the story text.
_OPENING = "[["
_INERT = "[\u2060["


def inert(text: str) -> str:
    """`text` with nothing `personalise` (or delivery's per-reader step) would fill in."""
    return text.replace(_OPENING, _INERT)


def item_view(item: DigestItem) -> ItemView:
    return ItemView(
        headline=inert(textlib.plain(item.headline)),
        summary=inert(textlib.plain(item.summary)),
        url=safe_url(item.url),
        image_url=safe_url(item.image_url),
        sources=[inert(textlib.plain(str(s))) for s in (item.source_names or [])][:20],
        developing=bool(item.story_id and item.story and item.story.continues_id),
        topics=tuple(item.topics or ()),
    )


def _visible(digest: Digest, count: int | None = None) -> list[DigestItem]:
    """The items not dropped, in the editor's order: the first `count`, else max_stories."""
    items = digest.items.filter(dropped=False).select_related("story").order_by("position", "id")
    return list(items[: digest.edition.max_stories if count is None else count])


def visible_items(digest: Digest) -> list[ItemView]:
    """What readers get: the items not dropped, in the editor's order, as many as its email
    carries (at most max_stories when it was rendered, whatever the edition's is now)."""
    return visible_items_of([digest])[digest.pk]


def visible_items_of(digests: Sequence[Digest]) -> dict[int, list[ItemView]]:
    """`visible_items` of several digests (the feed's thirty) by digest id, in one read (one
    read a digest made the feed 32 statements)."""
    found: dict[int, list[ItemView]] = {digest.pk: [] for digest in digests}
    carried = {
        digest.pk: digest.edition.max_stories if digest.story_count is None else digest.story_count
        for digest in digests
    }
    items = (
        DigestItem.objects.filter(digest_id__in=list(found), dropped=False)
        .select_related("story")
        .order_by("digest_id", "position", "id")
    )
    for item in items:
        views = found[item.digest_id]
        if len(views) < carried[item.digest_id]:
            views.append(item_view(item))
    return found


def email_items(digest: Digest, items: Sequence[DigestItem] | None = None) -> list[ItemView]:
    """The email's items (the visible ones by default): each link goes through the click
    redirect, the same for every reader (engagement counts clicks per story and digest, never
    per reader)."""
    from headlines.engagement.links import click_url

    views = []
    for item in _visible(digest) if items is None else items:
        view = item_view(item)
        link = click_url(digest_id=digest.pk, item_id=item.pk) if view.url else ""
        link = link and link + READER_PLACEHOLDER
        views.append(replace(view, link=link))
    return views


def web_url(digest: Digest) -> str:
    path = reverse("digests:digest", args=[digest.edition.slug, f"{digest.date:%Y-%m-%d}"])
    return f"{settings.BASE_URL}{path}"


def archive_url(edition: Edition) -> str:
    return f"{settings.BASE_URL}{reverse('digests:edition', args=[edition.slug])}"


def subject_for(edition: Edition, items: Sequence[ItemView]) -> str:
    if not items:
        return f"{edition.name}: tonight's digest"
    return textlib.truncate(f"{edition.name}: {items[0].headline}", SUBJECT_MAX)


def preheader_for(items: Sequence[ItemView]) -> str:
    if len(items) < 2:
        return "Your daily guide to the latest news."
    return textlib.truncate(
        "Also tonight: " + "; ".join(i.headline for i in items[1:4]), PREHEADER_MAX
    )


def context(
    digest: Digest,
    items: Sequence[ItemView],
    *,
    chosen: Sequence[str] = (),
    also: Sequence[ItemView] = (),
) -> dict[str, Any]:
    return {
        "chosen": chosen,
        "also": also,
        "digest": digest,
        "edition": digest.edition,
        "day": digest.date,
        "items": items,
        "subject": digest.subject,
        "preheader": digest.preheader,
        "web_url": web_url(digest),
        "archive_url": archive_url(digest.edition),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "preferences_url": PREFERENCES_PLACEHOLDER,
        "open_pixel": OPEN_PLACEHOLDER,
    }


def render(digest: Digest) -> tuple[str, str, str, str]:
    """(subject, preheader, html, text) of `digest` from its items (and its story_count set)."""
    items = email_items(digest)
    digest.story_count = len(items)
    digest.subject = subject_for(digest.edition, items)
    digest.preheader = preheader_for(items)
    ctx = context(digest, items)
    html = _inliner().inline(render_to_string("digests/email/digest.html", ctx))
    text = render_to_string("digests/email/digest.txt", ctx).strip() + "\n"
    return digest.subject, digest.preheader, html, text


def personalise(body: str, *, unsubscribe_url: str, preferences_url: str) -> str:
    """The cheap per-reader step: swap the placeholders for the reader's links (and, here,
    nothing per reader for engagement: a test send or a preview is nobody's)."""
    return (
        body.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url)
        .replace(PREFERENCES_PLACEHOLDER, preferences_url)
        .replace(READER_PLACEHOLDER, "")
        .replace(OPEN_PLACEHOLDER, "")
    )


ALSO_TODAY = 3  # top stories outside a reader's topics, so nobody gets an empty email


def segment_items(digest: Digest, topics: Sequence[str]) -> tuple[list[ItemView], list[ItemView]]:
    """A reader's items: their topics' stories in the editor's order, then "Also today" — at
    most three top stories outside them. No topics: the whole digest and nothing else."""
    if not topics:
        return email_items(digest), []
    wanted = set(topics)
    pool = email_items(
        digest,
        list(digest.items.filter(dropped=False).select_related("story").order_by("position", "id")),
    )
    mine = [i for i in pool if wanted & set(i.topics)][: digest.edition.max_stories]
    also = [i for i in pool if not wanted & set(i.topics)][:ALSO_TODAY]
    return mine, also


def render_segment(
    digest: Digest, topics: Sequence[str], names: Sequence[str]
) -> tuple[str, str, str]:
    """(subject, html, text) for the readers who chose `topics` (named `names`), with the same
    per-reader placeholders as the whole digest: every reader of a segment shares this body. The
    subject leads with their first story (or the top story when none is in their topics)."""
    mine, also = segment_items(digest, topics)
    ctx = context(digest, mine, chosen=names, also=also)
    html = _inliner().inline(render_to_string("digests/email/digest.html", ctx))
    text = render_to_string("digests/email/digest.txt", ctx).strip() + "\n"
    return subject_for(digest.edition, [*mine, *also]), html, text
