"""Group articles into stories, on CPU: TF-IDF cosine, then average-linkage within components.

Two steps keep it fast at thousands of articles: a sparse similarity pass finds every pair above
the threshold (in row blocks, so memory stays small) and splits the day into connected
components; average-linkage agglomerative clustering then runs inside each component, so one
loose chain of "similar enough" pairs cannot glue unrelated events together (single linkage's
known failure). In a window of SMALL_MIN_WINDOW or more the linkage reads only the candidate
pairs (`sparse_average_linkage`: memory grows with the pairs, not with a component's square,
as a window of headlines is mostly one component). Near-duplicates (`duplicate_of`) are joined
before anything else.

How much a pair agrees: in a window of SMALL_MIN_WINDOW articles or more, a small learned
pair scorer (`pair_similarity`: boosted decision trees over the views' cosines, ranks, shares of
each article's best similarity, shared nearest neighbours and specific numbers) or the pair's
cosine, whichever is higher; the candidate pairs are each article's SCORER_K nearest (every
other article in a window of SCORER_K or fewer). Under SCORER_MIN_WINDOW articles the trees are
those fitted on small windows (SMALL_SCORER_FILE), and no story-level second pass follows. In a
window of fewer than SMALL_MIN_WINDOW, the cosine of each article's MUTUAL_K nearest, where a
pair that neither article counts among its NEAR_K nearest weighs less (`far`), so a crowded
subject's neighbouring events stay apart.

What an article is compared on (see `Vectorizer`): the words of its whole text with its title,
the words of its title and first prose sentences, and its names and numbers, each TF-IDF over
the window, in the article's own language (`language`). Reports of one event by different
outlets share few words in their leads but many specific ones over their whole texts; names
keep look-alike events apart. Two guards speak against reports being one event whatever their
words (`Guard`, `guarded`): they name weekdays more than a day apart, or both name people and
places in title and lead and share none of them. Reports published more than APART_DAYS apart
are never compared at all (`Guard.distant`): in a window wider than that (`headlines stories
--hours`, a dump of years) one subject's events months apart would otherwise be one story.

A story told by more outlets than a report's list of SCORER_K nearest holds (a news
aggregator's day: one event in fifty headlines) is kept whole two ways: copies of one headline
(`_copy_roots`: COPY_SHARE of their words in common, no text) are one doc, as duplicates are;
and pieces the linkage left apart only because no list had room for their pairs are joined
after it (`_joined_pieces`).

This module is the linkage (`cluster`, `Clustering`); its parts are modules beside it:
`parts.py` (what an article is compared on: `Doc`, its lead, weekdays, names and numbers),
`vectorizer.py` (the views: `Vectorizer`, `embedded_titles`, `continuation_space`),
`guards.py` (`Guard`, `guarded`, APART_DAYS), `neighbours.py` (similarities a block of rows at a
time, NEAR_K, FAR_SHARE), `scorers.py` (the learned pair scorers' trees and their files) and
`candidates.py` (the candidate pairs and how much each agrees: `pair_similarity`).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering

from headlines.stories import candidates, language, merging
from headlines.stories.candidates import COSINE_SHARE, Pairs, pair_probability, pair_similarity
from headlines.stories.guards import Guard, guarded
from headlines.stories.neighbours import BLOCK_ROWS, FAR_SHARE, NEAR_K, Products, row_dots
from headlines.stories.parts import Doc, leads_remembered
from headlines.stories.scorers import SCORER_K, SCORER_MIN_WINDOW, SMALL_MIN_WINDOW
from headlines.stories.vectorizer import Vectorizer, vectors

# Two articles are linked only when each is among the other's six nearest: in a window full of
# look-alike reports (a busy news week, a templated feed) "similar enough" pairs would otherwise
# chain hundreds of events into one component, which average linkage cannot undo cheaply.
MUTUAL_K = 6


@dataclass(frozen=True)
class _Edges:
    rows: np.ndarray  # the pairs (i < j) that agree
    cols: np.ndarray
    near: np.ndarray  # each row's NEAR_K-th highest similarity (-1: every other is near)


def _edges(products: Products, guard: Guard, threshold: float) -> _Edges:
    """The pairs (i < j) that agree: similar enough, among each other's MUTUAL_K nearest, and
    still above the threshold once a guard has had its say; and each row's NEAR_K-th nearest.

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
        floor = np.maximum(kth[start : start + height], threshold)
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
    agree = guarded(data, guard.apart(r, c)) >= threshold
    return _Edges(r[agree], c[agree], near)


def _scored_labels(
    products: Products,
    views: Sequence[csr_matrix],
    guard: Guard,
    briefs: np.ndarray,
    threshold: float,
) -> list[int]:
    """Stories of a window of SMALL_MIN_WINDOW articles or more, by the pair scorer:
    components of the pairs at or above the threshold, average linkage inside each, then, in a
    window of SCORER_MIN_WINDOW or more, the story-level second pass (`merging.merge`) joins
    the pieces it left apart."""
    pairs = candidates.scored_pairs(products, views, guard)
    linked = scored_linkage(pairs, views, guard.names, briefs, threshold)
    labels = _joined_pieces(
        linked.labels, pairs, linked.weight, products, guard, views[4], threshold
    )
    if products.n < SCORER_MIN_WINDOW:
        return labels
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
    `benchmarks.fit_clustering` fits the second pass on). `names`: `Guard.names`. A window
    under SCORER_MIN_WINDOW is scored by `small_scorer`."""
    n = len(briefs)
    own, cosine_only = brief_pairs(briefs, pairs.rows, pairs.cols)
    probability = pair_probability(pairs.features, own, small=n < SCORER_MIN_WINDOW)
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
    labels = sparse_average_linkage(n, rows, cols, weight[same], component, threshold)
    return Linked(labels, weight, probability, context)


# A report that agrees with this share of SCORER_K others or more had no room in its list for
# more of its story: a pair of two such reports that neither listed is no evidence against.
FULL_SHARE = 2 / 3


def _joined_pieces(
    labels: list[int],
    pairs: Pairs,
    weight: np.ndarray,
    products: Products,
    guard: Guard,
    numbers: csr_matrix,
    threshold: float,
) -> list[int]:
    """`labels` with the pieces of a story told more widely than a report's list holds joined.

    Each report lists its SCORER_K nearest, and average linkage counts every pair neither
    listed as 0: a story told by more outlets than a list holds (a news aggregator's day: one
    event in fifty headlines) came apart in pieces, each report's list used up by its own
    piece, however alike the pieces were. Here two stories of more than SCORER_K + 1 reports
    together, with a candidate pair between them, are joined, greatest first, where their
    average weight over every cross pair reaches `threshold`, a pair neither listed weighing
    - as its cosine would (COSINE_SHARE x cosine), halved where a guard speaks or both give
      specific numbers and share none (`numbers`: `Vectorizer.views`' last),
    - no more than the pairs listed between the two stories do on average (those are the
      nearest), and
    - 0, as before, unless both reports agree with FULL_SHARE of SCORER_K others (had no room).
    Filling every pair neither listed inside a component joined look-alike events of a few
    reports each (docs/benchmarks.md, "Stories told by more outlets than the scorer looks
    at"); pieces that together fit in one list are left as the linkage made them."""
    label = np.asarray(labels, dtype=np.int64)
    members = {int(x): np.flatnonzero(label == x) for x in np.unique(label)}
    a, b = label[pairs.rows], label[pairs.cols]
    cross = a != b
    # Per pair of stories: the weight of the candidate pairs between them and their count.
    between: dict[int, dict[int, list[float]]] = {}
    for x, y, w in zip(a[cross].tolist(), b[cross].tolist(), weight[cross].tolist(), strict=True):
        entry = between.setdefault(x, {}).setdefault(y, [0.0, 0.0])
        entry[0] += w
        entry[1] += 1.0
        between.setdefault(y, {})[x] = entry
    n = products.n
    known = csr_matrix((np.ones(len(weight), dtype=np.int8), (pairs.rows, pairs.cols)), (n, n))
    known = (known + known.T).tocsr()
    agreeing = weight >= threshold
    agree = np.bincount(pairs.rows[agreeing], minlength=n)
    agree += np.bincount(pairs.cols[agreeing], minlength=n)
    full = agree >= FULL_SHARE * SCORER_K
    gives = np.diff(numbers.indptr) > 0

    def score(x: int, y: int) -> float:
        ids_x, ids_y = members[x], members[y]
        total, count = between[x][y]
        pairs_between = len(ids_x) * len(ids_y)
        room = full[ids_x][:, None] & full[ids_y][None, :]
        if total < threshold * count or not room.any():
            return total / pairs_between  # the linkage's own average, at most the listed's
        cosine = products.among(ids_x, ids_y)
        apart = guard.apart_between(ids_x, ids_y)
        common = (numbers[ids_x] @ numbers[ids_y].T).toarray() > 0
        apart |= gives[ids_x][:, None] & gives[ids_y][None, :] & ~common
        filled = np.minimum(guarded(COSINE_SHARE * cosine, apart), total / count)
        scored = known[ids_x][:, ids_y].toarray() > 0
        filled = np.where(room & ~scored, filled, 0.0)
        return float((total + filled.sum()) / pairs_between)

    def push(x: int, y: int) -> None:
        if len(members[x]) + len(members[y]) > SCORER_K + 1:
            value = score(x, y)
            if value >= threshold:
                heapq.heappush(heap, (-value, min(x, y), max(x, y), version[x] + version[y]))

    heap: list[tuple[float, int, int, int]] = []
    version = dict.fromkeys(members, 0)
    for x in between:
        for y in between[x]:
            if x < y:
                push(x, y)
    while heap:
        _, x, y, seen = heapq.heappop(heap)
        if x not in members or y not in members or seen != version[x] + version[y]:
            continue  # a piece already joined, or one that has grown since
        members[x] = np.concatenate([members[x], members.pop(y)])
        version[x] += 1
        for z, (total, count) in between.pop(y).items():
            del between[z][y]
            if z != x:
                entry = between[x].setdefault(z, [0.0, 0.0])
                entry[0] += total
                entry[1] += count
                between[z][x] = entry
        for z in between[x]:
            push(x, z)
    out = np.empty(len(label), dtype=np.int64)
    for k, ids in enumerate(members.values()):
        out[ids] = k
    return [int(x) for x in out]


def _duplicate_roots(docs: Sequence[Doc]) -> list[int]:
    roots = list(range(len(docs)))

    def root(i: int) -> int:
        seen = set()
        while docs[i].duplicate_of is not None and i not in seen:
            seen.add(i)
            i = docs[i].duplicate_of  # type: ignore[assignment]
        return i

    for i in range(len(docs)):
        roots[i] = root(i)
    return roots


# Two headlines without text that share this much of their words (Jaccard over every word,
# numbers whole) are one headline told again: a syndicated copy with a word dropped or an
# outlet's tag added. They are one doc for clustering, as duplicates are.
COPY_SHARE = 0.85
COPY_MIN_WORDS = 3
_NUMBER = re.compile(r"\d")


def _copy_roots(docs: Sequence[Doc], roots: list[int]) -> list[int]:
    """`roots` with each headline without text (a brief) that copies an earlier root brief
    (COPY_SHARE of their words in common, COPY_MIN_WORDS words or more each, the same numbers)
    rooted at the first it copies; a brief that copies none roots its own copies. Every word
    counts, the small ones too ("Court to take on travel ban" is no copy of "Court upholds
    travel ban"), and every number must be the same ("Unemployment claims rose to 853,000 last
    week", "… 778,000 …" are two weeks).

    A story told by fifty outlets of an aggregator's day is mostly a few headlines told again;
    compared one by one, the copies crowd each report's nearest, and the story came apart in
    pieces of a few copies each (docs/benchmarks.md, "Stories told widely")."""
    briefs = [i for i, d in enumerate(docs) if roots[i] == i and not d.text.strip()]
    words = [set(language.all_words(docs[i].title)) for i in briefs]
    numbers = [frozenset(w for w in found if _NUMBER.match(w)) for found in words]
    keep = [k for k, w in enumerate(words) if len(w) >= COPY_MIN_WORDS]
    if len(keep) < 2:
        return roots
    vocabulary: dict[str, int] = {}
    cols = [vocabulary.setdefault(w, len(vocabulary)) for k in keep for w in words[k]]
    rows = np.repeat(np.arange(len(keep)), [len(words[k]) for k in keep])
    ones = np.ones(len(cols), dtype=np.float32)
    binary = csr_matrix((ones, (rows, cols)), shape=(len(keep), len(vocabulary)))
    sizes = np.asarray(binary.sum(axis=1), dtype=np.float64).ravel()
    # Prefix filtering (exact): with every headline's words ordered rarest first, two that share
    # COPY_SHARE of their words share one of the first n - ceil(COPY_SHARE x n) + 1 of each; so
    # only pairs sharing such a word are compared, never every pair (10,000 headlines, whose
    # small words all share: 2 s and 180 MB compared whole).
    frequency = np.bincount(np.asarray(cols), minlength=len(vocabulary))
    prefix_rows, prefix_cols = [], []
    for k, found in enumerate(words[j] for j in keep):
        ordered = sorted((int(frequency[vocabulary[w]]), vocabulary[w]) for w in found)
        length = len(ordered) - int(np.ceil(COPY_SHARE * len(ordered) - 1e-9)) + 1
        prefix_rows += [k] * length
        prefix_cols += [column for _, column in ordered[:length]]
    prefix = csr_matrix(
        (np.ones(len(prefix_cols), dtype=np.float32), (prefix_rows, prefix_cols)),
        shape=binary.shape,
    )
    candidates = (prefix @ prefix.T).tocoo()
    a, b = candidates.row, candidates.col
    a, b = a[a < b], b[a < b]
    shared = row_dots(binary, a, b)
    same = shared >= COPY_SHARE * (sizes[a] + sizes[b] - shared) - 1e-9
    copies = [
        (i, j)
        for i, j in zip(a[same].tolist(), b[same].tolist(), strict=True)
        if numbers[keep[i]] == numbers[keep[j]]
    ]
    # Each copy goes to the first headline it copies that is no copy itself: one step, never
    # a chain of headlines each a word away from the last.
    leader = list(range(len(keep)))
    for first, copy in sorted(copies):
        if leader[first] == first and leader[copy] == copy:
            leader[copy] = first
    moved = {briefs[kept]: briefs[keep[leader[k]]] for k, kept in enumerate(keep)}
    return [moved.get(r, r) for r in roots]


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
) -> Clustering:
    """Label every doc with its story."""
    with leads_remembered():
        return _cluster(docs, threshold, embedding_weight, static_weight)


def _cluster(
    docs: Sequence[Doc], threshold: float, embedding_weight: float, static_weight: float
) -> Clustering:
    n = len(docs)
    if n == 0:
        return Clustering([], csr_matrix((0, 0), dtype=np.float32), Vectorizer())
    roots = _copy_roots(docs, _duplicate_roots(docs))
    # Duplicates are one doc for clustering: only roots are compared, and only roots make the
    # window's vectors. Counted in, a headline thirty outlets carried made its own words look
    # common and pulled the window's mean sentence vector its way, so that two headlines far
    # from it, a carmaker's recall and an exchange's bankruptcy, looked alike.
    root_ids = sorted(set(roots))
    index_of = {r: k for k, r in enumerate(root_ids)}
    vec, root_matrix = vectors([docs[r] for r in root_ids], embedding_weight, static_weight)
    matrix = root_matrix[[index_of[r] for r in roots]]  # a duplicate's row is its root's
    guard = Guard.of([docs[r] for r in root_ids])
    products = Products(root_matrix, vec.dense_columns, guard)
    m = len(root_ids)
    if m >= SMALL_MIN_WINDOW and vec.views is not None:
        views = list(vec.views)
        briefs = np.array([not docs[r].text.strip() for r in root_ids], dtype=bool)
        root_label = _scored_labels(products, views, guard, briefs, threshold)
        return Clustering([root_label[index_of[roots[i]]] for i in range(n)], matrix, vec)
    edges = _edges(products, guard, threshold)
    ones = np.ones(len(edges.rows), dtype=np.int8)
    graph = csr_matrix((ones, (edges.rows, edges.cols)), shape=(m, m))
    _, component = connected_components(graph, directed=False)
    root_label = _split_components(root_matrix, guard, component, threshold, edges.near)
    labels = [root_label[index_of[roots[i]]] for i in range(n)]
    return Clustering(labels, matrix, vec)


def far(similarity: np.ndarray, near: np.ndarray) -> np.ndarray:
    """`similarity` (a square block) with the pairs that are neither's NEAR_K nearest (`near`:
    each row's NEAR_K-th highest similarity) weighed at FAR_SHARE."""
    close = (similarity >= near[:, None]) | (similarity >= near[None, :])
    return np.where(close, similarity, similarity * FAR_SHARE)


def _split_components(
    matrix: csr_matrix, guard: Guard, component: np.ndarray, threshold: float, near: np.ndarray
) -> list[int]:
    def similarity(members: list[int]) -> np.ndarray:
        ids = np.asarray(members)
        dense = far((matrix[members] @ matrix[members].T).toarray(), near[ids])
        distant = guard.distant(ids, ids)
        if distant is not None:
            dense[distant] = 0.0
        return guarded(dense, guard.apart_within(ids))

    return _average_linkage(component, similarity, threshold)


def sparse_average_linkage(
    n: int,
    rows: np.ndarray,
    cols: np.ndarray,
    weight: np.ndarray,
    component: np.ndarray,
    threshold: float,
) -> list[int]:
    """What `_average_linkage` gives where the similarity is `weight` on the pairs `rows` x
    `cols` (each pair once, both in one component) and 0 on every other pair, without a square
    block per component: a window of headlines is mostly one component (9,046 of 9,689 distinct
    headlines), whose square block took 2.3 GB, and 33,000 more than the machine's 24 GB.

    Average linkage (UPGMA) over the pairs alone: two stories' similarity is the sum of their
    cross pairs' weights (each clipped to 0-1, as the block's distances are) over the product of
    their sizes; the most similar two above `threshold` are joined first, and joined stories' sums
    add. Stories with no pair between them are at 0 and never join, so only the pairs are kept;
    and a merged story is never more similar to another than the better of its two parts was, so
    a pair at or under the bar never needs looking at again. Labels are numbered as
    `_average_linkage` numbers components (in order of their first member), each component's
    stories in order of their first member."""
    w = np.clip(np.asarray(weight, dtype=np.float64), 0.0, 1.0)
    keep = w > 0.0
    near: list[dict[int, float]] = [{} for _ in range(n)]
    for a, b, x in zip(rows[keep].tolist(), cols[keep].tolist(), w[keep].tolist(), strict=True):
        if a != b:
            near[a][b] = near[a].get(b, 0.0) + x
            near[b][a] = near[b].get(a, 0.0) + x
    size = [1] * n
    version = [0] * n
    alive = [True] * n
    heap: list[tuple[float, int, int, int, int]] = []
    for a in range(n):
        for b, x in near[a].items():
            if a < b and x > threshold:
                heap.append((-x, a, b, 0, 0))
    heapq.heapify(heap)
    parent = list(range(n))
    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        if not (alive[a] and alive[b]) or version[a] != va or version[b] != vb:
            continue
        if len(near[a]) < len(near[b]):
            a, b = b, a  # the smaller neighbourhood goes into the larger
        del near[a][b]
        joined, near[b] = near[b], {}
        for x, total in joined.items():
            if x == a:
                continue
            near[a][x] = near[a].get(x, 0.0) + total
            del near[x][b]
            near[x][a] = near[a][x]
        alive[b] = False
        parent[b] = a
        size[a] += size[b]
        version[a] += 1
        for x, total in near[a].items():
            mean = total / (size[a] * size[x])
            if mean > threshold:
                lo, hi = (a, x) if a < x else (x, a)
                heapq.heappush(heap, (-mean, lo, hi, version[lo], version[hi]))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    labels = [-1] * n
    story_of: dict[int, int] = {}
    order: dict[int, list[int]] = {}
    for i, c in enumerate(component.tolist()):
        order.setdefault(int(c), []).append(i)
    next_label = 0
    for members in order.values():
        for i in members:
            # A component of two is one story (their pair agrees), as in `_average_linkage`.
            r = root(members[0]) if len(members) == 2 else root(i)
            if r not in story_of:
                story_of[r] = next_label
                next_label += 1
            labels[i] = story_of[r]
    return labels


def _average_linkage(
    component: np.ndarray,
    similarity: Callable[[list[int]], np.ndarray],
    threshold: float,
) -> list[int]:
    """Stories: average linkage at `threshold` inside each connected component, on the
    `similarity` of its members (a square block); a component of one or two is one story."""
    labels = [-1] * len(component)
    next_label = 0
    members_of: dict[int, list[int]] = {}
    for i, c in enumerate(component):
        members_of.setdefault(int(c), []).append(i)
    for members in members_of.values():
        if len(members) <= 2:
            sub = [0] * len(members)
        else:
            distance = np.clip(1.0 - similarity(members), 0, 1)
            np.fill_diagonal(distance, 0.0)
            model = AgglomerativeClustering(
                n_clusters=None,
                metric="precomputed",
                linkage="average",
                distance_threshold=1.0 - threshold,
            )
            sub = [int(x) for x in model.fit_predict(distance)]
        for member, s in zip(members, sub, strict=True):
            labels[member] = next_label + s
        next_label += max(sub) + 1
    return labels
