"""Memory and time of one wide window's clustering, by its size (`headlines stories --hours`).

`headlines stories --hours` groups a window of up to `listing.MAX_ARTICLES` articles at once,
and a digest's own day may be as large: what bounds it is what the clustering holds in memory.
Each case runs in a process of its own (so its peak is its own): the articles are made with the
labelled set's generator (as `bench_digest`'s, events told by 3 to 8 invented sources) and
grouped through the digest build's own calls (`planning.cluster_rows`, then
`assembly.drafts_from`, a draft per story; the peak covers both), as articles with their
texts and as headlines alone (a news aggregator's dump: the title vectors made first, as intake
stores them, and timed apart). Sizes: 5,000 (the baseline the ratios are against), 10,000 and
30,000 (`listing.MAX_ARTICLES`).

    .venv/bin/python -m benchmarks bench_wide_window
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from typing import Any

SIZES = (5_000, 10_000, 30_000)
KINDS = ("articles", "headlines")


def generated(size: int, rng: random.Random, *, texts: bool = True) -> list[Any]:
    """`size` articles of the labelled set's generator (`bench_digest`'s events), as
    `clustering_dev.Article`s; without their texts where not `texts` (headlines alone)."""
    from benchmarks import bench_digest, clustering_dev

    gen = bench_digest._generator()
    rows = bench_digest._tell(gen, rng, bench_digest._events(gen, rng, 0, size), size)
    return [
        clustering_dev.Article(
            id=str(i),
            title=r["title"],
            text=r["text"] if texts else "",
            story=r["event"],
            set="generated",
        )
        for i, r in enumerate(rows)
    ]


def one(kind: str, size: int) -> dict[str, float]:
    """Cluster one generated window in this process; its figures."""
    from benchmarks import bench_clustering, django_setup

    django_setup()
    from django.conf import settings

    from headlines.stories import assembly, embedding, planning
    from headlines.stories.vectorizer import embedded_titles

    made = generated(size, random.Random(f"wide-{size}"), texts=kind == "articles")
    built = bench_clustering.rows_of(made)  # published an hour before the send, as a day's
    started = time.perf_counter()
    vectors: dict[int, Any] = {}
    if kind == "headlines" and embedding.available():
        docs = planning.docs_from(built)
        weight = float(settings.CONFIG["HEADLINES_STORY_EMBEDDING_WEIGHT"])
        wanted = embedded_titles(docs, weight)
        encoded = embedding.encode([built[i].title for i in wanted])
        vectors = {built[i].id: encoded[k] for k, i in enumerate(wanted)}
    encoding = time.perf_counter() - started
    started = time.perf_counter()
    result = planning.cluster_rows(built, vectors)
    labels = result.labels
    seconds = time.perf_counter() - started
    # Then one draft per story, as the digest build makes them (each holds its centroid).
    started = time.perf_counter()
    drafts = assembly.drafts_from(built, labels, result.matrix)
    drafting = time.perf_counter() - started
    assert len(drafts) == len(set(labels))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "articles": len(built),
        "stories": len(set(labels)),
        "seconds": seconds,
        "encoding": encoding,
        "drafting": drafting,
        "peak_mb": peak,
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2], int(sys.argv[3]))))
        return
    print(f"{'window':<28} {'stories':>8} {'clustering':>11} {'peak RSS':>10}  ratios to 5,000")
    for kind in KINDS:
        base: dict[str, float] | None = None
        for size in SIZES:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.bench_wide_window", "--one", kind, str(size)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            base = base or r
            what = f"{int(r['articles']):,} {kind}"
            made = r["encoding"]
            extra = f" (title vectors made first: {made:.1f} s)" if kind == "headlines" else ""
            extra += f"; drafts {r['drafting']:.1f} s"
            times = r["seconds"] / base["seconds"]
            memory = r["peak_mb"] / base["peak_mb"]
            print(
                f"{what:<28} {int(r['stories']):>8,} {r['seconds']:>9.1f} s "
                f"{r['peak_mb']:>7,.0f} MB  x{r['articles'] / base['articles']:.0f} articles: "
                f"time x{times:.1f}, memory x{memory:.1f}{extra}",
                flush=True,
            )


if __name__ == "__main__":
    main()
