import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from headlines.stories.linkage import average_linkage, far, sparse_average_linkage
from headlines.stories.neighbours import FAR_SHARE


def test_a_pair_neither_counts_among_its_nearest_weighs_less_in_the_linkage() -> None:
    similarity = np.array(
        [
            [1.0, 0.5, 0.3, 0.3],
            [0.5, 1.0, 0.3, 0.2],
            [0.3, 0.3, 1.0, 0.6],
            [0.3, 0.2, 0.6, 1.0],
        ]
    )
    # Each row's "NEAR_K-th" nearest, here the 2nd (the row itself is the 1st).
    near = np.array([0.5, 0.5, 0.6, 0.6])
    weighed = far(similarity, near)
    assert weighed[0, 1] == 0.5 and weighed[2, 3] == 0.6  # each other's nearest: in full
    assert weighed[0, 2] == weighed[2, 0] == 0.3 * FAR_SHARE  # neither's: weighed less
    # Near for one of the two is enough (row 0 counts 0.3 among its nearest here).
    assert far(similarity, np.array([0.3, 0.5, 0.6, 0.6]))[0, 2] == 0.3
    # A window smaller than NEAR_K: every pair is near (-1), nothing changes.
    assert (far(similarity, np.full(4, -1.0)) == similarity).all()


def _partition(labels: list[int]) -> list[int]:
    seen: dict[int, int] = {}
    return [seen.setdefault(label, len(seen)) for label in labels]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=40).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.dictionaries(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(
                    lambda p: p[0] < p[1]
                ),
                st.floats(min_value=-0.3, max_value=0.999, allow_nan=False),
                max_size=3 * n,
            ),
        )
    ),
    st.sampled_from([0.1, 0.22, 0.5]),
)
def test_average_linkage_over_the_pairs_alone_is_the_square_blocks(
    window: tuple[int, dict[tuple[int, int], float]], threshold: float
) -> None:
    """The linkage of a window of SCORER_MIN_WINDOW or more reads only its candidate pairs; it
    gives the stories that average linkage over each component's square block gives (where no
    two joins tie: which of two equal joins goes first is either's choice)."""
    n, weights = window
    positive = [w for w in weights.values() if w > 0.0]
    assume(len(set(positive)) == len(positive))
    rows = np.array([p[0] for p in weights], dtype=np.int64)
    cols = np.array([p[1] for p in weights], dtype=np.int64)
    weight = np.array(list(weights.values()), dtype=np.float64)
    agree = weight >= threshold
    ones = np.ones(int(agree.sum()))
    _, component = connected_components(
        csr_matrix((ones, (rows[agree], cols[agree])), shape=(n, n)), directed=False
    )
    linked = csr_matrix((weight, (rows, cols)), shape=(n, n))
    linked = (linked + linked.T).tocsr()
    square = average_linkage(component, lambda m: np.asarray(linked[m][:, m].toarray()), threshold)
    same = component[rows] == component[cols]
    sparse = sparse_average_linkage(n, rows[same], cols[same], weight[same], component, threshold)
    assert _partition(sparse) == _partition(square)
