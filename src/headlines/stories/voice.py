# ruff: noqa: RUF001 (typographic quotes are what it reads)
"""Whose words a sentence is, read alone in a summary: a piece of a longer quotation, a
quotation or a first person with nobody named as saying it, a sentence leaning on the one
before it, one that trails off. Plain text in, yes or no out (`text.summarise` asks)."""

from __future__ import annotations

import re

from headlines.intake.scrubbing import segments
from headlines.stories import text

_FIRST_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


def half_quoted(sentence: str) -> bool:
    """Part of a quotation that runs over several sentences: its opening quote mark without the
    closing one (`“For the country, it could be four years.`) or the closing one without the
    opening (`The right decision is to step aside," they said.`). Read alone, nobody knows who
    is speaking, or it reads as the writer's own words."""
    low, left, right = sentence.count("„"), sentence.count("“"), sentence.count("”")
    # German opens with „ and closes with “ (or ”); English opens with “ and closes with ”.
    balanced = low == left + right if low else left == right
    return (
        not balanced or sentence.count('"') % 2 == 1 or sentence.count("«") != sentence.count("»")
    )


# Words a sentence starts with when it leans on the one before it ("He added, …", "But the
# court …"): no summary starts with one, and a second sentence that does may only come straight
# after the first.
_CONNECTIVES = frozenset(
    {"but", "and", "also", "however", "yet", "still", "so", "instead", "meanwhile"}
)
_PERSONS = frozenset({"he", "she", "they", "his", "her", "their", "its", "him", "them"})
_POINTERS = frozenset({"it", "this", "that", "these", "those", "such", "there", "then"})


def leans_back(sentence: str, *, opening: bool = False) -> bool:
    """Whether `sentence` leans on one before it. `opening`: as a summary's first sentence,
    where "It was …", "This week …" and "There were …" still read well."""
    if sentence.lstrip()[:1] in '"\u201c\u201e\u00ab':
        return False  # "“This is a time capsule,” said …": the speaker's words, not the writer's
    found = _FIRST_WORD.search(sentence)
    if found is None:
        return False
    word = found.group(0).lower()
    return word in _CONNECTIVES or word in _PERSONS or (not opening and word in _POINTERS)


# What a speaker says in quotation marks, and first-person words outside them. "I'll", "we're"
# are English alone; a bare "I", "we" or "me" only with an English word beside it ("I ministri"
# is Italian, "Il me dit" French).
_QUOTED = re.compile(
    r"\u201c[^\u201d]*\u201d|\"[^\"]*\"|\u00ab[^\u00bb]*\u00bb|\u201e[^\u201c\u201d]*[\u201c\u201d]"
)
_FIRST_PERSON_ENGLISH = re.compile(r"\b(?:I|[Ww]e|[Yy]ou)['\u2019](?:m|ll|ve|d|re)\b")
# "You" too: a speaker's "if the numbers go down, you loosen up", or a column's.
_FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Oo]ur|us|[Mm]y|me|[Yy]ou|[Yy]our)\b")
_I = re.compile(r"\bI\s+[a-z]")
_ENGLISH = frozenset(
    {"the", "and", "will", "was", "with", "that", "this", "have", "has", "been", "would"}
    | {"what", "can", "are", "be", "not", "to", "as", "for", "from", "who", "they"}
)


def unattributed(sentence: str) -> bool:
    """Someone's own words with nobody named as saying them: a sentence all in quotation marks
    ("“What I have is a backbone.”"), or in the first or second person outside any ("We will
    bring back our jobs.", "If it goes down, you loosen up.": a speech, a tweet or a column
    whose marks the page lost)."""
    outside = _QUOTED.sub(" ", sentence)
    if len(text.words(outside)) < 2:
        return True
    if _FIRST_PERSON_ENGLISH.search(outside):
        return True
    first_person = _FIRST_PERSON.search(outside) or any(
        _speaker_i(outside[: found.start()]) for found in _I.finditer(outside)
    )
    return bool(first_person) and not _ENGLISH.isdisjoint(text.words(outside))


def _speaker_i(before: str) -> bool:
    """Whether an "I" after `before` is someone speaking: not the "I" of "F.B.I. I" or of
    "World War I and II" (after a word with a capital that is not the sentence's first)."""
    seen = before.split()
    if len(seen) <= 1:
        return not seen or not seen[0].endswith(".")
    return not seen[-1][:1].isupper() and not seen[-1].endswith(".")


# A sentence that trails off ("whether it be …”") was cut by its writer or its scraper.
_TRAILS_OFF = re.compile(rf"(?:\.\.\.|\u2026)[{segments.CLOSERS}]*$")


def trails_off(sentence: str) -> bool:
    return bool(_TRAILS_OFF.search(sentence))
