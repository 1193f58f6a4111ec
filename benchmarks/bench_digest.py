"""Build one edition's digest from 5,000 articles of one day (target: under 20 s, 2 cores).

Articles are made with the labelled set's generator (benchmarks/data/stories/generate.py):
about 900 invented events told by 3 to 8 invented sources each, in one edition's 24-hour window.
A second day of 5,000 articles, a third of them new reports on the first day's events, is built
next, so the time of finding continuations among the earlier day's stories is measured too.
Runs against a throwaway test database (Django's test database machinery), never a real one.

    .venv/bin/python -m benchmarks bench_digest
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import random
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks import django_setup

ARTICLES = 5000
GENERATOR = Path(__file__).parent / "data" / "stories" / "generate.py"
SEND = dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.UTC)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stories_generate", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


Event = tuple[str, str, dict[str, str]]  # (event id, kind, slots)


def _events(gen: ModuleType, rng: random.Random, start: int, count: int) -> list[Event]:
    events = []
    for k in range(start, start + count):
        kind = rng.choice(list(gen.KINDS))
        slots = gen._event(kind, k, rng)
        slots["town"] = f"{slots['town']} {k}"  # many more events than names: keep them apart
        events.append((str(k), kind, slots))
    return events


def _tell(gen: ModuleType, rng: random.Random, events: list[Event], n: int) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for event, kind, slots in events:
        for source in rng.sample(gen.SOURCES, k=rng.randint(3, 8)):
            rows.append({**gen._article(kind, slots, source, rng), "event": event})
        if len(rows) >= n:
            break
    return rows[:n]


def _store(rows: list[dict[str, str]], edition: Any, end: dt.datetime) -> None:
    from headlines.intake.models import Article, Source

    sources = {s.name: s for s in Source.objects.all()}
    for name in sorted({r["source"] for r in rows} - set(sources)):
        sources[name] = Source.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        sources[name].editions.add(edition)
    articles = Article.objects.bulk_create(
        [
            Article(
                source=sources[r["source"]],
                title=r["title"],
                text=r["text"],
                text_hash=hashlib.sha256(r["text"].encode()).hexdigest(),
                url=f"https://news.example/{end:%j}/{i}",
                published_at=end - dt.timedelta(minutes=1 + (i * 7) % (23 * 60)),
            )
            for i, r in enumerate(rows)
        ],
        batch_size=1000,
    )
    through = Article.editions.through
    through.objects.bulk_create(
        [through(article_id=a.pk, edition_id=edition.pk) for a in articles], batch_size=2000
    )
    for article, row in zip(articles, rows, strict=True):
        row["id"] = str(article.pk)


def _quality(rows: list[dict[str, str]], day: dt.date) -> float:
    from benchmarks.bench_clustering import bcubed
    from headlines.stories.models import Story

    event_of = {int(r["id"]): r["event"] for r in rows}
    pairs = Story.articles.through.objects.filter(story__day=day).values_list(
        "article_id", "story_id"
    )
    truth, predicted = zip(*((event_of[a], s) for a, s in pairs), strict=True)
    return bcubed(truth, predicted)[2]


def _continuations(rows: list[dict[str, str]], earlier: list[dict[str, str]], day: dt.date) -> str:
    """Precision and recall of `Story.continues`, by each story's majority event."""
    from collections import Counter

    from headlines.stories.models import Story

    event_of = {int(r["id"]): r["event"] for r in [*rows, *earlier]}
    majority: dict[int, str] = {}
    for story in Story.objects.prefetch_related("articles"):
        counts = Counter(event_of[a.pk] for a in story.articles.all())
        majority[story.pk] = counts.most_common(1)[0][0]
    before = {r["event"] for r in earlier}
    linked = right = should = found = 0
    for story in Story.objects.filter(day=day):
        event = majority[story.pk]
        should += event in before
        if story.continues_id:
            linked += 1
            hit = majority[story.continues_id] == event
            right += hit
            found += hit
    precision = right / linked if linked else 1.0
    recall = found / should if should else 1.0
    return f"continuations: precision {precision:.3f} recall {recall:.3f}"


def _build(edition: Any, day: dt.date, rows: list[dict[str, str]], label: str) -> None:
    from headlines.core import clock
    from headlines.digests import services

    clock.set_clock(clock.FixedClock(SEND.replace(day=day.day) - dt.timedelta(hours=1)))
    started, cpu = time.perf_counter(), time.process_time()
    digest = services.digest_build(edition_id=edition.pk, day=day)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    stories = edition.stories.filter(day=day)
    events = len({r["event"] for r in rows})
    print(
        f"{label}: {len(rows)} articles ({events} events) -> {stories.count()} stories, "
        f"{stories.filter(continues__isnull=False).count()} continuing an earlier one "
        f"({stories.filter(developed=False).count()} not developed), "
        f"{digest.items.count()} items; built in {seconds:.2f} s (target < 20 s; CPU {cpu:.2f} s); "
        f"BCubed F1 vs the events {_quality(rows, day):.3f}"
    )


def _table() -> None:
    """The static word-piece table, loaded (or built once, into DATA_DIR/models) before the
    builds, with what that cost: a deployment's first build pays it once."""
    from django.conf import settings

    from headlines.stories import embedding, wordpieces

    if float(settings.CONFIG["HEADLINES_STORY_STATIC_WEIGHT"]) <= 0 or not embedding.available():
        print("static word-piece embedding: off")
        return
    directory = wordpieces.default_directory()
    folder = embedding.model_dir()
    assert folder is not None
    cached = wordpieces.cache_path(directory, wordpieces.table_key(folder)).exists()
    started, cpu = time.perf_counter(), time.process_time()
    wordpieces.table()
    print(
        f"static word-piece table {'loaded from' if cached else 'built into'} {directory}: "
        f"{time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} s CPU)"
    )


def main() -> None:
    django_setup()
    from django.test.utils import setup_databases, teardown_databases

    from headlines.core import clock
    from headlines.core.services import edition_create

    _table()
    previous = clock.get_clock()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        gen, rng = _generator(), random.Random(5000)
        edition = edition_create(slug="bench", name="Bench Evening Headlines", timezone="UTC")
        first_events = _events(gen, rng, 0, 1000)
        first = _tell(gen, rng, first_events, ARTICLES)
        _store(first, edition, SEND - dt.timedelta(days=1))
        _build(edition, SEND.date() - dt.timedelta(days=1), first, "day 1 (no history)")
        told = {r["event"] for r in first}
        again = [e for e in first_events if e[0] in told][::3]
        second = _tell(gen, rng, again + _events(gen, rng, 1000, 1000), ARTICLES)
        _store(second, edition, SEND)
        _build(edition, SEND.date(), second, "day 2 (continuing day 1)")
        print("  " + _continuations(second, first, SEND.date()))
    finally:
        teardown_databases(old, verbosity=0)
        clock.set_clock(previous)


if __name__ == "__main__":
    main()
