"""Reports that are one doc for clustering: an article's near-duplicates (`Doc.duplicate_of`,
found at import) and, among headlines without text, copies of one headline told again
(`copy_roots`). Only each group's root is compared; every member gets its root's story.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy.sparse import csr_matrix

from headlines.stories import language
from headlines.stories.neighbours import row_dots
from headlines.stories.parts import Doc


def duplicate_roots(docs: Sequence[Doc]) -> list[int]:
    roots = list(range(len(docs)))

    def root(i: int) -> int:
        seen = set()
        while docs[i].duplicate_of is not None and i not in seen:
            seen.add(i)
            i = docs[i].duplicate_of  # type: ignore[assignment]
        return i

    for i in range(len(docs)):
        roots[i] = root(i)
    return roots


# Two headlines without text that share this much of their words (Jaccard over every word,
# numbers whole) are one headline told again: a syndicated copy with a word dropped or an
# outlet's tag added. They are one doc for clustering, as duplicates are.
COPY_SHARE = 0.85
COPY_MIN_WORDS = 3
_NUMBER = re.compile(r"\d")


def copy_roots(docs: Sequence[Doc], roots: list[int]) -> list[int]:
    """`roots` with each headline without text (a brief) that copies an earlier root brief
    (COPY_SHARE of their words in common, COPY_MIN_WORDS words or more each, the same numbers)
    rooted at the first it copies; a brief that copies none roots its own copies. Every word
    counts, the small ones too ("Court to take on travel ban" is no copy of "Court upholds
    travel ban"), and every number must be the same ("Unemployment claims rose to 853,000 last
    week", "… 778,000 …" are two weeks).

    A story told by fifty outlets of an aggregator's day is mostly a few headlines told again;
    compared one by one, the copies crowd each report's nearest, and the story came apart in
    pieces of a few copies each (docs/benchmarks.md, "Stories told widely")."""
    briefs = [i for i, d in enumerate(docs) if roots[i] == i and not d.text.strip()]
    words = [set(language.all_words(docs[i].title)) for i in briefs]
    numbers = [frozenset(w for w in found if _NUMBER.match(w)) for found in words]
    keep = [k for k, w in enumerate(words) if len(w) >= COPY_MIN_WORDS]
    if len(keep) < 2:
        return roots
    vocabulary: dict[str, int] = {}
    cols = [vocabulary.setdefault(w, len(vocabulary)) for k in keep for w in words[k]]
    rows = np.repeat(np.arange(len(keep)), [len(words[k]) for k in keep])
    ones = np.ones(len(cols), dtype=np.float32)
    binary = csr_matrix((ones, (rows, cols)), shape=(len(keep), len(vocabulary)))
    sizes = np.asarray(binary.sum(axis=1), dtype=np.float64).ravel()
    # Prefix filtering (exact): with every headline's words ordered rarest first, two that share
    # COPY_SHARE of their words share one of the first n - ceil(COPY_SHARE x n) + 1 of each; so
    # only pairs sharing such a word are compared, never every pair (10,000 headlines, whose
    # small words all share: 2 s and 180 MB compared whole).
    frequency = np.bincount(np.asarray(cols), minlength=len(vocabulary))
    prefix_rows, prefix_cols = [], []
    for k, found in enumerate(words[j] for j in keep):
        ordered = sorted((int(frequency[vocabulary[w]]), vocabulary[w]) for w in found)
        length = len(ordered) - int(np.ceil(COPY_SHARE * len(ordered) - 1e-9)) + 1
        prefix_rows += [k] * length
        prefix_cols += [column for _, column in ordered[:length]]
    prefix = csr_matrix(
        (np.ones(len(prefix_cols), dtype=np.float32), (prefix_rows, prefix_cols)),
        shape=binary.shape,
    )
    candidates = (prefix @ prefix.T).tocoo()
    a, b = candidates.row, candidates.col
    a, b = a[a < b], b[a < b]
    shared = row_dots(binary, a, b)
    same = shared >= COPY_SHARE * (sizes[a] + sizes[b] - shared) - 1e-9
    copies = [
        (i, j)
        for i, j in zip(a[same].tolist(), b[same].tolist(), strict=True)
        if numbers[keep[i]] == numbers[keep[j]]
    ]
    # Each copy goes to the first headline it copies that is no copy itself: one step, never
    # a chain of headlines each a word away from the last.
    leader = list(range(len(keep)))
    for first, copy in sorted(copies):
        if leader[first] == first and leader[copy] == copy:
            leader[copy] = first
    moved = {briefs[kept]: briefs[keep[leader[k]]] for k, kept in enumerate(keep)}
    return [moved.get(r, r) for r in roots]
