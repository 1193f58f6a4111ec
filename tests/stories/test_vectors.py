"""Title vectors: a window of headlines is clustered with the sentence embedding of its titles,
each made once (at import or at the first build) and stored with its article."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from headlines.core import clock
from headlines.intake.models import Article
from headlines.stories import embedding, planning, vectors
from headlines.stories.models import TitleVector
from headlines.stories.parts import Doc
from headlines.stories.vectorizer import MIN_EMBEDDED, Vectorizer, embedded_titles
from tests import factories
from tests.stories import factories as sf
from tests.stories.support import BUDGET, OTHERS, STORM, require_model

NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def briefs(titles: list[str], *, language: str = "en") -> list[Doc]:
    return [Doc(title=t, text="", language=language) for t in titles]


@pytest.fixture(scope="module")
def model() -> None:
    require_model()


def test_a_window_of_headlines_reads_its_titles_meaning(model: None) -> None:
    docs = briefs([*OTHERS, *STORM, *BUDGET])
    assert len(embedded_titles(docs, 0.35)) == len(docs)
    with_meaning = Vectorizer(0.35).fit_transform(docs).toarray()
    words = Vectorizer(0.0).fit_transform(docs).toarray()
    storm, budget = len(OTHERS), len(OTHERS) + 2
    for a in (storm, budget):
        assert words[a] @ words[a + 1] < 0.05  # next to no word in common
        assert with_meaning[a] @ with_meaning[a + 1] > words[a] @ words[a + 1] + 0.15
        # and nearer to each other than to any unrelated headline
        others = [with_meaning[a] @ with_meaning[i] for i in range(len(OTHERS))]
        assert with_meaning[a] @ with_meaning[a + 1] > max(others)
    assert np.allclose(np.linalg.norm(with_meaning, axis=1), 1.0, atol=1e-5)


def test_articles_with_texts_few_titles_and_other_languages_are_read_for_their_words(
    model: None,
) -> None:
    texts = [
        Doc(title=t, text=f"{t}. Officials said more would follow.", language="en")
        for t in [*OTHERS, *STORM]
    ]
    assert embedded_titles(texts, 0.35) == []  # a window of articles
    assert Vectorizer(0.35).fit_transform(texts).shape == (
        Vectorizer(0.0).fit_transform(texts).shape
    )
    assert embedded_titles(briefs(OTHERS[: MIN_EMBEDDED - 1]), 0.35) == []
    assert embedded_titles(briefs([*OTHERS, *STORM]), 0.0) == []  # turned off
    mixed = briefs([*OTHERS, *STORM]) + briefs(["Sturm legt Strom lahm"], language="de")
    mixed.append(Doc(title="", text="", language="en"))
    picked = embedded_titles(mixed, 0.35)
    assert picked == list(range(len(OTHERS) + 2))  # not the German title, not the empty one
    matrix = Vectorizer(0.35).fit_transform(mixed).toarray()
    assert not matrix[-2, -embedding.DIMENSIONS :].any()
    assert np.isclose(np.linalg.norm(matrix[-2]), 1.0)  # its words at full length


def test_a_given_vector_is_used_instead_of_encoding(
    model: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    titles = [*OTHERS, *STORM]
    given = embedding.encode(titles)
    docs = [
        Doc(title=t, text="", language="en", vector=v) for t, v in zip(titles, given, strict=True)
    ]
    expected = Vectorizer(0.35).fit_transform(briefs(titles)).toarray()

    def no_encoding(texts: object) -> np.ndarray:
        raise AssertionError("encoded although every vector was given")

    monkeypatch.setattr(embedding, "encode", no_encoding)
    assert np.allclose(Vectorizer(0.35).fit_transform(docs).toarray(), expected)


@pytest.fixture
def day(db) -> tuple[object, list[Article]]:
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(slug="us", timezone="Europe/London")
    source = sf.source(name="Aggregator", edition=edition)
    made = [
        sf.article(
            source=source,
            edition=edition,
            title=title,
            published_at=NOON - dt.timedelta(hours=2),
        )
        for title in [*OTHERS, *STORM, *BUDGET]
    ]
    Article.objects.filter(pk__in=[a.pk for a in made]).update(text="")
    return edition, made


def rows(edition: object) -> list:
    found, _, _ = planning._rows(edition, NOON.date())  # type: ignore[arg-type]
    return found


@pytest.mark.django_db
def test_a_build_stores_each_title_vector_once_and_then_reads_it(
    model: None, day: tuple[object, list[Article]], monkeypatch: pytest.MonkeyPatch
) -> None:
    edition, made = day
    first = planning.title_vectors(rows(edition))
    assert set(first) == {a.pk for a in made}
    assert TitleVector.objects.count() == len(made)
    stored = TitleVector.objects.get(article=made[0])
    assert len(bytes(stored.vector)) == embedding.DIMENSIONS * 2  # float16
    assert stored.key == vectors.key(made[0].title)

    calls: list[list[str]] = []
    real = embedding.encode
    monkeypatch.setattr(embedding, "encode", lambda texts: calls.append(list(texts)) or real(texts))
    second = planning.title_vectors(rows(edition))
    assert calls == []  # read back, not encoded again
    assert all(np.array_equal(first[k], second[k]) for k in first)

    # A title changed since (or cleaned another way): that one vector is made again.
    Article.objects.filter(pk=made[1].pk).update(title="Striker hat-trick sinks City")
    third = planning.title_vectors(rows(edition))
    assert calls == [["Striker hat-trick sinks City"]]
    assert TitleVector.objects.get(article=made[1]).key == vectors.key(
        "Striker hat-trick sinks City"
    )
    assert not np.array_equal(third[made[1].pk], first[made[1].pk])

    # A stored vector cut short (a damaged row) is made again, not read.
    TitleVector.objects.filter(article=made[2]).update(vector=b"\x00\x01")
    calls.clear()
    planning.title_vectors(rows(edition))
    assert calls == [[made[2].title]]

    # The stories the build makes are those of the vectors it stored: the storm once.
    drafts = planning.drafts(edition=edition, day=NOON.date())  # type: ignore[arg-type]
    storm = [d for d in drafts if {r.title for r in d.members} & set(STORM)]
    assert len(storm) == 1 and {r.title for r in storm[0].members} == set(STORM)

    made[3].delete()  # the vector goes with its article
    assert not TitleVector.objects.filter(article_id=made[3].pk).exists()


@pytest.mark.django_db
def test_a_window_of_articles_stores_no_vector(
    model: None, day: tuple[object, list[Article]]
) -> None:
    edition, made = day
    for a in made:
        Article.objects.filter(pk=a.pk).update(text=f"{a.title}. Officials said more would follow.")
    assert planning.title_vectors(rows(edition)) == {}
    planning.drafts(edition=edition, day=NOON.date())  # type: ignore[arg-type]
    assert not TitleVector.objects.exists()


@pytest.mark.django_db
def test_vectors_are_not_stored_for_an_article_deleted_meanwhile(model: None, day) -> None:
    _, made = day
    gone = made[0].pk
    made[0].delete()
    vectors._store({gone: ("k", np.zeros(embedding.DIMENSIONS, dtype=np.float32))})
    assert not TitleVector.objects.exists()


@pytest.mark.django_db
def test_importing_a_dump_of_headlines_makes_their_vectors(model: None, tmp_path: Path) -> None:
    clock.set_clock(clock.FixedClock(NOON))
    dump = tmp_path / "headlines.jsonl"
    records = [
        {"title": t, "url": f"https://news.example/{i}", "date": "2026-11-25T10:00:00Z"}
        for i, t in enumerate([*OTHERS, *STORM])
    ]
    records.append(
        {"title": "Sturm legt Strom lahm", "url": "https://news.example/de", "language": "de"}
    )
    records.append(
        {
            "title": "A report with its text",
            "text": "The whole report is here, several sentences long. It has a text of its own.",
            "url": "https://news.example/text",
        }
    )
    dump.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    call_command("import", str(dump), "--source", "Wire headlines", stdout=StringIO())
    briefs_stored = Article.objects.filter(text="")
    assert briefs_stored.count() == len(OTHERS) + 3
    with_vector = set(TitleVector.objects.values_list("article__title", flat=True))
    assert with_vector == {*OTHERS, *STORM}  # not the German title, not the article with text
    # Imported again: nothing new, nothing made again.
    keys = dict(TitleVector.objects.values_list("article_id", "key"))
    call_command("import", str(dump), "--source", "Wire headlines", stdout=StringIO())
    assert dict(TitleVector.objects.values_list("article_id", "key")) == keys


@pytest.mark.django_db
def test_with_the_embedding_turned_off_nothing_is_made(
    model: None, day: tuple[object, list[Article]], settings
) -> None:
    settings.CONFIG = {**settings.CONFIG, "HEADLINES_STORY_EMBEDDING_WEIGHT": 0.0}
    edition, made = day
    assert planning.title_vectors(rows(edition)) == {}
    from headlines.stories import services

    assert services.title_vectors_fill(source_slug=made[0].source.slug) == 0
    assert not TitleVector.objects.exists()


@pytest.mark.django_db
def test_an_import_fills_what_it_stored_not_a_sources_whole_history(
    model: None, day: tuple[object, list[Article]]
) -> None:
    from headlines.stories import services

    _, made = day
    source = made[0].source
    old = made[:20]
    Article.objects.filter(pk__in=[a.pk for a in old]).update(
        created_at=NOON - dt.timedelta(days=services.TITLE_VECTOR_DAYS, minutes=1)
    )
    assert services.title_vectors_fill(source_slug=source.slug) == len(made) - len(old)
    assert not TitleVector.objects.filter(article__in=old).exists()
    assert services.title_vectors_fill(source_slug=source.slug) == 0  # nothing left to make
    # The build of a window that holds the old ones makes theirs when it needs them.
    edition = made[0].editions.get()
    assert set(planning.title_vectors(rows(edition))) == {a.pk for a in made}
    assert TitleVector.objects.count() == len(made)


@pytest.mark.django_db
def test_many_titles_to_encode_at_once_are_announced(
    model: None,
    day: tuple[object, list[Article]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    edition, made = day
    monkeypatch.setattr(vectors, "SAY_FROM", len(made))
    with caplog.at_level("INFO", logger="headlines.stories.vectors"):
        planning.title_vectors(rows(edition))
    assert f"making the title vectors of {len(made)} headlines" in caplog.text
    caplog.clear()
    with caplog.at_level("INFO", logger="headlines.stories.vectors"):
        planning.title_vectors(rows(edition))  # all stored: nothing to say
    assert caplog.text == ""


@pytest.mark.django_db
def test_without_the_model_package_headlines_are_clustered_on_words(
    model: None,
    day: tuple[object, list[Article]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import sys

    from headlines.stories import services

    monkeypatch.setitem(sys.modules, embedding.PACKAGE, None)  # as if not installed
    edition, made = day
    assert services.title_vectors_fill(source_slug=made[0].source.slug) == 0
    assert planning.title_vectors(rows(edition)) == {}
    with caplog.at_level("WARNING"):
        drafts = planning.drafts(edition=edition, day=NOON.date())  # type: ignore[arg-type]
    assert "not installed" in caplog.text
    assert sum(len(d.members) for d in drafts) == len(made)  # every headline in one story
    assert not TitleVector.objects.exists()


@pytest.mark.django_db
def test_a_long_window_is_read_and_stored_a_chunk_at_a_time(
    model: None, day: tuple[object, list[Article]], monkeypatch: pytest.MonkeyPatch
) -> None:
    edition, made = day
    whole = planning.title_vectors(rows(edition))
    TitleVector.objects.filter(article__in=made[::3]).delete()  # some stored, some not
    monkeypatch.setattr(vectors, "CHUNK", 4)
    chunked = planning.title_vectors(rows(edition))
    assert set(chunked) == set(whole) == {a.pk for a in made}
    assert all(np.array_equal(whole[k], chunked[k]) for k in whole)
    assert TitleVector.objects.count() == len(made)
