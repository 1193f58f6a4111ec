"""The sentence embedding (stories/embedding.py, all-MiniLM-L6-v2 in numpy): its cost, and what
it buys the clustering on real news.

    .venv/bin/python -m benchmarks bench_embedding            # cost (make bench runs this)
    HEADLINES_SHARED_DATA=/work/shared/data \\
        .venv/bin/python -m benchmarks.bench_embedding clustering
        [--configs 0.15:0.30,0.25:0.34,0.35:0.38] [--variants text,titles] [--weekly] [--static]

Cost: 5,000 title + lead texts of the digest benchmark's generated day (`BENCH_EMBED_TEXTS`
overrides the count), encoded in one call: wall and CPU seconds, the load average, texts and
tokens per CPU second, and the resident memory the model and the encoding add.

Clustering: clustering-dev's windows (benchmarks/clustering_dev.py), clustered through the
digest build's own call at each embedding weight and similarity threshold, with every article's
text and again with titles alone (held-out news may be headlines only). Weight 0 is the words
alone at the shipped threshold: the baseline. Each configuration is WEIGHT:THRESHOLD (a larger
weight raises every similarity, so it needs a higher threshold to keep the same precision).
Choose on the tune half; read the report half. `--static`: WEIGHT is the static word-piece
view's (stories/wordpieces.py) instead of the encoder's. Since the titles' vectors became a part
of windows of headlines only (`vectorizer.embedded_titles`, docs/benchmarks.md, "Sentence
vectors for a window of headlines"), the encoder's WEIGHT changes nothing in windows with texts:
the "text" variant then measures the words alone at each threshold.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Sequence

from benchmarks import clustering_dev, django_setup, shared_data

TEXTS = int(os.environ.get("BENCH_EMBED_TEXTS", "5000"))


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cost() -> None:
    from benchmarks import bench_digest
    from headlines.stories import embedding
    from headlines.stories.parts import Doc
    from headlines.stories.vectorizer import embedding_text

    if not embedding.available():
        print(f"skipped: the model package ({embedding.PACKAGE}) is not installed")
        return
    import random

    gen = bench_digest._generator()
    rng = random.Random(5000)
    rows = bench_digest._tell(gen, rng, bench_digest._events(gen, rng, 0, TEXTS), TEXTS)
    docs = [Doc(title=r["title"], text=r["text"], language="en") for r in rows]
    texts = [embedding_text(d) for d in docs]
    before = _rss_mib()
    started, cpu = time.perf_counter(), time.process_time()
    model = embedding.load()
    loaded, loaded_cpu = time.perf_counter() - started, time.process_time() - cpu
    tokens = sum(len(model.tokenizer.ids(t)) for t in texts)
    after_load = _rss_mib()
    load_before = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    model.encode(texts)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(
        f"model load: {loaded:.2f} s wall, {loaded_cpu:.2f} s CPU; "
        f"resident memory {before:.0f} -> {after_load:.0f} MiB"
    )
    print(
        f"{len(texts)} title + lead texts ({words:.0f} words, "
        f"{tokens / len(texts):.0f} tokens each on average, at most {embedding.MAX_TOKENS}):"
    )
    print(
        f"  {wall:.1f} s wall, {cpu:.1f} s CPU ({len(texts) / cpu:.0f} texts, "
        f"{tokens / cpu:.0f} tokens per CPU second); load average "
        f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}; peak resident {peak:.0f} MiB "
        f"(+{peak - before:.0f} MiB over the process before the model)"
    )


# --- what it buys the clustering --------------------------------------------------------------


def _windows(sets: Sequence[str], weekly: bool) -> list[tuple[str, list[clustering_dev.Window]]]:
    neus_stories = clustering_dev.stories(clustering_dev.load("neus"))
    out = []
    for target in sets:
        pool = (
            neus_stories
            if target == "neus"
            else clustering_dev.stories(clustering_dev.load(target))
        )
        for week in (False, True) if weekly else (False,):
            filler = neus_stories if target != "neus" else {}
            wins = clustering_dev.windows(target, pool, filler, week=week)
            if target == "neus":
                wins = wins[: 3 if week else 6]
            out.append((f"{target} {'weekly' if week else 'daily'}", wins))
    return out


def _titles_only(window: clustering_dev.Window) -> clustering_dev.Window:
    import dataclasses

    arts = [dataclasses.replace(a, text="") for a in window.articles]
    return clustering_dev.Window(window.name, arts, window.target)


def _scores(score: clustering_dev.Score) -> tuple[float, float, float, float, float]:
    return score.figures()


def clustering_quality(
    configs: Sequence[tuple[float, float]],
    *,
    weekly: bool,
    variants: Sequence[str] = ("text", "titles"),
    static: bool = False,
) -> None:
    where = shared_data.folder("clustering-dev", "clustering-dev")
    if where is None:
        return
    django_setup()
    from django.conf import settings

    from benchmarks.bench_clustering import rows_of
    from headlines.stories import clustering, embedding, planning
    from headlines.stories.vectorizer import embedding_text

    shipped = float(settings.CONFIG["HEADLINES_STORY_SIMILARITY"])
    groups = _windows(clustering_dev.SETS, weekly)
    made = {"text": groups, "titles": [(n, [_titles_only(w) for w in ws]) for n, ws in groups]}
    chosen = {v: made[v] for v in variants}
    # Every article's embedding once (the encoder remembers recent texts), timed.
    texts = sorted(
        {
            embedding_text(d)
            for groups_of in chosen.values()
            for _, ws in groups_of
            for w in ws
            for d in planning.docs_from(rows_of(w.articles))
        }
    )
    if not static:
        embedding.MEMO_TEXTS = max(embedding.MEMO_TEXTS, len(texts))
        started, cpu = time.perf_counter(), time.process_time()
        embedding.encode(texts)
        print(
            f"encoded {len(texts)} distinct texts in {time.perf_counter() - started:.0f} s wall, "
            f"{time.process_time() - cpu:.0f} s CPU (load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    configs = [(0.0, shipped), *configs]
    print(
        "variant | set, window | weight | threshold | half | pairwise P | pairwise R | "
        "BCubed P | BCubed R | BCubed F1"
    )
    for variant, groups_of in chosen.items():
        for name, wins in groups_of:
            for weight, threshold in configs:
                results = {half: clustering_dev.Score() for half in ("tune", "report")}
                for window in wins:
                    docs = planning.docs_from(rows_of(window.articles))
                    labels = clustering.cluster(
                        docs,
                        threshold=threshold,
                        embedding_weight=0.0 if static else weight,
                        static_weight=weight if static else 0.0,
                    ).labels
                    for half, score in results.items():
                        score.add(window, labels, half)
                for half, score in results.items():
                    pp, pr, bp, br, bf = _scores(score)
                    print(
                        f"{variant} | {name} | {weight:.2f} | {threshold:.2f} | {half} | "
                        f"{pp:.3f} | {pr:.3f} | {bp:.3f} | {br:.3f} | {bf:.3f}",
                        flush=True,
                    )


def main() -> None:
    cost()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="cost", choices=["cost", "clustering"])
    parser.add_argument("--configs", default="0.15:0.30,0.25:0.34,0.35:0.38")
    parser.add_argument("--weekly", action="store_true", help="weekly windows too (slow)")
    parser.add_argument("--variants", default="text,titles", help="text, titles or both")
    parser.add_argument(
        "--static", action="store_true", help="WEIGHT is the static word-piece view's instead"
    )
    args = parser.parse_args()
    if args.what == "cost":
        cost()
        sys.exit(0)
    pairs = [tuple(float(x) for x in c.split(":")) for c in args.configs.split(",")]
    clustering_quality(
        [(w, t) for w, t in pairs],
        weekly=args.weekly,
        variants=args.variants.split(","),
        static=args.static,
    )
