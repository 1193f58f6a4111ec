"""Group articles into stories, on CPU: TF-IDF cosine, then average-linkage within components.

Two steps keep it fast at thousands of articles: a sparse similarity pass finds every pair above
the threshold (in row blocks, so memory stays small) and splits the day into connected
components; average-linkage agglomerative clustering then runs inside each component, so one
loose chain of "similar enough" pairs cannot glue unrelated events together (single linkage's
known failure). In a window of SCORER_MIN_WINDOW or more the linkage reads only the candidate
pairs (`linkage.sparse_average_linkage`: memory grows with the pairs, not with a component's square,
as a window of headlines is mostly one component). Near-duplicates (`duplicate_of`) are joined
before anything else.

How much a pair agrees: in a window of SCORER_MIN_WINDOW articles or more, a small learned
pair scorer (`pair_similarity`: boosted decision trees over the views' cosines, ranks, shares of
each article's best similarity, shared nearest neighbours and specific numbers) or the pair's
cosine, whichever is higher; the candidate pairs are each article's SCORER_K nearest; then a
story-level second pass (`merging`). In a window of fewer than SCORER_MIN_WINDOW (a small
newsroom's day, one subject's reports), the cosine of each article's MUTUAL_K nearest, where a
pair that neither article counts among its NEAR_K nearest weighs less (`linkage.far`), so a crowded
subject's neighbouring events stay apart, and two texts of one day are linked at a lower bar
(TEXT_BAR).

What an article is compared on (see `Vectorizer`): the words of its whole text with its title,
the words of its title and first prose sentences, and its names and numbers, each TF-IDF over
the window (in a window of fewer than SCORER_MIN_WINDOW, with the newsroom's earlier articles
counted in each word's IDF: `history`), in the article's own language (`language`). Reports of
one event by different outlets share few words in their leads but many specific ones over their
whole texts; names keep look-alike events apart. Two guards speak against reports being one
event whatever their words (`Guard`, `guarded`): they name weekdays more than a day apart, or
both name people and places in title and lead and share none of them. Reports published more
than APART_DAYS apart are never compared at all (`Guard.distant`): in a window wider than that
(`headlines stories --hours`, a dump of years) one subject's events months apart would otherwise
be one story.

A story told by more outlets than a report's list of SCORER_K nearest holds (a news
aggregator's day: one event in fifty headlines) is kept whole two ways: copies of one headline
(`copies.copy_roots`: COPY_SHARE of their words in common, no text) are one doc, as duplicates
are; and pieces the linkage left apart only because no list had room for their pairs are
joined after it (`pieces.joined_pieces`).

This module is the path through them (`cluster`, `Clustering`); its parts are modules beside it:
`parts.py` (what an article is compared on: `Doc`, its lead, weekdays, names and numbers),
`copies.py` (duplicates and copies of a headline: one doc each), `linkage.py` (average linkage,
over square blocks or the candidate pairs alone), `pieces.py` (a story told widely, joined),
`vectorizer.py` (the views: `Vectorizer`, `embedded_titles`, `continuation_space`),
`guards.py` (`Guard`, `guarded`, APART_DAYS), `neighbours.py` (similarities a block of rows at a
time, NEAR_K, FAR_SHARE), `scorers.py` (the learned pair scorers' trees and their files) and
`candidates.py` (the candidate pairs and how much each agrees: `pair_similarity`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from headlines.stories import candidates, copies, linkage, merging, pieces
from headlines.stories.candidates import Pairs, pair_probability, pair_similarity
from headlines.stories.guards import GUARD_PENALTY, Guard, guarded
from headlines.stories.neighbours import BLOCK_ROWS, NEAR_K, Products
from headlines.stories.parts import Doc, leads_remembered
from headlines.stories.scorers import SCORER_MIN_WINDOW
from headlines.stories.vectorizer import Vectorizer, vectors

# Two articles are linked only when each is among the other's six nearest: in a window full of
# look-alike reports (a busy news week, a templated feed) "similar enough" pairs would otherwise
# chain hundreds of events into one component, which average linkage cannot undo cheaply.
MUTUAL_K = 6

# On the cosine path (a window of fewer than SCORER_MIN_WINDOW), a pair of two texts published
# within CLOSE_DAYS of each other (`Guard.close`) is linked at TEXT_BAR of the threshold: reports
# of one event by different outlets on one day share fewer words than the threshold asks of the
# pair scorer's path, where the scorer vouches for them. Two texts a guard speaks against take
# TEXT_GUARD_PENALTY instead of GUARD_PENALTY, so that the lower bar does not let look-alike
# events in (a templated feed's two towns' storms). Briefs, and reports days apart (the preview
# and the decision, the warning and the storm), keep the threshold as it is. Measured in
# docs/benchmarks.md, "A lower bar for one day's texts".
TEXT_BAR = 0.86
TEXT_GUARD_PENALTY = 0.75


@dataclass(frozen=True)
class _Weights:
    """How much two docs agree on the cosine path, given their similarity and whether a guard
    speaks: see TEXT_BAR."""

    guard: Guard
    texts: np.ndarray  # per doc, whether it has a text

    def weighed(
        self, similarity: np.ndarray, apart: np.ndarray, a: np.ndarray, b: np.ndarray
    ) -> np.ndarray:
        """`a`, `b`: index arrays of equal length, or a column and a row for a block."""
        both = self.texts[a] & self.texts[b]
        out = guarded(similarity, apart, np.where(both, TEXT_GUARD_PENALTY, GUARD_PENALTY))
        return np.where(both & self.guard.close(a, b), out / TEXT_BAR, out)


@dataclass(frozen=True)
class _Edges:
    rows: np.ndarray  # the pairs (i < j) that agree
    cols: np.ndarray
    near: np.ndarray  # each row's NEAR_K-th highest similarity (-1: every other is near)


def _edges(products: Products, weights: _Weights, threshold: float) -> _Edges:
    """The pairs (i < j) that agree: similar enough, among each other's MUTUAL_K nearest, and
    still at the threshold as `weights` weigh them (a guard's say, one day's texts' lower bar);
    and each row's NEAR_K-th nearest.

    One pass over the similarity blocks: each block gives its rows' k-th highest similarity,
    and its pairs above the threshold and the row's k-th (at most about k a row, so memory stays
    bounded); the other half of the mutual test needs the k-th of every row, so it runs on those
    candidates once the pass is done. (The blocks used to be computed twice, once for the k-th.)
    """
    n, k = products.n, MUTUAL_K
    kth = np.zeros(n, dtype=np.float32)  # 0 when a row has fewer than k others
    near = np.full(n, -1.0, dtype=np.float32)
    rows, cols, values = [], [], []
    for start in range(0, n, BLOCK_ROWS):
        block = products.block(start, min(start + BLOCK_ROWS, n))
        height = block.shape[0]
        block[np.arange(height), np.arange(start, start + height)] = -1.0  # not its own mate
        ranks = [r - 1 for r in (k, NEAR_K) if 0 < r < n]
        if ranks:  # both ranks from one partial sort; only their columns are kept
            ordered = np.partition(-block, ranks, axis=1)
            if 0 < k < n:
                kth[start : start + height] = -ordered[:, k - 1]
            if n > NEAR_K:
                near[start : start + height] = -ordered[:, NEAR_K - 1]
            del ordered
        floor = np.maximum(kth[start : start + height], threshold * TEXT_BAR)
        r, c = np.nonzero(block >= floor[:, None])
        keep = r + start < c
        r, c = r[keep], c[keep]
        values.append(block[r, c])
        rows.append(r + start)
        cols.append(c)
    if not rows:
        return _Edges(np.array([], dtype=np.int64), np.array([], dtype=np.int64), near)
    r, c, data = np.concatenate(rows), np.concatenate(cols), np.concatenate(values)
    keep = data >= kth[c]
    r, c, data = r[keep], c[keep], data[keep]
    agree = weights.weighed(data, weights.guard.apart(r, c), r, c) >= threshold
    return _Edges(r[agree], c[agree], near)


def _scored_labels(
    products: Products,
    views: Sequence[csr_matrix],
    guard: Guard,
    briefs: np.ndarray,
    threshold: float,
) -> list[int]:
    """Stories of a window of SCORER_MIN_WINDOW articles or more, by the pair scorer:
    components of the pairs at or above the threshold, average linkage inside each, then the
    story-level second pass (`merging.merge`) joins the pieces it left apart."""
    pairs = candidates.scored_pairs(products, views, guard)
    linked = scored_linkage(pairs, views, guard.names, briefs, threshold)
    labels = pieces.joined_pieces(
        linked.labels, pairs, linked.weight, products, guard, views[4], threshold
    )
    return merging.merge(
        labels,
        (pairs.rows, pairs.cols),
        linked.weight,
        linked.probability,
        pairs.similarity,
        linked.context,
    )


@dataclass(frozen=True)
class Linked:
    """What `scored_linkage` made: the stories before the second pass and what it reads."""

    labels: list[int]
    weight: np.ndarray  # per candidate pair, as the linkage weighed it (`pair_similarity`)
    probability: np.ndarray  # per candidate pair, the scorer's
    context: merging.Context


def brief_pairs(
    briefs: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate pair of two briefs: scored by the brief trees (where briefs make the window,
    as in the windows they were fitted on), or weighed by the cosine alone (a few briefs among
    articles, whose neighbours are articles). Pairs with an article are in neither."""
    brief = briefs[rows] & briefs[cols]
    own = brief & merging.mostly_briefs(briefs)
    return own, brief & ~own


def scored_linkage(
    pairs: Pairs,
    views: Sequence[csr_matrix],
    names: csr_matrix,
    briefs: np.ndarray,
    threshold: float,
) -> Linked:
    """The stories of `_scored_labels` before its second pass (also what
    `benchmarks.fit_clustering` fits the second pass on). `names`: `Guard.names`."""
    n = len(briefs)
    own, cosine_only = brief_pairs(briefs, pairs.rows, pairs.cols)
    probability = pair_probability(pairs.features, own)
    weight = pair_similarity(pairs, probability, cosine_only)
    agree = weight >= threshold
    ones = np.ones(int(agree.sum()), dtype=np.int8)
    graph = csr_matrix((ones, (pairs.rows[agree], pairs.cols[agree])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    same = component[pairs.rows] == component[pairs.cols]
    rows, cols = pairs.rows[same], pairs.cols[same]
    context = merging.Context(
        full=views[0],
        names=names,
        worse_rank=pairs.worse,
        apart=pairs.apart,
        headlines=merging.mostly_briefs(briefs),
        action=pairs.action,
        numbers=pairs.numbers,
    )
    labels = linkage.sparse_average_linkage(n, rows, cols, weight[same], component, threshold)
    return Linked(labels, weight, probability, context)


# The newsroom's earlier articles, or a function that reads them (`cluster`).
History = Sequence[Doc] | Callable[[], Sequence[Doc]]


@dataclass(frozen=True)
class Clustering:
    labels: list[int]  # one per doc, 0..k-1
    matrix: csr_matrix  # the docs' L2-normalised TF-IDF rows
    vectorizer: Vectorizer


def cluster(
    docs: Sequence[Doc],
    *,
    threshold: float,
    embedding_weight: float = 0.0,
    static_weight: float = 0.0,
    history: History = (),
) -> Clustering:
    """Label every doc with its story. `history`: earlier articles of the newsroom, whose words
    count in the IDF of a window of fewer than SCORER_MIN_WINDOW docs, copies of a headline
    counted once (`copies`; see `Vectorizer`); a larger window's own is measure enough, and the
    pair scorer was fitted on it. Given as a function, it is read only for a window that small
    (the caller cannot tell: only the clustering finds the copies)."""
    with leads_remembered():
        return _cluster(docs, threshold, embedding_weight, static_weight, history)


def _cluster(
    docs: Sequence[Doc],
    threshold: float,
    embedding_weight: float,
    static_weight: float,
    history: History,
) -> Clustering:
    n = len(docs)
    if n == 0:
        return Clustering([], csr_matrix((0, 0), dtype=np.float32), Vectorizer())
    roots = copies.copy_roots(docs, copies.duplicate_roots(docs))
    # Duplicates are one doc for clustering: only roots are compared, and only roots make the
    # window's vectors. Counted in, a headline thirty outlets carried made its own words look
    # common and pulled the window's mean sentence vector its way, so that two headlines far
    # from it, a carmaker's recall and an exchange's bankruptcy, looked alike.
    root_ids = sorted(set(roots))
    index_of = {r: k for k, r in enumerate(root_ids)}
    earlier: Sequence[Doc] = ()
    if len(root_ids) < SCORER_MIN_WINDOW:
        earlier = history() if callable(history) else history
    vec, root_matrix = vectors(
        [docs[r] for r in root_ids], embedding_weight, static_weight, earlier
    )
    matrix = root_matrix[[index_of[r] for r in roots]]  # a duplicate's row is its root's
    guard = Guard.of([docs[r] for r in root_ids])
    products = Products(root_matrix, vec.dense_columns, guard)
    m = len(root_ids)
    briefs = np.array([not docs[r].text.strip() for r in root_ids], dtype=bool)
    if m >= SCORER_MIN_WINDOW and vec.views is not None:
        views = list(vec.views)
        root_label = _scored_labels(products, views, guard, briefs, threshold)
        return Clustering([root_label[index_of[roots[i]]] for i in range(n)], matrix, vec)
    weights = _Weights(guard, ~briefs)
    edges = _edges(products, weights, threshold)
    ones = np.ones(len(edges.rows), dtype=np.int8)
    graph = csr_matrix((ones, (edges.rows, edges.cols)), shape=(m, m))
    _, component = connected_components(graph, directed=False)
    root_label = _split_components(root_matrix, weights, component, threshold, edges.near)
    labels = [root_label[index_of[roots[i]]] for i in range(n)]
    return Clustering(labels, matrix, vec)


def _split_components(
    matrix: csr_matrix, weights: _Weights, component: np.ndarray, threshold: float, near: np.ndarray
) -> list[int]:
    guard = weights.guard

    def similarity(members: list[int]) -> np.ndarray:
        ids = np.asarray(members)
        dense = linkage.far((matrix[members] @ matrix[members].T).toarray(), near[ids])
        distant = guard.distant(ids, ids)
        if distant is not None:
            dense[distant] = 0.0
        return weights.weighed(dense, guard.apart_within(ids), ids[:, None], ids[None, :])

    return linkage.average_linkage(component, similarity, threshold)
