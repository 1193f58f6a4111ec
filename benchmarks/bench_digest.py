"""Build one edition's digest from 5,000 articles of one day (target: under 20 s, 2 cores).

Articles are made with the labelled set's generator (benchmarks/data/stories/generate.py):
about 900 invented events told by 3 to 8 invented sources each, in one edition's 24-hour window.
Runs against a throwaway test database (Django's test database machinery), never a real one.

    .venv/bin/python -m benchmarks bench_digest
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import os
import random
import time
from pathlib import Path
from types import ModuleType

ARTICLES = 5000
GENERATOR = Path(__file__).parent / "data" / "stories" / "generate.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("stories_generate", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _articles(n: int) -> list[dict[str, str]]:
    gen = _generator()
    rng = random.Random(5000)
    rows: list[dict[str, str]] = []
    k = 0
    while len(rows) < n:
        kind = rng.choice(list(gen.KINDS))
        slots = gen._event(kind, k, rng)
        slots["town"] = f"{slots['town']} {k}"  # many more events than names: keep them apart
        for source in rng.sample(gen.SOURCES, k=rng.randint(3, 8)):
            rows.append({**gen._article(kind, slots, source, rng), "event": str(k)})
        k += 1
    return rows[:n]


def _store(rows: list[dict[str, str]], day_end: dt.datetime) -> int:
    from headlines.core.services import edition_create
    from headlines.intake.models import Article, Source

    edition = edition_create(slug="bench", name="Bench Evening Headlines", timezone="UTC")
    sources = {}
    for name in sorted({r["source"] for r in rows}):
        source = Source.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        source.editions.add(edition)
        sources[name] = source
    articles = Article.objects.bulk_create(
        [
            Article(
                source=sources[r["source"]],
                title=r["title"],
                text=r["text"],
                text_hash=hashlib.sha256(r["text"].encode()).hexdigest(),
                url=f"https://news.example/{i}",
                published_at=day_end - dt.timedelta(minutes=1 + (i * 7) % (23 * 60)),
            )
            for i, r in enumerate(rows)
        ],
        batch_size=1000,
    )
    through = Article.editions.through
    through.objects.bulk_create(
        [through(article_id=a.pk, edition_id=edition.pk) for a in articles], batch_size=2000
    )
    return edition.pk


def _quality(rows: list[dict[str, str]], day: dt.date) -> float:
    from benchmarks.bench_clustering import bcubed
    from headlines.intake.models import Article
    from headlines.stories.models import Story

    event_of = dict(
        zip(
            Article.objects.order_by("id").values_list("id", flat=True),
            (r["event"] for r in rows),
            strict=True,
        )
    )
    pairs = Story.articles.through.objects.filter(story__day=day).values_list(
        "article_id", "story_id"
    )
    truth, predicted = zip(*((event_of[a], s) for a, s in pairs), strict=True)
    return bcubed(truth, predicted)[2]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headlines.settings")
    import django

    django.setup()
    from django.test.utils import setup_databases, teardown_databases

    from headlines.core import clock
    from headlines.digests import services

    day = dt.date(2026, 11, 25)
    send = dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.UTC)
    previous = clock.set_clock(clock.FixedClock(send - dt.timedelta(hours=1)))
    old = setup_databases(verbosity=0, interactive=False)
    try:
        rows = _articles(ARTICLES)
        edition_id = _store(rows, send)
        started = time.perf_counter()
        digest = services.digest_build(edition_id=edition_id, day=day)
        seconds = time.perf_counter() - started
        stories = digest.edition.stories.filter(day=day).count()
        events = len({r["event"] for r in rows})
        print(
            f"digest from {len(rows)} articles ({events} events): {stories} stories, "
            f"{digest.items.count()} items, built in {seconds:.2f} s (target < 20 s)"
        )
        print(f"  BCubed F1 of those stories against the events: {_quality(rows, day):.3f}")
        started = time.perf_counter()
        services.digest_build(edition_id=edition_id, day=day)
        print(f"rebuild of the draft: {time.perf_counter() - started:.2f} s")
    finally:
        teardown_databases(old, verbosity=0)
        clock.set_clock(previous)


if __name__ == "__main__":
    main()
