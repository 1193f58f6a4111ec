"""A story-level second pass: join stories that the pair scorer's linkage left apart.

Average linkage over pairs splits a large story when its far reports agree with each other
a little under the bar (an ECB+ story in pieces of 10 and 4 reports whose cross pairs
average 0.25 against a bar of 0.26), and leaves a report alone when it agrees strongly with
one or two of a story's reports but not with the rest. What tells such pieces from two
neighbouring events is what the pieces look like together: every member of each has the
other among its nearest, the scorer is sure of its best cross pairs, the two centroids are
each other's nearest, their reports say the same happened in other words than their names
(`parts.action_tokens`). `merge` reads that from a second small logistic regression over
features of each pair of stories joined by at least one candidate pair (`FEATURES`), all
free of the window's size, and joins the surest pairs above MERGE_AT, a few rounds, each
story joining at most once a round.

Fitted on clustering-dev's tune half (branch `cluster4`, see docs/benchmarks.md, "A
story-level second pass"); only the coefficients below are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.preprocessing import normalize

FEATURES = (
    "mean linkage weight over all cross pairs (non-candidates 0)",
    "mean scorer probability over the cross candidate pairs",
    "highest scorer probability of a cross pair",
    "share of cross pairs that are candidates",
    "the lower of the two stories' shares of members with a cross candidate pair",
    "the higher of the two",
    "share of cross candidate pairs within each other's 6 nearest",
    "cosine of the two stories' pooled names (title and lead)",
    "cosine of the two stories' whole-text centroids",
    "share of cross candidate pairs a guard speaks against",
    "the lower of centroid cosine / each story's best centroid cosine",
    "the higher of the two",
    "log of the better rank of each story among the other's joined stories, by centroid",
    "log of the worse rank",
    "log of cross candidate pairs per member of the smaller story",
    "mean cosine over the cross candidate pairs",
    "log of the first feature",
    "logit of the second",
    "logit of the third",
    "log of the centroid cosine",
    "the two stories are each other's nearest by centroid",
    "share of cross candidate pairs giving a specific number in common",
    "mean cosine of the cross candidate pairs' whole texts without their names (0 where a "
    "guard speaks)",
)
# A logistic regression over FEATURES (in that order), fitted with scikit-learn
# (LogisticRegression, C=1, standardised features; coefficients here un-standardised) on the
# pairs of stories the scorer's linkage leaves in clustering-dev's tune half (NeuS, BASIL,
# ECB+, daily and weekly windows, each of the six weighted equally; within one, each pair of
# stories weighed by the number of article pairs it joins, so that two halves of a 20-report
# story count as much as the 100 report pairs they hold). The label: the two stories'
# largest events are the same. Nothing of the data is in the repository, only these numbers.
# Refitted the same way (branch `cluster5`) with the last two features, after the pair
# scorer's refit (docs/benchmarks.md, "Numbers and what happened"), and again after the
# scorer's numbers were weighed by rarity (branch `cluster6`, "Numbers weighed by rarity"),
# and once the scorer became boosted trees ("Trees instead of a logistic regression").
# The fit is `benchmarks/fit_clustering.py`: it refits the scorer, then this on the scorer's
# linkage, and prints the numbers below (docs/benchmarks.md, "Refitting the two models").
COEFFICIENTS = np.array(
    [
        2.7282,  # mean linkage weight over all cross pairs (non-candidates 0)
        3.8716,  # mean scorer probability over the cross candidate pairs
        0.5529,  # highest scorer probability of a cross pair
        7.0493,  # share of cross pairs that are candidates
        -1.4395,  # the lower of the two stories' shares of members with a cross candidate pair
        3.8847,  # the higher of the two
        -0.979,  # share of cross candidate pairs within each other's 6 nearest
        1.2179,  # cosine of the two stories' pooled names (title and lead)
        -6.3788,  # cosine of the two stories' whole-text centroids
        -0.0615,  # share of cross candidate pairs a guard speaks against
        -0.2642,  # the lower of centroid cosine / each story's best centroid cosine
        0.2684,  # the higher of the two
        -0.242,  # log of the better rank of each story among the other's joined stories, by cent...
        -0.3476,  # log of the worse rank
        -0.3756,  # log of cross candidate pairs per member of the smaller story
        6.3508,  # mean cosine over the cross candidate pairs
        -1.1526,  # log of the first feature
        1.0958,  # logit of the second
        -0.1382,  # logit of the third
        -0.5307,  # log of the centroid cosine
        -0.1607,  # the two stories are each other's nearest by centroid
        -0.5804,  # share of cross candidate pairs giving a specific number in common
        4.8595,  # mean cosine of the cross candidate pairs' whole texts without their names (0 w...
    ],
    dtype=np.float64,
)
INTERCEPT = -13.0726
# The same features, fitted the same way on the daily windows with every text removed
# (headlines alone, their pairs scored by the brief trees; `fit_clustering` step 2b): a window
# of headlines (`mostly_briefs`) is joined by these. Before them such a window had no second
# pass at all (pairs of two briefs were left out of this one).
BRIEF_COEFFICIENTS = np.array(
    [
        3.273,  # mean linkage weight over all cross pairs (non-candidates 0)
        0.8193,  # mean scorer probability over the cross candidate pairs
        1.0863,  # highest scorer probability of a cross pair
        1.4169,  # share of cross pairs that are candidates
        2.3838,  # the lower of the two stories' shares of members with a cross candidate pair
        3.8129,  # the higher of the two
        -0.4761,  # share of cross candidate pairs within each other's 6 nearest
        0.5481,  # cosine of the two stories' pooled names (title and lead)
        -6.1971,  # cosine of the two stories' whole-text centroids
        -0.917,  # share of cross candidate pairs a guard speaks against
        -0.7347,  # the lower of centroid cosine / each story's best centroid cosine
        -0.4089,  # the higher of the two
        -0.5297,  # log of the better rank of each story among the other's joined stories, by cen...
        -0.0695,  # log of the worse rank
        0.1146,  # log of cross candidate pairs per member of the smaller story
        7.9014,  # mean cosine over the cross candidate pairs
        -1.6212,  # log of the first feature
        1.3148,  # logit of the second
        -0.0459,  # logit of the third
        0.0073,  # log of the centroid cosine
        0.2114,  # the two stories are each other's nearest by centroid
        2.384,  # share of cross candidate pairs giving a specific number in common
        1.4729,  # mean cosine of the cross candidate pairs' whole texts without their names (0 w...
    ],
    dtype=np.float64,
)
BRIEF_INTERCEPT = -10.8087
# Chosen on the tune half: the lowest bar at which no set's pairwise precision falls by more
# than 0.02 (0.5 cost NeuS weekly 0.027).
MERGE_AT = 0.6
ROUNDS = 6
_NEAR = 6


def merge(
    labels: Sequence[int],
    pairs: tuple[np.ndarray, np.ndarray],
    weight: np.ndarray,
    probability: np.ndarray,
    cosine: np.ndarray,
    context: Context,
) -> list[int]:
    """`labels` (0..k-1) with the surest pairs of stories joined, relabelled 0..k'-1.
    `pairs` (rows, cols), `weight`, `probability`, `cosine`: the candidate pairs, what the
    linkage weighed them at, the scorer's probability and the mixed cosine."""
    out = np.asarray(labels, dtype=np.int64).copy()
    if context.headlines:
        coefficients, intercept = BRIEF_COEFFICIENTS, BRIEF_INTERCEPT
    else:
        coefficients, intercept = COEFFICIENTS, INTERCEPT
    for _ in range(ROUNDS):
        first, second, features = story_pair_features(
            out, pairs, weight, probability, cosine, context
        )
        if len(first) == 0:
            break
        odds = 1.0 / (1.0 + np.exp(-(features @ coefficients + intercept)))
        parent: dict[int, int] = {}
        used: set[int] = set()
        for k in np.argsort(-odds, kind="stable"):
            if odds[k] < MERGE_AT:
                break
            a, b = int(first[k]), int(second[k])
            if a in used or b in used:
                continue
            used.update((a, b))
            parent[b] = a
        if not parent:
            break
        target = np.arange(out.max() + 1)
        for b, a in parent.items():
            target[b] = a
        out = np.unique(target[out], return_inverse=True)[1].astype(np.int64)
    return [int(x) for x in np.unique(out, return_inverse=True)[1]]


class Context:
    """What the features need of the window besides the pairs."""

    def __init__(
        self,
        full: csr_matrix,
        names: csr_matrix,
        worse_rank: np.ndarray,
        apart: np.ndarray,
        action: np.ndarray | None = None,
        numbers: np.ndarray | None = None,
        headlines: bool = False,
    ) -> None:
        self.full = full  # unit whole-text rows
        self.names = names  # doc x name, 1 where the title or lead names it (`Guard.names`)
        self.worse_rank = worse_rank  # per candidate pair, the worse of the two ranks
        self.apart = apart  # per candidate pair, a guard speaks
        # Per candidate pair: the cosine of the whole texts without their names, and how many
        # specific numbers both give (`parts.action_tokens`, `parts.numbers`).
        self.action = np.zeros(len(worse_rank)) if action is None else action
        self.numbers = np.zeros(len(worse_rank)) if numbers is None else numbers
        self.headlines = headlines  # a window of headlines (`mostly_briefs`): BRIEF_COEFFICIENTS


# Between two briefs (headlines without text) the full-text scorer joined far more than it should
# (see `scorers.BRIEF_SCORER_FILE`), and COEFFICIENTS were fitted on windows of articles with
# texts: a window where briefs are more than BRIEF_SHARE of the articles (a headline
# aggregator's dump) is joined by BRIEF_COEFFICIENTS, fitted on windows of headlines. Where
# briefs are few (ECB+'s text-less documents, ~1 % of its windows, as in the windows
# COEFFICIENTS were fitted on) their pairs are read by COEFFICIENTS like any other.
BRIEF_SHARE = 0.1


def mostly_briefs(briefs: np.ndarray) -> bool:
    """Whether a window is one of headlines (`briefs`: per doc, a headline without text): briefs
    more than BRIEF_SHARE of it. There pairs of two briefs are scored by trees of their own
    (`clustering.brief_pairs`), stories are joined by BRIEF_COEFFICIENTS, and words are compared
    by their stems (`vectorizer.Vectorizer`)."""
    return bool(len(briefs)) and float(briefs.mean()) > BRIEF_SHARE


def story_pair_features(
    labels: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray],
    weight: np.ndarray,
    probability: np.ndarray,
    cosine: np.ndarray,
    context: Context,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each pair of stories (first < second) joined by a candidate pair, and its FEATURES."""
    rows, cols = pairs
    joined = _story_pairs(labels, rows, cols)
    cross, which, first, second = joined.cross, joined.which, joined.first, joined.second
    w, p, s = weight[cross], probability[cross], cosine[cross]
    stories = int(labels.max()) + 1
    m = len(first)
    if m == 0:
        return first, second, np.zeros((0, len(FEATURES)))
    size = np.bincount(labels, minlength=stories).astype(np.float64)
    sa, sb = size[first], size[second]
    count = np.bincount(which, minlength=m).astype(np.float64)
    total_p = np.bincount(which, weights=p, minlength=m)
    best_p = np.zeros(m)
    np.maximum.at(best_p, which, p)
    near = (context.worse_rank[cross] <= _NEAR).astype(np.float64)
    apart = context.apart[cross].astype(np.float64)
    numbered = (context.numbers[cross] > 0).astype(np.float64)
    # What happened counts only where no guard speaks: look-alike events (two towns' storms
    # from one template) say the same happened with other names, and names are what was left
    # out of it (the template test of test_clustering joined two towns without this).
    action = context.action[cross] * (1.0 - apart)
    cover_a = _covered(labels, which, joined.in_first, m) / sa
    cover_b = _covered(labels, which, joined.in_second, m) / sb
    names_cosine, centroid_cosine = _story_cosines(labels, stories, first, second, context)
    average = np.bincount(which, weights=w, minlength=m) / (sa * sb)
    mean_p = total_p / count
    share_low, share_high, rank_low, rank_high = _relative(first, second, centroid_cosine, stories)
    return (
        first,
        second,
        np.column_stack(
            [
                average,
                mean_p,
                best_p,
                count / (sa * sb),
                np.minimum(cover_a, cover_b),
                np.maximum(cover_a, cover_b),
                np.bincount(which, weights=near, minlength=m) / count,
                names_cosine,
                centroid_cosine,
                np.bincount(which, weights=apart, minlength=m) / count,
                share_low,
                share_high,
                rank_low,
                rank_high,
                np.log(count / np.minimum(sa, sb)),
                np.bincount(which, weights=s, minlength=m) / count,
                np.log(np.maximum(average, 1e-4)),
                _logit(mean_p),
                _logit(best_p),
                np.log(np.maximum(centroid_cosine, 1e-3)),
                (rank_high == 0).astype(np.float64),
                np.bincount(which, weights=numbered, minlength=m) / count,
                np.bincount(which, weights=action, minlength=m) / count,
            ]
        ),
    )


class _StoryPairs(NamedTuple):
    """The candidate pairs across two stories and the pairs of stories they join."""

    cross: np.ndarray  # per candidate pair: its two are in two stories
    which: np.ndarray  # per cross pair: its pair of stories (an index into first, second)
    first: np.ndarray  # per pair of stories: the lower label
    second: np.ndarray  # and the higher
    in_first: np.ndarray  # per cross pair: its member in the first story
    in_second: np.ndarray  # and in the second


def _story_pairs(labels: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> _StoryPairs:
    """The pairs of stories (first < second) the candidate pairs (`rows`, `cols`) join."""
    la, lb = labels[rows], labels[cols]
    cross = la != lb
    r, c, la, lb = rows[cross], cols[cross], la[cross], lb[cross]
    swap = la > lb
    first_of, second_of = np.where(swap, lb, la), np.where(swap, la, lb)
    in_first, in_second = np.where(swap, c, r), np.where(swap, r, c)
    stories = int(labels.max()) + 1
    keys, which = np.unique(first_of * stories + second_of, return_inverse=True)
    return _StoryPairs(cross, which, keys // stories, keys % stories, in_first, in_second)


def _covered(labels: np.ndarray, which: np.ndarray, member: np.ndarray, m: int) -> np.ndarray:
    """Per pair of stories (`which`: of each cross pair, m in all), how many members of one
    story (`member`: of each cross pair, its member there) have a cross candidate pair."""
    n = len(labels) + 1
    return np.bincount(np.unique(which * n + member) // n, minlength=m)


def _story_cosines(
    labels: np.ndarray,
    stories: int,
    first: np.ndarray,
    second: np.ndarray,
    context: Context,
) -> tuple[np.ndarray, np.ndarray]:
    """Per pair of stories, the cosine of their pooled names and of their whole-text
    centroids."""
    membership = csr_matrix(
        (np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(stories, len(labels))
    )
    named = csr_matrix(membership @ context.names)
    named.data[:] = 1.0
    named = normalize(named)
    centroid = normalize(membership @ context.full)
    return _row_dots(named, first, second), _row_dots(centroid, first, second)


def _row_dots(matrix: csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1), dtype=np.float64).ravel()


def _logit(q: np.ndarray) -> np.ndarray:
    q = np.clip(q, 1e-4, 1 - 1e-4)
    return np.asarray(np.log(q / (1 - q)))


def _relative(
    first: np.ndarray, second: np.ndarray, value: np.ndarray, stories: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each pair's `value` over each story's best (lower, higher), and the log of each story's
    rank of the other among its joined stories by `value` (better, worse; 0: the nearest)."""
    best = np.zeros(stories)
    np.maximum.at(best, first, value)
    np.maximum.at(best, second, value)
    share_a = value / np.maximum(best[first], 1e-6)
    share_b = value / np.maximum(best[second], 1e-6)
    m = len(value)
    ends = np.concatenate([first, second])
    order = np.lexsort((-np.concatenate([value, value]), ends))
    start = np.searchsorted(ends[order], ends[order])
    rank = np.empty(2 * m)
    rank[order] = np.arange(2 * m) - start + 1
    low, high = np.minimum(rank[:m], rank[m:]), np.maximum(rank[:m], rank[m:])
    return (
        np.minimum(share_a, share_b),
        np.maximum(share_a, share_b),
        np.log(low),
        np.log(high),
    )
