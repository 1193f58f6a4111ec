"""What speaks against two reports being one event whatever their words (`Guard`): weekdays
more than a day apart, no shared name in title and lead (both halve a pair's similarity:
`guarded`; on the cosine path two texts keep a quarter, `clustering.TEXT_GUARD_PENALTY`), and
publication more than APART_DAYS apart (never compared: `Guard.distant`). Publication within
CLOSE_DAYS speaks for a pair (`Guard.close`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.sparse import csr_matrix

from headlines.stories.neighbours import row_dots
from headlines.stories.parts import ENTITY, Doc, days, lead

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


def guarded(
    similarity: np.ndarray, apart: np.ndarray, penalty: float | np.ndarray = GUARD_PENALTY
) -> np.ndarray:
    """`similarity` with the guards applied (`apart`: same shape, where a guard speaks), each
    taking `penalty` of it (a number, or one per pair)."""
    return np.where(apart, similarity * (1.0 - penalty), similarity)


@dataclass(frozen=True)
class Guard:
    """What speaks against two reports being one event whatever their words: they name
    different weekdays for what happened, or both name people and places in their title and
    lead and share none (two storms in two towns, two rehab stays of two actresses). See
    `guarded` for what it does."""

    days: np.ndarray  # bit set per doc
    names: csr_matrix  # doc x name, 1 where the doc's title or lead names it
    # Per doc, when it was published in days (NaN: not known); None when fewer than two are
    # known. What `close` reads, and `distant` where they spread over more than APART_DAYS.
    times: np.ndarray | None = None

    @cached_property
    def published(self) -> np.ndarray | None:
        """`times` where two of them are more than APART_DAYS apart; None otherwise, as in any
        day's or week's window (`distant` then has nothing to do)."""
        if self.times is None or np.nanmax(self.times) - np.nanmin(self.times) <= APART_DAYS:
            return None
        return self.times

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
        times = np.array(
            [d.published.timestamp() / 86400.0 if d.published else np.nan for d in docs],
            dtype=np.float64,
        )
        return cls(day_sets, found, times if np.count_nonzero(~np.isnan(times)) >= 2 else None)

    def distant(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray | None:
        """Which pairs of `rows` x `cols` (index arrays: a block) were published more than
        APART_DAYS apart; None when no pair of the window was."""
        if self.published is None:
            return None
        gap = np.abs(self.published[rows][:, None] - self.published[cols][None, :])
        return gap > APART_DAYS  # NaN (a time not known) compares False: not distant

    def close(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """For index arrays `a`, `b` (of equal length, or broadcasting: a column and a row for a
        block): which pairs were both published within CLOSE_DAYS of each other."""
        if self.times is None:
            return np.zeros(np.broadcast_shapes(np.shape(a), np.shape(b)), dtype=bool)
        return np.abs(self.times[a] - self.times[b]) <= CLOSE_DAYS  # NaN compares False

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
        shared = row_dots(self.names, a, b)
        return other_days, named[a] & named[b] & (shared == 0)

    def apart_within(self, ids: np.ndarray) -> np.ndarray:
        """The `apart` matrix of every pair of `ids`."""
        return self.apart_between(ids, ids)

    def apart_between(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The `apart` matrix of `rows` x `cols` (index arrays)."""
        other_days = _days_apart(self.days[rows][:, None], self.days[cols][None, :])
        a, b = self.names[rows], self.names[cols]
        named_a = np.asarray(a.sum(axis=1)).ravel() > 0
        named_b = np.asarray(b.sum(axis=1)).ravel() > 0
        shared = (a @ b.T).toarray() > 0
        return other_days | (named_a[:, None] & named_b[None, :] & ~shared)


# Reports of one event by different outlets come out within days of each other (on
# clustering-dev's BASIL, whose articles carry their dates, every story's reports are within four
# days); reports more than a week apart are two happenings, however alike their words: a second
# shutdown, the next hurricane, the same politician's other trip. Only known publication times
# count (`Doc.published`); a window of a day or a week is never touched.
APART_DAYS = 7.0


# Reports of one event by different outlets mostly come out the same day; what comes days before
# or after it in the same words is often another event of the same subject: the preview of a
# central bank's meeting and its decision, the storm warning and the storm. Reports published
# within CLOSE_DAYS of each other are `close` (`clustering._Weights` reads it).
CLOSE_DAYS = 1.0


def _days_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Both name weekdays, and none within a day of each other: two happenings. (A day either
    side is the same day told from another time zone: "late on Monday" in New York is Tuesday
    in London.)"""
    near = a | ((a << 1) & 0x7F) | (a >> 1) | ((a & 0x40) >> 6) | ((a & 1) << 6)
    return (a != 0) & (b != 0) & ((near & b) == 0)


def _guard_names(title: str, text: str) -> set[str]:
    found = set()
    for name in ENTITY.findall(f"{title}. {lead(text)}"):
        name = re.sub(r"['\u2019]s$", "", name).lower()
        if name.isalpha() and name not in _TIME_WORDS:
            found.add(name)
    return found
