from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from headlines.core import selectors as core_selectors
from headlines.core.command import (
    HeadlinesCommand,
    parse_day,
    takes_any_text,
    unset_base_url_note,
)
from headlines.digests import rendering, selectors, services


class Command(HeadlinesCommand):
    help = (
        "Digests: `digest build --edition SLUG [--date YYYY-MM-DD] [--format text|html|json]` "
        "builds (or rebuilds) that day's draft and prints it. Approved or sent digests are "
        "printed as they are, never rebuilt."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="Build the edition's digest and print it.")
        build.add_argument("--edition", required=True, help="Edition slug, e.g. us.")
        build.add_argument("--date", default=None, help="Edition-local day (default: today).")
        build.add_argument(
            "--format", choices=["text", "html", "json"], default="text", help="Output format."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"])  # checked before anything is stored
        edition = core_selectors.edition_get(slug=options["edition"])
        digest = services.digest_build(edition_id=edition.pk, day=day)
        if digest.state != digest.State.DRAFT:
            # Printed as it stands: an editor who ran this to take in late articles read the
            # old digest as if it were the rebuilt one.
            self.stderr.write(f"note: {services.not_rebuilt(digest)} Printed as it is.")
        if note := unset_base_url_note():
            self.stderr.write(note)
        if options["format"] == "html":
            html = _preview(digest.html)
            if not takes_any_text(self.stdout):  # `LC_ALL=C`: the same page, in ASCII
                html = html.encode("ascii", "xmlcharrefreplace").decode("ascii")
            self.stdout.write(html)
        elif options["format"] == "json":
            items = [
                {
                    "position": item.position,
                    "headline": item.headline,
                    "summary": item.summary,
                    "url": item.url,
                    "sources": item.source_names,
                    "topics": list(item.topics or []),
                    "pinned": item.pinned,
                    "dropped": item.dropped,
                    "story_id": item.story_id,
                }
                for item in selectors.digest_items(digest=digest)
            ]
            payload = {
                "edition": edition.slug,
                "date": f"{digest.date:%Y-%m-%d}",
                "state": digest.state,
                "subject": digest.subject,
                "preheader": digest.preheader,
                "web_url": rendering.web_url(digest),
                "items": items,
            }
            self.stdout.write(self.json_text(payload, indent=2))
        else:
            self.stdout.write(f"Subject: {digest.subject}\n\n{_preview(digest.text)}")


def _preview(body: str) -> str:
    """The body as nobody in particular reads it: each reader's links named, not left as
    placeholders, and nothing per reader in the story links."""
    return rendering.personalise(
        body,
        unsubscribe_url="<the reader's own unsubscribe link>",
        preferences_url="<the reader's own preferences link>",
    )
