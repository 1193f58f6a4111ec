"""An Atom feed per edition: each published digest, with the same stories as the email."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, SyndicationFeed

from headlines.core.errors import NotFound
from headlines.core.models import Edition
from headlines.digests import rendering, selectors
from headlines.digests.models import Digest

# Characters XML 1.0 does not allow (its `Char`). Plain text keeps U+FFFE and U+FFFF (a JSON or
# HTML source's title may carry them, and a page shows them), but one in the feed made it
# unreadable to every feed reader; Django refuses only the C0 controls, with a 500.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


@dataclass(frozen=True)
class Entry:
    """One digest of the feed with the stories its email carried."""

    digest: Digest
    items: list[rendering.ItemView]


class EditionFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Edition:
        try:
            return selectors.edition_public(slug=slug)
        except NotFound:
            raise Http404("no such edition") from None

    def get_feed(self, obj: Edition, request: HttpRequest) -> SyndicationFeed:
        # Django's feed takes its language from a class attribute (else the site's): the
        # edition's own, as its pages have it. The instance serves every request: not set there.
        feed = super().get_feed(obj, request)
        feed.feed["language"] = obj.language or "en"
        return feed

    def title(self, obj: Edition) -> str:
        return _xml(obj.name)

    def subtitle(self, obj: Edition) -> str:
        return _xml(f"{obj.name}: your daily guide to the latest news")

    def link(self, obj: Edition) -> str:
        return rendering.archive_url(obj)

    # At HEADLINES_BASE_URL like every other link, not at the request's own scheme and Host
    # (Django's default): behind a TLS-terminating proxy that said http://, or the inner host.
    def feed_url(self, obj: Edition) -> str:
        return f"{settings.BASE_URL}{reverse('digests:feed', args=[obj.slug])}"

    # RFC 4287 §4.1.1: a feed whose entries carry no author must name one itself. The digest is
    # written by the newsroom that sends it, so the edition's sender name (else its own name).
    def author_name(self, obj: Edition) -> str:
        return _xml(obj.from_name or obj.name)

    def author_link(self, obj: Edition) -> str:
        return rendering.archive_url(obj)

    def items(self, obj: Edition) -> list[Entry]:
        # Without their rendered bodies (the entry is made from the items), and the thirty
        # digests' items in one read.
        digests = list(selectors.digests_listed(edition_id=obj.pk)[:30])
        items = rendering.visible_items_of(digests)
        return [Entry(digest, items[digest.pk]) for digest in digests]

    def item_title(self, item: Entry) -> str:
        return _xml(item.digest.subject)

    def item_description(self, item: Entry) -> str:
        return _xml(render_to_string("digests/feed_item.html", {"items": item.items}))

    def item_link(self, item: Entry) -> str:
        return rendering.web_url(item.digest)

    def item_guid(self, item: Entry) -> str:
        return rendering.web_url(item.digest)

    def item_pubdate(self, item: Entry) -> dt.datetime:
        digest = item.digest
        if digest.sending_started_at:
            return digest.sending_started_at
        zone = zoneinfo.ZoneInfo(digest.edition.timezone)
        return dt.datetime.combine(digest.date, digest.edition.send_at, tzinfo=zone)

    def item_updateddate(self, item: Entry) -> dt.datetime:
        return item.digest.sent_at or self.item_pubdate(item)
