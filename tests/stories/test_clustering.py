# ruff: noqa: RUF001  # text in other scripts, written as it is
import datetime as dt
from dataclasses import replace
from unittest import mock

import numpy as np

from headlines.stories.candidates import pair_probability, scored_pairs
from headlines.stories.clustering import cluster
from headlines.stories.guards import Guard
from headlines.stories.neighbours import Products
from headlines.stories.parts import Doc, action_tokens, full_names, numbers
from headlines.stories.scorers import SCORER_FEATURES, SCORER_K, SCORER_MIN_WINDOW
from headlines.stories.vectorizer import Vectorizer, numbers_matrix

from .windows import look_alike_window

STORM_A = Doc(
    "Storm Aurelia floods Brackwater as hundreds flee",
    "Storm Aurelia flooded Brackwater on Monday and hundreds of residents fled their homes.",
)
STORM_A2 = Doc(
    "Hundreds evacuated as Storm Aurelia batters Brackwater",
    "Around 300 people were evacuated from Brackwater after Storm Aurelia brought record rain.",
)
STORM_B = Doc(
    "Storm Cordelia floods Pinewick as hundreds flee",
    "Storm Cordelia flooded Pinewick on Friday and hundreds of residents fled their homes.",
)
FINAL = Doc(
    "Dunmere United beat Holtby Town to win the cup",
    "Dunmere United won the cup final on Wednesday, beating Holtby Town 2-1.",
)


def test_rewrites_of_one_event_cluster_and_look_alike_events_do_not() -> None:
    labels = cluster([STORM_A, STORM_A2, STORM_B, FINAL], threshold=0.5).labels
    assert labels[0] == labels[1]
    assert len({labels[0], labels[2], labels[3]}) == 3


def test_near_duplicates_are_folded_into_the_copy_they_duplicate() -> None:
    unrelated_text = Doc("Untitled", "Completely different words here.", duplicate_of=0)
    labels = cluster([STORM_A, FINAL, unrelated_text], threshold=0.5).labels
    assert labels[2] == labels[0] != labels[1]


def test_nothing_to_cluster_and_stop_word_only_docs() -> None:
    assert cluster([], threshold=0.5).labels == []
    labels = cluster([Doc("", "the and of"), Doc("", "it is")], threshold=0.5).labels
    assert len(labels) == 2


def test_a_window_past_the_scorers_neighbourhood_keeps_look_alike_events_apart() -> None:
    docs, truth = look_alike_window()
    assert len(docs) >= SCORER_MIN_WINDOW  # the pair scorer's path
    labels = cluster(docs, threshold=0.26).labels
    for e in set(truth):
        found = {labels[i] for i, t in enumerate(truth) if t == e}
        assert len(found) == 1  # one event's reports are one story
    assert len(set(labels)) == len(set(truth))  # and the look-alike towns stay apart


def test_pair_features_are_one_row_per_candidate_pair() -> None:
    docs, _ = look_alike_window()
    vec = Vectorizer()
    matrix = vec.fit_transform(docs)
    assert vec.views is not None
    pairs = scored_pairs(Products(matrix), vec.views, Guard.of(docs))
    assert (pairs.rows < pairs.cols).all()
    assert len(set(zip(pairs.rows.tolist(), pairs.cols.tolist(), strict=True))) == len(pairs.rows)
    assert pairs.features.shape == (len(pairs.rows), len(SCORER_FEATURES))
    assert ((pairs.better >= 1) & (pairs.better <= pairs.worse)).all()
    assert (pairs.worse <= SCORER_K + 1).all()
    assert (np.log(pairs.worse) == pairs.features[:, 4]).all()
    assert (pairs.apart == ((pairs.features[:, 8] > 0) | (pairs.features[:, 9] > 0))).all()
    shared = pairs.features[:, 10:12]  # nearest neighbours in common
    assert ((shared >= 0) & (shared <= 1)).all()
    assert (pairs.features[:, 12] == np.log1p(pairs.numbers)).all()
    assert ((pairs.features[:, 13] >= 0) & (pairs.features[:, 13] <= 1)).all()
    assert ((pairs.action >= -1e-6) & (pairs.action <= 1 + 1e-6)).all()
    probability = pair_probability(pairs.features)
    assert ((probability > 0) & (probability < 1)).all()


def test_specific_numbers_leave_out_years_and_single_digits() -> None:
    found = numbers(
        "1.3M jobless claims in 2020",
        "Claims rose by 266,000 to 1.3 million, the 3rd rise in 17 weeks; 84mph winds.",
    )
    assert found == {"1.3", "266000", "17", "84"}


def test_specific_numbers_leave_out_names_and_clock_times() -> None:
    found = numbers(
        "G20 leaders meet over COVID-19 on March 11",
        "At 10:30 a.m., and again at 9pm (14:05 GMT), F-35 jets flew 450 miles for MH17.",
    )
    assert found == {"450", "11"}  # the date stays: its rarity in the window weighs it


def test_a_number_many_reports_give_weighs_less_than_one_two_share() -> None:
    # Six reports: two give 266,000, four give the day's "12", all give "50".
    sets = [{"266000", "12", "50"}, {"266000", "12", "50"}, {"12", "50"}, {"12", "50"}]
    sets += [{"50"}, {"50"}]
    matrix = numbers_matrix(sets)
    shared = (matrix @ matrix.T).toarray()
    assert shared[0, 1] > shared[2, 3] > 0  # 266,000 and 12 against 12 alone
    assert shared[4, 5] == 0  # every report gives 50: it says nothing
    assert np.all(shared <= shared.diagonal()[:, None] + 1e-6)


def test_what_happened_is_the_whole_text_less_its_names_and_numbers() -> None:
    title, text = "Cohen sentenced", "A judge in Manhattan sentenced Michael Cohen to 36 months."
    tokens = ["cohen", "sentenced", "judge", "manhattan", "sentenced", "michael", "cohen", "36"]
    assert action_tokens(tokens, full_names(title, text)) == ["sentenced", "judge", "sentenced"]


def test_names_are_found_in_every_cased_alphabet() -> None:
    # A capital past ASCII ("Müller", "Łódź", Greek, Cyrillic) is a name as "Miller" is: before,
    # only A-Z opened one, and most of a Polish or Russian report's names were not its names.
    title = "Bürgermeister Müller trifft Зеленский"
    text = "In Łódź sprachen sie mit ΕΡΤ über Zürich und José Álvarez."
    found = full_names(title, text)
    for name in [
        "müller",
        "зеленский",
        "łódź",
        "ερτ",
        "zürich",
        "josé",
        "álvarez",
    ]:
        assert name in found
    assert "sprachen" not in found and "über" not in found


def test_the_stored_trees_give_what_scikit_learn_fitted() -> None:
    """fit_clustering's export, read back by `Trees`, gives scikit-learn's own probabilities."""
    from benchmarks import fit_clustering

    from headlines.stories.scorers import Trees

    rng = np.random.default_rng(7)
    x = rng.normal(size=(3000, len(SCORER_FEATURES)))
    y = (x[:, 0] + x[:, 1] * x[:, 2] - 0.5 * x[:, 13] + rng.normal(size=3000)) > 0
    weight = np.ones(len(y))
    trees = Trees.of(fit_clustering.fit_trees(x, y, weight))
    model = fit_clustering.tree_model().fit(x, y, sample_weight=weight)
    fresh = rng.normal(size=(5000, len(SCORER_FEATURES)))
    assert np.abs(trees.probability(fresh) - model.predict_proba(fresh)[:, 1]).max() < 1e-5


def test_trees_fitted_on_other_features_are_refused() -> None:
    import json

    import pytest

    from headlines.stories.scorers import SCORER_FILE, Trees

    stored = json.loads(SCORER_FILE.read_text())
    assert len(stored["trees"]) == 200 and stored["depth"] == 3
    stored["features"] = stored["features"][:-1]
    with pytest.raises(ValueError, match="other features"):
        Trees.of(stored)


def test_each_shipped_scorer_file_says_what_writes_and_reads_it_as_they_are_now() -> None:
    # The files said "Trees of stories/clustering.py's pair scorer" after that module was split
    # (parts, neighbours, guards, vectorizer, scorers, candidates, clustering), and two of them
    # named three of the four files; what fit_clustering writes now is what they say.
    import json
    import re
    from pathlib import Path

    from benchmarks import fit_clustering

    from headlines.stories import scorers

    files = (scorers.SCORER_FILE, scorers.BRIEF_SCORER_FILE)
    for path in files:
        assert json.loads(path.read_text())["about"] == fit_clustering.ABOUT, path.name
    root = Path(scorers.__file__).parents[1]
    for module in re.findall(r"stories/\w+\.py", fit_clustering.ABOUT):
        assert (root / module).exists(), module
    assert (root.parents[1] / "benchmarks" / "fit_clustering.py").exists()
    for name in re.findall(r"\b[A-Z_]+_FILE\b", fit_clustering.ABOUT):
        assert getattr(scorers, name) in files, name


def test_the_shipped_scorer_ranks_one_events_reports_above_a_neighbours() -> None:
    """A pair that is each other's nearest with high cosines scores above a far, weak pair."""
    near = np.array([[0.6, 0.5, 0.5, 0.0, 0.0, 1.0, 1.0, 0.3, 0, 0, 0.6, 0.5, 1.0, 0.5]])
    far = np.array([[0.15, 0.05, 0.0, 3.4, 3.4, 0.3, 0.3, -0.05, 0, 1, 0.0, 0.1, 0.0, 0.0]])
    assert pair_probability(near)[0] > 0.9 > 0.1 > pair_probability(far)[0]


def test_pairs_of_two_headlines_are_scored_by_the_brief_trees() -> None:
    from headlines.stories.scorers import brief_scorer, scorer

    features = np.array(
        [
            [0.6, 0.5, 0.5, 0.0, 0.0, 1.0, 1.0, 0.3, 0, 0, 0.6, 0.5, 1.0, 0.5],
            [0.15, 0.05, 0.0, 3.4, 3.4, 0.3, 0.3, -0.05, 0, 1, 0.0, 0.1, 0.0, 0.0],
        ]
        * 2
    )
    brief = np.array([True, True, False, False])
    got = pair_probability(features, brief)
    assert (got[:2] == brief_scorer().probability(features[:2])).all()
    assert (got[2:] == scorer().probability(features[2:])).all()
    assert (got[:2] != got[2:]).all()  # two models, not one
    assert (pair_probability(features) == scorer().probability(features)).all()


def test_brief_trees_score_headline_pairs_only_where_headlines_make_the_window() -> None:
    from headlines.stories.clustering import brief_pairs

    rows, cols = np.array([0, 0, 1]), np.array([1, 2, 2])
    dump = np.array([True, True, False])  # two of three are headlines alone
    own, cosine_only = brief_pairs(dump, rows, cols)
    assert own.tolist() == [True, False, False] and not cosine_only.any()
    mostly_articles = np.array([True, True] + [False] * 48)  # 4 % briefs
    own, cosine_only = brief_pairs(mostly_articles, rows, cols)
    assert not own.any() and cosine_only.tolist() == [True, False, False]


def _unrelated(n: int) -> list[Doc]:
    """n reports: events of three reports each, on unrelated subjects."""
    subjects = [
        ("harbour", "Tidewater ferry terminal floods after the sea wall gives way at dawn"),
        ("orchard", "Blight ruins half the Lindale apple harvest, growers ask for aid"),
        ("museum", "Stolen Vermeer sketch found in a Ghent attic by a plumber"),
        ("rail", "Signal failure strands 4,000 commuters at Marden junction"),
        ("vote", "Calder council rejects the 84-flat tower in a late-night vote"),
        ("zoo", "Twin snow leopard cubs born at the Brackwell wildlife park"),
        ("mine", "Eleven miners rescued after nine hours at the Rosslyn pit"),
    ]
    out = []
    for i in range(n):
        key, line = subjects[(i // 3) % len(subjects)]
        out.append(Doc(title=f"{line} ({i % 3})", text=f"{line}. Report {i} on the {key} story."))
    return out


def test_a_window_under_the_scorer_size_takes_the_cosine_path() -> None:
    """A small newsroom's day (16-199 articles) is compared by cosine alone: trees fitted on
    small windows joined unrelated stories on news unlike their fit (docs/benchmarks.md,
    "Small windows: trees that do not carry")."""
    from headlines.stories import candidates, merging, scorers

    told = _unrelated(21)  # seven events, three reports each
    others = [
        Doc(title=f"Notice q{k}x of w{k}y", text=f"Item z{k}v filed by u{k}t.") for k in range(178)
    ]
    docs = told + others
    assert len(docs) == scorers.SCORER_MIN_WINDOW - 1
    with (
        mock.patch.object(merging, "merge", side_effect=AssertionError("second pass")),
        mock.patch.object(
            candidates, "scored_pairs", side_effect=AssertionError("a scorer under its size")
        ),
    ):
        labels = cluster(docs, threshold=0.26).labels
    assert [labels[i] for i in range(21)] == [labels[i - i % 3] for i in range(21)]
    assert len(set(labels)) == 7 + 178  # each event one story, each notice its own


def test_a_window_of_headlines_compares_their_words_by_stem() -> None:
    from headlines.stories.vectorizer import headline_window

    briefs = [Doc("Flooding closes roads", ""), Doc("Floods close road", "")]
    assert headline_window(briefs)
    vec = Vectorizer()
    rows = vec.fit_transform(briefs)
    assert (rows[0] @ rows[1].T).toarray()[0, 0] > 0.9  # flood, close, road: one event's words
    # Among articles the words are compared as written: whole texts give a word in its forms.
    articles = [
        Doc("Flooding closes roads", "Water rose overnight."),
        Doc("Floods close road", "Crews worked late."),
    ]
    assert not headline_window(articles)
    rows = Vectorizer().fit_transform(articles)
    assert (rows[0] @ rows[1].T).toarray()[0, 0] < 0.01
    # Briefs are a headline window once they are more than a tenth of it (merging.BRIEF_SHARE).
    assert headline_window([*articles * 8, *briefs])  # 2 of 18
    assert not headline_window([*articles * 10, briefs[0]])  # 1 of 21


MAY_1 = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)


def test_reports_published_more_than_a_week_apart_are_two_stories() -> None:
    def at(doc: Doc, when: dt.datetime | None) -> Doc:
        return replace(doc, published=when)

    later = MAY_1 + dt.timedelta(days=30)
    window = [at(STORM_A, MAY_1), at(STORM_A2, later), STORM_B, FINAL]
    labels = cluster(window, threshold=0.5).labels
    assert labels[0] != labels[1]  # a month apart: the next storm, not this one
    for when in (MAY_1 + dt.timedelta(days=2), None):  # two days apart, or a time not known
        window = [at(STORM_A, MAY_1), at(STORM_A2, when), STORM_B, FINAL]
        labels = cluster(window, threshold=0.5).labels
        assert labels[0] == labels[1]
        assert len({labels[0], labels[2], labels[3]}) == 3


def test_reports_are_close_when_both_were_published_within_a_day() -> None:
    times = [MAY_1, MAY_1 + dt.timedelta(hours=23), MAY_1 + dt.timedelta(hours=25), None]
    guard = Guard.of([replace(STORM_A, published=t) for t in times])
    a, b = np.array([0, 0, 1, 0, 3]), np.array([1, 2, 2, 0, 0])
    assert guard.close(a, b).tolist() == [True, False, True, True, False]  # unknown: not close
    ids = np.arange(4)
    assert guard.close(ids[:, None], ids[None, :]).shape == (4, 4)
    assert not Guard.of([STORM_A, STORM_A2]).close(np.array([0]), np.array([1])).any()


def test_a_window_of_two_months_keeps_each_months_events_apart() -> None:
    docs, truth = look_alike_window()
    first = [replace(d, published=MAY_1 + dt.timedelta(hours=i % 48)) for i, d in enumerate(docs)]
    second = [
        replace(d, published=MAY_1 + dt.timedelta(days=40, hours=i % 48))
        for i, d in enumerate(docs)
    ]
    labels = cluster(first + second, threshold=0.26).labels
    half = len(docs)
    assert len(docs) >= SCORER_MIN_WINDOW  # the pair scorer's path
    assert not {labels[i] for i in range(half)} & {labels[i] for i in range(half, 2 * half)}
    for e in set(truth):
        for offset in (0, half):
            assert len({labels[offset + i] for i, t in enumerate(truth) if t == e}) == 1


def test_dates_within_a_week_change_nothing() -> None:
    docs, _ = look_alike_window()
    dated = [
        replace(d, published=MAY_1 + dt.timedelta(hours=(i * 7) % 168)) for i, d in enumerate(docs)
    ]
    assert Guard.of(dated).published is None
    assert cluster(dated, threshold=0.26).labels == cluster(docs, threshold=0.26).labels


def test_weekdays_are_read_in_the_languages_reports_come_in() -> None:
    from headlines.stories.parts import days

    monday, wednesday, friday, sunday = 1, 1 << 2, 1 << 4, 1 << 6
    said = {
        "Storm hits the coast on Monday": monday,
        "Sturm trifft am Montag die Küste": monday,
        "La tempête a frappé la côte lundi": monday,
        "El temporal azotó la costa el miércoles": wednesday,
        "La tempesta ha colpito la costa mercoledì": wednesday,
        "A tempestade atingiu a costa na sexta-feira": friday,
        "De storm trof vrijdag de kust": friday,
        "Burza uderzyła w wybrzeże w niedzielę": sunday,
        "Шторм обрушился на побережье в среду": wednesday,
        "嵐が月曜日に沿岸を襲った": monday,
        "风暴上星期五袭击海岸": friday,
        "폭풍이 일요일 해안을 강타했다": sunday,
    }
    for title, expected in said.items():
        assert days(title, "") == expected, title
    # A name is no day, and "среда" is also "environment": neither is read as a weekday.
    assert days("Plácido Domingo sings in Vienna", "") == 0
    assert days("Экологическая среда города", "") == 0
    # English reads as before: a day joined to a word by a hyphen is still that day.
    assert days("Sunday-best turnout", "Mondays are quiet.") == sunday


def test_two_reports_naming_days_apart_are_guarded_in_any_language() -> None:
    docs = [
        Doc("Sturm trifft Kiel am Montag", "Der Sturm traf Kiel am Montag.", language="de"),
        Doc("Sturm trifft Kiel am Donnerstag", "Der Sturm traf Kiel am Donnerstag.", language="de"),
        Doc("Sturm trifft Kiel im März", "Der Sturm traf Kiel im März.", language="de"),
    ]
    guard = Guard.of(docs)
    other_days, other_names = guard.parts(np.array([0, 0]), np.array([1, 2]))
    assert other_days.tolist() == [True, False]
    # German capitalises its days and months: they are not names two reports must share.
    assert other_names.tolist() == [False, False]
    assert guard.names.shape[1] == 2  # "sturm" and "kiel" ("der" opens a sentence)


CARRIED = (
    "Fed official says weak data caused by weather, should not slow taper",
    "Fed's Charles Plosser sees high bar for change in pace of tapering",
    "Fed's Plosser: Nasty Weather Has Curbed Job Growth",
    "Plosser: Fed May Have to Accelerate Tapering Pace",
    "Apple unveils new iPad Air at event",
    "Apple's new iPad Air is thinner and lighter",
    "Hands on with Apple's iPad Air",
    "Apple event: iPad Air and new iPad mini announced",
)
TOLD_ONCE = (
    "Malaysia Airlines flight MH370 search widens",
    "Oscars 2014: 12 Years a Slave wins best picture",
    "Crimea votes to join Russia in disputed referendum",
    "Ebola outbreak spreads in Guinea",
    "GM recalls 1.6 million cars over ignition switch",
    "Bitcoin exchange Mt. Gox files for bankruptcy",
    "Facebook buys WhatsApp for $19 billion",
    "Nintendo cuts Wii U sales forecast",
    "Chris Brown jailed after rehab dismissal",
    "Justin Bieber deposition video released",
)


def test_headlines_carried_many_times_do_not_pull_the_others_together() -> None:
    """An aggregator's day: eight headlines each carried by ten outlets (stored as duplicates of
    the first), ten told once. The copies are one doc each for the window's vectors too."""
    docs = [Doc(title, "", language="en") for title in CARRIED + TOLD_ONCE]
    docs += [
        Doc(t, "", duplicate_of=i, language="en") for i, t in enumerate(CARRIED) for _ in range(9)
    ]
    labels = cluster(docs, threshold=0.22, embedding_weight=0.35).labels
    once = [labels[len(CARRIED) + k] for k in range(len(TOLD_ONCE))]
    assert len(set(once)) == len(TOLD_ONCE)  # each a story of its own
    assert not set(once) & {labels[i] for i in range(len(CARRIED))}
