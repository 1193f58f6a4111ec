"""From a cluster of articles to a story's parts: lead article, headline, summary, continuation.

Pure functions over plain rows, so the services stay short and the benchmarks can call them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from headlines.intake.scrubbing import segments
from headlines.stories import language as lang
from headlines.stories import summariser, voice
from headlines.stories import text as textlib

if TYPE_CHECKING:  # NumPy and SciPy load only where stories are computed (fast start-up).
    import numpy as np
    from scipy.sparse import csr_matrix

HEADLINE_MAX = 140
# The headline is the title the story's other articles (its best ones) most agree with, once
# CONSENSUS_OUTLETS or more tell it (syndicated copies not counted apart): with one other voice
# there is no consensus to find, and the better-ranked article (the edition's own outlets rank
# first) keeps its title and lead: the US digest's storm is "Storm in Britain delays
# transatlantic flights from New York and Boston", not the agency's "… power to 40,000 homes in
# northern England".
CONSENSUS_MEMBERS = 8
CONSENSUS_OUTLETS = 3


@dataclass
class Row:
    """One article, as much of it as stories need."""

    id: int
    title: str
    text: str
    source_id: int
    source_name: str
    source_weight: float
    language: str
    when: dt.datetime
    duplicate_of_id: int | None
    url: str
    image_url: str
    published_at: dt.datetime | None = None
    home: bool = False  # from a source that serves this edition alone


@dataclass
class Draft:
    """A story before it is stored."""

    members: list[Row]
    centroid: csr_matrix  # a unit row over the window's words (`unit_centroid`)
    headline: str = ""
    summary: str = ""
    score: float = 0.0
    continues_id: int | None = None
    developed: bool = True
    elsewhere: bool = False  # only about another edition's country
    source_ids: list[int] = field(default_factory=list)

    @property
    def lead(self) -> Row:
        return self.members[0]

    @property
    def independent_sources(self) -> dict[str, float]:
        """Outlet name -> weight: outlets of one mixed dump count apart."""
        weights: dict[str, float] = {}
        for row in self.members:
            if row.duplicate_of_id is None or len(self.members) == 1:
                key = row.source_name
                weights[key] = max(weights.get(key, 0.0), row.source_weight)
        return weights or {self.lead.source_name: self.lead.source_weight}

    @property
    def source_names(self) -> list[str]:
        names: list[str] = []
        for row in sorted(self.members, key=lambda r: -r.source_weight):
            if row.source_name not in names:
                names.append(row.source_name)
        return names


def safe_url(url: str) -> str:
    """Only web links reach an email or a page: no javascript:, data: or other schemes, and
    none with a character no URL holds (quotes, angle brackets, whitespace). An apostrophe is
    a URL's own (RFC 3986's sub-delims: "/o'brien-wins-seat/"); the templates escape it."""
    url = (url or "").strip()
    lowered = url.lower()
    if lowered.startswith(("https://", "http://")) and not any(c in url for c in '"<> \n\r\t'):
        return url[:2000]
    return ""


def drafts_from(rows: Sequence[Row], labels: Sequence[int], matrix: csr_matrix) -> list[Draft]:
    """One draft per cluster, members ordered best first (central, weighty, titled)."""
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    drafts = []
    for indexes in groups.values():
        centroid, centrality = _centre(matrix[indexes])
        ranked = sorted(
            range(len(indexes)),
            key=lambda k: (
                -(float(centrality[k]) * (1.0 + 0.2 * rows[indexes[k]].source_weight))
                - (0.2 if rows[indexes[k]].title else 0.0),
                rows[indexes[k]].id,
            ),
        )
        drafts.append(Draft(members=[rows[indexes[k]] for k in ranked], centroid=centroid))
    return drafts


def unit_centroid(block: csr_matrix) -> csr_matrix:
    """The unit-length mean of `block`'s rows, as a sparse row: a day of 20,000 stories over a
    vocabulary of 30,000 words held a dense one each, 4.9 GB (`headlines digest build` of a
    40,000-article day, docs/benchmarks.md); sparse, it holds the words its members use."""
    return _centre(block)[0]


def _centre(block: csr_matrix) -> tuple[csr_matrix, np.ndarray]:
    """`unit_centroid(block)`, and each row's dot product with it (how central it is), from the
    block's stored values alone: nothing as wide as the vocabulary is made."""
    import numpy as np
    from scipy.sparse import csr_matrix

    n = block.shape[0]
    columns, where = np.unique(block.indices, return_inverse=True)
    mean = np.bincount(where, weights=block.data, minlength=len(columns)) / max(n, 1)
    unit = mean / (float(np.linalg.norm(mean)) or 1.0)
    centroid = csr_matrix((unit, columns, [0, len(columns)]), shape=(1, block.shape[1]))
    row_of = np.repeat(np.arange(n), np.diff(block.indptr))
    centrality = np.bincount(row_of, weights=block.data * unit[where], minlength=n)
    return centroid, centrality


def stacked(drafts: Sequence[Draft]) -> csr_matrix:
    """The drafts' centroids, one row each."""
    from scipy.sparse import vstack

    return vstack([d.centroid for d in drafts], format="csr")


def centroids(drafts: Sequence[Draft], matrix: csr_matrix, index_of: dict[int, int]) -> csr_matrix:
    """Each draft's unit centroid over `matrix`, whose rows are the day's (`index_of`: id → row),
    one sparse row a draft."""
    from scipy.sparse import vstack

    return vstack(
        [unit_centroid(matrix[[index_of[r.id] for r in draft.members]]) for draft in drafts],
        format="csr",
    )


@dataclass
class _Said:
    """What the best members of a story told by CONSENSUS_OUTLETS or more say: each one's title
    words, first lead sentence's words, the words of its title and first two lead sentences,
    and its root (a syndicated copy shares its original's, and is not another outlet agreeing)."""

    titles: list[frozenset[str]]
    firsts: list[frozenset[str] | None]  # None: no lead sentence that will do
    words: list[frozenset[str]]
    roots: list[int]

    @classmethod
    def of(cls, members: Sequence[Row], titles: Sequence[str]) -> _Said | None:
        """None when fewer than CONSENSUS_OUTLETS tell the story: nothing is read then."""
        best = members[:CONSENSUS_MEMBERS]
        roots = [r.duplicate_of_id or r.id for r in best]
        if len(set(roots)) < CONSENSUS_OUTLETS:
            return None
        language = best[0].language
        said = cls([], [], [], roots)
        for row, title in zip(best, titles, strict=False):
            # By stem: an outlet that says "charged" agrees with one that says "charges".
            title_words = frozenset(lang.tokens(title, language, stem=True))
            lead = [
                frozenset(lang.tokens(s, language, stem=True))
                for s in textlib.lead_sentences(row.text, limit=2)
            ]
            said.titles.append(title_words)
            said.firsts.append(lead[0] if lead else None)
            said.words.append(title_words.union(*lead))
        return said

    def others(self, i: int) -> list[frozenset[str]]:
        return [w for j, w in enumerate(self.words) if self.roots[j] != self.roots[i] and w]


def _width(title: str) -> int:
    return len(title) + (0 if title.isascii() else len(segments.UNSPACED.findall(title)))


# A title left hanging ("Sports news in brief from around the world:", "March 14, 2013 -
# UNITED STATES -") introduces something else: a fragment, not a headline.
_DANGLING = (":", " -", " \u2013", " \u2014")


def _headline(titles: Sequence[str], said: _Said | None) -> str:
    """The title most of whose words the story's other articles also say, in their titles or
    leads (the share of its words, summed over them): what the outlets agree happened, not one
    outlet's angle; with no consensus to find (`said` None), the better-ranked article's.
    Questions and views ("Where's the outrage …?") only when no other title will do; titles of
    20-140 characters (a Chinese or Japanese character counted as two: it says about as much),
    not shouting, not left hanging on a colon or dash or in a quotation, when there are any;
    ties to the better-ranked article. `titles` are `textlib.clean_title`'s: a title that only
    says when (a timestamp line) is "" there, and never the headline."""
    said_something = [bool(t) for t in titles]
    good = [
        i
        for i, t in enumerate(titles)
        if said_something[i]
        and 20 <= _width(t) <= HEADLINE_MAX
        and not textlib.shouting(t)
        and not t.endswith(_DANGLING)
        # Cut short in a quotation (from Obama's "War on Religion): the quote never closes.
        and not voice.half_quoted(t)
    ]
    if not good:  # "": no title says what happened (the lead will)
        return next((t for t, says in zip(titles, said_something, strict=True) if says), "")
    plain = [i for i in good if not textlib.is_question_or_view(titles[i])] or good
    if said is None:  # no others to agree
        return titles[plain[0]]
    among = [i for i in plain if i < len(said.titles)]
    if not among:  # a title that will do only below the best ones
        return titles[plain[0]]

    def agreed(i: int) -> float:
        mine = said.titles[i]
        return sum(len(mine & w) / len(mine) for w in said.others(i)) if mine else 0.0

    return titles[max(among, key=lambda i: (agreed(i), -i))]


def _lead_order(said: _Said) -> list[int]:
    """The story's best members, first the one whose first lead sentence the others say most
    of (how many of its words are in each other article's title or lead, summed over them; a
    count, not a share: a fuller sentence of what they agree on makes a better summary). Members
    without a usable sentence go last; ties keep the ranking's order."""

    def agreed(i: int) -> int:
        mine = said.firsts[i]
        return -1 if mine is None else sum(len(mine & w) for w in said.others(i))

    return sorted(range(len(said.firsts)), key=lambda i: (-agreed(i), i))


def write(draft: Draft, *, max_chars: int) -> None:
    """Headline and summary for `draft`."""
    names = {r.source_name for r in draft.members}
    titles = [textlib.clean_title(r.title, source_names=names) for r in draft.members]
    said = _Said.of(draft.members, titles)  # None: fewer than CONSENSUS_OUTLETS tell it
    # A title of marks alone ("...", "?") says nothing either: the lead writes one then.
    headline = textlib.without_full_stop(_headline(titles, said))
    if not textlib.words(headline):
        headline = textlib.headline_from_lead(draft.lead.text)
    draft.headline = textlib.truncate(headline or "Untitled report", HEADLINE_MAX)
    draft.summary = summariser.summarise(
        headline=draft.headline,
        texts=[
            draft.members[i].text
            for i in (_lead_order(said) if said else range(len(draft.members)))[:3]
        ],
        max_chars=max_chars,
    )


@dataclass(frozen=True)
class Earlier:
    """A story of an earlier day that tonight's may continue."""

    id: int
    text: str
    article_ids: frozenset[int]
    source_ids: frozenset[int]


def link_continuations(
    drafts: Sequence[Draft],
    earlier: Sequence[Earlier],
    vectors: csr_matrix,
    *,
    threshold: float,
    centroids: csr_matrix | None = None,
) -> None:
    """Point each draft at the earlier story it continues; mark it undeveloped if nothing is new.

    `vectors` are the earlier stories' rows in tonight's TF-IDF space; `centroids` the drafts'
    in that space when it is not the one the drafts were clustered in.
    """
    import numpy as np

    if not drafts or not earlier:
        return
    if centroids is None:
        centroids = stacked(drafts)
    # Earlier x drafts, sparse: a day of 20,000 stories after as many would be 3 GB dense.
    sims = (vectors @ centroids.T).tocsc()
    best = np.asarray(sims.argmax(axis=0)).ravel()
    top = sims.max(axis=0).toarray().ravel()
    for j, draft in enumerate(drafts):
        if float(top[j]) < threshold:
            continue
        before = earlier[int(best[j])]
        draft.continues_id = before.id
        draft.developed = _developed(draft, before)


def _developed(draft: Draft, before: Earlier) -> bool:
    new = [
        r
        for r in draft.members
        if r.id not in before.article_ids and r.duplicate_of_id not in before.article_ids
    ]
    if not new:
        return False
    if any(r.source_id not in before.source_ids for r in new):
        return True
    # Same outlets, new articles: developed only if one of them says something not said before.
    for row in new:
        lead = textlib.lead_sentences(row.text, limit=2)
        if any(textlib.overlap(sentence, before.text) < 0.6 for sentence in lead):
            return True
    return False
