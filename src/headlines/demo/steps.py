"""The steps of `headlines run --demo`, each small, idempotent and callable on its own.

They call the other apps only through their public services (each app's `services.py`),
imported inside each step: the demo is the one place that wires every part of the path together.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, TextIO

from headlines.core import clock
from headlines.core.errors import DomainError
from headlines.core.models import Edition
from headlines.demo.server import NewsroomServer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoSource:
    name: str
    feed: str  # a key of NewsroomServer.feed_urls()
    editions: tuple[str, ...]
    weight: float


# One feed per outlet, each in another format, so every parser of intake gets used.
DEMO_SOURCES = (
    DemoSource("The Daily Meridian", "meridian.rss", ("us",), 1.0),
    DemoSource("The Thameside Chronicle", "chronicle.atom", ("uk",), 1.0),
    DemoSource("Harbour Wire", "wire.rss", ("us", "uk"), 0.8),
)


@dataclass(frozen=True)
class DemoReader:
    email: str
    name: str
    edition: str
    timezone: str = ""


DEMO_READERS = (
    DemoReader("ada.reader@example.com", "Ada Reader", "us"),
    DemoReader("grace.hopper@example.com", "Grace", "us", "America/Chicago"),
    DemoReader("miguel@example.com", "Miguel", "us", "America/Los_Angeles"),
    DemoReader("olivia.briggs@example.co.uk", "Olivia Briggs", "uk"),
    DemoReader("sam.patel@example.co.uk", "Sam", "uk"),
)


# How far back, and in what steps, `newsroom_moment` looks for the newsroom's moment.
MOMENT_LOOKBACK = dt.timedelta(hours=24)
MOMENT_STEP = dt.timedelta(minutes=15)


def newsroom_moment(*, editions: list[Edition], now: dt.datetime | None = None) -> dt.datetime:
    """The moment the newsroom dates its articles back from: `now`, or a moment of the last day
    that puts more of the newsroom's day into every edition's digest.

    The demo sends each edition's digest of today, whose window ends at the edition's send time.
    Run after one edition's evening (after 18:00 in London), today's window there is closed, and
    a newsroom dated back from `now` would leave its freshest reports, the evening's big story
    among them, to tomorrow's digest. So the moment is chosen, in MOMENT_STEP steps back from
    `now`, to hold the most of the day's articles (younger than DAY_HOURS) in the edition whose
    window holds the fewest; of equals, the latest. Never later than `now`: nothing is
    published in the future.
    """
    from headlines.demo.content import DAY_HOURS, load_articles
    from headlines.stories.selectors import digest_window, edition_today

    now = (now or clock.now()).astimezone(dt.UTC)
    if not editions:
        return now
    ages = [dt.timedelta(hours=a.age_hours) for a in load_articles() if a.age_hours < DAY_HOURS]
    windows = [digest_window(edition=e, day=edition_today(edition=e, at=now)) for e in editions]

    def held(moment: dt.datetime) -> int:
        return min(sum(start <= moment - age < end for age in ages) for start, end in windows)

    count = int(MOMENT_LOOKBACK / MOMENT_STEP)
    moments = [now - n * MOMENT_STEP for n in range(count + 1)]  # latest first
    return max(moments, key=held)  # the first, so the latest, of the best


def newsroom_start(*, port: int, now: dt.datetime | None = None) -> NewsroomServer:
    """Serve the newsroom on localhost: the port after the service's, or any free one.

    The wanted port is bound, not probed first: between a probe and the bind another program
    could take it. When it is taken (or there is no port after the service's), any free one.
    """
    if 0 < port < 65535:
        try:
            return NewsroomServer(host="127.0.0.1", port=port + 1, now=now).start()
        except OSError:
            pass
    return NewsroomServer(host="127.0.0.1", port=0, now=now).start()


def sources_ensure(*, newsroom: NewsroomServer, out: TextIO) -> list[Any]:
    """One intake source per outlet feed; re-runs find them and follow the newsroom's port."""
    from headlines.intake.models import Source
    from headlines.intake.services import source_create

    urls = newsroom.feed_urls()
    sources = []
    for wanted in DEMO_SOURCES:
        url = urls[wanted.feed]
        existing = Source.objects.filter(name=wanted.name).first()
        if existing is None:
            existing = source_create(
                name=wanted.name,
                kind="feed",
                url=url,
                editions=list(wanted.editions),
                language="en",
                weight=wanted.weight,
                is_local=True,
            )
        elif existing.url != url:
            # The newsroom moved to another free port since the last run; no intake service
            # edits a source's URL, and this is the demo's own source, so update it in place.
            Source.objects.filter(pk=existing.pk).update(url=url, etag="", last_modified="")
        sources.append(existing)
        out.write(f"  {wanted.name}: {url}\n")
    return sources


def sources_ingest(*, sources: list[Any], out: TextIO) -> None:
    from headlines.intake.fetching.http import FetchOptions, HttpFetcher
    from headlines.intake.services import source_ingest

    # The newsroom is our own server on loopback: the polite second between two requests to a
    # host would only make the newcomer wait. Everything else (robots.txt, limits, extraction,
    # scrubbing, de-duplication) is the real intake path.
    fetcher = HttpFetcher(FetchOptions.from_settings(host_delay=0.0))
    try:
        for source in sources:
            try:
                report = source_ingest(source_id=source.pk, fetcher=fetcher)
            except DomainError as exc:
                out.write(f"  {source.name}: not ingested: {exc}\n")
                continue
            out.write(f"  {source.name}: {_describe(report)}\n")
    finally:
        fetcher.close()


def digests_build(*, editions: list[Edition], out: TextIO) -> list[Any]:
    from headlines.digests.services import digest_build

    digests = []
    for edition in editions:
        try:
            digest = digest_build(edition_id=edition.pk)
        except DomainError as exc:
            out.write(f"  {edition.name}: no digest: {exc}\n")
            continue
        out.write(
            f"  {edition.name} for {digest.date:%A %d %B}: {digest.subject or '(untitled)'}\n"
        )
        digests.append(digest)
    return digests


def readers_ensure(*, editions: list[Edition], out: TextIO) -> int:
    """A few confirmed demo readers. A reader who is already there is left as they are."""
    from headlines.subscriptions.services import (
        subscription_import_confirmed,
    )

    by_slug = {e.slug: e for e in editions}
    consent_at: dt.datetime = clock.now()
    created = 0
    for reader in DEMO_READERS:
        edition = by_slug.get(reader.edition)
        if edition is None:
            continue
        try:
            subscription_import_confirmed(
                email=reader.email,
                edition_id=edition.pk,
                consent_source="demo",
                consent_at=consent_at,
                timezone=reader.timezone,
                name=reader.name,
            )
            created += 1
        except DomainError as exc:
            log.info("demo reader %s not imported: %s", reader.email, exc)
    out.write(f"  {created} of {len(DEMO_READERS)} demo readers confirmed\n")
    return created


def digests_deliver(*, digests: list[Any], out: TextIO) -> None:
    """Approve each draft (the editor's step, done for them) and send it into the outbox."""
    from headlines.delivery.services import delivery_send_now
    from headlines.digests.services import digest_approve

    for digest in digests:
        try:
            if digest.state == "draft":
                digest_approve(digest_id=digest.pk, by="demo")
            totals = delivery_send_now(digest_id=digest.pk)
        except DomainError as exc:
            out.write(f"  {digest}: not sent: {exc}\n")
            continue
        out.write(f"  {digest}: {_describe(totals)}\n")


def _describe(result: object) -> str:
    """A one-line account of a report or totals object (IngestReport, DigestProgress, a dict)."""
    if isinstance(result, dict):
        items = list(result.items())
    elif hasattr(result, "__dict__") or hasattr(result, "__dataclass_fields__"):
        names = getattr(result, "__dataclass_fields__", None) or vars(result)
        items = [(name, getattr(result, name)) for name in names]
    else:
        return str(result)
    parts = []
    for key, value in items:
        if key.startswith("_") or key.endswith("_id"):
            continue
        if isinstance(value, bool) or key in ("held_back", "cap"):
            continue  # the cap is said by the report's own note, below, only when it held some back
        if isinstance(value, int):
            parts.append(f"{key} {value}")
        elif isinstance(value, list):
            parts.append(f"{key} {len(value)}")
        elif key == "error" and value:
            parts.append(f"error: {value}")
    if note := getattr(result, "held_back_note", ""):  # an IngestReport whose cap held some back
        parts.append(note)
    return ", ".join(parts) or str(result)
