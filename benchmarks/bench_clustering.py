"""Clustering quality on the labelled set in benchmarks/data/stories (see generate.py there).

The similarity threshold is tuned on the `tune` part (best BCubed F1) and reported on the
`held_out` part, which the tuning never saw. Pairwise precision/recall and BCubed F1 are printed.

    .venv/bin/python -m benchmarks bench_clustering
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path

DATA = Path(__file__).parent / "data" / "stories" / "stories.jsonl"
GRID = [round(0.10 + 0.025 * i, 3) for i in range(25)]  # 0.10 .. 0.70


def load() -> list[dict[str, object]]:
    with DATA.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def pairwise(truth: Sequence[str], predicted: Sequence[int]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for i, j in combinations(range(len(truth)), 2):
        same_truth, same_pred = truth[i] == truth[j], predicted[i] == predicted[j]
        tp += same_truth and same_pred
        fp += same_pred and not same_truth
        fn += same_truth and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, _f1(precision, recall)


def bcubed(truth: Sequence[str], predicted: Sequence[int]) -> tuple[float, float, float]:
    pairs = Counter(zip(truth, predicted, strict=True))
    truth_size, pred_size = Counter(truth), Counter(predicted)
    n = len(truth)
    precision = sum(pairs[(t, p)] / pred_size[p] for t, p in zip(truth, predicted, strict=True)) / n
    recall = sum(pairs[(t, p)] / truth_size[t] for t, p in zip(truth, predicted, strict=True)) / n
    return precision, recall, _f1(precision, recall)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def run(rows: Sequence[dict[str, object]], threshold: float) -> list[int]:
    from headlines.stories import clustering
    from headlines.stories import text as textlib

    docs = [
        clustering.Doc(
            title=textlib.clean_title(str(r["title"]), source_names=[str(r["source"])]),
            text=str(r["text"]),
        )
        for r in rows
    ]
    return clustering.cluster(docs, threshold=threshold).labels


def main() -> None:
    rows = load()
    tune = [r for r in rows if r["part"] == "tune"]
    held = [r for r in rows if r["part"] == "held_out"]
    print(
        f"labelled set: {len(rows)} articles, {len({r['story'] for r in rows})} stories "
        f"(tune {len(tune)} / held-out {len(held)})"
    )
    best, best_f1 = GRID[0], -1.0
    for threshold in GRID:
        f1 = bcubed([str(r["story"]) for r in tune], run(tune, threshold))[2]
        print(f"  tune  threshold {threshold:.3f}: BCubed F1 {f1:.3f}")
        if f1 > best_f1:
            best, best_f1 = threshold, f1
    started = time.perf_counter()
    labels = run(held, best)
    seconds = time.perf_counter() - started
    truth = [str(r["story"]) for r in held]
    pp, pr, pf = pairwise(truth, labels)
    bp, br, bf = bcubed(truth, labels)
    print(f"chosen threshold {best:.3f} (tune BCubed F1 {best_f1:.3f})")
    print(
        f"held-out: {len(held)} articles, {len(set(truth))} stories -> {len(set(labels))} clusters "
        f"in {seconds:.2f} s"
    )
    print(f"  pairwise precision {pp:.3f} recall {pr:.3f} F1 {pf:.3f}")
    print(f"  BCubed   precision {bp:.3f} recall {br:.3f} F1 {bf:.3f}")


if __name__ == "__main__":
    main()
