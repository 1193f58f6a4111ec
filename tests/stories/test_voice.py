"""Whose words a sentence is, read alone (`stories.voice`): what a summary may not stand on."""

import pytest

from headlines.stories import voice


@pytest.mark.parametrize(
    ("sentence", "half"),
    [
        ("“For the harbour, it could be four more years.", True),
        ('The right decision is to step aside," the chair said.', True),
        ("„Wir bleiben hier“, sagte die Vorsitzende am Dienstag.", False),
        ("“We will stay,” the chair said on Tuesday.", False),
        ("«Nous restons», a dit la présidente mardi.", False),
    ],
)
def test_a_piece_of_a_longer_quotation(sentence: str, half: bool) -> None:
    assert voice.half_quoted(sentence) is half


@pytest.mark.parametrize(
    ("sentence", "opening", "leans"),
    [
        ("But the board said the vote would stand.", True, True),
        ("He added that the vote was close.", True, True),
        ("It was the first vote of its kind.", True, False),
        ("It was the first vote of its kind.", False, True),
        ("“This is the end of an era,” said the chair.", False, False),
        ("The board voted on Tuesday.", False, False),
        ("", False, False),
    ],
)
def test_a_sentence_leaning_on_the_one_before(sentence: str, opening: bool, leans: bool) -> None:
    assert voice.leans_back(sentence, opening=opening) is leans


@pytest.mark.parametrize(
    ("sentence", "nobody"),
    [
        ("We will bring back our ferries.", True),
        ("“What the harbour has is a backbone.”", True),
        ("If the numbers go down, you loosen up.", True),
        ("As chair, I'll end the board's war on the ferry.", True),
        ("“We will miss it,” said Ada Brook on Tuesday.", False),
        ("The F.B.I. said it had found no crime on the board.", False),
        ("Veterans of World War I and II laid wreaths on the quay.", False),
        ("I ministri hanno detto che il terminal chiuderà.", False),
        ("Il me dit que la réforme passera.", False),
    ],
)
def test_someones_words_with_nobody_saying_them(sentence: str, nobody: bool) -> None:
    assert voice.unattributed(sentence) is nobody


@pytest.mark.parametrize(
    ("sentence", "trails"),
    [
        ("whether it be the ferry, whether it be …”", True),
        ("And the winner is...", True),
        ("The board voted on Tuesday.", False),
    ],
)
def test_a_sentence_that_trails_off(sentence: str, trails: bool) -> None:
    assert voice.trails_off(sentence) is trails
