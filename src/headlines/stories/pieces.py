"""A story told more widely than a report's list of nearest holds, joined from its pieces.

Each report lists its SCORER_K nearest, and average linkage counts every pair neither listed
as 0: a story told by more outlets than a list holds (a news aggregator's day: one event in
fifty headlines) came apart in pieces, each report's list used up by its own piece, however
alike the pieces were. `joined_pieces` joins them after the linkage (docs/benchmarks.md,
"Stories told widely: copies, pieces and trees").
"""

from __future__ import annotations

import heapq

import numpy as np
from scipy.sparse import csr_matrix

from headlines.stories.candidates import COSINE_SHARE, Pairs
from headlines.stories.guards import Guard, guarded
from headlines.stories.neighbours import Products
from headlines.stories.scorers import SCORER_K

# A report that agrees with this share of SCORER_K others or more had no room in its list for
# more of its story: a pair of two such reports that neither listed is no evidence against.
FULL_SHARE = 2 / 3


def joined_pieces(
    labels: list[int],
    pairs: Pairs,
    weight: np.ndarray,
    products: Products,
    guard: Guard,
    numbers: csr_matrix,
    threshold: float,
) -> list[int]:
    """`labels` with the pieces of a story told more widely than a report's list holds joined.

    Two stories of more than SCORER_K + 1 reports together, with a candidate pair between
    them, are joined, greatest first, where their average weight over every cross pair reaches
    `threshold`, a pair neither listed weighing
    - as its cosine would (COSINE_SHARE x cosine), halved where a guard speaks or both give
      specific numbers and share none (`numbers`: `Vectorizer.views`' last),
    - no more than the pairs listed between the two stories do on average (those are the
      nearest), and
    - 0, as before, unless both reports agree with FULL_SHARE of SCORER_K others (had no room).
    Filling every pair neither listed inside a component joined look-alike events of a few
    reports each (docs/benchmarks.md, "Stories told by more outlets than the scorer looks
    at"); pieces that together fit in one list are left as the linkage made them."""
    n = products.n
    known = csr_matrix((np.ones(len(weight), dtype=np.int8), (pairs.rows, pairs.cols)), (n, n))
    agreeing = weight >= threshold
    agree = np.bincount(pairs.rows[agreeing], minlength=n)
    agree += np.bincount(pairs.cols[agreeing], minlength=n)
    full = agree >= FULL_SHARE * SCORER_K  # had no room in its list
    fill = _Fill(products, guard, numbers, (known + known.T).tocsr(), full)
    return _Pieces(labels, pairs, weight, threshold, fill).joined()


class _Fill:
    """How much the pairs neither report listed add between two stories (`add`): `known`, the
    candidate pairs (both ways); `full`, the reports whose lists had no room."""

    def __init__(
        self,
        products: Products,
        guard: Guard,
        numbers: csr_matrix,
        known: csr_matrix,
        full: np.ndarray,
    ) -> None:
        self.products, self.guard, self.numbers = products, guard, numbers
        self.known, self.full = known, full
        self.gives = np.diff(numbers.indptr) > 0

    def add(self, ids_x: np.ndarray, ids_y: np.ndarray, listed_mean: float) -> float | None:
        """The summed weight of the cross pairs neither listed, each at most `listed_mean`;
        None when no report of either story had its list full."""
        room = self.full[ids_x][:, None] & self.full[ids_y][None, :]
        if not room.any():
            return None
        cosine = self.products.among(ids_x, ids_y)
        apart = self.guard.apart_between(ids_x, ids_y)
        common = (self.numbers[ids_x] @ self.numbers[ids_y].T).toarray() > 0
        apart |= self.gives[ids_x][:, None] & self.gives[ids_y][None, :] & ~common
        filled = np.minimum(guarded(COSINE_SHARE * cosine, apart), listed_mean)
        scored = self.known[ids_x][:, ids_y].toarray() > 0
        return float(np.where(room & ~scored, filled, 0.0).sum())


class _Pieces:
    """The linkage's stories, their members and the candidate pairs' weight between each two,
    joined greatest first (`joined`)."""

    def __init__(
        self, labels: list[int], pairs: Pairs, weight: np.ndarray, threshold: float, fill: _Fill
    ) -> None:
        self.threshold, self.fill = threshold, fill
        self.label = np.asarray(labels, dtype=np.int64)
        self.members = {int(x): np.flatnonzero(self.label == x) for x in np.unique(self.label)}
        a, b = self.label[pairs.rows], self.label[pairs.cols]
        cross = a != b
        # Per pair of stories, one shared entry: the weight of their candidate pairs, the count.
        self.between: dict[int, dict[int, list[float]]] = {}
        for x, y, w in zip(
            a[cross].tolist(), b[cross].tolist(), weight[cross].tolist(), strict=True
        ):
            entry = self.between.setdefault(x, {}).setdefault(y, [0.0, 0.0])
            entry[0] += w
            entry[1] += 1.0
            self.between.setdefault(y, {})[x] = entry
        self.version = dict.fromkeys(self.members, 0)
        self.heap: list[tuple[float, int, int, int]] = []

    def score(self, x: int, y: int) -> float:
        """Stories `x` and `y`'s average weight over every cross pair."""
        ids_x, ids_y = self.members[x], self.members[y]
        total, count = self.between[x][y]
        pairs_between = len(ids_x) * len(ids_y)
        if total < self.threshold * count:
            return total / pairs_between  # the linkage's own average, at most the listed's
        filled = self.fill.add(ids_x, ids_y, total / count)
        return (total + (filled or 0.0)) / pairs_between

    def push(self, x: int, y: int) -> None:
        if len(self.members[x]) + len(self.members[y]) > SCORER_K + 1:
            value = self.score(x, y)
            if value >= self.threshold:
                seen = self.version[x] + self.version[y]
                heapq.heappush(self.heap, (-value, min(x, y), max(x, y), seen))

    def join(self, x: int, y: int) -> None:
        """Story `y` into story `x`; their entries with every other story added up."""
        self.members[x] = np.concatenate([self.members[x], self.members.pop(y)])
        self.version[x] += 1
        for z, (total, count) in self.between.pop(y).items():
            del self.between[z][y]
            if z != x:
                entry = self.between[x].setdefault(z, [0.0, 0.0])
                entry[0] += total
                entry[1] += count
                self.between[z][x] = entry
        for z in self.between[x]:
            self.push(x, z)

    def joined(self) -> list[int]:
        for x in self.between:
            for y in self.between[x]:
                if x < y:
                    self.push(x, y)
        while self.heap:
            _, x, y, seen = heapq.heappop(self.heap)
            if x not in self.members or y not in self.members:
                continue  # a piece already joined
            if seen != self.version[x] + self.version[y]:
                continue  # one that has grown since
            self.join(x, y)
        out = np.empty(len(self.label), dtype=np.int64)
        for k, ids in enumerate(self.members.values()):
            out[ids] = k
        return [int(x) for x in out]
