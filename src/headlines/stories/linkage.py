"""Average linkage (UPGMA): the stories inside each connected component of a window.

Two forms give the same stories: `average_linkage` reads a square block of similarities per
component (scikit-learn's), for small windows; `sparse_average_linkage` reads only the
candidate pairs, for a window whose component is most of it (a window of headlines), whose
square would not fit in memory. `far` weighs down, in a square block, the pairs that neither
article counts among its nearest.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np
from sklearn.cluster import AgglomerativeClustering

from headlines.stories.neighbours import FAR_SHARE


def far(similarity: np.ndarray, near: np.ndarray) -> np.ndarray:
    """`similarity` (a square block) with the pairs that are neither's NEAR_K nearest (`near`:
    each row's NEAR_K-th highest similarity) weighed at FAR_SHARE."""
    close = (similarity >= near[:, None]) | (similarity >= near[None, :])
    return np.where(close, similarity, similarity * FAR_SHARE)


def sparse_average_linkage(
    n: int,
    rows: np.ndarray,
    cols: np.ndarray,
    weight: np.ndarray,
    component: np.ndarray,
    threshold: float,
) -> list[int]:
    """What `average_linkage` gives where the similarity is `weight` on the pairs `rows` x
    `cols` (each pair once, both in one component) and 0 on every other pair, without a square
    block per component: a window of headlines is mostly one component (9,046 of 9,689 distinct
    headlines), whose square block took 2.3 GB, and 33,000 more than the machine's 24 GB.

    Average linkage (UPGMA) over the pairs alone: two stories' similarity is the sum of their
    cross pairs' weights (each clipped to 0-1, as the block's distances are) over the product of
    their sizes; the most similar two above `threshold` are joined first, and joined stories' sums
    add. Stories with no pair between them are at 0 and never join, so only the pairs are kept;
    and a merged story is never more similar to another than the better of its two parts was, so
    a pair at or under the bar never needs looking at again. Labels are numbered as
    `average_linkage` numbers components (in order of their first member), each component's
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
            # A component of two is one story (their pair agrees), as in `average_linkage`.
            r = root(members[0]) if len(members) == 2 else root(i)
            if r not in story_of:
                story_of[r] = next_label
                next_label += 1
            labels[i] = story_of[r]
    return labels


def average_linkage(
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
