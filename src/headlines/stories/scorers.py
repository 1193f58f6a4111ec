"""The learned pair scorers of story clustering: boosted decision trees (`Trees`) over
SCORER_FEATURES, read from the JSON files beside this module (`benchmarks/fit_clustering.py`
writes them): one for pairs of articles, one for pairs of headlines without text, both for
windows of SCORER_MIN_WINDOW articles or more. Which pairs they score, and what their
probability counts for, is `candidates.py`'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np

# A learned pair scorer (branch `cluster3`, see docs/benchmarks.md, "A learned pair scorer").
# In a window of SCORER_MIN_WINDOW articles or more, whether two reports tell one event is read
# from what is already known about the pair, not from one hand-weighted cosine: the cosines of each
# view, each article's rank of the other, the pair's similarity against each article's best
# and NEAR_K-th, the guards, and how many nearest neighbours the two share. Every feature is
# free of the window's size (ranks and ratios, not similarity scales), so one model serves a
# day and a week. Candidate pairs are each article's SCORER_K nearest; any other pair scores 0.
# It was fitted on windows of 450-3,150 articles; in a window under SCORER_MIN_WINDOW (a small
# newsroom's day, one subject's reports, a year of a few stories) the nearest few are near by
# construction, so a rank says less, and the cosine path is kept (the sample newsroom's 45
# articles of five days at once: the scorer joined the day-before storm warning and Fed preview
# with the events, pairwise precision 1.000 -> 0.759). Trees fitted on small windows of their
# own were shipped for a while (2026-12-03 to 12-06) and dropped: on a set left out of their
# fit, as the news the product meets is, they joined unrelated stories (pairwise precision
# 0.14-0.43 on NeuS's and BASIL's small windows) and scored under the cosine path on 10 of 12
# kinds of small window (docs/benchmarks.md, "Small windows: trees that do not carry").
SCORER_K = 30
SCORER_MIN_WINDOW = 200
SCORER_FEATURES = (
    "whole-text cosine",
    "title-and-lead cosine",
    "names cosine",
    "log of the better rank (1: the other's nearest; SCORER_K + 1 past SCORER_K)",
    "log of the worse rank",
    "the lower of cosine / each article's best cosine",
    "the higher of the two",
    "cosine minus the lower of the two articles' NEAR_K-th nearest cosines",
    "the weekday guard speaks",
    "the names guard speaks",
    "share of the two articles' 10 nearest they have in common",
    "share of their 30 nearest in common",
    "log of 1 + the specific numbers both give (each weighed by its rarity in the window)",
    "those over the numbers either gives (weighed alike)",
)
# The scorer: gradient-boosted decision trees over SCORER_FEATURES (in that order), fitted with
# scikit-learn (HistGradientBoostingClassifier: 200 trees of depth 3, learning rate 0.1, L2 1.0)
# on the candidate pairs of the tune half of clustering-dev (the shared development data: NeuS,
# BASIL, ECB+, daily and weekly windows, each of the six weighted equally), never its report
# half; stored as their split features, thresholds and leaf values in SCORER_FILE, read here
# with numpy (no pickle, nothing fitted at run time). Nothing of the data is kept in the
# repository, only the trees fitted on it. It replaced a logistic regression over the same
# features: trees weigh a feature by the others (a high cosine means less between two
# articles far down each other's nearest), which a sum of weights cannot; on the report half
# the pairs' average precision rose by 0.016-0.031 in all six groups (docs/benchmarks.md,
# "Trees instead of a logistic regression"). Article lengths were left out: in those windows
# they tell one data set from another, not one event. `benchmarks/fit_clustering.py` refits it
# (and the story-level pass after it) and writes the file.
SCORER_FILE = Path(__file__).with_name("pair_scorer.json")


MAX_SPLITS = 15  # a tree's leaf table has 2 ** splits entries (depth 3: at most 7 splits)


@dataclass(frozen=True)
class Trees:
    """A boosted tree ensemble for binary classification, as flat node arrays: node i splits on
    `feature[i]` (going `left[i]` when the value is at most `threshold[i]`, else `right[i]`), or,
    where `leaf[i]`, adds `value[i]` to the log-odds; each tree starts at its entry in `roots`."""

    baseline: float
    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    leaf: np.ndarray

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Trees:
        """From SCORER_FILE's form: `{"baseline", "features", "trees": [{"feature", "threshold",
        "left", "right", "value"}]}` (and, for the reader, "about" and "depth"), a tree's nodes
        numbered from 0 within it and its leaves with feature -1."""
        if list(stored["features"]) != list(SCORER_FEATURES):
            raise ValueError("the pair scorer was fitted on other features than SCORER_FEATURES")
        trees = stored["trees"]
        sizes = np.array([len(t["feature"]) for t in trees], dtype=np.int64)
        roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

        def flat(key: str, dtype: Any) -> np.ndarray:
            return np.concatenate([np.asarray(t[key], dtype=dtype) for t in trees])

        offset = np.repeat(roots, sizes)
        feature = flat("feature", np.int64)
        return cls(
            baseline=float(stored["baseline"]),
            roots=roots,
            feature=np.maximum(feature, 0),
            threshold=flat("threshold", np.float64),
            left=flat("left", np.int64) + offset,
            right=flat("right", np.int64) + offset,
            value=flat("value", np.float64),
            leaf=feature < 0,
        )

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Each row's probability. Per tree, each split's test is one comparison of a feature's
        column, all rows at once; the tests' outcomes, as bits of a code, pick the leaf from a
        table made once per tree (`_tables`): a few vector operations a split, where walking
        each row down every tree would index millions of nodes."""
        columns = np.ascontiguousarray(np.asarray(x, dtype=np.float64).T)
        logit = np.full(len(x), self.baseline)
        for splits, table in self._tables:
            code = np.zeros(len(x), dtype=np.intp)
            for bit, node in enumerate(splits):
                code |= (columns[self.feature[node]] <= self.threshold[node]).astype(np.intp) << bit
            logit += table[code]
        return np.asarray(1.0 / (1.0 + np.exp(-logit)))

    @cached_property
    def _tables(self) -> list[tuple[list[int], np.ndarray]]:
        """Per tree, its splits (bit k of a row's code: the k-th split's test holds) and the
        leaf value of every code."""
        out = []
        for root in self.roots.tolist():
            splits: list[int] = []
            todo = [root]
            while todo:  # the tree's splits, in any fixed order
                node = todo.pop()
                if not self.leaf[node]:
                    splits.append(node)
                    todo += [int(self.left[node]), int(self.right[node])]
            if len(splits) > MAX_SPLITS:
                raise ValueError(f"a tree of {len(splits)} splits: at most {MAX_SPLITS}")
            bit = {node: i for i, node in enumerate(splits)}
            table = np.empty(1 << len(splits), dtype=np.float64)
            for code in range(len(table)):
                node = root
                while not self.leaf[node]:
                    at_most = code >> bit[node] & 1
                    node = int(self.left[node] if at_most else self.right[node])
                table[code] = self.value[node]
            out.append((splits, table))
        return out


@cache
def _stored_trees(path: Path) -> Trees:
    return Trees.of(json.loads(path.read_text(encoding="utf-8")))


def scorer() -> Trees:
    return _stored_trees(SCORER_FILE)


# Between two briefs (headlines without text, as a news aggregator's dump gives them) the
# features mean other things: there is no whole text, and a title's words are all there is.
# The scorer above, fitted on articles with texts, joined far more there than the cosine did
# (clustering-dev's headlines alone: NeuS pairwise precision 0.80 -> 0.56, 0.62 with the
# trees), so such pairs were weighed by their cosine alone. BRIEF_SCORER_FILE holds trees of
# the same kind fitted on the same tune half's daily windows with every text removed: in a
# window where briefs are more than `merging.BRIEF_SHARE` of the articles (a headline
# aggregator's dump), pairs of two briefs are scored by them (docs/benchmarks.md, "Headlines
# alone, scored by trees of their own"). Where briefs are few, their neighbours are articles,
# unlike in the windows those trees were fitted on, and their pairs keep the cosine alone. A
# brief with an article keeps the scorer above. Since 2026-12-05 they are also fitted on
# windows where one subject's events are each told in 15-66 headlines
# (`benchmarks.clustering_dev.big_story_windows`): fitted on stories of at most 22 reports, the
# trees read a rank past 15 as another event, and a story an aggregator's day tells fifty
# times came apart (docs/benchmarks.md, "Stories told widely: copies, pieces and trees").
BRIEF_SCORER_FILE = Path(__file__).with_name("brief_scorer.json")


def brief_scorer() -> Trees:
    return _stored_trees(BRIEF_SCORER_FILE)
