import numpy as np

from headlines.stories.clustering import FAR_SHARE, Doc, cluster, far

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


def test_a_pair_neither_counts_among_its_nearest_weighs_less_in_the_linkage() -> None:
    similarity = np.array(
        [
            [1.0, 0.5, 0.3, 0.3],
            [0.5, 1.0, 0.3, 0.2],
            [0.3, 0.3, 1.0, 0.6],
            [0.3, 0.2, 0.6, 1.0],
        ]
    )
    # Each row's "NEAR_K-th" nearest, here the 2nd (the row itself is the 1st).
    near = np.array([0.5, 0.5, 0.6, 0.6])
    weighed = far(similarity, near)
    assert weighed[0, 1] == 0.5 and weighed[2, 3] == 0.6  # each other's nearest: in full
    assert weighed[0, 2] == weighed[2, 0] == 0.3 * FAR_SHARE  # neither's: weighed less
    # Near for one of the two is enough (row 0 counts 0.3 among its nearest here).
    assert far(similarity, np.array([0.3, 0.5, 0.6, 0.6]))[0, 2] == 0.3
    # A window smaller than NEAR_K: every pair is near (-1), nothing changes.
    assert (far(similarity, np.full(4, -1.0)) == similarity).all()
