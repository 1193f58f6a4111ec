"""The candidate pairs of a window of SCORER_MIN_WINDOW articles or more (`scored_pairs`: each
article's SCORER_K nearest, with the features the pair scorers read), and how much each agrees
(`pair_probability`, `pair_similarity`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from headlines.stories import scorers
from headlines.stories.guards import Guard, guarded
from headlines.stories.neighbours import FAR_SHARE, NEAR_K, Products, nearest, row_dots
from headlines.stories.scorers import SCORER_K

# The scorer's probability in similarity units: probability SCORER_JOIN counts as
# SCORER_AT (HEADLINES_STORY_SIMILARITY when the trees were fitted), so the setting still moves
# the bar: at the shipped 0.22 a pair joins from a probability of 0.47.
SCORER_JOIN = 0.55
SCORER_AT = 0.26
# A pair also counts at COSINE_SHARE of its cosine (at FAR_SHARE of that when neither article
# counts the other among its NEAR_K nearest), whichever is higher: a 20-30-report story's far
# members are not among each other's nearest, so the scorer alone doubts them, while their
# words still agree (ECB+'s large stories). Then a guard halves either (`guarded`): the
# scorer learnt little from the names guard on real news, where outlets go through different
# people, but without it the templated set's storms in two towns were joined (its held-out
# pairwise precision 0.83, under the 0.85 floor of tests/stories/test_quality.py).
COSINE_SHARE = 0.85


@dataclass(frozen=True)
class Pairs:
    """The candidate pairs (i < j) of a window with their features, one row each."""

    rows: np.ndarray
    cols: np.ndarray
    similarity: np.ndarray  # the mixed cosine
    better: np.ndarray  # each pair's better rank (1: one is the other's nearest)
    worse: np.ndarray  # and its worse (SCORER_K + 1: past the other's SCORER_K nearest)
    apart: np.ndarray  # a guard speaks against the pair
    features: np.ndarray  # len(rows) x len(SCORER_FEATURES)
    action: np.ndarray  # the cosine of the whole texts without their names (`action_tokens`)
    numbers: np.ndarray  # the specific numbers both give, each weighed by its rarity (`numbers`)


def scored_pairs(products: Products, views: Sequence[csr_matrix], guard: Guard) -> Pairs:
    """The candidate pairs of a window of SCORER_MIN_WINDOW rows or more (a smaller one takes
    the cosine path, `clustering._cluster`). `views`: `Vectorizer.views` (whole text, title and
    lead, names, action, numbers)."""
    top, values = nearest(products, SCORER_K)
    best = values[:, 0].astype(np.float64)
    near = values[:, NEAR_K - 1].astype(np.float64)
    rows, cols, similarity, better, worse = _ranked_pairs(top, values)
    share_r = similarity / np.maximum(best[rows], 1e-6)
    share_c = similarity / np.maximum(best[cols], 1e-6)
    other_days, other_names = guard.parts(rows, cols)
    shared = _shared_neighbours(top, values, rows, cols)
    common, common_share = _shared_numbers(views[4], rows, cols)
    features = np.column_stack(
        [
            row_dots(views[0], rows, cols),
            row_dots(views[1], rows, cols),
            row_dots(views[2], rows, cols),
            np.log(better),
            np.log(worse),
            np.minimum(share_r, share_c),
            np.maximum(share_r, share_c),
            np.maximum(similarity - near[rows], similarity - near[cols]),
            other_days,
            other_names,
            *shared,
            np.log1p(common),
            common_share,
        ]
    )
    return Pairs(
        rows,
        cols,
        similarity,
        better,
        worse,
        other_days | other_names,
        features,
        action=row_dots(views[3], rows, cols),
        numbers=common,
    )


def _ranked_pairs(
    top: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each pair (i < j) that one counts among the other's nearest (`top`, `values`: n x k):
    its rows, cols, cosine and better and worse rank (SCORER_K + 1: past the other's list)."""
    n, k = top.shape
    a = np.repeat(np.arange(n, dtype=np.int64), k)
    b = top.ravel()
    rank = np.tile(np.arange(1, k + 1, dtype=np.int64), n)
    # An article that shares no word with another is not its neighbour, whatever its rank: a
    # one-report story's "nearest" can be ties at 0, and two such stories looked like each
    # other's only neighbours (trees once fitted on small windows joined a museum and a chess
    # final).
    some = values.ravel() > 0
    a, b, rank = a[some], b[some], rank[some]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keys, where = np.unique(lo * n + hi, return_inverse=True)
    rows, cols = keys // n, keys % n
    rank_lo = np.full(len(keys), SCORER_K + 1, dtype=np.int64)  # rank of cols in rows' list
    rank_hi = np.full(len(keys), SCORER_K + 1, dtype=np.int64)
    forward = a < b
    rank_lo[where[forward]] = rank[forward]
    rank_hi[where[~forward]] = rank[~forward]
    similarity = np.empty(len(keys), dtype=np.float64)
    similarity[where] = values.ravel()[some]
    better, worse = np.minimum(rank_lo, rank_hi), np.maximum(rank_lo, rank_hi)
    return rows, cols, similarity, better, worse


def _shared_neighbours(
    top: np.ndarray, values: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> list[np.ndarray]:
    """Per pair, the share of their 10 and of their 30 nearest (at most k) the two have in
    common."""
    n, k = top.shape
    shared = []
    for size in (10, 30):
        width = min(size, k)
        members = top[:, :width].ravel()
        # As in `_ranked_pairs`: a tie at 0 is no neighbour.
        ones = (values[:, :width].ravel() > 0).astype(np.float32)
        within = csr_matrix((ones, (np.repeat(np.arange(n), width), members)), shape=(n, n))
        shared.append(row_dots(within, rows, cols) / width)
    return shared


def _shared_numbers(
    numbers: csr_matrix, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The specific numbers both give and either gives, each weighed by its rarity: per pair,
    the weight of those both give, and its share of the weight of those either gives."""
    count = np.asarray(numbers.multiply(numbers).sum(axis=1), dtype=np.float64).ravel()
    common = row_dots(numbers, rows, cols)
    return common, common / np.maximum(count[rows] + count[cols] - common, 1.0)


def pair_probability(features: np.ndarray, brief: np.ndarray | None = None) -> np.ndarray:
    """The scorer's probability that each pair (a row of SCORER_FEATURES) is one event; where
    `brief` (per pair: both are headlines without text), the brief scorer's."""
    trees = scorers.scorer()
    if brief is None or not brief.any():
        return trees.probability(features)
    out = np.empty(len(features), dtype=np.float64)
    out[~brief] = trees.probability(features[~brief])
    briefs = scorers.brief_scorer()
    out[brief] = briefs.probability(features[brief])
    return out


def pair_similarity(pairs: Pairs, probability: np.ndarray, cosine_only: np.ndarray) -> np.ndarray:
    """What average linkage weighs each candidate pair at (similarity units): the scorer's
    probability or COSINE_SHARE of the cosine, whichever is higher; where `cosine_only` (two
    briefs in a window of mostly articles, see BRIEF_SCORER_FILE), the cosine alone.
    `probability`: `pair_probability` of the pairs."""
    scored = probability * (SCORER_AT / SCORER_JOIN)
    cosine = np.where(pairs.better <= NEAR_K, pairs.similarity, pairs.similarity * FAR_SHARE)
    weight = np.where(cosine_only, cosine, np.maximum(scored, COSINE_SHARE * cosine))
    return guarded(weight, pairs.apart)
