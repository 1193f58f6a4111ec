"""The benchmarks' ROUGE (benchmarks/rouge.py) on small hand-worked examples.

The expected figures are worked out by hand; the stems are Porter's (NLTK's extensions, as the
reference `rouge-score` package uses). Cross-checked once against `rouge-score` 0.1.2 installed
temporarily (see docs/benchmarks.md); that package is not a dependency.
"""

from __future__ import annotations

import pytest
from benchmarks import rouge


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("caresses", "caress"),
        ("ponies", "poni"),
        ("ties", "tie"),
        ("cats", "cat"),
        ("feed", "feed"),
        ("agreed", "agre"),
        ("plastered", "plaster"),
        ("motoring", "motor"),
        ("sing", "sing"),
        ("conflated", "conflat"),
        ("hopping", "hop"),
        ("filing", "file"),
        ("happy", "happi"),
        ("relational", "relat"),
        ("generalization", "gener"),
        ("carefully", "care"),
        ("additionally", "addit"),
        ("biology", "biolog"),
        ("dying", "die"),
        ("aged", "age"),
        ("officials", "offici"),
        ("warned", "warn"),
    ],
)
def test_porter_stem(word: str, stem: str) -> None:
    assert rouge.stem(word) == stem


def test_tokens_lowercase_split_on_anything_else_and_stem_only_longer_words() -> None:
    assert rouge.tokens("U.S. troops' 2nd ATTACK, (again)") == [
        "u",
        "s",
        "troop",
        "2nd",
        "attack",
        "again",
    ]
    assert rouge.tokens("was") == ["was"]  # three letters or fewer are never stemmed


def test_one_word_changed() -> None:
    s = rouge.score("the cat sat on the mat", "the cat is on the mat")
    assert s.rouge1 == pytest.approx(5 / 6)  # the x2, cat, on, mat of six each
    assert s.rouge2 == pytest.approx(3 / 5)  # "the cat", "on the", "the mat" of five each
    assert s.rougeL == pytest.approx(5 / 6)


def test_counts_are_clipped() -> None:
    s = rouge.score("the the the", "the cat")
    # one "the" matches: precision 1/3, recall 1/2
    assert s.rouge1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))
    assert s.rouge2 == 0.0


def test_order_matters_to_rouge_l_and_2_only() -> None:
    s = rouge.score("a b c d", "d c b a")
    assert s.rouge1 == 1.0
    assert s.rouge2 == 0.0
    assert s.rougeL == pytest.approx(0.25)


def test_stemming_matches_inflections() -> None:
    assert rouge.score("Officials warned", "official warns") == rouge.Scores(1.0, 1.0, 1.0)


def test_empty_scores_zero() -> None:
    assert rouge.score("", "a headline") == rouge.Scores(0.0, 0.0, 0.0)
    assert rouge.score("a headline", "") == rouge.Scores(0.0, 0.0, 0.0)
