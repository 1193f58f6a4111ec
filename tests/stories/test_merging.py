import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.preprocessing import normalize

from headlines.stories import merging
from headlines.stories.merging import FEATURES, Context, merge, story_pair_features


def _window() -> tuple[list[int], tuple[np.ndarray, np.ndarray], dict[str, np.ndarray], Context]:
    """Eight docs: one event's six reports left in two stories of three (0-2, 3-5) whose
    every cross pair the scorer is sure of, just under the linkage's bar; and another event
    (6-7) that one report of the first (5) is loosely near."""
    labels = [0, 0, 0, 1, 1, 1, 2, 2]
    pairs = [(i, j) for i in range(6) for j in range(i + 1, 6)] + [(5, 6), (6, 7)]
    rows = np.array([p[0] for p in pairs])
    cols = np.array([p[1] for p in pairs])
    loose = rows == 5
    values = {
        "weight": np.where(loose, 0.05, 0.25),
        "probability": np.where(loose, 0.05, 0.95),
        "cosine": np.where(loose, 0.1, 0.3),
    }
    full = np.zeros((8, 3))
    full[:6, 0], full[:6, 1], full[6:, 2] = 1.0, 0.2, 1.0
    context = Context(
        full=csr_matrix(normalize(full)),
        names=csr_matrix((8, 1)),
        worse_rank=np.where(loose, 20, 3),
        apart=np.zeros(len(rows), dtype=bool),
        # What happened, names left out: one event's reports agree, the neighbour barely.
        action=np.where(loose, 0.05, 0.3),
        numbers=np.zeros(len(rows)),
    )
    return labels, (rows, cols), values, context


def test_the_pieces_of_one_event_are_joined_and_its_neighbour_is_not() -> None:
    labels, pairs, v, context = _window()
    merged = merge(labels, pairs, v["weight"], v["probability"], v["cosine"], context)
    assert len(set(merged[:6])) == 1  # one story
    assert merged[6] == merged[7] != merged[0]
    assert sorted(set(merged)) == [0, 1]  # labelled 0..k-1


def test_one_row_of_features_per_pair_of_stories_joined_by_a_candidate_pair() -> None:
    labels, pairs, v, context = _window()
    first, second, features = story_pair_features(
        np.array(labels), pairs, v["weight"], v["probability"], v["cosine"], context
    )
    assert sorted(zip(first.tolist(), second.tolist(), strict=True)) == [(0, 1), (1, 2)]
    assert features.shape == (2, len(FEATURES))
    assert np.isfinite(features).all()


def test_a_window_of_headlines_is_joined_by_the_coefficients_fitted_on_headlines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    labels, pairs, v, context = _window()
    context.headlines = True
    merged = merge(labels, pairs, v["weight"], v["probability"], v["cosine"], context)
    assert len(set(merged[:6])) == 1 and merged[6] == merged[7] != merged[0]
    # Those coefficients, not the text windows' ones, decide there.
    monkeypatch.setattr(merging, "BRIEF_INTERCEPT", -50.0)
    assert merge(labels, pairs, v["weight"], v["probability"], v["cosine"], context) == labels
    context.headlines = False
    assert len(set(merge(labels, pairs, v["weight"], v["probability"], v["cosine"], context))) == 2
