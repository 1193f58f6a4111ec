"""Group articles into stories, on CPU: TF-IDF cosine, then average-linkage within components.

Two steps keep it fast at thousands of articles: a sparse similarity pass finds every pair above
the threshold (in row blocks, so memory stays small) and splits the day into connected
components; average-linkage agglomerative clustering then runs inside each component, so one
loose chain of "similar enough" pairs cannot glue unrelated events together (single linkage's
known failure). Near-duplicates (`duplicate_of`) are joined before anything else.

What an article is compared on: its title and the first prose sentences of its text. Only
sentences count because what intake stores may still carry page furniture it did not learn
(menus, a repeated headline, a list of other headlines, "Reporting by …"), and those lines are
alike across one outlet's articles and unlike across outlets: they split rewrites and join
strangers. Names and numbers get a vector of their own, mixed in with weight NAMES_WEIGHT, so
two storms or two council budgets with the same words but different names stay apart.
Reports that name different days for what happened ("on Monday" / "on Thursday") are not
joined: a later development is a continuation, linked by planning, not the same story.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from headlines.stories import text as textlib

# The lead: this many prose sentences; raw characters only when a text has no sentences at all.
LEAD_SENTENCES = 2
LEAD_CHARS = 1200
NAMES_WEIGHT = 0.35  # share of the cosine that comes from names and numbers
BLOCK_ROWS = 1000


@dataclass(frozen=True)
class Doc:
    title: str
    text: str
    duplicate_of: int | None = None  # index into the same list, or None


# Names, places and numbers: capitalised words not opening a sentence, acronyms, and numbers,
# a number also when a unit is glued to it ("84mph", "7.2m" are 84 and 7.2, as "84 mph" is).
_ENTITY = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:[A-Z][a-z]+\b|[A-Z]{2,}\b|\d(?:[\d,.]*\d)?(?![\d]))")
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_DAYS = {
    d: 1 << i
    for i, d in enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    )
}


def lead(text: str) -> str:
    sentences = textlib.lead_sentences(text, limit=LEAD_SENTENCES)
    return " ".join(sentences) if sentences else text[:LEAD_CHARS]


def document(title: str, text: str) -> str:
    """What the word vector sees: the title twice (it names the event) and the lead."""
    return f"{title}. {title}. {lead(text)}"


def names(title: str, text: str) -> str:
    return " ".join(_ENTITY.findall(f"{title}. {lead(text)}"))


def days(title: str, text: str) -> int:
    """The weekdays the title and lead name, as a bit set (0: none named)."""
    found = 0
    for day in _WEEKDAY.findall(f"{title}. {lead(text)}"):
        found |= _DAYS[day]
    return found


class Vectorizer:
    """Words and names, each TF-IDF over the day's articles, mixed into one unit vector."""

    def __init__(self) -> None:
        self.words = TfidfVectorizer(
            stop_words="english",
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w\w+\b",  # noqa: S106 (a regex, not a secret)
            dtype=np.float32,
        )
        self.names = TfidfVectorizer(
            lowercase=True,
            sublinear_tf=True,
            token_pattern=r"[^\s,]+",  # noqa: S106 (a name or a number is one token)
            dtype=np.float32,
        )

    def fit_transform(self, docs: Sequence[Doc]) -> csr_matrix:
        try:
            words = self.words.fit_transform([document(d.title, d.text) for d in docs])
        except ValueError:  # every word a stop word: fall back to character n-grams
            self.words = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), dtype=np.float32)
            words = self.words.fit_transform([document(d.title, d.text) or "empty" for d in docs])
        found = [names(d.title, d.text) for d in docs]
        if not any(found):
            return csr_matrix(words)
        self.names.fit(found)
        return self._mix(words, self.names.transform(found))

    @staticmethod
    def _mix(words: csr_matrix, found: csr_matrix) -> csr_matrix:
        mixed = hstack([words * np.sqrt(1 - NAMES_WEIGHT), found * np.sqrt(NAMES_WEIGHT)])
        # A doc without names keeps its words at full length rather than a shorter vector.
        return csr_matrix(normalize(mixed.tocsr()), dtype=np.float32)


# Continuations (planning) compare a story with an earlier day's headline, summary and titles.
# Across days the weekday guard cannot help, and what tells look-alike events apart is names:
# there the words of the longer lead with names and numbers counted twice do better (chosen
# at HEADLINES_STORY_CONTINUATION_SIMILARITY on bench_digest's two days).
CONTINUATION_CHARS = 1200


def continuation_document(title: str, text: str) -> str:
    lead = text[:CONTINUATION_CHARS]
    return f"{title}. {title}. {lead} " + " ".join(_ENTITY.findall(f"{title}. {lead}"))


def continuation_space(docs: Sequence[Doc]) -> tuple[TfidfVectorizer, csr_matrix]:
    """Unit TF-IDF rows of `docs` for finding continuations, and the vectorizer to add more."""
    vec = TfidfVectorizer(
        stop_words="english",
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w\w+\b",  # noqa: S106 (a regex, not a secret)
        dtype=np.float32,
    )
    texts = [continuation_document(d.title, d.text) for d in docs]
    try:
        return vec, csr_matrix(vec.fit_transform(texts))
    except ValueError:  # every word a stop word
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), dtype=np.float32)
        return vec, csr_matrix(vec.fit_transform([t or "empty" for t in texts]))


def vectors(docs: Sequence[Doc]) -> tuple[Vectorizer, csr_matrix]:
    vec = Vectorizer()
    return vec, vec.fit_transform(docs)


def _edges(
    matrix: csr_matrix, day_sets: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = [], []
    n = matrix.shape[0]
    transposed = matrix.T.tocsc()
    for start in range(0, n, BLOCK_ROWS):
        block = (matrix[start : start + BLOCK_ROWS] @ transposed).tocoo()
        keep = (block.data >= threshold) & (block.row + start < block.col)
        r, c = block.row[keep] + start, block.col[keep]
        agree = ~_disagree(day_sets[r], day_sets[c])
        rows.append(r[agree])
        cols.append(c[agree])
    if not rows:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _disagree(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Both name a day and no day in common: two happenings, not one."""
    return (a != 0) & (b != 0) & ((a & b) == 0)


def _duplicate_roots(docs: Sequence[Doc]) -> list[int]:
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


@dataclass(frozen=True)
class Clustering:
    labels: list[int]  # one per doc, 0..k-1
    matrix: csr_matrix  # the docs' L2-normalised TF-IDF rows
    vectorizer: Vectorizer


def cluster(docs: Sequence[Doc], *, threshold: float) -> Clustering:
    """Label every doc with its story."""
    n = len(docs)
    if n == 0:
        return Clustering([], csr_matrix((0, 0), dtype=np.float32), Vectorizer())
    vec, matrix = vectors(docs)
    roots = _duplicate_roots(docs)
    # Duplicates are one doc for clustering: only roots are compared.
    root_ids = sorted(set(roots))
    index_of = {r: k for k, r in enumerate(root_ids)}
    root_matrix = matrix[root_ids]
    day_sets = np.array([days(docs[r].title, docs[r].text) for r in root_ids], dtype=np.int64)
    rows, cols = _edges(root_matrix, day_sets, threshold)
    m = len(root_ids)
    graph = csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(m, m))
    _, component = connected_components(graph, directed=False)
    root_label = _split_components(root_matrix, day_sets, component, threshold)
    labels = [root_label[index_of[roots[i]]] for i in range(n)]
    return Clustering(labels, matrix, vec)


def _split_components(
    matrix: csr_matrix, day_sets: np.ndarray, component: np.ndarray, threshold: float
) -> list[int]:
    labels = [-1] * matrix.shape[0]
    next_label = 0
    members_of: dict[int, list[int]] = {}
    for i, c in enumerate(component):
        members_of.setdefault(int(c), []).append(i)
    for members in members_of.values():
        if len(members) <= 2:
            sub = [0] * len(members)
        else:
            dense = (matrix[members] @ matrix[members].T).toarray()
            distance = np.clip(1.0 - dense, 0.0, None)
            member_days = day_sets[members]
            distance[_disagree(member_days[:, None], member_days[None, :])] = 1.0
            np.fill_diagonal(distance, 0.0)
            model = AgglomerativeClustering(
                n_clusters=None,
                metric="precomputed",
                linkage="average",
                distance_threshold=1.0 - threshold,
            )
            sub = [int(x) for x in model.fit_predict(distance)]
        for member, s in zip(members, sub, strict=True):
            labels[member] = next_label + s
        next_label += max(sub) + 1
    return labels
