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
    fill = _Fill.of(pairs, weight, products, guard, numbers, threshold)
    return _Pieces(labels, pairs, weight, threshold, fill).joined()


class _Fill:
    """How much the pairs neither report listed add between two stories (`values`): `known`, the
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

    @classmethod
    def of(
        cls,
        pairs: Pairs,
        weight: np.ndarray,
        products: Products,
        guard: Guard,
        numbers: csr_matrix,
        threshold: float,
    ) -> _Fill:
        """The fill of `joined_pieces`' window: its candidate pairs and who had no room."""
        n = products.n
        ones = np.ones(len(weight), dtype=np.int8)
        known = csr_matrix((ones, (pairs.rows, pairs.cols)), (n, n))
        agreeing = weight >= threshold
        agree = np.bincount(pairs.rows[agreeing], minlength=n)
        agree += np.bincount(pairs.cols[agreeing], minlength=n)
        full = agree >= FULL_SHARE * SCORER_K  # had no room in its list
        return cls(products, guard, numbers, (known + known.T).tocsr(), full)

    def values(self, ids_x: np.ndarray, ids_y: np.ndarray) -> np.ndarray | None:
        """Per cross pair of the two stories (`ids_x` x `ids_y`) neither report listed, both
        lists full, what it weighs before `_Pieces` caps it at the listed pairs' mean; 0 for
        every other pair. None when no report of either story had its list full."""
        room = self.full[ids_x][:, None] & self.full[ids_y][None, :]
        if not room.any():
            return None
        cosine = self.products.among(ids_x, ids_y)
        apart = self.guard.apart_between(ids_x, ids_y)
        common = (self.numbers[ids_x] @ self.numbers[ids_y].T).toarray() > 0
        apart |= self.gives[ids_x][:, None] & self.gives[ids_y][None, :] & ~common
        scored = self.known[ids_x][:, ids_y].toarray() > 0
        return np.where(room & ~scored, guarded(COSINE_SHARE * cosine, apart), 0.0)


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
        # Per pair of stories scored, `_Fill.values` of their cross pairs (rows: the first's
        # members; the second's entry is its transpose, a view). A story that joins another is
        # scored again against each of its neighbours; its block is then the two parts' blocks
        # one over the other, not the window's matrices sliced again: a story told hundreds of
        # times over was hundreds of joins, each rescored against hundreds of pieces (600 wire
        # copies with a word changed: 108 s, where the rest of the clustering took a second).
        self.blocks: dict[int, dict[int, np.ndarray | None]] = {}

    def score(self, x: int, y: int) -> float:
        """Stories `x` and `y`'s average weight over every cross pair."""
        total, count = self.between[x][y]
        pairs_between = len(self.members[x]) * len(self.members[y])
        if total < self.threshold * count:
            return total / pairs_between  # the linkage's own average, at most the listed's
        block = self._values(x, y)
        filled = 0.0 if block is None else float(np.minimum(block, total / count).sum())
        return (total + filled) / pairs_between

    def _values(self, x: int, y: int) -> np.ndarray | None:
        """`_Fill.values` of `x`'s members against `y`'s, kept for the next time."""
        if y not in self.blocks.setdefault(x, {}):
            self._keep(x, self._made(self.members[x], [y]))
        return self.blocks[x][y]

    def _made(self, ids: np.ndarray, others: list[int]) -> dict[int, np.ndarray | None]:
        """`_Fill.values` of `ids` against each story of `others`, from one call: the window's
        matrices are sliced once, not once a story."""
        if not others:
            return {}
        block = self.fill.values(ids, np.concatenate([self.members[z] for z in others]))
        if block is None:
            return dict.fromkeys(others)
        edges = np.cumsum([0] + [len(self.members[z]) for z in others])
        return {z: block[:, a:b] for z, a, b in zip(others, edges[:-1], edges[1:], strict=True)}

    def _keep(self, x: int, made: dict[int, np.ndarray | None]) -> None:
        self.blocks.setdefault(x, {}).update(made)
        for z, block in made.items():
            self.blocks.setdefault(z, {})[x] = None if block is None else block.T

    def _stack(self, x: int, y: int) -> dict[int, np.ndarray | None]:
        """The blocks of story `x` joined by `y` (its members `x`'s then `y`'s) against each
        story either had one for, the missing half made in one call a side; `x`'s and `y`'s
        own entries are dropped."""
        parts_x, parts_y = self.blocks.pop(x, {}), self.blocks.pop(y, {})
        for z in parts_x:
            self.blocks.get(z, {}).pop(x, None)
        for z in parts_y:
            self.blocks.get(z, {}).pop(y, None)
        others = (parts_x.keys() | parts_y.keys()) - {x, y}
        parts_x.update(self._made(self.members[x], sorted(others - parts_x.keys())))
        parts_y.update(self._made(self.members[y], sorted(others - parts_y.keys())))
        stacked: dict[int, np.ndarray | None] = {}
        for z in others:
            top, bottom = parts_x[z], parts_y[z]
            if top is None and bottom is None:
                stacked[z] = None
                continue
            width = len(self.members[z])
            stacked[z] = np.vstack(
                [
                    np.zeros((len(self.members[x]), width)) if top is None else top,
                    np.zeros((len(self.members[y]), width)) if bottom is None else bottom,
                ]
            )
        return stacked

    def push(self, x: int, y: int) -> None:
        if len(self.members[x]) + len(self.members[y]) > SCORER_K + 1:
            value = self.score(x, y)
            if value >= self.threshold:
                seen = self.version[x] + self.version[y]
                heapq.heappush(self.heap, (-value, min(x, y), max(x, y), seen))

    def join(self, x: int, y: int) -> None:
        """Story `y` into story `x`; their entries with every other story added up."""
        stacked = self._stack(x, y)
        self.members[x] = np.concatenate([self.members[x], self.members.pop(y)])
        self._keep(x, stacked)
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
