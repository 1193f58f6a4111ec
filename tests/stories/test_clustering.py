from headlines.stories.clustering import Doc, cluster

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
