"""Refit story clustering's pair scorer and its second pass on clustering-dev's tune half.

    HEADLINES_SHARED_DATA=/work/shared/data .venv/bin/python -m benchmarks.fit_clustering

A tool, not a benchmark (`make bench` runs only the `bench_*` modules): it writes the pair
scorer's trees to `scorers.SCORER_FILE` (and the brief scorer's to `BRIEF_SCORER_FILE`) and
prints the second passes' numbers to paste into `stories/merging.py`; nothing else changes.

1. The pair scorer (`scorers.SCORER_FILE`, over `scorers.SCORER_FEATURES`): scikit-learn's
   HistGradientBoostingClassifier (SCORER_TREES trees of depth SCORER_DEPTH) on every candidate
   pair (`candidates.scored_pairs`) of the windows `bench_clustering` scores (`clustering_dev`:
   NeuS, BASIL, ECB+, daily and weekly) whose two articles are both in the tune half; the
   label: the two tell one story. Each of the six set/window groups weighs the same in all.
   The brief scorer (`scorers.BRIEF_SCORER_FILE`): the same trees on the daily windows
   with every text removed (headlines alone, as `bench_clustering` also scores them) and on
   the windows where one subject's events are each told in 15-66 headlines
   (`clustering_dev.big_story_windows`), each of the four groups weighing the same.
   A window under `scorers.SCORER_MIN_WINDOW` takes the cosine path: nothing is fitted for it
   (trees fitted on small windows did not carry to a set left out of their fit; see
   docs/benchmarks.md, "Small windows: trees that do not carry").
2. The story-level second pass (`merging.COEFFICIENTS`, `INTERCEPT`, over `merging.FEATURES`),
   on the linkage made with the scorer just fitted (as written to the file): every
   pair of stories that linkage leaves joined by a candidate pair (`merging.story_pair_features`)
   whose two stories' largest events are both in the tune half; the label: those largest events
   are one. Each pair of stories weighs the article pairs it joins (the product of the sizes),
   each group normalised to the same total. 2b: the same for a window of headlines
   (`merging.BRIEF_COEFFICIENTS`), on the daily windows with every text removed, linked by the
   brief scorer just fitted, each of the same four groups weighing the same.

The second pass: scikit-learn's LogisticRegression (C=1) on standardised features, the
coefficients then un-standardised so that they apply to the raw features. The windows, their
docs (titles cleaned as `bench_clustering` does, no duplicates, English) and every feature are
made by the production code at the shipped defaults (`headlines.config`, not the environment);
the report half's articles are in the windows (as when `bench_clustering` scores them) but none
of their pairs is fitted on. Nothing of the data itself is written anywhere, only the trees
fitted on it: it is read from `$HEADLINES_SHARED_DATA` at run time, and the script says so and
stops when it is absent.
About 3 minutes of CPU (one core) and 0.5 GiB of memory on the 2-core VM.

How well does what it learns carry to news it has not seen? `--leave-out SET` (neus, basil or
ecbplus) fits everything without that set: its windows are left out, and so is every pair
whose two articles are both from it elsewhere (NeuS fills the other sets' windows: its
stories' pairs go, its articles stay as unrelated neighbours). Run it in a scratch worktree,
paste the second pass it prints, and score the left-out set with `bench_clustering` there:
the set is then as new to the trees as the data the product is judged on.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any
from unittest import mock

import numpy as np

from benchmarks import clustering_dev, shared_data

GROUPS = tuple((target, week) for target in clustering_dev.SETS for week in (False, True))
# The pair scorer's trees: a common, unsearched choice (trees of depth 3 see how two or three
# features bear on each other; their number and rate as scikit-learn's examples use them).
SCORER_TREES, SCORER_DEPTH, SCORER_RATE, SCORER_L2 = 200, 3, 0.1, 1.0
# What each file of trees says it is, for a reader who opens it.
ABOUT = (
    "Trees of the pair scorer (read by stories/scorers.py, applied to a window's candidate "
    "pairs by stories/candidates.py), written by benchmarks/fit_clustering.py; "
    "stories/scorers.py says which file is which (SCORER_FILE, BRIEF_SCORER_FILE)."
)


@dataclass
class Prepared:
    """One window, its candidate pairs and what the second pass needs of it."""

    window: clustering_dev.Window
    pairs: Any  # candidates.Pairs
    views: list[Any]  # vectorizer.Vectorizer.views
    names: Any  # guards.Guard.names
    briefs: np.ndarray


def group_name(target: str, week: bool) -> str:
    return f"{target} {'weekly' if week else 'daily'}"


def prepare(window: clustering_dev.Window, defaults: dict[str, Any]) -> Prepared:
    """The window as `bench_clustering` hands it to `planning.cluster_rows`, up to the pairs
    `clustering._scored_labels` scores."""
    from headlines.stories import candidates, scorers
    from headlines.stories import text as textlib
    from headlines.stories.guards import Guard
    from headlines.stories.neighbours import Products
    from headlines.stories.parts import Doc
    from headlines.stories.vectorizer import vectors

    docs = [
        Doc(title=textlib.clean_title(a.title), text=a.text, language="en") for a in window.articles
    ]
    vec, matrix = vectors(
        docs,
        float(defaults["HEADLINES_STORY_EMBEDDING_WEIGHT"]),
        float(defaults["HEADLINES_STORY_STATIC_WEIGHT"]),
    )
    if vec.views is None or len(docs) < scorers.SCORER_MIN_WINDOW:
        raise SystemExit(f"{window.name}: {len(docs)} articles, not on this scorer's path")
    guard = Guard.of(docs)
    products = Products(matrix, vec.dense_columns)
    views = list(vec.views)
    pairs = candidates.scored_pairs(products, views, guard)
    briefs = np.array([not d.text.strip() for d in docs], dtype=bool)
    return Prepared(window, pairs, views, guard.names, briefs)


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, float]:
    """LogisticRegression(C=1) on standardised features; the coefficients and intercept for
    the raw ones. `weight` is rescaled to average 1 (C's strength does not move with it)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    weight = weight * len(weight) / weight.sum()
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=1.0, max_iter=5000)
    model.fit(scaler.transform(x), y, sample_weight=weight)
    coefficients = model.coef_[0] / scaler.scale_
    intercept = float(model.intercept_[0] - (coefficients * scaler.mean_).sum())
    return coefficients, intercept


def tree_model() -> Any:
    """The pair scorer's model, unfitted (scikit-learn's HistGradientBoostingClassifier)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=SCORER_TREES,
        max_depth=SCORER_DEPTH,
        learning_rate=SCORER_RATE,
        l2_regularization=SCORER_L2,
        early_stopping=False,
        random_state=0,
    )


def headlines_alone(window: clustering_dev.Window) -> clustering_dev.Window:
    """The window as a news aggregator's dump would give it: titles, no texts."""
    return replace(window, articles=[replace(a, text="") for a in window.articles])


def fit_trees(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> dict[str, Any]:
    """Trees fitted on these pairs, in `scorers.SCORER_FILE`'s form (`scorers.Trees.of`)."""
    from headlines.stories import scorers

    model = tree_model()
    model.fit(x, y, sample_weight=weight * len(weight) / weight.sum())
    trees = []
    for (predictor,) in model._predictors:  # one tree per round for two classes
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        trees.append(
            {
                "feature": np.where(leaf, -1, nodes["feature_idx"]).tolist(),
                "threshold": [float(f"{t:.9g}") for t in nodes["num_threshold"]],
                "left": nodes["left"].tolist(),
                "right": nodes["right"].tolist(),
                "value": [
                    float(f"{v:.7g}") if is_leaf else 0.0
                    for v, is_leaf in zip(nodes["value"], leaf, strict=True)
                ],
            }
        )
    return {
        "about": ABOUT,
        "features": list(scorers.SCORER_FEATURES),
        "baseline": float(model._baseline_prediction.ravel()[0]),
        "depth": SCORER_DEPTH,
        "trees": trees,
    }


def fit_groups(
    title: str, groups: dict[str, list[tuple[np.ndarray, np.ndarray]]]
) -> tuple[dict[str, Any], np.ndarray]:
    """Trees (`fit_trees`) on each group's pairs (`scorer_rows` of its windows), each group's
    pairs weighing 1 / their count, so each group weighs the same; prints `title` and the
    counts. Also returns every pair's features, in one array."""
    xs, ys, ws = [], [], []
    print(title)
    for name, rows in groups.items():
        x, y = np.vstack([r[0] for r in rows]), np.concatenate([r[1] for r in rows])
        print(f"  {name:<31} {len(y):>7} pairs, {int(y.sum()):>6} one story")
        xs.append(x)
        ys.append(y)
        ws.append(np.full(len(y), 1.0 / len(y)))
    y_all, x_all = np.concatenate(ys), np.vstack(xs)
    print(f"  {'all':<31} {len(y_all):>7} pairs, {int(y_all.sum()):>6} one story")
    return fit_trees(x_all, y_all, np.concatenate(ws)), x_all


def scorer_rows(p: Prepared, leave_out: str = "") -> tuple[np.ndarray, np.ndarray]:
    """The tune half's candidate pairs of a window: features, one story or not (none whose
    two articles are both from the set `leave_out`)."""
    arts = p.window.articles
    story = np.array([a.story for a in arts])
    half = np.array([a.half for a in arts])
    rows, cols = p.pairs.rows, p.pairs.cols
    tune = (half[rows] == "tune") & (half[cols] == "tune")
    if leave_out:
        left = np.array([a.set == leave_out for a in arts])
        tune &= ~(left[rows] & left[cols])
    return p.pairs.features[tune], (story[rows] == story[cols])[tune]


def merger_rows(
    p: Prepared, threshold: float, leave_out: str = ""
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of stories the linkage leaves in a window whose largest events are both in
    the tune half (and not both from the set `leave_out`): features, one event or not,
    article pairs joined."""
    from headlines.stories import clustering, merging

    # The linkage `clustering._scored_labels` hands to the second pass (the scorers are
    # `scorers`', patched by the caller).
    linked = clustering.scored_linkage(p.pairs, p.views, p.names, p.briefs, threshold)
    labels = np.asarray(linked.labels, dtype=np.int64)
    pairs = p.pairs
    first, second, features = merging.story_pair_features(
        labels,
        (pairs.rows, pairs.cols),
        linked.weight,
        linked.probability,
        pairs.similarity,
        linked.context,
    )
    arts = p.window.articles
    largest: dict[int, str] = {}
    tune: dict[int, bool] = {}
    left: dict[int, bool] = {}
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        story = Counter(arts[i].story for i in members).most_common(1)[0][0]
        largest[int(label)] = story
        told = next(a for a in arts if a.story == story)
        tune[int(label)] = told.half == "tune"
        left[int(label)] = told.set == leave_out
    same = np.array(
        [largest[a] == largest[b] for a, b in zip(first, second, strict=True)], dtype=bool
    )
    kept = np.array(
        [
            tune[a] and tune[b] and not (left[a] and left[b])
            for a, b in zip(first, second, strict=True)
        ],
        dtype=bool,
    )
    size = np.bincount(labels)
    joined = (size[first] * size[second]).astype(np.float64)
    return features[kept], same[kept], joined[kept]


def fit_second_pass(
    title: str, groups: dict[str, list[Prepared]], threshold: float, leave_out: str
) -> tuple[np.ndarray, float]:
    """The second pass (`fit`) on each group's pairs of stories (`merger_rows` of its windows,
    linked by the scorers the caller patched in), each group weighing the same; prints `title`
    and the counts."""
    xs, ys, ws = [], [], []
    print(title)
    for name, windows in groups.items():
        rows = [merger_rows(p, threshold, leave_out) for p in windows]
        y = np.concatenate([r[1] for r in rows])
        w = np.concatenate([r[2] for r in rows])
        print(f"  {name:<15} {len(y):>7} pairs, {int(y.sum()):>6} one event")
        xs.append(np.vstack([r[0] for r in rows]))
        ys.append(y)
        ws.append(w / w.sum())
    y_all = np.concatenate(ys)
    print(f"  all             {len(y_all):>7} pairs, {int(y_all.sum()):>6} one event")
    if len(np.unique(y_all)) < 2:
        raise SystemExit(f"no pairs of stories of both kinds to fit on ({title})")
    return fit(np.vstack(xs), y_all, np.concatenate(ws))


def paste(name: str, values: np.ndarray, intercept: float, labels: tuple[str, ...]) -> str:
    """Python for the module: the array (4 decimals, each value with its feature, the label cut
    to the 100-column line) and the intercept."""
    lines = [f"{name} = np.array(", "    ["]
    for value, label in zip(values, labels, strict=True):
        line = f"        {round(float(value), 4)!r},  # {label}"
        lines.append(line if len(line) <= 100 else line[:97] + "...")
    lines += ["    ],", "    dtype=np.float64,", ")"]
    lines.append(f"{name.removesuffix('COEFFICIENTS')}INTERCEPT = {round(intercept, 4)!r}")
    return "\n".join(lines)


def compare(name: str, fitted: np.ndarray, intercept: float, shipped: np.ndarray, at: float) -> str:
    """How far the fit (unrounded) is from what the code ships."""
    if fitted.shape != shipped.shape:
        return f"{name}: {len(fitted)} coefficients fitted, {len(shipped)} shipped"
    gap = np.abs(fitted - shipped)
    return (
        f"{name}: largest difference from the shipped coefficients {gap.max():.6f} "
        f"(feature {int(gap.argmax())}), intercept {abs(intercept - at):.6f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fit_clustering")
    parser.add_argument(
        "--leave-out",
        choices=clustering_dev.SETS,
        default="",
        help="fit without this set (to score it with bench_clustering as unseen news)",
    )
    leave_out: str = parser.parse_args().leave_out
    where = shared_data.folder("clustering-dev", "fit_clustering")
    if where is None:
        return
    from headlines import config
    from headlines.stories import candidates, merging, scorers

    defaults = {s.name: s.default for s in config.SETTINGS}
    threshold = float(defaults["HEADLINES_STORY_SIMILARITY"])
    started = time.process_time()
    groups = tuple(g for g in GROUPS if g[0] != leave_out)
    prepared: dict[tuple[str, bool], list[Prepared]] = {g: [] for g in groups}
    for target, week, wins in clustering_dev.set_windows():
        if target != leave_out:
            prepared[(target, week)] = [prepare(window, defaults) for window in wins]
    print(f"clustering-dev ({where}): windows and candidate pairs made", flush=True)
    if leave_out:
        print(f"  left out: {leave_out} (its windows, and every pair of two of its articles)")
    for g in groups:
        sizes = [len(p.window.articles) for p in prepared[g]]
        print(f"  {group_name(*g):<15} {len(sizes):>2} windows of ~{sum(sizes) // len(sizes)}")

    # 1. The pair scorer, each of the six groups weighing the same.
    stored, x_all = fit_groups(
        "pair scorer, tune half (pairs, of them one story):",
        {group_name(*g): [scorer_rows(p, leave_out) for p in prepared[g]] for g in groups},
    )
    trees = scorers.Trees.of(stored)
    if scorers.SCORER_FILE.exists():
        gap = np.abs(trees.probability(x_all) - candidates.pair_probability(x_all))
        print(
            f"  {len(stored['trees'])} trees; probability against the shipped scorer's on these "
            f"pairs: mean difference {gap.mean():.4f}, largest {gap.max():.4f}"
        )

    # 1b. The brief scorer: the same, on the daily windows with every text removed (headlines
    # alone, as `bench_clustering` scores them), each set weighing the same.
    # With them, the windows where one subject's events are told widely
    # (`clustering_dev.big_story_windows`): fitted on stories of at most 22 reports, the trees
    # read a rank past 15 as another event, and a story of 50 headlines came apart.
    big = (
        [prepare(w, defaults) for w in clustering_dev.big_story_windows()]
        if leave_out != "ecbplus"
        else []
    )
    brief_groups = {
        target: [prepare(headlines_alone(p.window), defaults) for p in prepared[(target, False)]]
        for target in clustering_dev.SETS
        if target != leave_out
    }
    if big:
        brief_groups["ecbplus told widely"] = big
    briefs_stored, _ = fit_groups(
        "brief scorer, tune half, daily windows of headlines alone (pairs, of them one story):",
        {
            name: [scorer_rows(p, leave_out) for p in windows]
            for name, windows in brief_groups.items()
        },
    )

    # 2. The second pass, on the linkage of the scorer just fitted (as it would be shipped).
    brief_trees = scorers.Trees.of(briefs_stored)
    with (
        mock.patch.object(scorers, "scorer", lambda: trees),
        mock.patch.object(scorers, "brief_scorer", lambda: brief_trees),
    ):
        merge_coefficients, merge_intercept = fit_second_pass(
            "story-level second pass, tune half (pairs of stories, of them one event):",
            {group_name(*g): prepared[g] for g in groups},
            threshold,
            leave_out,
        )
        # 2b. The second pass of a window of headlines: the same, on the daily windows with
        # every text removed, linked by the brief scorer just fitted, each set weighing the same.
        brief_coefficients, brief_intercept = fit_second_pass(
            "story-level second pass, tune half, daily windows of headlines alone:",
            brief_groups,
            threshold,
            leave_out,
        )
    print(f"({time.process_time() - started:.0f} s of CPU)")
    print()
    for path, what in (
        (scorers.SCORER_FILE, stored),
        (scorers.BRIEF_SCORER_FILE, briefs_stored),
    ):
        path.write_text(json.dumps(what, separators=(",", ":")) + "\n")
        print(f"# {path.relative_to(clustering_dev.ROOT)}: written")
    print()
    print("# stories/merging.py")
    print(paste("COEFFICIENTS", merge_coefficients, merge_intercept, merging.FEATURES))
    print(paste("BRIEF_COEFFICIENTS", brief_coefficients, brief_intercept, merging.FEATURES))
    print()
    print(
        compare(
            "second pass",
            merge_coefficients,
            merge_intercept,
            merging.COEFFICIENTS,
            merging.INTERCEPT,
        )
    )


if __name__ == "__main__":
    main()
