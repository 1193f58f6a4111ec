import datetime as dt

import numpy as np

from headlines.stories import ranking

END = dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.UTC)


def signals(**overrides) -> ranking.Signals:
    fields = {
        "source_weights": {1: 1.0},
        "latest_at": END - dt.timedelta(hours=2),
        "languages": ["en"],
        "text": "A story about the weather",
    }
    fields.update(overrides)
    return ranking.Signals(**fields)


def score(s: ranking.Signals, **kw) -> float:
    return ranking.score(s, end=END, language=kw.get("language", "en"), terms=kw.get("terms", {}))


def test_more_independent_and_weightier_sources_rank_higher() -> None:
    one = score(signals())
    three = score(signals(source_weights={1: 1.0, 2: 1.0, 3: 1.0}))
    weighty = score(signals(source_weights={1: 3.0}))
    assert three > weighty > one


def test_recent_beats_old_and_the_editions_place_and_language_count() -> None:
    assert score(signals()) > score(signals(latest_at=END - dt.timedelta(hours=20)))
    ohio = signals(text="Ohio river floods")
    assert score(ohio, terms={"ohio": 1.0}) > score(ohio)
    assert score(signals(languages=["fr"])) < score(signals(languages=["en"]))


def test_one_topic_cannot_fill_the_digest() -> None:
    # Four stories on one topic (similar), two others; scores favour the topic.
    scores = [10.0, 9.5, 9.0, 8.5, 3.0, 2.0]
    sim = np.eye(6)
    for i in range(4):
        for j in range(4):
            if i != j:
                sim[i, j] = 0.6
    order = ranking.diversify(scores, sim, per_topic=2)
    assert order[:4] == [0, 1, 4, 5]
    assert sorted(order) == list(range(6))
