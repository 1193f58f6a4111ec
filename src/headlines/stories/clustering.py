"""Group articles into stories, on CPU: TF-IDF cosine, then average-linkage within components.

Two steps keep it fast at thousands of articles: a sparse similarity pass finds every pair above
the threshold (in row blocks, so memory stays small) and splits the day into connected
components; average-linkage agglomerative clustering then runs inside each component, so one
loose chain of "similar enough" pairs cannot glue unrelated events together (single linkage's
known failure). Near-duplicates (`duplicate_of`) are joined before anything else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

# How much of an article the vectors see: the title twice (it names the event) and the lead.
LEAD_CHARS = 1200
BLOCK_ROWS = 1000


@dataclass(frozen=True)
class Doc:
    title: str
    text: str
    duplicate_of: int | None = None  # index into the same list, or None


# Names, places and numbers tell two storms or two council budgets apart, while the rest of
# their words are the same: capitalised words not opening a sentence, and numbers, count twice.
_ENTITY = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:[A-Z][a-z]+|[A-Z]{2,}|\d[\d,.]*)\b")


def document(title: str, text: str) -> str:
    lead = text[:LEAD_CHARS]
    entities = " ".join(_ENTITY.findall(f"{title}. {lead}"))
    return f"{title}. {title}. {lead} {entities}"


def vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        stop_words="english",
        sublinear_tf=True,
        min_df=1,
        ngram_range=(1, 1),
        token_pattern=r"(?u)\b\w\w+\b",  # noqa: S106 (a regex, not a secret)
        dtype=np.float32,
    )


def vectors(docs: Sequence[Doc]) -> tuple[TfidfVectorizer, csr_matrix]:
    vec = vectorizer()
    texts = [document(d.title, d.text) for d in docs]
    try:
        matrix = vec.fit_transform(texts)
    except ValueError:  # every word a stop word, or no docs: each article its own story
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), dtype=np.float32)
        matrix = vec.fit_transform([t or "empty" for t in texts])
    return vec, csr_matrix(matrix)


def _edges(matrix: csr_matrix, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = [], []
    n = matrix.shape[0]
    transposed = matrix.T.tocsc()
    for start in range(0, n, BLOCK_ROWS):
        block = (matrix[start : start + BLOCK_ROWS] @ transposed).tocoo()
        keep = (block.data >= threshold) & (block.row + start < block.col)
        rows.append(block.row[keep] + start)
        cols.append(block.col[keep])
    if not rows:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols)


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
    vectorizer: TfidfVectorizer


def cluster(docs: Sequence[Doc], *, threshold: float) -> Clustering:
    """Label every doc with its story."""
    n = len(docs)
    if n == 0:
        return Clustering([], csr_matrix((0, 0), dtype=np.float32), vectorizer())
    vec, matrix = vectors(docs)
    roots = _duplicate_roots(docs)
    # Duplicates are one doc for clustering: only roots are compared.
    root_ids = sorted(set(roots))
    index_of = {r: k for k, r in enumerate(root_ids)}
    root_matrix = matrix[root_ids]
    rows, cols = _edges(root_matrix, threshold)
    m = len(root_ids)
    graph = csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(m, m))
    _, component = connected_components(graph, directed=False)
    root_label = _split_components(root_matrix, component, threshold)
    labels = [root_label[index_of[roots[i]]] for i in range(n)]
    return Clustering(labels, matrix, vec)


def _split_components(matrix: csr_matrix, component: np.ndarray, threshold: float) -> list[int]:
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
