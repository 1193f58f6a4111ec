"""A small window's words weighed against the edition's earlier days: in a day of a few reports
on one subject, the subject's words are in every report and the window alone would count them
as common; the articles before the window say how common they are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from headlines.core import clock
from headlines.intake.models import Article
from headlines.stories import clustering, planning
from headlines.stories.parts import Doc
from headlines.stories.vectorizer import Vectorizer
from tests import factories
from tests.stories import factories as sf

NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)

FLOODS = [
    Doc(
        title="Harwick bridge closed by flood",
        text="Flood water from the river closed the bridge at Harwick overnight. Volunteers "
        "carried neighbours through the rain to the chapel, and the baker on Mill Lane gave "
        "away bread. A pensioner said the water rose faster than in 1998.",
        language="en",
    ),
    Doc(
        title="River bursts banks in Harwick",
        text="The river burst its banks and flooded homes in Harwick as rain fell all night. "
        "Police shut the bridge, firefighters pumped cellars on the quay, and the school stayed "
        "closed while the water drained away.",
        language="en",
    ),
    Doc(
        title="Flood warning for Selby as river rises",
        text="A flood warning covers Selby where the river will peak after more rain. Farmers "
        "moved sheep from low fields and water reached homes on the marsh road.",
        language="en",
    ),
]
SUBJECTS = ("election", "football", "market", "school", "hospital", "concert", "airport")


def _earlier(n: int) -> Doc:
    """The edition's news of an earlier day: other subjects, no flood."""
    subject = SUBJECTS[n % len(SUBJECTS)]
    return Doc(
        title=f"{subject.title()} talks resume in town {n}",
        text=f"Officials in town {n} met again on the {subject} plan. Residents spoke about "
        f"the {subject} and the council's budget for next year.",
        language="en",
    )


EARLIER = [_earlier(n) for n in range(70)]


def test_earlier_articles_count_in_the_words_weight_and_get_no_row() -> None:
    alone = Vectorizer().fit_transform(FLOODS).toarray()
    weighed = Vectorizer().fit_transform(FLOODS, EARLIER).toarray()
    assert weighed.shape[0] == len(FLOODS)  # rows for the window's docs alone
    assert np.allclose(np.linalg.norm(weighed, axis=1), 1.0, atol=1e-5)
    # "flood", "river", "water" are in every report of the window and in none of the days
    # before: against those days the Harwick reports share rare words, not common ones.
    assert weighed[0] @ weighed[1] > alone[0] @ alone[1] + 0.03


def test_a_window_the_pair_scorer_reads_keeps_its_own_idf(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given: list[Sequence[Doc]] = []

    class Seen(Exception):
        pass

    def spy(docs: Sequence[Doc], *args: Any) -> Any:
        given.append(args[2])
        raise Seen

    read: list[int] = []

    def reader() -> Sequence[Doc]:
        read.append(1)
        return EARLIER

    monkeypatch.setattr(clustering, "vectors", spy)
    for history in (EARLIER, reader):
        with pytest.raises(Seen):
            clustering.cluster(FLOODS, threshold=0.22, history=history)
    monkeypatch.setattr(clustering, "SCORER_MIN_WINDOW", len(FLOODS))
    for history in (EARLIER, reader):
        with pytest.raises(Seen):
            clustering.cluster(FLOODS, threshold=0.22, history=history)
    assert [len(g) for g in given] == [len(EARLIER), len(EARLIER), 0, 0]
    assert read == [1]  # a large window's build never reads the days before


def test_copies_of_a_headline_count_once_in_what_makes_a_window_small(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given: list[int] = []
    real = clustering.vectors

    def spy(docs: Sequence[Doc], *args: Any) -> Any:
        given.append(len(args[2]))
        return real(docs, *args)

    monkeypatch.setattr(clustering, "vectors", spy)
    monkeypatch.setattr(clustering, "SCORER_MIN_WINDOW", len(FLOODS) + 1)
    # A window of headlines alone (an aggregator's), one told again by another outlet: four
    # docs, three to cluster, so a window that small by what the clustering compares.
    headlines = [Doc(title=d.title, text="", language="en") for d in FLOODS]
    copied = Doc(title=FLOODS[0].title, text="", language="en")
    result = clustering.cluster([*headlines, copied], threshold=0.22, history=lambda: EARLIER)
    assert given == [len(EARLIER)]
    assert result.labels[0] == result.labels[3]


@pytest.fixture
def edition(db: None) -> Any:
    clock.set_clock(clock.FixedClock(NOON))
    return factories.edition(slug="us", timezone="Europe/London")


def _article(edition: Any, source: Any, title: str, at: dt.datetime | None, **fields: Any) -> Any:
    made = sf.article(source=source, edition=edition, title=title, published_at=at, **fields)
    if at is None:  # arrived at NOON unless the test says otherwise
        Article.objects.filter(pk=made.pk).update(created_at=NOON)
    return made


@pytest.mark.django_db
def test_a_small_window_reads_the_editions_latest_earlier_articles(
    edition: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire = sf.source(name="Wire", edition=edition, language="de")
    day = dt.timedelta(days=1)
    other = factories.edition(slug="uk")
    sf.article(source=sf.source(edition=other), edition=other, published_at=NOON - day)
    latest = _article(edition, wire, "Latest before the window", NOON - 2 * day)
    _article(edition, wire, "A copy of it", NOON - 2 * day, duplicate_of=latest)
    _article(edition, wire, "The day before that", NOON - 3 * day)
    _article(edition, wire, "Older still", NOON - 4 * day)
    _article(edition, wire, "Past the days read", NOON - (planning.HISTORY_DAYS + 3) * day)
    _article(edition, wire, "In the window", NOON - dt.timedelta(hours=2))
    start, _ = planning.selectors.digest_window(edition=edition, day=NOON.date())

    monkeypatch.setattr(planning, "HISTORY_ARTICLES", 2)
    rows, window_start, _ = planning._rows(edition, NOON.date())
    assert window_start == start
    assert [r.title for r in rows] == ["In the window"]
    earlier = planning.history_docs(edition, window_start)
    assert [d.title for d in earlier] == ["Latest before the window", "The day before that"]
    assert {d.language for d in earlier} == {"de"}  # the source's, as the window's rows

    monkeypatch.setattr(planning, "HISTORY_ARTICLES", 10)
    earlier = planning.history_docs(edition, window_start)
    assert [d.title for d in earlier] == [
        "Latest before the window",
        "The day before that",
        "Older still",
    ]


@pytest.mark.django_db
def test_undated_earlier_articles_count_by_when_they_arrived(edition: Any) -> None:
    wire = sf.source(name="Dump", edition=edition)
    dated = _article(edition, wire, "Dated", NOON - dt.timedelta(days=2))
    undated = _article(edition, wire, "Undated", None)
    Article.objects.filter(pk=undated.pk).update(created_at=NOON - dt.timedelta(days=3))
    late = _article(edition, wire, "Arrived in the window", None)
    Article.objects.filter(pk=late.pk).update(created_at=NOON - dt.timedelta(hours=1))
    rows, start, _ = planning._rows(edition, NOON.date())
    assert [r.title for r in rows] == ["Arrived in the window"]
    earlier = planning.history_docs(edition, start)
    assert [d.title for d in earlier] == [dated.title, "Undated"]
    assert {d.language for d in earlier} == {edition.language}  # none known: the edition's


@pytest.mark.django_db
def test_a_build_counts_the_days_before_in_a_small_window(
    edition: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire = sf.source(name="Wire", edition=edition, language="en")
    for n, doc in enumerate(EARLIER[:20]):
        sf.article(
            source=wire,
            edition=edition,
            title=doc.title,
            text=doc.text,
            published_at=NOON - dt.timedelta(days=2, hours=n),
        )
    for doc in FLOODS:
        sf.article(
            source=wire,
            edition=edition,
            title=doc.title,
            text=doc.text,
            published_at=NOON - dt.timedelta(hours=2),
        )
    seen: list[int] = []
    real = clustering.cluster

    def spy(docs: Sequence[Doc], **kwargs: Any) -> Any:
        read = kwargs["history"]

        def counted() -> Sequence[Doc]:
            earlier = read()
            seen.append(len(earlier))
            return earlier

        return real(docs, **{**kwargs, "history": counted})

    monkeypatch.setattr(clustering, "cluster", spy)
    drafts = planning.drafts(edition=edition, day=NOON.date())
    assert seen == [20]
    assert sorted(len(d.members) for d in drafts) == [1, 2]  # Harwick's two reports, Selby's
