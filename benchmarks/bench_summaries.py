"""Headlines and summaries on real, public news: NeuS's neutral headline and summary (ROUGE F1).

NeuS (clustering-dev/neus in the shared development data, read at run time, never copied into
the repository; skipped with a message when absent) has 2,673 AllSides stories of three outlets'
articles (title + lead) with a neutral headline and summary written by AllSides' editors. Each
story gets the headline and summary the digest build writes (`assembly.drafts_from` orders a
cluster's members, `assembly.write` picks the headline and calls the summariser), scored by
ROUGE-1/2/L F1 with Porter stemming (benchmarks/rouge.py) against the neutral ones:

- true clusters: each story's own articles are one cluster;
- own clusters: the digest's clustering (`planning.cluster_rows`) of the story's daily window
  (150 NeuS stories, ~450 articles, as clustering_dev makes them), and the story is given the
  cluster holding most of its articles (ties: the first one's).

Member order and centrality come from the window's vectors, as a digest's do. Stories are split
in halves by a hash of their id (clustering_dev.Article.half): `tune` is looked at while changing
the method, `report` is not. A baseline in the same run, `lead-1`: the story's first article's
cleaned title and the first sentence of its text; and a ceiling no method reaches, `best
article`: the title and first sentence that score best among the story's articles (the mean of
ROUGE-1/2/L, headline and summary picked apart), which says how much choosing can gain.

    HEADLINES_SHARED_DATA=/work/shared/data .venv/bin/python -m benchmarks bench_summaries
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks import clustering_dev, django_setup, rouge, shared_data

HALVES = ("tune", "report")


@dataclass
class Tally:
    """Sums of ROUGE F1 over stories, headline and summary apart."""

    stories: int = 0
    headline: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    summary: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    words: list[int] = field(default_factory=lambda: [0, 0])

    def add(self, headline: str, summary: str, truth: dict[str, str]) -> None:
        self.stories += 1
        for sums, made, wanted in (
            (self.headline, headline, truth["headline"]),
            (self.summary, summary, truth["summary"]),
        ):
            s = rouge.score(made, wanted)
            sums[0] += s.rouge1
            sums[1] += s.rouge2
            sums[2] += s.rougeL
        self.words[0] += len(rouge.tokens(headline))
        self.words[1] += len(rouge.tokens(summary))

    def line(self) -> str:
        n = self.stories or 1
        h = " / ".join(f"{x / n:.3f}" for x in self.headline)
        s = " / ".join(f"{x / n:.3f}" for x in self.summary)
        return (
            f"{self.stories:>5} stories  headline R1/R2/RL {h} ({self.words[0] / n:.1f} words)  "
            f"summary R1/R2/RL {s} ({self.words[1] / n:.1f} words)"
        )


def load_truth() -> dict[str, dict[str, str]]:
    path = shared_data.data_dir() / "clustering-dev" / "neus" / "summaries.jsonl"
    with path.open(encoding="utf-8") as lines:
        return {r["story"]: r for r in map(json.loads, lines)}


def lead_1(articles: Sequence[clustering_dev.Article]) -> tuple[str, str]:
    """The baseline: the first article's cleaned title and its text's first sentence."""
    from headlines.stories import text as textlib

    first = articles[0]
    found = textlib.sentences(textlib.plain_paragraphs(first.text))
    return textlib.clean_title(first.title), found[0] if found else ""


def best(reference: str, candidates: Sequence[str]) -> str:
    def mean(candidate: str) -> float:
        s = rouge.score(candidate, reference)
        return s.rouge1 + s.rouge2 + s.rougeL

    return max(candidates, key=mean)


def evaluate() -> dict[str, dict[str, Tally]]:
    """Tallies by method ("lead-1", "ours, true clusters", "ours, own clusters") and half."""
    from django.conf import settings

    from benchmarks.bench_clustering import rows_of
    from headlines.stories import assembly, planning

    max_chars = int(settings.CONFIG["HEADLINES_SUMMARY_MAX_CHARS"])
    truth = load_truth()
    pool = clustering_dev.stories(clustering_dev.load("neus"))
    wins = clustering_dev.windows("neus", pool, {}, week=False)
    methods = ("lead-1", "best article", "ours, true clusters", "ours, own clusters")
    tallies = {m: {h: Tally() for h in HALVES} for m in methods}
    for window in wins:
        arts = window.articles
        rows = rows_of(arts)
        result = planning.cluster_rows(rows)
        keys = sorted({a.story for a in arts})
        index = {k: i for i, k in enumerate(keys)}
        true_drafts = assembly.drafts_from(rows, [index[a.story] for a in arts], result.matrix)
        own_drafts = assembly.drafts_from(rows, result.labels, result.matrix)
        for draft in (*true_drafts, *own_drafts):
            assembly.write(draft, max_chars=max_chars)
        row_of = {r.id: i for i, r in enumerate(rows)}
        by_story = {arts[row_of[d.members[0].id]].story: d for d in true_drafts}
        own_of_label = {result.labels[row_of[d.members[0].id]]: d for d in own_drafts}
        members: dict[str, list[int]] = defaultdict(list)
        for i, a in enumerate(arts):
            members[a.story].append(i)
        for story in keys:
            idx = members[story]
            half = arts[idx[0]].half
            label = Counter(result.labels[i] for i in idx).most_common(1)[0][0]
            in_order = sorted((arts[i] for i in idx), key=lambda a: a.id)
            tallies["lead-1"][half].add(*lead_1(in_order), truth[story])
            leads = [lead_1([a]) for a in in_order]
            tallies["best article"][half].add(
                best(truth[story]["headline"], [h for h, _ in leads]),
                best(truth[story]["summary"], [s for _, s in leads]),
                truth[story],
            )
            mine = by_story[story]
            tallies["ours, true clusters"][half].add(mine.headline, mine.summary, truth[story])
            own = own_of_label[label]
            tallies["ours, own clusters"][half].add(own.headline, own.summary, truth[story])
    return tallies


def main() -> None:
    where = shared_data.folder("clustering-dev", "bench_summaries")
    if where is None:
        return
    django_setup()
    started = time.perf_counter()
    tallies = evaluate()
    print(f"NeuS ({where / 'neus'}): ROUGE F1 (stemmed) vs the neutral headline and summary")
    for half in HALVES:
        for method, by_half in tallies.items():
            print(f"  {half:<6} {method:<20} {by_half[half].line()}")
    print(f"  ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
