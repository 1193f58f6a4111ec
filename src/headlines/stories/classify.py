"""Topics from the text, for articles that carry no mapped section or feed category.

Learned from the edition's own labelled articles (those whose sections map to a topic): each
topic is the centroid of its examples' TF-IDF vectors, and an article goes to the nearest topic
if it is near enough. scikit-learn is imported only when a classifier is actually built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MIN_EXAMPLES = 3  # per topic; fewer and the centroid is one article's vocabulary
MIN_SIMILARITY = 0.08  # below this the text shares too little with any topic to say


class TopicClassifier:
    def __init__(self, vectorizer: Any, centroids: Any, slugs: list[str]) -> None:
        self.vectorizer = vectorizer
        self.centroids = centroids
        self.slugs = slugs

    @classmethod
    def learn(cls, examples: Sequence[tuple[str, str]]) -> TopicClassifier | None:
        """From (text, topic slug) pairs; None when fewer than two topics have enough."""
        counts: dict[str, int] = {}
        for _, slug in examples:
            counts[slug] = counts.get(slug, 0) + 1
        slugs = sorted(s for s, n in counts.items() if n >= MIN_EXAMPLES)
        if len(slugs) < 2:
            return None
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        kept = [(t, s) for t, s in examples if s in slugs]
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=1, max_features=50_000)
        matrix = vectorizer.fit_transform([t for t, _ in kept])
        labels = np.array([slugs.index(s) for _, s in kept])
        centroids = np.vstack(
            [np.asarray(matrix[labels == i].mean(axis=0)) for i in range(len(slugs))]
        )
        return cls(vectorizer, normalize(centroids), slugs)

    def predict(self, texts: Sequence[str]) -> list[str | None]:
        """The nearest topic of each text, or None when none is near enough."""
        if not texts:
            return []
        from sklearn.preprocessing import normalize

        scores = normalize(self.vectorizer.transform(list(texts))) @ self.centroids.T
        best = scores.argmax(axis=1)
        return [
            self.slugs[int(b)] if float(scores[row, int(b)]) >= MIN_SIMILARITY else None
            for row, b in enumerate(best)
        ]
