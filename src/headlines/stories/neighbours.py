"""Who is near whom in a window of articles: the similarities of its rows a block at a time
(`Products`), each row's nearest (`nearest`), and how a pair past both articles' NEAR_K nearest
weighs (FAR_SHARE).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix

if TYPE_CHECKING:
    from headlines.stories.guards import Guard


BLOCK_ROWS = 1000

# Inside a component, average linkage weighs a pair at FAR_SHARE of its similarity when neither
# article is among the other's NEAR_K nearest. A week of one subject (hundreds of reports on a
# president, a war) puts many other events' reports at cosines a story's own reports also have;
# what tells them apart is rank: a report's own story's reports are among its nearest, a
# neighbouring event's are not when the subject is crowded. Rank does not move with the
# window's size as a similarity scale does (z-scores did), and a pair among the nearest counts
# in full, so a day's story is untouched. Chosen on clustering-dev's tune half (see
# docs/benchmarks.md): NEAR_K 15 leaves stories of up to ~15 reports whole.
NEAR_K = 15
FAR_SHARE = 0.6


class Products:
    """Similarities of a matrix's rows, a block of rows at a time, as dense arrays. The trailing
    `dense` columns (embedding views: every doc has all of them) are multiplied as dense arrays:
    inside a sparse product they cost twenty times more (5,000 articles: 37 s of CPU against 2)."""

    def __init__(self, matrix: csr_matrix, dense: int = 0, guard: Guard | None = None) -> None:
        width = matrix.shape[1] - dense
        self.n = matrix.shape[0]
        self.sparse = matrix[:, :width].tocsr() if dense else matrix
        self.transposed = self.sparse.T.tocsc()
        self.dense = matrix[:, width:].toarray() if dense else None
        self.guard = guard

    def block(self, start: int, stop: int) -> np.ndarray:
        """Rows start..stop against every row; 0 for pairs published too far apart
        (`Guard.distant`): no neighbour, no candidate, no edge."""
        return self.among(slice(start, stop))

    def among(self, rows: np.ndarray | slice, cols: np.ndarray | None = None) -> np.ndarray:
        """The similarities of `rows` x `cols` (index arrays, or a slice of rows; cols None:
        every row), as `block` gives them."""
        every = cols is None
        out: np.ndarray = (
            self.sparse[rows] @ (self.transposed if every else self.transposed[:, cols])
        ).toarray()
        if self.dense is not None:
            out += self.dense[rows] @ (self.dense if every else self.dense[cols]).T
        if self.guard is not None:
            ids = np.arange(self.n)
            distant = self.guard.distant(ids[rows], ids if cols is None else cols)
            if distant is not None:
                out[distant] = 0.0
        return out


def row_dots(matrix: csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The dot products of rows `a[k]` and `b[k]` of `matrix`, for every k."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.float64)
    return np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1), dtype=np.float64).ravel()


def nearest(products: Products, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k nearest other rows and their similarities, nearest first."""
    n = products.n
    top = np.empty((n, k), dtype=np.int64)
    values = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, BLOCK_ROWS):
        block = products.block(start, min(start + BLOCK_ROWS, n))
        height = block.shape[0]
        block[np.arange(height), np.arange(start, start + height)] = -np.inf  # not its own
        idx = np.argpartition(-block, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(block, idx, axis=1)
        order = np.argsort(-vals, axis=1, kind="stable")
        top[start : start + height] = np.take_along_axis(idx, order, axis=1)
        values[start : start + height] = np.take_along_axis(vals, order, axis=1)
        del block
    return top, values
