"""The sample newsroom's freshest day, clustered as each edition's digest would see it.

The texts are what intake stores for the served pages (the benchmark's loader renders them and
runs intake's extraction and scrubbing), page furniture it misses included. The `event` field of
the newsroom's data is the truth: articles of one event are one story, and a story never mixes
two events.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from benchmarks.bench_clustering import aged, load_newsroom

from headlines.stories import text as textlib
from headlines.stories.clustering import cluster
from headlines.stories.parts import Doc

UK = {"The Thameside Chronicle", "Harbour Wire"}
US = {"The Daily Meridian", "Harbour Wire"}


@pytest.fixture(scope="module")
def freshest_day() -> list[dict[str, object]]:
    return [r for r in load_newsroom() if float(str(r["age_hours"])) < 24]


def stories(
    rows: list[dict[str, object]], threshold: float, *, timed: bool = False
) -> list[list[dict[str, object]]]:
    """The rows' stories; `timed`: each published when its age says (before SEND), as intake
    stores a feed's dates; otherwise no time is known."""
    docs = [
        Doc(
            textlib.clean_title(str(r["title"]), source_names=[str(r["source"])]),
            str(r["text"]),
            published=aged(r) if timed else None,
        )
        for r in rows
    ]
    found: dict[int, list[dict[str, object]]] = defaultdict(list)
    for row, label in zip(rows, cluster(docs, threshold=threshold).labels, strict=True):
        found[label].append(row)
    return list(found.values())


def story_of(found: list[list[dict[str, object]]], event: str) -> list[list[dict[str, object]]]:
    return [story for story in found if any(r["story"] == event for r in story)]


@pytest.mark.parametrize(
    ("sources", "events"), [(UK, ["fed-rates", "storm-imogen"]), (US, ["fed-rates"])]
)
def test_an_event_told_by_several_outlets_is_one_story_with_several_sources(
    settings, freshest_day, sources, events
) -> None:
    rows = [r for r in freshest_day if r["source"] in sources]
    found = stories(rows, float(settings.CONFIG["HEADLINES_STORY_SIMILARITY"]))
    for event in events:
        told = story_of(found, event)
        assert len(told) == 1, [[r["title"] for r in story] for story in told]
        assert len({r["source"] for r in told[0]}) >= 2


@pytest.mark.parametrize("sources", [UK, US, UK | US])
def test_no_story_mixes_two_events(settings, freshest_day, sources) -> None:
    rows = [r for r in freshest_day if r["source"] in sources]
    for story in stories(rows, float(settings.CONFIG["HEADLINES_STORY_SIMILARITY"])):
        assert len({r["story"] for r in story}) == 1, [r["title"] for r in story]


def test_five_days_at_once_no_story_mixes_two_events(settings) -> None:
    """`headlines stories --hours 120` over the sample newsroom: 45 articles of five days, a
    small window (the cosine path). The day-before storm warning and Fed preview are events
    of their own, not the storm's or the decision's (trees fitted on small windows joined
    them: pairwise precision 0.74)."""
    rows = load_newsroom()
    assert len(rows) == 45
    found = stories(rows, float(settings.CONFIG["HEADLINES_STORY_SIMILARITY"]))
    for story in found:
        assert len({r["story"] for r in story}) == 1, [r["title"] for r in story]


def test_five_days_at_once_with_their_times_tell_the_storm_once(settings) -> None:
    """The same five days as `headlines stories --hours 120` has them, each report with its
    publication time. Storm Imogen's reports of one day share fewer words than the threshold
    asks: as texts published within a day of each other they are linked at a lower bar
    (`clustering.TEXT_BAR`), and are one story; the day-before warning and the Fed's preview,
    days from the storm and the decision, keep the threshold and stay events of their own."""
    rows = load_newsroom()
    threshold = float(settings.CONFIG["HEADLINES_STORY_SIMILARITY"])
    found = stories(rows, threshold, timed=True)
    for story in found:
        assert len({r["story"] for r in story}) == 1, [r["title"] for r in story]
    assert len(story_of(found, "storm-imogen")) == 1
    assert len(story_of(found, "fed-rates")) == 1
    # Without their times (the test above) nothing tells one day's reports from reports days
    # apart, and all keep the threshold: the lower bar there joined the Fed's preview.
