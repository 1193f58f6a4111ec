from typing import NamedTuple, cast

import numpy as np
from scipy.sparse import csr_matrix

from headlines.stories import candidates
from headlines.stories.candidates import Pairs
from headlines.stories.clustering import Linked, cluster, scored_linkage
from headlines.stories.guards import Guard
from headlines.stories.neighbours import Products
from headlines.stories.parts import Doc
from headlines.stories.pieces import _Fill, _Pieces, joined_pieces
from headlines.stories.scorers import SCORER_K
from headlines.stories.vectorizer import vectors

from .windows import look_alike_window

STORM_TITLES = (
    "Storm Imogen batters Harwick coast",
    "Thousands without power as Imogen hits Harwick",
    "Imogen: Harwick braces for more wind",
    "Harwick flights cancelled as Storm Imogen rages",
    "Storm Imogen: trees down across Harwick",
    "Imogen brings 90mph gusts to Harwick",
)
STORM_LEADS = (
    "Storm Imogen hit Harwick on Tuesday with gusts of 90mph, cutting power to thousands.",
    "Thousands of homes in Harwick lost power after Storm Imogen swept in from the Atlantic.",
    "Flights from Harwick airport were cancelled as Storm Imogen brought high winds and rain.",
    "Emergency crews cleared fallen trees across Harwick as Storm Imogen battered the coast.",
)


def _told_widely(outlets: int) -> tuple[list[Doc], list[int]]:
    """`look_alike_window`'s 200 look-alike reports and one storm told by `outlets` outlets,
    each in one of six titles over one of four leads (truth -1)."""
    docs, truth = look_alike_window()
    for k in range(outlets):
        title = STORM_TITLES[k % len(STORM_TITLES)]
        lead = STORM_LEADS[(k // len(STORM_TITLES)) % len(STORM_LEADS)]
        outlet = chr(65 + k % 26) + chr(65 + k // 26)
        docs.append(Doc(title, f"{lead} Outlet {outlet} reported."))
        truth.append(-1)
    return docs, truth


def test_a_story_told_by_more_outlets_than_a_list_holds_is_one_story() -> None:
    for outlets in (2 * SCORER_K, 5 * SCORER_K):
        docs, truth = _told_widely(outlets)
        labels = cluster(docs, threshold=0.22).labels
        storm = {labels[i] for i, t in enumerate(truth) if t == -1}
        assert len(storm) == 1, (outlets, len(storm))
        assert not any(labels[i] in storm for i, t in enumerate(truth) if t != -1)
        for e in set(truth) - {-1}:  # and the look-alike towns stay apart
            assert len({labels[i] for i, t in enumerate(truth) if t == e}) == 1
        assert len(set(labels)) == len(set(truth))


class _Window(NamedTuple):
    """A window's parts as `clustering._scored_labels` hands them to `joined_pieces`."""

    products: Products
    views: list[csr_matrix]
    guard: Guard
    pairs: Pairs
    linked: Linked


def _linked(docs: list[Doc], threshold: float) -> _Window:
    vec, matrix = vectors(docs, 0.0, 0.0)
    assert vec.views is not None
    views = list(vec.views)
    guard = Guard.of(docs)
    products = Products(matrix, vec.dense_columns, guard)
    pairs = candidates.scored_pairs(products, views, guard)
    briefs = np.zeros(len(docs), dtype=bool)
    return _Window(
        products, views, guard, pairs, scored_linkage(pairs, views, guard.names, briefs, threshold)
    )


def test_pieces_that_fit_in_one_list_are_left_as_the_linkage_made_them() -> None:
    docs, truth = look_alike_window()  # fifty events of four reports: no list runs out of room
    products, views, guard, pairs, linked = _linked(docs, 0.26)
    assert len(set(linked.labels)) == len(set(truth))
    joined = joined_pieces(linked.labels, pairs, linked.weight, products, guard, views[4], 0.26)
    assert joined == linked.labels


class _EveryPairAgrees:
    """A fill as if every pair neither report listed agreed as well as the listed pairs do."""

    def values(self, ids_x: np.ndarray, ids_y: np.ndarray) -> np.ndarray:
        return np.ones((len(ids_x), len(ids_y)))  # capped at the listed pairs' mean


def _pieces(sizes: tuple[int, int]) -> tuple[list[int], Pairs, np.ndarray]:
    """Two stories of `sizes` reports, with two candidate pairs between them at 0.9."""
    labels = [0] * sizes[0] + [1] * sizes[1]
    rows = np.array([0, 1], dtype=np.int64)
    cols = np.array([sizes[0], sizes[0] + 1], dtype=np.int64)
    empty = np.zeros(2)
    pairs = Pairs(rows, cols, empty, empty, empty, empty, np.zeros((2, 1)), empty, empty)
    return labels, pairs, np.array([0.9, 0.9])


def test_pieces_are_joined_only_when_together_they_outgrow_one_list() -> None:
    fill = cast(_Fill, _EveryPairAgrees())
    small = (4, SCORER_K + 1 - 4)  # together they fit in one report's list: the linkage saw all
    labels, pairs, weight = _pieces(small)
    assert _Pieces(labels, pairs, weight, 0.26, fill).joined() == labels
    wide = (4, SCORER_K + 2 - 4)  # one more: some pairs could not be listed
    labels, pairs, weight = _pieces(wide)
    assert set(_Pieces(labels, pairs, weight, 0.26, fill).joined()) == {0}


class _Checked(_Pieces):
    """`_Pieces` that checks, each time it scores two stories, the block it kept (stacked from
    the blocks of the pieces a story was joined from) against the block made afresh."""

    checked = 0

    def _values(self, x: int, y: int) -> np.ndarray | None:
        kept = super()._values(x, y)
        fresh = self.fill.values(self.members[x], self.members[y])
        if fresh is None:
            assert kept is None or not kept.any()
        else:
            assert kept is not None and kept.shape == fresh.shape
            np.testing.assert_allclose(kept, fresh, rtol=1e-6, atol=1e-7)
        _Checked.checked += 1
        return kept


def test_a_joined_story_is_scored_on_the_blocks_of_its_pieces_as_on_its_members() -> None:
    docs, truth = _told_widely(5 * SCORER_K)
    products, views, guard, pairs, linked = _linked(docs, 0.22)
    storm = [i for i, t in enumerate(truth) if t == -1]
    assert len({linked.labels[i] for i in storm}) > 1  # the linkage left it in pieces
    fill = _Fill.of(pairs, linked.weight, products, guard, views[4], 0.22)
    _Checked.checked = 0
    labels = _Checked(linked.labels, pairs, linked.weight, 0.22, fill).joined()
    assert _Checked.checked > 0
    assert labels == joined_pieces(
        linked.labels, pairs, linked.weight, products, guard, views[4], 0.22
    )
    assert len({labels[i] for i in storm}) == 1
